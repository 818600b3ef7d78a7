import { TerraformStack, type TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import { flavor } from './flavor';
import { compareVersions, providerConstraint, providerFloor, type ProviderFeature, type ProviderInputs } from './provider-version';

/**
 * The one way to use what the provider has but the bindings (generated from an older release, see
 * `flavor().bindingsProviderVersion`) do not: a value
 * or an argument that is newer than they are.
 *
 * - A newer value (a feature name such as `AI_PROTECTION`) fits the bindings' string types: the
 *   construct that writes it calls `requireProvider(scope, PROVIDER_FEATURES.x)`.
 * - A newer argument is declared once as a `NewerArgument<T>`, typed by its Terraform JSON value, and
 *   written with `writeNewerArgument`, which puts it into the resource with cdktf's override and
 *   requires its provider version.
 *
 * Every stack then asks Terraform for `providerConstraint(config)`, and synth fails, naming the
 * feature, when a stack requires a provider version the configuration's floor (or `providerVersion`)
 * does not guarantee: the feature's `usedBy` in PROVIDER_FEATURES has missed a case.
 */

/** An argument of one resource type, newer than the bindings; `T` is its value as Terraform JSON. */
export interface NewerArgument<T> extends ProviderFeature {
  /** Terraform resource type, e.g. `aws_guardduty_detector_feature`. */
  readonly resourceType: string;
  /** Dotted path of the argument in the resource, in Terraform's snake_case. */
  readonly argument: string;
  /** Never set: carries the value type. */
  readonly valueType?: T;
}

const required = new WeakMap<TerraformStack, Set<ProviderFeature>>();

/** Declares that the stack of `scope` uses a feature of at least `feature.since`. */
export function requireProvider(scope: IConstruct, feature: ProviderFeature): void {
  const stack = TerraformStack.of(scope);
  const features = required.get(stack) ?? new Set<ProviderFeature>();
  features.add(feature);
  required.set(stack, features);
}

/** Writes an argument the bindings do not have into a resource, and requires its provider version. */
export function writeNewerArgument<T>(resource: TerraformResource, argument: NewerArgument<T>, value: T): void {
  if (resource.terraformResourceType !== argument.resourceType) {
    throw new Error(`${argument.argument} is an argument of ${argument.resourceType}, not of ${resource.terraformResourceType}`);
  }
  resource.addOverride(argument.argument, value);
  requireProvider(resource, argument);
}

/**
 * Writes the configuration's `hashicorp/aws` constraint into the stack (overriding the bindings'
 * exact version) and checks at synth that every feature the stack requires is within it. The source
 * is written too: the bindings of CDKTF write `aws` and those of CDK Terrain `hashicorp/aws`, which
 * Terraform reads as the same provider; one spelling keeps both flavors' output the same.
 */
export function constrainProvider(stack: TerraformStack, config: ProviderInputs & { readonly providerVersion?: string }): void {
  stack.addOverride('terraform.required_providers.aws.source', flavor().providerSource);
  stack.addOverride('terraform.required_providers.aws.version', providerConstraint(config));
  const lowest = config.providerVersion ?? providerFloor(config).version;
  stack.node.addValidation({
    validate: () =>
      [...(required.get(stack) ?? [])].flatMap((feature) => {
        if (feature.pinRequired && config.providerVersion === undefined) {
          return [`uses ${feature.what}, whose first hashicorp/aws release is unverified, without a pinned providerVersion: the configuration loader must refuse this`];
        }
        if (compareVersions(feature.since, lowest) <= 0) return [];
        return [
          `uses ${feature.what}, which needs hashicorp/aws ${feature.since}, but the configuration only guarantees ${lowest}: ` +
            'its usedBy in PROVIDER_FEATURES (lib/terraform/provider-version.ts) must cover this configuration',
        ];
      }),
  });
}

/** Declares the provider versions that the feature values a stack writes need (AI_PROTECTION...). */
export function requireFeatureProviders(scope: IConstruct, features: Iterable<{ readonly provider?: ProviderFeature }>): void {
  for (const feature of features) if (feature.provider) requireProvider(scope, feature.provider);
}

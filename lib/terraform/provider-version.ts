/**
 * The `hashicorp/aws` version every stack asks Terraform for.
 *
 * The prebuilt bindings (`@cdktf/provider-aws` 21.22.1, or CDK Terrain's `@cdktn/provider-aws` 25.7.0)
 * were generated from one provider release (6.25.0, or 6.66.0; `flavor().bindingsProviderVersion`) and
 * would write that exact version into every stack. Their types stay our schema check, but the constraint is
 * a range: at least the oldest provider that supports everything this configuration switches on (the
 * floor), below the next major version, whose breaking changes the code has not been checked against.
 * `providerVersion` pins one exact version instead, which must not be below the floor.
 *
 * The floor comes from PROVIDER_FEATURES: each entry names what needs a newer provider, the first
 * provider version that has it (from the provider's CHANGELOG, issue or documentation cited), and
 * which configurations use it. A feature that needs a newer provider is added here, and stacks that
 * use it declare so (`requireProvider` in lib/terraform/newer-provider.ts), which synth checks against the floor.
 */
import { flavor } from './flavor';

/** The major version the code is written for (per-resource `region`, v6 import ids). */
export const PROVIDER_MAJOR = 6;

/** The settings the floor depends on; any may be missing while the configuration is still invalid. */
export interface ProviderInputs {
  readonly remediation?: { readonly mode: string };
  /** The configuration's `protection`: a plan is `true`/`false` or an object of its settings. */
  readonly protection?: { readonly [plan: string]: boolean | { readonly [setting: string]: unknown } | undefined };
  /** The configuration's `malwareScanSettings`, when set. */
  readonly malwareScanSettings?: object;
}

export interface ProviderFeature {
  /** What needs the provider version, in words for messages and review.md. */
  readonly what: string;
  /** The first `hashicorp/aws` version that has it. */
  readonly since: string;
  /** Where `since` comes from. */
  readonly source: string;
  /** Whether a configuration uses it. */
  readonly usedBy: (config: ProviderInputs) => boolean;
  /**
   * `since` is only a lower bound (the first release that has it is unverified), so a configuration
   * that uses it must pin `providerVersion` to a release it has checked.
   * @default false
   */
  readonly pinRequired?: boolean;
}

export const PROVIDER_FEATURES = {
  regionArgument: {
    what: 'the per-resource region argument and <id>@<region> import ids (every stack)',
    since: '6.0.0',
    source: 'hashicorp/terraform-provider-aws docs/enhanced-region-support.md ("Version 6.0.0 ... introduces Enhanced Region Support")',
    usedBy: () => true,
  },
  lambdaNodejs24: {
    what: 'the Lambda runtime nodejs24.x of the remediation functions',
    since: '6.19.0',
    source: 'hashicorp/terraform-provider-aws issue #44986 ("terraform-provider-aws 6.19.0 allows for the creation of a nodejs24.x Lambda runtime function")',
    usedBy: (config) => config.remediation !== undefined && config.remediation.mode !== 'off',
  },
  aiFeatures: {
    what: 'the GuardDuty features AI_PROTECTION and AI_ANALYST (protection.aiProtection, protection.aiAnalyst)',
    since: '6.56.0',
    source:
      'hashicorp/terraform-provider-aws PR #48972 ("Add support for AI_PROTECTION and AI_ANALYST feature names", aws-sdk-go-v2/service/guardduty v1.83.0) and issue #49024 ("will be included in this week\'s release of v6.56.0")',
    usedBy: (config) => config.protection?.aiProtection !== undefined || config.protection?.aiAnalyst !== undefined,
  },
  rdsDataRisk: {
    what: 'the RDS Protection setting RDS_DATA_RISK (protection.rdsLogin.dataActivity)',
    // A lower bound, not a verified first release: the provider checks additional configuration names
    // against its SDK's enumeration, GuardDuty's API added RDS_DATA_RISK on 2026-10-08, and 6.56.0
    // (July 2026, SDK v1.83.0) predates it. No changelog entry naming it was found, so a configuration
    // that sets it must pin providerVersion to a release it has checked (lib/config/protection.ts).
    since: '6.57.0',
    source:
      'hashicorp/terraform-provider-aws internal/service/guardduty (additional_configuration.name validated with enum.Validate[awstypes.FeatureAdditionalConfiguration]); RDS_DATA_RISK is in @aws-sdk/client-guardduty 3.1169.0, not in the SDK of 6.56.0',
    usedBy: (config) => typeof config.protection?.rdsLogin === 'object' && config.protection.rdsLogin.dataActivity !== undefined,
    pinRequired: true,
  },
  malwareScanSettings: {
    what: 'the resource aws_guardduty_malware_scan_settings (malwareScanSettings)',
    // A lower bound, not a verified first release: 6.66.0 does not have it (the @cdktn/provider-aws
    // 25.7.0 bindings, generated from 6.66.0, have no guardduty-malware-scan-settings class), while the
    // provider's main branch has the resource and its changelog entry (.changelog/41622.txt). A
    // configuration that sets it must pin providerVersion to a release it has checked.
    since: '6.67.0',
    source:
      'hashicorp/terraform-provider-aws PR #41622 ("Add aws_guardduty_malware_scan_settings resource", .changelog/41622.txt: release-note:new-resource); absent from 6.66.0 (@cdktn/provider-aws 25.7.0)',
    usedBy: (config) => config.malwareScanSettings !== undefined,
    pinRequired: true,
  },
} as const satisfies Record<string, ProviderFeature>;

export type ProviderFeatureName = keyof typeof PROVIDER_FEATURES;

const VERSION = /^(\d+)\.(\d+)\.(\d+)$/;

/** `major.minor.patch` as numbers; anything else is a programming error (the schema checks user input). */
export function parseVersion(version: string): [number, number, number] {
  const match = VERSION.exec(version);
  if (!match) throw new Error(`not a provider version: ${JSON.stringify(version)}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Negative, zero or positive as `a` is older than, the same as, or newer than `b`. */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parseVersion(a), parseVersion(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The floor and the feature that sets it (the first one listed, on a tie). */
export function providerFloor(config: ProviderInputs): { readonly version: string; readonly feature: ProviderFeature } {
  let floor: ProviderFeature = PROVIDER_FEATURES.regionArgument;
  for (const feature of Object.values(PROVIDER_FEATURES) as ProviderFeature[]) {
    if (feature.usedBy(config) && compareVersions(feature.since, floor.since) > 0) floor = feature;
  }
  return { version: floor.since, feature: floor };
}

/** The `required_providers.aws.version` of every stack. */
export function providerConstraint(config: ProviderInputs & { readonly providerVersion?: string }): string {
  if (config.providerVersion !== undefined) return config.providerVersion;
  return `>= ${providerFloor(config).version}, < ${PROVIDER_MAJOR + 1}.0.0`;
}

/** One line for review.md: the constraint and why the floor is where it is. */
export function providerReviewLine(config: ProviderInputs & { readonly providerVersion?: string }): string {
  const floor = providerFloor(config);
  const constraint = `\`hashicorp/aws\` \`${providerConstraint(config)}\``;
  const why = `floor ${floor.version} for ${floor.feature.what}; bindings generated from ${flavor().bindingsProviderVersion}`;
  return config.providerVersion !== undefined
    ? `AWS provider: ${constraint}, pinned by providerVersion (${why}).`
    : `AWS provider: ${constraint} (${why}).`;
}

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AnnotationMetadataEntryType, App, TerraformElement, TerraformOutput, TerraformStack, type IStackSynthesizer, type ISynthesisSession } from 'cdktf';
import { resolve } from 'cdktf/lib/_tokens';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { ValidateTerraformVersion } from 'cdktf/lib/validations/validate-terraform-version';
import { deepMerge } from 'cdktf/lib/util';
import { ConstructOrder, type IConstruct } from 'constructs';

/** Where cdktf keeps a construct's custom synthesis (assets copy their files with it). */
const CUSTOM_SYNTHESIS = Symbol.for('cdktf/customSynthesis');

/**
 * Writes a stack as the installed framework's StackSynthesizer does, step by step (cdktf 0.21's, and
 * CDK Terrain 0.24's, which added the preparation of a stack whose session did not prepare it):
 * aspects, preparation where the session did not, the Terraform version check of resource moves,
 * validations (CDK Terrain's include the Terraform functions used in this pass), custom synthesis of
 * assets, annotations into the manifest, errors stop the synth. It serializes with `JSON.stringify`
 * in the order the JSON was built, where the framework sorts every key (json-stable-stringify,
 * safe-stable-stringify): at a thousand invited accounts that sort was a quarter of synth time, and
 * the order it bought is already fixed by the code that builds the stack. A test holds it to the
 * installed framework's own synthesizer, scenario by scenario.
 */
export class JsonStackSynthesizer implements IStackSynthesizer {
  /** The JSON last written, so that reports on the synth need not read it back from disk. */
  written?: Record<string, unknown>;

  constructor(private readonly stack: TerraformStack) {}

  synthesize(session: ISynthesisSession): void {
    const stack = this.stack;
    // Keyed blocks are written into the JSON form only (see lib/terraform/instances.ts).
    if (App.of(stack).hclOutput) throw new Error(`stack ${stack.node.id}: this app synthesizes Terraform JSON only; unset SYNTH_HCL_OUTPUT`);
    invokeAspects(stack);
    // CDK Terrain's App.synth prepares every stack first and says so; another session (a direct call,
    // Testing) has this stack prepared here, so that this pass's function usage is what is validated.
    if (recordsPerPass(stack) && !(session as { stacksPrepared?: boolean }).stacksPrepared) stack.prepareStack();
    if (stack.hasResourceMove()) {
      stack.node.addValidation(new ValidateTerraformVersion('>=1.5', 'Resource move functionality is only supported for Terraform >=1.5. Please upgrade your Terraform version.'));
    }
    if (!session.skipValidation) stack.runAllValidations();

    const stackManifest = session.manifest.forStack(stack);
    const workingDirectory = path.join(session.outdir, stackManifest.workingDirectory);
    if (!existsSync(workingDirectory)) mkdirSync(workingDirectory);
    for (const node of stack.node.findAll(ConstructOrder.POSTORDER)) {
      (node as unknown as Record<symbol, { onSynthesize(session: ISynthesisSession): void } | undefined>)[CUSTOM_SYNTHESIS]?.onSynthesize(session);
    }

    const levels: string[] = [AnnotationMetadataEntryType.INFO, AnnotationMetadataEntryType.WARN, AnnotationMetadataEntryType.ERROR];
    const annotations = stack.node.findAll().flatMap((node) =>
      node.node.metadata
        .filter((metadata) => levels.includes(metadata.type))
        .map((metadata) => ({ constructPath: node.node.path, level: metadata.type, message: metadata.data, stacktrace: metadata.trace })),
    );
    // The manifest entry is cdktf's to fill in here, as its own synthesizer does.
    (stackManifest as { annotations: unknown }).annotations = annotations;
    const errors = annotations.filter((annotation) => annotation.level === AnnotationMetadataEntryType.ERROR);
    if (errors.length > 0 && process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS === undefined) {
      throw new Error(`Encountered Annotations with level "ERROR":\n${errors.map((error) => `[${error.constructPath}] ${error.message}`).join('\n')}`);
    }

    const json = stack.toTerraform();
    writeFileSync(path.join(session.outdir, stackManifest.synthesizedStackPath), JSON.stringify(json, null, 2));
    this.written = json;
  }
}

/**
 * A stack's Terraform JSON, as `TerraformStack.toTerraform` in cdktf 0.21 builds it (metadata,
 * outputs, each element's fragment resolved and merged, the stack's overrides), without resolving the
 * merged whole once more at the end: every fragment is resolved already, so that last walk only
 * re-read a quarter of a million plain strings at a thousand invited accounts. The stack's own
 * overrides are resolved on their own. Tested to give what cdktf gives.
 */
export function stackJson(stack: TerraformStack): Record<string, any> {
  const internals = stack as unknown as { rawOverrides: Record<string, unknown> };
  const elements = terraformElements(stack);
  const metadata: Record<string, unknown> = {
    version: stack.node.tryGetContext('cdktfVersion'),
    stackName: stack.node.id,
    backend: 'local',
    cloud: undefined,
    ...(Object.keys(internals.rawOverrides).length > 0 ? { overrides: { stack: Object.keys(internals.rawOverrides) } } : {}),
  };
  for (const element of elements) deepMerge(metadata, resolve(stack, element.toMetadata()));
  const outputs: Record<string, unknown> = {};
  for (const element of elements) {
    if (!TerraformOutput.isTerraformOutput(element)) continue;
    deepMerge(
      outputs,
      element.node.path.split('/').reduceRight<Record<string, unknown>>((inner, part) => ({ [part]: Object.keys(inner).length === 0 ? element.friendlyUniqueId : inner }), {}),
    );
  }
  const tf: Record<string, any> = { '//': { metadata, outputs } };
  for (const element of elements) deepMerge(tf, resolve(stack, element.toTerraform()));
  deepMerge(tf, resolve(stack, internals.rawOverrides));
  return tf;
}

/** The stack's elements, depth first, without those of stacks nested in it (as cdktf collects them). */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) if (!TerraformStack.isStack(child)) terraformElements(child, into);
  return into;
}

/**
 * What CDK Terrain records per synthesis pass, on the stack and its elements (internal): the Terraform
 * functions and provider functions rendered, which its validations check against the target
 * versions, and the provider features found while resolving. cdktf 0.21 records none of it.
 */
interface PerPassRecords {
  readonly _usedFunctions: Set<string>;
  readonly _usedProviderFunctions: Set<string>;
}

interface PerPassElement {
  _resetResolveDiscoveredProviderFeatureUsage(): void;
}

function recordsPerPass(stack: TerraformStack): boolean {
  const records = stack as unknown as Partial<PerPassRecords>;
  return records._usedFunctions instanceof Set && records._usedProviderFunctions instanceof Set;
}

/**
 * The framework's `prepareStack`: every element resolved once so that cross-stack references are found
 * and wired (outputs in the stack they come from, a remote-state read here), leaving out the elements
 * `skip` names, which must hold no token of another stack and render no Terraform function (at a
 * thousand invited accounts, the providers are a third of the elements and hold only configuration
 * text). On CDK Terrain, what the last pass recorded is cleared first, as its own preparation does, so
 * that validations see this pass only.
 */
export function prepareStack(stack: TerraformStack, skip: (element: TerraformElement) => boolean): void {
  stack.ensureBackendExists();
  const elements = terraformElements(stack);
  if (recordsPerPass(stack)) {
    const records = stack as unknown as PerPassRecords;
    records._usedFunctions.clear();
    records._usedProviderFunctions.clear();
    for (const element of elements) (element as unknown as PerPassElement)._resetResolveDiscoveredProviderFeatureUsage();
  }
  for (const element of elements) if (!skip(element)) resolve(stack, element.toTerraform(), true);
}

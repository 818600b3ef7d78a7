import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AnnotationMetadataEntryType, App, type IStackSynthesizer, type ISynthesisSession, type TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { ConstructOrder } from 'constructs';

/** Where cdktf keeps a construct's custom synthesis (assets copy their files with it). */
const CUSTOM_SYNTHESIS = Symbol.for('cdktf/customSynthesis');

/**
 * Writes a stack as cdktf 0.21's StackSynthesizer does (aspects, validations, custom synthesis of
 * assets, annotations into the manifest, errors stop the synth) but serializes with `JSON.stringify`
 * in the order the JSON was built, where cdktf sorts every key with json-stable-stringify: at a
 * thousand invited accounts that sort was a quarter of synth time, and the order it bought is
 * already fixed by the code that builds the stack.
 */
export class JsonStackSynthesizer implements IStackSynthesizer {
  /** The JSON last written, so that reports on the synth need not read it back from disk. */
  written?: Record<string, unknown>;

  constructor(private readonly stack: TerraformStack) {}

  synthesize(session: ISynthesisSession): void {
    const stack = this.stack;
    // Keyed blocks are written into the JSON form only (see lib/instances.ts).
    if (App.of(stack).hclOutput) throw new Error(`stack ${stack.node.id}: this app synthesizes Terraform JSON only; unset SYNTH_HCL_OUTPUT`);
    invokeAspects(stack);
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

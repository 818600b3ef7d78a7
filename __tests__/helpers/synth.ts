import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { instanceAttributes, readSynthesized, resourceBlocks, resourceInstances, type SynthesizedApp } from '../../cli/common/synthesized';
import { parseConfig, type OrgConfig } from '../../lib/config/load';
import { buildApp } from '../../stacks/app';

export const REPO_ROOT = path.resolve(__dirname, '../..');
/** The shipped example's folder: its `membersFile` and list files are relative to it. */
export const EXAMPLE_DIR = path.join(REPO_ROOT, 'config');

/** The shipped example configuration as data, cloned so a test can change it freely. */
export function exampleData(): Record<string, any> {
  return JSON.parse(readFileSync(path.join(EXAMPLE_DIR, 'org.json'), 'utf8'));
}

/**
 * The example configuration with top-level keys replaced, validated like a real file beside the
 * example's, or in `dir` (where the test keeps its own files, beside copies of the example's).
 */
export function testConfig(overrides: Record<string, unknown> = {}, dir?: string): OrgConfig {
  if (dir === undefined) return parseConfig({ ...exampleData(), ...overrides }, { file: 'config/test.json', cwd: REPO_ROOT });
  copyExampleFiles(dir);
  return parseConfig({ ...exampleData(), ...overrides }, { file: path.join(dir, 'test.json'), cwd: REPO_ROOT });
}

/** Copies the example's members file and lists into `dir`, unless the test put its own there. */
function copyExampleFiles(dir: string): void {
  for (const name of ['accounts.csv', 'lists']) {
    if (!existsSync(path.join(dir, name))) cpSync(path.join(EXAMPLE_DIR, name), path.join(dir, name), { recursive: true });
  }
}

/**
 * Writes a configuration (data, or text as it is) as `org.json` into `dir`, beside copies of the
 * example's members file and lists (which its paths name relative to its folder), unless the test
 * put its own there. Returns the configuration's path.
 */
export function writeExample(dir: string, data: unknown = exampleData()): string {
  copyExampleFiles(dir);
  const file = path.join(dir, 'org.json');
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

/** Terraform JSON of one synthesized stack. */
export type StackJson = Record<string, any>;

export interface Synthesized {
  /** Where it was synthesized (removed again once read). */
  readonly outdir: string;
  readonly manifest: { stacks: Record<string, { dependencies: string[] }> };
  readonly stackIds: string[];
  stack(id: string): StackJson;
  /**
   * Resource instances of one type in a stack, keyed by their address without the type
   * (`detector["us-east-1"]`, or the name of a single instance), with the arguments Terraform sees
   * for each (`each.value...` read from the `for_each` map, see `instanceAttributes`) and the block's
   * cdktf metadata (`//`).
   */
  resources(id: string, type: string): Record<string, any>;
  /** Resource blocks of one type in a stack, keyed by their Terraform name, as written, a `for_each` that names a local read as that map. */
  blocks(id: string, type: string): Record<string, any>;
}

/** Synthesizes the whole app into a temporary folder, as `cdktf synth` does, and reads it back. */
export function synthApp(config: OrgConfig): Synthesized {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-synth-'));
  try {
    buildApp(config, { outdir }).synth();
    const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const stacks: Record<string, StackJson> = {};
    for (const id of Object.keys(manifest.stacks)) {
      stacks[id] = JSON.parse(readFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
    }
    // Read once per stack and type, so that a test may compare the objects it is given.
    const instances = new Map<string, Record<string, any>>();
    return {
      outdir,
      manifest,
      stackIds: Object.keys(stacks),
      stack: (id) => {
        if (!stacks[id]) throw new Error(`no stack ${id}; stacks: ${Object.keys(stacks).join(', ')}`);
        return stacks[id];
      },
      resources: (id, type) => {
        const key = `${id}\0${type}`;
        let found = instances.get(key);
        if (!found) {
          found = Object.fromEntries(
            resourceInstances({ resource: { [type]: stacks[id]?.resource?.[type] ?? {} }, locals: stacks[id]?.locals }).map((instance) => [
              instance.address.slice(type.length + 1),
              { '//': instance.block.attributes['//'], ...instanceAttributes(instance) },
            ]),
          );
          instances.set(key, found);
        }
        return found;
      },
      blocks: (id, type) => Object.fromEntries(resourceBlocks({ resource: { [type]: stacks[id]?.resource?.[type] ?? {} }, locals: stacks[id]?.locals }).map((block) => [block.name, block.attributes])),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * Synthesizes configurations into temporary folders (`<prefix>XXXXXX`), read back as the rollout reads
 * a synth; the folders, and any `folder()` gave, are removed after the test file. Call it at the top
 * of a test file.
 */
export function temporarySynths(prefix: string): { synthesize: (config: OrgConfig) => SynthesizedApp; folder: (name?: string) => string } {
  const folders: string[] = [];
  afterAll(() => folders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
  const folder = (name = prefix) => {
    const made = mkdtempSync(path.join(tmpdir(), name));
    folders.push(made);
    return made;
  };
  return {
    folder,
    synthesize: (config) => {
      const outdir = folder();
      buildApp(config, { outdir }).synth();
      return readSynthesized(outdir);
    },
  };
}

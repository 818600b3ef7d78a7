import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { resourceCounts } from '../common/synthesized';

/** What one synthesized output folder holds, for the report. */
export interface OutputSummary {
  /** Resource instances by stack id (a keyed block counts each of its instances). */
  readonly resourcesByStack: ReadonlyMap<string, number>;
  readonly totalResources: number;
  readonly largestStack: { readonly id: string; readonly resources: number };
  /** Bytes of Terraform JSON (the stacks' cdk.tf.json and the manifest). */
  readonly jsonBytes: number;
  /** Asset zips, relative to the output folder. */
  readonly zips: readonly string[];
}

export function largestStack(resourcesByStack: ReadonlyMap<string, number>): { id: string; resources: number } {
  let largest = { id: '', resources: -1 };
  for (const [id, resources] of resourcesByStack) if (resources > largest.resources) largest = { id, resources };
  return largest;
}

export function summarizeOutput(outdir: string): OutputSummary {
  const manifestFile = path.join(outdir, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { stacks: Record<string, { synthesizedStackPath: string }> };
  const resourcesByStack = new Map<string, number>();
  let jsonBytes = statSync(manifestFile).size;
  for (const [id, stack] of Object.entries(manifest.stacks)) {
    const file = path.join(outdir, stack.synthesizedStackPath);
    jsonBytes += statSync(file).size;
    resourcesByStack.set(id, resourceCounts(JSON.parse(readFileSync(file, 'utf8'))).total);
  }
  const zips = filesUnder(path.join(outdir, 'stacks'))
    .filter((file) => file.endsWith('.zip'))
    .map((file) => path.relative(outdir, file))
    .sort();
  return {
    resourcesByStack,
    totalResources: [...resourcesByStack.values()].reduce((sum, value) => sum + value, 0),
    largestStack: largestStack(resourcesByStack),
    jsonBytes,
    zips,
  };
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

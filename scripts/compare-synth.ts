/**
 * Compares what two flavors synthesized from the same configuration (scripts/check-cdktn.ts). Every
 * file must be the same bytes, except where the flavor itself is written:
 *
 * - `stacks/<id>/cdk.tf.json`: the framework version line (`//.metadata.version`);
 * - `manifest.json`: the framework version, and whitespace (CDK Terrain writes an empty list as `[]`,
 *   CDKTF as `[` and `]` on two lines); its data must be equal;
 * - `review.md`: the provider release the bindings were generated from, which review.md reports.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface SynthOutput {
  /** The synthesized folder (`cdktf.out`). */
  readonly dir: string;
  /** The framework version the flavor writes into its metadata. */
  readonly frameworkVersion: string;
  /** The provider release its bindings were generated from. */
  readonly bindingsProviderVersion: string;
}

/** Every file under a folder, by path relative to it, `/`-separated, sorted. */
export function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix))
    .flatMap((entry) => {
      const relative = prefix ? `${prefix}/${entry}` : entry;
      return statSync(path.join(dir, relative)).isDirectory() ? filesUnder(dir, relative) : [relative];
    })
    .sort();
}

const VERSION_PLACEHOLDER = '<framework version>';

/** A stack's JSON with the metadata's version line made flavor-neutral; undefined if it has no such line. */
function neutralStack(text: string, frameworkVersion: string): string | undefined {
  const line = `"version": ${JSON.stringify(frameworkVersion)}`;
  if ((JSON.parse(text) as { '//'?: { metadata?: { version?: string } } })['//']?.metadata?.version !== frameworkVersion) return undefined;
  // The metadata comes first in the stack's JSON, so its version line is the first.
  return text.replace(line, `"version": ${JSON.stringify(VERSION_PLACEHOLDER)}`);
}

function neutralManifest(text: string): unknown {
  return { ...(JSON.parse(text) as Record<string, unknown>), version: VERSION_PLACEHOLDER };
}

function neutralReview(text: string, bindingsProviderVersion: string): string {
  return text.replace(`bindings generated from ${bindingsProviderVersion})`, 'bindings generated from <bindings provider>)');
}

/** Where two texts first differ, by line. */
function firstDifference(a: string, b: string): string {
  const left = a.split('\n');
  const right = b.split('\n');
  const line = left.findIndex((text, index) => text !== right[index]);
  const at = line < 0 ? left.length : line;
  return `line ${at + 1}: ${JSON.stringify(left[at] ?? '(end)')} / ${JSON.stringify(right[at] ?? '(end)')}`;
}

/** The differences between two flavors' outputs that the flavor does not account for; empty when none. */
export function compareSynths(a: SynthOutput, b: SynthOutput): string[] {
  const filesA = filesUnder(a.dir);
  const filesB = new Set(filesUnder(b.dir));
  const problems: string[] = [];
  for (const file of filesA) if (!filesB.has(file)) problems.push(`${file}: only in ${a.dir}`);
  for (const file of filesB) if (!filesA.includes(file)) problems.push(`${file}: only in ${b.dir}`);
  for (const file of filesA.filter((name) => filesB.has(name))) {
    const bytesA = readFileSync(path.join(a.dir, file));
    const bytesB = readFileSync(path.join(b.dir, file));
    if (bytesA.equals(bytesB)) continue;
    const [textA, textB] = [bytesA.toString('utf8'), bytesB.toString('utf8')];
    if (/^stacks\/[^/]+\/cdk\.tf\.json$/.test(file)) {
      const [stackA, stackB] = [neutralStack(textA, a.frameworkVersion), neutralStack(textB, b.frameworkVersion)];
      if (stackA === undefined || stackB === undefined) problems.push(`${file}: the metadata does not name the framework version (${a.frameworkVersion} / ${b.frameworkVersion})`);
      else if (stackA !== stackB) problems.push(`${file}: ${firstDifference(stackA, stackB)}`);
    } else if (file === 'manifest.json') {
      const [manifestA, manifestB] = [JSON.stringify(neutralManifest(textA), null, 2), JSON.stringify(neutralManifest(textB), null, 2)];
      if (manifestA !== manifestB) problems.push(`${file}: ${firstDifference(manifestA, manifestB)}`);
    } else if (file === 'review.md') {
      const [reviewA, reviewB] = [neutralReview(textA, a.bindingsProviderVersion), neutralReview(textB, b.bindingsProviderVersion)];
      if (reviewA !== reviewB) problems.push(`${file}: ${firstDifference(reviewA, reviewB)}`);
    } else {
      problems.push(`${file}: ${bytesA.length} bytes / ${bytesB.length} bytes, not the same${file.endsWith('.zip') ? '' : ` (${firstDifference(textA, textB)})`}`);
    }
  }
  return problems;
}

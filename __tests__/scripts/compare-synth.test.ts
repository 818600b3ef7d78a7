import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compareSynths, filesUnder } from '../../scripts/compare-synth';

/** A synthesized folder as a flavor writes it: one stack, the manifest, review.md and an asset. */
function output(root: string, name: string, framework: string, bindings: string, options: { manifestIndent?: boolean; bucket?: string } = {}) {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'stacks/admin/assets/code'), { recursive: true });
  const stack = { '//': { metadata: { version: framework, stackName: 'admin' } }, resource: { aws_s3_bucket: { b: { bucket: options.bucket ?? 'b', tags: { version: framework } } } } };
  writeFileSync(path.join(dir, 'stacks/admin/cdk.tf.json'), JSON.stringify(stack, null, 2));
  const manifest = { version: framework, stacks: { admin: { annotations: [] } } };
  writeFileSync(path.join(dir, 'manifest.json'), options.manifestIndent ? JSON.stringify(manifest, null, 2).replace('[]', '[\n      ]') : JSON.stringify(manifest, null, 2));
  writeFileSync(path.join(dir, 'review.md'), `# Review\nAWS provider: range (floor 6.19.0; bindings generated from ${bindings}).\n`);
  writeFileSync(path.join(dir, 'stacks/admin/assets/code/f.zip'), 'zip');
  return { dir, frameworkVersion: framework, bindingsProviderVersion: bindings };
}

describe('compareSynths', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'gd-compare-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('accepts what only the flavor accounts for: the metadata version line, manifest whitespace and version, the bindings in review.md', () => {
    const a = output(root, 'a', '0.21.0', '6.25.0', { manifestIndent: true });
    const b = output(root, 'b', '0.24.0', '6.66.0');
    // The version in a tag is configuration, not metadata: the same value on both sides is required.
    writeFileSync(path.join(b.dir, 'stacks/admin/cdk.tf.json'), readFileSync(path.join(b.dir, 'stacks/admin/cdk.tf.json'), 'utf8').replace('"version": "0.24.0"\n', '"version": "0.21.0"\n'));
    expect(filesUnder(a.dir)).toEqual(['manifest.json', 'review.md', 'stacks/admin/assets/code/f.zip', 'stacks/admin/cdk.tf.json']);
    expect(compareSynths(a, b)).toEqual([]);
  });

  it('names every other difference by file and line, and files on one side only', () => {
    const a = output(root, 'a', '0.21.0', '6.25.0');
    const b = output(root, 'b', '0.24.0', '6.66.0', { bucket: 'c' });
    writeFileSync(path.join(b.dir, 'stacks/admin/assets/code/f.zip'), 'other zip');
    cpSync(path.join(b.dir, 'review.md'), path.join(b.dir, 'extra.md'));
    writeFileSync(path.join(b.dir, 'manifest.json'), JSON.stringify({ version: '0.24.0', stacks: {} }, null, 2));
    expect(compareSynths(a, b)).toEqual([
      `extra.md: only in ${b.dir}`,
      'manifest.json: line 3: "  \\"stacks\\": {" / "  \\"stacks\\": {}"',
      'stacks/admin/assets/code/f.zip: 3 bytes / 9 bytes, not the same',
      'stacks/admin/cdk.tf.json: line 11: "        \\"bucket\\": \\"b\\"," / "        \\"bucket\\": \\"c\\","',
    ]);
  });

  it('requires the version it leaves out to be the flavor’s own', () => {
    const a = output(root, 'a', '0.21.0', '6.25.0');
    const b = output(root, 'b', '0.24.0', '6.66.0');
    expect(compareSynths(a, { ...b, frameworkVersion: '0.25.0' })).toEqual(['stacks/admin/cdk.tf.json: the metadata does not name the framework version (0.21.0 / 0.25.0)']);
    expect(compareSynths(a, { ...b, bindingsProviderVersion: '6.70.0' })).toEqual([
      'review.md: line 2: "AWS provider: range (floor 6.19.0; bindings generated from <bindings provider>)." / "AWS provider: range (floor 6.19.0; bindings generated from 6.66.0)."',
      // Only the metadata's line is the flavor's: the same version elsewhere in the stack is compared.
      'stacks/admin/cdk.tf.json: line 13: "          \\"version\\": \\"0.21.0\\"" / "          \\"version\\": \\"0.24.0\\""',
    ]);
  });
});

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

/**
 * Bundles a Lambda handler into a small, reproducible zip at synth time: esbuild (one minified,
 * tree-shaken CommonJS file with every dependency inside, the AWS SDK included, so the code runs on
 * the SDK version it was tested with) and yazl (one entry with a fixed time and mode). The same
 * sources and toolchain give the same bytes, hence the same hash, so an unchanged function never
 * shows up in a plan.
 */

/** esbuild's target for the Lambda runtime the functions use (see modules/remediation-function.ts). */
export const BUNDLE_TARGET = 'node24';
/** The single file in every zip; handlers are `index.handler`. */
export const BUNDLE_FILE = 'index.js';
/** Zip entry time: fixed, so the zip does not change with the clock. */
const ZIP_MTIME = '2000-01-01T00:00:00.000Z';
/** Regular file, rw-r--r--. */
const ZIP_MODE = 0o100644;

export interface Bundle {
  /** The handler source it was built from (absolute). */
  readonly entry: string;
  /** Where the zip was written (absolute). */
  readonly zipPath: string;
  /** SHA-256 of the zip, hex: names the file and the Terraform asset. */
  readonly sha256: string;
  /** SHA-256 of the zip, base64: what Lambda reports as CodeSha256 (`source_code_hash`). */
  readonly sha256Base64: string;
  /** Bytes of the zip. */
  readonly zipBytes: number;
  /** Bytes of the bundled JavaScript. */
  readonly codeBytes: number;
}

export interface BundleOptions {
  /** Folder the zips are written to. @default `<os tmpdir>/guardduty-lambda-bundles` */
  readonly outDir?: string;
}

const cache = new Map<string, Bundle>();

/** Bundles once per entry and output folder in a process; later calls (more regions, more stacks) reuse it. */
export function bundleFunction(entry: string, options: BundleOptions = {}): Bundle {
  const absolute = path.resolve(entry);
  const outDir = options.outDir ?? path.join(tmpdir(), 'guardduty-lambda-bundles');
  const key = `${absolute}\0${outDir}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const code = bundleCode(absolute);
  const zip = zipSingleFile(code, BUNDLE_FILE);
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const zipPath = path.join(outDir, `${path.basename(absolute).replace(/\.[cm]?[jt]s$/, '')}-${sha256.slice(0, 16)}.zip`);
  if (!existsSync(zipPath)) {
    mkdirSync(outDir, { recursive: true });
    // Written aside and renamed, so a parallel synth never reads half a file.
    const partial = `${zipPath}.${process.pid}.partial`;
    writeFileSync(partial, zip);
    renameSync(partial, zipPath);
  }
  const bundle: Bundle = {
    entry: absolute,
    zipPath,
    sha256,
    sha256Base64: createHash('sha256').update(zip).digest('base64'),
    zipBytes: zip.length,
    codeBytes: code.length,
  };
  cache.set(key, bundle);
  return bundle;
}

/** Forgets bundles built earlier in this process (tests that change sources). */
export function clearBundleCache(): void {
  cache.clear();
}

/** One minified CommonJS file for Node.js on Lambda. */
export function bundleCode(entry: string): Buffer {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: 'node',
    target: BUNDLE_TARGET,
    format: 'cjs',
    // ES module builds first: the AWS SDK's `module` builds tree-shake far better than its CommonJS ones.
    mainFields: ['module', 'main'],
    legalComments: 'none',
    sourcemap: false,
    write: false,
    logLevel: 'silent',
    // Paths in esbuild's output are relative to this; fixing it keeps the bundle machine-independent.
    absWorkingDir: path.dirname(entry),
  });
  if (result.errors.length > 0) throw new Error(`bundling ${entry} failed: ${result.errors.map((error) => error.text).join('; ')}`);
  return Buffer.from(result.outputFiles[0].contents);
}

/**
 * yazl writes asynchronously (zlib and streams) while constructs are built synchronously, so the zip
 * is written by a short-lived Node.js process. TZ=UTC because zip (DOS) times are local times: the
 * same fixed time must give the same bytes on every machine.
 */
export function zipSingleFile(content: Buffer, name: string): Buffer {
  const script = `
    const yazl = require(process.argv[1]);
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => {
      const zip = new yazl.ZipFile();
      zip.addBuffer(Buffer.concat(chunks), process.argv[2], { mtime: new Date(process.argv[3]), mode: Number(process.argv[4]), compressionLevel: 9 });
      zip.end();
      zip.outputStream.pipe(process.stdout);
    });`;
  return execFileSync(process.execPath, ['-e', script, require.resolve('yazl'), name, ZIP_MTIME, String(ZIP_MODE)], {
    input: content,
    maxBuffer: 256 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '', TZ: 'UTC' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

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

/**
 * Bundles once per entry and output folder in a process; later calls (more regions, more stacks) reuse
 * it. Across processes, a record next to the zip (`<name>.inputs.json`) names every file esbuild read
 * and what it was: a bundle is built again only when one of them changed (see `inputFingerprint`), or
 * esbuild or the settings did. Bundling was most of a small synth's time.
 */
export function bundleFunction(entry: string, options: BundleOptions = {}): Bundle {
  const absolute = path.resolve(entry);
  const outDir = options.outDir ?? path.join(tmpdir(), 'guardduty-lambda-bundles');
  const key = `${absolute}\0${outDir}`;
  const cached = cache.get(key);
  if (cached) return cached;

  const name = path.basename(absolute).replace(/\.[cm]?[jt]s$/, '');
  const recordPath = path.join(outDir, `${name}.inputs.json`);
  const settings = settingsKey(absolute);
  const bundle = reuseBundle(recordPath, settings, absolute) ?? buildBundle(absolute, outDir, name, recordPath, settings);
  cache.set(key, bundle);
  return bundle;
}

/** What a bundle on disk was built from. */
interface BundleRecord {
  readonly settings: string;
  /** Input path (relative to the entry's folder, as esbuild names them) to its fingerprint. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly bundle: Omit<Bundle, 'entry'>;
}

function buildBundle(entry: string, outDir: string, name: string, recordPath: string, settings: string): Bundle {
  const { code, inputs } = bundleCode(entry);
  const zip = zipSingleFile(code, BUNDLE_FILE);
  const sha256 = createHash('sha256').update(zip).digest('hex');
  const zipPath = path.join(outDir, `${name}-${sha256.slice(0, 16)}.zip`);
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(zipPath)) writeAside(zipPath, zip);
  const bundle: Bundle = {
    entry,
    zipPath,
    sha256,
    sha256Base64: createHash('sha256').update(zip).digest('base64'),
    zipBytes: zip.length,
    codeBytes: code.length,
  };
  const fingerprints = Object.fromEntries(inputs.map((input) => [input, inputFingerprint(path.resolve(path.dirname(entry), input))]));
  const { entry: _entry, ...stored } = bundle;
  writeAside(recordPath, JSON.stringify({ settings, inputs: fingerprints, bundle: stored } satisfies BundleRecord));
  return bundle;
}

/** The bundle a record describes, if its zip is there and nothing it was built from has changed. */
function reuseBundle(recordPath: string, settings: string, entry: string): Bundle | undefined {
  let record: BundleRecord;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8'));
  } catch {
    return undefined;
  }
  if (record.settings !== settings || !existsSync(record.bundle.zipPath)) return undefined;
  for (const [input, fingerprint] of Object.entries(record.inputs)) {
    if (inputFingerprint(path.resolve(path.dirname(entry), input)) !== fingerprint) return undefined;
  }
  return { entry, ...record.bundle };
}

/** Written aside and renamed, so a parallel synth never reads half a file. */
function writeAside(file: string, content: Buffer | string): void {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, content);
  renameSync(partial, file);
}

/** The build settings a bundle depends on besides its inputs: the entry, esbuild and this file's choices. */
function settingsKey(entry: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ entry, esbuild: esbuildVersion(), build: BUILD_SETTINGS, file: BUNDLE_FILE, mtime: ZIP_MTIME, mode: ZIP_MODE }))
    .digest('hex');
}

const fingerprints = new Map<string, string>();

/**
 * What an input file is: a file of an installed package is its package at its version (npm never
 * changes a published version, and reading two thousand AWS SDK files to hash them costs more than a
 * tenth of a second); any other file, its SHA-256. Missing: "missing".
 */
function inputFingerprint(file: string): string {
  const packageRoot = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file)?.[1];
  const key = packageRoot ?? file;
  const known = fingerprints.get(key);
  if (known !== undefined) return known;
  let fingerprint: string;
  try {
    fingerprint = packageRoot
      ? `${JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')).version}`
      : createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    fingerprint = 'missing';
  }
  fingerprints.set(key, fingerprint);
  return fingerprint;
}

/** Forgets bundles built earlier in this process (tests that change sources). */
export function clearBundleCache(): void {
  cache.clear();
  fingerprints.clear();
}

/** esbuild's settings for every bundle: one minified CommonJS file for Node.js on Lambda. */
const BUILD_SETTINGS = {
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
} as const;

/** esbuild is loaded only to build: a synth whose bundles are all on disk does without it. */
function esbuild(): typeof import('esbuild') {
  return require('esbuild') as typeof import('esbuild');
}

function esbuildVersion(): string {
  return (require('esbuild/package.json') as { version: string }).version;
}

/** One minified CommonJS file, and the files esbuild read for it (relative to the entry's folder). */
export function bundleCode(entry: string): { code: Buffer; inputs: string[] } {
  const result = esbuild().buildSync({
    ...BUILD_SETTINGS,
    mainFields: [...BUILD_SETTINGS.mainFields],
    entryPoints: [entry],
    write: false,
    metafile: true,
    logLevel: 'silent',
    // Paths in esbuild's output are relative to this; fixing it keeps the bundle machine-independent.
    absWorkingDir: path.dirname(entry),
  });
  if (result.errors.length > 0) throw new Error(`bundling ${entry} failed: ${result.errors.map((error) => error.text).join('; ')}`);
  return { code: Buffer.from(result.outputFiles[0].contents), inputs: Object.keys(result.metafile.inputs) };
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

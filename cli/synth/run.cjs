'use strict';
/**
 * `cdktf synth` runs this (cdktf.json): the app, main.ts, as plain JavaScript. It is bundled once with
 * esbuild into .synth/main.js (packages stay in node_modules) and bundled again only when one of the
 * files it was built from changes, so a synth pays neither tsx (a TypeScript hook on every require:
 * about half a second of a small synth) nor npx. `node --import tsx main.ts` runs the same code straight
 * from the sources, as the tests do.
 *
 * Plain CommonJS, no TypeScript, so that Node runs it as it is. Source maps are written next to the
 * bundle: NODE_OPTIONS=--enable-source-maps gives stack traces in the TypeScript sources.
 */
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'main.ts');
// Inside the project, so that the bundle finds the packages in its node_modules.
const OUT_DIR = path.join(ROOT, '.synth');
const BUNDLE = path.join(OUT_DIR, 'main.js');
const RECORD = path.join(OUT_DIR, 'inputs.json');

const sha256 = (file) => {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
};

/**
 * The code imports `cdktf` and `@cdktf/provider-aws`; with CDK Terrain installed instead
 * (flavors/cdktn) they are bundled as imports of `cdktn` and `@cdktn/provider-aws`. The first flavor
 * whose framework is installed, as in lib/terraform/flavor.ts (FLAVOR_PACKAGES), tsconfig.json
 * `paths` and jest's `moduleNameMapper`.
 */
const FLAVORS = [
  { framework: 'cdktf', alias: {} },
  { framework: 'cdktn', alias: { cdktf: 'cdktn', '@cdktf/provider-aws': '@cdktn/provider-aws' } },
];

/** The framework installed in the project's node_modules (name and version) and the alias that goes with it. */
function installedFlavor() {
  for (const { framework, alias } of FLAVORS) {
    const manifest = path.join(ROOT, 'node_modules', framework, 'package.json');
    if (!existsSync(manifest)) continue;
    return { framework: `${framework}@${JSON.parse(readFileSync(manifest, 'utf8')).version}`, alias };
  }
  throw new Error(`neither ${FLAVORS.map((flavor) => flavor.framework).join(' nor ')} is installed in ${ROOT}: run npm ci`);
}

/**
 * What a bundle depends on besides its inputs: esbuild, this file's settings, where the project is,
 * and the framework it was bundled for (switching flavors reinstalls node_modules under the bundle).
 */
function settings() {
  return `${require('esbuild/package.json').version} ${sha256(__filename)} ${ROOT} ${installedFlavor().framework}`;
}

/** The bundle, when it exists and no file it was built from (by SHA-256) has changed. */
function upToDate() {
  let record;
  try {
    record = JSON.parse(readFileSync(RECORD, 'utf8'));
  } catch {
    return false;
  }
  if (record.settings !== settings() || sha256(BUNDLE) !== record.bundle) return false;
  return Object.entries(record.inputs).every(([file, hash]) => sha256(path.join(ROOT, file)) === hash);
}

/** Bundled files keep their own folder as __dirname and their own path as __filename, as under tsx. */
const keepModulePaths = {
  name: 'keep-module-paths',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8')
        .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents: source, loader: 'ts', resolveDir: path.dirname(args.path) };
    });
  },
};

function withoutPaths(tsconfig) {
  const { paths: _paths, ...compilerOptions } = tsconfig.compilerOptions ?? {};
  return { ...tsconfig, compilerOptions };
}

async function build() {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [ENTRY],
    absWorkingDir: ROOT,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    outfile: BUNDLE,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [keepModulePaths],
    alias: installedFlavor().alias,
    // tsconfig.json's `paths` map `cdktf` to a folder under node_modules for tsc and tsx, which esbuild
    // would bundle; packages stay external here, and the alias above picks the flavor.
    tsconfigRaw: withoutPaths(JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8'))),
  });
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) inputs[input] = sha256(path.join(ROOT, input));
  inputs[path.relative(ROOT, path.join(ROOT, 'tsconfig.json'))] = sha256(path.join(ROOT, 'tsconfig.json'));
  mkdirSync(OUT_DIR, { recursive: true });
  for (const file of result.outputFiles) writeAside(file.path, file.contents);
  writeAside(RECORD, JSON.stringify({ settings: settings(), bundle: sha256(BUNDLE), inputs }, null, 1));
}

/** Written aside and renamed, so a synth running at the same time never reads half a file. */
function writeAside(file, contents) {
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, contents);
  renameSync(partial, file);
}

const USAGE = `usage: npm run synth    (cdktf synth runs the same app)

Synthesizes the configuration into cdktf.out/: one folder per stack and review.md. Nothing of an
earlier synth outlives a failed one. Takes no arguments.

environment:
  ORG_CONFIG      the configuration file (default config/org.json); named on stderr first
  CDKTF_OUTDIR    where to write (default cdktf.out)

Exit codes: 0 synthesized; 1 a configuration problem; 2 a wrong command line.`;

/**
 * The command line, read before anything is built or written: `--help` prints the usage, and an
 * argument the app does not take is refused, so neither can empty cdktf.out by synthesizing.
 */
function handleArguments(args) {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.length > 0) {
    process.stderr.write(`unexpected argument ${JSON.stringify(args[0])}\n\n${USAGE}\n`);
    return 2;
  }
  return undefined;
}

async function main() {
  const exit = handleArguments(process.argv.slice(2));
  if (exit !== undefined) {
    process.exitCode = exit;
    return;
  }
  if (!upToDate()) {
    try {
      await build();
    } catch (error) {
      // esbuild's errors name the file and line; nothing is half-written.
      const errors = (error.errors ?? []).map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
      console.error(`cannot build the app from ${ENTRY}:\n${errors.join('\n') || error.message}`);
      process.exitCode = 1;
      return;
    }
  }
  require(BUNDLE);
}

main();

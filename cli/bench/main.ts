/**
 * `npm run bench`: synth, validate and Lambda performance, measured as whole processes and written to
 * bench/results.md and bench/synth.svg. Not part of `npm test`: timings are reported, never asserted.
 * The environment variables that shape a run are in BENCH_COMMAND (`npm run bench -- --help`).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeBenchConfig } from './config';
import { killRunning, runMeasured, rssProbe, type ProcessRun, type RssProbe } from './measure';
import { summarizeOutput } from './output';
import {
  bundleName,
  evaluateTargets,
  renderResultsMarkdown,
  renderSynthPlot,
  type BenchResults,
  type ExampleTiming,
  type ExtraTiming,
  type LambdaResult,
  type Machine,
  type SynthResult,
  type UsualComparison,
} from './report';
import { formatBytes, formatMilliseconds, formatSeconds, median } from './stats';
import { namespacesByModule, rewriteDeepImports } from './usual';
import { measurePlanTime, renderPlanTime } from './plan-time';
import { readZipEntries } from './zip';
import { STANDARD_REGIONS } from '../../lib/aws/regions';
import { flavor, FLAVOR_PACKAGES } from '../../lib/terraform/flavor';
import { MODES, type Mode } from '../../lib/config/schema';
import { noMorePositionals, runCommand, runMain, type CommandSpec } from '../common/command';

export const BENCH_COMMAND: CommandSpec = {
  synopsis: 'npm run bench',
  summary: `Measures synth (10, 100 and 1,000 accounts in both modes), validate, type-checking, start-up and the
Lambda bundles as whole processes, and writes bench/results.md and bench/synth.svg. Takes minutes;
run it on an idle machine. Progress on stderr; the targets met or not on stdout.`,
  options: [],
  notes: `Environment (for working on the harness; the committed results use the defaults):
  BENCH_SIZES=10,100   organization sizes to synthesize (default 10,100,1000)
  BENCH_MODES=invitations
  BENCH_SKIP=example,usual,tsc,launchers,validate,lambda   parts to leave out
  BENCH_OUT=/tmp/x     where results.md and synth.svg go (default bench/)
  BENCH_SOURCE=...     names the sources measured when they are not a git checkout
  BENCH_TFVALIDATE=../shared/tools/tfvalidate.mjs   also measure the plan-time curve (terraform plan of
                       one wave stack against its size, with the offline AWS provider), into
                       plan-time.md: about half an hour more`,
};

const REPO = path.resolve(__dirname, '..', '..');
const NODE = process.execPath;
/** How the app is run: as cdktf.json runs it, the app compiled once (cli/synth/run.cjs). */
const APP_ARGS = ['cli/synth/run.cjs'];
/** The app run straight from its TypeScript sources, as the tests run it. */
const TSX_ARGS = ['--import', 'tsx', 'main.ts'];
const USUAL_MEMBERS = 100;
const USUAL_MODE: Mode = 'organizations';
/** A run slower than this is not repeated: one run of the largest size must leave room for the rest. */
const REPEAT_BELOW_MS = 20_000;
const LAMBDA_LOAD_RUNS = 10;

const started = performance.now();
const skip = new Set((process.env.BENCH_SKIP ?? '').split(',').filter(Boolean));
const sizes = (process.env.BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
const modes = (process.env.BENCH_MODES ? process.env.BENCH_MODES.split(',') : [...MODES]) as Mode[];
const resultsDir = path.resolve(REPO, process.env.BENCH_OUT ?? 'bench');

function progress(message: string): void {
  process.stderr.write(`[${formatSeconds(performance.now() - started).padStart(8)}] ${message}\n`);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
}

function machine(loadBefore: string): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadBefore,
    loadAfter: loadAverage(),
  };
}

async function measured(what: string, command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }, probe: RssProbe): Promise<ProcessRun> {
  const run = await runMeasured(command, args, options, probe);
  if (run.exitCode !== 0) throw new Error(`${what} failed (exit ${run.exitCode}):\n${run.stderr || run.stdout}`);
  return run;
}

/** Repeats a run up to `runs` times, fewer when the first is slow; medians of wall time and RSS. */
async function repeated(what: string, runs: number, once: (index: number) => Promise<ProcessRun>): Promise<{ runs: number; wallMs: number; peakRssBytes: number }> {
  const done: ProcessRun[] = [];
  for (let index = 0; index < runs; index++) {
    const run = await once(index);
    done.push(run);
    progress(`  ${what} run ${index + 1}: ${formatSeconds(run.wallMs)}, ${formatBytes(run.peakRssBytes)}`);
    if (run.wallMs > REPEAT_BELOW_MS) break;
  }
  return { runs: done.length, wallMs: median(done.map((run) => run.wallMs)), peakRssBytes: median(done.map((run) => run.peakRssBytes)) };
}

function synthRun(
  configFile: string,
  outdir: string,
  probe: RssProbe,
  cwd = REPO,
  command = NODE,
  args: readonly string[] = APP_ARGS,
  env: NodeJS.ProcessEnv = {},
): Promise<ProcessRun> {
  rmSync(outdir, { recursive: true, force: true });
  return measured(`synth of ${configFile}`, command, args, { cwd, env: { ORG_CONFIG: configFile, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', ...env } }, probe);
}

const EXAMPLE_RUNS = 5;

/**
 * The shipped configuration, as a user synthesizes it: once on a machine that has no Lambda bundles
 * yet (a temporary folder of its own, so they are built), then with them on disk.
 */
async function benchExample(scratch: string, probe: RssProbe): Promise<ExampleTiming> {
  progress('the shipped example, config/org.json');
  // As on a fresh clone: the app not compiled yet (cli/synth/run.cjs) and no Lambda bundle on disk.
  rmSync(path.join(REPO, '.synth'), { recursive: true, force: true });
  const tmp = path.join(scratch, 'tmp-example');
  mkdirSync(tmp, { recursive: true });
  const outdir = path.join(scratch, 'out-example');
  const configFile = path.join(REPO, 'config', 'org.json');
  const first = await synthRun(configFile, outdir, probe, REPO, NODE, APP_ARGS, { TMPDIR: tmp });
  progress(`  first synth (app compiled, bundles built): ${formatSeconds(first.wallMs)}, ${formatBytes(first.peakRssBytes)}`);
  const warm = await repeated('example', EXAMPLE_RUNS, () => synthRun(configFile, outdir, probe, REPO, NODE, APP_ARGS, { TMPDIR: tmp }));
  return { runs: warm.runs, wallMs: warm.wallMs, peakRssBytes: warm.peakRssBytes, firstWallMs: first.wallMs };
}

/** Reads the synthesized stacks, then times only writing them again with plain JSON.stringify, in a fresh process. */
const FLOOR_SCRIPT = `
const fs = require('node:fs'), path = require('node:path');
const [outdir, dest] = process.argv.slice(1);
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const stacks = Object.entries(manifest.stacks).map(([id, stack]) => [id, JSON.parse(fs.readFileSync(path.join(outdir, stack.synthesizedStackPath), 'utf8'))]);
const start = performance.now();
for (const [id, stack] of stacks) {
  fs.mkdirSync(path.join(dest, 'stacks', id), { recursive: true });
  fs.writeFileSync(path.join(dest, 'stacks', id, 'cdk.tf.json'), JSON.stringify(stack, null, 2));
}
fs.writeFileSync(path.join(dest, 'manifest.json'), JSON.stringify(manifest, null, 2));
console.log(performance.now() - start);
`;

function floorMs(outdir: string, scratch: string, runs: number): number {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const dest = path.join(scratch, `floor-${index}`);
    const result = spawnSync(NODE, ['-e', FLOOR_SCRIPT, outdir, dest], { encoding: 'utf8', maxBuffer: 1024 ** 2 });
    if (result.status !== 0) throw new Error(`floor measurement failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim()));
    rmSync(dest, { recursive: true, force: true });
  }
  return median(times);
}

async function benchSynth(mode: Mode, members: number, scratch: string, probe: RssProbe): Promise<{ result: SynthResult; outdir: string }> {
  const configFile = writeBenchConfig({ mode, members }, path.join(scratch, `config-${mode}-${members}`));
  const outdir = path.join(scratch, `out-${mode}-${members}`);
  progress(`synth: ${members} member accounts x ${STANDARD_REGIONS.length} regions, ${mode}`);
  const timing = await repeated('synth', 3, () => synthRun(configFile, outdir, probe));
  const summary = summarizeOutput(outdir);
  const floor = floorMs(outdir, scratch, 3);
  progress(`  ${summary.resourcesByStack.size} stacks, ${summary.totalResources} resources, largest stack ${summary.largestStack.id} (${summary.largestStack.resources}); floor ${formatMilliseconds(floor)}`);
  return {
    outdir,
    result: {
      mode,
      members,
      regions: STANDARD_REGIONS.length,
      ...timing,
      stacks: summary.resourcesByStack.size,
      totalResources: summary.totalResources,
      largestStack: summary.largestStack,
      outputBytes: summary.jsonBytes,
      floorMs: floor,
    },
  };
}

/** Source folders of the app: everything the app reads at synth, none of the tests or build output. */
const NOT_APP = new Set(['node_modules', '.git', 'cdktf.out', '__tests__', 'bench', 'scripts', 'terraform-state', 'coverage']);

/** A copy of the app with package-root provider imports, in `folder`, sharing node_modules. */
function writeUsualVariant(folder: string): number {
  const namespaces = namespacesByModule(readFileSync(path.join(REPO, 'node_modules', flavor().bindings, 'lib/index.d.ts'), 'utf8'));
  mkdirSync(folder, { recursive: true });
  for (const entry of readdirSync(REPO)) {
    if (NOT_APP.has(entry) || entry.startsWith('.')) continue;
    cpSync(path.join(REPO, entry), path.join(folder, entry), { recursive: true });
  }
  symlinkSync(path.join(REPO, 'node_modules'), path.join(folder, 'node_modules'));
  let rewritten = 0;
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'node_modules') visit(full);
      else if (entry.isFile() && full.endsWith('.ts') && !full.endsWith('.d.ts')) {
        const source = readFileSync(full, 'utf8');
        const usual = rewriteDeepImports(source, namespaces, path.relative(folder, full));
        if (usual !== source) {
          writeFileSync(full, usual);
          rewritten++;
        }
      }
    }
  };
  visit(folder);
  return rewritten;
}

function sameStacks(ours: string, usual: string): boolean {
  const a = summarizeOutput(ours).resourcesByStack;
  const b = summarizeOutput(usual).resourcesByStack;
  return a.size === b.size && [...a].every(([id, count]) => b.get(id) === count);
}

async function benchUsual(scratch: string, probe: RssProbe): Promise<UsualComparison> {
  const folder = path.join(scratch, 'usual-app');
  const files = writeUsualVariant(folder);
  const tsNode = path.join(REPO, 'node_modules/ts-node/dist/bin.js');
  if (!existsSync(tsNode)) throw new Error('ts-node is not installed (npm ci installs it as a devDependency)');
  progress(`usual: ${USUAL_MEMBERS} accounts, ${USUAL_MODE}, ts-node with package-root imports (${files} files rewritten)`);
  const configFile = writeBenchConfig({ mode: USUAL_MODE, members: USUAL_MEMBERS }, path.join(scratch, 'config-usual'));
  const oursOut = path.join(scratch, 'out-usual-ours');
  const usualOut = path.join(scratch, 'out-usual-usual');
  // Side by side, alternating, so a change in the machine's load hits both alike.
  const rootImportOut = path.join(scratch, 'out-usual-root-import');
  const ours: ProcessRun[] = [];
  const usual: ProcessRun[] = [];
  const rootImport: ProcessRun[] = [];
  for (let index = 0; index < 2; index++) {
    const u = await synthRun(configFile, usualOut, probe, folder, NODE, [tsNode, 'main.ts']);
    progress(`  usual run ${index + 1}: ${formatSeconds(u.wallMs)}, ${formatBytes(u.peakRssBytes)}`);
    const r = await synthRun(configFile, rootImportOut, probe, folder, NODE, TSX_ARGS);
    progress(`  root import with tsx run ${index + 1}: ${formatSeconds(r.wallMs)}, ${formatBytes(r.peakRssBytes)}`);
    const o = await synthRun(configFile, oursOut, probe);
    progress(`  ours run ${index + 1}: ${formatSeconds(o.wallMs)}, ${formatBytes(o.peakRssBytes)}`);
    usual.push(u);
    rootImport.push(r);
    ours.push(o);
    if (u.wallMs > 3 * 60_000) break;
  }
  return {
    mode: USUAL_MODE,
    members: USUAL_MEMBERS,
    runs: usual.length,
    oursWallMs: median(ours.map((run) => run.wallMs)),
    oursPeakRssBytes: median(ours.map((run) => run.peakRssBytes)),
    usualWallMs: median(usual.map((run) => run.wallMs)),
    usualPeakRssBytes: median(usual.map((run) => run.peakRssBytes)),
    rootImportWallMs: median(rootImport.map((run) => run.wallMs)),
    rootImportPeakRssBytes: median(rootImport.map((run) => run.peakRssBytes)),
    sameOutput: sameStacks(oursOut, usualOut) && sameStacks(oursOut, rootImportOut),
  };
}

async function benchTypecheck(scratch: string, probe: RssProbe): Promise<ExtraTiming[]> {
  const tsc = path.join(REPO, 'node_modules/typescript/bin/tsc');
  // Build info in the scratch folder: the first run is what a fresh clone (CI) pays, the second what
  // an edit-and-check loop pays.
  const args = [tsc, '--noEmit', '--tsBuildInfoFile', path.join(scratch, 'tsc.tsbuildinfo')];
  progress('tsc --noEmit');
  const cold = await measured('tsc --noEmit', NODE, args, { cwd: REPO }, probe);
  progress(`  cold: ${formatSeconds(cold.wallMs)}`);
  const warm = await measured('tsc --noEmit', NODE, args, { cwd: REPO }, probe);
  progress(`  incremental: ${formatSeconds(warm.wallMs)}`);
  return [
    { what: '`tsc --noEmit`, no build info (fresh clone, CI)', runs: 1, wallMs: cold.wallMs, peakRssBytes: cold.peakRssBytes },
    { what: '`tsc --noEmit`, incremental, nothing changed', runs: 1, wallMs: warm.wallMs, peakRssBytes: warm.peakRssBytes },
  ];
}

async function benchLaunchers(configFile: string, scratch: string, probe: RssProbe): Promise<ExtraTiming[]> {
  progress('launchers: node start-up, the app from its TypeScript sources, and with npx');
  const bare = await repeated('node -e ""', 3, () => measured('node', NODE, ['-e', ''], { cwd: REPO }, probe));
  const tsx = await repeated('node --import tsx main.ts', 3, () => synthRun(configFile, path.join(scratch, 'out-tsx'), probe, REPO, NODE, TSX_ARGS));
  const npx = await repeated('npx tsx main.ts', 3, () => synthRun(configFile, path.join(scratch, 'out-npx'), probe, REPO, 'npx', ['tsx', 'main.ts']));
  return [
    { what: 'node start-up, empty script', ...bare },
    { what: '`node --import tsx main.ts` (from the TypeScript sources, as the tests run it), 10 accounts, organizations', ...tsx, note: 'compare with the first synth row: the difference is tsx' },
    { what: '`npx tsx main.ts` (cdktf.json before cli/synth/run.cjs), 10 accounts, organizations', ...npx, note: 'npx and the tsx command line on top' },
  ];
}

/** Under a second on an idle machine, so it can run on every save or commit. */
const VALIDATE_TARGET_MS = 1000;

/** `npm run validate` on the shipped example, as a person or a pre-commit hook runs it, and the process alone. */
async function benchValidate(probe: RssProbe): Promise<ExtraTiming[]> {
  progress('validate: the shipped example (config/org.json)');
  const env = { ...process.env, ORG_CONFIG: 'config/org.json' };
  const alone = await repeated('node --import tsx cli/validate/main.ts', 5, () => measured('validate', NODE, ['--import', 'tsx', 'cli/validate/main.ts'], { cwd: REPO, env }, probe));
  const npm = await repeated('npm run --silent validate', 5, () => measured('npm run validate', 'npm', ['run', '--silent', 'validate'], { cwd: REPO, env }, probe));
  const verdict = (ms: number) => `target under ${formatSeconds(VALIDATE_TARGET_MS)} on an idle machine: ${ms < VALIDATE_TARGET_MS ? 'met' : 'not met'}`;
  return [
    { what: '`npm run --silent validate`, shipped example', ...npm, note: verdict(npm.wallMs) },
    { what: '`node --import tsx cli/validate/main.ts`, shipped example (without npm)', ...alone, note: verdict(alone.wallMs) },
  ];
}

/** Loads a module in a fresh process and prints how long the load took. */
const LOAD_SCRIPT = `
const file = process.argv[1];
const start = performance.now();
const done = () => console.log(performance.now() - start);
if (file.endsWith('.mjs')) import(require('node:url').pathToFileURL(file).href).then(done);
else { require(file); done(); }
`;

function loadMs(file: string, runs: number): number {
  const times: number[] = [];
  for (let index = 0; index < runs; index++) {
    const result = spawnSync(NODE, ['-e', LOAD_SCRIPT, file], { encoding: 'utf8', cwd: path.dirname(file) });
    if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim()));
  }
  return median(times);
}

function handlerFile(entries: ReadonlyMap<string, Buffer>): string {
  const scripts = [...entries.keys()].filter((name) => /\.(c|m)?js$/.test(name));
  const index = scripts.find((name) => /^index\.(c|m)?js$/.test(name));
  if (index) return index;
  if (scripts.length === 1) return scripts[0];
  throw new Error(`cannot tell the handler module among ${scripts.join(', ') || 'no scripts'}`);
}

function benchLambdas(outdir: string, scratch: string): { lambdas: LambdaResult[]; emptyHandlerLoadMs: number } {
  const zips = summarizeOutput(outdir).zips;
  progress(`Lambda bundles: ${zips.length} zip(s) in the synthesized output`);
  const modules = path.join(scratch, 'lambda');
  mkdirSync(modules, { recursive: true });
  // The Lambda Node runtime provides the AWS SDK v3; a bundle that leaves it out finds it here.
  symlinkSync(path.join(REPO, 'node_modules'), path.join(modules, 'node_modules'));
  const lambdas = zips.map((zip, index) => {
    const bytes = readFileSync(path.join(outdir, zip));
    const entries = readZipEntries(bytes);
    const folder = path.join(modules, String(index));
    for (const [name, content] of entries) {
      mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      writeFileSync(path.join(folder, name), content);
    }
    const load = loadMs(path.join(folder, handlerFile(entries)), LAMBDA_LOAD_RUNS);
    progress(`  ${bundleName(zip)}: ${formatBytes(bytes.length)}, module load ${formatMilliseconds(load)}`);
    return { asset: zip, name: bundleName(zip), zipBytes: statSync(path.join(outdir, zip)).size, runs: LAMBDA_LOAD_RUNS, loadMs: load };
  });
  const empty = path.join(modules, 'empty', 'index.js');
  mkdirSync(path.dirname(empty), { recursive: true });
  writeFileSync(empty, 'exports.handler = async () => ({});\n');
  const emptyHandlerLoadMs = loadMs(empty, LAMBDA_LOAD_RUNS);
  progress(`  empty handler: ${formatMilliseconds(emptyHandlerLoadMs)}`);
  return { lambdas, emptyHandlerLoadMs };
}

/** The commit measured; BENCH_SOURCE names it when the sources are an exported copy without .git. */
function sourceRevision(): string {
  if (process.env.BENCH_SOURCE) return process.env.BENCH_SOURCE;
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown (not a git checkout)';
  const changes = spawnSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).stdout.split('\n').filter(Boolean).length;
  return `commit ${head.stdout.trim()}${changes > 0 ? ` with ${changes} changed or new files on top` : ''}`;
}

/** The flavor measured (lib/terraform/flavor.ts): a copy with `npm run flavor -- use cdktn` runs the same bench on CDK Terrain. */
function flavorMeasured(): string {
  const installed = flavor();
  return `${installed.framework} ${installed.frameworkVersion} with ${installed.bindings} ${installed.bindingsVersion}`;
}

async function main(): Promise<void> {
  const loadBefore = loadAverage();
  const probe = rssProbe();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'gd-bench-'));
  progress(`scratch folder ${scratch}; peak memory by ${probe}; load average ${loadBefore}`);
  const notes: string[] = [
    'Configurations: generated by cli/bench/config.ts into a temporary folder (org.json, a member CSV, list files) and loaded by the real loader; members spread over 3 waves; the 17 standard regions; every feature on (threat list, trusted IP list, a filter, notifications, remediation, simulation, Security Hub, Detective), so every stack exists; organizations mode with `autoEnable: NEW`, so members are enrolled explicitly, wave by wave, as in invitations mode.',
    'Floor: a fresh process that has already read the synthesized stacks writes them again with `JSON.stringify(stack, null, 2)`, stacks and manifest, timed from the first write to the last. synth / floor is what building the construct tree, resolving tokens, validating and bundling cost over writing the output itself.',
    'Usual: ts-node type-checks the whole program as it loads it (its default, and the template\'s), so its time includes checking the provider\'s declarations that the root import pulls in; this app type-checks separately (`tsc --noEmit` row) and runs compiled once with esbuild (cli/synth/run.cjs), which only strips types; its copy made the usual way is run from its sources.',
    `Lambda module load: measured with this machine's Node ${process.version}; the functions are built for the Lambda Node runtime named in modules/remediation-function.ts, on other CPUs, so take it as relative to the empty-handler floor. Loading a minified bundle is mostly V8 compiling it, so it grows with the bundle's unzipped size.`,
    `Repetitions: 3 runs of each synth, 1 when the first run takes more than ${REPEAT_BELOW_MS / 1000} s, to keep the whole benchmark under 10 minutes on 2 cores; ${EXAMPLE_RUNS} runs of the shipped example after its first; ${LAMBDA_LOAD_RUNS} runs of each Lambda module load.`,
    'Lambda bundles: the synths of generated configurations share the machine\'s bundle folder (`<tmpdir>/guardduty-lambda-bundles`), so after the first of them the bundles are on disk and reused, as in everyday use; the shipped example row tells the first synth from the later ones.',
  ];
  try {
    const synth: SynthResult[] = [];
    let smallest: string | undefined;
    for (const members of sizes) {
      for (const mode of modes) {
        const { result, outdir } = await benchSynth(mode, members, scratch, probe);
        synth.push(result);
        if (smallest === undefined) smallest = outdir;
        else rmSync(outdir, { recursive: true, force: true });
      }
    }
    const example = skip.has('example') ? undefined : await benchExample(scratch, probe);
    // The usual variant runs under ts-node, which does not read tsconfig `paths`: it imports `cdktf` as named.
    const usualRuns = !skip.has('usual') && flavor().framework === FLAVOR_PACKAGES[0].framework;
    if (!skip.has('usual') && !usualRuns) progress(`usual variant: left out on ${flavor().framework} (ts-node resolves cdktf only where it is installed)`);
    const usual = usualRuns ? await benchUsual(scratch, probe) : undefined;
    const typecheck = skip.has('tsc') ? [] : await benchTypecheck(scratch, probe);
    const launchers = skip.has('launchers') ? [] : await benchLaunchers(writeBenchConfig({ mode: 'organizations', members: 10 }, path.join(scratch, 'config-launchers')), scratch, probe);
    const validate = skip.has('validate') ? [] : await benchValidate(probe);
    const lambda = skip.has('lambda') || smallest === undefined ? { lambdas: [], emptyHandlerLoadMs: undefined } : benchLambdas(smallest, scratch);
    const tfvalidate = process.env.BENCH_TFVALIDATE;
    if (tfvalidate) {
      progress(`plan time: ${path.resolve(tfvalidate)}`);
      const rows = measurePlanTime(path.resolve(tfvalidate), REPO, scratch, progress);
      mkdirSync(resultsDir, { recursive: true });
      const m = machine(loadBefore);
      writeFileSync(path.join(resultsDir, 'plan-time.md'), renderPlanTime(rows, `${m.date}, ${m.cpu}, ${m.cores} cores, source ${sourceRevision()}`));
    }

    const results: BenchResults = {
      machine: machine(loadBefore),
      command: `node ${APP_ARGS.join(' ')}`,
      source: `${sourceRevision()}, on ${flavorMeasured()}`,
      rssProbe: probe,
      synth,
      example,
      usual,
      extras: [...typecheck, ...launchers, ...validate],
      lambdas: lambda.lambdas,
      emptyHandlerLoadMs: lambda.emptyHandlerLoadMs,
      totalMs: performance.now() - started,
      notes,
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'results.md'), renderResultsMarkdown(results, 'synth.svg'));
    writeFileSync(path.join(resultsDir, 'synth.svg'), renderSynthPlot(synth, `Synth of ${STANDARD_REGIONS.length} regions, medians (${results.machine.date.slice(0, 10)}, ${results.machine.cores} cores)`));
    progress(`wrote ${path.relative(REPO, path.join(resultsDir, 'results.md'))} and synth.svg`);
    for (const outcome of evaluateTargets(results)) console.log(`${outcome.met ? 'MET    ' : 'NOT MET'}  ${outcome.target}: ${outcome.measured}`);
    for (const timing of validate) console.log(`${timing.wallMs < VALIDATE_TARGET_MS ? 'MET    ' : 'NOT MET'}  ${timing.what} under ${formatSeconds(VALIDATE_TARGET_MS)}: ${formatSeconds(timing.wallMs)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) process.once('SIGINT', () => {
  killRunning();
  process.exit(130);
});

if (require.main === module) {
  runMain((argv, io) =>
    runCommand(BENCH_COMMAND, argv, io, async (args) => {
      noMorePositionals(args);
      await main();
      return 0;
    }),
  );
}

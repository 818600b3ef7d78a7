import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFileFromEnv, loadConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/problems';
import { planStacks, type StackPlan } from '../../lib/plan/stacks';
import { removeSynthOutput } from '../../lib/terraform/synth-output';
import { renderReview, REVIEW_FILE, sinceSection } from '../review/review';
import { buildApp } from '../../stacks/app';
import { choice, commandConfig, CommandFailure, noMorePositionals, positiveInteger, runCommand, runMain, UsageError, type CommandIo, type CommandSpec } from '../common/command';
import { readSynthesized, resourceCounts, stateLocation, type SynthesizedApp } from '../common/synthesized';
import { deployRollout, destroyRollout, formatRollout, manifestDisagreements, OUTPUT_DIR, type CommandOptions, type Rollout, type StackCounts } from './rollout';
import { prepareSince, sinceRollout, TARGETS_FILE, withPrepared, type PreviousSynth } from './since';

/**
 * Where `rollout plan --since` writes the synth it measures, beside `cdktf.out` (so that local state
 * paths read the same), and which every command it prints applies: `npm run synth` rewrites cdktf.out,
 * this folder only the next `rollout plan --since` does.
 */
export const ROLLOUT_DIR = 'cdktf.out.rollout';

export const ROLLOUT_COMMAND: CommandSpec = {
  synopsis: 'npm run --silent rollout -- <plan|destroy-plan> [options]',
  summary: `plan          deploy order: steps of stacks and the commands of each step
destroy-plan  retirement order: the same steps reversed, with cdktf destroy commands`,
  options: [
    { name: '--json', description: 'machine-readable output for pipelines' },
    { name: '--parallelism', value: 'N', description: 'how many stacks of a step cdktf runs at once (cdktf --parallelism)' },
    { name: '--skip-synth', description: 'add --skip-synth to the commands (deploy what cdktf.out already holds)' },
    {
      name: '--since',
      value: 'PREVIOUS',
      description: `plan only: order the steps for what changed since PREVIOUS, a synthesized output
folder (the one last deployed) or a git commit (its configuration is synthesized into
${OUTPUT_DIR}/previous); removals go first, in retirement order; writes the synth it measured into
${ROLLOUT_DIR}, which every printed command applies`,
    },
  ],
  notes: `The configuration is ORG_CONFIG or config/org.json, as for cdktf synth. Output on stdout; exit codes:
0 printed; 1 a configuration problem, or the plan and cdktf disagree; 2 a wrong command line.`,
};

type Command = 'plan' | 'destroy-plan';

export function runRollout(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand(ROLLOUT_COMMAND, argv, io, (args) => {
    const command: Command = choice('command', args.positionals[0], ['plan', 'destroy-plan'] as const);
    noMorePositionals(args, 1);
    const since = args.options['--since'] as string | undefined;
    if (since !== undefined && command !== 'plan') throw new UsageError('--since goes with plan only: a retirement destroys everything');
    const parallelism = args.options['--parallelism'] as string | undefined;
    const options: CommandOptions = {
      ...(parallelism !== undefined ? { parallelism: positiveInteger('--parallelism', parallelism) } : {}),
      ...(args.options['--skip-synth'] ? { skipSynth: true } : {}),
    };

    const config = commandConfig(io);
    const plan = planStacks(config);
    const rollout = since !== undefined ? planSince(config, plan, since, io.env, options) : planWhole(config, plan, command, options);
    io.stdout.write(`${args.options['--json'] ? JSON.stringify(rollout, null, 2) : formatRollout(rollout)}\n`);
    return 0;
  });
}

/** The synth's stacks and cdktf's dependencies must agree with the plan the steps are made from. */
function checkManifest(plan: StackPlan, synthesized: SynthesizedApp): void {
  const disagreements = manifestDisagreements(plan, synthesized.manifest);
  if (disagreements.length > 0) {
    throw new CommandFailure(`the stack plan and cdktf's manifest.json disagree:\n${disagreements.map((line) => `  - ${line}`).join('\n')}`);
  }
}

/**
 * The plain deploy or retirement order, counted from a synth of its own beside cdktf.out (so that
 * local state paths read the same). With `--skip-synth` the commands apply cdktf.out as it is, so it
 * must be, byte for byte, the synth the plan was measured on.
 */
function planWhole(config: OrgConfig, plan: StackPlan, command: Command, options: CommandOptions): Rollout {
  const outdir = mkdtempSync(path.join(process.cwd(), '.rollout-measure-'));
  try {
    buildApp(config, { outdir, plan }).synth();
    const synthesized = readSynthesized(outdir);
    checkManifest(plan, synthesized);
    if (options.skipSynth) {
      const differences = folderDifferences(outdir, OUTPUT_DIR, synthesized);
      if (differences.length > 0) {
        throw new CommandFailure(
          `--skip-synth: the commands would apply ${OUTPUT_DIR} as it is, but it is not the synth of ${config.configFile}:\n${differences.map((line) => `  - ${line}`).join('\n')}\n` +
            `Synthesize it first (npm run synth, with this ORG_CONFIG), or leave out --skip-synth.`,
        );
      }
    }
    const counts = new Map<string, StackCounts>([...synthesized.stacks].map(([id, stack]) => [id, resourceCounts(stack)]));
    const states = new Map([...synthesized.stacks].map(([id, stack]) => [id, stateLocation(synthesized, id, stack, config.baseDir)]));
    const make = command === 'plan' ? deployRollout : destroyRollout;
    return make(config, plan, { counts, manifest: synthesized.manifest, states }, options);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * `--since`: synthesizes into the rollout's own folder, writes the cross-state moves and the retired
 * stacks there, measures that folder against the previous synth, and checks that what is on disk is
 * still, byte for byte, what was measured before printing commands that apply it.
 */
export function planSince(config: OrgConfig, plan: StackPlan, since: string, env: NodeJS.ProcessEnv, options: CommandOptions, into: string = ROLLOUT_DIR): Rollout {
  const previous = previousSynth(since, env);
  const folder = path.resolve(into);
  removeSynthOutput(folder);
  for (const id of existsSync(path.join(folder, 'stacks')) ? readdirNames(path.join(folder, 'stacks')) : []) rmSync(path.join(folder, 'stacks', id, TARGETS_FILE), { force: true });
  buildApp(config, { outdir: folder, plan }).synth();
  const synthesized = readSynthesized(folder);
  checkManifest(plan, synthesized);
  const prepared = prepareSince(previous.app, synthesized, (id) => path.join(folder, 'stacks', id));
  const written = new Map<string, string>();
  const write = (relative: string, text: string) => {
    const file = path.join(folder, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.set(relative, text);
  };
  for (const [id, json] of [...prepared.changed, ...prepared.retired]) write(path.join('stacks', id, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  const rollout = sinceRollout(config, plan, { app: withPrepared(synthesized, prepared), outputDir: into, retired: prepared.retired, moves: prepared.moves }, previous, options);
  for (const command of rollout.steps.flatMap((step) => step.commands)) {
    if (command.targets) write(path.relative(into, command.targets.file), `${command.targets.arguments.join('\n')}\n`);
  }
  // What a reviewer reads beside the plans: the review of the synth as measured, and what changes since PREVIOUS.
  write(REVIEW_FILE, `${renderReview(config, withPrepared(synthesized, prepared))}\n${sinceSection(rollout)}`);
  const measured = [...synthesized.stacks.keys()].map((id) => path.join('stacks', id, 'cdk.tf.json')).filter((file) => !written.has(file));
  for (const file of ['manifest.json', ...measured]) written.set(file, readFileSync(path.join(folder, file), 'utf8'));
  const changed = [...written].filter(([file, text]) => !existsSync(path.join(folder, file)) || readFileSync(path.join(folder, file), 'utf8') !== text).map(([file]) => file);
  if (changed.length > 0) throw new CommandFailure(`${into} changed while it was measured (${changed.slice(0, 5).join(', ')}): run the command again, one at a time`);
  return { ...rollout, fingerprint: fingerprint(written) };
}

/** SHA-256 over every file the rollout measured, by name: a pipeline compares it before each step. */
function fingerprint(files: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256');
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) hash.update(`${file}\0${text}\0`);
  return hash.digest('hex');
}

function readdirNames(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** What differs between the measured synth and a folder the commands would apply: missing, changed or extra stacks. */
function folderDifferences(measured: string, folder: string, synthesized: SynthesizedApp): string[] {
  if (!existsSync(path.join(folder, 'manifest.json'))) return [`${folder}/manifest.json is missing`];
  const differences: string[] = [];
  const same = (file: string) => existsSync(path.join(folder, file)) && readFileSync(path.join(folder, file)).equals(readFileSync(path.join(measured, file)));
  const theirs = readSynthesized(folder);
  for (const id of theirs.stacks.keys()) if (!synthesized.stacks.has(id)) differences.push(`stack ${id}: in ${folder} only`);
  for (const [id, entry] of Object.entries(synthesized.manifest.stacks)) {
    if (!same(entry.synthesizedStackPath)) differences.push(`stack ${id}: ${theirs.stacks.has(id) ? 'differs' : 'missing'}`);
  }
  if (differences.length === 0 && !same('manifest.json')) differences.push('manifest.json differs');
  return differences;
}

/**
 * The synth to compare with: a synthesized output folder as it is, or the configuration of a git
 * commit synthesized here, with the current code, into `cdktf.out/previous` (so a pipeline's later
 * jobs find it with the rest of the output; a synth leaves it alone: it removes only the manifest,
 * review.md and the stacks' configurations under `cdktf.out/stacks`, lib/terraform/synth-output.ts).
 */
function previousSynth(since: string, env: NodeJS.ProcessEnv): PreviousSynth {
  const folder = path.resolve(since);
  if (existsSync(folder) && statSync(folder).isDirectory()) {
    if (!existsSync(path.join(folder, 'manifest.json'))) throw new UsageError(`--since ${since}: no manifest.json in that folder; give a synthesized output (cdktf.out of the last deploy) or a git commit`);
    if (existsSync(OUTPUT_DIR) && realpathSync(folder) === realpathSync(OUTPUT_DIR)) {
      throw new UsageError(`--since ${since}: that is the output npm run synth empties and rewrites (removed stacks lose their configuration); copy it first (cp -r ${OUTPUT_DIR} ${OUTPUT_DIR}.previous) and pass the copy`);
    }
    if (existsSync(ROLLOUT_DIR) && realpathSync(folder) === realpathSync(ROLLOUT_DIR)) {
      throw new UsageError(`--since ${since}: that is the folder this command writes; copy it first (cp -r ${ROLLOUT_DIR} ${OUTPUT_DIR}.previous) and pass the copy`);
    }
    return { label: since, app: readSynthesized(folder), outputDir: path.relative(process.cwd(), folder) || '.' };
  }
  const commit = git(['rev-parse', '--verify', '--quiet', `${since}^{commit}`]);
  if (commit.status !== 0) throw new UsageError(`--since ${since}: neither a synthesized output folder nor a git commit`);
  return synthesizeCommit(since, commit.stdout.trim(), env);
}

function synthesizeCommit(label: string, commit: string, env: NodeJS.ProcessEnv): PreviousSynth {
  const top = git(['rev-parse', '--show-toplevel']).stdout.trim();
  const configFile = path.resolve(configFileFromEnv(env));
  const inRepository = path.relative(top, configFile);
  if (inRepository.startsWith('..') || path.isAbsolute(inRepository)) {
    throw new CommandFailure(`--since ${label}: the configuration ${configFile} is outside the repository, so no commit holds an earlier version of it`);
  }
  const tree = mkdtempSync(path.join(tmpdir(), 'gd-since-'));
  try {
    const archive = spawnSync('git', ['archive', '--format=tar', commit], { cwd: top, maxBuffer: 1024 ** 3 });
    if (archive.status !== 0) throw new CommandFailure(`--since ${label}: git archive failed: ${archive.stderr.toString().trim()}`);
    const untar = spawnSync('tar', ['-x', '-C', tree], { input: archive.stdout });
    if (untar.status !== 0) throw new CommandFailure(`--since ${label}: unpacking the commit failed: ${untar.stderr.toString().trim()}`);
    const cwd = path.join(tree, path.relative(top, process.cwd()));
    let previous: OrgConfig;
    try {
      previous = loadConfig(path.join(tree, inRepository), { cwd });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      throw new CommandFailure(`--since ${label}: the configuration at that commit does not load:\n${error.message}`);
    }
    // Read from the commit's files, deployed from here: state paths lead to this project's states.
    const config: OrgConfig = { ...previous, baseDir: path.join(process.cwd(), path.relative(cwd, previous.baseDir)) };
    const plan: StackPlan = planStacks(config);
    const outputDir = path.posix.join(OUTPUT_DIR, 'previous');
    rmSync(outputDir, { recursive: true, force: true });
    mkdirSync(outputDir, { recursive: true });
    buildApp(config, { outdir: path.resolve(outputDir), plan }).synth();
    const app: SynthesizedApp = readSynthesized(path.resolve(outputDir));
    return { label: `${label} (${commit.slice(0, 12)})`, app, outputDir, plan };
  } finally {
    rmSync(tree, { recursive: true, force: true });
  }
}

function git(args: readonly string[]) {
  return spawnSync('git', args, { encoding: 'utf8' });
}

/**
 * The steps of `rollout plan --since PREVIOUS` for another command (`verify --step N --since`): measured
 * in a folder of its own beside cdktf.out, removed again, so that the rollout's folder, which a
 * pipeline may be applying, is left as it is.
 */
export function sinceSteps(config: OrgConfig, plan: StackPlan, since: string, env: NodeJS.ProcessEnv): Rollout {
  const folder = mkdtempSync(path.join(process.cwd(), '.rollout-measure-'));
  try {
    return planSince(config, plan, since, env, {}, path.relative(process.cwd(), folder));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (require.main === module) runMain(runRollout);

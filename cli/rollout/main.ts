import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFileFromEnv, loadConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/problems';
import { planStacks, type StackPlan } from '../../lib/plan/stacks';
import { buildApp } from '../../stacks/app';
import { choice, commandConfig, CommandFailure, noMorePositionals, positiveInteger, runCommand, runMain, UsageError, type CommandIo, type CommandSpec } from '../common/command';
import { readSynthesized, resourceCounts, stateLocation, type SynthesizedApp } from '../common/synthesized';
import { deployRollout, destroyRollout, formatRollout, manifestDisagreements, OUTPUT_DIR, type CommandOptions, type StackCounts } from './rollout';
import { sinceRollout, type PreviousSynth } from './since';

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
${OUTPUT_DIR}/previous); removals go first, in retirement order`,
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
    // Counted from a real synth, so the numbers are what Terraform will be asked to manage.
    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-rollout-'));
    try {
      buildApp(config, { outdir, plan }).synth();
      const synthesized = readSynthesized(outdir);
      const disagreements = manifestDisagreements(plan, synthesized.manifest);
      if (disagreements.length > 0) {
        throw new CommandFailure(`the stack plan and cdktf's manifest.json disagree:\n${disagreements.map((line) => `  - ${line}`).join('\n')}`);
      }
      let rollout;
      if (since !== undefined) {
        const previous = previousSynth(since, io.env);
        rollout = sinceRollout(config, plan, { app: synthesized, outputDir: OUTPUT_DIR }, previous, options);
      } else {
        const counts = new Map<string, StackCounts>([...synthesized.stacks].map(([id, stack]) => [id, resourceCounts(stack)]));
        const states = new Map([...synthesized.stacks].map(([id, stack]) => [id, stateLocation(synthesized, id, stack, config.baseDir)]));
        const make = command === 'plan' ? deployRollout : destroyRollout;
        rollout = make(config, plan, { counts, manifest: synthesized.manifest, states }, options);
      }
      io.stdout.write(`${args.options['--json'] ? JSON.stringify(rollout, null, 2) : formatRollout(rollout)}\n`);
      return 0;
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
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

if (require.main === module) runMain(runRollout);

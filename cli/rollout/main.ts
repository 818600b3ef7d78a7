import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFileFromEnv, loadConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/problems';
import { planStacks } from '../../lib/plan';
import { deployRollout, destroyRollout, formatRollout, manifestDisagreements, type CommandOptions, type StackCounts } from './rollout';
import { readSynthesized, resourceCounts, stateLocation } from '../common/synthesized';
import { buildApp } from '../../stacks/app';

const USAGE = `usage: npm run rollout -- <plan|destroy-plan> [--json] [--parallelism N] [--skip-synth]

  plan          deploy order: steps of stacks and the cdktf deploy command of each step
  destroy-plan  retirement order: the same steps reversed, with cdktf destroy commands
  --json        machine-readable output for pipelines
  --parallelism how many stacks of a step cdktf runs at once (cdktf --parallelism)
  --skip-synth  add --skip-synth to the commands (deploy what cdktf.out already holds)

The configuration is ORG_CONFIG or config/org.json, as for cdktf synth.`;

export interface Io {
  readonly env: NodeJS.ProcessEnv;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

interface Arguments {
  readonly command: 'plan' | 'destroy-plan';
  readonly json: boolean;
  readonly options: CommandOptions;
}

function parseArguments(argv: readonly string[]): Arguments | string {
  const [command, ...rest] = argv;
  if (command !== 'plan' && command !== 'destroy-plan') return command === undefined ? 'missing command' : `unknown command ${JSON.stringify(command)}`;
  let json = false;
  let skipSynth = false;
  let parallelism: number | undefined;
  for (let index = 0; index < rest.length; index++) {
    const argument = rest[index];
    if (argument === '--json') json = true;
    else if (argument === '--skip-synth') skipSynth = true;
    else if (argument === '--parallelism') {
      const value = Number(rest[++index]);
      if (!Number.isInteger(value) || value < 1) return `--parallelism needs a positive whole number; got ${JSON.stringify(rest[index])}`;
      parallelism = value;
    } else return `unknown option ${JSON.stringify(argument)}`;
  }
  return { command, json, options: { ...(parallelism ? { parallelism } : {}), ...(skipSynth ? { skipSynth } : {}) } };
}

/** Runs the command; returns the exit code. */
export function runRollout(argv: readonly string[], io: Io): number {
  const args = parseArguments(argv);
  if (typeof args === 'string') {
    io.err(`${args}\n\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig(configFileFromEnv(io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(error.message);
    return 1;
  }
  const plan = planStacks(config);
  // Counted from a real synth, so the numbers are what Terraform will be asked to manage.
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-rollout-'));
  try {
    buildApp(config, { outdir, plan }).synth();
    const synthesized = readSynthesized(outdir);
    const disagreements = manifestDisagreements(plan, synthesized.manifest);
    if (disagreements.length > 0) {
      io.err(`the stack plan and cdktf's manifest.json disagree:\n${disagreements.map((line) => `  - ${line}`).join('\n')}`);
      return 1;
    }
    const counts = new Map<string, StackCounts>([...synthesized.stacks].map(([id, stack]) => [id, resourceCounts(stack)]));
    const states = new Map([...synthesized.stacks].map(([id, stack]) => [id, stateLocation(synthesized, id, stack, config.baseDir)]));
    const make = args.command === 'plan' ? deployRollout : destroyRollout;
    const rollout = make(config, plan, { counts, manifest: synthesized.manifest, states }, args.options);
    io.out(args.json ? JSON.stringify(rollout, null, 2) : formatRollout(rollout));
    return 0;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.exitCode = runRollout(process.argv.slice(2), {
    env: process.env,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}

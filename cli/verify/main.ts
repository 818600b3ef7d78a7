import { STSClient } from '@aws-sdk/client-sts';
import type { OrgConfig } from '../../lib/config/load';
import { planStacks, type StackPlan } from '../../lib/plan/stacks';
import { sinceSteps } from '../rollout/main';
import { assumeRoleClients, type AccountClients } from '../common/clients';
import { commandConfig, CommandFailure, noMorePositionals, positiveInteger, runCommand, runMain, UsageError, type CommandIo, type CommandSpec, type ParsedArguments } from '../common/command';
import { ConfigError, formatProblem } from '../../lib/problems';
import { callerIdentity, credentialsFailure } from '../common/credentials';
import { createProgress } from '../common/progress';
import type { RetryOptions } from '../common/retry';
import type { StackJson } from '../common/synthesized';
import { exitCode, formatReport } from './report';
import { selectStacks, synthesizeStacks, verify } from './verify';

export const VERIFY_COMMAND: CommandSpec = {
  synopsis: 'npm run --silent verify -- [options]',
  summary: `Compares the live organization with the configuration, read-only, in every configured region:
delegation and organization configuration, the admin detectors, members and their protection plans,
threat lists and filters, the findings export, the EventBridge rules and Lambda functions of the
stacks, Security Hub and Detective when they are on. The report on stdout, progress on stderr.`,
  options: [
    { name: '--step', value: 'N', description: 'only what deploy step N deploys (npm run rollout -- plan lists the steps)' },
    {
      name: '--since',
      value: 'PREVIOUS',
      description: `with --step: number the steps as npm run rollout -- plan --since PREVIOUS does (a
synthesized output folder or a git commit), the plan a day-2 change is deployed by`,
    },
    { name: '--stacks', value: 'ID,ID', description: 'only these stacks (with --step: those of the step)' },
    { name: '--json', description: 'the report as JSON on stdout (rows, summary, exit code)' },
    { name: '--all', description: 'show OK rows too (default: only the rows that are not OK, and a count per check)' },
    { name: '--concurrency', value: 'N', description: 'how many reads run at once (default 8)' },
    {
      name: '--role',
      value: 'NAME',
      description: `assume this role in every account, the management account included (a read-only
role, see examples/iam); default roleName, and managementRoleName in the management account`,
    },
  ],
  notes: `The configuration is ORG_CONFIG or config/org.json. Exit codes: 0 everything conforms; 1 a difference;
2 something could not be read (credentials, access denied, a region not enabled), a configuration
problem, or a wrong command line.`,
  failureExitCode: 2,
};

export interface VerifyIo extends CommandIo {
  /** @default a role assumed in each account */
  readonly clients?: (config: OrgConfig, roleName: string | undefined) => AccountClients;
  /** Who the pipeline's credentials are; throws without usable credentials. @default STS GetCallerIdentity */
  readonly identity?: (config: OrgConfig) => Promise<string>;
  /** @default the chosen stacks synthesized into a temporary folder */
  readonly synthesize?: typeof synthesizeStacks;
  readonly retry?: RetryOptions;
}

/**
 * Runs the command; returns the exit code. With `--json`, stdout holds one JSON document whatever
 * happens: the report, or `{ error, problems?, exitCode }` when verify could not start (a wrong
 * command line, a configuration problem, no credentials), so a pipeline that parses it always can.
 */
export async function runVerify(argv: readonly string[], io: VerifyIo): Promise<number> {
  const end = argv.indexOf('--');
  if (!(end === -1 ? argv : argv.slice(0, end)).includes('--json')) return verifyCommand(argv, io);
  let reported = false;
  const said: string[] = [];
  let failure: unknown;
  const watched: VerifyIo = {
    ...io,
    stdout: { isTTY: io.stdout.isTTY, columns: io.stdout.columns, write: (text: string) => ((reported = true), io.stdout.write(text)) },
    stderr: { isTTY: io.stderr.isTTY, columns: io.stderr.columns, write: (text: string) => (said.push(text), io.stderr.write(text)) },
  };
  const notStarted = (code: number) => {
    // The first paragraph of what was said on stderr, without progress lines and the configuration's
    // name (the document is about the configuration): the usage text is not the reason.
    const reason = said.join('').split('\n').filter((line) => !line.startsWith('verify: ') && !line.startsWith('configuration: ')).join('\n').split('\n\n')[0].trim();
    const problems = failure instanceof ConfigError ? { problems: failure.problems.map(formatProblem) } : {};
    io.stdout.write(`${JSON.stringify({ error: reason, ...problems, exitCode: code }, null, 2)}\n`);
  };
  let code: number;
  try {
    code = await verifyCommand(argv, watched, (error) => (failure = error));
  } catch (error) {
    said.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    if (!reported) notStarted(VERIFY_COMMAND.failureExitCode ?? 2);
    throw error;
  }
  if (!reported) notStarted(code);
  return code;
}

function verifyCommand(argv: readonly string[], io: VerifyIo, failed: (error: unknown) => void = () => undefined): Promise<number> {
  return runCommand(VERIFY_COMMAND, argv, io, (args) => verifyWith(args, io).catch((error: unknown) => {
    failed(error);
    throw error;
  }));
}

async function verifyWith(args: ParsedArguments, io: VerifyIo): Promise<number> {
  noMorePositionals(args);
  const option = (name: string) => args.options[name] as string | undefined;
  const step = option('--step') === undefined ? undefined : positiveInteger('--step', option('--step') as string);
  const concurrency = option('--concurrency') === undefined ? 8 : positiveInteger('--concurrency', option('--concurrency') as string);
  const stackList = option('--stacks')?.split(',').filter(Boolean);
  if (stackList !== undefined && stackList.length === 0) throw new UsageError('option --stacks needs stack ids separated by commas');
  const role = option('--role');
  if (role !== undefined && !/^[\w+=,.@-]{1,64}$/.test(role)) throw new UsageError(`option --role needs an IAM role name; got ${JSON.stringify(role)}`);

  const since = option('--since');
  if (since !== undefined && step === undefined) throw new UsageError('--since goes with --step: it numbers the steps as the --since rollout does');
  const config = commandConfig(io);
  const plan = planStacks(config);
  const stacks = selectStacks(plan, since === undefined ? { ...(step !== undefined ? { step } : {}), ...(stackList ? { stacks: stackList } : {}) } : { stacks: sinceStepStacks(config, plan, since, step as number, stackList, io.env) });
  if (typeof stacks === 'string') throw new CommandFailure(stacks);
  // Before anything slow: without usable credentials every read would fail, one by one.
  const identity = io.identity ?? ((own: OrgConfig) => callerIdentity(new STSClient({ region: own.homeRegion })));
  const who = await identity(config).catch((error: unknown) => {
    throw credentialsFailure(error);
  });
  io.stderr.write(`verify: reading as ${who}\n`);
  const synthesized: Map<string, StackJson> = (io.synthesize ?? synthesizeStacks)(config, plan, stacks.map((stack) => stack.id));
  const clients = io.clients ? io.clients(config, role) : assumeRoleClients(config, { command: 'verify', roleName: role });
  const report = await verify(config, stacks, synthesized, clients, {
    concurrency,
    progress: createProgress(io.stderr, io.env, 'verify'),
    retry: io.retry,
    ...(step !== undefined ? { step } : {}),
  });
  const code = exitCode(report.summary);
  io.stdout.write(args.options['--json'] ? `${JSON.stringify({ ...report, exitCode: code }, null, 2)}\n` : `${formatReport(report, { all: Boolean(args.options['--all']) })}\n`);
  return code;
}

/**
 * The stacks of step `step` of `rollout plan --since PREVIOUS` that the configuration still has (a
 * stack the step retires is gone: nothing of it to read), with `--stacks` those of them.
 */
function sinceStepStacks(config: OrgConfig, plan: StackPlan, since: string, step: number, only: readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const rollout = sinceSteps(config, plan, since, env);
  const chosen = rollout.steps.find((candidate) => candidate.step === step);
  if (!chosen) throw new CommandFailure(`--step ${step}: the rollout since ${since} has steps 1 to ${rollout.steps.length}`);
  const planned = new Set(plan.stacks.map((stack) => stack.id));
  const ids = chosen.stacks.map((stack) => stack.id).filter((id) => planned.has(id) && (only === undefined || only.includes(id)));
  if (ids.length === 0) {
    throw new CommandFailure(
      only === undefined
        ? `--step ${step} of the rollout since ${since} only retires stacks the configuration no longer has (${chosen.stacks.map((stack) => stack.id).join(', ')}): nothing of it is left to verify`
        : `--stacks ${only.join(',')} and --step ${step} of the rollout since ${since} have no stack in common`,
    );
  }
  return ids;
}

if (require.main === module) runMain(runVerify, VERIFY_COMMAND);

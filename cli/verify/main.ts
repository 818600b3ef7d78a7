import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { configFileFromEnv, loadConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/problems';
import { planStacks } from '../../lib/plan';
import { errorText } from '../common/aws-errors';
import { assumeRoleClients, type AccountClients } from '../common/clients';
import { createProgress, type ProgressStream } from '../common/progress';
import type { RetryOptions } from '../common/retry';
import type { StackJson } from '../common/synthesized';
import { exitCode, formatReport } from './report';
import { selectStacks, synthesizeStacks, verify, type Selection } from './verify';

const USAGE = `usage: npm run verify -- [--step N | --stacks ID,ID] [--json] [--all] [--concurrency N] [--role NAME]

Compares the live organization with the configuration (ORG_CONFIG or config/org.json), read-only, in
every configured region: delegation and organization configuration, the admin detectors, members and
their protection plans, threat lists and filters, the findings export, the EventBridge rules and
Lambda functions of the stacks, Security Hub and Detective when they are on.

  --step N          only what rollout step N deploys (npm run rollout -- plan lists the steps)
  --stacks ID,ID    only these stacks (with --step: those of the step)
  --json            the report as JSON on stdout (rows, summary, exit code)
  --all             show OK rows too (default: only the rows that are not OK, and a count per check)
  --concurrency N   how many reads run at once (default 8)
  --role NAME       assume this role in every account, the management account included (a read-only
                    role, see examples/iam/verify-read-only.json); default roleName/managementRoleName
  -h, --help        this text

Exit status: 0 everything conforms, 1 a difference, 2 something could not be read (credentials, access
denied, a region not enabled) or bad usage.`;

export interface VerifyIo {
  readonly env: NodeJS.ProcessEnv;
  /** The report (text or JSON). */
  readonly stdout: (text: string) => void;
  /** Progress and diagnostics. */
  readonly stderr: ProgressStream;
  /** @default a role assumed in each account */
  readonly clients?: (config: OrgConfig, roleName: string | undefined) => AccountClients;
  /** Who the pipeline's credentials are; throws without usable credentials. @default STS GetCallerIdentity */
  readonly identity?: (config: OrgConfig) => Promise<string>;
  /** @default the chosen stacks synthesized into a temporary folder */
  readonly synthesize?: typeof synthesizeStacks;
  readonly retry?: RetryOptions;
}

interface Arguments extends Selection {
  readonly json: boolean;
  readonly all: boolean;
  readonly concurrency: number;
  readonly role?: string;
}

function parseArguments(argv: readonly string[]): Arguments | 'help' | string {
  let json = false;
  let all = false;
  let concurrency = 8;
  let step: number | undefined;
  let stacks: string[] | undefined;
  let role: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = argv[index + 1];
    if (argument === '-h' || argument === '--help') return 'help';
    else if (argument === '--json') json = true;
    else if (argument === '--all') all = true;
    else if (argument === '--step' || argument === '--concurrency') {
      if (!/^[1-9]\d*$/.test(value ?? '')) return `${argument} needs a positive whole number; got ${JSON.stringify(value)}`;
      if (argument === '--step') step = Number(value);
      else concurrency = Number(value);
      index++;
    } else if (argument === '--stacks') {
      if (!value || value.startsWith('-')) return `--stacks needs stack ids separated by commas; got ${JSON.stringify(value)}`;
      stacks = value.split(',').filter(Boolean);
      index++;
    } else if (argument === '--role') {
      if (!/^[\w+=,.@-]{1,64}$/.test(value ?? '')) return `--role needs an IAM role name; got ${JSON.stringify(value)}`;
      role = value;
      index++;
    } else return `unknown option ${JSON.stringify(argument)}`;
  }
  return { json, all, concurrency, ...(step !== undefined ? { step } : {}), ...(stacks ? { stacks } : {}), ...(role ? { role } : {}) };
}

async function callerIdentity(config: OrgConfig): Promise<string> {
  const sts = new STSClient({ region: config.homeRegion });
  const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
  return Arn ?? 'unknown';
}

/** Runs the command; returns the exit code. */
export async function runVerify(argv: readonly string[], io: VerifyIo): Promise<number> {
  const args = parseArguments(argv);
  if (args === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (typeof args === 'string') {
    io.stderr.write(`${args}\n\n${USAGE}\n`);
    return 2;
  }
  let config: OrgConfig;
  try {
    config = loadConfig(configFileFromEnv(io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  const plan = planStacks(config);
  const stacks = selectStacks(plan, args);
  if (typeof stacks === 'string') {
    io.stderr.write(`${stacks}\n`);
    return 2;
  }
  // Before anything slow: without usable credentials every read would fail, one by one.
  try {
    const who = await (io.identity ?? callerIdentity)(config);
    io.stderr.write(`verify: reading as ${who}\n`);
  } catch (error) {
    io.stderr.write(`verify: no usable AWS credentials (${errorText(error)}); run it with the pipeline's credentials, as for cdktf deploy\n`);
    return 2;
  }
  const synthesized: Map<string, StackJson> = (io.synthesize ?? synthesizeStacks)(config, plan, stacks.map((stack) => stack.id));
  const clients = io.clients ? io.clients(config, args.role) : assumeRoleClients(config, { command: 'verify', roleName: args.role });
  const report = await verify(config, stacks, synthesized, clients, {
    concurrency: args.concurrency,
    progress: createProgress(io.stderr, io.env, 'verify'),
    retry: io.retry,
    ...(args.step !== undefined ? { step: args.step } : {}),
  });
  const code = exitCode(report.summary);
  io.stdout(args.json ? `${JSON.stringify({ ...report, exitCode: code }, null, 2)}\n` : `${formatReport(report, { all: args.all })}\n`);
  return code;
}

if (require.main === module) {
  runVerify(process.argv.slice(2), { env: process.env, stdout: (text) => process.stdout.write(text), stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 2;
    },
  );
}

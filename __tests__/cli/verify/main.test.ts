import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { StackJson } from '../../../cli/common/synthesized';
import { usageText } from '../../../cli/common/command';
import { sinceSteps } from '../../../cli/rollout/main';
import { runVerify, VERIFY_COMMAND } from '../../../cli/verify/main';
import { buildApp } from '../../../stacks/app';
import { synthesizeStacks } from '../../../cli/verify/verify';
import { parseConfig } from '../../../lib/config/load';
import { planStacks } from '../../../lib/plan/stacks';
import { iamActionOf, sdkCalls } from '../../helpers/aws-calls';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';
import { awsError, conforming, FakeOrganization, type World } from '../../../cli/verify/fake-organization';

const ADMIN = '222222222222';
const SANDBOX = '333333333333';
const MEMBER = '444444444444';

/** The example with every service on, as a file (ORG_CONFIG), synthesized once for all tests. */
const data: Record<string, any> = { ...exampleData(), securityHub: { enabled: true, standards: ['aws-foundational-security-best-practices/v/1.0.0'] }, detective: { enabled: true } };
let file: string;
let synthesized: Map<string, StackJson>;

beforeAll(() => {
  file = writeExample(mkdtempSync(path.join(tmpdir(), 'gd-verify-cli-')), data);
  const config = parseConfig(data, { file, cwd: REPO_ROOT });
  const plan = planStacks(config);
  synthesized = synthesizeStacks(config, plan, plan.stacks.map((stack) => stack.id));
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Whether stderr began with the configuration's name. */
  readonly named: boolean;
  readonly world: World;
  readonly roles: (string | undefined)[];
}

async function run(argv: string[], change: (world: World) => void = () => undefined, identity?: () => Promise<string>): Promise<Run> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const roles: (string | undefined)[] = [];
  let world: World | undefined;
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = await runVerify(argv, {
      env: { ORG_CONFIG: file, CI: 'true' },
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { isTTY: true, write: (text: string) => stderr.push(text) },
      identity: identity ?? (async () => 'arn:aws:sts::999999999999:assumed-role/pipeline/run-1'),
      synthesize: (_config, _plan, ids) => new Map(ids.map((id) => [id, synthesized.get(id) as StackJson])),
      clients: (config, role) => {
        roles.push(role);
        world = conforming(config, synthesized);
        change(world);
        return new FakeOrganization(world);
      },
      retry: { sleep: async () => undefined },
    });
    // Every command that reads the configuration names it first (cli/common/command.ts, tested there).
    const named = `configuration: ${file} (from ORG_CONFIG)\n`;
    const text = stderr.join('');
    return { code, stdout: stdout.join(''), stderr: text.startsWith(named) ? text.slice(named.length) : text, named: text.startsWith(named), world: world as World, roles };
  } finally {
    process.chdir(cwd);
  }
}

/** The drifted organization of docs/verify.md. */
function drift(world: World): void {
  world.members.get('us-east-1')!.find((member) => member.AccountId === MEMBER)!.RelationshipStatus = 'Removed';
  world.memberFeatures.get('eu-west-1')?.get(SANDBOX)?.forEach((feature) => {
    if (feature.Name === 'RDS_LOGIN_EVENTS') feature.Status = 'DISABLED';
  });
  world.threatIntelSets.get('us-west-2')![0].Status = 'ERROR';
  world.destinations.get('eu-west-1')![0].Status = 'STOPPED';
  world.rules.get(`${ADMIN}/us-east-1/default/acme-findings-forward`)!.State = 'DISABLED';
  world.functions.get(`${SANDBOX}/us-west-2/acme-isolate-instance`)!.Environment!.Variables!.MODE = 'dry-run';
}

describe('npm run verify --step N --since PREVIOUS', () => {
  it('numbers the steps as the --since rollout does, and verifies the stacks of that step the configuration still has', async () => {
    // The previous synth had one more region: the --since rollout removes it first, in retirement order.
    const previous = mkdtempSync(path.join(tmpdir(), 'gd-verify-since-'));
    const before = parseConfig({ ...data, regions: [...data.regions, 'eu-central-1'] }, { file, cwd: REPO_ROOT });
    buildApp(before, { outdir: previous, plan: planStacks(before) }).synth();
    const config = parseConfig(data, { file, cwd: REPO_ROOT });
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);
    let rollout;
    try {
      rollout = sinceSteps(config, planStacks(config), previous, {});
    } finally {
      process.chdir(cwd);
    }
    const first = rollout.steps[0].stacks.map((stack) => stack.id);
    expect(rollout.steps[0].phase).toBe('remove');
    expect(first).not.toEqual(['admin', 'sandbox-remediation']);
    const result = await run(['--step', '1', '--since', previous, '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.step).toBe(1);
    expect([...report.stacks].sort()).toEqual([...first].sort());
    expect(result.code).toBe(0);
    expect(await run(['--since', previous])).toMatchObject({ code: 2, stderr: `--since goes with --step: it numbers the steps as the --since rollout does\n\n${usageText(VERIFY_COMMAND)}\n` });
    expect(await run(['--step', '99', '--since', previous])).toMatchObject({ code: 2, stderr: `--step 99: the rollout since ${previous} has steps 1 to ${rollout.steps.length}\n` });
  });
});

describe('npm run verify', () => {
  it('prints usage on --help and exits 0; names an unknown option and exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(`${usageText(VERIFY_COMMAND)}\n`);
    expect(help.stdout).toMatch(/^usage: npm run --silent verify -- \[options\]\n/);
    expect((await run(['-h'])).code).toBe(0);
    const bad = await run(['--stpe', '2']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(`unknown option "--stpe"\n\n${usageText(VERIFY_COMMAND)}\n`);
    expect(bad.stdout).toBe('');
    expect((await run(['--step', '0'])).stderr).toMatch(/^option --step needs a positive whole number; got "0"\n\nusage: /);
    expect((await run(['--role', 'no/slash'])).stderr).toMatch(/^option --role needs an IAM role name; got "no\/slash"\n\nusage: /);
    expect(await run(['--step', '9'])).toMatchObject({ code: 2, stderr: '--step 9: the rollout has steps 1 to 5\n' });
  });

  it('fails at once, with one line and exit 2, without credentials', async () => {
    const result = await run([], undefined, async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'no AWS credentials (CredentialsProviderError: Could not load credentials from any providers): run it with the credentials of the role that may assume the deployment role in every account (AWS_PROFILE, the AWS_ACCESS_KEY_ID variables, or a web identity token)\n',
    );
    expect(result.stdout).toBe('');
    expect(result.world).toBeUndefined();
  });

  it('with --json prints one JSON document with the reason and exit 2 when it cannot start', async () => {
    const noCredentials = await run(['--json'], undefined, async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    });
    expect(noCredentials.code).toBe(2);
    expect(JSON.parse(noCredentials.stdout)).toEqual({
      error:
        'no AWS credentials (CredentialsProviderError: Could not load credentials from any providers): run it with the credentials of the role that may assume the deployment role in every account (AWS_PROFILE, the AWS_ACCESS_KEY_ID variables, or a web identity token)',
      exitCode: 2,
    });
    const usage = await run(['--json', '--stpe', '2']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout)).toEqual({ error: 'unknown option "--stpe"', exitCode: 2 });
    expect(JSON.parse((await run(['--json', '--step', '9'])).stdout)).toEqual({ error: '--step 9: the rollout has steps 1 to 5', exitCode: 2 });
  });

  it('with --json names every configuration problem in the document', async () => {
    const saved = readFileSync(file, 'utf8');
    writeFileSync(file, JSON.stringify({ ...data, regions: ['us-west-2', 'us-eest-1'] }));
    try {
      const result = await run(['--json']);
      expect(result.code).toBe(2);
      expect(JSON.parse(result.stdout)).toEqual({
        error: `1 problem in the configuration:\n  - ${file}: regions[1]: unknown region "us-eest-1"; did you mean "us-east-1"?`,
        problems: [`${file}: regions[1]: unknown region "us-eest-1"; did you mean "us-east-1"?`],
        exitCode: 2,
      });
    } finally {
      writeFileSync(file, saved);
    }
  });

  it('exits 0 on a conforming organization, progress as plain lines on stderr, the report on stdout', async () => {
    const result = await run(['--role', 'GuardDutyVerify']);
    expect(result.code).toBe(0);
    expect(result.roles).toEqual(['GuardDutyVerify']);
    expect(result.named).toBe(true);
    expect(result.stderr).toMatch(/^verify: reading as arn:aws:sts::999999999999:assumed-role\/pipeline\/run-1\nverify: \d+ checks\n/);
    expect(result.stderr).not.toContain('\r');
    expect(result.stdout).toMatch(/^verify acme \(organizations mode\), 15 stacks\n/);
    expect(result.stdout).toMatch(/\nCONFORMS: \d+ checks, \d+ OK, 0 FAIL, 0 could not be read\n$/);
    expect(result.stdout).not.toContain('  account  ');
  });

  it('exits 1 on a difference and prints the table of each check that differs', async () => {
    const result = await run(['--step', '4', '--stacks', 'members-wave-2,security-hub-wave-2'], (world) => {
      world.members.get('us-east-1')!.find((member) => member.AccountId === '555555555503')!.RelationshipStatus = 'Disabled';
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'verify acme (organizations mode), step 4: members-wave-2, security-hub-wave-2',
        '',
        'GuardDuty members: 6 checked, 5 OK, 1 FAIL, 0 could not be read (OK rows hidden; --all shows them)',
        '  account       region     subject       expected                             found                                 result',
        '  555555555503  us-east-1  555555555503  Enabled, administrator 222222222222  Disabled, administrator 222222222222  FAIL',
        '',
        'Security Hub members: 6 checked, 6 OK, 0 FAIL, 0 could not be read',
        '',
        'DIFFERENT: 12 checks, 11 OK, 1 FAIL, 0 could not be read',
        '',
      ].join('\n'),
    );
  });

  it('exits 1 on a filter whose criteria were edited in place, though its name, action and rank are as configured', async () => {
    const result = await run(['--stacks', 'threat-intel'], (world) => {
      world.filters.get('us-east-1')![0].FindingCriteria = { Criterion: { updatedAt: { Lt: 4070908800000, LessThan: 4070908800000 } } };
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      [
        'verify acme (organizations mode), 1 stacks',
        '',
        'Threat lists and trusted IP list: 6 checked, 6 OK, 0 FAIL, 0 could not be read',
        '',
        'Suppression filters: 3 checked, 2 OK, 1 FAIL, 0 could not be read (OK rows hidden; --all shows them)',
        '  account       region     subject                       expected                                                     found                                        result',
        '  222222222222  us-east-1  archive-low-severity-sandbox  ARCHIVE, rank 1, accountId eq [333333333333]; severity lt 4  ARCHIVE, rank 1, updatedAt lt 4070908800000  FAIL',
        '',
        'DIFFERENT: 9 checks, 8 OK, 1 FAIL, 0 could not be read',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 when something could not be read, even with differences, and --json says why', async () => {
    const result = await run(['--json', '--step', '1'], (world) => {
      drift(world);
      world.failures.push({ service: 'guardduty', account: ADMIN, region: 'eu-west-1', error: awsError('UnrecognizedClientException', 'The security token included in the request is invalid.') });
    });
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout);
    expect(report.exitCode).toBe(2);
    expect(report.stacks).toEqual(['admin', 'sandbox-remediation']);
    expect(report.summary).toMatchObject({ fail: 2, unreadable: 3 });
    expect(report.rows.filter((row: { result: string }) => row.result === 'UNREADABLE')).toEqual([
      expect.objectContaining({ check: 'detector', region: 'eu-west-1', found: 'could not read: region not enabled for the account', error: 'UnrecognizedClientException: The security token included in the request is invalid.' }),
      expect.objectContaining({ check: 'publishing-destination', region: 'eu-west-1' }),
      expect.objectContaining({ check: 'runtime-coverage', region: 'eu-west-1' }),
    ]);
  });

  it('reports a drifted organization (the example in docs/verify.md)', async () => {
    const result = await run([], drift);
    expect(result.code).toBe(1);
    if (process.env.VERIFY_PRINT_EXAMPLE) writeFileSync(process.env.VERIFY_PRINT_EXAMPLE, result.stdout);
    const documented = readFileSync(path.join(REPO_ROOT, 'docs/verify.md'), 'utf8');
    const example = /```text\n(verify acme[\s\S]*?)```/.exec(documented)?.[1];
    // The bundle hash moves with every change to functions/; the rest of the report must not.
    const codeless = (text: string | undefined) => text?.replace(/code [A-Za-z0-9+/]{12}/g, 'code <bundle>');
    expect(codeless(example)).toBe(codeless(result.stdout));
  });
});

describe('examples/iam/verify-read-only.json', () => {
  it('allows every call verify makes, and nothing else but what report calls (read from cli/report: the same credentials)', async () => {
    const policy = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples/iam/verify-read-only.json'), 'utf8'));
    const allowed = new Set<string>(policy.Statement.flatMap((statement: { Action: string | string[] }) => statement.Action));
    const made = new Set<string>();
    for (const autoEnable of ['NEW', 'ALL']) {
      data.autoEnable = autoEnable;
      writeFileSync(file, JSON.stringify(data));
      const result = await run([]);
      // The IAM action of each call: not always the operation's name (detective:ListOrganizationAdminAccount).
      for (const call of result.world.calls) made.add(iamActionOf(call.split(' ')[0]));
    }
    data.autoEnable = 'NEW';
    writeFileSync(file, JSON.stringify(data));
    for (const call of sdkCalls(['cli/report']).keys()) made.add(call);
    expect([...made].sort()).toEqual([...allowed].sort());
  });
});

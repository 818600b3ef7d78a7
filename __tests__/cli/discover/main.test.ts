import { GetAdministratorAccountCommand, GuardDutyClient, ListDetectorsCommand, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { ListDelegatedAdministratorsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { usageText } from '../../../cli/common/command';
import { DISCOVER_COMMAND, runDiscover } from '../../../cli/discover/main';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';

const DETECTOR = 'ab'.repeat(16);
const CALLER = 'arn:aws:sts::999999999999:assumed-role/guardduty-pipeline/ci';

/** Every account answers the same: the admin has a detector, a denied account cannot be read. */
function clients(denied?: string) {
  return () => ({
    guardduty: (account: string, region: string) => {
      const client = new GuardDutyClient({ region });
      const stub = mockClient(client);
      if (account === denied) stub.on(ListDetectorsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
      else stub.on(ListDetectorsCommand).resolves({ DetectorIds: account === '222222222222' ? [DETECTOR] : [] });
      stub.on(GetAdministratorAccountCommand).resolves({});
      stub.on(ListOrganizationAdminAccountsCommand).resolves({ AdminAccounts: [{ AdminAccountId: '222222222222', AdminStatus: 'ENABLED' }] });
      return client;
    },
    organizations: () => {
      const client = new OrganizationsClient({ region: 'us-east-1' });
      mockClient(client).on(ListDelegatedAdministratorsCommand).resolves({ DelegatedAdministrators: [{ Id: '222222222222' }] });
      return client;
    },
  });
}

function sts(identity: 'ok' | 'none' | 'expired') {
  const client = new STSClient({ region: 'us-west-2' });
  const stub = mockClient(client).on(GetCallerIdentityCommand);
  if (identity === 'ok') stub.resolves({ Arn: CALLER });
  else if (identity === 'none') stub.rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
  else stub.rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
  return client;
}

async function run(argv: string[], options: { denied?: string; identity?: 'ok' | 'none' | 'expired'; tty?: boolean; env?: Record<string, string> } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-discover-cli-'));
  const file = writeExample(dir);
  const stdout: string[] = [];
  const stderr: string[] = [];
  let scanned = false;
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = await runDiscover(
      argv.map((arg) => arg.replace('<dir>', dir)),
      {
        env: { ORG_CONFIG: file, ...(options.env ?? { CI: 'true' }) },
        stdout: { write: (text: string) => stdout.push(text) },
        stderr: { isTTY: options.tty ?? true, write: (text: string) => stderr.push(text) },
        sts: () => sts(options.identity ?? 'ok'),
        clients: () => {
          scanned = true;
          return clients(options.denied)();
        },
        retry: { sleep: async () => undefined },
      },
    );
    // Every command that reads the configuration names it first (cli/common/command.ts, tested there).
    const named = `configuration: ${file} (from ORG_CONFIG)\n`;
    const text = stderr.join('');
    return { code, stdout: stdout.join(''), stderr: text.startsWith(named) ? text.slice(named.length) : text, named: text.startsWith(named), dir, scanned };
  } finally {
    process.chdir(cwd);
  }
}

describe('npm run discover', () => {
  it('prints the existingDetectors map on stdout and the report with plain progress lines on stderr', async () => {
    const result = await run([]);
    const regions: string[] = exampleData().regions;
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ '222222222222': Object.fromEntries(regions.map((region) => [region, DETECTOR])) });
    expect(result.named).toBe(true);
    expect(result.stderr).toMatch(new RegExp(`^discover: as ${CALLER}\ndiscover: \\d+ checks\n`));
    expect(result.stderr).toContain(`discover: [1/`);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toContain('Accounts already managed by another administrator: none\n');
    expect(result.stderr).toContain('Could not read: none');
  });

  it('draws no bar with NO_COLOR set, even on a terminal', async () => {
    const plain = await run([], { env: { NO_COLOR: '1' } });
    expect(plain.stderr).not.toContain('\r');
    expect(plain.stderr).toContain('discover: [1/');
    const bar = await run([], { env: {} });
    expect(bar.stderr).toContain('\rdiscover [');
  });

  it('writes the map to --out when everything was read', async () => {
    const result = await run(['--out', '<dir>/existing.json', '--concurrency', '2']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(Object.keys(JSON.parse(readFileSync(path.join(result.dir, 'existing.json'), 'utf8')))).toEqual(['222222222222']);
  });

  it('writes no map when an account could not be read, says unknown instead of none, and exits 1', async () => {
    const result = await run(['--out', '<dir>/existing.json'], { denied: '444444444444' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(existsSync(path.join(result.dir, 'existing.json'))).toBe(false);
    const unknown = '  - unknown for 444444444444 us-west-2, 444444444444 us-east-1, 444444444444 eu-west-1 (could not be read)';
    expect(result.stderr).toContain(`Accounts already managed by another administrator: unknown\n${unknown}\n`);
    expect(result.stderr).toContain(`Regions not enabled (opt-in regions the account has not opted in to): unknown\n${unknown}\n`);
    expect(result.stderr).toMatch(/Could not read:\n {2}- 444444444444 us-west-2: access-denied: AccessDeniedException: denied\n/);
    expect(result.stderr).toMatch(/discover: 3 checks could not be read; \/.*\/existing.json not written\n$/);
  });

  it('without credentials fails at once with one line, before any scan, and writes nothing', async () => {
    for (const [identity, line] of [
      ['none', 'no AWS credentials (CredentialsProviderError: Could not load credentials from any providers): run it with the credentials of the role that may assume the deployment role in every account (AWS_PROFILE, the AWS_ACCESS_KEY_ID variables, or a web identity token)\n'],
      ['expired', 'the AWS credentials of this process do not work (ExpiredToken: The security token included in the request is expired)\n'],
    ] as const) {
      const result = await run(['--out', '<dir>/existing.json'], { identity });
      expect(result).toMatchObject({ code: 1, stdout: '', stderr: line, scanned: false });
      expect(existsSync(path.join(result.dir, 'existing.json'))).toBe(false);
    }
  });

  it('prints its usage on --help and -h with exit 0, and names a wrong option with the usage and exit 2', async () => {
    for (const help of ['--help', '-h']) {
      const result = await run([help]);
      expect(result).toMatchObject({ code: 0, stdout: `${usageText(DISCOVER_COMMAND)}\n`, stderr: '', scanned: false });
    }
    const zero = await run(['--concurrency', '0']);
    expect(zero).toMatchObject({ code: 2, stdout: '', scanned: false });
    expect(zero.stderr).toBe(`option --concurrency needs a positive whole number; got "0"\n\n${usageText(DISCOVER_COMMAND)}\n`);
    expect((await run(['--region', 'x'])).stderr).toMatch(/^unknown option "--region"\n\nusage: npm run --silent discover -- \[options\]/);
  });

  it('as a process without any credentials: one line on stderr, exit 1, nothing on stdout', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'gd-no-aws-'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/discover/main.ts'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        HOME: home,
        AWS_CONFIG_FILE: path.join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        // The SDK's notice that it will need Node 22 is not this command's output.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^configuration: config\/org.json \(the default; ORG_CONFIG names another\)\nno AWS credentials \(CredentialsProviderError: [^\n]+\n$/);
  });
});

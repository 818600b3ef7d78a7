import { GetAdministratorAccountCommand, GuardDutyClient, ListDetectorsCommand, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { ListDelegatedAdministratorsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runDiscover } from '../../../cli/discover/main';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';

const DETECTOR = 'ab'.repeat(16);

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

async function run(argv: string[], denied?: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-discover-cli-'));
  const file = writeExample(dir);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = await runDiscover(argv.map((arg) => arg.replace('<dir>', dir)), {
      env: { ORG_CONFIG: file, CI: 'true' },
      stdout: (text) => stdout.push(text),
      stderr: { isTTY: true, write: (text: string) => stderr.push(text) },
      clients: clients(denied),
      retry: { sleep: async () => undefined },
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join(''), dir };
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
    expect(result.stderr).toContain(`discover: [1/`);
    expect(result.stderr).not.toContain('\r');
    expect(result.stderr).toContain('Accounts already managed by another administrator: none\n');
  });

  it('writes the map to --out, and exits 1 when an account could not be read', async () => {
    const result = await run(['--out', '<dir>/existing.json', '--concurrency', '2'], '444444444444');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(Object.keys(JSON.parse(readFileSync(path.join(result.dir, 'existing.json'), 'utf8')))).toEqual(['222222222222']);
    expect(result.stderr).toMatch(/Could not read:\n {2}- 444444444444 us-west-2: access-denied: AccessDeniedException: denied\n/);
  });

  it('rejects an unknown option', async () => {
    const result = await run(['--concurrency', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown or incomplete option "--concurrency"');
  });
});

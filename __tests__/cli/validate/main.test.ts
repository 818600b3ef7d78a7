import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { usageText } from '../../../cli/common/command';
import { runValidate, VALIDATE_COMMAND } from '../../../cli/validate/main';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';

async function run(argv: string[], config: unknown = exampleData()) {
  const file = writeExample(mkdtempSync(path.join(tmpdir(), 'gd-validate-')), config);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = await runValidate(argv, { env: { ORG_CONFIG: file }, stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) } });
    return { code, stdout: stdout.join(''), stderr: stderr.join(''), file };
  } finally {
    process.chdir(cwd);
  }
}

describe('npm run validate', () => {
  it('says in one line on stdout what a valid configuration deploys', async () => {
    const result = await run([]);
    expect(result).toMatchObject({ code: 0, stderr: `configuration: ${result.file} (from ORG_CONFIG)\n` });
    expect(result.stdout).toBe(`${result.file}: valid. "acme", organizations mode, 3 regions, 6 member accounts in 2 waves; 9 stacks in 5 deploy steps.\n`);
    const all = exampleData();
    all.autoEnable = 'ALL';
    expect((await run([], all)).stdout).toContain('every account of the organization (autoEnable ALL), 6 listed member accounts; 5 stacks in 4 deploy steps.');
  });

  it('reports every problem of the file and of the files it names once, on stderr, and exits 1', async () => {
    const data = exampleData();
    data.regions = ['us-west-2', 'eu-wset-1'];
    data.membersFile = 'config/no-such.csv';
    const result = await run([], data);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.match(/in the configuration:/g)).toHaveLength(1);
    expect(result.stderr).toContain(`${result.file}: regions[1]: unknown region "eu-wset-1"; did you mean "eu-west-1"?`);
    expect(result.stderr).toContain('membersFile');
    for (const line of result.stderr.trim().split('\n').slice(1)) expect(result.stderr.split(line).length).toBe(2);
  });

  it('prints its usage on --help and -h (exit 0) and names a wrong argument (exit 2)', async () => {
    for (const help of ['--help', '-h']) expect(await run([help])).toMatchObject({ code: 0, stdout: `${usageText(VALIDATE_COMMAND)}\n`, stderr: '' });
    expect(await run(['--fix'])).toMatchObject({ code: 2, stdout: '', stderr: `unknown option "--fix"\n\n${usageText(VALIDATE_COMMAND)}\n` });
    expect(await run(['config/org.json'])).toMatchObject({ code: 2, stderr: `unexpected argument "config/org.json"\n\n${usageText(VALIDATE_COMMAND)}\n` });
  });

  it('loads neither cdktf nor the provider bindings nor the AWS SDK (quick enough for a pre-commit hook)', () => {
    const script = `require('./cli/validate/main.ts');
      const loaded = Object.keys(require.cache).filter((file) => /node_modules\\/(cdktf|@cdktf|constructs|@aws-sdk)\\//.test(file));
      console.log(JSON.stringify(loaded));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  it('as a process: exits with the status and keeps stdout for the summary', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'cli/validate/main.ts'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ORG_CONFIG: 'config/org.json' } });
    expect(result).toMatchObject({ status: 0, stderr: 'configuration: config/org.json (from ORG_CONFIG)\n' });
    expect(result.stdout).toMatch(/^config\/org.json: valid\. /);
  });
});

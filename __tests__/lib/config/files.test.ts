import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../../lib/config/load';
import { ConfigError, formatProblem } from '../../../lib/problems';
import { runApp } from '../../helpers/run-app';
import { exampleData, writeExample } from '../../helpers/synth';

/**
 * Files named by the configuration resolve in its folder and may not leave it. Each refusal names
 * the configuration file and the field, and never shows the refused file's content.
 */

const SECRET = 'CANARY-a7f3e1-must-never-be-printed';

let root: string;
let project: string;
let secretFile: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'gd-files-'));
  project = path.join(root, 'project');
  mkdirSync(path.join(project, 'elsewhere'), { recursive: true });
  secretFile = path.join(root, 'secret.txt');
  writeFileSync(secretFile, `${SECRET}\n198.51.100.7\n`);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Every problem of `project/elsewhere/org.json`, loaded from `project` as `ORG_CONFIG=elsewhere/org.json` does. */
function problems(change: (data: Record<string, any>) => void): string[] {
  const data = exampleData();
  change(data);
  writeExample(path.join(project, 'elsewhere'), data);
  try {
    loadConfig('elsewhere/org.json', { cwd: project });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

describe('files named by the configuration', () => {
  it('resolve in the configuration file\'s folder, not the working folder', () => {
    writeExample(path.join(project, 'elsewhere'));
    const config = loadConfig('elsewhere/org.json', { cwd: project });
    expect(config.configDir).toBe(path.join(project, 'elsewhere'));
    expect(config.baseDir).toBe(project);
    expect(config.members.map((member) => member.source).slice(2)).toEqual([
      'elsewhere/accounts.csv:2',
      'elsewhere/accounts.csv:3',
      'elsewhere/accounts.csv:4',
      'elsewhere/accounts.csv:5',
    ]);
    expect(config.threatLists.map((list) => [list.file, list.path])).toEqual([
      ['elsewhere/lists/example-threat-list.txt', path.join(project, 'elsewhere/lists/example-threat-list.txt')],
    ]);
  });

  it('may be absolute, or reached through a link, as long as the file is inside the folder', () => {
    const folder = path.join(project, 'elsewhere');
    mkdirSync(path.join(folder, 'shared'));
    writeFileSync(path.join(folder, 'shared/threats.txt'), '198.51.100.9\n');
    symlinkSync(path.join(folder, 'shared/threats.txt'), path.join(folder, 'threats-link.txt'));
    expect(problems((d) => (d.threatLists = [{ name: 'Absolute', file: path.join(folder, 'shared/threats.txt'), acknowledge: ['reserved-threat-range'] }]))).toEqual([]);
    expect(problems((d) => (d.threatLists = [{ name: 'Linked', file: 'threats-link.txt', acknowledge: ['reserved-threat-range'] }]))).toEqual([]);
  });

  it.each([
    ['a path that climbs out', () => '../../secret.txt', () => 'elsewhere/org.json: membersFile: "../../secret.txt" is outside elsewhere/, the configuration\'s folder; name a file inside it (paths are relative to that folder)'],
    ['/etc/passwd', () => '/etc/passwd', () => 'elsewhere/org.json: membersFile: "/etc/passwd" is outside elsewhere/, the configuration\'s folder; name a file inside it (paths are relative to that folder)'],
    ['/proc/self/environ', () => '/proc/self/environ', () => 'elsewhere/org.json: membersFile: "/proc/self/environ" is outside elsewhere/, the configuration\'s folder; name a file inside it (paths are relative to that folder)'],
    ['an absolute path to a file outside', () => secretFile, () => `elsewhere/org.json: membersFile: ${JSON.stringify(secretFile)} is outside elsewhere/, the configuration's folder; name a file inside it (paths are relative to that folder)`],
  ])('refuses %s without reading it', (_title, written, expected) => {
    const found = problems((d) => (d.membersFile = written()));
    expect(found).toEqual([expected()]);
    expect(found.join('\n')).not.toContain(SECRET);
  });

  it('refuses a symbolic link that leads out of the folder, also through a linked folder', () => {
    const folder = path.join(project, 'elsewhere');
    symlinkSync(secretFile, path.join(folder, 'accounts-link.csv'));
    symlinkSync(root, path.join(folder, 'outside'));
    const found = [
      ...problems((d) => (d.membersFile = 'accounts-link.csv')),
      ...problems((d) => (d.threatLists[0].file = 'outside/secret.txt')),
    ];
    expect(found).toEqual([
      'elsewhere/org.json: membersFile: "accounts-link.csv" is a symbolic link to a file outside elsewhere/, the configuration\'s folder; copy the file into the folder instead',
      'elsewhere/org.json: threatLists[0].file: "outside/secret.txt" is a symbolic link to a file outside elsewhere/, the configuration\'s folder; copy the file into the folder instead',
    ]);
    expect(found.join('\n')).not.toContain(SECRET);
  });

  it('refuses hidden folders and files (.git/, .env), also behind a link, without reading them', () => {
    const folder = path.join(project, 'elsewhere');
    mkdirSync(path.join(folder, '.git'));
    writeFileSync(path.join(folder, '.git/config'), `[remote "origin"]\n\turl = https://${SECRET}@github.com/acme/org.git\n`);
    writeFileSync(path.join(folder, '.env'), `TOKEN=${SECRET}\n`);
    symlinkSync(path.join(folder, '.git/config'), path.join(folder, 'threats-link.txt'));
    const found = [
      ...problems((d) => (d.threatLists[0].file = '.git/config')),
      ...problems((d) => (d.membersFile = './.env')),
      ...problems((d) => (d.trustedIpList.file = 'threats-link.txt')),
    ];
    const why = 'files are not read from names starting with "." (like .git/ or .env), which hold tools\' settings and secrets';
    expect(found).toEqual([
      `elsewhere/org.json: threatLists[0].file: ".git/config" is in a hidden folder (".git"): ${why}; move it to a folder of its own`,
      `elsewhere/org.json: membersFile: "./.env" is a hidden file (".env"): ${why}; move it to a folder of its own`,
      `elsewhere/org.json: trustedIpList.file: "threats-link.txt" is a symbolic link into ".git": ${why}; copy the file into a folder of its own`,
    ]);
    expect(found.join('\n')).not.toContain(SECRET);
  });

  it('refuses what is not a regular file: a folder, a named pipe (without waiting on it)', () => {
    const folder = path.join(project, 'elsewhere');
    execFileSync('mkfifo', [path.join(folder, 'pipe')]);
    expect(problems((d) => (d.threatLists[0].file = 'lists'))).toEqual(['elsewhere/org.json: threatLists[0].file: "lists" is not a regular file (a folder)']);
    expect(problems((d) => (d.trustedIpList.file = 'pipe'))).toEqual(['elsewhere/org.json: trustedIpList.file: "pipe" is not a regular file (a named pipe)']);
  });

  it('names a missing file with the folder it was looked for in', () => {
    expect(problems((d) => (d.membersFile = 'config/accounts.csv'))).toEqual([
      'elsewhere/org.json: membersFile: file "config/accounts.csv" not found in elsewhere/ (paths are relative to the configuration\'s folder)',
    ]);
  });

  it('stops the app before any stack is written', () => {
    const dir = mkdtempSync(path.join(root, 'app-'));
    const run = runApp({ ...exampleData(), membersFile: secretFile }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${run.configFile}: membersFile: ${JSON.stringify(secretFile)} is outside ${dir}/, the configuration's folder`);
    expect(run.stderr + run.stdout).not.toContain(SECRET);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
    expect(existsSync(path.join(run.outdir, 'stacks'))).toBe(false);
  });
});

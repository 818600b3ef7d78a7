import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../lib/config/load';
import { configProblems } from '../../helpers/config';
import { runApp } from '../../helpers/run-app';
import { exampleData } from '../../helpers/synth';

/**
 * List files are checked by the configuration loader, so a bad list is reported with every other
 * problem and nothing is synthesized.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-lists-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes list files into the test folder, which relative paths resolve against. */
function files(contents: Record<string, string>): void {
  for (const [name, text] of Object.entries(contents)) writeFileSync(path.join(dir, name), text);
}

/** The example configuration, without its members file, with these keys replaced, loaded from the test folder. */
function load(overrides: Record<string, unknown>) {
  return parseConfig({ ...exampleData(), membersFile: undefined, ...overrides }, { file: 'org.json', cwd: dir });
}

function problems(overrides: Record<string, unknown>): string[] {
  return configProblems({ ...exampleData(), membersFile: undefined, ...overrides }, dir);
}

/** A threat list; these tests use documentation addresses, so the lists acknowledge them. */
const threat = (name: string, file: string) => ({ name, file, acknowledge: ['reserved-threat-range'] });

describe('list files in the configuration', () => {
  it('carries the parsed entries of every list', () => {
    files({ 'a.txt': '# a\n198.51.100.23\n', 'b.txt': '2001:db8::/32\n', 'trusted.txt': '192.0.2.10\n' });
    const config = load({ threatLists: [threat('A', 'a.txt'), threat('B', 'b.txt')], trustedIpList: { name: 'Trusted', file: 'trusted.txt' } });
    expect(config.threatLists.map((list) => [list.name, list.file, list.entries.map((entry) => entry.text)])).toEqual([
      ['A', 'a.txt', ['198.51.100.23']],
      ['B', 'b.txt', ['2001:db8::/32']],
    ]);
    expect(config.trustedIpList?.entries.map((entry) => entry.text)).toEqual(['192.0.2.10']);
    expect(config.threatLists[0].path).toBe(path.join(dir, 'a.txt'));
  });

  it('reports bad lines of every list with file:line, beside the other problems of the configuration', () => {
    files({ 'a.txt': '198.51.100.23\nexample.com\n', 'trusted.txt': '# office\n192.0.2.10/24\n' });
    expect(
      problems({ regions: ['us-west-2', 'eu-wset-1'], threatLists: [threat('A', 'a.txt')], trustedIpList: { name: 'Trusted', file: 'trusted.txt' } }),
    ).toEqual([
      'org.json: regions[1]: unknown region "eu-wset-1"; did you mean "eu-west-1"?',
      'a.txt:2: "example.com": not an IPv4/IPv6 address or CIDR',
      'trusted.txt:2: "192.0.2.10/24": has bits set past the /24 prefix; the network is 192.0.2.0/24',
    ]);
  });

  it('reports duplicates', () => {
    files({ 'a.txt': '198.51.100.23\n198.51.100.23/32\n' });
    expect(problems({ threatLists: [threat('A', 'a.txt')], trustedIpList: undefined })).toEqual([
      'a.txt:2: "198.51.100.23/32" is already listed at line 1 (as "198.51.100.23")',
    ]);
  });

  it('reports more than six threat lists', () => {
    const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
    files(Object.fromEntries(names.map((name, i) => [`${name}.txt`, `198.51.100.${i}\n`])));
    expect(problems({ threatLists: names.map((name) => threat(name, `${name}.txt`)), trustedIpList: undefined })).toEqual([
      'org.json: threatLists: 7 threat lists; GuardDuty takes at most 6 per account and region (merge some files)',
    ]);
    expect(problems({ threatLists: names.slice(0, 6).map((name) => threat(name, `${name}.txt`)), trustedIpList: undefined })).toEqual([]);
  });

  it('takes one trusted IP list, not a list of them', () => {
    files({ 'trusted.txt': '192.0.2.10\n' });
    expect(problems({ threatLists: [], trustedIpList: [{ name: 'Trusted', file: 'trusted.txt' }] })).toEqual([
      'org.json: trustedIpList: must be one { "name": ..., "file": ... }: GuardDuty takes one trusted IP list per account and region',
    ]);
  });

  it.each([
    ['a dot', 'Threat.List', `org.json: threatLists[0].name: must be 1-128 letters, digits, '_' or '-'; got "Threat.List"`],
    ['a blank', 'Threat List', `org.json: threatLists[0].name: must be 1-128 letters, digits, '_' or '-'; got "Threat List"`],
  ])('reports a list name with %s', (_, name, message) => {
    files({ 'a.txt': '198.51.100.23\n' });
    expect(problems({ threatLists: [threat(name, 'a.txt')], trustedIpList: undefined })).toEqual([message]);
  });

  it('reports a list without entries, except the first threat list when the simulation fills it', () => {
    files({ 'empty.txt': '# nothing yet\n', 'a.txt': '198.51.100.23\n' });
    const lists = { threatLists: [threat('Empty', 'empty.txt'), threat('Other', 'empty.txt')], trustedIpList: { name: 'Trusted', file: 'empty.txt' } };
    expect(problems({ ...lists, simulation: { enabled: true } })).toEqual([
      'empty.txt: lists no address or CIDR; add one, or remove the list from the configuration',
      'empty.txt: lists no address or CIDR; add one, or remove the list from the configuration',
    ]);
    expect(problems({ ...lists, simulation: { enabled: false } })).toHaveLength(3);
  });

  it('reports a threat-list entry the trusted list would hide', () => {
    files({ 'a.txt': '198.51.100.23\n192.0.2.10\n', 'trusted.txt': '192.0.2.10\n' });
    expect(problems({ threatLists: [threat('A', 'a.txt')], trustedIpList: { name: 'Trusted', file: 'trusted.txt' } })).toEqual([
      'a.txt:2: "192.0.2.10" is also on the trusted IP list (trusted.txt:1); GuardDuty applies the trusted list first and would raise no finding for it',
    ]);
  });

  it('exits non-zero on a bad list and writes no stack', () => {
    files({ 'bad.txt': '198.51.100.23\n198.51.100.300\n' });
    const run = runApp({ ...exampleData(), threatLists: [threat('Bad', path.join(dir, 'bad.txt'))] }, dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${path.join(dir, 'bad.txt')}:2: "198.51.100.300": not an IPv4/IPv6 address or CIDR`);
    expect(existsSync(run.outdir)).toBe(false);
  });
});

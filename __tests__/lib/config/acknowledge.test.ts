import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../lib/config/load';
import { ConfigError, formatProblem } from '../../../lib/problems';
import { runApp } from '../../helpers/run-app';
import { exampleData, writeExample } from '../../helpers/synth';

/**
 * Settings that silently switch detection off are refused, each with the reason and the one key
 * that acknowledges it on purpose: `"acknowledge": [...]` on that list or filter.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-acknowledge-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Problems of the example, with these list files in its folder and these changes. */
function problems(files: Record<string, string>, change: (data: Record<string, any>) => void): string[] {
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  writeExample(dir);
  const data = exampleData();
  change(data);
  try {
    parseConfig(data, { file: 'org.json', cwd: dir });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

const ROUTABLE = '54.239.28.85\n';

describe('the trusted IP list', () => {
  const trusted = (text: string, acknowledge?: string[]) =>
    problems({ 'threat.txt': ROUTABLE, 'trusted.txt': text }, (d) => {
      d.threatLists = [{ name: 'Threats', file: 'threat.txt' }];
      d.trustedIpList = { name: 'Trusted', file: 'trusted.txt', ...(acknowledge ? { acknowledge } : {}) };
    });

  it('refuses entries wider than /8 or /32, and every address, by file:line with how to acknowledge', () => {
    expect(trusted('# office\n198.51.100.0/24\n8.0.0.0/7\n0.0.0.0/0\n2600::/31\n::/0\n')).toEqual([
      'trusted.txt:3: "8.0.0.0/7" is wider than /8: GuardDuty raises no finding for traffic with 33,554,432 addresses; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedIpList in org.json',
      'trusted.txt:4: "0.0.0.0/0" is wider than /8: GuardDuty raises no finding for traffic with every IPv4 address; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedIpList in org.json',
      'trusted.txt:5: "2600::/31" is wider than /32: GuardDuty raises no finding for traffic with 2^97 addresses; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedIpList in org.json',
      'trusted.txt:6: "::/0" is wider than /32: GuardDuty raises no finding for traffic with every IPv6 address; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedIpList in org.json',
    ]);
  });

  it('accepts /8 and /32, and wider entries when acknowledged', () => {
    expect(trusted('10.0.0.0/8\n2600:1f18::/32\n')).toEqual([]);
    expect(trusted('8.0.0.0/7\n::/0\n', ['wide-trusted-range'])).toEqual([]);
  });

  it('refuses entries that are each at most /8 but cover more than a /8 in all, once for the file', () => {
    const slash8s = Array.from({ length: 223 }, (_, index) => index + 1).filter((first) => first !== 10 && first !== 127).slice(0, 220);
    const text = slash8s.map((first) => `${first}.0.0.0/8\n`).join('');
    expect(trusted(text)).toEqual([
      'trusted.txt: its 220 entries cover 3,685,481,472 publicly routable IPv4 addresses, more than one /8 (16,777,216): GuardDuty raises no finding for traffic with any of them; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedIpList in org.json',
    ]);
    expect(trusted(text, ['wide-trusted-range'])).toEqual([]);
    expect(trusted('10.0.0.0/8\n8.0.0.0/8\n172.16.0.0/12\n')).toEqual([]);
  });

  it('takes only its own acknowledgement', () => {
    expect(trusted('8.0.0.0/7\n', ['reserved-threat-range'])).toEqual([
      'org.json: trustedIpList.acknowledge[0]: must be one of wide-trusted-range; got "reserved-threat-range"',
    ]);
  });
});

describe('threat lists', () => {
  const threat = (text: string, acknowledge?: string[]) =>
    problems({ 'threat.txt': text }, (d) => {
      d.threatLists = [
        { name: 'Threats', file: 'threat.txt', ...(acknowledge ? { acknowledge } : {}) },
      ];
      d.trustedIpList = undefined;
    });

  it('refuses entries GuardDuty never matches, by file:line with the range and how to acknowledge', () => {
    expect(threat('54.239.28.85\n10.0.0.0/8\n# loopback\n127.0.0.1\nfe80::1\n')).toEqual([
      'threat.txt:2: "10.0.0.0/8" is in 10.0.0.0/8 (private, RFC 1918), which is not publicly routable: GuardDuty applies lists to publicly routable addresses only, so this entry never raises a finding; if this is on purpose, add "acknowledge": ["reserved-threat-range"] to threatLists[0] in org.json',
      'threat.txt:4: "127.0.0.1" is in 127.0.0.0/8 (loopback), which is not publicly routable: GuardDuty applies lists to publicly routable addresses only, so this entry never raises a finding; if this is on purpose, add "acknowledge": ["reserved-threat-range"] to threatLists[0] in org.json',
      'threat.txt:5: "fe80::1" is in fe80::/10 (link-local), which is not publicly routable: GuardDuty applies lists to publicly routable addresses only, so this entry never raises a finding; if this is on purpose, add "acknowledge": ["reserved-threat-range"] to threatLists[0] in org.json',
    ]);
  });

  it('lists the first ten of a large list, then counts the rest', () => {
    const entries = Array.from({ length: 25 }, (_, index) => `10.0.0.${index}`).join('\n');
    const found = threat(`${entries}\n`);
    expect(found).toHaveLength(11);
    expect(found[9]).toMatch(/^threat\.txt:10: "10\.0\.0\.9" is in 10\.0\.0\.0\/8/);
    expect(found[10]).toBe('threat.txt: 15 more entries like these (25 in all)');
  });

  it('accepts them when acknowledged, as the shipped example does for its documentation addresses', () => {
    expect(threat('10.0.0.0/8\n192.0.2.1\n', ['reserved-threat-range'])).toEqual([]);
    expect(exampleData().threatLists[0].acknowledge).toEqual(['reserved-threat-range']);
  });
});

describe('ARCHIVE filters', () => {
  const filter = (criteria: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    problems({}, (d) => d.filters.push({ name: 'too-wide', action: 'ARCHIVE', criteria, ...extra }));
  const refusal = (archives: string, acknowledgement: string) =>
    `org.json: filters[1].criteria: archives ${archives}, whatever happened (no condition on the finding type, resource or activity): GuardDuty archives those findings as they are created, so no e-mail, remediation, Security Hub or export ever sees them; narrow the criteria, or if this is on purpose add "acknowledge": ["${acknowledgement}"] to filters[1]`;

  it.each([
    ['every finding', { severity: { gte: 0 } }, refusal('every finding', 'archive-all-findings')],
    ['every finding of severity 7 and above', { severity: { gte: 7 } }, refusal('every finding with severity >= 7', 'archive-high-severity')],
    ['a whole account', { accountId: { eq: ['444444444444'] } }, refusal('every finding of account 444444444444', 'archive-whole-account')],
  ])('refuses one that archives %s', (_title, criteria, expected) => {
    expect(filter(criteria)).toEqual([expected]);
  });

  it.each([
    ['a time bound far in the future', { updatedAt: { lt: '2099-01-01T00:00:00Z' } }, 'updatedAt lt "2099-01-01T00:00:00Z": it admits every finding until 2099-01-01T00:00:00.000Z'],
    ['findings that are not archived yet', { 'service.archived': { eq: ['false'] } }, 'service.archived eq ["false"]: GuardDuty creates every finding unarchived'],
    ['any confidence', { confidence: { gte: 0 } }, 'confidence gte 0: no confidence is below 0'],
  ])('refuses one that archives every finding by %s, saying why the condition narrows nothing', (_title, criteria, why) => {
    expect(filter(criteria)).toEqual([
      `org.json: filters[1].criteria: archives every finding, whatever happened (no condition narrows it to a finding type, resource or activity: ${why}): ` +
        'GuardDuty archives those findings as they are created, so no e-mail, remediation, Security Hub or export ever sees them; ' +
        'narrow the criteria, or if this is on purpose add "acknowledge": ["archive-all-findings"] to filters[1]',
    ]);
    expect(filter(criteria, { acknowledge: ['archive-all-findings'] })).toEqual([]);
  });

  it('accepts them when acknowledged with the matching key, and saved (NOOP) filters as they are', () => {
    expect(filter({ accountId: { eq: ['444444444444'] } }, { acknowledge: ['archive-whole-account'] })).toEqual([]);
    expect(filter({ severity: { gte: 7 } }, { acknowledge: ['archive-whole-account'] })).toEqual([refusal('every finding with severity >= 7', 'archive-high-severity')]);
    expect(filter({ severity: { gte: 0 } }, { action: 'NOOP' })).toEqual([]);
    expect(filter({ accountId: { eq: ['444444444444'] }, type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] } })).toEqual([]);
  });

  it('stops the app before any stack is written', () => {
    const data = exampleData();
    data.filters.push({ name: 'archive-sandbox', action: 'ARCHIVE', criteria: { accountId: { eq: ['333333333333'] } } });
    const run = runApp(data);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${run.configFile}: filters[1].criteria: archives every finding of account 333333333333, whatever happened`);
    expect(existsSync(path.join(run.outdir, 'manifest.json'))).toBe(false);
  });
});

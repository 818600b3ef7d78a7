import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../../lib/config/load';
import { ENTITY_LIST_LIMITS, parseDomain, parseEntityList } from '../../../lib/guardduty/entity-lists';
import { formatProblem } from '../../../lib/problems';
import { configProblems } from '../../helpers/config';
import { exampleData } from '../../helpers/synth';

/**
 * Entity lists (`threatEntitySets`, `trustedEntitySet`): files of addresses, CIDRs and domains,
 * checked like IP lists, with the same refusals and acknowledgements.
 */

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-entities-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function files(contents: Record<string, string>): void {
  for (const [name, text] of Object.entries(contents)) writeFileSync(path.join(dir, name), text);
}

function load(overrides: Record<string, unknown>) {
  return parseConfig({ ...exampleData(), membersFile: undefined, threatLists: [], trustedIpList: undefined, ...overrides }, { file: 'org.json', cwd: dir });
}

function problems(overrides: Record<string, unknown>): string[] {
  return configProblems({ ...exampleData(), membersFile: undefined, threatLists: [], trustedIpList: undefined, ...overrides }, dir);
}

describe('entity list files', () => {
  it('reads addresses, CIDRs and domains, without comments, for every threat entity set and the trusted one', () => {
    files({ 'bad.txt': '# known bad\n203.0.113.9  # a host\nc2.Example.org\n2001:db8::/32\n', 'good.txt': 'updates.example.com\n198.51.100.0/24\n' });
    const config = load({
      threatEntitySets: [{ name: 'Bad', file: 'bad.txt', acknowledge: ['reserved-threat-range'] }],
      trustedEntitySet: { name: 'Good', file: 'good.txt' },
    });
    expect(config.threatEntitySets.map((list) => [list.name, list.file, list.entries.map((entry) => entry.text)])).toEqual([['Bad', 'bad.txt', ['203.0.113.9', 'c2.Example.org', '2001:db8::/32']]]);
    expect(config.trustedEntitySet?.entries.map((entry) => entry.text)).toEqual(['updates.example.com', '198.51.100.0/24']);
    expect(config.trustedEntitySet?.path).toBe(path.join(dir, 'good.txt'));
  });

  it('leaves both out when not configured', () => {
    const config = load({});
    expect(config.threatEntitySets).toEqual([]);
    expect('trustedEntitySet' in config).toBe(false);
  });

  it('reports every bad line with its file and line, all at once', () => {
    files({ 'bad.txt': 'https://evil.example/x\n*.example.net\nexample\n300.1.2.3\n192.0.2.1/33\nevil.example\nEVIL.example.\n10.0.0.1 10.0.0.2\n' });
    expect(problems({ threatEntitySets: [{ name: 'Bad', file: 'bad.txt' }] })).toEqual([
      'bad.txt:1: "https://evil.example/x": a domain name only, without scheme or path (example.com, not https://example.com/)',
      'bad.txt:2: "*.example.net": wildcards are not a domain name; list each domain (a listed domain does not cover its subdomains unless they are listed)',
      'bad.txt:3: "example": not an IPv4/IPv6 address, CIDR or domain name (a domain has at least two labels, like example.com)',
      'bad.txt:4: "300.1.2.3": not an IPv4/IPv6 address or CIDR',
      'bad.txt:5: "192.0.2.1/33": the prefix length must be 0-32 for IPv4',
      'bad.txt:7: "EVIL.example." is already listed at line 6 (as "evil.example")',
      'bad.txt:8: "10.0.0.1 10.0.0.2": one address, CIDR or domain name a line (use "#" for comments)',
    ]);
  });

  it('refuses threat entries GuardDuty never sees and trusted entries that silence the internet, unless acknowledged', () => {
    files({ 'bad.txt': '10.1.2.3\nevil.example\n', 'good.txt': '0.0.0.0/1\nupdates.example.com\n' });
    const lists = { threatEntitySets: [{ name: 'Bad', file: 'bad.txt' }], trustedEntitySet: { name: 'Good', file: 'good.txt' } };
    expect(problems(lists)).toEqual([
      'bad.txt:1: "10.1.2.3" is in 10.0.0.0/8 (private, RFC 1918), which is not publicly routable: GuardDuty applies lists to publicly routable addresses only, so this entry never raises a finding; if this is on purpose, add "acknowledge": ["reserved-threat-range"] to threatEntitySets[0] in org.json',
      'good.txt:1: "0.0.0.0/1" is wider than /8: GuardDuty raises no finding for traffic with 2,147,483,648 addresses; if this is on purpose, add "acknowledge": ["wide-trusted-range"] to trustedEntitySet in org.json',
    ]);
    expect(
      problems({
        threatEntitySets: [{ name: 'Bad', file: 'bad.txt', acknowledge: ['reserved-threat-range'] }],
        trustedEntitySet: { name: 'Good', file: 'good.txt', acknowledge: ['wide-trusted-range'] },
      }),
    ).toEqual([]);
  });

  it('refuses a threat entry the trusted set also holds, a name used twice, an empty list and a file outside the folder', () => {
    files({ 'a.txt': 'evil.example\n', 'b.txt': '# nothing yet\n', 'good.txt': 'EVIL.example\n' });
    expect(
      problems({
        threatEntitySets: [
          { name: 'A', file: 'a.txt' },
          { name: 'A', file: 'b.txt' },
          { name: 'C', file: '../outside.txt' },
        ],
        trustedEntitySet: { name: 'Good', file: 'good.txt' },
      }),
    ).toEqual([
      'org.json: threatEntitySets[1].name: "A" is used twice',
      'b.txt: lists no address, CIDR or domain; add one, or remove the list from the configuration',
      `org.json: threatEntitySets[2].file: "../outside.txt" is outside ./, the configuration's folder; name a file inside it (paths are relative to that folder)`,
      'a.txt:1: "evil.example" is also on the trusted entity set (good.txt:1); GuardDuty applies the trusted list first and would raise no finding for it',
    ]);
  });

  it('takes one trusted entity set, not a list of them, and names what is allowed in a set', () => {
    files({ 'good.txt': 'updates.example.com\n' });
    expect(problems({ trustedEntitySet: [{ name: 'Good', file: 'good.txt' }] })).toEqual([
      'org.json: trustedEntitySet: must be one { "name": ..., "file": ... }: GuardDuty takes one trusted entity set per account and region',
    ]);
    expect(problems({ threatEntitySets: [{ name: 'Bad list', file: 'bad.txt', acknowledge: ['wide-trusted-range'] }] })).toEqual([
      `org.json: threatEntitySets[0].name: must be 1-128 letters, digits, '_' or '-'; got "Bad list"`,
      'org.json: threatEntitySets[0].acknowledge[0]: must be one of reserved-threat-range; got "wide-trusted-range"',
    ]);
  });

  it(`refuses a threat entity list of more than ${ENTITY_LIST_LIMITS.threatEntities.toLocaleString('en-US')} entries`, () => {
    const text = Array.from({ length: ENTITY_LIST_LIMITS.threatEntities + 1 }, (_, index) => `host-${index}.evil.example`).join('\n');
    expect(parseEntityList(text, 'big.txt', 'threat').problems.map(formatProblem)).toEqual([
      'big.txt: 1,001 entries; GuardDuty takes at most 1,000 in a threat entity list (split it into several lists, or keep the addresses in an IP threat list)',
    ]);
    expect(parseEntityList(text.split('\n').slice(1).join('\n'), 'ok.txt', 'threat').problems).toEqual([]);
  });
});

describe('parseDomain', () => {
  it.each([
    ['example.com', 'domain:example.com'],
    ['Sub.Example.COM.', 'domain:sub.example.com'],
    ['xn--bcher-kva.example', 'domain:xn--bcher-kva.example'],
  ])('takes %s', (text, key) => {
    expect(parseDomain(text)).toEqual({ key });
  });

  it.each(['-bad.example', 'bad-.example', 'a..example', 'example.123', `${'a'.repeat(64)}.example`, `${'a.'.repeat(127)}example`])('refuses %s', (text) => {
    expect(typeof parseDomain(text)).toBe('string');
  });
});

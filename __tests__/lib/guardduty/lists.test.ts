import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  contentHash,
  LIST_LIMITS,
  listContent,
  listObjectKey,
  MAX_ENTRY_LENGTH,
  notRoutedRange,
  parseAddress,
  parseList,
  tooWideTrusted,
  tooWideTrustedTotal,
  trustedOverlapProblems,
} from '../../../lib/guardduty/lists';
import { REPO_ROOT } from '../../helpers/synth';

const texts = (text: string, kind: 'threat' | 'trusted' = 'threat') => parseList(text, 'lists/x.txt', kind).entries.map((entry) => entry.text);
const problems = (text: string, kind: 'threat' | 'trusted' = 'threat') =>
  parseList(text, 'lists/x.txt', kind).problems.map((problem) => `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ${problem.message}`);

describe('parseList', () => {
  it('reads the shipped example lists', () => {
    const threat = parseList(readFileSync(path.join(REPO_ROOT, 'config/lists/example-threat-list.txt'), 'utf8'), 'example-threat-list.txt', 'threat');
    expect(threat.problems).toEqual([]);
    expect(threat.entries).toEqual([
      { text: '198.51.100.23', line: 8, key: expect.any(String) },
      { text: '203.0.113.0/28', line: 9, key: expect.any(String) },
    ]);
    const trusted = parseList(readFileSync(path.join(REPO_ROOT, 'config/lists/trusted.txt'), 'utf8'), 'trusted.txt', 'trusted');
    expect(trusted.problems).toEqual([]);
    expect(trusted.entries.map((entry) => entry.text)).toEqual(['192.0.2.10']);
  });

  it('accepts IPv4 and IPv6 addresses and CIDRs, with comments, blanks, CRLF and a BOM', () => {
    const text = '\uFEFF# header\r\n192.0.2.1\r\n  198.51.100.0/24   # a trailing comment\n\n2001:db8::1\n2001:db8:1::/48\n::ffff:192.0.2.7\n0.0.0.0/0\n';
    expect(problems(text)).toEqual([]);
    expect(texts(text)).toEqual(['192.0.2.1', '198.51.100.0/24', '2001:db8::1', '2001:db8:1::/48', '::ffff:192.0.2.7', '0.0.0.0/0']);
  });

  it('quotes lines of a file that holds no address only where they look like one, ten at most', () => {
    const gitConfig = '[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://x-access-token:ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/acme/org.git\n192.0.2.300\n';
    expect(problems(gitConfig)).toEqual([
      'lists/x.txt:1: "[…" (6 characters; the rest is not shown): not an IPv4/IPv6 address or CIDR',
      'lists/x.txt:2: "repo…" (27 characters; the rest is not shown): one address or CIDR a line (use "#" for comments)',
      'lists/x.txt:3: "[rem…" (17 characters; the rest is not shown): one address or CIDR a line (use "#" for comments)',
      'lists/x.txt:4: "url …" (93 characters; the rest is not shown): one address or CIDR a line (use "#" for comments)',
      'lists/x.txt:5: "192.0.2.300": not an IPv4/IPv6 address or CIDR',
    ]);
    const lines = Array.from({ length: 25 }, (_, index) => `secret-${index}`).join('\n');
    const many = problems(lines);
    expect(many).toHaveLength(11);
    expect(many[10]).toBe('lists/x.txt: 15 more lines are not an address or CIDR (25 in all); no line is: is this file a list of addresses?');
    expect(many.join('\n')).not.toContain('secret-');
  });

  it('keeps true line numbers past comments and blank lines', () => {
    expect(parseList('# one\n\n192.0.2.1\n', 'x', 'threat').entries[0].line).toBe(3);
  });

  it.each([
    ['a host name', 'example.com', 'lists/x.txt:1: "example.com": not an IPv4/IPv6 address or CIDR'],
    ['an IPv4 address with a fifth part', '192.0.2.1.5', 'lists/x.txt:1: "192.0.2.1.5": not an IPv4/IPv6 address or CIDR'],
    ['an octet past 255', '192.0.2.256', 'lists/x.txt:1: "192.0.2.256": not an IPv4/IPv6 address or CIDR'],
    ['a leading zero (octal to some parsers)', '192.0.2.010', 'lists/x.txt:1: "192.0.2.010": not an IPv4/IPv6 address or CIDR'],
    ['an IPv6 zone', 'fe80::1%eth0', 'lists/x.txt:1: "fe80::1%eth0": not an IPv4/IPv6 address or CIDR'],
    ['two addresses on a line', '192.0.2.1 192.0.2.2', 'lists/x.txt:1: "192.0.2.1 192.0.2.2": one address or CIDR a line (use "#" for comments)'],
    ['a comment without "#"', '192.0.2.1 office', 'lists/x.txt:1: "192.0.2.1 office": one address or CIDR a line (use "#" for comments)'],
    ['an IPv4 prefix past 32', '192.0.2.0/33', 'lists/x.txt:1: "192.0.2.0/33": the prefix length must be 0-32 for IPv4'],
    ['an IPv6 prefix past 128', '2001:db8::/129', 'lists/x.txt:1: "2001:db8::/129": the prefix length must be 0-128 for IPv6'],
    ['an empty prefix', '192.0.2.0/', 'lists/x.txt:1: "192.0.2.0/": the prefix length must be 0-32 for IPv4'],
    ['a prefix that is not a number', '192.0.2.0/abc', 'lists/x.txt:1: "192.0.2.0/abc": the prefix length must be 0-32 for IPv4'],
    ['IPv4 host bits past the prefix', '203.0.113.5/28', 'lists/x.txt:1: "203.0.113.5/28": has bits set past the /28 prefix; the network is 203.0.113.0/28'],
    ['IPv6 host bits past the prefix', '2001:db8::1/32', 'lists/x.txt:1: "2001:db8::1/32": has bits set past the /32 prefix; the network is 2001:db8::/32'],
  ])('reports %s with file:line and the text', (_, line, message) => {
    expect(problems(`# first line is a comment\n${line}\n198.51.100.7\n`)).toEqual([message.replace(':1:', ':2:')]);
  });

  it.each([
    ['the same text', '192.0.2.1\n192.0.2.1\n', 'lists/x.txt:2: "192.0.2.1" is already listed at line 1'],
    ['an address and its /32', '192.0.2.1\n192.0.2.1/32\n', 'lists/x.txt:2: "192.0.2.1/32" is already listed at line 1 (as "192.0.2.1")'],
    ['two spellings of one IPv6 address', '2001:db8::1\n2001:0DB8:0:0:0:0:0:1\n', 'lists/x.txt:2: "2001:0DB8:0:0:0:0:0:1" is already listed at line 1 (as "2001:db8::1")'],
    ['a repeated CIDR after a comment', '198.51.100.0/24 # a\n# b\n198.51.100.0/24\n', 'lists/x.txt:3: "198.51.100.0/24" is already listed at line 1'],
  ])('reports a duplicate: %s', (_, text, message) => {
    expect(problems(text)).toEqual([message]);
    expect(texts(text)).toHaveLength(1);
  });

  it('keeps apart a network and an address inside it', () => {
    expect(problems('198.51.100.0/24\n198.51.100.0\n')).toEqual([]);
  });

  it('reports every bad line, not only the first', () => {
    expect(problems('bad\n192.0.2.1\nworse\n192.0.2.1\n')).toEqual([
      'lists/x.txt:1: "bad": not an IPv4/IPv6 address or CIDR',
      'lists/x.txt:3: "worse": not an IPv4/IPv6 address or CIDR',
      'lists/x.txt:4: "192.0.2.1" is already listed at line 2',
    ]);
  });

  it('enforces 2,000 entries in a trusted IP list', () => {
    const addresses = (count: number) => Array.from({ length: count }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`).join('\n');
    expect(problems(addresses(2_000), 'trusted')).toEqual([]);
    expect(problems(addresses(2_001), 'trusted')).toEqual(['lists/x.txt: 2,001 entries; GuardDuty takes at most 2,000 in a trusted IP list']);
    expect(problems(addresses(2_001), 'threat')).toEqual([]);
  });

  it('enforces 250,000 entries in a threat list', () => {
    const addresses = Array.from({ length: 250_001 }, (_, i) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(problems(addresses.join('\n'))).toEqual(['lists/x.txt: 250,001 entries; GuardDuty takes at most 250,000 in a threat list']);
  });

  it('cannot exceed the file-size limit within the entry limit', () => {
    const longest = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128';
    expect(parseAddress(longest)).not.toEqual(expect.any(String));
    expect(longest).toHaveLength(MAX_ENTRY_LENGTH);
    expect((MAX_ENTRY_LENGTH + 1) * LIST_LIMITS.entries.threat).toBeLessThan(LIST_LIMITS.fileBytes);
  });
});

describe('list content and object key', () => {
  const keyOf = (text: string) => {
    const content = listContent(texts(text));
    return listObjectKey('threat', 'Example-Threat-List', contentHash(content));
  };

  it('uploads the entries without comments or blanks, one a line', () => {
    expect(listContent(texts('# c\n192.0.2.1 # why\n\n2001:db8::/32\n'))).toBe('192.0.2.1\n2001:db8::/32\n');
  });

  it('puts the kind, the name and the content hash in the key', () => {
    expect(keyOf('192.0.2.1\n')).toBe(`threat/Example-Threat-List/${contentHash('192.0.2.1\n')}.txt`);
    expect(contentHash('192.0.2.1\n')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the key when only comments, blank lines or spacing change', () => {
    const before = keyOf('# v1\n192.0.2.1\n198.51.100.0/24\n');
    expect(keyOf('# v2: reviewed\n\n  192.0.2.1   # office\r\n198.51.100.0/24\n\n')).toBe(before);
  });

  it('changes the key when an entry is added, removed, changed or moved', () => {
    const before = keyOf('192.0.2.1\n198.51.100.0/24\n');
    const after = [
      keyOf('192.0.2.1\n198.51.100.0/24\n203.0.113.9\n'),
      keyOf('192.0.2.1\n'),
      keyOf('192.0.2.2\n198.51.100.0/24\n'),
      keyOf('198.51.100.0/24\n192.0.2.1\n'),
    ];
    for (const key of after) expect(key).not.toBe(before);
    expect(new Set(after).size).toBe(after.length);
  });
});

describe('trustedOverlapProblems', () => {
  const list = (name: string, file: string, text: string) => ({ name, file, entries: parseList(text, file, 'threat').entries });

  it('reports a threat-list entry that the trusted list also holds, in any spelling', () => {
    const threat = list('Threat', 'threat.txt', '198.51.100.23\n192.0.2.10/32\n');
    const trusted = list('Trusted', 'trusted.txt', '# office\n192.0.2.10\n');
    expect(trustedOverlapProblems([threat], trusted)).toEqual([
      {
        file: 'threat.txt',
        line: 2,
        message: '"192.0.2.10/32" is also on the trusted IP list (trusted.txt:2); GuardDuty applies the trusted list first and would raise no finding for it',
      },
    ]);
  });

  it('has nothing to report without a trusted list or without overlap', () => {
    const threat = list('Threat', 'threat.txt', '198.51.100.23\n');
    expect(trustedOverlapProblems([threat], undefined)).toEqual([]);
    expect(trustedOverlapProblems([threat], list('Trusted', 'trusted.txt', '192.0.2.10\n'))).toEqual([]);
  });
});

describe('notRoutedRange', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8 (private, RFC 1918)'],
    ['172.31.255.0/24', '172.16.0.0/12 (private, RFC 1918)'],
    ['192.168.0.0/16', '192.168.0.0/16 (private, RFC 1918)'],
    ['127.0.0.1', '127.0.0.0/8 (loopback)'],
    ['169.254.169.254', '169.254.0.0/16 (link-local)'],
    ['100.64.1.1', '100.64.0.0/10 (shared address space (carrier-grade NAT), RFC 6598)'],
    ['192.0.2.10', '192.0.2.0/24 (documentation, RFC 5737)'],
    ['203.0.113.0/28', '203.0.113.0/24 (documentation, RFC 5737)'],
    ['239.255.255.250', '224.0.0.0/4 (multicast)'],
    ['255.255.255.255', '240.0.0.0/4 (reserved, and broadcast)'],
    ['0.0.0.0', '0.0.0.0/8 ("this network")'],
    ['::1', '::/127 (unspecified and loopback)'],
    ['fe80::1', 'fe80::/10 (link-local)'],
    ['fd00:1::/64', 'fc00::/7 (unique local, RFC 4193)'],
    ['2001:db8:bad::/48', '2001:db8::/32 (documentation, RFC 3849)'],
    ['3fff:1::1', '3fff::/20 (documentation, RFC 9637)'],
    ['ff02::1', 'ff00::/8 (multicast)'],
    ['::ffff:192.0.2.7', '::ffff:0:0/96 (IPv4-mapped; list the IPv4 address instead)'],
  ])('puts %s in %s', (entry, range) => {
    expect(notRoutedRange(entry)).toBe(range);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '192.0.3.1', '54.239.28.85', '2001:db9::1', '2600:1f18::/32', '0.0.0.0/0', '::/0', '10.0.0.0/7'])(
    'leaves %s alone: it is routable, or only partly reserved',
    (entry) => {
      expect(notRoutedRange(entry)).toBeUndefined();
    },
  );
});

describe('tooWideTrusted', () => {
  it('counts the addresses of entries wider than /8 (IPv4) or /32 (IPv6)', () => {
    expect(tooWideTrusted('0.0.0.0/0')).toEqual({ family: 4, prefix: 0, addresses: 'every IPv4 address' });
    expect(tooWideTrusted('8.0.0.0/7')).toEqual({ family: 4, prefix: 7, addresses: '33,554,432 addresses' });
    expect(tooWideTrusted('::/0')).toEqual({ family: 6, prefix: 0, addresses: 'every IPv6 address' });
    expect(tooWideTrusted('2001:db8::/31')).toEqual({ family: 6, prefix: 31, addresses: '2^97 addresses' });
  });

  it('accepts /8, /32 and narrower', () => {
    for (const entry of ['10.0.0.0/8', '192.0.2.10', '2600:1f18::/32', '2001:db8::1']) expect(tooWideTrusted(entry)).toBeUndefined();
  });
});

describe('tooWideTrustedTotal', () => {
  /** The /8 networks 1-223 except 10 and 127: every one publicly routable but for the ranges inside them. */
  const slash8s = (count: number) => Array.from({ length: 223 }, (_, index) => index + 1).filter((first) => first !== 10 && first !== 127).slice(0, count).map((first) => `${first}.0.0.0/8`);

  it('counts what the entries cover together, against one /8 (or /32) in all', () => {
    expect(tooWideTrustedTotal(slash8s(1))).toBeUndefined();
    expect(tooWideTrustedTotal(slash8s(2))).toEqual({ family: 4, addresses: '33,554,432', limit: '16,777,216' });
    const reserved = 2 ** 22 + 2 ** 16 + 2 ** 20 + 256 + 256 + 2 ** 16 + 2 ** 17 + 256 + 256;
    expect(tooWideTrustedTotal(slash8s(220))).toEqual({ family: 4, addresses: (220 * 2 ** 24 - reserved).toLocaleString('en-US'), limit: '16,777,216' });
    expect(tooWideTrustedTotal(['2600::/32', '2a00::/32'])).toEqual({ family: 6, addresses: '2^97', limit: '2^96' });
    expect(tooWideTrustedTotal(['2600::/32', '2a00::/48'])).toEqual({ family: 6, addresses: 'more than 2^96', limit: '2^96' });
  });

  it('counts overlapping entries once, and non-routed addresses not at all', () => {
    expect(tooWideTrustedTotal(['8.0.0.0/8', '8.8.8.0/24', '8.8.8.8'])).toBeUndefined();
    expect(tooWideTrustedTotal(['8.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'])).toBeUndefined();
    expect(tooWideTrustedTotal(['8.0.0.0/8', '100.0.0.0/8'])).toEqual({ family: 4, addresses: (2 * 2 ** 24 - 2 ** 22).toLocaleString('en-US'), limit: '16,777,216' });
    expect(tooWideTrustedTotal(['8.0.0.0/8', '2600::/32'])).toBeUndefined();
  });
});

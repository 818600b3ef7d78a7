import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { inputExcerpt, type Problem } from '../problems';
import { partitionOf } from '../aws/partition';

/**
 * Threat lists and the trusted IP list: plain-text files of one IPv4/IPv6 address or CIDR a line,
 * `#` starting a comment. Parsed and checked here against GuardDuty's limits; uploaded without
 * comments, under a key that carries the content hash so that an edited list gets a new location
 * and GuardDuty reads it again.
 */

export type ListKind = 'threat' | 'trusted';

/** GuardDuty's limits for IP lists (user guide: quotas, and "Working with trusted IP lists and threat lists"). */
export const LIST_LIMITS = {
  /** Threat lists per account per region. */
  threatLists: 6,
  /** Addresses and CIDR ranges a list. */
  entries: { threat: 250_000, trusted: 2_000 } as Readonly<Record<ListKind, number>>,
  /**
   * "35MB" a file, read as decimal megabytes (the stricter reading). Not checked on its own: the
   * uploaded file has no comments, and 250,000 entries of at most `MAX_ENTRY_LENGTH` characters and a
   * newline stay far below it.
   */
  fileBytes: 35_000_000,
} as const;

/** The longest address or CIDR: `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128`. */
export const MAX_ENTRY_LENGTH = 49;

const KIND_NAME: Readonly<Record<ListKind, string>> = { threat: 'threat list', trusted: 'trusted IP list' };

export interface ListEntry {
  /** The address or CIDR as written (without comment or surrounding blanks). */
  readonly text: string;
  readonly line: number;
  /** The same for every spelling of one network (`192.0.2.1`, `192.0.2.1/32`). */
  readonly key: string;
}

export interface ParsedList {
  readonly entries: readonly ListEntry[];
  readonly problems: readonly Problem[];
}

/** How a kind of list file says what its lines hold, for lines that hold none. */
export interface ListLines {
  /** What an entry may look like to be quoted in full from a file that holds no entry. */
  readonly shape: RegExp;
  /** An entry, in words ("an address or CIDR"). */
  readonly entry: string;
  /** The file, in words ("a list of addresses"). */
  readonly list: string;
}

/** IP lists: addresses, prefixes, blanks. */
const IP_LIST_LINES: ListLines = { shape: /^[0-9A-Fa-f.:/%\s]{1,100}$/, entry: 'an address or CIDR', list: 'a list of addresses' };

/** Lines that are no entry, reported one by one up to here, then counted. */
const LISTED_BAD_LINES = 10;

/**
 * The entries of a list file, one a line, `#` starting a comment: `parse` gives an entry's key (the
 * same for every spelling of one entry) or why the text is not an entry; repeats are problems.
 * A file with no entry at all may be anything in the folder (a tool's settings, a key): its lines
 * are quoted only where they look like an entry (`lines.shape`). In a list, a bad line is the
 * user's own typo and is quoted as it is.
 */
export function parseListLines(text: string, file: string, parse: (entryText: string) => { readonly key: string } | string, lines: ListLines = IP_LIST_LINES): ParsedList {
  const entries: ListEntry[] = [];
  const problems: Problem[] = [];
  const firstLine = new Map<string, ListEntry>();
  const badLines: { line: number; text: string; why: string }[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      const entryText = raw.replace(/#.*$/, '').trim();
      if (entryText === '') return;
      const parsed = parse(entryText);
      if (typeof parsed === 'string') {
        badLines.push({ line, text: entryText, why: parsed });
        return;
      }
      const entry = { text: entryText, line, key: parsed.key };
      const earlier = firstLine.get(parsed.key);
      if (earlier) {
        const same = earlier.text === entryText ? '' : ` (as ${JSON.stringify(earlier.text)})`;
        problems.push({ file, line, message: `${JSON.stringify(entryText)} is already listed at line ${earlier.line}${same}` });
        return;
      }
      firstLine.set(parsed.key, entry);
      entries.push(entry);
    });

  const quote = (text: string) => (entries.length > 0 ? JSON.stringify(text) : inputExcerpt(text, lines.shape));
  problems.push(...badLines.slice(0, LISTED_BAD_LINES).map(({ line, text: bad, why }) => ({ file, line, message: `${quote(bad)}: ${why}` })));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  if (badLines.length > LISTED_BAD_LINES) {
    problems.push({
      file,
      message: `${(badLines.length - LISTED_BAD_LINES).toLocaleString('en-US')} more lines are not ${lines.entry} (${badLines.length.toLocaleString('en-US')} in all)${entries.length === 0 ? `; no line is: is this file ${lines.list}?` : ''}`,
    });
  }
  return { entries, problems };
}

/** Parses and checks one list file; `file` names it in problems. */
export function parseList(text: string, file: string, kind: ListKind): ParsedList {
  const { entries, problems: lineProblems } = parseListLines(text, file, parseAddress);
  const problems = [...lineProblems];
  const limit = LIST_LIMITS.entries[kind];
  if (entries.length > limit) {
    problems.push({ file, message: `${entries.length.toLocaleString('en-US')} entries; GuardDuty takes at most ${limit.toLocaleString('en-US')} in a ${KIND_NAME[kind]}` });
  }
  return { entries, problems };
}

/** A list as the configuration names it, with its parsed entries. */
export interface NamedList {
  readonly name: string;
  /** The file as messages name it (relative to the working folder, or as written when absolute). */
  readonly file: string;
  readonly entries: readonly ListEntry[];
}

/**
 * Entries of threat lists that the trusted list also holds: GuardDuty applies the trusted list
 * first, so they would never raise a finding. `trustedName` says which trusted list.
 */
export function trustedOverlapProblems(threatLists: readonly NamedList[], trusted: NamedList | undefined, trustedName = 'the trusted IP list'): Problem[] {
  if (!trusted) return [];
  const trustedAt = new Map(trusted.entries.map((entry) => [entry.key, entry]));
  return threatLists.flatMap((list) =>
    list.entries.flatMap((entry) => {
      const shadow = trustedAt.get(entry.key);
      return shadow
        ? [{ file: list.file, line: entry.line, message: `${JSON.stringify(entry.text)} is also on ${trustedName} (${trusted.file}:${shadow.line}); GuardDuty applies the trusted list first and would raise no finding for it` }]
        : [];
    }),
  );
}

/**
 * Address ranges that are not publicly routable (the IANA IPv4 and IPv6 special-purpose address
 * registries, "globally reachable: false"). GuardDuty applies lists "only to traffic destined for
 * publicly routable IP addresses" (user guide, "Working with trusted IP lists and threat lists"),
 * so a threat-list entry inside one of them never raises a finding.
 */
const NOT_ROUTED: readonly { readonly cidr: string; readonly what: string }[] = [
  { cidr: '0.0.0.0/8', what: '"this network"' },
  { cidr: '10.0.0.0/8', what: 'private, RFC 1918' },
  { cidr: '100.64.0.0/10', what: 'shared address space (carrier-grade NAT), RFC 6598' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local' },
  { cidr: '172.16.0.0/12', what: 'private, RFC 1918' },
  { cidr: '192.0.0.0/24', what: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', what: 'documentation, RFC 5737' },
  { cidr: '192.168.0.0/16', what: 'private, RFC 1918' },
  { cidr: '198.18.0.0/15', what: 'benchmarking, RFC 2544' },
  { cidr: '198.51.100.0/24', what: 'documentation, RFC 5737' },
  { cidr: '203.0.113.0/24', what: 'documentation, RFC 5737' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved, and broadcast' },
  { cidr: '::/127', what: 'unspecified and loopback' },
  { cidr: '::ffff:0:0/96', what: 'IPv4-mapped; list the IPv4 address instead' },
  { cidr: '64:ff9b:1::/48', what: 'local-use NAT64, RFC 8215' },
  { cidr: '100::/64', what: 'discard-only, RFC 6666' },
  { cidr: '2001:2::/48', what: 'benchmarking, RFC 5180' },
  { cidr: '2001:db8::/32', what: 'documentation, RFC 3849' },
  { cidr: '3fff::/20', what: 'documentation, RFC 9637' },
  { cidr: '5f00::/16', what: 'segment routing (SRv6) SIDs, RFC 9602' },
  { cidr: 'fc00::/7', what: 'unique local, RFC 4193' },
  { cidr: 'fe80::/10', what: 'link-local' },
  { cidr: 'ff00::/8', what: 'multicast' },
];
const NOT_ROUTED_NETWORKS = NOT_ROUTED.map((range) => ({ ...range, address: parseAddress(range.cidr) as Address }));

/** The non-routed range a list entry lies in (all of it), as `198.51.100.0/24 (documentation, RFC 5737)`. */
export function notRoutedRange(entryText: string): string | undefined {
  const entry = parseAddress(entryText);
  if (typeof entry === 'string') return undefined;
  const range = NOT_ROUTED_NETWORKS.find(({ address }) => address.family === entry.family && address.prefix <= entry.prefix && sameNetwork(entry.groups, address));
  return range && `${range.cidr} (${range.what})`;
}

/**
 * The widest a trusted IP list entry may be without acknowledgement: GuardDuty raises no VPC flow
 * log or CloudTrail finding for any address on the list, so a /7 silences 33 million addresses.
 */
export const WIDEST_TRUSTED_PREFIX: Readonly<Record<4 | 6, number>> = { 4: 8, 6: 32 };

/** How many addresses a trusted entry covers, when it is wider than `WIDEST_TRUSTED_PREFIX`. */
export function tooWideTrusted(entryText: string): { family: 4 | 6; prefix: number; addresses: string } | undefined {
  const entry = parseAddress(entryText);
  if (typeof entry === 'string' || entry.prefix >= WIDEST_TRUSTED_PREFIX[entry.family]) return undefined;
  const bits = (entry.family === 4 ? 32 : 128) - entry.prefix;
  const addresses = entry.prefix === 0 ? `every IPv${entry.family} address` : bits <= 52 ? `${(2 ** bits).toLocaleString('en-US')} addresses` : `2^${bits} addresses`;
  return { family: entry.family, prefix: entry.prefix, addresses };
}

/**
 * The publicly routable addresses a trusted IP list covers in all, when more than one entry of the
 * widest size allowed (`WIDEST_TRUSTED_PREFIX`) covers: 220 /8 entries silence as much as one /0.
 * Overlapping entries count once; non-routed ranges not at all (GuardDuty applies lists to publicly
 * routable addresses only).
 */
export function tooWideTrustedTotal(entryTexts: readonly string[]): { family: 4 | 6; addresses: string; limit: string } | undefined {
  const entries = entryTexts.map(parseAddress).filter((entry): entry is Address => typeof entry !== 'string');
  for (const family of [4, 6] as const) {
    const covered = publicAddresses(entries.filter((entry) => entry.family === family), family);
    const limit = 1n << BigInt((family === 4 ? 32 : 128) - WIDEST_TRUSTED_PREFIX[family]);
    if (covered > limit) return { family, addresses: addressCount(covered), limit: addressCount(limit) };
  }
  return undefined;
}

/** How many publicly routable addresses of one family the networks cover together. */
function publicAddresses(networks: readonly Address[], family: 4 | 6): bigint {
  const width = family === 4 ? 32 : 128;
  const value = (address: Address) => address.groups.reduce((total, group) => (total << 16n) | BigInt(group), 0n);
  const size = (prefix: number) => 1n << BigInt(width - prefix);
  // Two CIDR networks are nested or apart: sorted by start and size, each one either lies in the
  // last network kept or starts a new one.
  const sorted = networks.map((network) => ({ start: value(network), prefix: network.prefix })).sort((a, b) => (a.start === b.start ? a.prefix - b.prefix : a.start < b.start ? -1 : 1));
  const kept: { start: bigint; prefix: number }[] = [];
  for (const network of sorted) {
    const last = kept[kept.length - 1];
    if (!last || network.start >= last.start + size(last.prefix)) kept.push(network);
  }
  const reserved = NOT_ROUTED_NETWORKS.filter(({ address }) => address.family === family).map(({ address }) => ({ start: value(address), prefix: address.prefix }));
  let total = 0n;
  for (const network of kept) {
    let inside = size(network.prefix);
    for (const range of reserved) {
      const [wide, narrow] = range.prefix <= network.prefix ? [range, network] : [network, range];
      if (narrow.start >= wide.start && narrow.start < wide.start + size(wide.prefix)) inside -= size(narrow.prefix);
    }
    total += inside;
  }
  return total;
}

function addressCount(count: bigint): string {
  if (count <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(count).toLocaleString('en-US');
  const bits = count.toString(2).length - 1;
  return count === 1n << BigInt(bits) ? `2^${bits}` : `more than 2^${bits}`;
}

function sameNetwork(groups: readonly number[], range: Address): boolean {
  return range.groups.every((group, index) => {
    const kept = Math.min(16, Math.max(0, range.prefix - 16 * index));
    const mask = (0xffff << (16 - kept)) & 0xffff;
    return (groups[index] & mask) === group;
  });
}

/** The file as uploaded: one entry a line, no comments, so comment edits do not move the object. */
export function listContent(entries: readonly string[]): string {
  return entries.map((entry) => `${entry}\n`).join('');
}

export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

/**
 * The object key of a list file; `hash` is the content's SHA-256, computed here or (for content
 * known only at apply time) by Terraform.
 */
export function listObjectKey(kind: ListKind, name: string, hash: string): string {
  return `${kind}/${name}/${hash}.txt`;
}

/**
 * Where GuardDuty reads a list file of a bucket in `region`: `https://s3.amazonaws.com/<bucket>/<key>` in
 * the commercial partition, a form its documentation gives (and the one deployed so far). That host
 * serves the commercial partition only, so GovCloud and China get the object's S3 URI,
 * `s3://<bucket>/<key>`, which names no partition and is what the GuardDuty guide (its China edition
 * too) has the reader copy.
 */
export function listLocation(region: string, bucket: string, key: string): string {
  return partitionOf(region) === 'aws' ? `https://s3.amazonaws.com/${bucket}/${key}` : `s3://${bucket}/${key}`;
}

interface Address {
  /** Family, network and prefix: two spellings of one network share a key. */
  readonly key: string;
  readonly family: 4 | 6;
  /** The network in 16-bit groups: two for IPv4, eight for IPv6. */
  readonly groups: readonly number[];
  readonly prefix: number;
}

/** An IPv4/IPv6 address or CIDR, or why the text is not one. */
export function parseAddress(text: string): Address | string {
  const slash = text.indexOf('/');
  const host = slash < 0 ? text : text.slice(0, slash);
  const family = isIPv4(host) ? 4 : isIPv6(host) && !host.includes('%') ? 6 : undefined;
  if (family === undefined) {
    return /\s/.test(text)
      ? 'one address or CIDR a line (use "#" for comments)'
      : 'not an IPv4/IPv6 address or CIDR';
  }
  const width = family === 4 ? 32 : 128;
  let prefix = width;
  if (slash >= 0) {
    const written = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(written) || Number(written) > width) return `the prefix length must be 0-${width} for IPv${family}`;
    prefix = Number(written);
  }
  // 16-bit groups, two for IPv4 and eight for IPv6: plain numbers keep a 250,000-line list fast.
  const groups = family === 4 ? ipv4Groups(host) : ipv6Groups(host);
  const network = groups.map((group, index) => {
    const kept = Math.min(16, Math.max(0, prefix - 16 * index));
    return group & ((0xffff << (16 - kept)) & 0xffff);
  });
  if (network.some((group, index) => group !== groups[index])) {
    return `has bits set past the /${prefix} prefix; the network is ${formatGroups(network, family)}/${prefix}`;
  }
  return { key: `${family}:${groups.join(':')}/${prefix}`, family, groups, prefix };
}

function ipv4Groups(address: string): number[] {
  const [a, b, c, d] = address.split('.').map(Number);
  return [(a << 8) | b, (c << 8) | d];
}

function ipv6Groups(address: string): number[] {
  let text = address;
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two more groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) text = `${text.slice(0, dotted.index)}${ipv4Groups(dotted[1]).map((group) => group.toString(16)).join(':')}`;
  const [head, tail] = text.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  if (tail === undefined) return groups(head);
  const [before, after] = [groups(head), groups(tail)];
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

function formatGroups(groups: readonly number[], family: 4 | 6): string {
  if (family === 4) return groups.flatMap((group) => [group >> 8, group & 0xff]).join('.');
  // The URL parser writes IPv6 in its canonical short form.
  return new URL(`http://[${groups.map((group) => group.toString(16)).join(':')}]`).hostname.slice(1, -1);
}

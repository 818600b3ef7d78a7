import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Problem } from './config/problems';

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

/** Parses and checks one list file; `file` names it in problems. */
export function parseList(text: string, file: string, kind: ListKind): ParsedList {
  const entries: ListEntry[] = [];
  const problems: Problem[] = [];
  const firstLine = new Map<string, ListEntry>();
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = index + 1;
      const entryText = raw.replace(/#.*$/, '').trim();
      if (entryText === '') return;
      const address = parseAddress(entryText);
      if (typeof address === 'string') {
        problems.push({ file, line, message: `${JSON.stringify(entryText)}: ${address}` });
        return;
      }
      const entry = { text: entryText, line, key: address.key };
      const earlier = firstLine.get(address.key);
      if (earlier) {
        const same = earlier.text === entryText ? '' : ` (as ${JSON.stringify(earlier.text)})`;
        problems.push({ file, line, message: `${JSON.stringify(entryText)} is already listed at line ${earlier.line}${same}` });
        return;
      }
      firstLine.set(address.key, entry);
      entries.push(entry);
    });

  const limit = LIST_LIMITS.entries[kind];
  if (entries.length > limit) {
    problems.push({ file, message: `${entries.length.toLocaleString('en-US')} entries; GuardDuty takes at most ${limit.toLocaleString('en-US')} in a ${KIND_NAME[kind]}` });
  }
  return { entries, problems };
}

/** A list as the configuration names it, with its parsed entries. */
export interface NamedList {
  readonly name: string;
  /** The path as written in the configuration. */
  readonly file: string;
  readonly entries: readonly ListEntry[];
}

/**
 * Entries of threat lists that the trusted IP list also holds: GuardDuty applies the trusted list
 * first, so they would never raise a finding.
 */
export function trustedOverlapProblems(threatLists: readonly NamedList[], trusted: NamedList | undefined): Problem[] {
  if (!trusted) return [];
  const trustedAt = new Map(trusted.entries.map((entry) => [entry.key, entry]));
  return threatLists.flatMap((list) =>
    list.entries.flatMap((entry) => {
      const shadow = trustedAt.get(entry.key);
      return shadow
        ? [{ file: list.file, line: entry.line, message: `${JSON.stringify(entry.text)} is also on the trusted IP list (${trusted.file}:${shadow.line}); GuardDuty applies the trusted list first and would raise no finding for it` }]
        : [];
    }),
  );
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

/** Where GuardDuty reads a list file: `https://s3.amazonaws.com/<bucket>/<key>`, the form its documentation gives. */
export function listLocation(bucket: string, key: string): string {
  return `https://s3.amazonaws.com/${bucket}/${key}`;
}

interface Address {
  /** Family, network and prefix: two spellings of one network share a key. */
  readonly key: string;
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
  return { key: `${family}:${groups.join(':')}/${prefix}` };
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

import { parseAddress, parseListLines, type ListEntry, type ListLines, type ParsedList } from './lists';

/**
 * Entity lists: GuardDuty's threat entity sets and trusted entity set, the recommended successor of
 * IP lists. A plain-text file of one IPv4/IPv6 address, CIDR or domain name a line, `#` starting a
 * comment. The addresses are checked as in IP lists (lists.ts); domains as DNS host names.
 * Administrator-only, applied to members automatically; GuardDuty reads the file with the caller's
 * own `s3:GetObject`, not through its service-linked role (user guide, "Setting up prerequisites for
 * entity lists and IP address lists").
 */

export type EntityListKind = 'threat' | 'trusted';

/** GuardDuty's limits for entity lists (user guide: quotas, and the CreateTrustedEntitySet API). */
export const ENTITY_LIST_LIMITS = {
  /** "Entities per threat entity list: 1,000". */
  threatEntities: 1_000,
  /** "At any given time, you can have only one trusted entity set." */
  trustedSets: 1,
} as const;

/** A domain name as DNS has it: labels of 1-63 letters, digits and '-', not at either end of a label, at most 253 characters. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_DOMAIN_LENGTH = 253;

/** A domain entry's key, or why the text is not a domain name. */
export function parseDomain(text: string): { key: string } | string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || text.includes('/')) return 'a domain name only, without scheme or path (example.com, not https://example.com/)';
  if (text.includes('*')) return 'wildcards are not a domain name; list each domain (a listed domain does not cover its subdomains unless they are listed)';
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length > MAX_DOMAIN_LENGTH) return `domain names are at most ${MAX_DOMAIN_LENGTH} characters`;
  const labels = name.split('.');
  if (labels.length < 2) return 'not an IPv4/IPv6 address, CIDR or domain name (a domain has at least two labels, like example.com)';
  if (!labels.every((label) => LABEL.test(label))) return 'not an IPv4/IPv6 address, CIDR or domain name (labels are letters, digits and "-")';
  if (/^\d+$/.test(labels[labels.length - 1])) return 'not an IPv4/IPv6 address, CIDR or domain name';
  return { key: `domain:${name}` };
}

/** An address, CIDR or domain: a domain has no ':' and is not digits and dots alone, anything else is meant as an address. */
function parseEntity(entryText: string): { key: string } | string {
  if (/\s/.test(entryText)) return 'one address, CIDR or domain name a line (use "#" for comments)';
  const address = parseAddress(entryText);
  if (typeof address !== 'string') return { key: address.key };
  const meantAsAddress = !entryText.includes('://') && (entryText.includes(':') || /^[\d.]+(\/.*)?$/.test(entryText));
  return meantAsAddress ? address : parseDomain(entryText);
}

/** Entity lists: addresses, prefixes and domain names. */
const ENTITY_LIST_LINES: ListLines = { shape: /^[0-9A-Za-z.:/%\s-]{1,253}$/, entry: 'an address, CIDR or domain name', list: 'a list of addresses and domains' };

/** Parses and checks one entity list file; `file` names it in problems. */
export function parseEntityList(text: string, file: string, kind: EntityListKind): ParsedList {
  const { entries, problems: lineProblems } = parseListLines(text, file, parseEntity, ENTITY_LIST_LINES);
  const problems = [...lineProblems];
  if (kind === 'threat' && entries.length > ENTITY_LIST_LIMITS.threatEntities) {
    problems.push({
      file,
      message: `${entries.length.toLocaleString('en-US')} entries; GuardDuty takes at most ${ENTITY_LIST_LIMITS.threatEntities.toLocaleString('en-US')} in a threat entity list (split it into several lists, or keep the addresses in an IP threat list)`,
    });
  }
  return { entries, problems };
}

/** Whether an entry of an entity list is a domain (the rest are addresses and CIDRs). */
export function isDomainEntry(entry: Pick<ListEntry, 'key'>): boolean {
  return entry.key.startsWith('domain:');
}

/** The object key of an entity list file: beside the IP lists, never under their keys. */
export function entityListObjectKey(kind: EntityListKind, name: string, hash: string): string {
  return `entity-${kind}/${name}/${hash}.txt`;
}

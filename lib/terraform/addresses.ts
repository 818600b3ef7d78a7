import * as crypto from 'node:crypto';

/**
 * Terraform addresses, as pure functions: the readable keys of repeated resources, the address of one
 * instance, and cdktf 0.21's logical ids, which named every resource of the layout before the keys
 * (see lib/terraform/previous-layout.ts). No cdktf here: the old ids are a fact of the states out there, and must
 * not change if cdktf's own algorithm does.
 */

/** `"<account>/<region>"`: one account's instance in one region. */
export function accountRegionKey(accountId: string, region: string): string {
  return `${accountId}/${region}`;
}

/**
 * Key of a repeated resource: its parts joined by `/`, scope first (`"us-east-1/S3_DATA_EVENTS"`,
 * `"333333333333/eu-west-1/RUNTIME_MONITORING"`), so `terraform state list | grep <part>` finds it.
 */
export function instanceKey(...parts: readonly string[]): string {
  return parts.join('/');
}

/** `aws_guardduty_member.member["333333333333/eu-west-1"]`, as plans and `terraform state` show it. */
export function instanceAddress(type: string, name: string, key: string): string {
  return `${type}.${name}[${JSON.stringify(key)}]`;
}

/**
 * A Terraform block name from free text that may hold characters an identifier cannot (`.` in a
 * filter name): kept as it is when it can be, otherwise cleaned and suffixed with a hash of the text,
 * so that two names never share a block and a name's block never depends on the other names.
 */
export function blockName(prefix: string, text: string): string {
  if (/^[A-Za-z0-9_-]+$/.test(text)) return `${prefix}${text}`;
  const hash = crypto.createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${prefix}${text.replace(/[^A-Za-z0-9_-]/g, '_')}_${hash}`;
}

/**
 * The logical id cdktf 0.21 gives a resource from its construct path below the stack
 * (`makeUniqueId` in cdktf/lib/private/unique.js): one component is used as it is; longer paths join
 * their components (repeats dropped, disallowed characters removed) and append the first eight hex
 * digits of the MD5 of the path, upper-cased.
 */
export function cdktfLogicalId(components: readonly string[]): string {
  // Written as loops: the moved blocks of a thousand accounts call this a quarter of a million times.
  const parts = components.includes('Default') ? components.filter((component) => component !== 'Default') : components;
  if (parts.length === 0) throw new Error('a logical id needs at least one path component');
  if (parts.length === 1 && clean(parts[0]).length <= 255) return clean(parts[0]);
  let human = '';
  let previous: string | undefined;
  let first = true;
  for (const part of parts) {
    // Repeats (a component the previous one ends with) are dropped before "Resource" is.
    if (previous !== undefined && previous.endsWith(part)) continue;
    previous = part;
    if (part === 'Resource') continue;
    human = first ? clean(part) : `${human}_${clean(part)}`;
    first = false;
  }
  return `${human.slice(0, 240)}_${md5Hex(parts.join('/')).slice(0, 8).toUpperCase()}`;
}

const DISALLOWED = /[^A-Za-z0-9_-]/;
const clean = (text: string) => (DISALLOWED.test(text) ? text.replace(/[^A-Za-z0-9_-]/g, '') : text);

/** One-shot `crypto.hash` where Node has it (20.12+), a third of the cost of a Hash object per id. */
const md5Hex: (text: string) => string =
  typeof (crypto as { hash?: unknown }).hash === 'function'
    ? (text) => (crypto as unknown as { hash(algorithm: string, data: string): string }).hash('md5', text)
    : (text) => crypto.createHash('md5').update(text).digest('hex');

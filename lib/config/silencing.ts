import type { Problem } from '../problems';
import { notRoutedRange, tooWideTrusted, tooWideTrustedTotal, WIDEST_TRUSTED_PREFIX, type ListEntry, type ListKind } from '../guardduty/lists';

/** A list as the configuration names it: its file and what it acknowledges. */
export type ConfiguredList = { readonly name: string; readonly file: string; readonly acknowledge?: readonly string[] };

/** Problems reported for one list before the rest are counted, so a large list stays readable. */
const LISTED_ENTRY_PROBLEMS = 10;

/**
 * Entries that switch detection off without saying so, unless the list acknowledges them: threat
 * list entries GuardDuty never sees (not publicly routable), trusted list entries so wide that a
 * large part of the internet raises no finding. Shared by IP lists and entity lists, whose addresses
 * GuardDuty applies the same way; `entries` are addresses and CIDRs only.
 */
export function silencingEntries(
  entries: readonly ListEntry[],
  kind: ListKind,
  list: ConfiguredList,
  where: { shown: string; field: string; configFile: string },
): Problem[] {
  const acknowledgement = kind === 'threat' ? 'reserved-threat-range' : 'wide-trusted-range';
  if (list.acknowledge?.includes(acknowledgement)) return [];
  const howTo = `if this is on purpose, add "acknowledge": ["${acknowledgement}"] to ${where.field} in ${where.configFile}`;
  const found = entries.flatMap((entry): Problem[] => {
    if (kind === 'threat') {
      const range = notRoutedRange(entry.text);
      return range
        ? [{ file: where.shown, line: entry.line, message: `${JSON.stringify(entry.text)} is in ${range}, which is not publicly routable: GuardDuty applies lists to publicly routable addresses only, so this entry never raises a finding; ${howTo}` }]
        : [];
    }
    const wide = tooWideTrusted(entry.text);
    return wide
      ? [{ file: where.shown, line: entry.line, message: `${JSON.stringify(entry.text)} is wider than /${WIDEST_TRUSTED_PREFIX[wide.family]}: GuardDuty raises no finding for traffic with ${wide.addresses}; ${howTo}` }]
      : [];
  });
  // Entries each narrow enough can still add up: a sum of /8s silences as much as one wide range.
  const total = kind === 'trusted' && found.length === 0 ? tooWideTrustedTotal(entries.map((entry) => entry.text)) : undefined;
  if (total) {
    found.push({
      file: where.shown,
      message: `its ${entries.length.toLocaleString('en-US')} entries cover ${total.addresses} publicly routable IPv${total.family} addresses, more than one /${WIDEST_TRUSTED_PREFIX[total.family]} (${total.limit}): GuardDuty raises no finding for traffic with any of them; ${howTo}`,
    });
  }
  if (found.length <= LISTED_ENTRY_PROBLEMS) return found;
  return [
    ...found.slice(0, LISTED_ENTRY_PROBLEMS),
    { file: where.shown, message: `${(found.length - LISTED_ENTRY_PROBLEMS).toLocaleString('en-US')} more entries like these (${found.length.toLocaleString('en-US')} in all)` },
  ];
}

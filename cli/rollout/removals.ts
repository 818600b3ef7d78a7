import { instanceAttributes, resourceInstances, type StackJson } from '../common/synthesized';
import type { StackChanges } from './changes';

/**
 * What a stack's removals are, in the words of the change that caused them, so that a day-2 step at
 * 300 accounts reads "612 moved to members-wave-3, 153 of region sa-east-1" instead of 774 addresses.
 * Pure: the previous synth's JSON of the stack, the comparison and what the configuration now has.
 */

export type RemovalKind =
  /** Let go of by a `removed` block, adopted by another stack with `import` blocks: nothing deleted. */
  | 'moved'
  /** Destroyed here and created at the same address in another stack (blocks that cannot move whole). */
  | 'recreated-elsewhere'
  /** In a region the configuration no longer lists. */
  | 'region'
  /** Of a member account the configuration no longer lists. */
  | 'account'
  /** A protection plan of an account and region that stay: no longer managed there. */
  | 'plan'
  | 'other';

export interface RemovalGroup {
  readonly kind: RemovalKind;
  /** Resource instances. */
  readonly count: number;
  /** Which regions, accounts, plans or stacks, sorted. */
  readonly names: readonly string[];
}

export interface RemovalContext {
  /** The regions the configuration lists now. */
  readonly regions: ReadonlySet<string>;
  /** Every account the configuration lists now (members and the fixed accounts). */
  readonly accounts: ReadonlySet<string>;
  /** Where each address is in the current synth, when it is in another stack (blocks that cannot move whole). */
  readonly elsewhere: ReadonlyMap<string, string>;
  /** The stack that adopts each block let go of here (`<type>.<name>`). */
  readonly adoptedBy: ReadonlyMap<string, string>;
}

const ACCOUNT = /^\d{12}$/;

/** The removals and let-go instances of one stack, grouped by kind; kinds in a fixed order, empty ones left out. */
export function groupRemovals(previous: StackJson | undefined, changes: Pick<StackChanges, 'removed' | 'forgotten'>, context: RemovalContext): RemovalGroup[] {
  const facts = new Map(resourceInstances(previous ?? {}).map((instance) => [instance.address, instance]));
  const groups = new Map<RemovalKind, { count: number; names: Set<string> }>();
  const add = (kind: RemovalKind, name?: string) => {
    const group = groups.get(kind) ?? { count: 0, names: new Set<string>() };
    group.count++;
    if (name !== undefined) group.names.add(name);
    groups.set(kind, group);
  };
  for (const address of changes.forgotten) add('moved', context.adoptedBy.get(address.replace(/\[.*\]$/, '')));
  for (const address of changes.removed) {
    const elsewhere = context.elsewhere.get(address);
    if (elsewhere !== undefined) {
      add('recreated-elsewhere', elsewhere);
      continue;
    }
    const instance = facts.get(address);
    const values = instance ? instanceAttributes(instance) : {};
    const region = typeof values.region === 'string' ? values.region : undefined;
    const account = accountOf(address, values);
    if (region !== undefined && !context.regions.has(region)) add('region', region);
    else if (account !== undefined && !context.accounts.has(account)) add('account', account);
    else if (instance && /_feature$/.test(instance.block.type) && typeof values.name === 'string') add('plan', values.name);
    else add('other');
  }
  const order: RemovalKind[] = ['moved', 'recreated-elsewhere', 'region', 'account', 'plan', 'other'];
  return order.filter((kind) => groups.has(kind)).map((kind) => {
    const group = groups.get(kind) as { count: number; names: Set<string> };
    return { kind, count: group.count, names: [...group.names].sort() };
  });
}

/** The member account an instance belongs to: its `account_id`, or the account its block or key names. */
function accountOf(address: string, values: Record<string, unknown>): string | undefined {
  if (typeof values.account_id === 'string' && ACCOUNT.test(values.account_id)) return values.account_id;
  const block = /_(\d{12})(\[|$)/.exec(address);
  if (block) return block[1];
  const key = /\["(\d{12})\//.exec(address);
  return key?.[1];
}

/** One group in words: `612 moved to members-wave-3 (let go here, imported there)`. */
export function removalText(group: RemovalGroup): string {
  const names = (what: string) => `${what} ${listed(group.names)}`;
  switch (group.kind) {
    case 'moved':
      return `${group.count} moved to ${listed(group.names)} (let go here, imported there: nothing deleted)`;
    case 'recreated-elsewhere':
      return `${group.count} moved to ${listed(group.names)} (destroyed here, created there)`;
    case 'region':
      return `${group.count} of ${names(group.names.length === 1 ? 'region' : 'regions')}, no longer listed`;
    case 'account':
      return `${group.count} of ${group.names.length === 1 ? 'account' : `${group.names.length} accounts`} ${listed(group.names)}, no longer listed`;
    case 'plan':
      return `${group.count} of ${group.names.length === 1 ? 'plan' : 'plans'} ${listed(group.names)}, no longer managed (the plan stays as it is in AWS: docs/runbook.md)`;
    case 'other':
      return `${group.count} other`;
  }
}

/** At most five names, then how many more. */
function listed(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

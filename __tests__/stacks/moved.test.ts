import * as path from 'node:path';
import { instanceAttributes, resourceInstances } from '../../cli/common/synthesized';
import { PREVIOUS_LAYOUT_DIR, previousLayout, synthLayout, type AppLayout } from '../helpers/layout';

/**
 * Upgrading a deployment made with an earlier layout destroys nothing: every address of a type now
 * written as keyed blocks that is gone ships a `moved` block (or a chain of them) to an instance of
 * the new layout, of the same type, with the same arguments. The earlier layouts are committed as they
 * were synthesized for two small configurations, one per mode, with Security Hub, Detective, lists,
 * filters and imports of existing detectors, delegations and graphs: the hashed layout
 * (__tests__/fixtures/previous-layout/<mode>.layout.json, cdktf's hashed names, one resource per
 * account and region, from commit d3f9baa) and the shared layout (<mode>.shared.layout.json, keyed
 * blocks shared by the accounts of a stack, from commit c07afe0, its own moved blocks left out).
 */

type Json = Record<string, any>;

/** `type.name` to the block's arguments, per stack. */
function blocksOf(layout: AppLayout, stack: string): Map<string, Json> {
  const blocks = new Map<string, Json>();
  for (const [type, byName] of Object.entries(layout[stack]?.resource ?? {})) {
    for (const [name, attributes] of Object.entries(byName)) blocks.set(`${type}.${name}`, attributes);
  }
  return blocks;
}

/** `type.name` of an instance address (`aws_x.y["k"]` -> `aws_x.y`). */
const blockOf = (address: string) => address.replace(/\[.*\]$/, '');

/**
 * Rewrites every reference in a value to one canonical form, `<stack>:<new address>.<attribute>`:
 * locals and cross-stack outputs are followed to the resource they name, and an address of the
 * previous layout is replaced by its moved target. Two values that mean the same compare equal.
 */
class Canonical {
  constructor(
    private readonly layout: AppLayout,
    /** Old address to new, per stack. */
    private readonly moves: ReadonlyMap<string, ReadonlyMap<string, string>>,
  ) {}

  value(stack: string, value: unknown): unknown {
    if (Array.isArray(value)) return value.map((entry) => this.value(stack, entry));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, this.value(stack, entry)]));
    if (typeof value !== 'string') return value;
    // A whole value read from a local map of objects (a keyed block's environment variables, say).
    const whole = /^\$\{local\.([A-Za-z0-9_-]+)\["([^"]+)"\]\}$/.exec(value);
    const entry = whole ? (this.layout[stack].locals as Json | undefined)?.[whole[1]]?.[whole[2]] : undefined;
    if (entry !== null && typeof entry === 'object') return this.value(stack, entry);
    return this.text(stack, value);
  }

  private text(stack: string, text: string, depth = 0): string {
    if (depth > 10) throw new Error(`reference loop in ${text}`);
    return text.replace(/\$\{([^{}]*)\}/g, (whole: string, expression: string) => {
      const local = /^local\.([A-Za-z0-9_-]+)(?:\["([^"]+)"\])?$/.exec(expression);
      if (local) {
        const defined = (this.layout[stack].locals as Json | undefined)?.[local[1]];
        const target = local[2] === undefined ? defined : defined?.[local[2]];
        if (typeof target !== 'string') throw new Error(`${stack}: local ${expression} is not defined`);
        return this.text(stack, target, depth + 1);
      }
      const remote = /^data\.terraform_remote_state\.cross-stack-reference-input-([^.]+)\.outputs\.(.+)$/.exec(expression);
      if (remote) {
        const output = this.layout[remote[1]]?.output?.[remote[2]]?.value;
        if (typeof output !== 'string') throw new Error(`${stack}: ${expression} names no output of stack ${remote[1]}`);
        return this.text(remote[1], output, depth + 1);
      }
      const resource = /^([a-z0-9_]+\.[A-Za-z0-9_-]+(?:\["[^"]+"\])?)\.(.+)$/.exec(expression);
      if (resource) return `\${${stack}:${this.address(stack, resource[1])}.${resource[2]}}`;
      return whole;
    });
  }

  address(stack: string, address: string): string {
    return this.moves.get(stack)?.get(address) ?? address;
  }
}

interface Comparison {
  /** Old addresses that are gone without a move, or moved to a different type or to nothing. */
  readonly problems: string[];
  /** How many old addresses moved. */
  readonly moved: number;
}

interface CompareOptions {
  /** Every keyed instance of the new layout must be the end of a move (true for the hashed layout, which had no keys). */
  readonly everyKeyedInstanceMoves: boolean;
  /** Every address of every earlier layout, per stack: where a moved block may come from. */
  readonly earlier: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * `equal`: a block depends on exactly the blocks its instances' old resources depended on. `narrower`:
   * on some of them (the shared layout made every account's invitation wait for every account's
   * detector; an account's own blocks now wait only for its own).
   */
  readonly dependencies: 'equal' | 'narrower';
}

/** Every resource and instance address of a layout, per stack. */
function addressesOf(layout: AppLayout): Map<string, Set<string>> {
  return new Map(Object.keys(layout).map((stack) => [stack, new Set([...blocksOf(layout, stack).keys(), ...resourceInstances(layout[stack]).map((instance) => instance.address)])]));
}

/** Checks every old address of every stack against the new layout, following chains of moved blocks. */
function compareLayouts(before: AppLayout, after: AppLayout, options: CompareOptions): Comparison {
  const moves = new Map<string, Map<string, string>>();
  const problems: string[] = [];
  for (const [stack, layout] of Object.entries(after)) {
    const byFrom = new Map<string, string>();
    const byTo = new Map<string, string>();
    for (const move of layout.moved ?? []) {
      if (byFrom.has(move.from)) problems.push(`${stack}: two moved blocks from ${move.from}`);
      if (byTo.has(move.to)) problems.push(`${stack}: two moved blocks to ${move.to} (from ${byTo.get(move.to)} and ${move.from}): Terraform finds them ambiguous`);
      byFrom.set(move.from, move.to);
      byTo.set(move.to, move.from);
    }
    // Where each chain ends: Terraform follows chained moved blocks to the last one.
    const ends = new Map<string, string>();
    for (const from of byFrom.keys()) {
      let to = byFrom.get(from) as string;
      for (let hops = 0; byFrom.has(to); hops++) {
        if (hops > 10) throw new Error(`${stack}: moved blocks loop through ${to}`);
        to = byFrom.get(to) as string;
      }
      ends.set(from, to);
    }
    moves.set(stack, ends);
  }
  const canonical = new Canonical(before, moves);
  const canonicalAfter = new Canonical(after, new Map());

  let moved = 0;
  for (const stack of Object.keys(before)) {
    const oldBlocks = blocksOf(before, stack);
    const newBlocks = blocksOf(after, stack);
    const newInstances = new Map(resourceInstances(after[stack] ?? {}).map((instance) => [instance.address, instance]));
    const stackMoves = moves.get(stack) ?? new Map<string, string>();
    /** Per new block, the old dependencies of the instances moved into it. */
    const dependencies = new Map<string, Set<string>>();

    // Types now written as keyed blocks: every old address of these must move. Others may have been
    // removed by other changes since (a bus permission, a secret), which is not this test's business.
    const keyedTypes = new Set(resourceInstances(after[stack] ?? {}).filter((instance) => instance.key !== undefined).map((instance) => instance.block.type));
    const oldInstances = resourceInstances(before[stack]).map((instance) => [instance.address, instanceAttributes(instance)] as const);
    for (const [address, attributes] of oldInstances) {
      const to = stackMoves.get(address);
      if (newInstances.has(address) || (newBlocks.has(address) && oldBlocks.has(address))) {
        if (to) problems.push(`${stack}: ${address} is still declared, yet moved to ${to}`);
        continue;
      }
      if (!to && !keyedTypes.has(address.split('.')[0])) continue;
      if (!to) {
        problems.push(`${stack}: ${address} is gone without a moved block`);
        continue;
      }
      const instance = newInstances.get(to);
      if (!instance) {
        problems.push(`${stack}: ${address} moves to ${to}, which is not declared`);
        continue;
      }
      if (instance.block.type !== address.split('.')[0]) {
        problems.push(`${stack}: ${address} moves to ${to}, of another type`);
        continue;
      }
      moved++;
      const { depends_on: oldDependsOn = [], ...oldArguments } = attributes;
      const { depends_on: _newDependsOn, ...newArguments } = instanceAttributes(instance);
      const expected = canonical.value(stack, withoutCodeAsset(oldArguments));
      const actual = withoutAddedSince(canonicalAfter.value(stack, withoutCodeAsset(newArguments)));
      if (JSON.stringify(sortKeys(expected)) !== JSON.stringify(sortKeys(actual))) {
        problems.push(`${stack}: ${address} -> ${to}: arguments differ:\n  before ${JSON.stringify(sortKeys(expected))}\n  after  ${JSON.stringify(sortKeys(actual))}`);
      }
      const block = blockOf(to);
      const known = dependencies.get(block) ?? new Set<string>();
      for (const dependency of oldDependsOn as string[]) known.add(blockOf(canonical.address(stack, dependency)));
      dependencies.set(block, known);
    }
    // A block depends on whole blocks: on the ones its instances' old resources depended on.
    for (const [block, expected] of dependencies) {
      const actual = new Set<string>(newBlocks.get(block)?.depends_on ?? []);
      const narrower = [...actual].every((dependency) => expected.has(dependency)) && (actual.size > 0 || expected.size === 0);
      if (options.dependencies === 'equal' ? [...expected].sort().join() !== [...actual].sort().join() : !narrower) {
        problems.push(`${stack}: ${block} depends on ${[...actual].sort().join(', ') || 'nothing'}; its old resources on ${[...expected].sort().join(', ') || 'nothing'}`);
      }
    }
    // Moves come only from addresses that existed in an earlier layout, and end at instances the stack holds.
    for (const [from, to] of stackMoves) {
      if (!options.earlier.get(stack)?.has(from)) problems.push(`${stack}: moved block from ${from}, which no earlier layout had (to ${to})`);
      if (!newInstances.has(to)) problems.push(`${stack}: moved blocks from ${from} end at ${to}, which is not declared`);
    }
    if (options.everyKeyedInstanceMoves) {
      const targets = new Set(stackMoves.values());
      for (const instance of newInstances.values()) {
        if (instance.key !== undefined && !targets.has(instance.address)) problems.push(`${stack}: ${instance.address} has no moved block from the previous layout`);
      }
    }
    // Imports of the previous layout target the new addresses, with the same id and provider.
    const imports = (after[stack]?.import ?? []).map((entry) => JSON.stringify([entry.to, entry.id, entry.provider]));
    for (const entry of before[stack].import ?? []) {
      const expected = JSON.stringify([canonical.address(stack, entry.to), entry.id, entry.provider]);
      if (!imports.includes(expected)) problems.push(`${stack}: import of ${entry.id} into ${entry.to} is not carried to ${canonical.address(stack, entry.to)}`);
    }
  }
  return { problems, moved };
}

/**
 * Text other changes added to arguments since the layouts were recorded, an in-place update unrelated
 * to the moves: the attack-sequence e-mail rule (issue 27) may send to the dead-letter queues too; the
 * revocation role may delete the revocations it superseded (issue 22 follow-up).
 */
const ADDED_SINCE = [
  '"${admin:aws_cloudwatch_event_rule.notifications_rule-attack-sequence_E5A864F4.arn}",',
  '{"Sid":"DeleteSupersededRevocations","Effect":"Allow","Action":["iam:ListPolicyVersions","iam:DeletePolicy"],"Resource":"arn:aws:iam::333333333333:policy/guardduty-remediation/RevokeOldSessions-*"},',
];

/**
 * A function's code asset (its zip's path and hash) changes with every change to its handler, an
 * in-place update of the function: the moves are proven by the rest of its arguments (name, role,
 * environment), which tell the functions apart.
 */
function withoutCodeAsset(argumentsOf: Json): Json {
  if (!('source_code_hash' in argumentsOf)) return argumentsOf;
  const { filename: _filename, source_code_hash: _hash, ...rest } = argumentsOf;
  return rest;
}

function withoutAddedSince(value: unknown): unknown {
  if (typeof value === 'string') return ADDED_SINCE.reduce((text, added) => text.split(added).join(''), value);
  if (Array.isArray(value)) return value.map(withoutAddedSince);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withoutAddedSince(item)]));
  return value;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys((value as Json)[key])]));
  return value;
}

/**
 * The previous layouts without the stacks keyed since by a later change, which prove their moves
 * against a layout of their own (their arguments changed since d3f9baa for other reasons).
 */
const KEYED_LATER = ['sandbox-remediation'];
const withoutKeyedLater = (layout: AppLayout): AppLayout => Object.fromEntries(Object.entries(layout).filter(([stack]) => !KEYED_LATER.includes(stack)));

describe.each(['organizations', 'invitations'])('moved blocks from the earlier layouts, %s mode', (name) => {
  const hashed = previousLayout(name);
  const shared = previousLayout(`${name}.shared`);
  const after = synthLayout(path.join(PREVIOUS_LAYOUT_DIR, `${name}.json`));
  const earlier = new Map<string, Set<string>>();
  for (const layout of [hashed, shared]) for (const [stack, addresses] of addressesOf(layout)) earlier.set(stack, new Set([...(earlier.get(stack) ?? []), ...addresses]));

  it('the fixtures cover every stack kind that changed', () => {
    // The member-plans stacks came after the hashed layout: nothing of theirs to move from there.
    expect(Object.keys(after).filter((stack) => !stack.startsWith('member-plans-')).sort()).toEqual(Object.keys(hashed).sort());
    expect(Object.keys(after).sort()).toEqual(Object.keys(shared).sort());
    expect(Object.keys(hashed)).toEqual(expect.arrayContaining(['admin', 'threat-intel', 'members-wave-1', 'security-hub', 'security-hub-wave-1', 'detective', 'detective-wave-1']));
  });

  it('moves every address of the hashed layout to a new instance of the same type and arguments, and carries the imports', () => {
    const { problems, moved } = compareLayouts(withoutKeyedLater(hashed), after, { everyKeyedInstanceMoves: true, earlier, dependencies: 'equal' });
    expect(problems).toEqual([]);
    expect(moved).toBeGreaterThan(50);
  });

  it("moves every address of the shared layout (members' blocks shared by the accounts of a stack) to the account's own block", () => {
    const { problems, moved } = compareLayouts(withoutKeyedLater(shared), after, { everyKeyedInstanceMoves: false, earlier, dependencies: 'narrower' });
    expect(problems).toEqual([]);
    // Every membership and member plan of the wave stacks: a block per account now.
    const memberInstances = Object.entries(shared)
      .filter(([stack]) => /^member(s|-plans)-wave-/.test(stack))
      .flatMap(([, layout]) => resourceInstances(layout))
      .filter((instance) => /^aws_guardduty_member(_detector_feature)?$/.test(instance.block.type));
    expect(memberInstances.length).toBeGreaterThan(20);
    expect(moved).toBeGreaterThanOrEqual(memberInstances.length);
  });
});

// The remediation stack's functions, rules, targets and dead-letter alarm were keyed later (issue 22): proven
// against its own layout from just before (remediation.layout.json, every option on, two regions).
describe('moved blocks from the remediation stack before its per-region resources were keyed', () => {
  const before = previousLayout('remediation');
  const after = synthLayout(path.join(PREVIOUS_LAYOUT_DIR, 'remediation.json'));

  it("moves every old function resource, rule, target and alarm to a keyed instance of the same arguments", () => {
    const { problems, moved } = compareLayouts(before, { 'sandbox-remediation': after['sandbox-remediation'] }, { everyKeyedInstanceMoves: false, earlier: addressesOf(before), dependencies: 'equal' });
    expect(problems).toEqual([]);
    // Per region: 4 rules, 4 e-mail targets, 3 function targets, the sweep's rule and target, the
    // dead-letter alarm; 4 functions of 8 resources each; 4 invoke permissions.
    expect(moved).toBe(2 * (14 + 4 * 8 + 4));
  });
});

describe('the comparison itself', () => {
  const before = withoutKeyedLater(previousLayout('invitations'));
  const after = synthLayout(path.join(PREVIOUS_LAYOUT_DIR, 'invitations.json'));
  const earlier = addressesOf(before);
  for (const [stack, addresses] of addressesOf(previousLayout('invitations.shared'))) earlier.set(stack, new Set([...(earlier.get(stack) ?? []), ...addresses]));
  const options: CompareOptions = { everyKeyedInstanceMoves: true, earlier, dependencies: 'equal' };

  it('reports a moved block that goes missing', () => {
    const broken: AppLayout = JSON.parse(JSON.stringify(after));
    const moved = broken['members-wave-1'].moved ?? [];
    const dropped = moved.splice(moved.findIndex((move) => move.to.startsWith('aws_guardduty_detector.member_444444444444')), 1)[0];
    const { problems } = compareLayouts(before, broken, options);
    expect(problems).toContain(`members-wave-1: ${dropped.from} is gone without a moved block`);
  });

  it('reports a chain of moved blocks that is cut', () => {
    const broken: AppLayout = JSON.parse(JSON.stringify(after));
    const moved = broken['members-wave-1'].moved ?? [];
    const cut = moved.splice(moved.findIndex((move) => move.to.startsWith('aws_guardduty_member.invitation_444444444444')), 1)[0];
    const { problems } = compareLayouts(before, broken, options);
    expect(problems).toContain(`members-wave-1: ${moved.find((move) => move.to === cut.from)?.from} moves to ${cut.from}, which is not declared`);
  });

  it('reports two moved blocks to one address', () => {
    const broken: AppLayout = JSON.parse(JSON.stringify(after));
    const moved = broken['members-wave-1'].moved ?? [];
    const last = moved.find((move) => move.to.startsWith('aws_guardduty_member.invitation_444444444444')) as { from: string; to: string };
    moved.push({ from: 'aws_guardduty_member.somewhere', to: last.to });
    const { problems } = compareLayouts(before, broken, options);
    expect(problems).toContain(`members-wave-1: two moved blocks to ${last.to} (from ${last.from} and aws_guardduty_member.somewhere): Terraform finds them ambiguous`);
  });

  it('reports a moved instance whose arguments changed', () => {
    const broken: AppLayout = JSON.parse(JSON.stringify(after));
    broken['members-wave-1'].resource.aws_guardduty_member.invitation_444444444444.invitation_message = 'something else';
    const { problems } = compareLayouts(before, broken, options);
    expect(problems.filter((problem) => problem.includes('arguments differ'))).toHaveLength(2);
  });

  it('reports an import that still targets the old address', () => {
    const broken: AppLayout = JSON.parse(JSON.stringify(after));
    broken.admin = { ...broken.admin, import: [] };
    const { problems } = compareLayouts(before, broken, options);
    expect(problems).toEqual([expect.stringMatching(/^admin: import of 12abc34d567e8fa901bc2d34e56789f0@eu-west-1 into aws_guardduty_detector\.detector-eu-west-1_detector_077B7911 is not carried/)]);
  });
});

import * as path from 'node:path';
import { FOR_EACH_LOCAL_PREFIX } from '../../lib/terraform/instances';
import { resourceInstances, type ResourceInstance, type StackJson, type SynthesizedApp } from '../common/synthesized';

/**
 * What a new synth changes against a previous one, stack by stack, by resource *instance*: a region or
 * an account leaving the configuration is often one key leaving a `for_each` block, not a block leaving
 * the stack. Pure: two synthesized apps in, data out; nothing here reads AWS or any state.
 */

export type StackStatus = 'added' | 'removed' | 'changed' | 'unchanged';

export interface StackChanges {
  readonly status: StackStatus;
  /** Plan addresses of instances only the new synth has, and that no `import` block of it adopts. */
  readonly added: readonly string[];
  /** Instances only the new synth has that an `import` block of it adopts: existing objects, not created. */
  readonly imported: readonly string[];
  /** Plan addresses of instances only the previous synth has: Terraform destroys them. */
  readonly removed: readonly string[];
  /** Instances at the same address whose attributes differ. */
  readonly changed: readonly string[];
  /** Instances a `moved` block of the new synth carries to a new address: neither removed nor added. */
  readonly moved: readonly { readonly from: string; readonly to: string }[];
  /** Instances a `removed` block with `destroy = false` takes out of the state without destroying them. */
  readonly forgotten: readonly string[];
  /** Top-level parts other than resources that differ beyond losing entries: `provider`, `import`, `terraform`... */
  readonly other: readonly string[];
  /** Parts that only lost entries, with what was removed: outputs, locals and data sources of a removed region. */
  readonly shrunk: readonly string[];
}

/** A synthesized app with where it lives, so relative local-state paths can be compared by what they point to. */
export type Synthesized = Pick<SynthesizedApp, 'outdir' | 'manifest' | 'stacks'>;

/** Every stack of either synth, new synth's order first, then stacks only the previous one has. */
export function compareSynths(previous: Synthesized, next: Synthesized): Map<string, StackChanges> {
  const ids = [...new Set([...next.stacks.keys(), ...previous.stacks.keys()])];
  return new Map(
    ids.map((id) => {
      const before = previous.stacks.get(id);
      const after = next.stacks.get(id);
      return [id, compareStack(before && comparable(previous, id, before), after && comparable(next, id, after))];
    }),
  );
}

/**
 * True when a stack's changes take something out of its state: instances Terraform destroys, or that
 * a `removed` block lets go of (an account moving to another stack). Both come first, in retirement
 * order, so that a stack lets go before another one adopts.
 */
export function removesInstances(changes: StackChanges): boolean {
  return changes.removed.length > 0 || changes.forgotten.length > 0;
}

/** True when a stack's changes do something besides removing and letting go: add, import, change, or touch anything but resources and imports. */
export function changesBesidesRemovals(changes: StackChanges): boolean {
  return changes.added.length > 0 || changes.imported.length > 0 || changes.changed.length > 0 || changes.other.length > 0;
}

function compareStack(before: StackJson | undefined, after: StackJson | undefined): StackChanges {
  const instancesBefore = instanceMap(before);
  const instancesAfter = instanceMap(after);
  const moves = after ? movedMap(after, instancesBefore, instancesAfter) : new Map<string, string>();
  const forgottenAddresses = after ? forgottenSet(after, instancesBefore) : new Set<string>();
  const movedTargets = new Set(moves.values());

  const removed: string[] = [];
  const forgotten: string[] = [];
  const changed: string[] = [];
  for (const [address, instance] of instancesBefore) {
    const now = instancesAfter.get(address);
    if (now) {
      if (fingerprint(instance) !== fingerprint(now)) changed.push(address);
    } else if (moves.has(address)) {
      const target = instancesAfter.get(moves.get(address) as string) as ResourceInstance;
      if (fingerprint(instance) !== fingerprint(target)) changed.push(target.address);
    } else if (forgottenAddresses.has(address)) forgotten.push(address);
    else removed.push(address);
  }
  const adopted = new Set<string>((after?.import ?? []).map((entry: { to: string }) => entry.to));
  const fresh = [...instancesAfter.keys()].filter((address) => !instancesBefore.has(address) && !movedTargets.has(address));
  const added = fresh.filter((address) => !adopted.has(address));
  const imported = fresh.filter((address) => adopted.has(address));
  const { other, shrunk } = otherParts(before, after);
  // A move is a change too: the state is rewritten when the stack is next applied.
  const differences = added.length + imported.length + removed.length + changed.length + moves.size + forgotten.length + other.length + shrunk.length;
  const status: StackStatus = !before ? 'added' : !after ? 'removed' : differences > 0 ? 'changed' : 'unchanged';
  return {
    status,
    added,
    imported,
    removed,
    changed,
    moved: [...moves].map(([from, to]) => ({ from, to })),
    forgotten,
    other,
    shrunk,
  };
}

function instanceMap(stack: StackJson | undefined): Map<string, ResourceInstance> {
  return new Map(stack ? resourceInstances(stack).map((instance) => [instance.address, instance]) : []);
}

/**
 * Old address to new address for every previous instance a `moved` block, or a chain of them, carries
 * over. A block-level `moved` (`aws_x.a` to `aws_x.b`) carries each of its instances with its key.
 */
function movedMap(after: StackJson, before: ReadonlyMap<string, ResourceInstance>, now: ReadonlyMap<string, ResourceInstance>): Map<string, string> {
  const moves = new Map<string, string>();
  const blocks: { from: string; to: string }[] = after.moved ?? [];
  const byFrom = new Map(blocks.map((block) => [block.from, block.to]));
  const step = (address: string): string | undefined => {
    const exact = byFrom.get(address);
    if (exact !== undefined) return exact;
    for (const { from, to } of blocks) if (address.startsWith(`${from}[`) && !to.endsWith(']')) return `${to}${address.slice(from.length)}`;
    return undefined;
  };
  for (const address of before.keys()) {
    if (now.has(address)) continue;
    let target = step(address);
    for (let hops = 0; target !== undefined && !now.has(target) && hops < 10; hops++) target = step(target);
    if (target !== undefined && now.has(target)) moves.set(address, target);
  }
  return moves;
}

/** Previous instances a `removed` block with `lifecycle.destroy = false` lets go of. */
function forgottenSet(after: StackJson, before: ReadonlyMap<string, ResourceInstance>): Set<string> {
  const blocks: { from: string; lifecycle?: { destroy?: boolean } }[] = after.removed ?? [];
  const kept = blocks.filter((block) => block.lifecycle?.destroy === false).map((block) => block.from);
  return new Set([...before.keys()].filter((address) => kept.some((from) => address === from || address.startsWith(`${from}[`))));
}

/**
 * What decides an instance's configuration: its block's attributes with `each.key`, `each.value...` and
 * `count.index` replaced by this instance's own, so an instance a `moved` block carries into a
 * `for_each` block compares equal when it ends up configured the same. cdktf's `//` metadata (the
 * construct path) is left out. A reference that cannot be replaced keeps the instance's key and value
 * in the comparison instead.
 */
function fingerprint(instance: ResourceInstance): string {
  const { for_each: forEach, count, '//': _metadata, ...attributes } = instance.block.attributes;
  const each = instance.key === undefined ? undefined : forEach !== null && typeof forEach === 'object' && !Array.isArray(forEach) ? (forEach as Record<string, unknown>)[instance.key] : instance.key;
  let unresolved = false;
  const resolved = mapStrings(attributes, (text) => {
    const whole = /^\$\{(each\.key|each\.value((?:\.[A-Za-z0-9_-]+)*)|count\.index)\}$/.exec(text);
    if (whole && instance.key !== undefined) return whole[1] === 'each.value' || whole[2] !== undefined ? valueAt(each, whole[2]) : instance.key;
    const replaced = text.replace(/\$\{(each\.key|each\.value((?:\.[A-Za-z0-9_-]+)*)|count\.index)\}/g, (reference, name: string, path: string | undefined) => {
      if (instance.key === undefined) return reference;
      const value = name === 'each.key' || name === 'count.index' ? instance.key : valueAt(each, path);
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : reference;
    });
    if (/\b(each\.|count\.index)/.test(replaced)) unresolved = true;
    return replaced;
  });
  // A block whose size is only known at plan time counts as a whole, with its iteration.
  const iteration = instance.key === undefined ? { forEach, count } : unresolved ? { each, key: instance.key } : {};
  return stableJson({ attributes: resolved, ...iteration });
}

/** `value` at `.a.b` (a dotted path, possibly empty). */
function valueAt(value: unknown, dotted: string | undefined): unknown {
  let current = value;
  for (const segment of (dotted ?? '').split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** A copy of a JSON value with every string passed through `map` (which may return any value). */
function mapStrings(value: unknown, map: (text: string) => unknown): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, map));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, map)]));
  return value;
}

/** Parts that are compared as a whole; `moved` and `removed` are honoured above, `//` is cdktf's metadata. */
const NOT_COMPARED = new Set(['resource', 'moved', 'removed', '//']);

function otherParts(stackBefore: StackJson | undefined, stackAfter: StackJson | undefined): { other: string[]; shrunk: string[] } {
  if (!stackBefore || !stackAfter) return { other: [], shrunk: [] };
  const before = withoutForEachMaps(stackBefore);
  const after = withoutForEachMaps(stackAfter);
  const keys = [...new Set([...Object.keys(after), ...Object.keys(before)])].filter((key) => !NOT_COMPARED.has(key));
  const differing = keys.filter((key) => stableJson(before[key]) !== stableJson(after[key]));
  const shrunk = differing.filter((key) => after[key] !== undefined && stableJson(withoutEntriesMissingFrom(before[key], after[key], 2)) === stableJson(after[key]));
  return { other: differing.filter((key) => !shrunk.includes(key)), shrunk };
}

/** The for_each maps are compared instance by instance, through the blocks that iterate over them, not as locals. */
function withoutForEachMaps(stack: StackJson): StackJson {
  if (!stack.locals) return stack;
  const locals = Object.fromEntries(Object.entries(stack.locals).filter(([name]) => !name.startsWith(FOR_EACH_LOCAL_PREFIX)));
  const { locals: _all, ...rest } = stack;
  return Object.keys(locals).length > 0 ? { ...rest, locals } : rest;
}

/**
 * `before` without the object entries `after` lacks, `levels` deep (`data.<type>.<name>`): equal to
 * `after` when the part only lost entries. Lists are compared whole.
 */
function withoutEntriesMissingFrom(before: unknown, after: unknown, levels: number): unknown {
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (levels === 0 || !isObject(before) || !isObject(after)) return before;
  return Object.fromEntries(
    Object.entries(before)
      .filter(([key]) => key in after)
      .map(([key, value]) => [key, withoutEntriesMissingFrom(value, after[key], levels - 1)]),
  );
}

/**
 * The stack's JSON as far as it decides what Terraform does. Relative local-state paths are made
 * absolute: they are written relative to the folder each synth ran in, so the same state reads
 * differently from two output folders. A data source's `depends_on` is left out: it only orders the
 * read (a prerequisite check reading the organization after every delegation loses one when a
 * region goes), and a read creates, changes and destroys nothing.
 */
function comparable(app: Synthesized, id: string, stack: StackJson): StackJson {
  const workingDirectory = path.resolve(app.outdir, app.manifest.stacks[id]?.workingDirectory ?? path.join('stacks', id));
  const resolve = (value: unknown) => (typeof value === 'string' ? path.resolve(workingDirectory, value) : value);
  const copy: StackJson = { ...stack };
  const local = stack.terraform?.backend?.local;
  if (local?.path !== undefined) copy.terraform = { ...stack.terraform, backend: { ...stack.terraform.backend, local: { ...local, path: resolve(local.path) } } };
  if (stack.data) {
    copy.data = Object.fromEntries(
      Object.entries<Record<string, Record<string, any>>>(stack.data).map(([type, byName]) => [
        type,
        Object.fromEntries(
          Object.entries(byName).map(([name, { depends_on: _order, ...source }]) => [
            name,
            type === 'terraform_remote_state' && source.backend === 'local' && source.config?.path !== undefined
              ? { ...source, config: { ...source.config, path: resolve(source.config.path) } }
              : source,
          ]),
        ),
      ]),
    );
  }
  return copy;
}

/** JSON with object keys sorted, so two equal documents give one string. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

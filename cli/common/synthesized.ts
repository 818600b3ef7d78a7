import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What `cdktf synth` wrote: the manifest and each stack's Terraform JSON, read back as data. The
 * rollout plan and the review report count and describe what was actually synthesized, not what the
 * code intends, so that they cannot drift from the stacks other people add.
 */

/** One stack's Terraform JSON (`cdk.tf.json`). */
export type StackJson = Record<string, any>;

export interface ManifestStack {
  readonly name: string;
  /** Stacks deployed before this one: explicit dependencies and cross-stack references alike. */
  readonly dependencies: readonly string[];
  readonly workingDirectory: string;
  readonly synthesizedStackPath: string;
}

export interface Manifest {
  readonly stacks: Readonly<Record<string, ManifestStack>>;
}

export interface SynthesizedApp {
  readonly outdir: string;
  readonly manifest: Manifest;
  /** Stack JSON by stack id, in manifest order. */
  readonly stacks: ReadonlyMap<string, StackJson>;
}

/**
 * @param written the JSON of stacks this process has just written, by stack id: taken as it is
 *   instead of being read back (a thousand invited accounts write a hundred megabytes)
 */
export function readSynthesized(outdir: string, written: ReadonlyMap<string, StackJson> = new Map()): SynthesizedApp {
  const manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as Manifest;
  const stacks = new Map<string, StackJson>();
  for (const [id, entry] of Object.entries(manifest.stacks)) {
    stacks.set(id, written.get(id) ?? JSON.parse(readFileSync(path.join(outdir, entry.synthesizedStackPath), 'utf8')));
  }
  return { outdir, manifest, stacks };
}

/** One resource block: its Terraform address and attributes. */
export interface ResourceBlock {
  /** `<type>.<name>`, the address Terraform keeps it under in the state. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
}

/**
 * Every resource block of a stack. A `for_each` that names a local map (`${local.for_each_<hash>}`, as
 * the stacks write them: lib/terraform/instances.ts) is read as that map, so the instances are known.
 */
export function resourceBlocks(stack: StackJson): ResourceBlock[] {
  const blocks: ResourceBlock[] = [];
  for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(stack.resource ?? {})) {
    for (const [name, attributes] of Object.entries(byName)) {
      blocks.push({ address: `${type}.${name}`, type, name, attributes: withLocalForEach(stack, attributes) });
    }
  }
  return blocks;
}

function withLocalForEach(stack: StackJson, attributes: Record<string, unknown>): Record<string, unknown> {
  const local = typeof attributes.for_each === 'string' ? /^\$\{local\.([A-Za-z0-9_-]+)\}$/.exec(attributes.for_each) : null;
  const map = local ? stack.locals?.[local[1]] : undefined;
  return map !== null && typeof map === 'object' ? { ...attributes, for_each: map } : attributes;
}

/**
 * How many resource instances a block stands for: a literal `count` or `for_each` expands; one whose
 * size is only known at plan time counts once and is reported as dynamic.
 */
export function instanceCount(attributes: Record<string, unknown>): { count: number; dynamic: boolean } {
  const { count, for_each: forEach } = attributes;
  if (typeof count === 'number') return { count, dynamic: false };
  if (Array.isArray(forEach)) return { count: forEach.length, dynamic: false };
  if (forEach !== null && typeof forEach === 'object') return { count: Object.keys(forEach).length, dynamic: false };
  return { count: 1, dynamic: count !== undefined || forEach !== undefined };
}

/** One resource instance: a block without `count`/`for_each`, or one key of a literal `for_each`. */
export interface ResourceInstance {
  /** `<type>.<name>` or `<type>.<name>["<key>"]` (`[<index>]` for `count`): the address in plans and state. */
  readonly address: string;
  readonly block: ResourceBlock;
  /** The `for_each` key or `count` index; absent for a single instance. */
  readonly key?: string | number;
}

/**
 * Every instance of every resource block, with the address Terraform shows for it. A block whose
 * `count` or `for_each` is only known at plan time stands for itself (its block address), as in
 * `instanceCount`.
 */
export function resourceInstances(stack: StackJson): ResourceInstance[] {
  const instances: ResourceInstance[] = [];
  for (const block of resourceBlocks(stack)) {
    const { count, for_each: forEach } = block.attributes;
    let keys: (string | number)[] | undefined;
    if (typeof count === 'number') keys = Array.from({ length: count }, (_, index) => index);
    else if (Array.isArray(forEach)) keys = forEach.map(String);
    else if (forEach !== null && typeof forEach === 'object') keys = Object.keys(forEach);
    if (!keys) instances.push({ address: block.address, block });
    else for (const key of keys) instances.push({ address: `${block.address}[${typeof key === 'number' ? key : JSON.stringify(key)}]`, block, key });
  }
  return instances;
}

/**
 * One instance's arguments as Terraform sees them: the block's, without `for_each`, with `each.key`
 * and `each.value...` read from the literal map (a whole `${each.value.x}` takes the value's type;
 * inside a longer expression it becomes a literal), and `dynamic` blocks over such a value expanded.
 * Other references stay as they are. A single instance's arguments are the block's.
 */
export function instanceAttributes(instance: ResourceInstance): Record<string, unknown> {
  const { for_each: forEach, count: _count, '//': _metadata, ...attributes } = instance.block.attributes;
  if (instance.key === undefined) return attributes;
  const key = instance.key;
  const value = Array.isArray(forEach) || typeof key === 'number' ? key : (forEach as Record<string, unknown>)[key];
  const scope = new Map<string, unknown>([['each.key', key], ['each.value', value]]);
  const evaluated = substitute(attributes, scope) as Record<string, unknown>;
  return expandDynamicBlocks(evaluated);
}

/** The regions a stack's resource instances name: literal, or read from a keyed block's instance values. */
export function stackRegions(stack: StackJson): string[] {
  const regions = new Set<string>();
  for (const instance of resourceInstances(stack)) {
    const region = instanceAttributes(instance).region;
    if (typeof region === 'string' && !region.includes('${')) regions.add(region);
  }
  return [...regions];
}

/**
 * Arguments with the whole values a keyed block reads from a local map by key
 * (`${local.remediation_function_environments["us-west-2/isolate-instance"]}`) replaced by the map's
 * entry, as Terraform reads them. Other references stay.
 */
export function withLocalEntries(stack: StackJson, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((entry) => withLocalEntries(stack, entry));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withLocalEntries(stack, entry)]));
  if (typeof value !== 'string') return value;
  const whole = /^\$\{local\.([\w-]+)\["([^"]+)"\]\}$/.exec(value);
  const entry = whole ? (stack.locals as Record<string, Record<string, unknown>> | undefined)?.[whole[1]]?.[whole[2]] : undefined;
  return entry === undefined ? value : withLocalEntries(stack, entry);
}

/** `${...}` expressions in a string (ours never nest braces). */
const EXPRESSION = /\$\{([^{}]*)\}/g;
/** `each.value.region`, `each.key`, `additional_configuration.value.name`: a variable and its path. */
const VARIABLE = /\b(each\.key|each\.value|[a-z_]+\.value)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)/g;

function lookup(scope: ReadonlyMap<string, unknown>, variable: string, path: string): { found: boolean; value?: unknown } {
  if (!scope.has(variable)) return { found: false };
  let value = scope.get(variable);
  for (const part of path.split('.').filter(Boolean)) {
    if (value === null || typeof value !== 'object' || !(part in value)) return { found: false };
    value = (value as Record<string, unknown>)[part];
  }
  return { found: true, value };
}

function substitute(value: unknown, scope: ReadonlyMap<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((entry) => substitute(entry, scope));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, substitute(entry, scope)]));
  }
  if (typeof value !== 'string') return value;
  const whole = /^\$\{([^{}]*)\}$/.exec(value);
  if (whole) {
    const variable = new RegExp(`^${VARIABLE.source}$`).exec(whole[1].trim());
    if (variable) {
      const found = lookup(scope, variable[1], variable[2]);
      if (found.found) return found.value;
    }
  }
  return value.replace(EXPRESSION, (expression: string, inner: string) => {
    const replaced = inner.replace(VARIABLE, (text: string, variable: string, path: string) => {
      const found = lookup(scope, variable, path);
      return found.found ? JSON.stringify(found.value) : text;
    });
    const literal = /^\s*("(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|true|false)\s*$/.exec(replaced);
    if (!literal) return replaced === inner ? expression : `\${${replaced}}`;
    const parsed = JSON.parse(literal[1]);
    return typeof parsed === 'string' ? parsed : String(parsed);
  });
}

function expandDynamicBlocks(attributes: Record<string, unknown>): Record<string, unknown> {
  const { dynamic, ...rest } = attributes as Record<string, unknown> & { dynamic?: Record<string, { for_each: unknown; iterator?: string; content: unknown }> };
  if (!dynamic) return rest;
  for (const [block, { for_each: items, iterator, content }] of Object.entries(dynamic)) {
    if (!Array.isArray(items)) {
      rest.dynamic = { ...((rest.dynamic as object | undefined) ?? {}), [block]: { for_each: items, content } };
      continue;
    }
    rest[block] = items.map((item) => substitute(content, new Map([[`${iterator ?? block}.value`, item]])));
  }
  return rest;
}

export interface ResourceCounts {
  readonly total: number;
  /** Instances by resource type, types sorted by name. */
  readonly byType: Readonly<Record<string, number>>;
  /** Addresses whose number of instances is only known at plan time (counted once). */
  readonly dynamic: readonly string[];
}

export function resourceCounts(stack: StackJson): ResourceCounts {
  const byType: Record<string, number> = {};
  const dynamic: string[] = [];
  let total = 0;
  for (const block of resourceBlocks(stack)) {
    const { count, dynamic: isDynamic } = instanceCount(block.attributes);
    byType[block.type] = (byType[block.type] ?? 0) + count;
    total += count;
    if (isDynamic) dynamic.push(block.address);
  }
  const sorted = Object.fromEntries(Object.entries(byType).sort(([a], [b]) => a.localeCompare(b)));
  return { total, byType: sorted, dynamic };
}

/** A block repeated with a literal `for_each`: one instance per readable key. */
export interface KeyedBlockSummary {
  /** `<type>.<name>`; blocks of one account each (`member_<account>`, `feature_<account>`) are summed as `<type>.member_<account>`. */
  readonly address: string;
  /** How many blocks the row stands for (one, or one per member account). */
  readonly blocks: number;
  readonly instances: number;
  /** The first instance's address, as plans and `terraform state list` show it. */
  readonly example: string;
}

export function keyedBlocks(stack: StackJson): KeyedBlockSummary[] {
  const rows = new Map<string, { blocks: number; instances: number; example: string }>();
  for (const block of resourceBlocks(stack)) {
    const forEach = block.attributes.for_each;
    if (forEach === null || typeof forEach !== 'object' || Array.isArray(forEach)) continue;
    const keys = Object.keys(forEach);
    if (keys.length === 0) continue;
    const perAccount = /^(.+)_\d{12}$/.exec(block.name);
    const address = perAccount ? `${block.type}.${perAccount[1]}_<account>` : block.address;
    const row = rows.get(address) ?? { blocks: 0, instances: 0, example: `${block.address}[${JSON.stringify(keys[0])}]` };
    row.blocks++;
    row.instances += keys.length;
    rows.set(address, row);
  }
  return [...rows].map(([address, row]) => ({ address, ...row }));
}

/** A `moved` block: the state of `from` is kept under `to`. */
export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

export function movedBlocks(stack: StackJson): MovedBlock[] {
  return stack.moved ?? [];
}

/** An existing cloud object that Terraform adopts into the state (an `import` block) instead of creating. */
export interface ImportedResource {
  readonly address: string;
  /** The import id, such as `<detector id>@<region>`. */
  readonly id: string;
}

export function importedResources(stack: StackJson): ImportedResource[] {
  const imports: { to: string; id: string }[] = stack.import ?? [];
  return imports.map((entry) => ({ address: entry.to, id: entry.id }));
}

/** Where a stack keeps its state, in words a reviewer can act on. */
export interface StateLocation {
  readonly type: string;
  /** The state file, object or workspace. */
  readonly location: string;
  /** HCP Terraform (`cloud`, `remote`): the workspace that holds the state. */
  readonly workspace?: string;
}

/**
 * @param projectDir local state paths are shown relative to this folder
 */
export function stateLocation(app: Pick<SynthesizedApp, 'outdir' | 'manifest'>, stackId: string, stack: StackJson, projectDir: string): StateLocation {
  const backends: Record<string, Record<string, any>> = stack.terraform?.backend ?? {};
  const cloud = stack.terraform?.cloud as Record<string, any> | undefined;
  if (cloud) {
    const workspace = cloud.workspaces?.name ?? `tags ${JSON.stringify(cloud.workspaces?.tags ?? [])}`;
    return {
      type: 'cloud',
      location: `${cloud.hostname ?? 'app.terraform.io'} / ${cloud.organization} / workspace ${workspace}`,
      ...(cloud.workspaces?.name ? { workspace: cloud.workspaces.name } : {}),
    };
  }
  const [type, settings] = Object.entries(backends)[0] ?? ['local', {}];
  switch (type) {
    case 'local': {
      const workingDirectory = path.resolve(app.outdir, app.manifest.stacks[stackId]?.workingDirectory ?? path.join('stacks', stackId));
      const file = path.resolve(workingDirectory, settings.path ?? 'terraform.tfstate');
      return { type, location: path.relative(projectDir, file) || file };
    }
    case 's3':
      return { type, location: `s3://${settings.bucket}/${settings.key} (${settings.region})` };
    case 'remote':
      return { type, location: `${settings.hostname ?? 'app.terraform.io'} / ${settings.organization} / workspace ${settings.workspaces?.name ?? settings.workspaces?.prefix}` };
    default:
      return { type, location: JSON.stringify(settings) };
  }
}

/**
 * A value as written in the stack JSON when it is known before apply: a literal, or a reference
 * (`${aws_cloudwatch_event_bus.x.name}`) to a literal attribute of another resource of the stack.
 * Undefined for anything Terraform computes.
 */
export function literalValue(stack: StackJson, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (!value.includes('${')) return value;
  const reference = /^\$\{([\w-]+)\.([\w-]+)\.([\w-]+)\}$/.exec(value);
  if (!reference) return undefined;
  const [, type, name, attribute] = reference;
  const target = stack.resource?.[type]?.[name]?.[attribute];
  return typeof target === 'string' && !target.includes('${') ? target : undefined;
}

/** The account a resource's provider is pinned to (`allowed_account_ids`); undefined when not pinned to one. */
export function resourceAccount(stack: StackJson, attributes: Record<string, unknown>): string | undefined {
  const [type, alias] = String(attributes.provider ?? 'aws').split('.');
  const providers: Record<string, unknown>[] = stack.provider?.[type] ?? [];
  const provider = providers.find((entry) => entry.alias === alias);
  const ids = provider?.allowed_account_ids;
  return Array.isArray(ids) && ids.length === 1 ? String(ids[0]) : undefined;
}

import { createHash } from 'node:crypto';
import { ref, TerraformStack, Token, type ITerraformIterator, type TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { instanceAddress } from './addresses';
import { escapeTemplate } from './literal-text';

/**
 * Resources repeated per region or per account and region, written once per stack with `for_each`
 * over a map with readable keys, so that plans and state read
 * `aws_guardduty_member.member_333333333333["eu-west-1"]`. The map is a local of the stack
 * (`for_each = local.for_each_<hash>`), written once however many blocks iterate over it (the blocks
 * of a wave stack's accounts iterate over the same regions): a literal map in each block cost
 * `terraform plan` about 6 s of CPU a block of 102 instances (a 1,938-instance stack: 155.5 s with
 * literal maps, 49.5 s with locals; docs/benchmark.md, plan time).
 *
 * The maps, and the `moved` and `import` blocks that go with them, are plain data, and a stack writes
 * them into its Terraform JSON after cdktf has resolved its tokens (see `KeyedBlocks.writeInto`):
 * cdktf walks every string three times looking for tokens, which at a thousand invited accounts in 17
 * regions was most of synth time for data that holds none.
 */

/** What an instance carries: plain data (never a token, never a Terraform expression: text is escaped). */
export type InstanceValue = string | number | boolean | readonly InstanceValue[] | { readonly [key: string]: InstanceValue };
export type InstanceValues = { readonly [key: string]: InstanceValue };

/**
 * The instances of one resource block: key to values. As the block's `forEach`, it gives the
 * expressions that read the current instance's values.
 */
export class Instances<V extends InstanceValues> implements ITerraformIterator {
  /**
   * Key to values, in insertion order (Terraform sorts them by key anyway): the literal `for_each` map.
   * Without a prototype: an object with thousands of unique keys is a dictionary in V8 anyway, and
   * building it as one skips a hidden class per key.
   */
  private readonly map: Record<string, V> = Object.create(null);
  private readonly keyList: string[] = [];

  constructor(entries: Iterable<readonly [string, V]>) {
    for (const [key, value] of entries) {
      if (key in this.map) throw new Error(`instance key ${JSON.stringify(key)} is used twice`);
      // A key is also an address (moved and import blocks name it): it must be plain text.
      if (holdsTemplate(key)) throw new Error(`instance key ${JSON.stringify(key)}: a key must not hold "\${" or "%{"`);
      this.map[key] = escapedValue(value) as V;
      this.keyList.push(key);
    }
  }

  /** One instance per item. */
  static of<T, V extends InstanceValues>(items: Iterable<T>, key: (item: T) => string, value: (item: T) => V): Instances<V> {
    return new Instances([...items].map((item) => [key(item), value(item)] as const));
  }

  /** One instance per region, keyed by the region's name: the shape of most keyed blocks. */
  static byRegion(regions: Iterable<string>): Instances<{ region: string }> {
    return Instances.of(regions, (region) => region, (region) => ({ region }));
  }

  /** `${each.value.<name>}`: the current instance's value, for an argument of the block. */
  value(name: keyof V & string): string {
    return expression(`each.value.${name}`);
  }

  has(key: string): boolean {
    return key in this.map;
  }

  get size(): number {
    return this.keyList.length;
  }

  keys(): readonly string[] {
    return this.keyList;
  }

  /** The literal `for_each` map. */
  toForEach(): Readonly<Record<string, V>> {
    return this.map;
  }

  /** @internal cdktf's hook for the `for_each` argument: the real map is written by `KeyedBlocks`. */
  _getForEachExpression(): string {
    return FOR_EACH_PLACEHOLDER;
  }

  /**
   * @internal CDK Terrain's hook for an iterator read inside a for expression or a `dynamic` block
   * (`keys()`, `values()`, `TerraformDynamicBlock`). Instances are only ever a resource's `for_each`:
   * their map is written after cdktf has resolved the stack, so such an expression would read the
   * placeholder. Refused instead; `eachNestedBlock` writes the `dynamic` blocks the code needs.
   */
  _getForExpressionInput(): never {
    throw new Error('instances are only a resource\'s forEach: read them with value(), or nest blocks with eachNestedBlock()');
  }
}

const FOR_EACH_PLACEHOLDER = '<written by KeyedBlocks>';

const holdsTemplate = (text: string) => text.includes('${') || text.includes('%{');

/**
 * An instance's value with `${` and `%{` escaped in its text (lib/terraform/literal-text.ts): the map is written
 * after cdktf has resolved the stack, so configuration text in it stays data the same way. Copied
 * only where something changes; field names are the code's own.
 */
function escapedValue(value: InstanceValue): InstanceValue {
  if (typeof value === 'string') return holdsTemplate(value) ? escapeTemplate(value) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const items = value.map(escapedValue);
    return items.some((item, index) => item !== value[index]) ? items : value;
  }
  const record = value as { readonly [field: string]: InstanceValue };
  let copy: Record<string, InstanceValue> | undefined;
  // for...in, not Object.entries: a quarter of a million values at a thousand invited accounts.
  for (const field in record) {
    const item = record[field];
    const escaped = escapedValue(item);
    if (escaped !== item) (copy ??= { ...record })[field] = escaped;
  }
  return copy ?? record;
}

/**
 * A Terraform expression of the product's own, as a cdktf token (`${<text>}` once resolved): literal
 * text of a stack is escaped (lib/terraform/literal-text.ts), tokens are not.
 */
export function expression(text: string): string {
  return Token.asString(ref(text));
}

/**
 * `${<type>.<name>[<key expression>].<attribute>}` for an argument of another block in the same stack,
 * such as `detector_id = aws_guardduty_detector.detector[each.value.region].id`.
 */
export function eachReference(resource: TerraformResource, keyExpression: string, attribute: string): string {
  return expression(`${resource.terraformResourceType}.${resource.friendlyUniqueId}[${keyExpression}].${attribute}`);
}

/**
 * One instance's attribute as a cdktf token, so that another stack may use it too (cdktf turns it into
 * an output and a remote-state read there).
 */
export function instanceReference(resource: TerraformResource, key: string, attribute: string): string {
  const address = instanceAddress(resource.terraformResourceType, resource.friendlyUniqueId, key);
  return Token.asString(ref(`${address}.${attribute}`, TerraformStack.of(resource)));
}

/**
 * A nested block repeated per element of a list in the instance's values (`dynamic` in Terraform),
 * such as a feature's `additional_configuration`. `fields` are read from each element.
 */
export function eachNestedBlock(resource: TerraformResource, block: string, listValue: string, fields: readonly string[]): void {
  resource.addOverride(`dynamic.${block}`, {
    for_each: expression(`each.value.${listValue}`),
    content: Object.fromEntries(fields.map((field) => [field, expression(`${block}.value.${field}`)])),
  });
}

/** A value per region, read for a keyed instance's region: `at('each.value.region')`. */
export interface ByRegion {
  at(regionExpression: string): string;
}

export interface MovedBlock {
  readonly from: string;
  readonly to: string;
}

export interface ImportBlock {
  readonly to: string;
  readonly id: string;
  /** `aws` or `aws.<alias>`. */
  readonly provider: string;
}

/** The prefix of the locals that hold the `for_each` maps, which readers of the JSON resolve (cli/common/synthesized.ts). */
export const FOR_EACH_LOCAL_PREFIX = 'for_each_';

/** The local a map is written to: named by its content, so the same map is one local and keeps its name from one synth to the next. */
export function forEachLocalName(map: unknown): string {
  return `${FOR_EACH_LOCAL_PREFIX}${createHash('sha256').update(JSON.stringify(map)).digest('hex').slice(0, 12)}`;
}

/** A keyed resource block of a stack and its instances. */
export interface KeyedBlock {
  readonly resource: TerraformResource;
  readonly instances: Instances<InstanceValues>;
}

/**
 * Where a keyed block's instances were kept before, by block (given its resolved arguments): a
 * function of the instance giving the addresses it had, oldest first (empty for none); undefined for a
 * block with no past.
 */
export type PreviousAddresses = (block: {
  readonly type: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}) => ((key: string, value: Readonly<Record<string, unknown>>) => readonly string[]) | undefined;

const ID = 'keyed-blocks';

/**
 * The keyed blocks of one stack, with the `moved` and `import` blocks that target their instances, and
 * the one place that writes them into the stack's JSON. A stack that holds keyed blocks creates it
 * (`KeyedBlocks.enable`) and calls `writeInto` from its `toTerraform`.
 */
export class KeyedBlocks extends Construct {
  private readonly blocks: KeyedBlock[] = [];
  private readonly moves: MovedBlock[] = [];
  private readonly imports: ImportBlock[] = [];

  static enable(stack: TerraformStack): KeyedBlocks {
    return new KeyedBlocks(stack, ID);
  }

  static of(scope: Construct): KeyedBlocks {
    const stack = TerraformStack.of(scope);
    const found = stack.node.tryFindChild(ID);
    if (!(found instanceof KeyedBlocks)) throw new Error(`stack ${stack.node.id} does not write keyed blocks: build it as an OrgStack`);
    return found;
  }

  /**
   * Gives a resource created with `forEach: instances` its readable block name, and has its map
   * written. Returns the resource.
   */
  static add<R extends TerraformResource>(resource: R, name: string, instances: Instances<InstanceValues>): R {
    if (resource.forEach !== instances) throw new Error(`${resource.node.path}: create the resource with forEach set to its instances`);
    const keyed = KeyedBlocks.of(resource);
    const type = resource.terraformResourceType;
    if (keyed.blocks.some((block) => block.resource.terraformResourceType === type && block.resource.friendlyUniqueId === name)) {
      throw new Error(`${resource.node.path}: stack ${TerraformStack.of(resource).node.id} already has a block ${type}.${name}`);
    }
    resource.overrideLogicalId(name);
    keyed.blocks.push({ resource, instances });
    return resource;
  }

  /** Imports an existing object into one instance (`<type>.<name>["<key>"]`) instead of creating it. */
  static importInto(resource: TerraformResource, key: string, id: string): void {
    const provider = resource.provider ? `aws${resource.provider.alias ? `.${resource.provider.alias}` : ''}` : 'aws';
    KeyedBlocks.of(resource).imports.push({ to: instanceAddress(resource.terraformResourceType, resource.friendlyUniqueId, key), id, provider });
  }

  /** Declares that the resource at `from` (an address of an earlier layout) is now `to`. */
  moved(from: string, to: string): void {
    this.moves.push({ from, to });
  }

  /**
   * Writes the `for_each` maps, the `moved` blocks (from each instance's `previous` addresses, a chain
   * oldest first, and those declared with `moved`) and the `import` blocks into the stack's resolved
   * JSON. A declared `moved` or an `import` block must target an instance declared here.
   */
  writeInto(tf: Record<string, any>, previous?: PreviousAddresses): void {
    const moves: MovedBlock[] = [];
    const locals = new Map<Instances<InstanceValues>, string>();
    for (const { resource, instances } of this.blocks) {
      const type = resource.terraformResourceType;
      const name = resource.friendlyUniqueId;
      const block = tf.resource?.[type]?.[name];
      if (!block || block.for_each !== FOR_EACH_PLACEHOLDER) throw new Error(`${type}.${name}: keyed block missing from the synthesized stack`);
      const map = instances.toForEach();
      let local = locals.get(instances);
      if (local === undefined) {
        local = forEachLocalName(map);
        locals.set(instances, local);
        (tf.locals ??= {})[local] = map;
      }
      block.for_each = `\${local.${local}}`;
      const from = previous?.({ type, name, arguments: block });
      if (!from) continue;
      for (const key of instances.keys()) {
        const chain = from(key, map[key]);
        if (chain.length === 0) continue;
        const to = instanceAddress(type, name, key);
        chain.forEach((address, index) => moves.push({ from: address, to: chain[index + 1] ?? to }));
      }
    }
    const undeclared = [...this.moves, ...this.imports].map((entry) => entry.to).filter((to) => !this.declares(to));
    if (undeclared.length > 0) throw new Error(`moved or import blocks target undeclared instances: ${undeclared.slice(0, 5).join(', ')}`);
    moves.push(...this.moves);
    if (moves.length > 0) tf.moved = [...(tf.moved ?? []), ...moves];
    if (this.imports.length > 0) tf.import = [...(tf.import ?? []), ...this.imports];
  }

  /** Whether `<type>.<name>["<key>"]` is an instance of a keyed block of this stack. */
  private declares(address: string): boolean {
    const parsed = /^([^.]+)\.([^[]+)\[("(?:[^"\\]|\\.)*")\]$/.exec(address);
    if (!parsed) return false;
    const key = JSON.parse(parsed[3]) as string;
    return this.blocks.some(({ resource, instances }) => resource.terraformResourceType === parsed[1] && resource.friendlyUniqueId === parsed[2] && instances.has(key));
  }
}

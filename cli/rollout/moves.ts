import * as path from 'node:path';
import { instanceAddress } from '../../lib/terraform/addresses';
import { instanceAttributes, resourceBlocks, resourceInstances, type StackJson, type SynthesizedApp } from '../common/synthesized';

/**
 * Member accounts whose blocks leave one stack for another between two synths (an account moved to
 * another wave, a wave cut again), and what carries them across without deleting anything: Terraform's
 * own cross-state move, a `removed` block with `destroy = false` in the stack they leave and an
 * `import` block for each instance in the stack they join. Pure: synthesized JSON in, JSON out.
 *
 * An account's GuardDuty blocks are blocks of its own (`aws_guardduty_member.member_<account>`,
 * modules/membership.ts) because a `removed` block names a whole block, never an instance.
 */

/** The blocks a member account moves with: its own blocks (`<name>_<account>`) of these types. */
const MOVABLE_TYPES: ReadonlySet<string> = new Set(['aws_guardduty_member', 'aws_guardduty_detector', 'aws_guardduty_invite_accepter', 'aws_guardduty_member_detector_feature']);
const ACCOUNT_BLOCK = /_(\d{12})$/;

export interface AccountMove {
  readonly account: string;
  /** The stack of the previous synth it leaves. */
  readonly from: string;
  /** The stack of the current synth it joins. */
  readonly to: string;
  /** `<type>.<name>` of each block that moves. */
  readonly blocks: readonly string[];
}

/** Every account whose blocks are in another stack of the current synth than in the previous one, by account and stack. */
export function accountMoves(previous: Pick<SynthesizedApp, 'stacks'>, current: Pick<SynthesizedApp, 'stacks'>): AccountMove[] {
  const now = new Map<string, string>();
  for (const [stack, json] of current.stacks) for (const block of movableBlocks(json)) now.set(block, stack);
  const moves = new Map<string, { account: string; from: string; to: string; blocks: string[] }>();
  for (const [stack, json] of previous.stacks) {
    for (const block of movableBlocks(json)) {
      const to = now.get(block);
      if (to === undefined || to === stack) continue;
      const account = (ACCOUNT_BLOCK.exec(block) as RegExpExecArray)[1];
      const key = `${account} ${stack} ${to}`;
      const move = moves.get(key) ?? { account, from: stack, to, blocks: [] };
      move.blocks.push(block);
      moves.set(key, move);
    }
  }
  return [...moves.values()].map((move) => ({ ...move, blocks: move.blocks.sort() }));
}

function movableBlocks(json: StackJson): string[] {
  return resourceBlocks(json)
    .filter((block) => MOVABLE_TYPES.has(block.type) && ACCOUNT_BLOCK.test(block.name))
    .map((block) => block.address);
}

/**
 * The stack JSON that lets go of the moving blocks: a `removed` block with `destroy = false` for each,
 * and the provider configurations they were managed with (Terraform needs the provider even to forget
 * an object; an invited member's provider is gone from a stack the member left).
 */
export function letGo(json: StackJson, blocks: readonly string[], previous: StackJson): StackJson {
  const providers: Record<string, unknown>[] = [...(json.provider?.aws ?? [])];
  const aliases = new Set(providers.map((provider) => provider.alias));
  for (const block of blocks) {
    const alias = providerAlias(previous, block);
    if (alias === undefined || aliases.has(alias)) continue;
    const provider = (previous.provider?.aws ?? []).find((candidate: Record<string, unknown>) => candidate.alias === alias);
    if (!provider) throw new Error(`${block}: provider aws.${alias} is in neither synth`);
    providers.push(provider);
    aliases.add(alias);
  }
  return {
    ...json,
    ...(providers.length > 0 ? { provider: { ...json.provider, aws: providers } } : {}),
    removed: [...(json.removed ?? []), ...blocks.map((from) => ({ from, lifecycle: { destroy: false } }))],
  };
}

/** The alias of a block's provider (`aws.member-444444444444` gives `member-444444444444`), undefined for the default one. */
function providerAlias(json: StackJson, block: string): string | undefined {
  const [type, name] = block.split('.');
  const provider = json.resource?.[type]?.[name]?.provider;
  const alias = typeof provider === 'string' ? /^aws\.(.+)$/.exec(provider)?.[1] : undefined;
  return alias;
}

/** `data.aws_guardduty_detector.<name>`: the detector of a member that moves in, read to import it by its id. */
export function adoptedDetectorsName(account: string): string {
  return `adopted_member_${account}`;
}

/**
 * The stack JSON that adopts the moving blocks: an `import` block for each instance, with the id the
 * provider imports it by (AWS provider 6: `<id>@<region>`), and for an invited member's own detector
 * and acceptance a data source that reads its detector's id in each region through the member's
 * provider. A member's protection plan cannot be imported; its resource sets the plan again (an update
 * of the member's detector), and the stack it left only forgot it.
 */
export function adopt(json: StackJson, blocks: readonly string[]): StackJson {
  const imports: { to: string; id: string; provider: string }[] = [];
  const detectors: Record<string, Record<string, unknown>> = {};
  for (const block of blocks) {
    const [type, name] = block.split('.');
    const attributes = json.resource?.[type]?.[name];
    if (!attributes) throw new Error(`${block} is not in the stack it joins`);
    const provider = typeof attributes.provider === 'string' ? attributes.provider : 'aws';
    const account = (ACCOUNT_BLOCK.exec(name) as RegExpExecArray)[1];
    for (const instance of resourceInstances({ resource: { [type]: { [name]: attributes } }, locals: json.locals })) {
      const values = instanceAttributes(instance);
      const region = String(values.region);
      const key = String(instance.key);
      let id: string | undefined;
      if (type === 'aws_guardduty_member') {
        id = `${values.detector_id}:${values.account_id}@${region}`;
      } else if (type === 'aws_guardduty_detector' || type === 'aws_guardduty_invite_accepter') {
        const source = adoptedDetectorsName(account);
        detectors[source] ??= { for_each: {}, provider, region: '${each.key}' };
        (detectors[source].for_each as Record<string, unknown>)[region] = {};
        id = `\${data.aws_guardduty_detector.${source}[${JSON.stringify(region)}].id}@${region}`;
      }
      if (id !== undefined) imports.push({ to: instanceAddress(type, name, key), id, provider });
    }
  }
  const data = Object.keys(detectors).length === 0 ? json.data : { ...json.data, aws_guardduty_detector: { ...json.data?.aws_guardduty_detector, ...detectors } };
  return { ...json, ...(data ? { data } : {}), ...(imports.length > 0 ? { import: [...(json.import ?? []), ...imports] } : {}) };
}

/**
 * For a stack only the previous synth has: its backend and providers without any resource, so that
 * applying it destroys everything its state holds, less the blocks it lets go of (`letGo`), which
 * another stack adopts. A local state path is written again for where this JSON is applied.
 */
export function retirement(previous: StackJson, from: { readonly workingDirectory: string }, to: { readonly workingDirectory: string }): StackJson {
  const terraform = { ...previous.terraform };
  const local = previous.terraform?.backend?.local;
  if (local?.path !== undefined) {
    const state = path.resolve(from.workingDirectory, local.path);
    terraform.backend = { ...previous.terraform.backend, local: { ...local, path: path.relative(to.workingDirectory, state) } };
  }
  return { ...(previous['//'] ? { '//': previous['//'] } : {}), terraform, ...(previous.provider ? { provider: previous.provider } : {}) };
}

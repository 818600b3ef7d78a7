import * as path from 'node:path';
import type { OrgConfig } from '../../lib/config/load';
import { deploySteps, STACK_IDS, type AccountRole, type PlannedStack, type StackKind, type StackPlan } from '../../lib/plan/stacks';
import { CommandFailure, shellCommand, shellQuote } from '../common/command';
import { resourceCounts, resourceInstances, stackRegions, stateLocation, type StackJson, type SynthesizedApp } from '../common/synthesized';
import { changesBesidesRemovals, compareSynths, removesInstances, type StackChanges } from './changes';
import { accountMoves, adopt, letGo, retirement, type AccountMove } from './moves';
import { groupRemovals, type RemovalContext } from './removals';
import {
  cdktfCommand,
  needsIgnoreFlag,
  rolloutStack,
  stackDirectory,
  stepCommand,
  type CommandOptions,
  type Rollout,
  type RolloutStack,
  type RolloutStep,
  type StepCommand,
} from './rollout';

/**
 * `rollout plan --since <previous synth>`: the deploy order when the configuration removes something,
 * or moves a member account to another stack.
 *
 * Deploying in plain deploy order after a removal deletes in the wrong order: the `admin` stack goes
 * first and destroys a region's administrator detector while that region's members and delegation
 * still exist, and GuardDuty refuses ("detector has members"). So the steps come in two phases:
 *
 * 1. **remove**, in retirement order (members, then organization configuration and delegation, then
 *    detectors): every stack that loses resource instances or lets go of them. A stack only the
 *    previous synth has is retired (its backend and providers without resources: applying it destroys
 *    what its state holds); a stack whose only changes are removals is deployed as a whole; a stack
 *    that also adds or changes something is split: Terraform is run on it directly with a `-target`
 *    per removed instance (and per block let go of), which plans those and nothing else of the stack's
 *    own changes (it does apply pending changes to what they depend on, which the step's plan shows).
 * 2. **deploy**, in deploy order: every stack of the new synth, except those phase 1 deployed whole.
 *
 * A member account whose blocks move to another stack (moved to another wave, or a wave cut again) is
 * let go of by its old stack in phase 1 (`removed` blocks, `destroy = false`) and adopted by its new
 * one in phase 2 (`import` blocks): nothing in AWS is deleted (lib `moves.ts` writes both).
 *
 * Every command applies the rollout's own folder as it is (`--output <folder> --skip-synth`, or
 * `terraform -chdir=<folder>/stacks/<id>`): the synth the changes were measured on, no other.
 */

/** The synth that is deployed now, as the rollout measured it. */
export interface CurrentSynth {
  /** With the cross-state moves written in (`prepareSince`). */
  readonly app: SynthesizedApp;
  /** Folder the rollout's commands apply, relative to the project: the rollout's own. */
  readonly outputDir: string;
  /** Stacks only the previous synth has, as written into `outputDir` to retire them (`prepareSince`). */
  readonly retired?: ReadonlyMap<string, StackJson>;
  /** The member accounts that change stack. @default none */
  readonly moves?: readonly AccountMove[];
}

export interface PreviousSynth {
  /** As the operator named it: a folder or a git commit. */
  readonly label: string;
  readonly app: SynthesizedApp;
  /** Folder it is in, relative to the project. */
  readonly outputDir: string;
  /** The previous configuration's stack plan, when the previous synth was made from it here (a git commit). */
  readonly plan?: StackPlan;
}

/** What the rollout writes into its folder beside the synth: the stacks as changed, and the retired ones. */
export interface PreparedSince {
  /** Stacks of the current synth whose JSON the cross-state moves change, by id. */
  readonly changed: ReadonlyMap<string, StackJson>;
  /** Stacks only the previous synth has, by id: their retirement JSON. */
  readonly retired: ReadonlyMap<string, StackJson>;
  readonly moves: readonly AccountMove[];
}

/**
 * The JSON the rollout's folder holds beside the plain synth: for every member account that changes
 * stack, `removed` blocks where it was and `import` blocks where it goes; for every stack only the
 * previous synth has, a configuration that retires it. Pure.
 *
 * @param workingDirectory where Terraform runs for a stack of the current folder (absolute)
 */
export function prepareSince(previous: Pick<SynthesizedApp, 'outdir' | 'manifest' | 'stacks'>, current: Pick<SynthesizedApp, 'stacks'>, workingDirectory: (id: string) => string): PreparedSince {
  const moves = accountMoves(previous, current);
  const changed = new Map<string, StackJson>();
  const retired = new Map<string, StackJson>();
  for (const [id, json] of previous.stacks) {
    if (current.stacks.has(id)) continue;
    const from = path.resolve(previous.outdir, previous.manifest.stacks[id]?.workingDirectory ?? path.join('stacks', id));
    retired.set(id, retirement(json, { workingDirectory: from }, { workingDirectory: workingDirectory(id) }));
  }
  const json = (id: string) => changed.get(id) ?? retired.get(id) ?? (current.stacks.get(id) as StackJson);
  const put = (id: string, value: StackJson) => (retired.has(id) ? retired.set(id, value) : changed.set(id, value));
  for (const move of moves) {
    put(move.from, letGo(json(move.from), move.blocks, previous.stacks.get(move.from) as StackJson));
    put(move.to, adopt(json(move.to), move.blocks));
  }
  return { changed, retired, moves };
}

/** The stacks of an app with those `prepared` changes. */
export function withPrepared(app: SynthesizedApp, prepared: Pick<PreparedSince, 'changed'>): SynthesizedApp {
  return { ...app, stacks: new Map([...app.stacks].map(([id, json]) => [id, prepared.changed.get(id) ?? json])) };
}

/** More `-target` arguments than this go to a file the printed command reads. */
export const TARGETS_INLINE = 20;

export function sinceRollout(
  config: Pick<OrgConfig, 'name' | 'mode' | 'accounts' | 'baseDir' | 'regions' | 'members'>,
  plan: StackPlan,
  current: CurrentSynth,
  previous: PreviousSynth,
  options: CommandOptions = {},
): Rollout {
  const commandOptions: CommandOptions = { ...options, skipSynth: true };
  const retired = current.retired ?? new Map<string, StackJson>();
  // Retired stacks are compared with what their retirement JSON keeps (nothing, or blocks let go of).
  const compared: SynthesizedApp = { ...current.app, stacks: new Map([...current.app.stacks, ...retired]) };
  checkStateLocations(config, compared, previous.app);
  const changes = new Map([...compareSynths(previous.app, compared)].map(([id, change]) => [id, retired.has(id) ? { ...change, status: 'removed' as const } : change]));
  const planned = new Map(plan.stacks.map((stack) => [stack.id, stack]));
  const previouslyPlanned = new Map((previous.plan?.stacks ?? []).map((stack) => [stack.id, stack]));
  const context = removalContext(config, previous.app, current);

  // One dependency graph over both synths: a stack only the previous synth has keeps its place.
  const dependencies = new Map<string, string[]>();
  for (const id of changes.keys()) {
    const own = [...(planned.get(id)?.dependsOn ?? []), ...(current.app.manifest.stacks[id]?.dependencies ?? [])];
    const before = planned.has(id) ? [] : (previous.app.manifest.stacks[id]?.dependencies ?? []);
    dependencies.set(id, [...new Set([...own, ...before])].filter((dependency) => changes.has(dependency)));
  }
  const depth = depths(dependencies);

  const steps: RolloutStep[] = [];
  const removing = [...changes].filter(([, change]) => removesInstances(change)).map(([id]) => id);
  const byDepth = new Map<number, string[]>();
  for (const id of removing) byDepth.set(depth.get(id) as number, [...(byDepth.get(depth.get(id) as number) ?? []), id]);
  const deployedWhole = new Set<string>();
  const directory = (id: string) => stackDirectory(current.app.manifest, id, current.outputDir);

  for (const level of [...byDepth.keys()].sort((a, b) => b - a)) {
    const ids = byDepth.get(level) as string[];
    const gone = ids.filter((id) => retired.has(id));
    const whole = ids.filter((id) => !gone.includes(id) && !changesBesidesRemovals(changes.get(id) as StackChanges));
    const split = ids.filter((id) => !gone.includes(id) && !whole.includes(id));
    whole.forEach((id) => deployedWhole.add(id));

    const commands: StepCommand[] = [];
    for (const id of gone) commands.push(...terraformApply(directory(id), []));
    if (whole.length > 0) commands.push(stepCommand(cdktfCommand('deploy', whole, needsIgnoreFlag('deploy', whole, dependencies), commandOptions, current.outputDir)));
    for (const id of split) commands.push(...terraformApply(directory(id), targets(changes.get(id) as StackChanges)));

    const stacks = ids.map((id): RolloutStack => {
      const change = changes.get(id) as StackChanges;
      if (gone.includes(id)) {
        const json = previous.app.stacks.get(id) as StackJson;
        return rolloutStack(previouslyPlanned.get(id) ?? describeFromJson(id, json, config), {
          dependsOn: dependencies.get(id) as string[],
          counts: resourceCounts(json),
          state: stateLocation(previous.app, id, json, config.baseDir),
          directory: directory(id),
          planArguments: [],
          changes: change,
          removals: groupRemovals(json, change, context),
        });
      }
      return currentStack(id, change, split.includes(id) ? targets(change) : []);
    });
    steps.push({ step: steps.length + 1, phase: 'remove', stacks, commands });
  }

  for (const group of deploySteps(plan)) {
    const ids = group.map((stack) => stack.id).filter((id) => !deployedWhole.has(id));
    if (ids.length === 0) continue;
    steps.push({
      step: steps.length + 1,
      phase: 'deploy',
      stacks: ids.map((id) => currentStack(id, changes.get(id) as StackChanges, [])),
      commands: [stepCommand(cdktfCommand('deploy', ids, needsIgnoreFlag('deploy', ids, dependencies), commandOptions, current.outputDir))],
    });
  }
  const moves = (current.moves ?? []).map((move) => ({ account: move.account, from: move.from, to: move.to }));
  return { name: config.name, mode: config.mode, direction: 'deploy', since: previous.label, outputDir: current.outputDir, ...(moves.length > 0 ? { moves } : {}), steps };

  function currentStack(id: string, change: StackChanges, planArguments: readonly string[]): RolloutStack {
    const json = current.app.stacks.get(id) as StackJson;
    return rolloutStack(planned.get(id) as PlannedStack, {
      dependsOn: dependencies.get(id) as string[],
      counts: resourceCounts(json),
      state: stateLocation(current.app, id, json, config.baseDir),
      directory: directory(id),
      planArguments,
      changes: change,
      removals: groupRemovals(previous.app.stacks.get(id), change, context),
    });
  }
}

/**
 * `terraform init` and `apply` in a stack's folder, with the `-target` arguments of a split step: on
 * the command line when they are few, otherwise from a file beside the stack (`removals.targets`, one a
 * line) that the printed command reads, so that no printed line runs to thousands of characters.
 */
function terraformApply(directory: string, targetArguments: readonly string[]): StepCommand[] {
  const init = stepCommand(['terraform', `-chdir=${directory}`, 'init', '-input=false']);
  const apply = ['terraform', `-chdir=${directory}`, 'apply', '-input=false', '-auto-approve'];
  if (targetArguments.length <= TARGETS_INLINE) return [init, stepCommand([...apply, ...targetArguments])];
  const file = path.posix.join(directory, TARGETS_FILE);
  // tr and xargs -0: every line one argument, the quotes and brackets of an address left as they are.
  const command = `tr '\\n' '\\0' < ${shellQuote(file)} | xargs -0 ${shellCommand(apply)}`;
  return [init, { argv: ['sh', '-c', command], command, targets: { file, arguments: targetArguments } }];
}

/** The file beside a split stack's configuration that holds its `-target` arguments, one a line. */
export const TARGETS_FILE = 'removals.targets';

/**
 * `-target` for every instance the stack loses, and for every block it lets go of: a targeted orphan
 * is planned for destruction alone, a targeted block of a `removed` block is let go of alone.
 */
export function targets(change: Pick<StackChanges, 'removed' | 'forgotten'>): string[] {
  const blocks = [...new Set(change.forgotten.map((address) => address.replace(/\[.*\]$/, '')))];
  return [...change.removed, ...blocks].map((address) => `-target=${address}`);
}

/** What the removals of each stack are measured against: the configuration now, and where blocks went. */
function removalContext(config: Pick<OrgConfig, 'regions' | 'members' | 'accounts'>, previous: SynthesizedApp, current: CurrentSynth): RemovalContext {
  const adoptedBy = new Map<string, string>();
  for (const move of current.moves ?? []) for (const block of move.blocks) adoptedBy.set(block, move.to);
  const where = new Map<string, string>();
  for (const [id, json] of current.app.stacks) for (const instance of resourceInstances(json)) where.set(instance.address, id);
  const elsewhere = new Map<string, string>();
  for (const [id, json] of previous.stacks) {
    for (const instance of resourceInstances(json)) {
      const now = where.get(instance.address);
      if (now !== undefined && now !== id) elsewhere.set(instance.address, now);
    }
  }
  return {
    regions: new Set(config.regions),
    accounts: new Set([...config.members.map((member) => member.id), ...Object.values(config.accounts).filter((id): id is string => typeof id === 'string')]),
    elsewhere,
    adoptedBy,
  };
}

/** Longest path from a stack without dependencies: deploy order by level, retirement order in reverse. */
function depths(dependencies: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) throw new Error(`stack dependencies form a cycle through ${id}`);
    visiting.add(id);
    const value = Math.max(-1, ...(dependencies.get(id) ?? []).map(visit)) + 1;
    visiting.delete(id);
    depth.set(id, value);
    return value;
  };
  for (const id of dependencies.keys()) visit(id);
  return depth;
}

/**
 * A stack the previous synth has and the current one keeps must keep its state where it was: a moved
 * state is a migration (`terraform init -migrate-state`), not a rollout step, and a previous output
 * copied away from where it was synthesized reads local states through paths that no longer lead there.
 */
function checkStateLocations(config: Pick<OrgConfig, 'baseDir'>, current: SynthesizedApp, previous: SynthesizedApp): void {
  const moved: string[] = [];
  for (const [id, json] of current.stacks) {
    const before = previous.stacks.get(id);
    if (!before) continue;
    const now = stateLocation(current, id, json, config.baseDir).location;
    const then = stateLocation(previous, id, before, config.baseDir).location;
    if (now !== then) moved.push(`  - ${id}: previously ${then}, now ${now}`);
  }
  if (moved.length > 0) {
    throw new CommandFailure(
      `the previous synth keeps ${moved.length === 1 ? 'a stack' : 'stacks'} state elsewhere:\n${moved.join('\n')}\n` +
        'Migrate the state first (terraform init -migrate-state in the stack folder), or pass the previous output from where it was synthesized (local state paths are relative to it).',
    );
  }
}

/** What the JSON tells about a stack only a previous output folder has (no configuration to plan it from). */
function describeFromJson(id: string, json: StackJson, config: Pick<OrgConfig, 'accounts'>): Pick<PlannedStack, 'id' | 'kind' | 'description' | 'accounts' | 'regions' | 'members'> {
  const roles = new Map<string, AccountRole>(Object.entries(config.accounts).map(([role, account]) => [account, role as AccountRole]));
  const providers: Record<string, any>[] = json.provider?.aws ?? [];
  const accounts = [...new Set(providers.flatMap((provider) => (provider.allowed_account_ids ?? []) as string[]))].map((account) => ({ role: roles.get(account) ?? 'member', id: account }));
  return {
    id,
    kind: stackKind(id),
    description: 'not in the current configuration: retired, what its state holds is destroyed or let go of',
    accounts,
    regions: stackRegions(json),
    members: [],
  };
}

/** The kind of a stack by its id, as `lib/plan/stacks.ts` names stacks. */
export function stackKind(id: string): StackKind {
  const fixed: Record<string, StackKind> = {
    [STACK_IDS.admin]: 'admin',
    [STACK_IDS.organization]: 'organization',
    [STACK_IDS.threatIntel]: 'threat-intel',
    [STACK_IDS.remediation]: 'remediation',
    [STACK_IDS.remediationScp]: 'remediation-scp',
    [STACK_IDS.simulation]: 'simulation',
    [STACK_IDS.securityHub]: 'security-hub',
    [STACK_IDS.detective]: 'detective',
  };
  if (fixed[id]) return fixed[id];
  if (/^malware-protection-\d{12}$/.test(id)) return 'malware-protection';
  const wave = /^(members|member-plans|security-hub|detective)-wave-\d+(-part-\d+)?$/.exec(id);
  if (wave) return wave[1] === 'members' || wave[1] === 'member-plans' ? wave[1] : (`${wave[1]}-members` as StackKind);
  throw new CommandFailure(`stack ${id} of the previous synth is not a stack this app makes`);
}

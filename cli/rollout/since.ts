import type { OrgConfig } from '../../lib/config/load';
import { deploySteps, STACK_IDS, type AccountRole, type PlannedStack, type StackKind, type StackPlan } from '../../lib/plan/stacks';
import { CommandFailure } from '../common/command';
import { resourceCounts, stateLocation, type StackJson, type SynthesizedApp } from '../common/synthesized';
import { changesBesidesRemovals, compareSynths, removesInstances, type StackChanges } from './changes';
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
 * `rollout plan --since <previous synth>`: the deploy order when the configuration removes something.
 *
 * Deploying in plain deploy order after a removal deletes in the wrong order: the `admin` stack goes
 * first and destroys a region's administrator detector while that region's members and delegation
 * still exist, and GuardDuty refuses ("detector has members"). So the steps come in two phases:
 *
 * 1. **remove**, in retirement order (members, then organization configuration and delegation, then
 *    detectors): every stack that loses resource instances. A stack only the previous synth has is
 *    destroyed from that synth (`cdktf destroy --output <previous>`); a stack whose only changes are
 *    removals is deployed as a whole (`cdktf deploy`); a stack that also adds or changes something is
 *    split: Terraform is run on it directly with one `-target` per removed instance, which plans the
 *    destruction of those instances and nothing else of the stack's own changes (it does apply pending
 *    changes to what they depend on, which the step's plan shows).
 * 2. **deploy**, in deploy order: every stack of the new synth, except those phase 1 deployed whole.
 *
 * Every command applies the synthesized output as it is (`--skip-synth`): the comparison was made
 * against exactly that output.
 */

/** The synth that is deployed now, as the rollout counts and compares it. */
export interface CurrentSynth {
  readonly app: SynthesizedApp;
  /** Folder the rollout's commands apply, relative to the project (`cdktf.out`). */
  readonly outputDir: string;
}

export interface PreviousSynth {
  /** As the operator named it: a folder or a git commit. */
  readonly label: string;
  readonly app: SynthesizedApp;
  /** Folder that commands destroying a stack only it has use, relative to the project. */
  readonly outputDir: string;
  /** The previous configuration's stack plan, when the previous synth was made from it here (a git commit). */
  readonly plan?: StackPlan;
}

export function sinceRollout(
  config: Pick<OrgConfig, 'name' | 'mode' | 'accounts' | 'baseDir'>,
  plan: StackPlan,
  current: CurrentSynth,
  previous: PreviousSynth,
  options: CommandOptions = {},
): Rollout {
  const commandOptions: CommandOptions = { ...options, skipSynth: true };
  checkStateLocations(config, current.app, previous.app);
  const changes = compareSynths(previous.app, current.app);
  const planned = new Map(plan.stacks.map((stack) => [stack.id, stack]));
  const previouslyPlanned = new Map((previous.plan?.stacks ?? []).map((stack) => [stack.id, stack]));

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

  for (const level of [...byDepth.keys()].sort((a, b) => b - a)) {
    const ids = byDepth.get(level) as string[];
    const gone = ids.filter((id) => changes.get(id)?.status === 'removed');
    const whole = ids.filter((id) => !gone.includes(id) && !changesBesidesRemovals(changes.get(id) as StackChanges));
    const split = ids.filter((id) => !gone.includes(id) && !whole.includes(id));
    whole.forEach((id) => deployedWhole.add(id));

    const commands: StepCommand[] = [];
    if (gone.length > 0) {
      const before = new Map(Object.entries(previous.app.manifest.stacks).map(([id, entry]) => [id, entry.dependencies]));
      commands.push(stepCommand(cdktfCommand('destroy', gone, needsIgnoreFlag('destroy', gone, before), commandOptions, previous.outputDir)));
    }
    if (whole.length > 0) commands.push(stepCommand(cdktfCommand('deploy', whole, needsIgnoreFlag('deploy', whole, dependencies), commandOptions)));
    for (const id of split) {
      const directory = stackDirectory(current.app.manifest, id, current.outputDir);
      commands.push(stepCommand(['terraform', `-chdir=${directory}`, 'init', '-input=false']));
      commands.push(stepCommand(['terraform', `-chdir=${directory}`, 'apply', '-input=false', '-auto-approve', ...targets(changes.get(id) as StackChanges)]));
    }

    const stacks = ids.map((id): RolloutStack => {
      const change = changes.get(id) as StackChanges;
      if (gone.includes(id)) {
        const json = previous.app.stacks.get(id) as StackJson;
        return rolloutStack(previouslyPlanned.get(id) ?? describeFromJson(id, json, config), {
          dependsOn: dependencies.get(id) as string[],
          counts: resourceCounts(json),
          state: stateLocation(previous.app, id, json, config.baseDir),
          directory: stackDirectory(previous.app.manifest, id, previous.outputDir),
          planArguments: ['-destroy'],
          changes: change,
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
      commands: [stepCommand(cdktfCommand('deploy', ids, needsIgnoreFlag('deploy', ids, dependencies), commandOptions))],
    });
  }
  return { name: config.name, mode: config.mode, direction: 'deploy', since: previous.label, steps };

  function currentStack(id: string, change: StackChanges, planArguments: readonly string[]): RolloutStack {
    const json = current.app.stacks.get(id) as StackJson;
    return rolloutStack(planned.get(id) as PlannedStack, {
      dependsOn: dependencies.get(id) as string[],
      counts: resourceCounts(json),
      state: stateLocation(current.app, id, json, config.baseDir),
      directory: stackDirectory(current.app.manifest, id, current.outputDir),
      planArguments,
      changes: change,
    });
  }
}

/** `-target` for every instance the stack loses: a targeted orphan is planned for destruction alone. */
export function targets(change: StackChanges): string[] {
  return change.removed.map((address) => `-target=${address}`);
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
  const regions = new Set<string>();
  for (const byName of Object.values<Record<string, any>>(json.resource ?? {})) {
    for (const resource of Object.values<Record<string, any>>(byName)) if (typeof resource.region === 'string' && !resource.region.includes('${')) regions.add(resource.region);
  }
  return {
    id,
    kind: stackKind(id),
    description: 'not in the current configuration: everything its state holds is destroyed',
    accounts,
    regions: [...regions],
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

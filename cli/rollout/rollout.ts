import type { OrgConfig } from '../../lib/config/load';
import { deploySteps, type PlannedStack, type StackAccount, type StackPlan } from '../../lib/plan';
import type { Manifest, StateLocation } from '../common/synthesized';

/**
 * The rollout as a pipeline runs it: steps of stacks, each step deployable on its own once the steps
 * before it are done, with the exact `cdktf` command for each step. Retirement is the same steps in
 * reverse. Pure: the stack plan and (optionally) the synthesized resource counts go in, data comes out.
 */

export type Direction = 'deploy' | 'destroy';

export interface RolloutStack extends Pick<PlannedStack, 'id' | 'kind' | 'description' | 'accounts' | 'regions'> {
  /** Stacks deployed before this one: the plan's, and with a manifest also cdktf's (cross-stack references). */
  readonly dependsOn: readonly string[];
  /** Resource instances in the synthesized stack, when counted. */
  readonly resources?: number;
  readonly resourcesByType?: Readonly<Record<string, number>>;
  /** Where the stack's state lives (backend type and file, object or workspace), when synthesized. */
  readonly state?: StateLocation;
}

export interface RolloutStep {
  /** 1-based, in the order the steps run. */
  readonly step: number;
  readonly stacks: readonly RolloutStack[];
  /** The command as arguments, for pipelines that do not go through a shell. */
  readonly argv: readonly string[];
  readonly command: string;
}

export interface Rollout {
  readonly name: string;
  readonly mode: string;
  readonly direction: Direction;
  readonly steps: readonly RolloutStep[];
}

export interface CommandOptions {
  /**
   * How many stacks of one step cdktf runs at once (`--parallelism`).
   * @default every stack of the step at once
   */
  readonly parallelism?: number;
  /**
   * Deploy what is already in cdktf.out (`--skip-synth`), so a pipeline applies exactly what was
   * synthesized and reviewed.
   * @default false
   */
  readonly skipSynth?: boolean;
}

export interface StackCounts {
  readonly total: number;
  readonly byType: Readonly<Record<string, number>>;
}

/** What a synth adds to the plan, when the rollout is computed from a synthesized app. */
export interface Synthesized {
  /** Resource counts by stack id. */
  readonly counts?: ReadonlyMap<string, StackCounts>;
  /** cdktf's own dependencies (cross-stack references included) decide which steps need the ignore flag. */
  readonly manifest?: Manifest;
  /** State location by stack id. */
  readonly states?: ReadonlyMap<string, StateLocation>;
}

/** Deploy order of the plan, first step first. */
export function deployRollout(
  config: Pick<OrgConfig, 'name' | 'mode'>,
  plan: StackPlan,
  synthesized: Synthesized = {},
  options: CommandOptions = {},
): Rollout {
  const groups = deploySteps(plan).map((stacks) => stacks.map((stack) => stack.id));
  return rollout(config, plan, groups, 'deploy', synthesized, options);
}

/**
 * Retirement order: the deploy steps reversed, so every stack is destroyed only after everything that
 * depends on it. Members are removed before the organization configuration and delegation, and those
 * before the detectors, so GuardDuty never refuses with "detector has members".
 */
export function destroyRollout(
  config: Pick<OrgConfig, 'name' | 'mode'>,
  plan: StackPlan,
  synthesized: Synthesized = {},
  options: CommandOptions = {},
): Rollout {
  const groups = deploySteps(plan)
    .reverse()
    .map((stacks) => stacks.map((stack) => stack.id));
  return rollout(config, plan, groups, 'destroy', synthesized, options);
}

function rollout(
  config: Pick<OrgConfig, 'name' | 'mode'>,
  plan: StackPlan,
  groups: readonly string[][],
  direction: Direction,
  synthesized: Synthesized,
  options: CommandOptions,
): Rollout {
  const byId = new Map(plan.stacks.map((stack) => [stack.id, stack]));
  const dependencies = new Map(
    plan.stacks.map((stack) => [stack.id, [...new Set([...stack.dependsOn, ...(synthesized.manifest?.stacks[stack.id]?.dependencies ?? [])])]]),
  );
  const steps = groups.map((ids, index): RolloutStep => {
    const argv = cdktfCommand(direction, ids, needsIgnoreFlag(direction, ids, dependencies), options);
    return {
      step: index + 1,
      stacks: ids.map((id) =>
        rolloutStack(byId.get(id) as PlannedStack, dependencies.get(id) as string[], synthesized.counts?.get(id), synthesized.states?.get(id)),
      ),
      argv,
      command: argv.join(' '),
    };
  });
  return { name: config.name, mode: config.mode, direction, steps };
}

function rolloutStack(
  stack: PlannedStack,
  dependsOn: readonly string[],
  counts: StackCounts | undefined,
  state: StateLocation | undefined,
): RolloutStack {
  return {
    id: stack.id,
    kind: stack.kind,
    description: stack.description,
    accounts: stack.accounts,
    regions: stack.regions,
    dependsOn,
    ...(counts ? { resources: counts.total, resourcesByType: counts.byType } : {}),
    ...(state ? { state } : {}),
  };
}

/**
 * cdktf refuses to deploy a stack without its dependencies in the same command, and to destroy one
 * without its dependants; a step run on its own after (or before) the others needs the flag that
 * skips that check.
 */
function needsIgnoreFlag(direction: Direction, ids: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): boolean {
  const inStep = new Set(ids);
  const edges = [...dependencies].flatMap(([stack, on]) => on.map((dependency) => ({ stack, dependency })));
  return direction === 'deploy'
    ? edges.some((edge) => inStep.has(edge.stack) && !inStep.has(edge.dependency))
    : edges.some((edge) => inStep.has(edge.dependency) && !inStep.has(edge.stack));
}

/** The `cdktf deploy|destroy` arguments for one step (flags as cdktf-cli 0.21 spells them). */
export function cdktfCommand(direction: Direction, ids: readonly string[], ignoreMissing: boolean, options: CommandOptions = {}): string[] {
  if (options.parallelism !== undefined && (!Number.isInteger(options.parallelism) || options.parallelism < 1)) {
    throw new Error(`parallelism must be a positive whole number; got ${options.parallelism}`);
  }
  return [
    'cdktf',
    direction,
    ...ids,
    '--auto-approve',
    ...(ignoreMissing ? ['--ignore-missing-stack-dependencies'] : []),
    ...(options.parallelism !== undefined ? ['--parallelism', String(options.parallelism)] : []),
    ...(options.skipSynth ? ['--skip-synth'] : []),
  ];
}

/**
 * Where the stack plan and the dependencies cdktf wrote into manifest.json disagree: a stack on one
 * side only, a planned dependency cdktf does not know, or a dependency cdktf found (such as a
 * cross-stack reference) that the steps do not put earlier. Empty when they agree.
 */
export function manifestDisagreements(plan: StackPlan, manifest: Manifest): string[] {
  const problems: string[] = [];
  const step = new Map<string, number>();
  deploySteps(plan).forEach((stacks, index) => stacks.forEach((stack) => step.set(stack.id, index)));
  const synthesized = Object.keys(manifest.stacks);
  for (const id of synthesized) if (!step.has(id)) problems.push(`${id}: synthesized but not in the stack plan`);
  for (const stack of plan.stacks) {
    const entry = manifest.stacks[stack.id];
    if (!entry) {
      problems.push(`${stack.id}: in the stack plan but not synthesized`);
      continue;
    }
    for (const dependency of stack.dependsOn) {
      if (!entry.dependencies.includes(dependency)) problems.push(`${stack.id}: planned to depend on ${dependency}, but cdktf does not know it`);
    }
    for (const dependency of entry.dependencies) {
      const before = step.get(dependency);
      if (before === undefined || before >= (step.get(stack.id) as number)) {
        problems.push(`${stack.id}: cdktf deploys it after ${dependency}, which the plan does not put in an earlier step`);
      }
    }
  }
  return problems;
}

/** The rollout in words, for a person at a terminal or a pipeline log. */
export function formatRollout(rollout: Rollout): string {
  const stackCount = rollout.steps.reduce((sum, step) => sum + step.stacks.length, 0);
  const verb = rollout.direction === 'deploy' ? 'Deploy' : 'Destroy';
  const lines = [`${verb} order for ${rollout.name} (${rollout.mode} mode): ${stackCount} stacks in ${rollout.steps.length} steps`];
  if (rollout.direction === 'destroy') {
    lines.push('Members go first, then the organization configuration and delegation, then the detectors.');
  }
  const width = Math.max(0, ...rollout.steps.flatMap((step) => step.stacks.map((stack) => stack.id.length)));
  for (const step of rollout.steps) {
    const parallel = step.stacks.length > 1 ? `, ${step.stacks.length} stacks in parallel` : '';
    lines.push('', `Step ${step.step}${parallel}`);
    for (const stack of step.stacks) {
      const resources = stack.resources === undefined ? '' : `; ${stack.resources} resource${stack.resources === 1 ? '' : 's'}`;
      lines.push(`  ${stack.id.padEnd(width)}  ${accountsText(stack.accounts)}; ${stack.regions.join(', ')}${resources}`);
      lines.push(`  ${''.padEnd(width)}  ${stack.description}`);
    }
    lines.push(`  $ ${step.command}`);
  }
  return lines.join('\n');
}

function accountsText(accounts: readonly StackAccount[]): string {
  const members = accounts.filter((account) => account.role === 'member');
  const named = accounts.filter((account) => account.role !== 'member').map((account) => `${account.role} ${account.id}`);
  if (members.length > 0) named.push(`${members.length} member account${members.length === 1 ? '' : 's'}`);
  return named.join(' + ');
}

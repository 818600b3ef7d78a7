import * as path from 'node:path';
import type { Member, OrgConfig } from '../../lib/config/load';
import { deploySteps, memberVerb, type PlannedStack, type StackAccount, type StackKind, type StackPlan } from '../../lib/plan/stacks';
import { cliCommand } from '../../lib/terraform/flavor';
import { shellCommand } from '../common/command';
import { plural } from '../common/words';
import type { Manifest, StateLocation } from '../common/synthesized';
import type { StackChanges } from './changes';
import { removalText, type RemovalGroup } from './removals';

/**
 * The rollout as a pipeline runs it: steps of stacks, each step deployable on its own once the steps
 * before it are done, with the exact `cdktf` command for each step. Retirement is the same steps in
 * reverse. Pure: the stack plan and (optionally) the synthesized resource counts go in, data comes out.
 */

export type Direction = 'deploy' | 'destroy';

/** Where `cdktf synth` writes (cdktf.json has no `output`, so cdktf's default), relative to the project. */
export const OUTPUT_DIR = 'cdktf.out';

/** A member account a stack enrolls. */
export interface EnrolledAccount {
  readonly id: string;
  readonly name?: string;
}

export interface RolloutStack extends Pick<PlannedStack, 'id' | 'kind' | 'description' | 'accounts' | 'regions'> {
  /** Stacks deployed before this one: the plan's, and with a manifest also cdktf's (cross-stack references). */
  readonly dependsOn: readonly string[];
  /**
   * The member accounts this stack enrolls (GuardDuty, Security Hub or Detective members), in either
   * mode: in organizations mode they are not among `accounts`, which lists the providers only.
   */
  readonly enrolls: readonly EnrolledAccount[];
  /** Where Terraform runs for this stack, relative to the project: `cdktf.out/stacks/<id>`. */
  readonly directory: string;
  /**
   * What `terraform plan` needs, beside `-out`, to plan exactly what this step does to the stack:
   * `-destroy` when it is destroyed, `-target=<address>` for each instance when a step only removes
   * some of what the stack changes. Empty for a plain deploy.
   */
  readonly planArguments: readonly string[];
  /** With `--since`: what changed in the stack against the previous synth. */
  readonly changes?: StackChanges;
  /** With `--since`: the instances it removes or lets go of, grouped by what caused them. */
  readonly removals?: readonly RemovalGroup[];
  /** Resource instances in the synthesized stack, when counted. */
  readonly resources?: number;
  readonly resourcesByType?: Readonly<Record<string, number>>;
  /** Where the stack's state lives (backend type and file, object or workspace), when synthesized. */
  readonly state?: StateLocation;
}

export interface StepCommand {
  /** The command as arguments, for pipelines that do not go through a shell. */
  readonly argv: readonly string[];
  /** The same, quoted for a POSIX shell: it runs as printed. */
  readonly command: string;
  /** A command that reads its `-target` arguments from a file: the file (written beside the stack) and what it holds. */
  readonly targets?: { readonly file: string; readonly arguments: readonly string[] };
}

/** With `--since`: a step that removes what left the configuration, or one that deploys the rest. */
export type Phase = 'remove' | 'deploy';

export interface RolloutStep {
  /** 1-based, in the order the steps run. */
  readonly step: number;
  readonly phase?: Phase;
  readonly stacks: readonly RolloutStack[];
  /** Run in this order, from the project folder. */
  readonly commands: readonly StepCommand[];
}

export interface Rollout {
  readonly name: string;
  readonly mode: string;
  readonly direction: Direction;
  /** With `--since`: the previous synth the changes are measured against (a folder, or a git commit). */
  readonly since?: string;
  /** With `--since`: the folder holding the synth the changes were measured on, which every command applies. */
  readonly outputDir?: string;
  /**
   * With `--since`: SHA-256 over every file of `outputDir` that was measured (the manifest, each stack's
   * configuration, the target files), so that a later step can check it applies what was reviewed.
   */
  readonly fingerprint?: string;
  /** With `--since`: the member accounts that change stack, let go of by one and imported by the other. */
  readonly moves?: readonly { readonly account: string; readonly from: string; readonly to: string }[];
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
  const steps = groups.map((ids, index): RolloutStep => ({
    step: index + 1,
    stacks: ids.map((id) =>
      rolloutStack(byId.get(id) as PlannedStack, {
        dependsOn: dependencies.get(id) as string[],
        counts: synthesized.counts?.get(id),
        state: synthesized.states?.get(id),
        directory: stackDirectory(synthesized.manifest, id),
        planArguments: direction === 'destroy' ? ['-destroy'] : [],
      }),
    ),
    commands: [stepCommand(cdktfCommand(direction, ids, needsIgnoreFlag(direction, ids, dependencies), options))],
  }));
  return { name: config.name, mode: config.mode, direction, steps };
}

/** Everything a rollout stack carries beside what the plan says about it. */
export interface StackDetails {
  readonly dependsOn: readonly string[];
  readonly counts?: StackCounts;
  readonly state?: StateLocation;
  readonly directory: string;
  readonly planArguments: readonly string[];
  readonly changes?: StackChanges;
  readonly removals?: readonly RemovalGroup[];
}

export function rolloutStack(stack: Pick<PlannedStack, 'id' | 'kind' | 'description' | 'accounts' | 'regions' | 'members'>, details: StackDetails): RolloutStack {
  return {
    id: stack.id,
    kind: stack.kind,
    description: stack.description,
    accounts: stack.accounts,
    regions: stack.regions,
    dependsOn: details.dependsOn,
    enrolls: stack.members.map(enrolledAccount),
    directory: details.directory,
    planArguments: details.planArguments,
    ...(details.counts ? { resources: details.counts.total, resourcesByType: details.counts.byType } : {}),
    ...(details.state ? { state: details.state } : {}),
    ...(details.changes ? { changes: details.changes } : {}),
    ...(details.removals && details.removals.length > 0 ? { removals: details.removals } : {}),
  };
}

function enrolledAccount(member: Member): EnrolledAccount {
  return member.name ? { id: member.id, name: member.name } : { id: member.id };
}

/** `cdktf.out/stacks/<id>`, or the folder the manifest names (under `outputDir`). */
export function stackDirectory(manifest: Manifest | undefined, id: string, outputDir = OUTPUT_DIR): string {
  return path.posix.join(outputDir, manifest?.stacks[id]?.workingDirectory ?? `stacks/${id}`);
}

export function stepCommand(argv: readonly string[]): StepCommand {
  return { argv, command: shellCommand(argv) };
}

/**
 * cdktf refuses to deploy a stack without its dependencies in the same command, and to destroy one
 * without its dependants; a step run on its own after (or before) the others needs the flag that
 * skips that check.
 */
export function needsIgnoreFlag(direction: Direction, ids: readonly string[], dependencies: ReadonlyMap<string, readonly string[]>): boolean {
  const inStep = new Set(ids);
  const edges = [...dependencies].flatMap(([stack, on]) => on.map((dependency) => ({ stack, dependency })));
  return direction === 'deploy'
    ? edges.some((edge) => inStep.has(edge.stack) && !inStep.has(edge.dependency))
    : edges.some((edge) => inStep.has(edge.dependency) && !inStep.has(edge.stack));
}

/**
 * The `npx cdktf deploy|destroy` arguments for one step (flags as cdktf-cli 0.21 spells them, and
 * cdktn-cli after it), run from the project folder: `npx` finds the project's own CLI, so the command
 * runs as printed. `cdktn` instead of `cdktf` where CDK Terrain is installed (lib/terraform/flavor.ts).
 * `outputDir` names another synthesized output (`--output`), for stacks only a previous synth has.
 */
export function cdktfCommand(
  direction: Direction,
  ids: readonly string[],
  ignoreMissing: boolean,
  options: CommandOptions = {},
  outputDir?: string,
): string[] {
  if (options.parallelism !== undefined && (!Number.isInteger(options.parallelism) || options.parallelism < 1)) {
    throw new Error(`parallelism must be a positive whole number; got ${options.parallelism}`);
  }
  return [
    'npx',
    cliCommand(),
    direction,
    ...ids,
    '--auto-approve',
    ...(ignoreMissing ? ['--ignore-missing-stack-dependencies'] : []),
    ...(options.parallelism !== undefined ? ['--parallelism', String(options.parallelism)] : []),
    ...(outputDir ? ['--output', outputDir] : []),
    ...(options.skipSynth || outputDir ? ['--skip-synth'] : []),
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
  const stackCount = new Set(rollout.steps.flatMap((step) => step.stacks.map((stack) => stack.id))).size;
  const verb = rollout.direction === 'deploy' ? 'Deploy' : 'Destroy';
  const since = rollout.since === undefined ? '' : ` for the changes since ${rollout.since}`;
  const lines = [`${verb} order for ${rollout.name} (${rollout.mode} mode)${since}: ${stackCount} stacks in ${rollout.steps.length} steps`];
  if (rollout.direction === 'destroy') {
    lines.push('Members go first, then the organization configuration and delegation, then the detectors.');
  }
  if (rollout.since !== undefined) {
    lines.push(
      'Removals go first, in retirement order (members, then the organization configuration and delegation, then the detectors); then the stacks deploy in deploy order.',
      `Every command applies ${rollout.outputDir ?? OUTPUT_DIR}, the synth these changes were measured on, as it is: keep it until the last step has run.`,
      ...(rollout.fingerprint ? [`What was measured (manifest, stack configurations, target files) has the fingerprint ${rollout.fingerprint}.`] : []),
    );
    const moves = rollout.moves ?? [];
    if (moves.length > 0) {
      const pairs = new Map<string, number>();
      for (const move of moves) pairs.set(`${move.from} to ${move.to}`, (pairs.get(`${move.from} to ${move.to}`) ?? 0) + 1);
      lines.push(
        ...wrap(
          `${plural(new Set(moves.map((move) => move.account)).size, 'member account')} change stack, moved by Terraform from one state to the other (a removed block with destroy = false, then import blocks), nothing deleted: ${[...pairs].map(([pair, count]) => `${count} from ${pair}`).join(', ')}.`,
          '',
        ),
      );
    }
  }
  const width = Math.max(0, ...rollout.steps.flatMap((step) => step.stacks.map((stack) => stack.id.length)));
  const indent = `  ${''.padEnd(width)}  `;
  for (const step of rollout.steps) {
    const parallel = step.stacks.length > 1 ? `, ${step.stacks.length} stacks in parallel` : '';
    const phase = step.phase === 'remove' ? ': removals' : step.phase === 'deploy' ? ': deploy' : '';
    lines.push('', `Step ${step.step}${phase}${parallel}`);
    for (const stack of step.stacks) {
      const resources = stack.resources === undefined ? '' : `; ${stack.resources} resource${stack.resources === 1 ? '' : 's'}`;
      lines.push(`  ${stack.id.padEnd(width)}  ${accountsText(stack.accounts)}; ${stack.regions.join(', ')}${resources}`);
      lines.push(...wrap(stack.description, indent));
      if (stack.enrolls.length > 0) lines.push(...wrap(enrollsText(stack.kind, stack.enrolls), indent));
      if (stack.changes) lines.push(...changeLines(stack, step.phase).flatMap((line) => wrap(line, indent)));
    }
    for (const command of step.commands) lines.push(...continued(command.command).map((line, index) => `${index === 0 ? '  $ ' : '      '}${line}`));
  }
  return lines.join('\n');
}

/** How many addresses a text rollout names where it has no groups for them (the JSON has them all). */
const ADDRESSES_SHOWN = 3;
/** Where a line of the text rollout wraps. */
const LINE_WIDTH = 120;

function changeLines(stack: RolloutStack, phase: Phase | undefined): string[] {
  const changes = stack.changes as StackChanges;
  const count = (what: string, list: readonly unknown[]) => (list.length > 0 ? [`${what} ${list.length}`] : []);
  const besides = [...count('adds', changes.added), ...count('imports', changes.imported), ...count('changes', changes.changed), ...count('moves', changes.moved)];
  const other = changes.imported.length > 0 ? changes.other.filter((part) => part !== 'import' && part !== 'data') : changes.other;
  if (other.length > 0) besides.push(`changes its ${other.join(', ')}`);
  if (phase === 'remove') {
    const total = changes.removed.length + changes.forgotten.length;
    const groups = (stack.removals ?? []).map(removalText);
    const what = groups.length > 0 ? groups.join('; ') : `${changes.removed.slice(0, ADDRESSES_SHOWN).join(', ')}${changes.removed.length > ADDRESSES_SHOWN ? ` and ${changes.removed.length - ADDRESSES_SHOWN} more` : ''}`;
    if (changes.status === 'removed') return [`only the previous synth has it, retired here: ${plural(total, 'resource instance')} its state holds, ${what}`];
    const rest = stack.planArguments.length > 0 ? `; this step does only that (-target), a later step deploys the rest (${besides.join(', ')})` : '';
    return [`removes ${total}: ${what}${rest}`];
  }
  if (changes.status === 'unchanged') return ['no change since the previous synth'];
  if (changes.status === 'added') return [`new since the previous synth: ${besides.join(', ') || 'nothing to create'}`];
  const removed = changes.removed.length + changes.forgotten.length > 0 ? [`removed ${changes.removed.length + changes.forgotten.length} in an earlier step`] : [];
  return [[...besides, ...removed].join(', ') || `changes its ${changes.shrunk.join(', ')}`];
}

/**
 * A printed command longer than LINE_WIDTH, cut at the spaces between its arguments (never inside
 * single quotes) with a backslash at the end of each line but the last: a POSIX shell runs it as one.
 */
function continued(command: string): string[] {
  const width = LINE_WIDTH - 6;
  if (command.length <= width) return [command];
  const words: string[] = [];
  let word = '';
  let quoted = false;
  for (const character of command) {
    if (character === "'") quoted = !quoted;
    if (character === ' ' && !quoted) {
      words.push(word);
      word = '';
    } else word += character;
  }
  words.push(word);
  const lines: string[] = [];
  let line = '';
  for (const next of words) {
    if (line !== '' && line.length + 1 + next.length + 2 > width) {
      lines.push(`${line} \\`);
      line = next;
    } else line = line === '' ? next : `${line} ${next}`;
  }
  lines.push(line);
  return lines;
}

/** A long line cut at spaces into lines of at most LINE_WIDTH, each after `indent` (the first too). */
function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > LINE_WIDTH) {
      lines.push(`${indent}${line}`);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}${line}`);
  return lines;
}

/** Every account a stack enrolls (or sets the plans of), by id and name: what a reviewer checks against the wave. */
function enrollsText(kind: StackKind, accounts: readonly EnrolledAccount[]): string {
  const list = accounts.map((account) => (account.name ? `${account.id} (${account.name})` : account.id)).join(', ');
  return `${memberVerb(kind)} ${plural(accounts.length, 'member account')}: ${list}`;
}

function accountsText(accounts: readonly StackAccount[]): string {
  const members = accounts.filter((account) => account.role === 'member');
  const named = accounts.filter((account) => account.role !== 'member').map((account) => `${account.role} ${account.id}`);
  if (members.length > 0) named.push(`${members.length} member account${members.length === 1 ? '' : 's'}`);
  return named.join(' + ');
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OrgConfig } from '../../lib/config/load';
import { deploySteps, type PlannedStack, type StackPlan } from '../../lib/plan/stacks';
import { buildApp } from '../../stacks/app';
import type { AccountClients } from '../common/clients';
import { mapWithConcurrency } from '../common/pool';
import type { Progress } from '../common/progress';
import { withRetry, type RetryOptions } from '../common/retry';
import { readSynthesized, type StackJson } from '../common/synthesized';
import { createContext, prefetch, type Need, type Task } from './context';
import {
  delegationTask,
  detectorTask,
  filtersTask,
  listsTask,
  memberPlansTask,
  membersTask,
  organizationConfigurationTask,
  publishingDestinationTask,
} from './guardduty';
import {
  behaviorGraphTask,
  detectiveMembersTask,
  detectiveOrganizationTask,
  securityHubAggregatorTask,
  securityHubMembersTask,
  securityHubOrganizationTask,
  securityHubTask,
} from './investigation';
import { summarize, type VerifyReport, type VerifyRow } from './report';
import { functionTask, ruleTask, synthesizedExpectations, type SynthesizedExpectations } from './resources';
import { runtimeCoverageTask } from './coverage';
import { planEnabled } from '../../lib/guardduty/protection';

/**
 * `verify`: the live organization compared with the configuration, for every stack of the plan or
 * the stacks of one rollout step. Every read runs in one bounded pool: first the reads that many
 * checks share (detectors, member lists), then the checks.
 */

export interface Selection {
  /** 1-based rollout step (`deploySteps`). */
  readonly step?: number;
  readonly stacks?: readonly string[];
}

/** The stacks to verify, in deploy order; a string says what is wrong with the selection. */
export function selectStacks(plan: StackPlan, selection: Selection): PlannedStack[] | string {
  const known = plan.stacks.map((stack) => stack.id);
  let chosen = plan.stacks;
  if (selection.step !== undefined) {
    const steps = deploySteps(plan);
    if (selection.step < 1 || selection.step > steps.length) return `--step ${selection.step}: the rollout has steps 1 to ${steps.length}`;
    const ids = new Set(steps[selection.step - 1].map((stack) => stack.id));
    chosen = chosen.filter((stack) => ids.has(stack.id));
  }
  if (selection.stacks) {
    const unknown = selection.stacks.filter((id) => !known.includes(id));
    if (unknown.length > 0) return `--stacks: unknown stack${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; the plan has ${known.join(', ')}`;
    chosen = chosen.filter((stack) => selection.stacks?.includes(stack.id));
    if (chosen.length === 0) return `--stacks ${selection.stacks.join(',')} and --step ${selection.step} have no stack in common`;
  }
  return [...chosen];
}

/** The checks of one stack: what it deploys, read back. */
export function stackTasks(config: OrgConfig, stack: PlannedStack, synthesized: SynthesizedExpectations): Task[] {
  const organizations = config.mode === 'organizations';
  const perRegion = (make: (region: string) => Task | Task[]) => stack.regions.flatMap(make);
  const tasks: Task[] = [];
  switch (stack.kind) {
    case 'admin':
      tasks.push(...perRegion((region) => [detectorTask(config, stack.id, region), ...(config.export.enabled ? [publishingDestinationTask(config, stack.id, region)] : [])]));
      if (planEnabled(config.protection, 'runtimeMonitoring')) tasks.push(...perRegion((region) => runtimeCoverageTask(config, stack.id, region)));
      break;
    case 'organization':
      tasks.push(
        ...perRegion((region) => [
          delegationTask(config, stack.id, region),
          organizationConfigurationTask(config, stack.id, region),
          // With ALL there are no member stacks: the organization configuration enrolls every account.
          ...(config.autoEnable === 'ALL' ? [membersTask(config, stack.id, region, 'organization')] : []),
        ]),
      );
      break;
    case 'members':
      // The plans this stack holds (an invited member's first-release plans); the others are checked
      // with the member-plans stacks.
      tasks.push(...perRegion((region) => membersTask(config, stack.id, region, { accounts: stack.members.map((member) => member.id) })));
      break;
    case 'member-plans':
      tasks.push(...perRegion((region) => memberPlansTask(config, stack.id, region, stack.members.map((member) => member.id))));
      break;
    case 'threat-intel':
      tasks.push(...perRegion((region) => [listsTask(config, stack.id, region), filtersTask(config, stack.id, region)]));
      break;
    case 'security-hub':
      tasks.push(...perRegion((region) => [securityHubTask(config, stack.id, region), ...(organizations ? [securityHubOrganizationTask(config, stack.id, region)] : [])]));
      tasks.push(securityHubAggregatorTask(config, stack.id));
      break;
    case 'security-hub-members':
      tasks.push(...perRegion((region) => securityHubMembersTask(config, stack.id, region, stack.members)));
      break;
    case 'detective':
      tasks.push(...perRegion((region) => [behaviorGraphTask(config, stack.id, region), ...(organizations ? [detectiveOrganizationTask(config, stack.id, region)] : [])]));
      break;
    case 'detective-members':
      tasks.push(...perRegion((region) => detectiveMembersTask(config, stack.id, region, stack.members)));
      break;
    case 'remediation':
    case 'simulation':
      break;
  }
  tasks.push(...synthesized.rules.map(ruleTask), ...synthesized.functions.map(functionTask));
  return tasks;
}

/**
 * Synthesizes the chosen stacks (and the stacks they are built from) into a temporary folder, as
 * `npm run rollout` does, and returns their Terraform JSON.
 */
export function synthesizeStacks(config: OrgConfig, plan: StackPlan, ids: readonly string[]): Map<string, StackJson> {
  const byId = new Map(plan.stacks.map((stack) => [stack.id, stack]));
  const needed = new Set<string>();
  const add = (id: string) => {
    if (needed.has(id)) return;
    needed.add(id);
    byId.get(id)?.dependsOn.forEach(add);
  };
  ids.forEach(add);
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-verify-'));
  try {
    buildApp(config, { outdir, plan: { ...plan, stacks: plan.stacks.filter((stack) => needed.has(stack.id)) } }).synth();
    const synthesized = readSynthesized(outdir);
    return new Map(ids.map((id) => [id, synthesized.stacks.get(id) as StackJson]));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export interface VerifyOptions {
  /** @default 8 */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly progress?: Progress;
  /** The step the stacks were chosen by, for the report. */
  readonly step?: number;
}

export async function verify(
  config: OrgConfig,
  stacks: readonly PlannedStack[],
  synthesized: ReadonlyMap<string, StackJson>,
  clients: AccountClients,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const context = createContext(config, clients, (send) => withRetry(send, options.retry));
  const expectations = new Map(stacks.map((stack) => [stack.id, synthesizedExpectations(stack.id, synthesized.get(stack.id) ?? {})]));
  const tasks = stacks.flatMap((stack) => stackTasks(config, stack, expectations.get(stack.id) as SynthesizedExpectations));
  const needs = [...new Set(tasks.flatMap((task) => task.needs ?? []))];
  const concurrency = options.concurrency ?? 8;
  const progress = options.progress;
  progress?.start(needs.length + tasks.length);
  await mapWithConcurrency(needs, concurrency, async (need: Need) => {
    await prefetch(context, need);
    progress?.tick(`read ${need}`);
  });
  const results = await mapWithConcurrency(tasks, concurrency, async (task) => {
    const rows = await task.run(context);
    const failed = rows.filter((row) => row.result !== 'OK').length;
    progress?.tick(`${task.label}: ${failed === 0 ? 'OK' : `${failed} not OK`}`);
    return rows;
  });
  progress?.done();
  const rows: VerifyRow[] = results.flat();
  const checked = new Set(rows.map((row) => row.stack));
  return {
    name: config.name,
    mode: config.mode,
    stacks: stacks.map((stack) => stack.id),
    stacksWithoutChecks: stacks.filter((stack) => !checked.has(stack.id)).map((stack) => stack.id),
    unverifiable: [...expectations.values()].flatMap((expectation) => expectation.unresolved),
    ...(options.step !== undefined ? { step: options.step } : {}),
    summary: summarize(rows),
    rows,
  };
}

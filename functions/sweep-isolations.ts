import { DescribeSecurityGroupsCommand, DeleteSecurityGroupCommand, EC2Client, type SecurityGroup } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { FINDING_ID_TAG, ISOLATION_PENDING, ISOLATION_STATE_TAG, ISOLATION_UPDATED_TAG, REMEDIATION_GROUP_TAG, TRANSITION_GROUP_PURPOSE } from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { classify, isAwsError, Skipped } from './commons/errors';
import { issuePath } from './commons/finding';
import { checkNotExempt, CLOSED, describeInstance, findInterfaces, instanceInterfaces, isolateNetwork, isolationSettings, SecurityGroups, unique, type InterfaceState, type IsolationDeps, type IsolationSettings } from './commons/isolation';
import { Logger } from './commons/logger';
import { notify } from './commons/notify';
import { Actions, type Result } from './commons/remediation';

/**
 * The scheduled sweep (an EventBridge schedule every few minutes, in every remediation region): it
 * finishes what a failed isolation left, once no run of the isolation can still be working on it.
 *
 * 1. Closes every transition group that still has rules and was made more than
 *    `GROUP_GRACE_SECONDS` ago (closing is always safe: at worst a live run's move is not untracked).
 * 2. Finishes every isolation still pending: interfaces whose record says `pending` and was last
 *    written more than `RECORD_GRACE_SECONDS` ago (longer than Lambda's retries of one event take to
 *    start), and interfaces found in a transition group. Each instance's interfaces go through the
 *    same moves as the isolation (functions/commons/isolation.ts), so the sweep leaves nothing open
 *    either. Exempt instances are skipped; a record of an instance gone is left.
 * 3. Deletes transition groups that are empty and stale.
 *
 * Idempotent (each step reads the state first), dry-run aware (every change goes through `Actions`),
 * and e-mails what it finished. A sweep that could not finish something fails: Lambda's errors alarm
 * sees it, and the next sweep tries again.
 */

/** Transition groups older than this are closed: twice the isolation's timeout. */
export const GROUP_GRACE_SECONDS = 120;
/** Pending records untouched for this long are finished: Lambda retries a failed event after 1 and then 2 more minutes. */
export const RECORD_GRACE_SECONDS = 300;

const scheduledEvent = z.object({
  source: z.literal('aws.events', { error: 'must be "aws.events"' }),
  'detail-type': z.literal('Scheduled Event', { error: 'must be "Scheduled Event"' }),
  account: z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id')),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be a region name')),
});


/** What a sweep did. */
export interface SweepReport {
  readonly closedGroups: readonly string[];
  readonly finishedInterfaces: readonly string[];
  readonly deletedGroups: readonly string[];
  readonly skipped: readonly string[];
}

/** Something the sweep found could not be finished; the next sweep tries again. */
export class SweepIncomplete extends Error {
  override readonly name = 'SweepIncomplete';
}

export function sweepHandler(deps: IsolationDeps) {
  const base = new Logger(deps.sink, { function: 'sweep-isolations' });
  const clock = deps.now ?? (() => new Date());
  let settings: IsolationSettings | undefined;
  return async (event: unknown, context: { invokedFunctionArn: string; awsRequestId?: string }): Promise<Result> => {
    const log = base.child({ requestId: context.awsRequestId });
    try {
      settings ??= (deps.settings ?? (() => isolationSettings()))();
      const parsed = scheduledEvent.safeParse(event);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`);
        log.error('event rejected', { outcome: 'rejected', reason: 'not the sweep schedule', problems });
        return { outcome: 'rejected', reason: problems.join('; ') };
      }
      const [, , , region, account] = context.invokedFunctionArn.split(':');
      if (parsed.data.account !== account || parsed.data.region !== region) throw new Skipped('other-account', `a schedule of ${parsed.data.account} / ${parsed.data.region}, not of this function`);
      const report = await sweep(deps, settings, new Actions(settings.mode, log), log, clock);
      const outcome = settings.mode === 'dry-run' ? 'dry-run' : 'remediated';
      log.info('sweep finished', { outcome, ...report });
      return { outcome, details: { ...report } };
    } catch (error) {
      const classified = classify(error);
      if (classified.outcome === 'skipped') log.warn('sweep skipped', { outcome: classified.outcome, reason: classified.reason });
      else log.error('sweep failed', { outcome: classified.outcome, reason: classified.reason, error });
      if (classified.rethrow) throw error;
      return { outcome: classified.outcome, reason: classified.reason };
    }
  };
}

async function sweep(deps: IsolationDeps, settings: IsolationSettings, act: Actions, log: Logger, clock: () => Date): Promise<SweepReport> {
  const { ec2, sns } = deps;
  const now = clock();
  const olderThan = (time: string | undefined, seconds: number) => time === undefined || !(Date.parse(time) > now.getTime() - seconds * 1000);
  const groups = new SecurityGroups(ec2, act);
  const failures: string[] = [];
  const closedGroups: string[] = [];
  const finishedInterfaces: string[] = [];
  const deletedGroups: string[] = [];
  const skipped: string[] = [];

  // 1. Close stale open transition groups first: the one open state a failure can leave.
  const transitions = await transitionGroups(ec2, settings);
  for (const group of transitions) {
    const open = (group.IpPermissions ?? []).length + (group.IpPermissionsEgress ?? []).length > 0;
    if (!open || !olderThan(tagOf(group, ISOLATION_UPDATED_TAG), GROUP_GRACE_SECONDS)) continue;
    try {
      await groups.converge(group, CLOSED);
      closedGroups.push(group.GroupId!);
    } catch (error) {
      failures.push(`closing ${group.GroupId}: ${describe(error)}`);
    }
  }

  // 2. Finish pending isolations, instance by instance.
  const pending = (await findInterfaces(ec2, [{ Name: `tag:${ISOLATION_STATE_TAG}`, Values: [ISOLATION_PENDING] }])).filter((eni) =>
    olderThan(eni.tags.get(ISOLATION_UPDATED_TAG), RECORD_GRACE_SECONDS),
  );
  const inTransition = transitions.length > 0 ? await findInterfaces(ec2, [{ Name: 'group-id', Values: transitions.map((group) => group.GroupId!) }]) : [];
  const byInstance = new Map<string, InterfaceState[]>();
  for (const eni of [...pending, ...inTransition]) {
    if (!eni.instanceId) {
      skipped.push(`${eni.id} (not attached to an instance)`);
      continue;
    }
    byInstance.set(eni.instanceId, [...(byInstance.get(eni.instanceId) ?? []), eni]);
  }
  for (const [instanceId, found] of byInstance) {
    try {
      const instance = await describeInstance(ec2, instanceId);
      checkNotExempt(instance, settings);
      const interfaces = await instanceInterfaces(ec2, instanceId);
      const findingId = found.map((eni) => eni.tags.get(FINDING_ID_TAG)).find((id) => id !== undefined);
      const network = await isolateNetwork({ ec2, act, log, now: clock }, settings, instanceId, interfaces, findingId);
      finishedInterfaces.push(...network.moved);
      log.warn('finished an isolation a failed run left', { instanceId, findingId, movedNetworkInterfaces: network.moved });
    } catch (error) {
      if (error instanceof Skipped) skipped.push(`${instanceId} (${error.message})`);
      else failures.push(`${instanceId}: ${describe(error)}`);
    }
  }

  // 3. Delete stale transition groups nothing is in any more.
  for (const group of await transitionGroups(ec2, settings)) {
    if (!olderThan(tagOf(group, ISOLATION_UPDATED_TAG), GROUP_GRACE_SECONDS)) continue;
    const members = await findInterfaces(ec2, [{ Name: 'group-id', Values: [group.GroupId!] }]);
    if (members.length > 0) continue;
    const input = { GroupId: group.GroupId! };
    try {
      await act.write('ec2:DeleteSecurityGroup', input, () => ec2.send(new DeleteSecurityGroupCommand(input)));
      deletedGroups.push(group.GroupId!);
    } catch (error) {
      if (!isAwsError(error, 'InvalidGroup.NotFound', 'DependencyViolation')) failures.push(`deleting ${group.GroupId}: ${describe(error)}`);
    }
  }

  const report = { closedGroups, finishedInterfaces: unique(finishedInterfaces), deletedGroups, skipped };
  if (closedGroups.length + finishedInterfaces.length > 0) {
    await notify(sns, act, settings.topicArn, {
      subject: 'GuardDuty Remediation: the sweep finished isolations a failed run left',
      summary:
        'GuardDuty Remediation | sweep: isolations that a failed run had left unfinished were finished. ' +
        'Transition groups still open were closed first. Please read the isolation function\'s log for the failure.',
      facts: {
        'Transition groups closed': closedGroups.join(', ') || 'none',
        'Network interfaces isolated': report.finishedInterfaces.join(', ') || 'none',
        'Transition groups deleted': deletedGroups.join(', ') || 'none',
        ...(skipped.length > 0 ? { 'Left alone': skipped.join('; ') } : {}),
      },
    });
  }
  if (failures.length > 0) throw new SweepIncomplete(`the sweep could not finish: ${failures.join('; ')}`);
  return report;
}

/** The transition groups of every instance (tagged `untrack`, named `<prefix>-<instance id>`). */
async function transitionGroups(ec2: EC2Client, settings: IsolationSettings): Promise<SecurityGroup[]> {
  const found: SecurityGroup[] = [];
  let token: string | undefined;
  do {
    const output = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: `tag:${REMEDIATION_GROUP_TAG}`, Values: [TRANSITION_GROUP_PURPOSE] },
          { Name: 'group-name', Values: [`${settings.transitionGroupPrefix}-*`] },
        ],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    found.push(...(output.SecurityGroups ?? []));
    token = output.NextToken;
  } while (token);
  return found;
}

function tagOf(group: SecurityGroup, key: string): string | undefined {
  return group.Tags?.find((tag) => tag.Key === key)?.Value;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export const handler = sweepHandler({ ec2: new EC2Client(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DeleteSecurityGroupCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  DescribeInstancesCommand,
  type EC2Client,
  type Instance,
  type IpPermission,
  type NetworkInterface,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import {
  FINDING_ID_TAG,
  FORENSIC_GROUP_PURPOSE,
  FORENSIC_INSTANCE_TAG,
  ISOLATION_DONE,
  ISOLATION_PENDING,
  ISOLATION_STATE_TAG,
  ISOLATION_UPDATED_TAG,
  OWN_GROUPS_TAGS,
  REMEDIATION_GROUP_TAG,
  TRANSITION_GROUP_PURPOSE,
} from '../../lib/remediation/contract';
import { isAwsError, Refused, Skipped } from './errors';
import type { Logger } from './logger';
import * as z from 'zod/mini';
import { COMMON_VARIABLES, commonSettings, isExempt, listVariable, settingsFromEnv, type Actions, type CommonSettings, type HandlerDeps } from './remediation';

/**
 * Moving an instance's network interfaces into the forensic group, shared by the isolation handler
 * and the scheduled sweep that finishes what a failed run left.
 *
 * Why a transition group: changing an interface's security groups does not end connections that are
 * already tracked. Following the AWS incident-response guidance on source containment, each interface
 * is first moved into a group that allows all traffic in and out (0.0.0.0/0 and ::/0, all protocols),
 * which makes TCP and UDP flows untracked (the EC2 connection-tracking documentation), and then into
 * the forensic group with no rules at all, which drops them at once. A network ACL would cut tracked
 * flows too, but it applies to the whole subnet and would have to be undone by hand.
 *
 * Why the open state is never the state a failure leaves behind:
 * - The transition group is the instance's own (`<prefix>-<instance id>`, created for the isolation
 *   and deleted after it), and it holds its allow-all rules only while this instance's interfaces
 *   move: opened right before the first move, closed (no rules) right after the last one, whatever
 *   failed in between. Closing revokes rules of a group, a call of its own that still works when the
 *   interface moves are throttled or refused. An interface whose move out fails twice stays in the
 *   transition group, which is then closed: it ends in a group with no rules, isolated in effect,
 *   until a later run or the sweep moves it on.
 * - Each interface's own groups are recorded on it (tags, `ISOLATION_STATE_TAG` `pending`) before its
 *   first move, so a later run knows what it had, and the sweep finds every isolation still pending.
 * - A transition group that still holds an interface is never opened again: the other interfaces then
 *   go straight into the forensic group (established connections then continue until idle, new ones
 *   are refused, and the e-mail says so).
 * - The one window no code can close: the moment between an interface's two moves. If the process
 *   dies there, or the EC2 API stops answering there, the interface stays in the open group until the
 *   API answers again; the sweep (every few minutes) closes stale transition groups first.
 */

/** Rules that allow everything, the transition group's content while it is open. */
const ALLOW_ALL: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
/** What EC2 puts in every new group's egress. */
const DEFAULT_EGRESS: IpPermission[] = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
/** Stands in for a group id in dry-run mode, where the group is not created. */
const NOT_CREATED = (name: string) => `(${name}, not created in dry-run)`;

export interface GroupRules {
  readonly ingress: readonly IpPermission[];
  readonly egress: readonly IpPermission[];
}
export const CLOSED: GroupRules = { ingress: [], egress: [] };
export const OPEN: GroupRules = { ingress: [ALLOW_ALL], egress: [ALLOW_ALL] };

/** Security-group ids are 20 characters: twelve and their separators fit one 256-character tag value. */
const GROUPS_PER_TAG = 12;

export interface NetworkSettings {
  /** Name of the forensic group in each VPC; contains `ForensicSecurityGroup`, as in the lab. */
  readonly forensicGroupName: string;
  /** Transition groups are named `<prefix>-<instance id>`: one per isolated instance, deleted when done. */
  readonly transitionGroupPrefix: string;
}

export function transitionGroupName(settings: Pick<NetworkSettings, 'transitionGroupPrefix'>, instanceId: string): string {
  return `${settings.transitionGroupPrefix}-${instanceId}`;
}

const settingsSchema = z.object({
  ...COMMON_VARIABLES,
  FORENSIC_GROUP_NAME: z.string().check(z.includes('ForensicSecurityGroup')),
  TRANSITION_GROUP_PREFIX: z.string().check(z.minLength(1)),
  EXEMPT_INSTANCES: listVariable(/i-[0-9a-f]{8,17}/, 'must be instance ids separated by commas'),
});

/** What the isolation and the sweep that finishes its work are given (clients created once, injected in tests). */
export interface IsolationDeps extends HandlerDeps<IsolationSettings> {
  readonly ec2: EC2Client;
}

/** The isolation's settings, shared by the sweep that finishes its work. */
export interface IsolationSettings extends CommonSettings, NetworkSettings {
  /** Instances never touched (`remediation.exemptions.instances`). */
  readonly exemptInstanceIds: readonly string[];
}

export function isolationSettings(env: NodeJS.ProcessEnv = process.env): IsolationSettings {
  const vars = settingsFromEnv(settingsSchema, env);
  return {
    ...commonSettings(vars),
    forensicGroupName: vars.FORENSIC_GROUP_NAME,
    transitionGroupPrefix: vars.TRANSITION_GROUP_PREFIX,
    exemptInstanceIds: vars.EXEMPT_INSTANCES,
  };
}

/** Exempt instances are skipped: by the configuration's list, or by the tag where it is honoured. */
export function checkNotExempt(instance: Instance, settings: Pick<IsolationSettings, 'exemptInstanceIds' | 'exemptTag'>): void {
  const instanceId = instance.InstanceId!;
  if (settings.exemptInstanceIds.includes(instanceId)) throw new Skipped('exempt', `instance ${instanceId} is exempt (remediation.exemptions.instances)`);
  if (isExempt(instance.Tags, settings)) throw new Skipped('exempt', `instance ${instanceId} carries the exemption tag ${settings.exemptTag}`);
}

export async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  try {
    const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = output.Reservations?.[0]?.Instances?.[0];
    if (instance && instance.State?.Name !== 'terminated') return instance;
  } catch (error) {
    if (!isAwsError(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
  }
  throw new Skipped('not-found', `instance ${instanceId} does not exist (or is terminated)`);
}

/** A network interface as the isolation sees it; `groupIds` follows the moves this run makes. */
export interface InterfaceState {
  readonly id: string;
  readonly vpcId: string;
  readonly instanceId?: string;
  groupIds: string[];
  readonly tags: ReadonlyMap<string, string>;
}

export function interfaceState(eni: NetworkInterface): InterfaceState {
  return {
    id: eni.NetworkInterfaceId!,
    vpcId: eni.VpcId!,
    ...(eni.Attachment?.InstanceId ? { instanceId: eni.Attachment.InstanceId } : {}),
    groupIds: (eni.Groups ?? []).map((group) => group.GroupId!),
    tags: new Map((eni.TagSet ?? []).map((tag) => [tag.Key!, tag.Value ?? ''])),
  };
}

/** Every network interface matching the filters (all pages). */
export async function findInterfaces(ec2: EC2Client, filters: { Name: string; Values: string[] }[]): Promise<InterfaceState[]> {
  const found: InterfaceState[] = [];
  let token: string | undefined;
  do {
    const output = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: filters, ...(token ? { NextToken: token } : {}) }));
    found.push(...(output.NetworkInterfaces ?? []).map(interfaceState));
    token = output.NextToken;
  } while (token);
  return found;
}

/** The interfaces attached to an instance, with their tags (the instance's own description has none). */
export function instanceInterfaces(ec2: EC2Client, instanceId: string): Promise<InterfaceState[]> {
  return findInterfaces(ec2, [{ Name: 'attachment.instance-id', Values: [instanceId] }]);
}

/** The groups an interface had before the isolation, from its record. */
export function recordedGroups(eni: Pick<InterfaceState, 'tags'>): string[] {
  return OWN_GROUPS_TAGS.flatMap((key) => (eni.tags.get(key) ?? '').split(' ')).filter((id) => id !== '');
}

export interface IsolationRun {
  readonly ec2: EC2Client;
  readonly act: Actions;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface NetworkIsolation {
  /** The forensic group of each VPC the instance has an interface in. */
  readonly forensicGroupIds: readonly string[];
  /** Interfaces this run moved into the forensic group. */
  readonly moved: readonly string[];
  /** Of those, the ones moved straight in, without the transition group: their tracked connections were not cut. */
  readonly direct: readonly string[];
}

/** Some interfaces could not be isolated; none was left in an open group. Retried. */
export class IsolationIncomplete extends Error {
  override readonly name = 'IsolationIncomplete';
}

/**
 * Moves every interface of the instance into the forensic group of its VPC: every group ready and
 * every interface's record written before the first move, then one transition window per VPC.
 * Throws `IsolationIncomplete` naming the interfaces left behind (each in its own groups, or in the
 * closed transition group), after the other interfaces are isolated.
 */
export async function isolateNetwork(
  run: IsolationRun,
  settings: NetworkSettings,
  instanceId: string,
  interfaces: readonly InterfaceState[],
  findingId?: string,
): Promise<NetworkIsolation> {
  const { ec2, act, log } = run;
  const groups = new SecurityGroups(ec2, act);
  const vpcs = unique(interfaces.map((eni) => eni.vpcId));
  const forensic = new Map<string, string>();
  for (const vpc of vpcs) forensic.set(vpc, (await groups.ensure(vpc, settings.forensicGroupName, FORENSIC_GROUP_PURPOSE, CLOSED)).GroupId!);
  const transitionName = transitionGroupName(settings, instanceId);
  const transitions = new Map<string, SecurityGroup | undefined>();
  for (const vpc of vpcs) transitions.set(vpc, await groups.findOurs(vpc, transitionName, TRANSITION_GROUP_PURPOSE));

  const inForensic = (eni: InterfaceState) => eni.groupIds.length === 1 && eni.groupIds[0] === forensic.get(eni.vpcId);
  const toMove = interfaces.filter((eni) => !inForensic(eni));
  const remediationGroup = (eni: InterfaceState, id: string) => id === forensic.get(eni.vpcId) || id === transitions.get(eni.vpcId)?.GroupId;
  for (const eni of toMove) {
    const own = eni.groupIds.some((id) => remediationGroup(eni, id)) ? undefined : eni.groupIds;
    await writeRecord(run, eni, own, findingId);
  }

  const failures: string[] = [];
  const moved: string[] = [];
  const direct: string[] = [];
  for (const vpc of vpcs) {
    const window = new TransitionWindow(run, groups, { vpc, name: transitionName, instanceId, forensic: forensic.get(vpc)!, transition: transitions.get(vpc) });
    await window.isolate(
      toMove.filter((eni) => eni.vpcId === vpc),
      { failures, moved, direct },
    );
  }

  const done = interfaces.filter((eni) => inForensic(eni) && (moved.includes(eni.id) || eni.tags.get(ISOLATION_STATE_TAG) === ISOLATION_PENDING));
  if (done.length > 0) {
    const input = { Resources: done.map((eni) => eni.id), Tags: [{ Key: ISOLATION_STATE_TAG, Value: ISOLATION_DONE }, { Key: ISOLATION_UPDATED_TAG, Value: timestamp(run.now()) }] };
    try {
      await act.write('ec2:CreateTags', input, () => ec2.send(new CreateTagsCommand(input)));
    } catch (error) {
      // Isolated all the same; the sweep finds the record still pending and writes it.
      log.warn('network interfaces isolated, but their record still says pending', { networkInterfaceIds: input.Resources, error });
    }
  }
  if (failures.length > 0) throw new IsolationIncomplete(`network interfaces not isolated (none left in an open group): ${failures.join('; ')}`);
  return { forensicGroupIds: unique([...forensic.values()]), moved, direct };
}

/** Whole seconds in UTC. */
export function timestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The record of an interface, before its first move; `own` is undefined when its own groups are unknown (it is in a remediation group already). */
async function writeRecord({ ec2, act, now }: IsolationRun, eni: InterfaceState, own: readonly string[] | undefined, findingId: string | undefined): Promise<void> {
  const tags = [
    { Key: ISOLATION_STATE_TAG, Value: ISOLATION_PENDING },
    { Key: ISOLATION_UPDATED_TAG, Value: timestamp(now()) },
    ...(findingId ? [{ Key: FINDING_ID_TAG, Value: findingId }] : []),
    ...(own ? OWN_GROUPS_TAGS.map((Key, index) => ({ Key, Value: own.slice(index * GROUPS_PER_TAG, (index + 1) * GROUPS_PER_TAG).join(' ') })) : []),
  ];
  const input = { Resources: [eni.id], Tags: tags };
  await act.write('ec2:CreateTags', input, () => ec2.send(new CreateTagsCommand(input)));
}

interface Outcomes {
  readonly failures: string[];
  readonly moved: string[];
  readonly direct: string[];
}

/** One VPC's interfaces of one instance, and the instance's transition group there. */
class TransitionWindow {
  private transition: SecurityGroup | undefined;

  constructor(
    private readonly run: IsolationRun,
    private readonly groups: SecurityGroups,
    private readonly where: { readonly vpc: string; readonly name: string; readonly instanceId: string; readonly forensic: string; readonly transition: SecurityGroup | undefined },
  ) {
    this.transition = where.transition;
  }

  async isolate(interfaces: readonly InterfaceState[], out: Outcomes): Promise<void> {
    const { log } = this.run;
    const transitionId = this.transition?.GroupId;
    const left = interfaces.filter((eni) => transitionId !== undefined && eni.groupIds.includes(transitionId));
    const fresh = interfaces.filter((eni) => !left.includes(eni));
    const stuck: InterfaceState[] = [];
    // Interfaces an earlier run left in the transition group go straight on.
    for (const eni of left) {
      if (await this.intoForensic(eni, out)) out.moved.push(eni.id);
      else stuck.push(eni);
    }
    try {
      if (fresh.length === 0) return;
      const open = stuck.length === 0 && (await this.open());
      if (!open) {
        log.warn('moving straight into the forensic group: connections already tracked continue until idle, new ones are refused', {
          networkInterfaceIds: fresh.map((eni) => eni.id),
          reason: stuck.length > 0 ? 'an interface is still in the transition group, which is not opened again' : 'the transition group could not be opened',
        });
      }
      for (const eni of fresh) {
        if (open) {
          try {
            await this.move(eni, [this.transition!.GroupId!]);
          } catch (error) {
            out.failures.push(`${eni.id} (into the transition group: ${describe(error)}; left in its own groups)`);
            continue;
          }
        }
        if (await this.intoForensic(eni, out)) {
          out.moved.push(eni.id);
          if (!open) out.direct.push(eni.id);
        } else if (open) {
          stuck.push(eni);
        }
      }
    } finally {
      await this.close(stuck.length === 0, out);
    }
  }

  /** The move into the forensic group, tried twice; false (and a failure noted) if both fail. */
  private async intoForensic(eni: InterfaceState, out: Outcomes): Promise<boolean> {
    try {
      await this.move(eni, [this.where.forensic]);
      return true;
    } catch (error) {
      this.run.log.warn('move into the forensic group failed; trying once more', { networkInterfaceId: eni.id, error });
    }
    try {
      await this.move(eni, [this.where.forensic]);
      return true;
    } catch (again) {
      const where = eni.groupIds.includes(this.transition?.GroupId ?? '') ? 'left in the transition group, closed' : 'left in its own groups';
      out.failures.push(`${eni.id} (into the forensic group: ${describe(again)}; ${where})`);
      return false;
    }
  }

  private async move(eni: InterfaceState, groupIds: readonly string[]): Promise<void> {
    const input = { NetworkInterfaceId: eni.id, Groups: [...groupIds] };
    const { ec2, act } = this.run;
    await act.write('ec2:ModifyNetworkInterfaceAttribute', input, () => ec2.send(new ModifyNetworkInterfaceAttributeCommand(input)));
    eni.groupIds = [...groupIds];
  }

  /** Creates the transition group if needed and gives it the allow-all rules; false if that failed. */
  private async open(): Promise<boolean> {
    try {
      this.transition ??= await this.groups.create(this.where.vpc, this.where.name, TRANSITION_GROUP_PURPOSE, [
        { Key: FORENSIC_INSTANCE_TAG, Value: this.where.instanceId },
        { Key: ISOLATION_UPDATED_TAG, Value: timestamp(this.run.now()) },
      ]);
      await this.groups.converge(this.transition, OPEN);
      return true;
    } catch (error) {
      if (error instanceof Refused) throw error;
      this.run.log.warn('the transition group could not be opened', { groupName: this.where.name, error });
      return false;
    }
  }

  /** No rules left on the transition group, then the group deleted when no interface is in it. */
  private async close(empty: boolean, out: Outcomes): Promise<void> {
    const group = this.transition;
    if (!group) return;
    const { ec2, act, log } = this.run;
    try {
      await this.groups.converge(group, CLOSED);
    } catch (error) {
      if (!isAwsError(error, 'InvalidGroup.NotFound')) {
        log.error('the transition group could not be closed', { groupId: group.GroupId, error });
        if (!empty) out.failures.push(`transition group ${group.GroupId} (not closed: ${describe(error)})`);
      }
    }
    if (!empty) return;
    const input = { GroupId: group.GroupId! };
    try {
      await act.write('ec2:DeleteSecurityGroup', input, () => ec2.send(new DeleteSecurityGroupCommand(input)));
    } catch (error) {
      // Still referenced (a concurrent delivery of the same finding), or the call failed: the sweep deletes it later.
      if (!isAwsError(error, 'InvalidGroup.NotFound')) log.warn('the transition group was not deleted; the sweep deletes it later', { groupId: group.GroupId, error });
    }
  }
}

/** Races with a concurrent delivery: read the group again and converge from what is there. */
const RACES = ['InvalidPermission.Duplicate', 'InvalidPermission.NotFound'];
/** Rounds of read-and-converge before a group that keeps changing under us is an error. */
const MAX_CONVERGE_ROUNDS = 3;

/** The remediation's security groups, found by name and tag or created, with exactly the given rules. */
export class SecurityGroups {
  constructor(
    private readonly ec2: EC2Client,
    private readonly act: Actions,
  ) {}

  /** Our group of this name and purpose in the VPC, with exactly `rules`; refuses a same-name group not ours. */
  async ensure(vpcId: string, name: string, purpose: string, rules: GroupRules): Promise<SecurityGroup> {
    for (let attempt = 1; ; attempt++) {
      const group = (await this.findOurs(vpcId, name, purpose)) ?? (await this.create(vpcId, name, purpose));
      try {
        await this.converge(group, rules);
        return group;
      } catch (error) {
        // Deleted between our read and our change (a person, or a destroy): start from the top once.
        if (!isAwsError(error, 'InvalidGroup.NotFound') || attempt > 1) throw error;
      }
    }
  }

  /** Our group of this name and purpose in the VPC, if there is one; refuses a same-name group not ours. */
  async findOurs(vpcId: string, name: string, purpose: string): Promise<SecurityGroup | undefined> {
    const output = await this.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [name] },
        ],
      }),
    );
    const group = output.SecurityGroups?.[0];
    if (group) checkOurs(group, vpcId, name, purpose);
    return group;
  }

  async create(vpcId: string, name: string, purpose: string, extraTags: { Key: string; Value: string }[] = []): Promise<SecurityGroup> {
    const input = {
      GroupName: name,
      VpcId: vpcId,
      Description:
        purpose === FORENSIC_GROUP_PURPOSE
          ? 'GuardDuty remediation: isolates compromised instances (no inbound, no outbound)'
          : 'GuardDuty remediation: allows all only while the interfaces move, so tracked flows become untracked',
      TagSpecifications: [{ ResourceType: 'security-group' as const, Tags: [{ Key: REMEDIATION_GROUP_TAG, Value: purpose }, { Key: 'Name', Value: name }, ...extraTags] }],
    };
    try {
      const created = await this.act.write('ec2:CreateSecurityGroup', input, () => this.ec2.send(new CreateSecurityGroupCommand(input)));
      // In dry-run the group is not created; the rule changes it would need are still logged.
      return { GroupId: created?.GroupId ?? NOT_CREATED(name), GroupName: name, IpPermissions: [], IpPermissionsEgress: DEFAULT_EGRESS };
    } catch (error) {
      // A concurrent delivery of the same finding created it first: use that one, if it is ours.
      if (!isAwsError(error, 'InvalidGroup.Duplicate')) throw error;
      const group = await this.findOurs(vpcId, name, purpose);
      if (!group) throw error;
      return group;
    }
  }

  /**
   * Revokes every rule that is not wanted and authorizes every wanted rule that is missing; the group
   * object follows. A rule a concurrent delivery added or removed first makes EC2 refuse the whole
   * call: the group is read again and the difference computed anew.
   */
  async converge(group: SecurityGroup, rules: GroupRules): Promise<void> {
    const GroupId = group.GroupId!;
    let current = group;
    for (let round = 1; ; round++) {
      try {
        await this.apply(GroupId, current, rules);
        group.IpPermissions = [...rules.ingress];
        group.IpPermissionsEgress = [...rules.egress];
        return;
      } catch (error) {
        if (!isAwsError(error, ...RACES) || round >= MAX_CONVERGE_ROUNDS) throw error;
        const output = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [GroupId] }));
        current = output.SecurityGroups?.[0] ?? current;
      }
    }
  }

  private async apply(GroupId: string, group: SecurityGroup, rules: GroupRules): Promise<void> {
    const directions = [
      { current: group.IpPermissions ?? [], wanted: rules.ingress, direction: 'ingress' as const },
      { current: group.IpPermissionsEgress ?? [], wanted: rules.egress, direction: 'egress' as const },
    ];
    // Every revoke before any authorize: closing never waits behind an opening.
    for (const { current, wanted, direction } of directions) {
      const unwanted = current.filter((permission) => !wanted.some((rule) => samePermission(rule, permission)));
      if (unwanted.length === 0) continue;
      const input = { GroupId, IpPermissions: unwanted };
      if (direction === 'ingress') await this.act.write('ec2:RevokeSecurityGroupIngress', input, () => this.ec2.send(new RevokeSecurityGroupIngressCommand(input)));
      else await this.act.write('ec2:RevokeSecurityGroupEgress', input, () => this.ec2.send(new RevokeSecurityGroupEgressCommand(input)));
    }
    for (const { current, wanted, direction } of directions) {
      const missing = wanted.filter((rule) => !current.some((permission) => samePermission(rule, permission)));
      if (missing.length === 0) continue;
      const input = { GroupId, IpPermissions: [...missing] };
      if (direction === 'ingress') await this.act.write('ec2:AuthorizeSecurityGroupIngress', input, () => this.ec2.send(new AuthorizeSecurityGroupIngressCommand(input)));
      else await this.act.write('ec2:AuthorizeSecurityGroupEgress', input, () => this.ec2.send(new AuthorizeSecurityGroupEgressCommand(input)));
    }
  }
}

/**
 * A group with the remediation's name that does not carry its tag (with this purpose) belongs to
 * someone else: moving interfaces into it, or changing its rules, would be acting on a group we do
 * not own (and the role may not change its rules). Refused before anything moves.
 */
function checkOurs(group: SecurityGroup, vpcId: string, name: string, purpose: string): void {
  const tag = group.Tags?.find((candidate) => candidate.Key === REMEDIATION_GROUP_TAG)?.Value;
  if (tag === purpose) return;
  const found = tag === undefined ? `has no ${REMEDIATION_GROUP_TAG} tag` : `is tagged ${REMEDIATION_GROUP_TAG}=${tag}`;
  throw new Refused(
    `security group ${group.GroupId} named ${name} in ${vpcId} ${found}, so it is not the remediation's ${purpose} group; ` +
      `nothing was moved. Rename that group, or tag it ${REMEDIATION_GROUP_TAG}=${purpose} if it is meant to be this one`,
  );
}

/** Same protocol, ports and address ranges, ignoring descriptions and the order of ranges. */
function samePermission(a: IpPermission, b: IpPermission): boolean {
  const ranges = (permission: IpPermission) =>
    JSON.stringify([
      (permission.IpRanges ?? []).map((range) => range.CidrIp).sort(),
      (permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6).sort(),
      (permission.UserIdGroupPairs ?? []).map((pair) => pair.GroupId).sort(),
      (permission.PrefixListIds ?? []).map((list) => list.PrefixListId).sort(),
    ]);
  return a.IpProtocol === b.IpProtocol && a.FromPort === b.FromPort && a.ToPort === b.ToPort && ranges(a) === ranges(b);
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

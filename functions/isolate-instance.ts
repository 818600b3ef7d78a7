import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  ModifyNetworkInterfaceAttributeCommand,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
  type Instance,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import {
  EC2_MALICIOUS_IP_CALLER_TYPES,
  FINDING_ID_TAG,
  FORENSIC_GROUP_PURPOSE,
  FORENSIC_INSTANCE_TAG,
  REMEDIATION_GROUP_TAG,
  TRANSITION_GROUP_PURPOSE,
} from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { isAwsError, Refused, Skipped } from './commons/errors';
import { instanceDetails, withResource } from './commons/finding';
import type { LogSink } from './commons/logger';
import { notify } from './commons/notify';
import { handledTags, isExempt, remediation, settingsFromEnv, type Actions, type CommonSettings, type Result, type RunContext } from './commons/remediation';

/**
 * Isolates the EC2 instance of an `UnauthorizedAccess:EC2/MaliciousIPCaller.Custom` finding.
 *
 * Why two security groups: changing an instance's security groups does not end connections that
 * are already tracked; the security group keeps allowing them until they go idle. Following the AWS
 * incident-response guidance on source containment, each network interface is first moved into a
 * *transition* group that allows all traffic in and out (0.0.0.0/0 and ::/0, all protocols). For
 * TCP and UDP such rules make flows untracked (the EC2 connection-tracking documentation), so
 * the second move, into the *forensic* group with no rules at all, drops them at once (a flow that
 * stays tracked, of another protocol, ends when it goes idle; every new flow is refused at once). A
 * network ACL would cut tracked flows too, but it applies to the whole subnet (every other instance
 * in it) and would have to be undone by hand; the security-group route touches this instance only.
 *
 * Never more exposed than before, whatever fails:
 * - Before the first move, the forensic group of every VPC involved (and the transition group where
 *   an interface moves) is made usable: found by name, ours by its `GuardDutyRemediation` tag, and
 *   with exactly its rules. A group of that name that is not ours is refused (logged as rejected,
 *   alarmed, not retried): nothing has moved then.
 * - The transition group is held only between two consecutive calls. If the move into the forensic
 *   group fails, it is tried once more, and then the interface is put back into its own groups before
 *   the error is thrown (and the event retried). The other interfaces are still isolated.
 * - An interface found in the transition group (a run that died between the two moves, or a
 *   concurrent delivery in the middle of its moves) goes straight on into the forensic group.
 * - Concurrent deliveries of the same finding converge: a group created, a rule added or removed by
 *   the other one (`InvalidGroup.Duplicate`, `InvalidPermission.Duplicate`, `...NotFound`) is read
 *   again instead of failing.
 *
 * Order and idempotency: every step reads the current state first and changes only what differs,
 * so a replay or a re-run after a failure half-way finishes the remaining steps. The finding tags
 * (id and `updatedAt`) on the instance are written last, after the e-mail: they mark this occurrence
 * of the finding as handled, so a replay changes nothing (even if a person has released the instance
 * meanwhile), a failure before them leads to a complete re-run rather than a lost e-mail, and a new
 * occurrence of the finding (GuardDuty updates it when the activity recurs) is acted on again.
 */

export const isolationEvent = withResource({ resourceType: z.literal('Instance', { error: 'must be "Instance"' }), instanceDetails });
export type IsolationEvent = z.output<typeof isolationEvent>;

const settingsSchema = z.object({
  MODE: z.enum(['auto', 'dry-run']),
  TOPIC_ARN: z.string().check(z.startsWith('arn:')),
  EXEMPT_TAG: z.string().check(z.minLength(1)),
  FORENSIC_GROUP_NAME: z.string().check(z.includes('ForensicSecurityGroup')),
  TRANSITION_GROUP_NAME: z.string().check(z.minLength(1)),
});

export interface IsolationSettings extends CommonSettings {
  /** Name of the forensic group in each VPC; contains `ForensicSecurityGroup`, as in the lab. */
  readonly forensicGroupName: string;
  /** Name of the allow-all group that makes tracked flows untracked for a moment. */
  readonly transitionGroupName: string;
}

export function isolationSettings(env: NodeJS.ProcessEnv = process.env): IsolationSettings {
  const vars = settingsFromEnv(settingsSchema, env);
  return {
    mode: vars.MODE,
    topicArn: vars.TOPIC_ARN,
    exemptTag: vars.EXEMPT_TAG,
    forensicGroupName: vars.FORENSIC_GROUP_NAME,
    transitionGroupName: vars.TRANSITION_GROUP_NAME,
  };
}

export interface IsolationDeps {
  readonly ec2: EC2Client;
  readonly sns: SNSClient;
  /** @default read from the environment at the first invocation */
  readonly settings?: () => IsolationSettings;
  /** @default stdout */
  readonly sink?: LogSink;
  /** @default the system clock */
  readonly now?: () => Date;
}

export function isolationHandler(deps: IsolationDeps) {
  return remediation({
    name: 'isolate-instance',
    schema: isolationEvent,
    findingTypes: EC2_MALICIOUS_IP_CALLER_TYPES,
    settings: deps.settings ?? (() => isolationSettings()),
    logKeys: (event) => ({ instanceId: event.detail.resource.instanceDetails.instanceId }),
    sink: deps.sink,
    now: deps.now,
    run: (event, context) => isolate(deps, event, context),
  });
}

/** Rules that allow everything, the transition group's whole content. */
const ALLOW_ALL: IpPermission = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
/** What EC2 puts in every new group's egress. */
const DEFAULT_EGRESS: IpPermission[] = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
/** Stands in for a group id in dry-run mode, where the group is not created. */
const NOT_CREATED = (name: string) => `(${name}, not created in dry-run)`;

/** An interface of the instance as found, and the VPC whose groups it can take. */
interface NetworkInterface {
  readonly id: string;
  readonly vpcId: string;
  readonly groupIds: readonly string[];
}

/** Some interfaces could not be isolated; each was put back into its own groups. Retried. */
export class IsolationIncomplete extends Error {
  override readonly name = 'IsolationIncomplete';
}

async function isolate(deps: IsolationDeps, event: IsolationEvent, context: RunContext<IsolationSettings>): Promise<Result> {
  const { ec2, sns } = deps;
  const { settings, act, log } = context;
  const finding = event.detail;
  const instanceId = finding.resource.instanceDetails.instanceId;

  const instance = await describeInstance(ec2, instanceId);
  if (isExempt(instance.Tags, settings.exemptTag)) {
    throw new Skipped('exempt', `instance ${instanceId} carries the exemption tag ${settings.exemptTag}`);
  }
  if (context.isHandled(instance.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `instance ${instanceId} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }
  const vpcId = instance.VpcId;
  if (!vpcId) throw new Refused(`instance ${instanceId} is not in a VPC`);

  // Security groups belong to one VPC, and an instance may have network interfaces in several
  // (multi-VPC attachments): each interface goes into the forensic group of its own VPC.
  const interfaces: NetworkInterface[] = (instance.NetworkInterfaces ?? []).map((eni) => ({
    id: eni.NetworkInterfaceId!,
    vpcId: eni.VpcId ?? vpcId,
    groupIds: (eni.Groups ?? []).map((group) => group.GroupId!),
  }));

  // Every group is ready before the first move.
  const groups = new SecurityGroups(ec2, act);
  const forensic = new Map<string, string>();
  for (const vpc of unique([vpcId, ...interfaces.map((eni) => eni.vpcId)])) {
    forensic.set(vpc, await groups.ensure(vpc, settings.forensicGroupName, FORENSIC_GROUP_PURPOSE, { ingress: [], egress: [] }));
  }
  const toMove = interfaces.filter((eni) => !(eni.groupIds.length === 1 && eni.groupIds[0] === forensic.get(eni.vpcId)));
  const transition = new Map<string, string>();
  for (const vpc of unique(toMove.map((eni) => eni.vpcId))) {
    transition.set(vpc, await groups.ensure(vpc, settings.transitionGroupName, TRANSITION_GROUP_PURPOSE, { ingress: [ALLOW_ALL], egress: [ALLOW_ALL] }));
  }

  const failed: string[] = [];
  for (const eni of toMove) {
    try {
      await moveIntoForensic(ec2, context, eni, transition.get(eni.vpcId)!, forensic.get(eni.vpcId)!);
    } catch (error) {
      failed.push(`${eni.id} (${error instanceof Error ? `${error.name}: ${error.message}` : String(error)})`);
    }
  }
  if (failed.length > 0) {
    throw new IsolationIncomplete(`network interfaces not isolated, left in their own groups: ${failed.join('; ')}`);
  }
  const forensicIds = unique([...forensic.values()]);
  const moved = toMove.map((eni) => eni.id);
  log.debug('network interfaces isolated', { forensicGroupIds: forensicIds, movedNetworkInterfaces: moved });

  const snapshots = await snapshotVolumes(ec2, act, instance, finding.id);
  const protectedNow = await protectFromTermination(ec2, act, instanceId);

  await notify(sns, act, settings.topicArn, {
    subject: `GuardDuty Remediation: EC2 instance ${instanceId} isolated`,
    summary:
      `GuardDuty Remediation | ID:${finding.id}: GuardDuty discovered an EC2 instance (Instance ID: ${instanceId}) that is ` +
      'communicating outbound with an IP Address on a threat list that you uploaded. All security groups have been removed ' +
      'and it has been isolated. Please follow up with any additional remediation actions.',
    facts: {
      'Finding type': finding.type,
      'Account / region': `${finding.accountId} / ${finding.region}`,
      'Forensic security group': `${settings.forensicGroupName} (${forensicIds.join(', ')})`,
      'Network interfaces moved': moved.length > 0 ? moved.join(', ') : 'none (already in the forensic group)',
      'Forensic snapshots': snapshots,
      'Termination protection': protectedNow ? 'enabled' : 'was already enabled',
    },
  });

  const tags = { Resources: [instanceId], Tags: handledTags(finding) };
  const marker = await context.markHandled('ec2:CreateTags', tags, () => ec2.send(new CreateTagsCommand(tags)));
  return { outcome: 'remediated', details: { forensicGroupIds: forensicIds, movedNetworkInterfaces: moved, snapshots, ...marker } };
}

/**
 * Transition group, then forensic group. If the second move fails it is tried once more, and then
 * the interface goes back into its own groups before the error is thrown: the transition group is
 * never where an interface is left. An interface found in the transition group already (its own
 * groups unknown) goes straight on.
 */
async function moveIntoForensic(ec2: EC2Client, { act, log }: RunContext<IsolationSettings>, eni: NetworkInterface, transition: string, forensic: string): Promise<void> {
  const move = (groupIds: readonly string[]) => {
    const input = { NetworkInterfaceId: eni.id, Groups: [...groupIds] };
    return act.write('ec2:ModifyNetworkInterfaceAttribute', input, () => ec2.send(new ModifyNetworkInterfaceAttributeCommand(input)));
  };
  const ownGroups = eni.groupIds.filter((id) => id !== transition);
  if (!eni.groupIds.includes(transition)) await move([transition]);
  try {
    await move([forensic]);
    return;
  } catch (error) {
    log.warn('move into the forensic group failed; trying once more', { networkInterfaceId: eni.id, error });
    try {
      await move([forensic]);
      return;
    } catch (again) {
      if (ownGroups.length === 0) {
        log.error('move into the forensic group failed again; the interface was found in the transition group, its own groups are unknown', {
          networkInterfaceId: eni.id,
          error: again,
        });
        throw again;
      }
      log.warn('move into the forensic group failed again; putting the interface back into its own groups', { networkInterfaceId: eni.id, groupIds: ownGroups, error: again });
      await move(ownGroups);
      throw again;
    }
  }
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

async function describeInstance(ec2: EC2Client, instanceId: string): Promise<Instance> {
  try {
    const output = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = output.Reservations?.[0]?.Instances?.[0];
    if (instance && instance.State?.Name !== 'terminated') return instance;
  } catch (error) {
    if (!isAwsError(error, 'InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed')) throw error;
  }
  throw new Skipped('not-found', `instance ${instanceId} does not exist (or is terminated)`);
}

interface GroupRules {
  readonly ingress: IpPermission[];
  readonly egress: IpPermission[];
}

/** Races with a concurrent delivery: read the group again and converge from what is there. */
const RACES = ['InvalidPermission.Duplicate', 'InvalidPermission.NotFound'];
/** Rounds of read-and-converge before a group that keeps changing under us is an error. */
const MAX_CONVERGE_ROUNDS = 3;

/** The remediation's security groups, found by name and tag or created, with exactly the given rules. */
class SecurityGroups {
  constructor(
    private readonly ec2: EC2Client,
    private readonly act: Actions,
  ) {}

  /** The id of our group of this name and purpose in the VPC, with exactly `rules`; refuses a same-name group not ours. */
  async ensure(vpcId: string, name: string, purpose: string, rules: GroupRules): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const group = (await this.findOurs(vpcId, name, purpose)) ?? (await this.create(vpcId, name, purpose));
      try {
        await this.converge(group, rules);
        return group.GroupId!;
      } catch (error) {
        // Deleted between our read and our change (a person, or a destroy): start from the top once.
        if (!isAwsError(error, 'InvalidGroup.NotFound') || attempt > 1) throw error;
      }
    }
  }

  private async find(filters: { Name: string; Values: string[] }[]): Promise<SecurityGroup | undefined> {
    const output = await this.ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters }));
    return output.SecurityGroups?.[0];
  }

  private async findOurs(vpcId: string, name: string, purpose: string): Promise<SecurityGroup | undefined> {
    const group = await this.find([
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'group-name', Values: [name] },
    ]);
    if (group) checkOurs(group, vpcId, name, purpose);
    return group;
  }

  private async create(vpcId: string, name: string, purpose: string): Promise<SecurityGroup> {
    const input = {
      GroupName: name,
      VpcId: vpcId,
      Description:
        purpose === FORENSIC_GROUP_PURPOSE
          ? 'GuardDuty remediation: isolates compromised instances (no inbound, no outbound)'
          : 'GuardDuty remediation: allows all so tracked flows become untracked; held only during isolation',
      TagSpecifications: [{ ResourceType: 'security-group' as const, Tags: [{ Key: REMEDIATION_GROUP_TAG, Value: purpose }, { Key: 'Name', Value: name }] }],
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
   * Revokes every rule that is not wanted and authorizes every wanted rule that is missing. A rule a
   * concurrent delivery added or removed first makes EC2 refuse the whole call: the group is read
   * again and the difference computed anew.
   */
  private async converge(group: SecurityGroup, rules: GroupRules): Promise<void> {
    const GroupId = group.GroupId!;
    let current = group;
    for (let round = 1; ; round++) {
      try {
        await this.apply(GroupId, current, rules);
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
    for (const { current, wanted, direction } of directions) {
      const unwanted = current.filter((permission) => !wanted.some((rule) => samePermission(rule, permission)));
      const missing = wanted.filter((rule) => !current.some((permission) => samePermission(rule, permission)));
      if (unwanted.length > 0) {
        const input = { GroupId, IpPermissions: unwanted };
        if (direction === 'ingress') await this.act.write('ec2:RevokeSecurityGroupIngress', input, () => this.ec2.send(new RevokeSecurityGroupIngressCommand(input)));
        else await this.act.write('ec2:RevokeSecurityGroupEgress', input, () => this.ec2.send(new RevokeSecurityGroupEgressCommand(input)));
      }
      if (missing.length > 0) {
        const input = { GroupId, IpPermissions: missing };
        if (direction === 'ingress') await this.act.write('ec2:AuthorizeSecurityGroupIngress', input, () => this.ec2.send(new AuthorizeSecurityGroupIngressCommand(input)));
        else await this.act.write('ec2:AuthorizeSecurityGroupEgress', input, () => this.ec2.send(new AuthorizeSecurityGroupEgressCommand(input)));
      }
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

/**
 * One crash-consistent set of snapshots of every EBS volume, tagged with the instance and finding;
 * skipped if that set exists already (a replay, or a re-run after a later step failed).
 */
async function snapshotVolumes(ec2: EC2Client, act: Actions, instance: Instance, findingId: string): Promise<string> {
  const instanceId = instance.InstanceId!;
  const volumes = (instance.BlockDeviceMappings ?? []).filter((mapping) => mapping.Ebs?.VolumeId);
  if (volumes.length === 0) return 'none (no EBS volumes)';
  const existing = await ec2.send(
    new DescribeSnapshotsCommand({
      OwnerIds: ['self'],
      Filters: [
        { Name: `tag:${FORENSIC_INSTANCE_TAG}`, Values: [instanceId] },
        { Name: `tag:${FINDING_ID_TAG}`, Values: [findingId] },
      ],
    }),
  );
  if ((existing.Snapshots ?? []).length > 0) return `${existing.Snapshots!.map((snapshot) => snapshot.SnapshotId).join(', ')} (taken earlier)`;
  const input = {
    InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: false },
    Description: `GuardDuty finding ${findingId}: forensic copy of ${instanceId}`,
    CopyTagsFromSource: 'volume' as const,
    TagSpecifications: [
      {
        ResourceType: 'snapshot' as const,
        Tags: [
          { Key: FORENSIC_INSTANCE_TAG, Value: instanceId },
          { Key: FINDING_ID_TAG, Value: findingId },
        ],
      },
    ],
  };
  const output = await act.write('ec2:CreateSnapshots', input, () => ec2.send(new CreateSnapshotsCommand(input)));
  if (!output) return `${volumes.length} volume(s) (not taken in dry-run)`;
  return (output.Snapshots ?? []).map((snapshot) => `${snapshot.SnapshotId} (${snapshot.VolumeId})`).join(', ');
}

/** Turns termination protection on; returns whether it was off before. */
async function protectFromTermination(ec2: EC2Client, act: Actions, instanceId: string): Promise<boolean> {
  const attribute = await ec2.send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'disableApiTermination' }));
  if (attribute.DisableApiTermination?.Value === true) return false;
  const input = { InstanceId: instanceId, DisableApiTermination: { Value: true } };
  await act.write('ec2:ModifyInstanceAttribute', input, () => ec2.send(new ModifyInstanceAttributeCommand(input)));
  return true;
}

export const handler = isolationHandler({ ec2: new EC2Client(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

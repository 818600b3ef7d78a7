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
} from '../lib/finding-types';
import { CLIENT_CONFIG } from './commons/clients';
import { isAwsError, Refused, Skipped } from './commons/errors';
import { instanceDetails, withResource } from './commons/finding';
import type { LogSink } from './commons/logger';
import { notify } from './commons/notify';
import { handledTags, isExempt, isHandled, remediation, settingsFromEnv, type Actions, type CommonSettings, type Result, type RunContext } from './commons/remediation';

/**
 * Isolates the EC2 instance of an `UnauthorizedAccess:EC2/MaliciousIPCaller.Custom` finding.
 *
 * Why two security groups: changing an instance's security groups does not end connections that
 * are already tracked; the security group keeps allowing them until they go idle. Following the AWS
 * incident-response guidance on source containment, each network interface is first moved into a
 * *transition* group that allows all traffic in and out (0.0.0.0/0 and ::/0, all protocols). For
 * TCP and UDP such rules make flows untracked (the EC2 connection-tracking documentation), so
 * the second move, into the *forensic* group with no rules at all, drops them at once (a flow that
 * stays tracked, of another protocol, ends when it goes idle; every new flow is refused at once). The
 * transition group is held only between two consecutive API calls. A network ACL would cut tracked
 * flows too, but it applies to the whole subnet (every other instance in it) and would have to be
 * undone by hand; the security-group route touches this instance only.
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

async function isolate(deps: IsolationDeps, event: IsolationEvent, { settings, act }: RunContext<IsolationSettings>): Promise<Result> {
  const { ec2, sns } = deps;
  const finding = event.detail;
  const instanceId = finding.resource.instanceDetails.instanceId;

  const instance = await describeInstance(ec2, instanceId);
  if (isExempt(instance.Tags, settings.exemptTag)) {
    throw new Skipped('exempt', `instance ${instanceId} carries the exemption tag ${settings.exemptTag}`);
  }
  if (isHandled(instance.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `instance ${instanceId} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }
  const vpcId = instance.VpcId;
  if (!vpcId) throw new Refused(`instance ${instanceId} is not in a VPC`);

  // Security groups belong to one VPC, and an instance may have network interfaces in several
  // (multi-VPC attachments): each interface goes into the forensic group of its own VPC.
  const vpcs = new Map<string, SecurityGroups>();
  const groupsOf = (vpc: string) => vpcs.get(vpc) ?? vpcs.set(vpc, new SecurityGroups(ec2, act, vpc)).get(vpc)!;
  const forensicOf = (vpc: string) => groupsOf(vpc).ensure(settings.forensicGroupName, FORENSIC_GROUP_PURPOSE, { ingress: [], egress: [] });
  const forensicIds = [await forensicOf(vpcId)];
  const moved: string[] = [];
  for (const eni of instance.NetworkInterfaces ?? []) {
    const eniId = eni.NetworkInterfaceId!;
    const eniVpc = eni.VpcId ?? vpcId;
    const forensic = await forensicOf(eniVpc);
    if (!forensicIds.includes(forensic)) forensicIds.push(forensic);
    const current = (eni.Groups ?? []).map((group) => group.GroupId);
    if (current.length === 1 && current[0] === forensic) continue;
    const transition = await groupsOf(eniVpc).ensure(settings.transitionGroupName, TRANSITION_GROUP_PURPOSE, { ingress: [ALLOW_ALL], egress: [ALLOW_ALL] });
    for (const groupId of [transition, forensic]) {
      const input = { NetworkInterfaceId: eniId, Groups: [groupId] };
      await act.write('ec2:ModifyNetworkInterfaceAttribute', input, () => ec2.send(new ModifyNetworkInterfaceAttributeCommand(input)));
    }
    moved.push(eniId);
  }

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
  await act.write('ec2:CreateTags', tags, () => ec2.send(new CreateTagsCommand(tags)));
  return { outcome: 'remediated', details: { forensicGroupIds: forensicIds, movedNetworkInterfaces: moved, snapshots } };
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

/** The remediation's security groups in one VPC, found by name or created, with exactly the given rules. */
class SecurityGroups {
  private readonly ids = new Map<string, string>();

  constructor(
    private readonly ec2: EC2Client,
    private readonly act: Actions,
    private readonly vpcId: string,
  ) {}

  async ensure(name: string, purpose: string, rules: { ingress: IpPermission[]; egress: IpPermission[] }): Promise<string> {
    const known = this.ids.get(name);
    if (known) return known;
    const group = (await this.find(name)) ?? (await this.create(name, purpose));
    await this.converge(group, rules);
    this.ids.set(name, group.GroupId!);
    return group.GroupId!;
  }

  private async find(name: string): Promise<SecurityGroup | undefined> {
    const output = await this.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [this.vpcId] }, { Name: 'group-name', Values: [name] }] }),
    );
    return output.SecurityGroups?.[0];
  }

  private async create(name: string, purpose: string): Promise<SecurityGroup> {
    const input = {
      GroupName: name,
      VpcId: this.vpcId,
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
      // A concurrent delivery of the same finding created it first: use that one.
      if (!isAwsError(error, 'InvalidGroup.Duplicate')) throw error;
      const group = await this.find(name);
      if (!group) throw error;
      return group;
    }
  }

  /** Revokes every rule that is not wanted and authorizes every wanted rule that is missing. */
  private async converge(group: SecurityGroup, rules: { ingress: IpPermission[]; egress: IpPermission[] }): Promise<void> {
    const GroupId = group.GroupId!;
    const directions = [
      { current: group.IpPermissions ?? [], wanted: rules.ingress, revoke: 'ingress' as const },
      { current: group.IpPermissionsEgress ?? [], wanted: rules.egress, revoke: 'egress' as const },
    ];
    for (const { current, wanted, revoke } of directions) {
      const unwanted = current.filter((permission) => !wanted.some((rule) => samePermission(rule, permission)));
      const missing = wanted.filter((rule) => !current.some((permission) => samePermission(rule, permission)));
      if (unwanted.length > 0) {
        const input = { GroupId, IpPermissions: unwanted };
        if (revoke === 'ingress') await this.act.write('ec2:RevokeSecurityGroupIngress', input, () => this.ec2.send(new RevokeSecurityGroupIngressCommand(input)));
        else await this.act.write('ec2:RevokeSecurityGroupEgress', input, () => this.ec2.send(new RevokeSecurityGroupEgressCommand(input)));
      }
      if (missing.length > 0) {
        const input = { GroupId, IpPermissions: missing };
        if (revoke === 'ingress') await this.act.write('ec2:AuthorizeSecurityGroupIngress', input, () => this.ec2.send(new AuthorizeSecurityGroupIngressCommand(input)));
        else await this.act.write('ec2:AuthorizeSecurityGroupEgress', input, () => this.ec2.send(new AuthorizeSecurityGroupEgressCommand(input)));
      }
    }
  }
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

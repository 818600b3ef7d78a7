import {
  CreateSnapshotsCommand,
  CreateTagsCommand,
  DescribeInstanceAttributeCommand,
  DescribeSnapshotsCommand,
  EC2Client,
  ModifyInstanceAttributeCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { EC2_MALICIOUS_IP_CALLER_TYPES, FINDING_ID_TAG, FORENSIC_INSTANCE_TAG } from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { Refused } from './commons/errors';
import { instanceDetails, withResource } from './commons/finding';
import { checkNotExempt, describeInstance, instanceInterfaces, isolateNetwork, isolationSettings, transitionGroupName, type IsolationDeps, type IsolationSettings } from './commons/isolation';
import { notify } from './commons/notify';
import { handledTags, remediation, type Actions, type Result, type RunContext } from './commons/remediation';

export { isolationSettings, type IsolationSettings } from './commons/isolation';

/**
 * Isolates the EC2 instance of an `UnauthorizedAccess:EC2/MaliciousIPCaller.Custom` finding: every
 * network interface into the forensic group of its VPC (through the instance's transition group,
 * which cuts tracked connections: functions/commons/isolation.ts says how, and why no failure leaves
 * an interface in an open group), then forensic snapshots of its volumes, termination protection, the
 * lab's e-mail, and the handled marker.
 *
 * Exempt, and never touched: instances listed in `remediation.exemptions.instances`, findings of the
 * accounts listed there, and instances carrying the exemption tag where the deployment's service
 * control policy reserves it.
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

async function isolate(deps: IsolationDeps, event: IsolationEvent, context: RunContext<IsolationSettings>): Promise<Result> {
  const { ec2, sns } = deps;
  const { settings, act, log, now } = context;
  const finding = event.detail;
  const instanceId = finding.resource.instanceDetails.instanceId;

  const instance = await describeInstance(ec2, instanceId);
  checkNotExempt(instance, settings);
  if (context.isHandled(instance.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `instance ${instanceId} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }
  if (!instance.VpcId) throw new Refused(`instance ${instanceId} is not in a VPC`);

  const interfaces = await instanceInterfaces(ec2, instanceId);
  const network = await isolateNetwork({ ec2, act, log, now }, settings, instanceId, interfaces, finding.id);
  log.debug('network interfaces isolated', { forensicGroupIds: network.forensicGroupIds, movedNetworkInterfaces: network.moved });

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
      'Forensic security group': `${settings.forensicGroupName} (${network.forensicGroupIds.join(', ')})`,
      'Network interfaces moved': network.moved.length > 0 ? network.moved.join(', ') : 'none (already in the forensic group)',
      ...(network.direct.length > 0
        ? { 'Connections not cut': `${network.direct.join(', ')} moved straight in (the transition group ${transitionGroupName(settings, instanceId)} could not be used): connections established before continue until idle` }
        : {}),
      'Forensic snapshots': snapshots,
      'Termination protection': protectedNow ? 'enabled' : 'was already enabled',
    },
  });

  const tags = { Resources: [instanceId], Tags: handledTags(finding) };
  const marker = await context.markHandled('ec2:CreateTags', tags, () => ec2.send(new CreateTagsCommand(tags)));
  return { outcome: 'remediated', details: { forensicGroupIds: network.forensicGroupIds, movedNetworkInterfaces: network.moved, snapshots, ...marker } };
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
  // The attribute by name (`Attribute`, `Value`): the form the role's `ec2:Attribute` condition reads.
  const input = { InstanceId: instanceId, Attribute: 'disableApiTermination' as const, Value: 'true' };
  await act.write('ec2:ModifyInstanceAttribute', input, () => ec2.send(new ModifyInstanceAttributeCommand(input)));
  return true;
}

export const handler = isolationHandler({ ec2: new EC2Client(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

import type { IpPermission } from '@aws-sdk/client-ec2';
import { isolationHandler, type IsolationSettings } from '../../functions/isolate-instance';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, ec2Error, FakeEc2, FakeSns, FUNCTION_ARN, labInstance, REGION, type CallHooks, type FakeGroup } from './fake-aws';

/**
 * Fault injection for the isolation: every AWS call of a recorded happy run is made to fail (on every
 * retry, as a lasting refusal would) and, separately, the process is made to die right after it. The
 * handler is run again as Lambda's asynchronous retries would (one invocation and two retries), and
 * after every run the fake EC2 account's state is checked: no network interface is in a group that
 * opens anything its own groups did not, and none is left in the transition group. A run without the
 * fault then completes the isolation.
 *
 * The instance has three interfaces in two VPCs (a multi-VPC attachment), with groups of their own.
 */

const SETTINGS: IsolationSettings = {
  mode: 'auto',
  topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`,
  exemptTag: 'GuardDutyRemediationExempt',
  forensicGroupName: 'acme-ForensicSecurityGroup',
  transitionGroupName: 'acme-IsolationTransition',
};
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('isolate-instance'), awsRequestId: 'request-faults' };
const VPC_A = 'vpc-0a00000000000000a';
const VPC_B = 'vpc-0b00000000000000b';
/** Lambda invokes an asynchronous event once and retries it twice. */
const LAMBDA_ATTEMPTS = 3;

const anywhere = (protocol: string, from?: number, to?: number): IpPermission => ({ IpProtocol: protocol, FromPort: from, ToPort: to, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
const from = (cidr: string, port: number): IpPermission => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] });

/** The instance and its own groups: a web group open on 443, an admin group (SSH from the VPC), a database group in the second VPC. */
function world() {
  const ec2 = new FakeEc2(
    labInstance({
      VpcId: VPC_A,
      NetworkInterfaces: [
        { NetworkInterfaceId: 'eni-0a0000000000000a1', Groups: [{ GroupId: 'sg-0a00000000000web', GroupName: 'web' }] },
        {
          NetworkInterfaceId: 'eni-0a0000000000000a2',
          Groups: [
            { GroupId: 'sg-0a00000000000web', GroupName: 'web' },
            { GroupId: 'sg-0a0000000000admin', GroupName: 'admin' },
          ],
        },
        { NetworkInterfaceId: 'eni-0b0000000000000b1', VpcId: VPC_B, Groups: [{ GroupId: 'sg-0b0000000000000db', GroupName: 'database' }] },
      ],
    }),
  );
  const own = (GroupId: string, GroupName: string, VpcId: string, IpPermissions: IpPermission[], IpPermissionsEgress: IpPermission[]) =>
    ec2.addGroup({ GroupId, GroupName, VpcId, Description: 'the workload', Tags: [], IpPermissions, IpPermissionsEgress });
  own('sg-0a00000000000web', 'web', VPC_A, [anywhere('tcp', 443, 443)], [anywhere('-1')]);
  own('sg-0a0000000000admin', 'admin', VPC_A, [from('10.0.0.0/16', 22)], []);
  own('sg-0b0000000000000db', 'database', VPC_B, [from('10.1.0.0/16', 5432)], [from('10.1.0.0/16', 443)]);
  const sns = new FakeSns();
  const handler = isolationHandler({ ec2: ec2.client, sns: sns.client, settings: () => SETTINGS, sink: () => undefined, now: () => new Date('2026-11-22T04:32:00Z') });
  const startingGroups = new Map(ec2.networkInterfaces().map((eni) => [eni.NetworkInterfaceId, eni.Groups.map((group) => group.GroupId)]));
  const openings = new Map([...startingGroups].map(([eni, groupIds]) => [eni, opened(groupIds.map((id) => ec2.groups.get(id)!))]));
  const setHooks = (hooks: CallHooks) => {
    ec2.hooks = hooks;
    sns.hooks = hooks;
  };
  return { ec2, sns, handler, startingGroups, openings, setHooks };
}
type World = ReturnType<typeof world>;

/** What a set of groups lets through: one entry per direction, protocol, ports and address range. */
function opened(groups: readonly FakeGroup[]): Set<string> {
  const entries = new Set<string>();
  for (const group of groups) {
    for (const [direction, permissions] of [['in', group.IpPermissions], ['out', group.IpPermissionsEgress]] as const) {
      for (const permission of permissions) {
        const ranges = [...(permission.IpRanges ?? []).map((range) => range.CidrIp), ...(permission.Ipv6Ranges ?? []).map((range) => range.CidrIpv6)];
        for (const range of ranges) entries.add(`${direction} ${permission.IpProtocol} ${permission.FromPort ?? '*'}-${permission.ToPort ?? '*'} ${range}`);
      }
    }
  }
  return entries;
}

/** Every interface is where the invariant allows: nothing opened beyond its own groups, never the transition group. */
function violations(w: World, allowedInTransition?: string): string[] {
  const found: string[] = [];
  for (const eni of w.ec2.networkInterfaces()) {
    const groups = eni.Groups.map((group) => w.ec2.groups.get(group.GroupId)!);
    if (groups.some((group) => group.GroupName === SETTINGS.transitionGroupName)) {
      if (eni.NetworkInterfaceId !== allowedInTransition) found.push(`${eni.NetworkInterfaceId} is in the transition group`);
      continue;
    }
    const extra = [...opened(groups)].filter((entry) => !w.openings.get(eni.NetworkInterfaceId)!.has(entry));
    if (extra.length > 0) found.push(`${eni.NetworkInterfaceId} opens ${extra.join(', ')} in ${groups.map((group) => group.GroupName).join(', ')}`);
  }
  return found;
}

/** Isolated: every interface alone in the empty forensic group of its own VPC, one such group per VPC. */
function isolation(w: World): string[] {
  const found: string[] = [];
  for (const vpc of [VPC_A, VPC_B]) {
    const forensic = w.ec2.groupsNamed(SETTINGS.forensicGroupName).filter((group) => group.VpcId === vpc);
    if (forensic.length !== 1) found.push(`${forensic.length} forensic groups in ${vpc}`);
    else if (forensic[0].IpPermissions.length + forensic[0].IpPermissionsEgress.length > 0) found.push(`the forensic group of ${vpc} has rules`);
  }
  for (const eni of w.ec2.networkInterfaces()) {
    const names = eni.Groups.map((group) => w.ec2.groups.get(group.GroupId)!.GroupName);
    if (names.length !== 1 || names[0] !== SETTINGS.forensicGroupName) found.push(`${eni.NetworkInterfaceId} is in ${names.join(', ')}`);
  }
  return found;
}

interface Call {
  readonly name: string;
  readonly input: Record<string, any>;
}

/** The same call: command and input (inputs are built in a fixed key order, so their JSON compares). */
const sameCall = (call: Call, name: string, input: Record<string, any>) => call.name === name && JSON.stringify(call.input) === JSON.stringify(input);

/** The calls of a run without faults, in order (EC2 and SNS). */
async function happyRun(): Promise<{ calls: Call[]; w: World }> {
  const w = world();
  const calls: Call[] = [];
  w.setHooks({ after: (name, input) => calls.push({ name, input: structuredClone(input) }) });
  const result = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
  expect(result.outcome).toBe('remediated');
  return { calls, w };
}

const describeCall = (call: Call, index: number) => {
  const { NetworkInterfaceId, GroupId, GroupName, Groups } = call.input;
  const what = [NetworkInterfaceId, GroupName ?? GroupId, Groups?.join(',')].filter(Boolean).join(' ');
  return `#${index} ${call.name}${what ? ` ${what}` : ''}`;
};

/** Runs the handler as Lambda's retries would; the invariant after each run. */
async function runLikeLambda(w: World, problems: string[], label: string): Promise<void> {
  for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS; attempt++) {
    let failed = false;
    try {
      await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
    } catch {
      failed = true;
    }
    for (const violation of violations(w)) problems.push(`${label}, after attempt ${attempt}: ${violation}`);
    if (!failed) return;
  }
}

/** With the fault gone, one more run completes the isolation and leaves one forensic group per VPC. */
async function completes(w: World, problems: string[], label: string): Promise<void> {
  w.setHooks({});
  const result = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
  if (!['remediated', 'already-remediated'].includes(result.outcome)) problems.push(`${label}: the run without the fault ended ${result.outcome}: ${result.reason}`);
  for (const problem of [...violations(w), ...isolation(w)]) problems.push(`${label}, after the run without the fault: ${problem}`);
  if (w.sns.published.length === 0) problems.push(`${label}: no remediation e-mail`);
  if (w.ec2.instances.get('i-0a1b2c3d4e5f60718')!.Tags.every((tag) => tag.Key !== 'GuardDutyFindingId')) problems.push(`${label}: the instance is not marked as handled`);
}

describe('isolate-instance under injected faults (3 interfaces, 2 VPCs)', () => {
  let happy: Call[];
  beforeAll(async () => {
    const run = await happyRun();
    happy = run.calls;
    expect(isolation(run.w)).toEqual([]);
  });

  it('records the isolation sequence: every group ready before the first move, then two moves per interface', () => {
    expect(happy.map((call) => call.name)).toEqual([
      'DescribeInstances',
      // The forensic group of each VPC: found (not there), created, default egress rule revoked.
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      // The transition group of each VPC: allow all, both directions.
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'AuthorizeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'AuthorizeSecurityGroupEgress',
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'AuthorizeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'AuthorizeSecurityGroupEgress',
      ...Array(6).fill('ModifyNetworkInterfaceAttribute'),
      'DescribeSnapshots',
      'CreateSnapshots',
      'DescribeInstanceAttribute',
      'ModifyInstanceAttribute',
      'Publish',
      'CreateTags',
    ]);
  });

  it('no call failing on every attempt ever leaves an interface more open than its own groups, and a run without the fault completes', async () => {
    const problems: string[] = [];
    for (const [index, target] of happy.entries()) {
      const label = `${describeCall(target, index)} failing`;
      const w = world();
      let refused = 0;
      w.setHooks({
        before: (name, input) => {
          if (!sameCall(target, name, input)) return;
          refused++;
          throw name === 'Publish' ? Object.assign(new Error('Internal error'), { name: 'InternalErrorException' }) : ec2Error('InternalError', 'An internal error has occurred');
        },
      });
      await runLikeLambda(w, problems, label);
      if (refused === 0) problems.push(`${label}: the fault never happened (the call was not made again)`);
      await completes(w, problems, label);
    }
    expect(problems).toEqual([]);
  });

  it('a crash right after any call leaves at most the interface being moved in the transition group, and the retry resolves it', async () => {
    const problems: string[] = [];
    for (const [index, target] of happy.entries()) {
      const label = `crash after ${describeCall(target, index)}`;
      const w = world();
      let crashed = false;
      let dead = false;
      w.setHooks({
        before: () => {
          // The process is gone: nothing after the crash reaches AWS, the handler's own catch included.
          if (dead) throw new Error('the Lambda process died');
        },
        after: (name, input) => {
          if (crashed || !sameCall(target, name, input)) return;
          crashed = dead = true;
          throw new Error('the Lambda process died');
        },
      });
      await expect(w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).rejects.toThrow();
      if (!crashed) problems.push(`${label}: the crash never happened`);
      const movedIntoTransition = target.name === 'ModifyNetworkInterfaceAttribute' && w.ec2.groups.get(target.input.Groups[0])?.GroupName === SETTINGS.transitionGroupName;
      for (const violation of violations(w, movedIntoTransition ? target.input.NetworkInterfaceId : undefined)) problems.push(`${label}, in the crashed run: ${violation}`);
      dead = false;
      w.setHooks({});
      // Lambda retries the invocation that died; that retry must resolve everything.
      const retry = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
      if (!['remediated', 'already-remediated'].includes(retry.outcome)) problems.push(`${label}: the retry ended ${retry.outcome}`);
      for (const problem of [...violations(w), ...isolation(w)]) problems.push(`${label}, after the retry: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('can see a violation: an interface left in the transition group, or in a group opening more, is reported', () => {
    const w = world();
    const transition = w.ec2.addGroup({ GroupName: SETTINGS.transitionGroupName, VpcId: VPC_A, Description: 'x', Tags: [], IpPermissions: [anywhere('-1')], IpPermissionsEgress: [anywhere('-1')] });
    const wide = w.ec2.addGroup({ GroupName: 'wide', VpcId: VPC_B, Description: 'x', Tags: [], IpPermissions: [anywhere('tcp', 0, 65535)], IpPermissionsEgress: [] });
    const [a1, , b1] = w.ec2.networkInterfaces();
    a1.Groups = [{ GroupId: transition.GroupId, GroupName: transition.GroupName }];
    b1.Groups = [{ GroupId: wide.GroupId, GroupName: wide.GroupName }];

    expect(violations(w)).toEqual(['eni-0a0000000000000a1 is in the transition group', 'eni-0b0000000000000b1 opens in tcp 0-65535 0.0.0.0/0 in wide']);
  });
});

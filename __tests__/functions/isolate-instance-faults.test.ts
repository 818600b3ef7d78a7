import type { IpPermission } from '@aws-sdk/client-ec2';
import { isolationHandler, type IsolationSettings } from '../../functions/isolate-instance';
import { sweepHandler } from '../../functions/sweep-isolations';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, ec2Error, FakeEc2, FakeSns, FUNCTION_ARN, labInstance, REGION, type CallHooks, type FakeGroup } from './fake-aws';

/**
 * Fault injection for the isolation, against the bundled handlers' logic with real SDK v3 clients and
 * an in-memory EC2 account. The instance has three interfaces in two VPCs (a multi-VPC attachment),
 * with groups of their own: a web group open on 443, an admin group (SSH from the VPC), a database
 * group in the second VPC.
 *
 * - Every call of one kind fails from its k-th call on (throttling, and a refusal), for every k, over
 *   Lambda's three attempts; after each attempt no interface may be in a group that opens anything its
 *   own groups did not (the allow-all transition group above all). Then the fault goes, the sweep runs
 *   and a last delivery completes the isolation.
 * - An outage: every call fails from the k-th on, through the three attempts; then the API recovers
 *   and the scheduled sweep runs.
 * - A crash right after any call; Lambda's retry resolves it.
 * - The exposure window of a normal isolation, measured.
 */

const SETTINGS: IsolationSettings = {
  mode: 'auto',
  topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`,
  exemptAccounts: [],
  exemptInstanceIds: [],
  forensicGroupName: 'acme-ForensicSecurityGroup',
  transitionGroupPrefix: 'acme-IsolationTransition',
};
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('isolate-instance'), awsRequestId: 'request-faults' };
const SWEEP_CONTEXT = { invokedFunctionArn: FUNCTION_ARN('sweep-isolations'), awsRequestId: 'request-sweep' };
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const TRANSITION = `${SETTINGS.transitionGroupPrefix}-${INSTANCE}`;
const VPC_A = 'vpc-0a00000000000000a';
const VPC_B = 'vpc-0b00000000000000b';
/** Lambda invokes an asynchronous event once and retries it twice. */
const LAMBDA_ATTEMPTS = 3;
const FINDING_TIME = new Date('2026-11-22T04:32:00Z');
/** The sweep runs on its schedule, after the attempts are over. */
const SWEEP_TIME = new Date('2026-11-22T04:45:00Z');
const SCHEDULE = { version: '0', id: 'sweep-1', 'detail-type': 'Scheduled Event', source: 'aws.events', account: ACCOUNT, time: SWEEP_TIME.toISOString(), region: REGION, resources: [], detail: {} };

const anywhere = (protocol: string, from?: number, to?: number): IpPermission => ({ IpProtocol: protocol, FromPort: from, ToPort: to, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
const from = (cidr: string, port: number): IpPermission => ({ IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: cidr }] });

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
  const handler = isolationHandler({ ec2: ec2.client, sns: sns.client, settings: () => SETTINGS, sink: () => undefined, now: () => FINDING_TIME });
  const sweep = sweepHandler({ ec2: ec2.client, sns: sns.client, settings: () => SETTINGS, sink: () => undefined, now: () => SWEEP_TIME });
  const startingGroups = new Map(ec2.networkInterfaces().map((eni) => [eni.NetworkInterfaceId, eni.Groups.map((group) => group.GroupId)]));
  const openings = new Map([...startingGroups].map(([eni, groupIds]) => [eni, opened(groupIds.map((id) => ec2.groups.get(id)!))]));
  const setHooks = (hooks: CallHooks) => {
    ec2.hooks = hooks;
    sns.hooks = hooks;
  };
  return { ec2, sns, handler, sweep, startingGroups, openings, setHooks };
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

/** Interfaces in groups that open anything their own groups did not (the open transition group above all). */
function violations(w: World): string[] {
  const found: string[] = [];
  for (const eni of w.ec2.networkInterfaces()) {
    const groups = eni.Groups.map((group) => w.ec2.groups.get(group.GroupId)!);
    const extra = [...opened(groups)].filter((entry) => !w.openings.get(eni.NetworkInterfaceId)!.has(entry));
    if (extra.length > 0) found.push(`${eni.NetworkInterfaceId} opens ${extra.join(', ')} in ${groups.map((group) => group.GroupName).join(', ')}`);
  }
  return found;
}

/** Isolated: every interface alone in the empty forensic group of its own VPC, no transition group left. */
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
    if (w.ec2.tagOf(eni, 'GuardDutyIsolationState') !== 'isolated') found.push(`${eni.NetworkInterfaceId}'s record says ${w.ec2.tagOf(eni, 'GuardDutyIsolationState')}`);
  }
  const transitions = w.ec2.groupsNamed(TRANSITION);
  if (transitions.length > 0) found.push(`the transition group is left in ${transitions.map((group) => group.VpcId).join(', ')}`);
  return found;
}

interface Call {
  readonly name: string;
  readonly input: Record<string, any>;
}

/** The calls of a run without faults, in order (EC2 and SNS). */
async function happyRun(): Promise<{ calls: Call[]; w: World }> {
  const w = world();
  const calls: Call[] = [];
  w.setHooks({ after: (name, input) => calls.push({ name, input: structuredClone(input) }) });
  const result = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
  expect(result.outcome).toBe('remediated');
  return { calls, w };
}

/** Runs the handler as Lambda's retries would; the invariant after each attempt (or what `check` says). */
async function runLikeLambda(w: World, problems: string[], label: string, check: (w: World) => string[] = violations): Promise<boolean> {
  for (let attempt = 1; attempt <= LAMBDA_ATTEMPTS; attempt++) {
    let failed = false;
    try {
      const result = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
      if (result.outcome === 'failed') failed = true;
    } catch {
      failed = true;
    }
    for (const violation of check(w)) problems.push(`${label}, after attempt ${attempt}: ${violation}`);
    if (!failed) return true;
  }
  return false;
}

const calledKinds = (calls: readonly Call[]) => [...new Set(calls.map((call) => call.name))];
const READS = new Set(['DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeSecurityGroups', 'DescribeSnapshots', 'DescribeInstanceAttribute']);

/** A throttling error and a refusal, as EC2 (and SNS) send them. */
const FAULTS: readonly [string, (name: string) => Error][] = [
  ['throttled', (name) => (name === 'Publish' ? Object.assign(new Error('Rate exceeded'), { name: 'Throttled' }) : ec2Error('RequestLimitExceeded', 'Request limit exceeded.'))],
  ['refused', (name) => (name === 'Publish' ? Object.assign(new Error('not authorized'), { name: 'AuthorizationError' }) : ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'))],
];

describe('isolate-instance under injected faults (3 interfaces, 2 VPCs)', () => {
  let happy: Call[];
  beforeAll(async () => {
    const run = await happyRun();
    happy = run.calls;
    expect(isolation(run.w)).toEqual([]);
  });

  it('records the isolation sequence: groups ready and records written before the first move, one window per VPC', () => {
    expect(happy.map((call) => call.name)).toEqual([
      'DescribeInstances',
      'DescribeNetworkInterfaces',
      // The forensic group of each VPC: found (not there), created, default egress rule revoked.
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      'DescribeSecurityGroups',
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      // The instance's transition group, looked for in each VPC.
      'DescribeSecurityGroups',
      'DescribeSecurityGroups',
      // Each interface's record, before any move.
      'CreateTags',
      'CreateTags',
      'CreateTags',
      // VPC A: the window opens, two interfaces move in and out, the window closes, the group goes.
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'ModifyNetworkInterfaceAttribute',
      'ModifyNetworkInterfaceAttribute',
      'ModifyNetworkInterfaceAttribute',
      'ModifyNetworkInterfaceAttribute',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'DeleteSecurityGroup',
      // VPC B: the same for one interface.
      'CreateSecurityGroup',
      'RevokeSecurityGroupEgress',
      'AuthorizeSecurityGroupIngress',
      'AuthorizeSecurityGroupEgress',
      'ModifyNetworkInterfaceAttribute',
      'ModifyNetworkInterfaceAttribute',
      'RevokeSecurityGroupIngress',
      'RevokeSecurityGroupEgress',
      'DeleteSecurityGroup',
      // The records say isolated; then evidence, protection, e-mail, marker.
      'CreateTags',
      'DescribeSnapshots',
      'CreateSnapshots',
      'DescribeInstanceAttribute',
      'ModifyInstanceAttribute',
      'Publish',
      'CreateTags',
    ]);
  });

  it('with every call of one kind failing from its k-th on, for every kind and k, no attempt leaves an interface more open; the sweep and a later delivery finish', async () => {
    const problems: string[] = [];
    let scenarios = 0;
    for (const kind of calledKinds(happy).filter((name) => !READS.has(name))) {
      const count = happy.filter((call) => call.name === kind).length;
      for (let k = 1; k <= count; k++) {
        for (const [fault, error] of FAULTS) {
          const label = `every ${kind} from its call ${k} on ${fault}`;
          scenarios++;
          const w = world();
          let seen = 0;
          w.setHooks({
            before: (name) => {
              if (name !== kind) return;
              seen++;
              if (seen >= k) throw error(name);
            },
          });
          await runLikeLambda(w, problems, label);
          w.setHooks({});
          await w.sweep(SCHEDULE, SWEEP_CONTEXT);
          for (const violation of violations(w)) problems.push(`${label}, after the sweep: ${violation}`);
          const last = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
          if (!['remediated', 'already-remediated'].includes(last.outcome)) problems.push(`${label}: the delivery after the fault ended ${last.outcome}: ${last.reason}`);
          for (const problem of isolation(w)) problems.push(`${label}, at the end: ${problem}`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Every mutating kind the isolation sends, each k, throttled and refused.
    expect(scenarios).toBe(2 * happy.filter((call) => !READS.has(call.name)).length);
  });

  it('in an outage from any call on, through every attempt, only an interface caught between its two moves is left open; once the API is back the sweep isolates every interface', async () => {
    const problems: string[] = [];
    const unrecorded: number[] = [];
    for (let k = 1; k <= happy.length; k++) {
      const label = `outage from call ${k} (${happy[k - 1].name})`;
      const w = world();
      let n = 0;
      w.setHooks({
        before: (name) => {
          n++;
          if (n >= k) throw name === 'Publish' ? Object.assign(new Error('Service unavailable'), { name: 'InternalError' }) : ec2Error('Unavailable', 'The service is unavailable.');
        },
      });
      // The one window no code can close: an interface in its open transition group when the API stopped answering.
      const unavoidable = (world: World) =>
        violations(world).filter((violation) => !/in acme-IsolationTransition-/.test(violation) || world.ec2.networkInterfaces().filter((eni) => eni.Groups.some((group) => group.GroupName === TRANSITION)).length > 1);
      await runLikeLambda(w, problems, label, unavoidable);
      w.setHooks({});
      const sweep = await w.sweep(SCHEDULE, SWEEP_CONTEXT);
      if (sweep.outcome !== 'remediated') problems.push(`${label}: the sweep ended ${sweep.outcome}: ${sweep.reason}`);
      for (const violation of violations(w)) problems.push(`${label}, after the sweep: ${violation}`);
      const recorded = w.ec2.networkInterfaces().every((eni) => w.ec2.tagOf(eni, 'GuardDutyIsolationState') !== undefined);
      if (recorded) {
        for (const problem of isolation(w)) problems.push(`${label}, after the sweep: ${problem}`);
      } else {
        // The outage began before the records: nothing moved, nothing opened; the event waits in the dead-letter queue.
        unrecorded.push(k);
        for (const eni of w.ec2.networkInterfaces()) {
          if (JSON.stringify(eni.Groups.map((group) => group.GroupId)) !== JSON.stringify(w.startingGroups.get(eni.NetworkInterfaceId))) problems.push(`${label}: ${eni.NetworkInterfaceId} moved without a record`);
        }
      }
    }
    expect(problems).toEqual([]);
    // Only an outage from the first record's call on leaves a record the sweep finishes from: before it,
    // the reads and the forensic groups (docs/remediation.md says so).
    expect(unrecorded).toEqual(Array.from({ length: 11 }, (_, index) => index + 1));
  });

  it('a crash right after any call leaves at most the interface being moved in an open group, and the retry resolves it', async () => {
    const problems: string[] = [];
    for (const [index, target] of happy.entries()) {
      const label = `crash after #${index} ${target.name}`;
      const w = world();
      let calls = 0;
      let dead = false;
      w.setHooks({
        before: () => {
          // The process is gone: nothing after the crash reaches AWS, the handler's own catch included.
          if (dead) throw new Error('the Lambda process died');
        },
        after: () => {
          calls++;
          if (calls !== index + 1) return;
          dead = true;
          throw new Error('the Lambda process died');
        },
      });
      await expect(w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).rejects.toThrow();
      const openOnes = w.ec2.networkInterfaces().filter((eni) => violations(w).some((violation) => violation.startsWith(eni.NetworkInterfaceId)));
      const intoTransition = target.name === 'ModifyNetworkInterfaceAttribute' && w.ec2.groups.get(target.input.Groups[0])?.GroupName === TRANSITION;
      if (openOnes.length > (intoTransition ? 1 : 0) || (openOnes.length === 1 && openOnes[0].NetworkInterfaceId !== target.input.NetworkInterfaceId)) {
        for (const violation of violations(w)) problems.push(`${label}, in the crashed run: ${violation}`);
      }
      dead = false;
      w.setHooks({});
      const retry = await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
      if (!['remediated', 'already-remediated'].includes(retry.outcome)) problems.push(`${label}: the retry ended ${retry.outcome}`);
      for (const problem of [...violations(w), ...isolation(w)]) problems.push(`${label}, after the retry: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('measures the exposure window of a normal isolation: one call between an interface\'s two moves', async () => {
    const w = world();
    w.ec2.latencyMs = 20;
    const events: { name: string; input: Record<string, any>; at: number }[] = [];
    w.setHooks({ after: (name, input) => events.push({ name, input: structuredClone(input), at: performance.now() }) });
    const started = performance.now();
    await w.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
    const total = performance.now() - started;

    const windows = w.ec2.networkInterfaces().map((eni) => {
      const moves = events.map((event, index) => ({ ...event, index })).filter((event) => event.name === 'ModifyNetworkInterfaceAttribute' && event.input.NetworkInterfaceId === eni.NetworkInterfaceId);
      expect(moves.map((move) => w.ec2.groups.get(move.input.Groups[0])?.GroupName ?? 'deleted transition group')).toEqual(['deleted transition group', SETTINGS.forensicGroupName]);
      return { eni: eni.NetworkInterfaceId, callsBetween: moves[1].index - moves[0].index - 1, ms: moves[1].at - moves[0].at };
    });
    const opens = events.map((event, index) => ({ ...event, index })).filter((event) => event.name === 'AuthorizeSecurityGroupIngress');
    const closes = events.map((event, index) => ({ ...event, index })).filter((event) => event.name === 'RevokeSecurityGroupEgress' && event.input.IpPermissions[0].Ipv6Ranges?.length);
    const groupWindows = opens.map((open, index) => ({ callsWhileOpen: closes[index].index - open.index - 1, ms: closes[index].at - open.at }));
    // The measurement docs/remediation.md reports (a measurement, not a timed assertion).
    console.info(
      `exposure window with ${w.ec2.latencyMs} ms per call: ${windows.map((window) => `${window.eni} ${window.callsBetween} calls between its moves, ${window.ms.toFixed(0)} ms`).join('; ')}; ` +
        `transition groups open for ${groupWindows.map((window) => `${window.callsWhileOpen} calls, ${window.ms.toFixed(0)} ms`).join(' and ')}; whole isolation ${total.toFixed(0)} ms for ${events.length} calls`,
    );
    // Nothing else is sent between an interface's move into the transition group and its move out.
    expect(windows.map((window) => window.callsBetween)).toEqual([0, 0, 0]);
    // While a group has any rule, only the rest of its rules and its interfaces' moves (two each) are sent.
    expect(groupWindows.map((window) => window.callsWhileOpen)).toEqual([6, 4]);
  });
});

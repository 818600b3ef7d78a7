import type { IsolationSettings } from '../../functions/commons/isolation';
import { GROUP_GRACE_SECONDS, RECORD_GRACE_SECONDS, sweepHandler } from '../../functions/sweep-isolations';
import { ACCOUNT, FakeEc2, FakeSns, FUNCTION_ARN, labInstance, REGION, type FakeGroup } from './fake-aws';

const SETTINGS: IsolationSettings = {
  mode: 'auto',
  topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`,
  exemptTag: 'GuardDutyRemediationExempt',
  exemptAccounts: [],
  exemptInstanceIds: [],
  forensicGroupName: 'acme-ForensicSecurityGroup',
  transitionGroupPrefix: 'acme-IsolationTransition',
};
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('sweep-isolations'), awsRequestId: 'request-sweep' };
const NOW = new Date('2026-11-22T05:00:00Z');
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const VPC = 'vpc-0a1b2c3d4e5f60001';
const TARGET = 'sg-0a1b2c3d4e5f60001';
const ALLOW_ALL = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
const schedule = (overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'c5d7f9a1-0000-4000-8000-000000000001',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT,
  time: NOW.toISOString(),
  region: REGION,
  resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/acme-remediation-sweep`],
  detail: {},
  ...overrides,
});
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The lab instance, its two interfaces in the workload group, and what a failed isolation left. */
function world(left: { transitionRules?: boolean; updated?: string; pendingOn?: number[]; inTransition?: number[]; exempt?: boolean } = {}) {
  const ec2 = new FakeEc2(labInstance(left.exempt ? { Tags: [{ Key: 'GuardDutyRemediationExempt', Value: '' }] } : {}));
  ec2.addGroup({ GroupId: TARGET, GroupName: 'TargetSecurityGroup', VpcId: VPC, Description: 'lab', Tags: [], IpPermissions: [], IpPermissionsEgress: [] });
  const updated = left.updated ?? ago(RECORD_GRACE_SECONDS + 60);
  const transition = ec2.addGroup({
    GroupName: `acme-IsolationTransition-${INSTANCE}`,
    VpcId: VPC,
    Description: 'ours',
    Tags: [
      { Key: 'GuardDutyRemediation', Value: 'untrack' },
      { Key: 'GuardDutyIsolationUpdated', Value: updated },
    ],
    IpPermissions: left.transitionRules ? [ALLOW_ALL] : [],
    IpPermissionsEgress: left.transitionRules ? [ALLOW_ALL] : [],
  });
  const interfaces = ec2.instances.get(INSTANCE)!.NetworkInterfaces;
  for (const index of left.pendingOn ?? []) {
    interfaces[index].Tags = [
      { Key: 'GuardDutyIsolationState', Value: 'pending' },
      { Key: 'GuardDutyIsolationUpdated', Value: updated },
      { Key: 'GuardDutyFindingId', Value: 'a8c7f1e2d3b4a5c6d7e8f9a0b1c2d3e4' },
      { Key: 'GuardDutyIsolationOwnGroups', Value: TARGET },
    ];
  }
  for (const index of left.inTransition ?? []) interfaces[index].Groups = [{ GroupId: transition.GroupId, GroupName: transition.GroupName }];
  const sns = new FakeSns();
  const lines: string[] = [];
  const sweep = (settings: Partial<IsolationSettings> = {}) =>
    sweepHandler({ ec2: ec2.client, sns: sns.client, settings: () => ({ ...SETTINGS, ...settings }), sink: (line) => lines.push(line), now: () => NOW });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  const groupsOf = () => interfaces.map((eni) => eni.Groups.map((group) => group.GroupName));
  return { ec2, sns, sweep, logs, transition, groupsOf };
}

const rulesOf = (group: FakeGroup | undefined) => (group ? group.IpPermissions.length + group.IpPermissionsEgress.length : undefined);

describe('sweep-isolations', () => {
  it('closes an open transition group first, finishes the pending interfaces, deletes the group, e-mails once; a second sweep changes nothing', async () => {
    const { ec2, sns, sweep, transition, groupsOf } = world({ transitionRules: true, pendingOn: [0, 1], inTransition: [0] });
    const handler = sweep();

    const result = await handler(schedule(), CONTEXT);

    expect(result).toMatchObject({ outcome: 'remediated', details: { closedGroups: [transition.GroupId], finishedInterfaces: ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'], skipped: [] } });
    // The closing came before any move.
    const writes = ec2.writes();
    expect(writes.slice(0, 2)).toEqual(['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress']);
    expect(groupsOf()).toEqual([['acme-ForensicSecurityGroup'], ['acme-ForensicSecurityGroup']]);
    expect(ec2.groups.has(transition.GroupId)).toBe(false);
    expect(ec2.instances.get(INSTANCE)!.NetworkInterfaces.map((eni) => ec2.tagOf(eni, 'GuardDutyIsolationState'))).toEqual(['isolated', 'isolated']);
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0].Subject).toBe('GuardDuty Remediation: the sweep finished isolations a failed run left');

    const before = ec2.writes().length;
    expect((await handler(schedule(), CONTEXT)).details).toEqual({ closedGroups: [], finishedInterfaces: [], deletedGroups: [], skipped: [] });
    expect(ec2.writes()).toHaveLength(before);
    expect(sns.published).toHaveLength(1);
  });

  it('leaves alone a record or group a live run may still be working on (younger than the grace periods)', async () => {
    const { ec2, sweep, transition } = world({ transitionRules: true, updated: ago(GROUP_GRACE_SECONDS - 30), pendingOn: [0] });

    expect((await sweep()(schedule(), CONTEXT)).details).toEqual({ closedGroups: [], finishedInterfaces: [], deletedGroups: [], skipped: [] });
    expect(ec2.writes()).toEqual([]);
    expect(rulesOf(ec2.groups.get(transition.GroupId))).toBe(2);
  });

  it('closes a stale group even while a pending record is still young (closing is always safe), and leaves the record', async () => {
    const { ec2, sweep, transition, groupsOf } = world({ transitionRules: true, updated: ago(GROUP_GRACE_SECONDS + 30), pendingOn: [0] });

    expect((await sweep()(schedule(), CONTEXT)).details).toMatchObject({ closedGroups: [transition.GroupId], finishedInterfaces: [] });
    expect(ec2.writes().slice(0, 2)).toEqual(['RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress']);
    expect(groupsOf()).toEqual([['TargetSecurityGroup'], ['TargetSecurityGroup']]);
  });

  it('deletes a stale transition group nothing is in', async () => {
    const { ec2, sweep, transition } = world();

    expect((await sweep()(schedule(), CONTEXT)).details).toMatchObject({ deletedGroups: [transition.GroupId] });
    expect(ec2.groups.has(transition.GroupId)).toBe(false);
  });

  it('skips an exempt instance, listed or tagged, and says so', async () => {
    for (const [what, options, settings] of [
      ['listed', {}, { exemptInstanceIds: [INSTANCE] }],
      ['tagged', { exempt: true }, {}],
    ] as const) {
      const { ec2, sweep, groupsOf } = world({ ...options, pendingOn: [0] });
      const result = await sweep(settings)(schedule(), CONTEXT);
      expect({ what, skipped: (result.details as { skipped: string[] }).skipped }).toEqual({
        what,
        skipped: [`${INSTANCE} (instance ${INSTANCE} ${what === 'listed' ? 'is exempt (remediation.exemptions.instances)' : 'carries the exemption tag GuardDutyRemediationExempt'})`],
      });
      expect(ec2.moves).toEqual([]);
      expect(groupsOf()).toEqual([['TargetSecurityGroup'], ['TargetSecurityGroup']]);
    }
  });

  it('in dry-run mode logs what it would do and changes nothing', async () => {
    const { ec2, sns, sweep, logs } = world({ transitionRules: true, pendingOn: [0], inTransition: [0] });

    expect((await sweep({ mode: 'dry-run' })(schedule(), CONTEXT)).outcome).toBe('dry-run');
    expect(ec2.writes()).toEqual([]);
    expect(sns.published).toEqual([]);
    const intended = logs().filter((line) => line.message === 'dry run: would call').map((line) => line.action);
    expect(intended.slice(0, 2)).toEqual(['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress']);
    expect(intended).toContain('ec2:ModifyNetworkInterfaceAttribute');
    expect(intended.at(-1)).toBe('sns:Publish');
  });

  it('fails (and alarms) when it cannot finish, after doing what it could', async () => {
    const { ec2, sweep, transition } = world({ transitionRules: true, pendingOn: [0, 1], inTransition: [0] });
    ec2.hooks.before = (name) => {
      if (name === 'ModifyNetworkInterfaceAttribute') throw Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' });
    };

    await expect(sweep()(schedule(), CONTEXT)).rejects.toThrow(/^the sweep could not finish: i-0a1b2c3d4e5f60718: IsolationIncomplete/);
    // Whatever failed, the transition group is closed.
    expect(rulesOf(ec2.groups.get(transition.GroupId))).toBe(0);
  });

  it('rejects an event that is not its schedule, and skips a schedule of another account or region', async () => {
    const { ec2, sweep } = world({ pendingOn: [0] });
    const handler = sweep();

    expect(await handler(schedule({ source: 'aws.guardduty' }), CONTEXT)).toMatchObject({ outcome: 'rejected' });
    expect(await handler(schedule({ account: '444444444444' }), CONTEXT)).toMatchObject({ outcome: 'skipped' });
    expect(await handler(schedule({ region: 'eu-west-1' }), CONTEXT)).toMatchObject({ outcome: 'skipped' });
    expect(ec2.calls()).toEqual([]);
  });
});

import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { CLIENT_CONFIG } from '../../functions/commons/clients';
import { isolationHandler, isolationSettings, type IsolationSettings } from '../../functions/isolate-instance';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, ec2Error, FakeEc2, FUNCTION_ARN, labInstance, queryThrottling, REGION, scriptedHttp, TEST_CREDENTIALS, type FakeGroup } from './fake-aws';

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`;
const SETTINGS: IsolationSettings = {
  mode: 'auto',
  topicArn: TOPIC,
  exemptTag: 'GuardDutyRemediationExempt',
  exemptAccounts: [],
  exemptInstanceIds: [],
  forensicGroupName: 'acme-ForensicSecurityGroup',
  transitionGroupPrefix: 'acme-IsolationTransition',
};
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('isolate-instance'), awsRequestId: 'request-1' };
const INSTANCE = 'i-0a1b2c3d4e5f60718';
const FINDING_ID = 'a8c7f1e2d3b4a5c6d7e8f9a0b1c2d3e4';
const ALLOW_ALL = { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }] };
const TRANSITION_NAME = `acme-IsolationTransition-${INSTANCE}`;

function setup(options: { ec2?: FakeEc2; sns?: SNSClient; settings?: Partial<IsolationSettings> } = {}) {
  const ec2 = options.ec2 ?? new FakeEc2(labInstance());
  const sns = options.sns ?? new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
  const snsMock = options.sns ? undefined : mockClient(sns);
  snsMock?.on(PublishCommand).resolves({ MessageId: 'message-1' });
  const lines: string[] = [];
  const handler = isolationHandler({
    ec2: ec2.client,
    sns,
    settings: () => ({ ...SETTINGS, ...options.settings }),
    sink: (line) => lines.push(line),
    now: () => new Date('2026-11-22T04:32:00Z'),
  });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  const published = () => snsMock?.commandCalls(PublishCommand).map((call) => call.args[0].input) ?? [];
  return { ec2, sns, handler, logs, published };
}

describe('isolate-instance', () => {
  it('isolates the instance of the lab finding: forensic group, untracking move, snapshots, protection, e-mail, tags', async () => {
    const { ec2, handler, published } = setup();

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result).toEqual({
      outcome: 'remediated',
      details: {
        forensicGroupIds: ['sg-0f000000000000001'],
        movedNetworkInterfaces: ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'],
        snapshots: 'snap-0f000000000000003 (vol-0a1b2c3d4e5f60001), snap-0f000000000000004 (vol-0a1b2c3d4e5f60002)',
      },
    });
    const forensic = 'sg-0f000000000000001';
    const transition = 'sg-0f000000000000002';
    const vpc = 'vpc-0a1b2c3d4e5f60001';
    const transitionName = TRANSITION_NAME;
    const record = (eni: string) => [
      'CreateTags',
      {
        Resources: [eni],
        Tags: [
          { Key: 'GuardDutyIsolationState', Value: 'pending' },
          { Key: 'GuardDutyIsolationUpdated', Value: '2026-11-22T04:32:00Z' },
          { Key: 'GuardDutyFindingId', Value: FINDING_ID },
          { Key: 'GuardDutyIsolationOwnGroups', Value: 'sg-0a1b2c3d4e5f60001' },
          { Key: 'GuardDutyIsolationOwnGroups2', Value: '' },
        ],
      },
    ];
    expect(ec2.calls()).toEqual([
      ['DescribeInstances', { InstanceIds: [INSTANCE] }],
      ['DescribeNetworkInterfaces', { Filters: [{ Name: 'attachment.instance-id', Values: [INSTANCE] }] }],
      ['DescribeSecurityGroups', { Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'group-name', Values: ['acme-ForensicSecurityGroup'] }] }],
      [
        'CreateSecurityGroup',
        {
          GroupName: 'acme-ForensicSecurityGroup',
          VpcId: vpc,
          Description: 'GuardDuty remediation: isolates compromised instances (no inbound, no outbound)',
          TagSpecifications: [{ ResourceType: 'security-group', Tags: [{ Key: 'GuardDutyRemediation', Value: 'forensic' }, { Key: 'Name', Value: 'acme-ForensicSecurityGroup' }] }],
        },
      ],
      ['RevokeSecurityGroupEgress', { GroupId: forensic, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }],
      ['DescribeSecurityGroups', { Filters: [{ Name: 'vpc-id', Values: [vpc] }, { Name: 'group-name', Values: [transitionName] }] }],
      // Each interface's own groups recorded on it before any move.
      record('eni-0a1b2c3d4e5f60001'),
      record('eni-0a1b2c3d4e5f60002'),
      [
        'CreateSecurityGroup',
        {
          GroupName: transitionName,
          VpcId: vpc,
          Description: 'GuardDuty remediation: allows all only while the interfaces move, so tracked flows become untracked',
          TagSpecifications: [
            {
              ResourceType: 'security-group',
              Tags: [
                { Key: 'GuardDutyRemediation', Value: 'untrack' },
                { Key: 'Name', Value: transitionName },
                { Key: 'GuardDutyForensicInstance', Value: INSTANCE },
                { Key: 'GuardDutyIsolationUpdated', Value: '2026-11-22T04:32:00Z' },
              ],
            },
          ],
        },
      ],
      ['RevokeSecurityGroupEgress', { GroupId: transition, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }],
      ['AuthorizeSecurityGroupIngress', { GroupId: transition, IpPermissions: [ALLOW_ALL] }],
      ['AuthorizeSecurityGroupEgress', { GroupId: transition, IpPermissions: [ALLOW_ALL] }],
      ['ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60001', Groups: [transition] }],
      ['ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60001', Groups: [forensic] }],
      ['ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60002', Groups: [transition] }],
      ['ModifyNetworkInterfaceAttribute', { NetworkInterfaceId: 'eni-0a1b2c3d4e5f60002', Groups: [forensic] }],
      // The window closes right after the last move, and the group goes.
      ['RevokeSecurityGroupIngress', { GroupId: transition, IpPermissions: [ALLOW_ALL] }],
      ['RevokeSecurityGroupEgress', { GroupId: transition, IpPermissions: [ALLOW_ALL] }],
      ['DeleteSecurityGroup', { GroupId: transition }],
      [
        'CreateTags',
        {
          Resources: ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'],
          Tags: [
            { Key: 'GuardDutyIsolationState', Value: 'isolated' },
            { Key: 'GuardDutyIsolationUpdated', Value: '2026-11-22T04:32:00Z' },
          ],
        },
      ],
      [
        'DescribeSnapshots',
        { OwnerIds: ['self'], Filters: [{ Name: 'tag:GuardDutyForensicInstance', Values: [INSTANCE] }, { Name: 'tag:GuardDutyFindingId', Values: [FINDING_ID] }] },
      ],
      [
        'CreateSnapshots',
        {
          InstanceSpecification: { InstanceId: INSTANCE, ExcludeBootVolume: false },
          Description: `GuardDuty finding ${FINDING_ID}: forensic copy of ${INSTANCE}`,
          CopyTagsFromSource: 'volume',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'GuardDutyForensicInstance', Value: INSTANCE }, { Key: 'GuardDutyFindingId', Value: FINDING_ID }] }],
        },
      ],
      ['DescribeInstanceAttribute', { InstanceId: INSTANCE, Attribute: 'disableApiTermination' }],
      ['ModifyInstanceAttribute', { InstanceId: INSTANCE, Attribute: 'disableApiTermination', Value: 'true' }],
      [
        'CreateTags',
        {
          Resources: [INSTANCE],
          Tags: [
            { Key: 'GuardDutyFindingId', Value: FINDING_ID },
            { Key: 'GuardDutyFindingTime', Value: '2026-11-22T04:31:02.907Z' },
          ],
        },
      ],
    ]);
    expect(ec2.groupsNamed('acme-ForensicSecurityGroup')).toEqual([
      expect.objectContaining({ GroupId: forensic, IpPermissions: [], IpPermissionsEgress: [] }),
    ]);
    expect(ec2.moves).toEqual([
      `eni-0a1b2c3d4e5f60001 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60001 -> acme-ForensicSecurityGroup',
      `eni-0a1b2c3d4e5f60002 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60002 -> acme-ForensicSecurityGroup',
    ]);
    expect(published()).toEqual([
      {
        TopicArn: TOPIC,
        Subject: `GuardDuty Remediation: EC2 instance ${INSTANCE} isolated`,
        Message:
          `GuardDuty Remediation | ID:${FINDING_ID}: GuardDuty discovered an EC2 instance (Instance ID: ${INSTANCE}) that is communicating ` +
          'outbound with an IP Address on a threat list that you uploaded. All security groups have been removed and it has been isolated. ' +
          'Please follow up with any additional remediation actions.\n\n' +
          'Finding type: UnauthorizedAccess:EC2/MaliciousIPCaller.Custom\n' +
          'Account / region: 333333333333 / us-west-2\n' +
          `Forensic security group: acme-ForensicSecurityGroup (${forensic})\n` +
          'Network interfaces moved: eni-0a1b2c3d4e5f60001, eni-0a1b2c3d4e5f60002\n' +
          'Forensic snapshots: snap-0f000000000000003 (vol-0a1b2c3d4e5f60001), snap-0f000000000000004 (vol-0a1b2c3d4e5f60002)\n' +
          'Termination protection: enabled\n',
      },
    ]);
  });

  it('ends in the same state when the finding is delivered 10 times: one forensic group, one set of snapshots, one e-mail', async () => {
    const { ec2, handler, published } = setup();

    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome);

    expect(outcomes).toEqual(['remediated', ...Array(9).fill('already-remediated')]);
    expect(ec2.groupsNamed('acme-ForensicSecurityGroup')).toHaveLength(1);
    expect([...ec2.groups.values()].filter((group) => group.GroupName.includes('ForensicSecurityGroup'))).toHaveLength(1);
    expect(ec2.snapshots).toHaveLength(2);
    expect(ec2.moves).toHaveLength(4);
    expect(published()).toHaveLength(1);
    expect(ec2.writes().filter((name) => name === 'CreateSecurityGroup')).toHaveLength(2);
  });

  it('acts again on a new occurrence of the same finding, but not on a replay, after a person released the instance', async () => {
    const { ec2, handler, published } = setup();
    await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
    // A person moves the instance back to its group after the investigation.
    for (const eni of ec2.instances.get(INSTANCE)!.NetworkInterfaces) eni.Groups = [{ GroupId: 'sg-0a1b2c3d4e5f60001', GroupName: 'TargetSecurityGroup' }];

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('already-remediated');
    expect(ec2.moves).toHaveLength(4);

    const recurring = findingEvent('ec2-malicious-ip-caller-custom');
    recurring.detail.updatedAt = '2026-11-22T06:00:00.000Z';
    expect((await handler(recurring, CONTEXT)).outcome).toBe('remediated');
    expect(ec2.moves.slice(4)).toEqual([
      `eni-0a1b2c3d4e5f60001 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60001 -> acme-ForensicSecurityGroup',
      `eni-0a1b2c3d4e5f60002 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60002 -> acme-ForensicSecurityGroup',
    ]);
    expect(ec2.instances.get(INSTANCE)!.Tags).toContainEqual({ Key: 'GuardDutyFindingTime', Value: '2026-11-22T06:00:00.000Z' });
    expect(published()).toHaveLength(2);
  });

  it('retries throttled calls in the SDK (adaptive mode) and then succeeds', async () => {
    const http = scriptedHttp([
      { status: 400, body: queryThrottling('http://sns.amazonaws.com/doc/2010-03-31/') },
      {
        status: 200,
        body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></PublishResponse>',
      },
    ]);
    const sns = new SNSClient({ ...CLIENT_CONFIG, region: REGION, credentials: TEST_CREDENTIALS, requestHandler: http.handler });
    const { handler } = setup({ sns });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    expect(http.requests).toHaveLength(2);
    expect(http.requests.every((body) => body.startsWith('Action=Publish&'))).toBe(true);
    expect(((await sns.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
  });

  it('retries EC2 throttling (RequestLimitExceeded) in the SDK too', async () => {
    const http = scriptedHttp([
      {
        status: 503,
        body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
      },
      { status: 200, body: '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId><reservationSet/></DescribeInstancesResponse>' },
    ]);
    const ec2 = new EC2Client({ ...CLIENT_CONFIG, region: REGION, credentials: TEST_CREDENTIALS, requestHandler: http.handler });
    const sns = new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
    const handler = isolationHandler({ ec2, sns, settings: () => SETTINGS, sink: () => undefined });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result).toEqual({ outcome: 'skipped', reason: `instance ${INSTANCE} does not exist (or is terminated)` });
    expect(http.requests.map((body) => /^Action=(\w+)/.exec(body)?.[1])).toEqual(['DescribeInstances', 'DescribeInstances']);
  });

  it('fails so the event is retried when a step fails half-way, and the re-run completes only the rest', async () => {
    const { ec2, handler, published } = setup();
    ec2.failOnce.set('CreateSnapshotsCommand', ec2Error('InternalError', 'An internal error has occurred'));

    await expect(handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).rejects.toThrow('An internal error has occurred');
    expect(ec2.instances.get(INSTANCE)!.NetworkInterfaces.map((eni) => eni.Groups[0].GroupName)).toEqual([
      'acme-ForensicSecurityGroup',
      'acme-ForensicSecurityGroup',
    ]);
    expect(published()).toHaveLength(0);
    const before = ec2.calls().length;

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    const rerun = ec2.calls().slice(before).map(([name]) => name);
    expect(rerun).toEqual([
      'DescribeInstances',
      'DescribeNetworkInterfaces',
      // The forensic group is found; the transition group is gone.
      'DescribeSecurityGroups',
      'DescribeSecurityGroups',
      'DescribeSnapshots',
      'CreateSnapshots',
      'DescribeInstanceAttribute',
      'ModifyInstanceAttribute',
      'CreateTags',
    ]);
    expect(ec2.snapshots).toHaveLength(2);
    expect(published()).toHaveLength(1);
  });

  it('leaves an instance already in the forensic group where it is and records the new finding', async () => {
    const ec2 = new FakeEc2();
    const forensic = ec2.addGroup({
      GroupName: 'acme-ForensicSecurityGroup',
      VpcId: 'vpc-0a1b2c3d4e5f60001',
      Description: 'isolation',
      Tags: [{ Key: 'GuardDutyRemediation', Value: 'forensic' }],
      IpPermissions: [],
      IpPermissionsEgress: [],
    });
    const isolated = labInstance({
      disableApiTermination: true,
      Tags: [{ Key: 'GuardDutyFindingId', Value: 'an-earlier-finding' }],
      NetworkInterfaces: labInstance().NetworkInterfaces.map((eni) => ({ ...eni, Groups: [{ GroupId: forensic.GroupId, GroupName: forensic.GroupName }] })),
    });
    ec2.instances.set(isolated.InstanceId, isolated);
    const { handler, published } = setup({ ec2 });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    expect(ec2.writes()).toEqual(['CreateSnapshots', 'CreateTags']);
    expect(ec2.moves).toEqual([]);
    expect(published()[0].Message).toContain('Network interfaces moved: none (already in the forensic group)');
    expect(published()[0].Message).toContain('Termination protection: was already enabled');
  });

  it('moves an interface attached from another VPC into that VPC\'s forensic group', async () => {
    const instance = labInstance();
    instance.NetworkInterfaces[1] = { NetworkInterfaceId: 'eni-0b000000000000002', VpcId: 'vpc-0b000000000000002', Groups: [{ GroupId: 'sg-0b000000000000002', GroupName: 'shared' }] };
    const { ec2, handler, published } = setup({ ec2: new FakeEc2(instance) });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    const forensic = ec2.groupsNamed('acme-ForensicSecurityGroup');
    expect(forensic.map((group) => group.VpcId)).toEqual(['vpc-0a1b2c3d4e5f60001', 'vpc-0b000000000000002']);
    expect(result.details?.forensicGroupIds).toEqual(forensic.map((group) => group.GroupId));
    expect(ec2.instances.get(INSTANCE)!.NetworkInterfaces.map((eni) => [eni.NetworkInterfaceId, eni.Groups.map((group) => group.GroupId)])).toEqual([
      ['eni-0a1b2c3d4e5f60001', [forensic[0].GroupId]],
      ['eni-0b000000000000002', [forensic[1].GroupId]],
    ]);
    expect(published()[0].Message).toContain(`Forensic security group: acme-ForensicSecurityGroup (${forensic[0].GroupId}, ${forensic[1].GroupId})`);
  });

  it('uses the group a concurrent delivery created first (InvalidGroup.Duplicate)', async () => {
    const ec2 = new FakeEc2(labInstance());
    const { handler } = setup({ ec2 });
    // The other delivery's group appears between this delivery's describe and its create.
    ec2.failOnce.set('CreateSecurityGroupCommand', () => {
      ec2.addGroup({
        GroupName: 'acme-ForensicSecurityGroup',
        VpcId: 'vpc-0a1b2c3d4e5f60001',
        Description: 'created by the other delivery',
        Tags: [{ Key: 'GuardDutyRemediation', Value: 'forensic' }],
        IpPermissions: [],
        IpPermissionsEgress: [],
      });
      return ec2Error('InvalidGroup.Duplicate', "The security group 'acme-ForensicSecurityGroup' already exists");
    });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    expect(ec2.groupsNamed('acme-ForensicSecurityGroup')).toHaveLength(1);
  });

  it('skips an instance that does not exist, changing nothing', async () => {
    const { ec2, handler, published, logs } = setup({ ec2: new FakeEc2() });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result).toEqual({ outcome: 'skipped', reason: `instance ${INSTANCE} does not exist (or is terminated)` });
    expect(ec2.calls().map(([name]) => name)).toEqual(['DescribeInstances']);
    expect(published()).toEqual([]);
    expect(logs().at(-1)).toMatchObject({ level: 'WARN', message: 'remediation skipped', outcome: 'skipped', findingId: FINDING_ID, instanceId: INSTANCE });
  });

  it('skips a terminated instance', async () => {
    const { ec2, handler } = setup({ ec2: new FakeEc2(labInstance({ State: { Name: 'terminated' } })) });

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('skipped');
    expect(ec2.writes()).toEqual([]);
  });

  it('skips an instance carrying the exemption tag', async () => {
    const exempt = labInstance({ Tags: [{ Key: 'GuardDutyRemediationExempt', Value: 'true' }] });
    const { ec2, handler, published } = setup({ ec2: new FakeEc2(exempt) });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result).toEqual({ outcome: 'skipped', reason: `instance ${INSTANCE} carries the exemption tag GuardDutyRemediationExempt` });
    expect(ec2.writes()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it.each([
    ['account', (event: Record<string, any>) => ((event.account = '444444444444'), (event.detail.accountId = '444444444444')), 'account 444444444444 is not this function\'s account 333333333333'],
    ['finding account only', (event: Record<string, any>) => (event.detail.accountId = '444444444444'), "detail.accountId 444444444444 is not this function's account 333333333333"],
    ['region', (event: Record<string, any>) => ((event.region = 'eu-west-1'), (event.detail.region = 'eu-west-1')), "region eu-west-1 is not this function's region us-west-2"],
  ])('skips a finding of another %s without any AWS call', async (_what, change, reason) => {
    const { ec2, handler, published } = setup();
    const event = findingEvent('ec2-malicious-ip-caller-custom');
    change(event);

    expect(await handler(event, CONTEXT)).toEqual({ outcome: 'skipped', reason });
    expect(ec2.calls()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it('in dry-run mode logs every intended change in order and makes none', async () => {
    const { ec2, handler, published, logs } = setup({ settings: { mode: 'dry-run' } });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('dry-run');
    expect(ec2.writes()).toEqual([]);
    expect(published()).toEqual([]);
    const intended = logs().filter((line) => line.message === 'dry run: would call');
    expect(intended.map((line) => line.action)).toEqual([
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:CreateTags',
      'ec2:CreateTags',
      'ec2:CreateSecurityGroup',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:AuthorizeSecurityGroupIngress',
      'ec2:AuthorizeSecurityGroupEgress',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:ModifyNetworkInterfaceAttribute',
      'ec2:RevokeSecurityGroupIngress',
      'ec2:RevokeSecurityGroupEgress',
      'ec2:DeleteSecurityGroup',
      'ec2:CreateTags',
      'ec2:CreateSnapshots',
      'ec2:ModifyInstanceAttribute',
      'sns:Publish',
      'ec2:CreateTags',
    ]);
    expect(intended[8].input).toEqual({
      NetworkInterfaceId: 'eni-0a1b2c3d4e5f60001',
      Groups: [`(${TRANSITION_NAME}, not created in dry-run)`],
    });
    expect(logs().at(-1)).toMatchObject({ message: 'remediation finished', outcome: 'dry-run' });
  });

  describe('rejects malformed or unexpected events with one clear log line and no AWS call', () => {
    const cases: [string, (event: Record<string, any>) => unknown, string][] = [
      ['null', () => null, '(event): Invalid input: expected object, received null'],
      ['a string', () => 'GuardDuty Finding', '(event): Invalid input: expected object, received string'],
      ['an array', (event) => [event], '(event): Invalid input: expected object, received array'],
      ['another source', (event) => ({ ...event, source: 'custom.guardduty' }), 'source: must be "aws.guardduty"'],
      ['another detail-type', (event) => ({ ...event, 'detail-type': 'AWS API Call via CloudTrail' }), 'detail-type: must be "GuardDuty Finding"'],
      ['no detail', (event) => ({ ...event, detail: undefined }), 'detail: Invalid input: expected object, received undefined'],
      ['no finding id', (event) => ((delete event.detail.id), event), 'detail.id: Invalid input: expected string, received undefined'],
      ['a bad instance id', (event) => ((event.detail.resource.instanceDetails.instanceId = 'i-; rm -rf'), event), 'detail.resource.instanceDetails.instanceId: must be an EC2 instance id'],
      ['no instance details', (event) => ((delete event.detail.resource.instanceDetails), event), 'detail.resource.instanceDetails: Invalid input: expected object, received undefined'],
      ['an access-key resource', (event) => ((event.detail.resource.resourceType = 'AccessKey'), event), 'detail.resource.resourceType: must be "Instance"'],
      ['a 13-digit account', (event) => ((event.account = '3333333333333'), event), 'account: must be a 12-digit account id'],
      ['a time that is not ISO 8601', (event) => ((event.time = 'yesterday'), event), 'time: must be an ISO 8601 timestamp'],
      ['a severity as text', (event) => ((event.detail.severity = 'HIGH'), event), 'detail.severity: Invalid input: expected number, received string'],
      ['a PascalCase detail (GetFindings shape)', (event) => ({ ...event, detail: { Id: event.detail.id, Type: event.detail.type } }), 'detail.schemaVersion: Invalid input: expected string, received undefined'],
      [
        'another finding type',
        (event) => ((event.detail.type = 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom'), event),
        'detail.type: "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom" is not one of UnauthorizedAccess:EC2/MaliciousIPCaller.Custom',
      ],
    ];

    it.each(cases)('%s', async (_name, malform, problem) => {
      const { ec2, handler, published, logs } = setup();

      const result = await handler(malform(findingEvent('ec2-malicious-ip-caller-custom')), CONTEXT);

      expect(result.outcome).toBe('rejected');
      expect(result.reason).toContain(problem);
      expect(ec2.calls()).toEqual([]);
      expect(published()).toEqual([]);
      expect(logs()).toHaveLength(1);
      expect(logs()[0]).toMatchObject({ level: 'ERROR', message: 'event rejected', outcome: 'rejected', function: 'isolate-instance', requestId: 'request-1' });
      expect(logs()[0].problems).toContain(problem);
    });
  });

  it('fails the invocation when its environment is incomplete, naming the variable', () => {
    expect(() => isolationSettings({ MODE: 'auto', TOPIC_ARN: TOPIC, EXEMPT_TAG: 'x', FORENSIC_GROUP_NAME: 'quarantine', TRANSITION_GROUP_PREFIX: 't' })).toThrow(
      'bad function environment: FORENSIC_GROUP_NAME: Invalid string: must include "ForensicSecurityGroup"',
    );
  });
});

describe('isolate-instance never leaves an interface more exposed', () => {
  const VPC = 'vpc-0a1b2c3d4e5f60001';
  const TARGET = 'sg-0a1b2c3d4e5f60001';
  const groupsOf = (ec2: FakeEc2) => ec2.instances.get(INSTANCE)!.NetworkInterfaces.map((eni) => eni.Groups.map((group) => group.GroupName));
  const ourGroup = (ec2: FakeEc2, name: string, purpose: string, rules: Partial<FakeGroup> = {}) =>
    ec2.addGroup({ GroupName: name, VpcId: VPC, Description: 'ours', Tags: [{ Key: 'GuardDutyRemediation', Value: purpose }], IpPermissions: [], IpPermissionsEgress: [], ...rules });
  const withTargetGroup = () => {
    const ec2 = new FakeEc2(labInstance());
    ec2.addGroup({ GroupId: TARGET, GroupName: 'TargetSecurityGroup', VpcId: VPC, Description: 'lab', Tags: [], IpPermissions: [], IpPermissionsEgress: [] });
    return ec2;
  };

  it.each([
    ['no remediation tag', [] as { Key: string; Value: string }[], 'has no GuardDutyRemediation tag'],
    ['the transition purpose', [{ Key: 'GuardDutyRemediation', Value: 'untrack' }], 'is tagged GuardDutyRemediation=untrack'],
  ])('refuses a same-name forensic group with %s before anything moves, on every retry (rejected, alarmed)', async (_what, tags, found) => {
    const ec2 = new FakeEc2(labInstance());
    const imposter = ec2.addGroup({ GroupName: 'acme-ForensicSecurityGroup', VpcId: VPC, Description: 'someone else', Tags: tags, IpPermissions: [], IpPermissionsEgress: [] });
    const { handler, published, logs } = setup({ ec2 });

    for (let run = 0; run < 3; run++) {
      const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);
      expect(result.outcome).toBe('rejected');
      expect(result.reason).toBe(
        `security group ${imposter.GroupId} named acme-ForensicSecurityGroup in ${VPC} ${found}, so it is not the remediation's forensic group; ` +
          'nothing was moved. Rename that group, or tag it GuardDutyRemediation=forensic if it is meant to be this one',
      );
    }
    expect(ec2.writes()).toEqual([]);
    expect(groupsOf(ec2)).toEqual([['TargetSecurityGroup'], ['TargetSecurityGroup']]);
    expect(published()).toEqual([]);
    expect(logs().at(-1)).toMatchObject({ level: 'ERROR', message: 'event rejected', outcome: 'rejected', findingId: FINDING_ID });
  });

  it('refuses a same-name transition group that is not ours, before anything moves', async () => {
    const ec2 = new FakeEc2(labInstance());
    ec2.addGroup({ GroupName: TRANSITION_NAME, VpcId: VPC, Description: 'someone else', Tags: [], IpPermissions: [], IpPermissionsEgress: [] });
    const { handler } = setup({ ec2 });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(`named ${TRANSITION_NAME}`);
    expect(ec2.moves).toEqual([]);
    expect(ec2.writes()).toEqual(['CreateSecurityGroup', 'RevokeSecurityGroupEgress']);
  });

  it('leaves an interface whose forensic move fails twice in the transition group, closed, still isolates the others, and the retry finishes it', async () => {
    const ec2 = withTargetGroup();
    const { handler, published, logs } = setup({ ec2 });
    let refusals = 0;
    ec2.hooks.before = (name, input) => {
      if (name === 'ModifyNetworkInterfaceAttribute' && input.NetworkInterfaceId === 'eni-0a1b2c3d4e5f60001' && ec2.groups.get(input.Groups[0])?.GroupName === 'acme-ForensicSecurityGroup') {
        refusals++;
        throw ec2Error('InternalError', 'An internal error has occurred');
      }
    };

    await expect(handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).rejects.toThrow(
      'network interfaces not isolated (none left in an open group): eni-0a1b2c3d4e5f60001 (into the forensic group: InternalError: An internal error has occurred; left in the transition group, closed)',
    );

    expect(refusals).toBe(2);
    expect(ec2.moves).toEqual([
      `eni-0a1b2c3d4e5f60001 -> ${TRANSITION_NAME}`,
      `eni-0a1b2c3d4e5f60002 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60002 -> acme-ForensicSecurityGroup',
    ]);
    expect(groupsOf(ec2)).toEqual([[TRANSITION_NAME], ['acme-ForensicSecurityGroup']]);
    // Closed: the interface left there is in a group with no rules, not an open one.
    expect(ec2.groupsNamed(TRANSITION_NAME)).toEqual([expect.objectContaining({ IpPermissions: [], IpPermissionsEgress: [] })]);
    expect(published()).toEqual([]);
    expect(logs().filter((line) => line.level === 'WARN').map((line) => line.message)).toEqual(['move into the forensic group failed; trying once more']);
    // Its own groups are on record for whoever releases it.
    expect(ec2.tagOf(ec2.instances.get(INSTANCE)!.NetworkInterfaces[0], 'GuardDutyIsolationOwnGroups')).toBe(TARGET);

    ec2.hooks = {};
    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(groupsOf(ec2)).toEqual([['acme-ForensicSecurityGroup'], ['acme-ForensicSecurityGroup']]);
    expect(ec2.groupsNamed(TRANSITION_NAME)).toEqual([]);
    // The retry moved it on from the closed transition group without opening it again.
    expect(ec2.moves.slice(3)).toEqual(['eni-0a1b2c3d4e5f60001 -> acme-ForensicSecurityGroup']);
  });

  it('tries the forensic move once more and carries on when that succeeds', async () => {
    const { ec2, handler } = setup();
    // The first move (into the transition group) passes; the second, into the forensic group, fails once.
    let calls = 0;
    ec2.hooks.before = (name) => {
      if (name === 'ModifyNetworkInterfaceAttribute' && ++calls === 2) throw ec2Error('InternalError');
    };

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(ec2.moves).toEqual([
      `eni-0a1b2c3d4e5f60001 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60001 -> acme-ForensicSecurityGroup',
      `eni-0a1b2c3d4e5f60002 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60002 -> acme-ForensicSecurityGroup',
    ]);
  });

  it('moves an interface found in the transition group straight on into the forensic group', async () => {
    const ec2 = new FakeEc2(labInstance());
    const transition = ourGroup(ec2, TRANSITION_NAME, 'untrack', { IpPermissions: [ALLOW_ALL], IpPermissionsEgress: [ALLOW_ALL] });
    ec2.instances.get(INSTANCE)!.NetworkInterfaces[0].Groups = [{ GroupId: transition.GroupId, GroupName: transition.GroupName }];
    const { handler } = setup({ ec2 });

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(ec2.moves).toEqual([
      'eni-0a1b2c3d4e5f60001 -> acme-ForensicSecurityGroup',
      `eni-0a1b2c3d4e5f60002 -> ${TRANSITION_NAME}`,
      'eni-0a1b2c3d4e5f60002 -> acme-ForensicSecurityGroup',
    ]);
    expect(ec2.groupsNamed(TRANSITION_NAME)).toEqual([]);
  });

  it('empties a forensic group someone added rules to before moving anything into it', async () => {
    const ec2 = new FakeEc2(labInstance());
    const ssh = { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] };
    const forensic = ourGroup(ec2, 'acme-ForensicSecurityGroup', 'forensic', { IpPermissions: [ssh], IpPermissionsEgress: [ALLOW_ALL] });
    const { handler } = setup({ ec2 });

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(ec2.calls().slice(2, 5)).toEqual([
      ['DescribeSecurityGroups', { Filters: [{ Name: 'vpc-id', Values: [VPC] }, { Name: 'group-name', Values: ['acme-ForensicSecurityGroup'] }] }],
      ['RevokeSecurityGroupIngress', { GroupId: forensic.GroupId, IpPermissions: [ssh] }],
      ['RevokeSecurityGroupEgress', { GroupId: forensic.GroupId, IpPermissions: [ALLOW_ALL] }],
    ]);
    expect(ec2.groups.get(forensic.GroupId)).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
  });

  it.each([
    ['InvalidPermission.Duplicate', 'AuthorizeSecurityGroupIngress', (group: FakeGroup) => group.IpPermissions.push(ALLOW_ALL)],
    ['InvalidPermission.NotFound', 'RevokeSecurityGroupEgress', (group: FakeGroup) => (group.IpPermissionsEgress = [])],
  ])('converges when a concurrent delivery changed a rule first (%s)', async (code, command, concurrent) => {
    const { ec2, handler } = setup();
    let raced = false;
    ec2.hooks.before = (name, input) => {
      const group = ec2.groups.get(input.GroupId);
      if (!raced && name === command && group?.GroupName === TRANSITION_NAME) {
        raced = true;
        concurrent(group);
        throw ec2Error(code);
      }
    };

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(raced).toBe(true);
    expect(ec2.moves.filter((move) => move.includes(TRANSITION_NAME))).toHaveLength(2);
    expect(ec2.groupsNamed(TRANSITION_NAME)).toEqual([]);
    expect(groupsOf(ec2)).toEqual([['acme-ForensicSecurityGroup'], ['acme-ForensicSecurityGroup']]);
  });

  it('starts over when a group is deleted between its read and its change (InvalidGroup.NotFound)', async () => {
    const ec2 = new FakeEc2(labInstance());
    const stale = ourGroup(ec2, 'acme-ForensicSecurityGroup', 'forensic', { IpPermissionsEgress: [ALLOW_ALL] });
    ec2.hooks.before = (name, input) => {
      if (name === 'RevokeSecurityGroupEgress' && input.GroupId === stale.GroupId) {
        ec2.groups.delete(stale.GroupId);
        throw ec2Error('InvalidGroup.NotFound');
      }
    };
    const { handler } = setup({ ec2 });

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    const [forensic] = ec2.groupsNamed('acme-ForensicSecurityGroup');
    expect(forensic.GroupId).not.toBe(stale.GroupId);
    expect(forensic).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
    expect(groupsOf(ec2)).toEqual([['acme-ForensicSecurityGroup'], ['acme-ForensicSecurityGroup']]);
  });

  it('two concurrent deliveries of the finding converge: one group each, every interface isolated, none left in transition', async () => {
    const ec2 = new FakeEc2(labInstance());
    const first = setup({ ec2 });
    const second = setup({ ec2 });

    const outcomes = await Promise.all([
      first.handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT),
      second.handler(findingEvent('ec2-malicious-ip-caller-custom'), { ...CONTEXT, awsRequestId: 'request-2' }),
    ]);

    expect(outcomes.map((result) => result.outcome)).toEqual(['remediated', 'remediated']);
    expect(ec2.groupsNamed('acme-ForensicSecurityGroup')).toHaveLength(1);
    expect(ec2.groupsNamed(TRANSITION_NAME)).toHaveLength(0);
    expect(groupsOf(ec2)).toEqual([['acme-ForensicSecurityGroup'], ['acme-ForensicSecurityGroup']]);
    expect(ec2.groupsNamed('acme-ForensicSecurityGroup')[0]).toMatchObject({ IpPermissions: [], IpPermissionsEgress: [] });
  });
});

describe('isolate-instance markers and sample findings', () => {
  it('ignores a handled marker whose time is in the future (forged to opt out) and isolates', async () => {
    const instance = labInstance({
      Tags: [
        { Key: 'GuardDutyFindingId', Value: FINDING_ID },
        { Key: 'GuardDutyFindingTime', Value: '2099-01-01T00:00:00.000Z' },
      ],
    });
    const { ec2, handler, published, logs } = setup({ ec2: new FakeEc2(instance) });

    expect((await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(ec2.moves).toHaveLength(4);
    expect(published()).toHaveLength(1);
    expect(ec2.instances.get(INSTANCE)!.Tags).toContainEqual({ Key: 'GuardDutyFindingTime', Value: '2026-11-22T04:31:02.907Z' });
    expect(logs().find((line) => line.message === 'handled marker ignored: its time is in the future')).toMatchObject({
      level: 'WARN',
      markerTime: '2099-01-01T00:00:00.000Z',
      now: '2026-11-22T04:32:00.000Z',
    });
  });

  it('finishes as remediated, with one e-mail, when the instance has no room left for the marker tags', async () => {
    const full = labInstance({ Tags: Array.from({ length: 49 }, (_, index) => ({ Key: `team:${index}`, Value: 'x' })) });
    const { handler, published, logs } = setup({ ec2: new FakeEc2(full) });

    const result = await handler(findingEvent('ec2-malicious-ip-caller-custom'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    expect(result.details?.handledMarker).toBe('not written (TagLimitExceeded): a replay of this finding would act again');
    expect(published()).toHaveLength(1);
    expect(logs().find((line) => line.message === 'handled marker not written: the resource has no room for more tags')).toMatchObject({
      level: 'WARN',
      action: 'ec2:CreateTags',
      error: { name: 'TagLimitExceeded' },
    });
  });

  it.each([
    ['as a field', { sample: true }],
    ['inside additionalInfo.value', { value: '{"sample":true}', type: 'default' }],
  ])('skips a GuardDuty sample finding (%s) without any AWS call and without an alarm', async (_shape, additionalInfo) => {
    const { ec2, handler, published, logs } = setup();
    const sample = findingEvent('ec2-malicious-ip-caller-custom');
    sample.detail.service.additionalInfo = additionalInfo;
    // Sample findings carry made-up values that need not pass the schema.
    sample.detail.resource.instanceDetails.instanceId = 'i-99999999';

    expect(await handler(sample, CONTEXT)).toEqual({ outcome: 'skipped', reason: 'a GuardDuty sample finding (CreateSampleFindings): notified, never remediated' });
    expect(ec2.calls()).toEqual([]);
    expect(published()).toEqual([]);
    expect(logs()).toEqual([expect.objectContaining({ level: 'WARN', outcome: 'skipped', findingId: FINDING_ID, findingType: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom' })]);
  });

  it('acts on a finding whose additionalInfo says sample: false', async () => {
    const { handler } = setup();
    const real = findingEvent('ec2-malicious-ip-caller-custom');
    real.detail.service.additionalInfo = { sample: false };

    expect((await handler(real, CONTEXT)).outcome).toBe('remediated');
  });

  it('names the finding id and type on the line of an event it rejects', async () => {
    const { handler, logs } = setup();
    const event = findingEvent('ec2-malicious-ip-caller-custom');
    event.detail.resource.instanceDetails.instanceId = 'not-an-instance';

    expect((await handler(event, CONTEXT)).outcome).toBe('rejected');
    expect(logs()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'event rejected', findingId: FINDING_ID, findingType: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom' }),
    ]);
  });
});

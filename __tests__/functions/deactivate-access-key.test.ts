import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { deactivationHandler, type DeactivationSettings } from '../../functions/deactivate-access-key';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, FakeIam, FUNCTION_ARN, iamError, REGION, TEST_CREDENTIALS, type FakeUser } from './fake-aws';

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`;
const SETTINGS: DeactivationSettings = { mode: 'auto', topicArn: TOPIC, exemptTag: 'GuardDutyRemediationExempt', exemptAccounts: [], exemptUserNames: [] };
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('deactivate-access-key'), awsRequestId: 'request-3' };
const USER = 'GuardDuty-Example-Compromised-Simulated';
const KEY = 'AKIAEXAMPLESIMULATED';

const labUser = (overrides: Partial<FakeUser> = {}): FakeUser => ({
  UserName: USER,
  Tags: [],
  keys: [
    { AccessKeyId: KEY, Status: 'Active' },
    { AccessKeyId: 'AKIAEXAMPLEOTHERKEY0', Status: 'Active' },
  ],
  ...overrides,
});

function setup(options: { iam?: FakeIam; settings?: Partial<DeactivationSettings> } = {}) {
  const iam = options.iam ?? new FakeIam({ users: [labUser()] });
  const sns = new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
  const snsMock = mockClient(sns);
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  const lines: string[] = [];
  const handler = deactivationHandler({
    iam: iam.client,
    sns,
    settings: () => ({ ...SETTINGS, ...options.settings }),
    sink: (line) => lines.push(line),
    now: () => new Date('2026-11-22T04:40:00Z'),
  });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
  return { iam, snsMock, handler, logs, published };
}

describe('deactivate-access-key', () => {
  it.each([
    ['UnauthorizedAccess', 'iam-user-malicious-ip-caller-custom', 'b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2', '2026-11-22T04:33:14.118Z'],
    ['Recon', 'iam-user-recon-malicious-ip-caller-custom', 'c3e5a7b9d1f3c5e7a9b1d3f5c7e9a1b3', '2026-11-22T04:33:58.264Z'],
  ])('deactivates the key of a %s finding (and only that key), e-mails, then tags the user', async (_type, fixture, findingId, updatedAt) => {
    const { iam, handler, published } = setup();

    expect(await handler(findingEvent(fixture), CONTEXT)).toEqual({ outcome: 'remediated' });

    expect(iam.calls()).toEqual([
      ['GetUser', { UserName: USER }],
      ['ListAccessKeys', { UserName: USER }],
      ['UpdateAccessKey', { UserName: USER, AccessKeyId: KEY, Status: 'Inactive' }],
      [
        'TagUser',
        {
          UserName: USER,
          Tags: [
            { Key: 'GuardDutyFindingId', Value: findingId },
            { Key: 'GuardDutyFindingTime', Value: updatedAt },
          ],
        },
      ],
    ]);
    expect(iam.users.get(USER)!.keys).toEqual([
      { AccessKeyId: KEY, Status: 'Inactive' },
      { AccessKeyId: 'AKIAEXAMPLEOTHERKEY0', Status: 'Active' },
    ]);
    expect(published()).toEqual([
      expect.objectContaining({
        TopicArn: TOPIC,
        Subject: `GuardDuty Remediation: access key of ${USER} deactivated`,
        Message: expect.stringMatching(
          new RegExp(`^GuardDuty Remediation \\| ID:${findingId}: GuardDuty discovered that the access key ${KEY} of the IAM user ${USER} is calling AWS APIs from an IP Address on a threat list that you uploaded\\. The access key has been deactivated \\(not deleted\\)\\.`),
        ),
      }),
    ]);
  });

  it('ends in the same state when the finding is delivered 10 times', async () => {
    const { iam, handler, published } = setup();

    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push((await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).outcome);

    expect(outcomes).toEqual(['remediated', ...Array(9).fill('already-remediated')]);
    expect(iam.writes()).toEqual(['UpdateAccessKey', 'TagUser']);
    expect(published()).toHaveLength(1);
  });

  it('fails half-way (tagging) and the re-run only e-mails and tags', async () => {
    const iam = new FakeIam({ users: [labUser()] });
    iam.failOnce.set('TagUserCommand', iamError('ServiceFailureException', 'Service failure'));
    const { handler } = setup({ iam });

    await expect(handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).rejects.toThrow('Service failure');
    expect(await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).toEqual({ outcome: 'remediated' });
    expect(iam.writes()).toEqual(['UpdateAccessKey', 'TagUser', 'TagUser']);
  });

  it.each([
    ['the user does not exist', new FakeIam(), `user ${USER} does not exist`],
    ['the key is gone', new FakeIam({ users: [labUser({ keys: [] })] }), `user ${USER} has no access key ${KEY} (deleted already?)`],
    ['the user is exempt', new FakeIam({ users: [labUser({ Tags: [{ Key: 'GuardDutyRemediationExempt', Value: 'yes' }] })] }), `user ${USER} carries the exemption tag GuardDutyRemediationExempt`],
  ])('skips when %s', async (_what, iam, reason) => {
    const { handler, published } = setup({ iam });

    expect(await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).toEqual({ outcome: 'skipped', reason });
    expect(iam.writes()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it.each([
    ['a user of remediation.exemptions.users, without any AWS call', { exemptUserNames: [USER] }, `user ${USER} is exempt (remediation.exemptions.users)`],
    ['a finding of an account of remediation.exemptions.accounts, without any AWS call', { exemptAccounts: [ACCOUNT] }, `account ${ACCOUNT} is exempt (remediation.exemptions.accounts)`],
  ])('skips %s', async (_what, settings, reason) => {
    const { iam, handler } = setup({ settings });

    expect(await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).toEqual({ outcome: 'skipped', reason });
    expect(iam.calls()).toEqual([]);
  });

  it('ignores the exemption tag where no service control policy reserves it, and deactivates', async () => {
    const iam = new FakeIam({ users: [labUser({ Tags: [{ Key: 'GuardDutyRemediationExempt', Value: 'yes' }] })] });
    const { handler } = setup({ iam, settings: { exemptTag: undefined } });

    expect((await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(iam.writes()).toEqual(['UpdateAccessKey', 'TagUser']);
  });

  it('skips a GuardDuty sample finding without any AWS call', async () => {
    const { iam, handler } = setup();
    const sample = findingEvent('iam-user-malicious-ip-caller-custom');
    sample.detail.service.additionalInfo = { sample: true };

    expect((await handler(sample, CONTEXT)).outcome).toBe('skipped');
    expect(iam.calls()).toEqual([]);
  });

  it('ignores a handled marker whose time is in the future and deactivates', async () => {
    const forged = labUser({
      Tags: [
        { Key: 'GuardDutyFindingId', Value: 'b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2' },
        { Key: 'GuardDutyFindingTime', Value: '2999-01-01T00:00:00Z' },
      ],
    });
    const { iam, handler } = setup({ iam: new FakeIam({ users: [forged] }) });

    expect((await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('remediated');
    expect(iam.writes()).toEqual(['UpdateAccessKey', 'TagUser']);
  });

  it('skips a finding of another region without any AWS call', async () => {
    const { iam, handler } = setup();
    const event = findingEvent('iam-user-malicious-ip-caller-custom');
    event.region = event.detail.region = 'us-east-1';

    expect((await handler(event, CONTEXT)).outcome).toBe('skipped');
    expect(iam.calls()).toEqual([]);
  });

  it('in dry-run mode logs the calls and changes nothing', async () => {
    const { iam, handler, published, logs } = setup({ settings: { mode: 'dry-run' } });

    expect((await handler(findingEvent('iam-user-malicious-ip-caller-custom'), CONTEXT)).outcome).toBe('dry-run');
    expect(iam.writes()).toEqual([]);
    expect(published()).toEqual([]);
    expect(logs().filter((line) => line.message === 'dry run: would call').map((line) => line.action)).toEqual(['iam:UpdateAccessKey', 'sns:Publish', 'iam:TagUser']);
  });

  it.each([
    ['a temporary (ASIA) key', (event: Record<string, any>) => (event.detail.resource.accessKeyDetails.accessKeyId = 'ASIAEXAMPLETEMPORARY'), 'must be a long-term access key id (AKIA...)'],
    ['a role session', (event: Record<string, any>) => (event.detail.resource.accessKeyDetails.userType = 'AssumedRole'), 'must be "IAMUser"'],
    ['an exfiltration finding type', (event: Record<string, any>) => (event.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS'), 'is not one of'],
  ])('rejects %s', async (_what, malform, problem) => {
    const { iam, handler } = setup();
    const event = findingEvent('iam-user-malicious-ip-caller-custom');
    malform(event);

    const result = await handler(event, CONTEXT);

    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(problem);
    expect(iam.calls()).toEqual([]);
  });
});

import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { deactivationHandler } from '../../functions/deactivate-access-key';
import { isolationHandler } from '../../functions/isolate-instance';
import { revocationHandler } from '../../functions/revoke-role-sessions';
import { REMEDIATION_RULES, remediationPattern } from '../../lib/remediation/rules';
import { matchesPattern } from '../helpers/eventbridge';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, FakeEc2, FakeIam, FUNCTION_ARN, labInstance, REGION, TEST_CREDENTIALS } from './fake-aws';

/**
 * Extended Threat Detection's attack sequences name a group of resources and signals, no single
 * instance, key or role: the remediation ignores them. Neither the rules select them nor do the
 * handlers act on one delivered to them anyway (a rule edited by hand, a replay), whichever of the
 * five types it is, even in the sandbox's own account and region.
 */

const ATTACK_SEQUENCES = [
  'attack-sequence-iam-compromised-credentials',
  'attack-sequence-s3-compromised-data',
  'attack-sequence-eks-compromised-cluster',
  'attack-sequence-ecs-compromised-cluster',
  'attack-sequence-ec2-compromised-instance-group',
];

/** The fixture as if raised in the sandbox account and the function's region, so only its kind can stop it. */
function inSandbox(name: string): Record<string, any> {
  const event = findingEvent(name);
  event.account = ACCOUNT;
  event.region = REGION;
  event.detail.accountId = ACCOUNT;
  event.detail.region = REGION;
  return event;
}

const SETTINGS = { mode: 'auto' as const, topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`, exemptTag: 'GuardDutyRemediationExempt', exemptAccounts: [] };

function sns() {
  const client = new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
  const mock = mockClient(client);
  mock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  return { client, published: () => mock.commandCalls(PublishCommand).length };
}

describe('attack sequences and the remediation', () => {
  it.each(ATTACK_SEQUENCES)('no remediation rule selects %s', (name) => {
    const event = inSandbox(name);
    for (const rule of REMEDIATION_RULES) expect(matchesPattern(remediationPattern(rule, ACCOUNT), event)).toBe(false);
    // The same rules do select their own findings, so the pattern is not simply matching nothing.
    expect(matchesPattern(remediationPattern(REMEDIATION_RULES[0], '333333333333'), findingEvent('ec2-malicious-ip-caller-custom'))).toBe(true);
  });

  it.each(ATTACK_SEQUENCES)('the isolation refuses %s without calling EC2 or sending mail', async (name) => {
    const ec2 = new FakeEc2(labInstance());
    const mail = sns();
    const handler = isolationHandler({ ec2: ec2.client, sns: mail.client, settings: () => ({ ...SETTINGS, forensicGroupName: 'acme-ForensicSecurityGroup', transitionGroupPrefix: 'acme-IsolationTransition', exemptInstanceIds: [] }), sink: () => {} });
    const result = await handler(inSandbox(name), { invokedFunctionArn: FUNCTION_ARN('isolate-instance'), awsRequestId: 'request-1' });
    expect(result.outcome).toBe('rejected');
    expect(ec2.calls()).toEqual([]);
    expect(mail.published()).toBe(0);
  });

  it.each(ATTACK_SEQUENCES)('the revocation refuses %s without calling IAM or sending mail', async (name) => {
    const iam = new FakeIam({ roles: [{ RoleName: 'GuardDuty-Example-EC2-Compromised', Path: '/', Tags: [], policies: new Map() }] });
    const mail = sns();
    const handler = revocationHandler({
      iam: iam.client,
      sns: mail.client,
      settings: () => ({ ...SETTINGS, rolePathPrefix: '/', roleNamePrefix: '', protectedRoleNames: [], exemptRoles: [] }),
      sink: () => {},
    });
    const result = await handler(inSandbox(name), { invokedFunctionArn: FUNCTION_ARN('revoke-role-sessions'), awsRequestId: 'request-2' });
    expect(result.outcome).toBe('rejected');
    expect(iam.calls()).toEqual([]);
    expect(mail.published()).toBe(0);
  });

  it.each(ATTACK_SEQUENCES)('the key deactivation refuses %s without calling IAM or sending mail', async (name) => {
    const iam = new FakeIam({ users: [{ UserName: 'ci-deployer', Tags: [], keys: [{ AccessKeyId: 'AKIAEXAMPLECIDEPLOY1', Status: 'Active' }] }] });
    const mail = sns();
    const handler = deactivationHandler({ iam: iam.client, sns: mail.client, settings: () => ({ ...SETTINGS, exemptUserNames: [] }), sink: () => {} });
    const result = await handler(inSandbox(name), { invokedFunctionArn: FUNCTION_ARN('deactivate-access-key'), awsRequestId: 'request-3' });
    expect(result.outcome).toBe('rejected');
    expect(iam.calls()).toEqual([]);
    expect(mail.published()).toBe(0);
  });
});

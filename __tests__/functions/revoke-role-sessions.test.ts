import { IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { CLIENT_CONFIG } from '../../functions/commons/clients';
import { revocationCutoff, revocationHandler, revocationSettings, revokePolicy, type RevocationSettings } from '../../functions/revoke-role-sessions';
import { findingEvent } from '../helpers/fixtures';
import { ACCOUNT, EC2_TRUST, FakeIam, FUNCTION_ARN, iamError, policyArn, queryThrottling, REGION, scriptedHttp, TEST_CREDENTIALS, type FakePolicy, type FakeRole } from './fake-aws';

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`;
const SETTINGS: RevocationSettings = {
  mode: 'auto',
  topicArn: TOPIC,
  exemptTag: 'GuardDutyRemediationExempt',
  rolePathPrefix: '/',
  roleNamePrefix: '',
  // As the stack sets it: the deployment role, the remediation's roles in every region, remediation.protectedRoles.
  protectedRoleNames: [
    'OrganizationAccountAccessRole',
    'acme-isolate-instance-us-west-2',
    'acme-revoke-role-sessions-us-west-2',
    'acme-revoke-role-sessions-us-east-1',
    'BreakGlass',
    'incident-response-*',
  ],
  exemptRoles: [],
  exemptAccounts: [],
};
const PATH = '/guardduty-remediation/';
/** The revocation the function writes at NOW. */
const REVOCATION = `RevokeOldSessions-${'GuardDuty-Example-EC2-Compromised'}-20261122T044500Z`;
const REVOCATION_ARN = policyArn(PATH, REVOCATION);
/** The managed policies attached to a role, by name. */
const attachedNames = (role: FakeRole, iam: FakeIam) => (role.attached ?? []).map((arn) => iam.managed.get(arn)!.PolicyName);
const CONTEXT = { invokedFunctionArn: FUNCTION_ARN('revoke-role-sessions'), awsRequestId: 'request-2' };
const ROLE = 'GuardDuty-Example-EC2-Compromised';
const FINDING_ID = 'd4f6b8c0e2a4d6f8b0c2e4a6d8f0b2c4';
const NOW = new Date('2026-11-22T04:45:00.250Z');

const labRole = (overrides: Partial<FakeRole> = {}): FakeRole => ({ RoleName: ROLE, Path: '/', Tags: [], policies: new Map(), ...overrides });

function setup(options: { iam?: FakeIam; iamClient?: IAMClient; settings?: Partial<RevocationSettings>; now?: Date } = {}) {
  const iam = options.iam ?? new FakeIam({ roles: [labRole()] });
  const sns = new SNSClient({ region: REGION, credentials: TEST_CREDENTIALS });
  const snsMock = mockClient(sns);
  snsMock.on(PublishCommand).resolves({ MessageId: 'message-1' });
  const lines: string[] = [];
  const handler = revocationHandler({
    iam: options.iamClient ?? iam.client,
    sns,
    settings: () => ({ ...SETTINGS, ...options.settings }),
    sink: (line) => lines.push(line),
    now: () => options.now ?? NOW,
  });
  const logs = () => lines.map((line) => JSON.parse(line) as Record<string, any>);
  const published = () => snsMock.commandCalls(PublishCommand).map((call) => call.args[0].input);
  return { iam, snsMock, handler, logs, published };
}

describe('revoke-role-sessions', () => {
  it('attaches a deny policy of its own for tokens issued before now, under the reserved path, e-mails, then tags the role', async () => {
    const { iam, handler, published } = setup();

    const result = await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT);

    expect(result).toEqual({ outcome: 'remediated', details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN } });
    const document = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-22T04:45:00Z' } } }],
    };
    expect(iam.calls()).toEqual([
      ['GetRole', { RoleName: ROLE }],
      ['ListAttachedRolePolicies', { RoleName: ROLE, PathPrefix: PATH }],
      [
        'CreatePolicy',
        {
          PolicyName: REVOCATION,
          Path: PATH,
          PolicyDocument: JSON.stringify(document),
          Description: `GuardDuty remediation: denies the sessions of role ${ROLE} issued before 2026-11-22T04:45:00Z`,
        },
      ],
      ['AttachRolePolicy', { RoleName: ROLE, PolicyArn: REVOCATION_ARN }],
      [
        'TagRole',
        {
          RoleName: ROLE,
          Tags: [
            { Key: 'GuardDutyFindingId', Value: FINDING_ID },
            { Key: 'GuardDutyFindingTime', Value: '2026-11-22T04:41:20.405Z' },
          ],
        },
      ],
    ]);
    // No inline policy: the function has no iam:PutRolePolicy.
    expect(iam.roles.get(ROLE)!.policies.size).toBe(0);
    expect(published()).toEqual([
      {
        TopicArn: TOPIC,
        Subject: `GuardDuty Remediation: sessions of role ${ROLE} revoked`,
        Message:
          `GuardDuty Remediation | ID:${FINDING_ID}: GuardDuty discovered that the temporary credentials of the instance role ${ROLE} ` +
          'are being used outside the instance they were issued to (from 192.0.2.145). All sessions of the role issued before ' +
          `2026-11-22T04:45:00Z have been revoked (policy ${REVOCATION}). Please follow up with any additional remediation actions.\n\n` +
          'Finding type: UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS\n' +
          'Account / region: 333333333333 / us-west-2\n' +
          `Role: arn:aws:iam::333333333333:role/${ROLE}\n` +
          'Tokens denied if issued before: 2026-11-22T04:45:00Z\n' +
          `Revocation policy: ${REVOCATION_ARN}\n`,
      },
    ]);
  });

  it.each([
    ['InsideAWS', 'instance-credential-exfiltration-inside-aws', 'from another AWS account (from 54.240.197.9)'],
    ['the older type without suffix', 'instance-credential-exfiltration-outside-aws', 'outside the instance they were issued to'],
  ])('handles %s findings too', async (what, fixture, wording) => {
    const { iam, handler, published } = setup();
    const event = findingEvent(fixture);
    if (what !== 'InsideAWS') event.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration';

    expect((await handler(event, CONTEXT)).outcome).toBe('remediated');
    expect(iam.managed.get(REVOCATION_ARN)!.document).toBe(revokePolicy('2026-11-22T04:45:00Z'));
    expect(published()[0].Message).toContain(wording);
  });

  it('ends in the same state when the finding is delivered 10 times: one policy, one e-mail', async () => {
    const { iam, handler, published } = setup();

    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome);

    expect(outcomes).toEqual(['remediated', ...Array(9).fill('already-remediated')]);
    expect(attachedNames(iam.roles.get(ROLE)!, iam)).toEqual([REVOCATION]);
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
    expect(published()).toHaveLength(1);
  });

  it('acts again on a new occurrence of the same finding (same id, later update): new cut-off, new e-mail', async () => {
    const iam = new FakeIam({ roles: [labRole()] });
    const first = setup({ iam, now: NOW });
    await first.handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT);
    const recurring = findingEvent('instance-credential-exfiltration-outside-aws');
    recurring.detail.updatedAt = '2026-11-22T05:30:00.000Z';
    const later = setup({ iam, now: new Date('2026-11-22T05:31:00Z') });

    expect((await later.handler(recurring, CONTEXT)).outcome).toBe('remediated');
    // The newer revocation replaces the older one on the role.
    expect(attachedNames(iam.roles.get(ROLE)!, iam)).toEqual([`RevokeOldSessions-${ROLE}-20261122T053100Z`]);
    expect(iam.managed.get(policyArn(PATH, `RevokeOldSessions-${ROLE}-20261122T053100Z`))!.document).toBe(revokePolicy('2026-11-22T05:31:00Z'));
    expect(iam.roles.get(ROLE)!.Tags).toEqual([
      { Key: 'GuardDutyFindingId', Value: FINDING_ID },
      { Key: 'GuardDutyFindingTime', Value: '2026-11-22T05:30:00.000Z' },
    ]);
    expect(later.published()).toHaveLength(1);
  });

  it('moves the cut-off forward for a newer finding on a role revoked before', async () => {
    const older = { PolicyName: `RevokeOldSessions-${ROLE}-20261120T100000Z`, Path: PATH, document: revokePolicy('2026-11-20T10:00:00Z') };
    const role = labRole({ attached: [policyArn(PATH, older.PolicyName)] });
    const { iam, handler } = setup({ iam: new FakeIam({ roles: [role], policies: [older] }) });

    expect((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('remediated');
    expect(attachedNames(role, iam)).toEqual([REVOCATION]);
    // Attached first, the older one detached (and deleted) after: the role is never without a revocation.
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeletePolicy', 'TagRole']);
  });

  it('keeps a genuine revocation whose cut-off is at or after the finding and not after now', async () => {
    const genuine = { PolicyName: `RevokeOldSessions-${ROLE}-20261122T044200Z`, Path: PATH, document: revokePolicy('2026-11-22T04:42:00Z') };
    const role = labRole({ attached: [policyArn(PATH, genuine.PolicyName)] });
    const { iam, handler, published } = setup({ iam: new FakeIam({ roles: [role], policies: [genuine] }) });

    expect(await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).toEqual({
      outcome: 'remediated',
      details: { cutoff: '2026-11-22T04:42:00Z', policyArn: policyArn(PATH, genuine.PolicyName) },
    });
    expect(iam.writes()).toEqual(['TagRole']);
    expect(published()).toHaveLength(1);
  });

  // The forgery: a pre-planted "RevokeOldSessions" taken as revoked already, whatever it said.
  it.each([
    ['an inline RevokeOldSessions policy that allows everything', {}, { inline: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2030-01-01T00:00:00Z' } } }] }) }],
    ['a reserved-path policy that allows instead of denying', { document: revokePolicy('2026-11-22T04:44:00Z').replace('"Deny"', '"Allow"') }, {}],
    ['a reserved-path policy that denies one harmless action', { document: revokePolicy('2026-11-22T04:44:00Z').replace('["*"],"Resource"', '["sqs:ListQueues"],"Resource"') }, {}],
    ['a reserved-path deny with an extra statement', { document: JSON.stringify({ ...JSON.parse(revokePolicy('2026-11-22T04:44:00Z')), Statement: [...JSON.parse(revokePolicy('2026-11-22T04:44:00Z')).Statement, { Effect: 'Allow', Action: '*', Resource: '*' }] }) }, {}],
    ['a reserved-path deny whose cut-off is in the future (denying nothing real now, passing for later)', { document: revokePolicy('2030-01-01T00:00:00Z') }, {}],
    ['a reserved-path deny whose cut-off is before the finding', { document: revokePolicy('2026-11-22T04:00:00Z') }, {}],
  ] as [string, { document?: string }, { inline?: string }][])('does not take %s as revoked: writes its own and detaches the planted one', async (_what, planted, { inline }) => {
    const forged = planted.document ? { PolicyName: `RevokeOldSessions-${ROLE}-20261122T044400Z`, Path: PATH, document: planted.document } : undefined;
    const role = labRole({ attached: forged ? [policyArn(PATH, forged.PolicyName)] : [], ...(inline ? { policies: new Map([['RevokeOldSessions', inline]]) } : {}) });
    const { iam, handler, logs } = setup({ iam: new FakeIam({ roles: [role], policies: forged ? [forged] : [] }) });

    expect(await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).toEqual({
      outcome: 'remediated',
      details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN },
    });
    expect(attachedNames(role, iam)).toEqual([REVOCATION]);
    expect(iam.managed.get(REVOCATION_ARN)!.document).toBe(revokePolicy('2026-11-22T04:45:00Z'));
    if (forged && revocationCutoff(forged.document) === undefined) {
      expect(logs().find((line) => line.message === 'detaching a policy from the reserved path that is not a revocation this function wrote')).toMatchObject({ policyArn: policyArn(PATH, forged.PolicyName) });
    }
  });

  it('reads a revocation document whatever its spacing, and only that document', () => {
    const cutoff = '2026-11-22T04:45:00Z';
    expect(revocationCutoff(revokePolicy(cutoff))).toBe(cutoff);
    expect(revocationCutoff(JSON.stringify(JSON.parse(revokePolicy(cutoff)), null, 2))).toBe(cutoff);
    expect(revocationCutoff(revokePolicy('2026-11-22T04:45:00.123Z'))).toBeUndefined();
    expect(revocationCutoff(revokePolicy(cutoff).replace('"Version":"2012-10-17"', '"Version":"2008-10-17"'))).toBeUndefined();
    expect(revocationCutoff('not json')).toBeUndefined();
  });

  it('uses a policy of its name a dead run created if it is exactly the revocation, and fails on anything else there', async () => {
    const leftover = { PolicyName: REVOCATION, Path: PATH, document: revokePolicy('2026-11-22T04:45:00Z') };
    const first = setup({ iam: new FakeIam({ roles: [labRole()], policies: [leftover] }) });
    expect((await first.handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('remediated');
    expect(attachedNames(first.iam.roles.get(ROLE)!, first.iam)).toEqual([REVOCATION]);

    const squatted = { PolicyName: REVOCATION, Path: PATH, document: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }) };
    const second = setup({ iam: new FakeIam({ roles: [labRole()], policies: [squatted] }) });
    await expect(second.handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).rejects.toThrow(`policy ${REVOCATION_ARN} exists and is not the revocation this function writes`);
    expect(second.iam.roles.get(ROLE)!.attached ?? []).toEqual([]);
  });

  it('skips a role of remediation.exemptions.roles, by name or by ARN', async () => {
    for (const exempt of [ROLE, `arn:aws:iam::${ACCOUNT}:role/${ROLE}`]) {
      const { iam, handler } = setup({ settings: { exemptRoles: [exempt] } });
      const result = await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT);
      expect(result).toEqual({ outcome: 'skipped', reason: `role ${exempt} is exempt (remediation.exemptions.roles)` });
      expect(iam.writes()).toEqual([]);
    }
  });

  it('ignores the exemption tag where no service control policy reserves it, and revokes', async () => {
    const { iam, handler } = setup({ iam: new FakeIam({ roles: [labRole({ Tags: [{ Key: 'GuardDutyRemediationExempt', Value: '' }] })] }), settings: { exemptTag: undefined } });

    expect((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('remediated');
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
  });

  it('retries throttled IAM calls in the SDK (adaptive mode) and then succeeds', async () => {
    const ns = 'https://iam.amazonaws.com/doc/2010-05-08/';
    const http = scriptedHttp([
      {
        status: 200,
        body: `<GetRoleResponse xmlns="${ns}"><GetRoleResult><Role><Path>/</Path><RoleName>${ROLE}</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::${ACCOUNT}:role/${ROLE}</Arn><CreateDate>2026-11-22T03:58:00Z</CreateDate><AssumeRolePolicyDocument>${encodeURIComponent(EC2_TRUST)}</AssumeRolePolicyDocument></Role></GetRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetRoleResponse>`,
      },
      {
        status: 200,
        body: `<ListAttachedRolePoliciesResponse xmlns="${ns}"><ListAttachedRolePoliciesResult><IsTruncated>false</IsTruncated><AttachedPolicies/></ListAttachedRolePoliciesResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></ListAttachedRolePoliciesResponse>`,
      },
      { status: 400, body: queryThrottling(ns) },
      {
        status: 200,
        body: `<CreatePolicyResponse xmlns="${ns}"><CreatePolicyResult><Policy><PolicyName>${REVOCATION}</PolicyName><Path>${PATH}</Path><Arn>${REVOCATION_ARN}</Arn><DefaultVersionId>v1</DefaultVersionId></Policy></CreatePolicyResult><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata></CreatePolicyResponse>`,
      },
      { status: 200, body: `<AttachRolePolicyResponse xmlns="${ns}"><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata></AttachRolePolicyResponse>` },
      { status: 200, body: `<TagRoleResponse xmlns="${ns}"><ResponseMetadata><RequestId>r-6</RequestId></ResponseMetadata></TagRoleResponse>` },
    ]);
    const iamClient = new IAMClient({ ...CLIENT_CONFIG, region: 'us-east-1', credentials: TEST_CREDENTIALS, requestHandler: http.handler });
    const { handler } = setup({ iamClient });

    const result = await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT);

    expect(result.outcome).toBe('remediated');
    expect(http.requests.map((body) => /^Action=(\w+)/.exec(body)?.[1])).toEqual(['GetRole', 'ListAttachedRolePolicies', 'CreatePolicy', 'CreatePolicy', 'AttachRolePolicy', 'TagRole']);
  });

  it('fails when the e-mail cannot be sent, and the re-run sends it without writing another policy', async () => {
    const { iam, snsMock, handler, published } = setup();
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Internal error'), { name: 'InternalErrorException' })).resolves({ MessageId: 'm' });

    await expect(handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).rejects.toThrow('Internal error');
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy']);

    const result = await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT);

    expect(result).toEqual({ outcome: 'remediated', details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN } });
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
    expect(published()).toHaveLength(2);
  });

  it('skips a role that does not exist', async () => {
    const { iam, handler, published } = setup({ iam: new FakeIam() });

    expect(await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).toEqual({ outcome: 'skipped', reason: `role ${ROLE} does not exist` });
    expect(iam.writes()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it('skips a role carrying the exemption tag', async () => {
    const { iam, handler } = setup({ iam: new FakeIam({ roles: [labRole({ Tags: [{ Key: 'GuardDutyRemediationExempt', Value: '' }] })] }) });

    expect((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('skipped');
    expect(iam.writes()).toEqual([]);
  });

  const trust = (principal: Record<string, unknown>, action: string | string[] = 'sts:AssumeRole') =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: action }] });

  it.each([
    ['a service-linked role', labRole({ Path: '/aws-service-role/ec2.amazonaws.com/' }), {}, 'is a service-linked role (path /aws-service-role/ec2.amazonaws.com/)'],
    [
      'an IAM Identity Center (SSO) role',
      labRole({ RoleName: 'AWSReservedSSO_AdministratorAccess_0123456789abcdef', Path: '/aws-reserved/sso.amazonaws.com/' }),
      {},
      'role AWSReservedSSO_AdministratorAccess_0123456789abcdef is an IAM Identity Center role (path /aws-reserved/sso.amazonaws.com/)',
    ],
    ['the deployment role', labRole({ RoleName: 'OrganizationAccountAccessRole' }), {}, 'role OrganizationAccountAccessRole is protected: a deployment role'],
    ["this region's remediation role", labRole({ RoleName: 'acme-isolate-instance-us-west-2' }), {}, 'role acme-isolate-instance-us-west-2 is protected'],
    ["another region's remediation role", labRole({ RoleName: 'acme-revoke-role-sessions-us-east-1' }), {}, 'role acme-revoke-role-sessions-us-east-1 is protected'],
    ['a role of remediation.protectedRoles', labRole({ RoleName: 'BreakGlass' }), {}, 'role BreakGlass is protected'],
    ['a role matching a protectedRoles pattern', labRole({ RoleName: 'incident-response-oncall' }), {}, 'role incident-response-oncall is protected (matches incident-response-*)'],
    [
      'a role EC2 cannot assume (a pipeline role trusted by an account)',
      labRole({ RoleName: 'deploy-pipeline', trust: trust({ AWS: 'arn:aws:iam::111111111111:root' }) }),
      {},
      'role deploy-pipeline is not an EC2 instance role (its trust policy does not admit ec2.amazonaws.com)',
    ],
    ['a Lambda execution role', labRole({ RoleName: 'orders-api', trust: trust({ Service: 'lambda.amazonaws.com' }) }), {}, 'role orders-api is not an EC2 instance role'],
    [
      'a role whose only EC2 statement denies',
      labRole({ trust: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }) }),
      {},
      'is not an EC2 instance role',
    ],
    ['a role with an unreadable trust policy', labRole({ trust: '{not json' }), {}, 'is not an EC2 instance role'],
    ['a role outside the path prefix', labRole({ Path: '/admin/' }), { rolePathPrefix: '/workloads/' }, 'has path /admin/, outside the configured path prefix /workloads/'],
    ['a role without the name prefix', labRole(), { roleNamePrefix: 'app-' }, 'does not start with the configured name prefix app-'],
  ])('refuses %s (rejected, no change)', async (_what, role, settings, reason) => {
    const { iam, handler, published, logs } = setup({ iam: new FakeIam({ roles: [role] }), settings });
    const event = findingEvent('instance-credential-exfiltration-outside-aws');
    event.detail.resource.accessKeyDetails.userName = role.RoleName;

    const result = await handler(event, CONTEXT);

    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(reason);
    expect(iam.writes()).toEqual([]);
    expect(published()).toEqual([]);
    expect(logs().at(-1)).toMatchObject({ level: 'ERROR', outcome: 'rejected', roleName: role.RoleName });
  });

  it.each([
    ['the lab role (EC2 in its trust policy)', labRole()],
    ['a role EC2 shares with other services', labRole({ RoleName: 'batch-worker', trust: trust({ Service: ['ecs-tasks.amazonaws.com', 'ec2.amazonaws.com'] }, ['sts:AssumeRole', 'sts:TagSession']) })],
    ['an instance role under a sub-path of the prefix', labRole({ RoleName: 'app-web', Path: '/workloads/web/' }), { rolePathPrefix: '/workloads/', roleNamePrefix: 'app-' }],
    ['a role whose name only starts like a protected pattern', labRole({ RoleName: 'incident-responder' })],
  ] as [string, FakeRole, Partial<RevocationSettings>?][])('acts on %s', async (_what, role, settings = {}) => {
    const { iam, handler, published } = setup({ iam: new FakeIam({ roles: [role] }), settings });
    const event = findingEvent('instance-credential-exfiltration-outside-aws');
    event.detail.resource.accessKeyDetails.userName = role.RoleName;

    expect((await handler(event, CONTEXT)).outcome).toBe('remediated');
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
    expect(attachedNames(role, iam)).toEqual([`RevokeOldSessions-${role.RoleName}-20261122T044500Z`]);
    expect(published()).toHaveLength(1);
  });

  it('ignores a handled marker whose time is in the future and revokes', async () => {
    const forged = labRole({
      Tags: [
        { Key: 'GuardDutyFindingId', Value: FINDING_ID },
        { Key: 'GuardDutyFindingTime', Value: '2030-01-01T00:00:00Z' },
      ],
    });
    const { iam, handler, logs } = setup({ iam: new FakeIam({ roles: [forged] }) });

    expect((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('remediated');
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
    expect(logs().map((line) => line.message)).toContain('handled marker ignored: its time is in the future');
  });

  it('ends as remediated with one e-mail when the role has no room left for the marker tags', async () => {
    const full = labRole({ Tags: Array.from({ length: 49 }, (_, index) => ({ Key: `cost:${index}`, Value: 'x' })) });
    const { iam, handler, published } = setup({ iam: new FakeIam({ roles: [full] }) });

    expect(await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).toEqual({
      outcome: 'remediated',
      details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN, handledMarker: 'not written (LimitExceededException): a replay of this finding would act again' },
    });
    expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'TagRole']);
    expect(published()).toHaveLength(1);
  });

  it('skips a GuardDuty sample finding without any AWS call', async () => {
    const { iam, handler, published } = setup();
    const sample = findingEvent('instance-credential-exfiltration-outside-aws');
    sample.detail.service.additionalInfo = { sample: true };
    sample.detail.resource.accessKeyDetails.userName = 'GeneratedFindingUserName';

    expect((await handler(sample, CONTEXT)).outcome).toBe('skipped');
    expect(iam.calls()).toEqual([]);
    expect(published()).toEqual([]);
  });

  it('skips a finding of another account without any AWS call', async () => {
    const { iam, handler } = setup();
    const event = findingEvent('instance-credential-exfiltration-outside-aws');
    event.account = event.detail.accountId = '444444444444';

    expect((await handler(event, CONTEXT)).outcome).toBe('skipped');
    expect(iam.calls()).toEqual([]);
  });

  it('in dry-run mode logs the policy it would put and changes nothing', async () => {
    const { iam, handler, published, logs } = setup({ settings: { mode: 'dry-run' } });

    expect((await handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).outcome).toBe('dry-run');
    expect(iam.writes()).toEqual([]);
    expect(published()).toEqual([]);
    const intended = logs().filter((line) => line.message === 'dry run: would call');
    expect(intended.map((line) => line.action)).toEqual(['iam:CreatePolicy', 'iam:AttachRolePolicy', 'sns:Publish', 'iam:TagRole']);
    expect(intended[0].input).toMatchObject({ PolicyName: REVOCATION, Path: PATH, PolicyDocument: revokePolicy('2026-11-22T04:45:00Z') });
  });

  it('fails (and is retried) on an unexpected IAM error', async () => {
    const iam = new FakeIam({ roles: [labRole()] });
    iam.failOnce.set('CreatePolicyCommand', iamError('ServiceFailureException', 'Service failure'));
    const { handler, logs } = setup({ iam });

    await expect(handler(findingEvent('instance-credential-exfiltration-outside-aws'), CONTEXT)).rejects.toThrow('Service failure');
    expect(logs().at(-1)).toMatchObject({ level: 'ERROR', message: 'remediation failed', outcome: 'failed', reason: 'ServiceFailureException: Service failure' });
  });

  describe('rejects malformed or unexpected events', () => {
    const cases: [string, (event: Record<string, any>) => unknown, string][] = [
      ['no access key details', (event) => ((delete event.detail.resource.accessKeyDetails), event), 'detail.resource.accessKeyDetails: Invalid input: expected object, received undefined'],
      ['an IAM user instead of a role', (event) => ((event.detail.resource.accessKeyDetails.userType = 'IAMUser'), event), 'detail.resource.accessKeyDetails.userType: must be "AssumedRole"'],
      ['a role name with a slash', (event) => ((event.detail.resource.accessKeyDetails.userName = 'path/Role'), event), 'detail.resource.accessKeyDetails.userName: must be an IAM role name'],
      ['an empty role name', (event) => ((event.detail.resource.accessKeyDetails.userName = ''), event), 'detail.resource.accessKeyDetails.userName: must be an IAM role name'],
      ['an EC2 finding type', (event) => ((event.detail.type = 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom'), event), 'detail.type: "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom" is not one of'],
      ['a finding ARN that is not an ARN', (event) => ((event.detail.arn = 'finding'), event), 'detail.arn: must be the finding ARN'],
      ['an updatedAt that is not a time', (event) => ((event.detail.updatedAt = 1732250480), event), 'detail.updatedAt: must be an ISO 8601 timestamp'],
      ['a region that is not a region', (event) => ((event.region = 'moon'), event), 'region: must be a region name'],
      ['no service', (event) => ((delete event.detail.service), event), 'detail.service: Invalid input: expected object, received undefined'],
      ['an empty object', () => ({}), 'version: Invalid input: expected string, received undefined'],
    ];

    it.each(cases)('%s', async (_name, malform, problem) => {
      const { iam, handler, published, logs } = setup();

      const result = await handler(malform(findingEvent('instance-credential-exfiltration-outside-aws')), CONTEXT);

      expect(result.outcome).toBe('rejected');
      expect(result.reason).toContain(problem);
      expect(iam.calls()).toEqual([]);
      expect(published()).toEqual([]);
      expect(logs()).toEqual([expect.objectContaining({ level: 'ERROR', message: 'event rejected', outcome: 'rejected', function: 'revoke-role-sessions' })]);
    });
  });

  it('reads its scope from the environment', () => {
    expect(
      revocationSettings({
        MODE: 'auto',
        TOPIC_ARN: TOPIC,
        EXEMPT_TAG: 'Exempt',
        EXEMPT_ACCOUNTS: '444444444444',
        ROLE_PATH_PREFIX: '/workloads/',
        ROLE_NAME_PREFIX: 'app-',
        PROTECTED_ROLE_NAMES: 'A,B,ops-*',
        EXEMPT_ROLES: `web,arn:aws:iam::${ACCOUNT}:role/path/db`,
      }),
    ).toEqual({
      mode: 'auto',
      topicArn: TOPIC,
      exemptTag: 'Exempt',
      exemptAccounts: ['444444444444'],
      rolePathPrefix: '/workloads/',
      roleNamePrefix: 'app-',
      protectedRoleNames: ['A', 'B', 'ops-*'],
      exemptRoles: ['web', `arn:aws:iam::${ACCOUNT}:role/path/db`],
    });
    // Without EXEMPT_TAG the tag is not honoured.
    expect(revocationSettings({ MODE: 'auto', TOPIC_ARN: TOPIC, ROLE_PATH_PREFIX: '/' })).not.toHaveProperty('exemptTag');
    expect(() => revocationSettings({ MODE: 'auto', TOPIC_ARN: TOPIC, EXEMPT_TAG: 'Exempt', ROLE_PATH_PREFIX: 'workloads' })).toThrow(
      'bad function environment: ROLE_PATH_PREFIX: must be an IAM path such as "/" or "/workloads/"',
    );
  });

  describe('deletes the revocation it superseded, and nothing else', () => {
    const OLDER = `RevokeOldSessions-${ROLE}-20261120T100000Z`;
    const OLDER_ARN = policyArn(PATH, OLDER);
    const older = (overrides: Partial<FakePolicy> = {}): FakePolicy => ({ PolicyName: OLDER, Path: PATH, document: revokePolicy('2026-11-20T10:00:00Z'), ...overrides });
    /** The lab role with the older revocation attached, and the account holding it. */
    function revokedBefore(policy: FakePolicy = older(), others: FakeRole[] = []) {
      const role = labRole({ attached: [policyArn(policy.Path, policy.PolicyName)] });
      return { role, iam: new FakeIam({ roles: [role, ...others], policies: [policy] }) };
    }
    const warnings = (logs: () => Record<string, any>[]) => logs().filter((line) => line.level === 'WARN').map((line) => line.message);
    const event = () => findingEvent('instance-credential-exfiltration-outside-aws');
    /** A newer finding on the role, revoked at 05:31: afterwards its revocation is the one policy attached, and the one left. */
    async function expectNextRevocationLeavesOne(iam: FakeIam, role: FakeRole) {
      const recurring = event();
      recurring.detail.updatedAt = '2026-11-22T05:30:00.000Z';
      const later = setup({ iam, now: new Date('2026-11-22T05:31:00Z') });
      expect((await later.handler(recurring, CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([`RevokeOldSessions-${ROLE}-20261122T053100Z`]);
      expect([...iam.managed.values()].map((policy) => policy.PolicyName)).toEqual([`RevokeOldSessions-${ROLE}-20261122T053100Z`]);
    }

    it('deletes the superseded revocation after the new one is attached, having checked it is attached to this role only and of version v1', async () => {
      const { role, iam } = revokedBefore();
      const { handler, published, logs } = setup({ iam });

      expect(await handler(event(), CONTEXT)).toEqual({ outcome: 'remediated', details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN } });
      expect(iam.calls().map(([name, input]) => `${name} ${input.PolicyArn ?? input.PolicyName ?? input.RoleName}`)).toEqual([
        `GetRole ${ROLE}`,
        `ListAttachedRolePolicies ${ROLE}`,
        `GetPolicy ${OLDER_ARN}`,
        `GetPolicyVersion ${OLDER_ARN}`,
        `CreatePolicy ${REVOCATION}`,
        `AttachRolePolicy ${REVOCATION_ARN}`,
        `GetPolicy ${OLDER_ARN}`,
        `ListPolicyVersions ${OLDER_ARN}`,
        `DetachRolePolicy ${OLDER_ARN}`,
        `DeletePolicy ${OLDER_ARN}`,
        `TagRole ${ROLE}`,
      ]);
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect([...iam.managed.keys()]).toEqual([REVOCATION_ARN]);
      expect(published()).toHaveLength(1);
      expect(warnings(logs)).toEqual([]);
    });

    it('deletes every superseded revocation of the role, and a later one only moves the cut-off (one policy left)', async () => {
      const { role, iam } = revokedBefore();
      const first = setup({ iam });
      await first.handler(event(), CONTEXT);

      await expectNextRevocationLeavesOne(iam, role);
    });

    it.each([
      ['a planted policy that allows (evidence)', older({ document: revokePolicy('2026-11-20T10:00:00Z').replace('"Deny"', '"Allow"') }), 'detaching a policy from the reserved path that is not a revocation this function wrote'],
      ["a genuine revocation named for another role", older({ PolicyName: 'RevokeOldSessions-app-web-20261120T100000Z' }), undefined],
      ['a genuine revocation whose name does not carry its cut-off', older({ PolicyName: `RevokeOldSessions-${ROLE}-20261121T100000Z` }), undefined],
      ['a genuine revocation under a path below the reserved one', older({ Path: `${PATH}old/` }), undefined],
      ['a genuine revocation whose cut-off is after the one in force', older({ PolicyName: `RevokeOldSessions-${ROLE}-20300101T000000Z`, document: revokePolicy('2030-01-01T00:00:00Z') }), undefined],
    ] as [string, FakePolicy, string | undefined][])('detaches and keeps %s', async (_what, policy, warning) => {
      const { role, iam } = revokedBefore(policy);
      const { handler, published, logs } = setup({ iam });

      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect(iam.managed.get(policyArn(policy.Path, policy.PolicyName))).toEqual(policy);
      expect(iam.calls().map(([name]) => name)).not.toContain('ListPolicyVersions');
      expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'TagRole']);
      expect(published()).toHaveLength(1);
      expect(warnings(logs)).toEqual(warning ? [warning] : []);
    });

    it.each([
      ['to another role in the account', { others: [labRole({ RoleName: 'app-web', attached: [OLDER_ARN] })], policy: older() }],
      ['to a user or group', { others: [], policy: older({ attachedElsewhere: 1 }) }],
    ])('keeps a superseded revocation still attached %s: detached from this role only', async (_what, { others, policy }) => {
      const { role, iam } = revokedBefore(policy, others);
      const { handler, logs } = setup({ iam });

      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect(iam.managed.has(OLDER_ARN)).toBe(true);
      expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'TagRole']);
      expect(logs().find((line) => line.message.startsWith('keeping a superseded revocation that is attached elsewhere'))).toMatchObject({ level: 'INFO', policyArn: OLDER_ARN, attachmentCount: 2 });
    });

    it('keeps a superseded revocation with versions it did not write, deleting none of them', async () => {
      const { role, iam } = revokedBefore(older({ versions: ['v1', 'v2'] }));
      const { handler, logs } = setup({ iam });

      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect(iam.managed.get(OLDER_ARN)!.versions).toEqual(['v1', 'v2']);
      expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'TagRole']);
      expect(logs().find((line) => line.message === 'keeping a superseded revocation with versions this function did not write')).toMatchObject({ level: 'WARN', versions: ['v1', 'v2'] });
    });

    const throttled = () => iamError('Throttling', 'Rate exceeded');
    const denied = () => iamError('AccessDenied', 'not authorized');
    // GetPolicy's first call is the listing's read of the older revocation; its second, the clean-up's.
    // Read failures leave the older revocation attached; a failed delete attaches it again.
    it.each([
      ['GetPolicy', 2, throttled, [OLDER, REVOCATION], ['CreatePolicy', 'AttachRolePolicy', 'TagRole']],
      ['GetPolicy', 2, denied, [OLDER, REVOCATION], ['CreatePolicy', 'AttachRolePolicy', 'TagRole']],
      ['ListPolicyVersions', 1, throttled, [OLDER, REVOCATION], ['CreatePolicy', 'AttachRolePolicy', 'TagRole']],
      ['DeletePolicy', 1, throttled, [REVOCATION, OLDER], ['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeletePolicy', 'AttachRolePolicy', 'TagRole']],
      ['DeletePolicy', 1, denied, [REVOCATION, OLDER], ['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeletePolicy', 'AttachRolePolicy', 'TagRole']],
    ] as const)(
      'when %s fails (call %i, %p), the new revocation stays attached, the e-mail goes, the run succeeds, and the next revocation of the role deletes the older one',
      async (command, call, error, attachedAfter, writes) => {
        const { role, iam } = revokedBefore();
        iam.failOnCall.set(`${command}Command`, { call, error: error() });
        const { handler, published, logs } = setup({ iam });

        expect(await handler(event(), CONTEXT)).toEqual({ outcome: 'remediated', details: { cutoff: '2026-11-22T04:45:00Z', policyArn: REVOCATION_ARN } });
        expect(attachedNames(role, iam)).toEqual(attachedAfter);
        expect(iam.managed.has(OLDER_ARN)).toBe(true);
        expect(iam.writes()).toEqual(writes);
        expect(published()).toHaveLength(1);
        expect(warnings(logs)).toHaveLength(1);
        expect(logs().find((line) => line.level === 'WARN')).toMatchObject({ policyArn: OLDER_ARN, error: { name: error().name } });

        await expectNextRevocationLeavesOne(iam, role);
      },
    );

    it('when DeletePolicy and the attach back both fail, the run still succeeds and names the policy left detached', async () => {
      const { role, iam } = revokedBefore();
      iam.failOnCall.set('DeletePolicyCommand', { call: 1, error: throttled() });
      iam.failOnCall.set('AttachRolePolicyCommand', { call: 2, error: throttled() });
      const { handler, published, logs } = setup({ iam });

      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect(iam.managed.has(OLDER_ARN)).toBe(true);
      expect(published()).toHaveLength(1);
      expect(warnings(logs)).toEqual([
        'deleting a superseded revocation failed: attaching it again so that the next revocation of the role retries',
        'superseded revocation left detached and not deleted: delete it by hand',
      ]);
    });

    it('takes a superseded revocation already deleted (by a concurrent delivery) as deleted', async () => {
      const { role, iam } = revokedBefore();
      iam.failOnCall.set('DeletePolicyCommand', { call: 1, error: iamError('NoSuchEntityException', 'gone') });
      const { handler, logs } = setup({ iam });

      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');
      expect(attachedNames(role, iam)).toEqual([REVOCATION]);
      expect(iam.writes()).toEqual(['CreatePolicy', 'AttachRolePolicy', 'DetachRolePolicy', 'DeletePolicy', 'TagRole']);
      expect(warnings(logs)).toEqual([]);
    });

    it('changes nothing when the same finding is delivered again, with or without the handled marker', async () => {
      const { role, iam } = revokedBefore();
      const { handler } = setup({ iam });
      await handler(event(), CONTEXT);
      const state = () => JSON.stringify({ attached: role.attached, managed: [...iam.managed], tags: role.Tags });
      const after = state();
      const writes = iam.writes().length;

      expect((await handler(event(), CONTEXT)).outcome).toBe('already-remediated');
      role.Tags = [];
      expect((await handler(event(), CONTEXT)).outcome).toBe('remediated');

      expect(state()).toBe(after);
      // The second run wrote only the marker again: no policy created, detached or deleted.
      expect(iam.writes().slice(writes)).toEqual(['TagRole']);
    });

    it('in dry-run mode logs the delete it would make and changes nothing', async () => {
      const { role, iam } = revokedBefore();
      const { handler, logs } = setup({ iam, settings: { mode: 'dry-run' } });

      expect((await handler(event(), CONTEXT)).outcome).toBe('dry-run');
      expect(iam.writes()).toEqual([]);
      expect(attachedNames(role, iam)).toEqual([OLDER]);
      expect(logs().filter((line) => line.message === 'dry run: would call').map((line) => `${line.action} ${line.input.PolicyArn ?? ''}`.trim())).toEqual([
        'iam:CreatePolicy',
        `iam:AttachRolePolicy ${REVOCATION_ARN}`,
        `iam:DetachRolePolicy ${OLDER_ARN}`,
        `iam:DeletePolicy ${OLDER_ARN}`,
        'sns:Publish',
        'iam:TagRole',
      ]);
    });
  });
});

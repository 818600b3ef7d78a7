import {
  FINDING_ID_TAG,
  FINDING_TIME_TAG,
  FORENSIC_GROUP_PURPOSE,
  FORENSIC_INSTANCE_TAG,
  REMEDIATION_GROUP_TAG,
  TRANSITION_GROUP_PURPOSE,
} from './contract';
import { arn, iamArn } from '../aws/partition';
import type { PolicyStatement } from '../aws/policy';

/**
 * The permissions of each remediation function: only the calls it makes, on ARNs of its own account
 * and region, narrowed further by tags where IAM allows. No `*` action; `Resource: "*"` only for the
 * EC2 Describe calls, which IAM cannot scope to resources (they are limited to the region instead).
 */

export interface FunctionScope {
  readonly accountId: string;
  readonly region: string;
  /** The remediation topic, and the customer key it is encrypted with. */
  readonly topicArn: string;
  readonly topicKeyArn: string;
  /** Resources with this tag key are never changed (the functions check too). */
  readonly exemptTag: string;
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

export function isolationStatements(scope: FunctionScope): PolicyStatement[] {
  const ec2 = (type: string) => arn(scope.region, 'ec2', scope.region, scope.accountId, `${type}/*`);
  const exempt = { Null: { [`aws:ResourceTag/${scope.exemptTag}`]: 'false' } };
  return [
    {
      Sid: 'ReadInstancesGroupsSnapshots',
      Effect: 'Allow',
      Action: ['ec2:DescribeInstances', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSnapshots'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': scope.region } },
    },
    { Sid: 'ReadTerminationProtection', Effect: 'Allow', Action: 'ec2:DescribeInstanceAttribute', Resource: ec2('instance') },
    { Sid: 'CreateGroupsInVpcs', Effect: 'Allow', Action: 'ec2:CreateSecurityGroup', Resource: ec2('vpc') },
    {
      Sid: 'CreateRemediationGroups',
      Effect: 'Allow',
      Action: 'ec2:CreateSecurityGroup',
      Resource: ec2('security-group'),
      Condition: { StringEquals: { [`aws:RequestTag/${REMEDIATION_GROUP_TAG}`]: [FORENSIC_GROUP_PURPOSE, TRANSITION_GROUP_PURPOSE] } },
    },
    {
      Sid: 'TagGroupsOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('security-group'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSecurityGroup' } },
    },
    {
      Sid: 'SetRulesOfRemediationGroups',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress'],
      Resource: ec2('security-group'),
      Condition: { StringEquals: REMEDIATION_GROUPS },
    },
    { Sid: 'MoveNetworkInterfaces', Effect: 'Allow', Action: 'ec2:ModifyNetworkInterfaceAttribute', Resource: ec2('network-interface') },
    // Into the remediation groups, and back into an interface's own groups (any group of the account
    // and region) when a move into the forensic group fails: the rollback that keeps an interface from
    // being left in the allow-all transition group. The function checks a group's tag before it moves
    // anything into it; rules it may change only on its own tagged groups (above).
    { Sid: 'AttachRemediationOrOwnGroups', Effect: 'Allow', Action: 'ec2:ModifyNetworkInterfaceAttribute', Resource: ec2('security-group') },
    {
      Sid: 'SnapshotInstanceVolumes',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      Resource: [ec2('instance'), ec2('volume')],
    },
    {
      Sid: 'CreateForensicSnapshots',
      Effect: 'Allow',
      Action: 'ec2:CreateSnapshots',
      // Snapshot ARNs carry no account.
      Resource: arn(scope.region, 'ec2', scope.region, '', 'snapshot/*'),
      Condition: { Null: { [`aws:RequestTag/${FORENSIC_INSTANCE_TAG}`]: 'false' } },
    },
    {
      Sid: 'TagSnapshotsOnCreate',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: arn(scope.region, 'ec2', scope.region, '', 'snapshot/*'),
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    },
    { Sid: 'ProtectFromTermination', Effect: 'Allow', Action: 'ec2:ModifyInstanceAttribute', Resource: ec2('instance') },
    {
      Sid: 'TagInstanceWithFinding',
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: ec2('instance'),
      Condition: ONLY_FINDING_TAGS,
    },
    {
      Sid: 'NeverTouchExemptInstances',
      Effect: 'Deny',
      Action: ['ec2:ModifyInstanceAttribute', 'ec2:CreateTags', 'ec2:CreateSnapshots'],
      Resource: ec2('instance'),
      Condition: exempt,
    },
    ...notify(scope),
  ];
}

export interface RoleScope extends FunctionScope {
  /** Roles whose path starts with this may be changed. */
  readonly rolePathPrefix: string;
  /** Roles whose name starts with this may be changed. */
  readonly roleNamePrefix: string;
  /** Roles never changed (`*` matches any characters): the deployment roles, the remediation's own roles, `remediation.protectedRoles`. */
  readonly protectedRoleNames: readonly string[];
}

/** ARN patterns of the roles in scope: the path prefix, then the name prefix directly or below sub-paths. */
export function rolesInScope(scope: RoleScope): string[] {
  const base = iamArn(scope.region, scope.accountId, `role${scope.rolePathPrefix}`);
  return scope.roleNamePrefix === '' ? [`${base}*`] : [`${base}${scope.roleNamePrefix}*`, `${base}*/${scope.roleNamePrefix}*`];
}

export function revocationStatements(scope: RoleScope): PolicyStatement[] {
  const roles = rolesInScope(scope);
  const role = (name: string) => iamArn(scope.region, scope.accountId, `role/${name}`);
  // What IAM can express of the function's refusals: service-linked and IAM Identity Center roles by
  // path, protected roles by name at any path. (Whether a role's trust admits EC2 only the function
  // can check: no condition key carries a role's trust policy.)
  const protectedRoles = [
    role('aws-service-role/*'),
    role('aws-reserved/*'),
    ...scope.protectedRoleNames.flatMap((name) => [role(name), role(`*/${name}`)]),
  ];
  return [
    // Any role may be read, so one outside the scope is refused with a clear log line rather than
    // failing on AccessDenied (and being retried into the dead-letter queue).
    { Sid: 'ReadRoles', Effect: 'Allow', Action: 'iam:GetRole', Resource: iamArn(scope.region, scope.accountId, 'role/*') },
    { Sid: 'ReadRevocationPolicyOfRolesInScope', Effect: 'Allow', Action: 'iam:GetRolePolicy', Resource: roles },
    { Sid: 'RevokeSessionsOfRolesInScope', Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: roles },
    {
      Sid: 'TagRoleWithFinding',
      Effect: 'Allow',
      Action: 'iam:TagRole',
      Resource: roles,
      Condition: ONLY_FINDING_TAGS,
    },
    { Sid: 'NeverTouchReservedOrProtectedRoles', Effect: 'Deny', Action: ['iam:PutRolePolicy', 'iam:TagRole'], Resource: protectedRoles },
    {
      Sid: 'NeverTouchExemptRoles',
      Effect: 'Deny',
      Action: ['iam:PutRolePolicy', 'iam:TagRole'],
      Resource: roles,
      Condition: { Null: { [`aws:ResourceTag/${scope.exemptTag}`]: 'false' } },
    },
    ...notify(scope),
  ];
}

export function deactivationStatements(scope: FunctionScope): PolicyStatement[] {
  const users = iamArn(scope.region, scope.accountId, 'user/*');
  return [
    { Sid: 'ReadUsersAndKeys', Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListAccessKeys'], Resource: users },
    { Sid: 'DeactivateKeys', Effect: 'Allow', Action: 'iam:UpdateAccessKey', Resource: users },
    {
      Sid: 'TagUserWithFinding',
      Effect: 'Allow',
      Action: 'iam:TagUser',
      Resource: users,
      Condition: ONLY_FINDING_TAGS,
    },
    {
      Sid: 'NeverTouchExemptUsers',
      Effect: 'Deny',
      Action: ['iam:UpdateAccessKey', 'iam:TagUser'],
      Resource: users,
      Condition: { Null: { [`aws:ResourceTag/${scope.exemptTag}`]: 'false' } },
    },
    ...notify(scope),
  ];
}

import { iamArn } from '../aws/partition';
import type { PolicyStatement } from '../aws/policy';
import { FINDING_ID_TAG, FINDING_TIME_TAG, REMEDIATION_GROUP_TAG, RESERVED_EC2_TAG_KEYS, REVOCATION_POLICY_PATH } from './contract';

/**
 * The service control policy that reserves what the remediation reads to decide what it may touch,
 * for the security team and the remediation's own roles (`remediation.serviceControlPolicy`): the
 * exemption tag, the handled markers and the isolation records (on EC2 resources, IAM roles and
 * users, at creation too), the remediation security-group tag, and the revocation policies under
 * `/guardduty-remediation/` (neither written nor detached by anyone else). Only where the product
 * deploys it is the exemption tag honoured.
 *
 * Every exception names a role by its full ARN in the sandbox account (`aws:PrincipalArn`): a role of
 * the same name in another account, or a workload's role under another name, does not pass.
 */

/** AWS Organizations takes at most this many characters in one service control policy. */
export const SCP_MAX_CHARACTERS = 5120;

export interface ServiceControlPolicyScope {
  /** A region of the partition, for the ARNs. */
  readonly partitionRegion: string;
  readonly sandboxAccountId: string;
  /** The exemption tag key (`remediation.exemptTag`). */
  readonly exemptTag: string;
  /** The security team's roles: names (in the sandbox account) or ARNs. */
  readonly securityTeamRoles: readonly string[];
  /** The deployment role of the sandbox account (`roleName`), which creates the simulation's remediation groups. */
  readonly deploymentRoleName: string;
  /** The remediation functions' execution role names, in every region they run in. */
  readonly roles: {
    readonly isolation: readonly string[];
    readonly sweep: readonly string[];
    readonly revocation: readonly string[];
    readonly deactivation: readonly string[];
  };
}

/** The policy's statements, each on its own, in a fixed order. */
export function serviceControlStatements(scope: ServiceControlPolicyScope): PolicyStatement[] {
  const role = (name: string) => (name.startsWith('arn:') ? name : iamArn(scope.partitionRegion, scope.sandboxAccountId, `role/${name}`));
  const team = scope.securityTeamRoles.map(role);
  // With no security team and no role, the deny applies to everyone (IAM takes no empty list).
  type Conditions = Record<string, Record<string, string | string[]>>;
  const except = (...names: readonly string[]): Conditions => {
    const arns = [...team, ...names.map(role)];
    return arns.length > 0 ? { ArnNotLike: { 'aws:PrincipalArn': arns } } : {};
  };
  const anyOf = (keys: readonly string[]): Conditions => ({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': [...keys] } });
  const ec2Keys = RESERVED_EC2_TAG_KEYS.filter((key) => key !== REMEDIATION_GROUP_TAG);
  const isolating = [...scope.roles.isolation, ...scope.roles.sweep];
  const revocations = iamArn(scope.partitionRegion, '*', `policy${REVOCATION_POLICY_PATH}*`);
  return [
    {
      // Only the security team exempts: on EC2 resources, IAM roles and users, at creation too.
      Sid: 'ReserveExemptionTag',
      Effect: 'Deny',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags', 'iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 'iam:CreateRole', 'iam:CreateUser'],
      Resource: '*',
      Condition: { ...anyOf([scope.exemptTag]), ...except() },
    },
    {
      Sid: 'ReserveRemediationTagsOnEc2',
      Effect: 'Deny',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: '*',
      Condition: { ...anyOf(ec2Keys), ...except(...isolating) },
    },
    {
      // The simulation's groups carry it too, so the deployment role may set this one key.
      Sid: 'ReserveRemediationGroupTag',
      Effect: 'Deny',
      Action: ['ec2:CreateTags', 'ec2:DeleteTags'],
      Resource: '*',
      Condition: { ...anyOf([REMEDIATION_GROUP_TAG]), ...except(scope.deploymentRoleName, ...isolating) },
    },
    {
      Sid: 'ReserveRemediationTagsOnIam',
      Effect: 'Deny',
      Action: ['iam:TagRole', 'iam:UntagRole', 'iam:TagUser', 'iam:UntagUser', 'iam:CreateRole', 'iam:CreateUser'],
      Resource: '*',
      Condition: { ...anyOf([FINDING_ID_TAG, FINDING_TIME_TAG]), ...except(...scope.roles.revocation, ...scope.roles.deactivation) },
    },
    {
      Sid: 'ReserveRevocationPolicies',
      Effect: 'Deny',
      Action: ['iam:CreatePolicy', 'iam:CreatePolicyVersion', 'iam:SetDefaultPolicyVersion', 'iam:DeletePolicy', 'iam:DeletePolicyVersion'],
      Resource: revocations,
      Condition: except(...scope.roles.revocation),
    },
    {
      Sid: 'KeepRevocationsAttached',
      Effect: 'Deny',
      Action: 'iam:DetachRolePolicy',
      Resource: '*',
      Condition: { ArnLike: { 'iam:PolicyARN': revocations }, ...except(...scope.roles.revocation) },
    },
  ];
}

/**
 * The statements packed into as few documents as fit AWS's limit, in order (usually one; with many
 * regions the role lists grow, and a second document takes the rest).
 */
export function serviceControlPolicies(scope: ServiceControlPolicyScope): string[] {
  const documents: PolicyStatement[][] = [];
  const text = (statements: readonly PolicyStatement[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
  for (const statement of serviceControlStatements(scope)) {
    if (text([statement]).length > SCP_MAX_CHARACTERS) throw new Error(`service control policy statement ${statement.Sid} alone is over ${SCP_MAX_CHARACTERS} characters`);
    const last = documents.at(-1);
    if (last && text([...last, statement]).length <= SCP_MAX_CHARACTERS) last.push(statement);
    else documents.push([statement]);
  }
  return documents.map(text);
}

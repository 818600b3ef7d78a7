import { GetRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand, TagRoleCommand, type Role } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { INSTANCE_CREDENTIAL_EXFILTRATION_TYPES, REVOKE_POLICY_NAME } from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { isAwsError, Refused, Skipped } from './commons/errors';
import { accessKeyDetails, withResource } from './commons/finding';
import type { LogSink } from './commons/logger';
import { notify } from './commons/notify';
import { handledTags, isExempt, remediation, settingsFromEnv, type CommonSettings, type Result, type RunContext } from './commons/remediation';

/**
 * Revokes the sessions of an instance role whose credentials were used outside the instance
 * (`UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration[.OutsideAWS|.InsideAWS]`), as the IAM
 * console's "Revoke active sessions" does: an inline policy `RevokeOldSessions` denying every action
 * to tokens issued before now. The instance itself fetches fresh credentials from its metadata
 * service and keeps working; the stolen copies stop.
 *
 * Scope: the finding is about an EC2 instance role, so only a role whose trust policy admits
 * `ec2.amazonaws.com` is touched. Refused, whatever their trust: service-linked roles, IAM Identity
 * Center roles (path `/aws-reserved/`), and the protected roles (the deployment roles, the
 * remediation's own roles in every region, `remediation.protectedRoles`), as well as roles outside
 * the configured path and name prefixes. Refusing a break-glass or pipeline role is what keeps a
 * forged or mistaken finding from locking people out.
 *
 * Idempotent: the role is tagged with the finding's id and `updatedAt` after the e-mail, and a role
 * tagged with this occurrence of the finding is left alone (ten deliveries: one policy, one e-mail). If the role already has the policy
 * with a cut-off at or after the finding's last update, the stolen credentials are revoked already
 * and the policy is not rewritten (a re-run after the e-mail failed only sends the e-mail and tags);
 * a newer finding moves the cut-off to its own now.
 */

export const revocationEvent = withResource({
  accessKeyDetails: z.extend(accessKeyDetails, {
    userType: z.literal('AssumedRole', { error: 'must be "AssumedRole": only role sessions can be revoked' }),
    userName: z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')),
  }),
});
export type RevocationEvent = z.output<typeof revocationEvent>;

const settingsSchema = z.object({
  MODE: z.enum(['auto', 'dry-run']),
  TOPIC_ARN: z.string().check(z.startsWith('arn:')),
  EXEMPT_TAG: z.string().check(z.minLength(1)),
  ROLE_PATH_PREFIX: z.string().check(z.regex(/^\/([\w+=,.@-]+\/)*$/, 'must be an IAM path such as "/" or "/workloads/"')),
  ROLE_NAME_PREFIX: z._default(z.string().check(z.regex(/^[\w+=,.@-]*$/)), ''),
  PROTECTED_ROLE_NAMES: z._default(z.string().check(z.regex(/^([\w+=,.@*-]+(,[\w+=,.@*-]+)*)?$/, 'must be role names separated by commas')), ''),
});

export interface RevocationSettings extends CommonSettings {
  /** Only roles whose path starts with this are touched. */
  readonly rolePathPrefix: string;
  /** Only roles whose name starts with this are touched. */
  readonly roleNamePrefix: string;
  /**
   * Roles never touched whatever their path or trust (the deployment roles, the remediation's own
   * roles, `remediation.protectedRoles`); `*` matches any run of characters.
   */
  readonly protectedRoleNames: readonly string[];
}

export function revocationSettings(env: NodeJS.ProcessEnv = process.env): RevocationSettings {
  const vars = settingsFromEnv(settingsSchema, env);
  return {
    mode: vars.MODE,
    topicArn: vars.TOPIC_ARN,
    exemptTag: vars.EXEMPT_TAG,
    rolePathPrefix: vars.ROLE_PATH_PREFIX,
    roleNamePrefix: vars.ROLE_NAME_PREFIX,
    protectedRoleNames: vars.PROTECTED_ROLE_NAMES.split(',').filter((name) => name !== ''),
  };
}

export interface RevocationDeps {
  readonly iam: IAMClient;
  readonly sns: SNSClient;
  /** @default read from the environment at the first invocation */
  readonly settings?: () => RevocationSettings;
  /** @default stdout */
  readonly sink?: LogSink;
  /** @default the system clock */
  readonly now?: () => Date;
}

export function revocationHandler(deps: RevocationDeps) {
  return remediation({
    name: 'revoke-role-sessions',
    schema: revocationEvent,
    findingTypes: INSTANCE_CREDENTIAL_EXFILTRATION_TYPES,
    settings: deps.settings ?? (() => revocationSettings()),
    logKeys: (event) => ({ roleName: event.detail.resource.accessKeyDetails.userName }),
    sink: deps.sink,
    now: deps.now,
    run: (event, context) => revoke(deps, event, context),
  });
}

/** The policy the IAM console writes for "Revoke active sessions". */
export function revokePolicy(cutoff: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }],
  });
}

async function revoke(deps: RevocationDeps, event: RevocationEvent, { settings, act, now, isHandled, markHandled }: RunContext<RevocationSettings>): Promise<Result> {
  const { iam, sns } = deps;
  const finding = event.detail;
  const roleName = finding.resource.accessKeyDetails.userName;

  const role = await getRole(iam, roleName);
  checkInScope(role, settings);
  if (isExempt(role.Tags, settings.exemptTag)) throw new Skipped('exempt', `role ${roleName} carries the exemption tag ${settings.exemptTag}`);

  if (isHandled(role.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `role ${roleName} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }

  const existing = await currentCutoff(iam, roleName);
  let cutoff: string;
  if (existing !== undefined && Date.parse(existing) >= Date.parse(finding.updatedAt)) {
    cutoff = existing;
  } else {
    // Whole seconds in UTC, as IAM writes and shows dates.
    cutoff = now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const input = { RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokePolicy(cutoff) };
    await act.write('iam:PutRolePolicy', input, () => iam.send(new PutRolePolicyCommand(input)));
  }

  const action = finding.service.action as { awsApiCallAction?: { remoteIpDetails?: { ipAddressV4?: string } } } | undefined;
  const remoteIp = action?.awsApiCallAction?.remoteIpDetails?.ipAddressV4;
  await notify(sns, act, settings.topicArn, {
    subject: `GuardDuty Remediation: sessions of role ${roleName} revoked`,
    summary:
      `GuardDuty Remediation | ID:${finding.id}: GuardDuty discovered that the temporary credentials of the instance role ` +
      `${roleName} are being used ${finding.type.endsWith('.InsideAWS') ? 'from another AWS account' : 'outside the instance they were issued to'}` +
      `${remoteIp ? ` (from ${remoteIp})` : ''}. All sessions of the role issued before ${cutoff} have been revoked ` +
      `(inline policy ${REVOKE_POLICY_NAME}). Please follow up with any additional remediation actions.`,
    facts: {
      'Finding type': finding.type,
      'Account / region': `${finding.accountId} / ${finding.region}`,
      Role: role.Arn ?? roleName,
      'Tokens denied if issued before': cutoff,
    },
  });
  const tag = { RoleName: roleName, Tags: handledTags(finding) };
  const marker = await markHandled('iam:TagRole', tag, () => iam.send(new TagRoleCommand(tag)));
  return { outcome: 'remediated', details: { cutoff, ...marker } };
}

async function getRole(iam: IAMClient, roleName: string): Promise<Role> {
  try {
    const output = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (output.Role) return output.Role;
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw error;
  }
  throw new Skipped('not-found', `role ${roleName} does not exist`);
}

function checkInScope(role: Role, settings: RevocationSettings): void {
  const name = role.RoleName!;
  const path = role.Path ?? '/';
  if (path.startsWith('/aws-service-role/')) {
    throw new Refused(`role ${name} is a service-linked role (path ${path}); its sessions are not revoked`);
  }
  if (path.startsWith('/aws-reserved/')) {
    throw new Refused(`role ${name} is an IAM Identity Center role (path ${path}); its sessions are not revoked`);
  }
  const protectedBy = settings.protectedRoleNames.find((pattern) => matchesName(pattern, name));
  if (protectedBy !== undefined) {
    const matched = protectedBy === name ? '' : ` (matches ${protectedBy})`;
    throw new Refused(`role ${name} is protected${matched}: a deployment role, a remediation role or one of remediation.protectedRoles`);
  }
  if (!path.startsWith(settings.rolePathPrefix)) {
    throw new Refused(`role ${name} has path ${path}, outside the configured path prefix ${settings.rolePathPrefix}`);
  }
  if (!name.startsWith(settings.roleNamePrefix)) {
    throw new Refused(`role ${name} does not start with the configured name prefix ${settings.roleNamePrefix}`);
  }
  if (!trustsEc2(role.AssumeRolePolicyDocument)) {
    throw new Refused(`role ${name} is not an EC2 instance role (its trust policy does not admit ec2.amazonaws.com); the finding is about instance credentials`);
  }
}

/** A role name against a protected name, where `*` matches any run of characters (as in an IAM ARN). */
function matchesName(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(name);
}

/** Whether a trust policy (URL-encoded, as IAM returns it) lets EC2 assume the role. */
export function trustsEc2(encodedDocument: string | undefined): boolean {
  type Statement = { Effect?: string; Principal?: { Service?: string | string[] } | string; Action?: string | string[] };
  let statements: Statement[];
  try {
    const document = JSON.parse(decodeURIComponent(encodedDocument ?? '')) as { Statement?: Statement | Statement[] };
    statements = ([] as Statement[]).concat(document.Statement ?? []);
  } catch {
    return false;
  }
  return statements.some((statement) => {
    const services = typeof statement.Principal === 'object' ? ([] as string[]).concat(statement.Principal.Service ?? []) : [];
    const actions = ([] as string[]).concat(statement.Action ?? []);
    return statement.Effect === 'Allow' && services.includes('ec2.amazonaws.com') && actions.some((action) => ['sts:AssumeRole', 'sts:*', '*'].includes(action));
  });
}

/** The cut-off of an existing `RevokeOldSessions` policy, if the role has one. */
async function currentCutoff(iam: IAMClient, roleName: string): Promise<string | undefined> {
  try {
    const output = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME }));
    // IAM returns policy documents URL-encoded.
    type Statement = { Condition?: { DateLessThan?: Record<string, string> } };
    const document = JSON.parse(decodeURIComponent(output.PolicyDocument ?? '{}')) as { Statement?: Statement | Statement[] };
    const statements = ([] as Statement[]).concat(document.Statement ?? []);
    const cutoffs = statements.map((statement) => statement.Condition?.DateLessThan?.['aws:TokenIssueTime']).filter((value): value is string => !!value);
    return cutoffs.sort().at(-1);
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) return undefined;
    throw error;
  }
}

export const handler = revocationHandler({ iam: new IAMClient(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListPolicyVersionsCommand,
  TagRoleCommand,
  type Role,
} from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { INSTANCE_CREDENTIAL_EXFILTRATION_TYPES, REVOCATION_POLICY_PATH, REVOKE_POLICY_NAME } from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { isAwsError, Refused, Skipped } from './commons/errors';
import { accessKeyDetails, withResource } from './commons/finding';
import type { Logger } from './commons/logger';
import { notify } from './commons/notify';
import { COMMON_VARIABLES, commonSettings, handledTags, isExempt, listVariable, remediation, settingsFromEnv, type CommonSettings, type HandlerDeps, type Result, type RunContext } from './commons/remediation';

/**
 * Revokes the sessions of an instance role whose credentials were used outside the instance
 * (`UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration[.OutsideAWS|.InsideAWS]`), as the IAM
 * console's "Revoke active sessions" does: a policy denying every action to tokens issued before now.
 * The instance itself fetches fresh credentials from its metadata service and keeps working; the
 * stolen copies stop.
 *
 * The deny is a managed policy of its own under the reserved path `/guardduty-remediation/`, named
 * `RevokeOldSessions-<role>-<cut-off>`, attached to the role: the function's role may create policies
 * only under that path and attach only those, so it needs no `iam:PutRolePolicy` on roles. The
 * function only ever writes the one deny document (`revokePolicy`), and a policy under the path is
 * taken as a revocation only if it is exactly that document, with a cut-off not before the finding's
 * last update and not after now; anything else attached from the path (planted there to pass for a
 * revocation) is detached once the new revocation is attached, and kept as evidence. The previous
 * revocation of the role is detached too (the newer cut-off denies more), so a role keeps one, and
 * then deleted so that incidents do not pile customer managed policies up toward the account's quota:
 * only if it is this role's (by name), exactly the document, attached to nothing else and of the one
 * version the function writes. A failure of that clean-up is a warning, never a failed revocation.
 *
 * Scope: the finding is about an EC2 instance role, so only a role whose trust policy admits
 * `ec2.amazonaws.com` is touched. Refused, whatever their trust: service-linked roles, IAM Identity
 * Center roles (path `/aws-reserved/`), and the protected roles (the deployment roles, the
 * remediation's own roles in every region, `remediation.protectedRoles`), as well as roles outside
 * the configured path and name prefixes. Refusing a break-glass or pipeline role is what keeps a
 * forged or mistaken finding from locking people out. Exempt and skipped: the roles of
 * `remediation.exemptions.roles`, and roles carrying the exemption tag where it is honoured.
 *
 * Idempotent: the role is tagged with the finding's id and `updatedAt` after the e-mail, and a role
 * tagged with this occurrence of the finding is left alone (ten deliveries: one policy, one e-mail).
 * A genuine revocation already attached with a cut-off at or after the finding's last update is kept
 * (a re-run after the e-mail failed only sends the e-mail and tags); a newer finding gets a new one.
 */

export const revocationEvent = withResource({
  accessKeyDetails: z.extend(accessKeyDetails, {
    userType: z.literal('AssumedRole', { error: 'must be "AssumedRole": only role sessions can be revoked' }),
    userName: z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM role name')),
  }),
});
export type RevocationEvent = z.output<typeof revocationEvent>;

const settingsSchema = z.object({
  ...COMMON_VARIABLES,
  ROLE_PATH_PREFIX: z.string().check(z.regex(/^\/([\w+=,.@-]+\/)*$/, 'must be an IAM path such as "/" or "/workloads/"')),
  ROLE_NAME_PREFIX: z._default(z.string().check(z.regex(/^[\w+=,.@-]*$/)), ''),
  PROTECTED_ROLE_NAMES: listVariable(/[\w+=,.@*-]+/, 'must be role names separated by commas'),
  EXEMPT_ROLES: listVariable(/(arn:[\w-]+:iam::\d{12}:role\/([\w+=,.@-]+\/)*)?[\w+=,.@-]{1,64}/, 'must be role names or ARNs separated by commas'),
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
  /** Roles skipped (`remediation.exemptions.roles`): a name (any path), or an ARN (that role only). */
  readonly exemptRoles: readonly string[];
}

export function revocationSettings(env: NodeJS.ProcessEnv = process.env): RevocationSettings {
  const vars = settingsFromEnv(settingsSchema, env);
  return {
    ...commonSettings(vars),
    rolePathPrefix: vars.ROLE_PATH_PREFIX,
    roleNamePrefix: vars.ROLE_NAME_PREFIX,
    protectedRoleNames: vars.PROTECTED_ROLE_NAMES,
    exemptRoles: vars.EXEMPT_ROLES,
  };
}

export interface RevocationDeps extends HandlerDeps<RevocationSettings> {
  readonly iam: IAMClient;
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

/** The policy the IAM console writes for "Revoke active sessions"; the only document this function writes. */
export function revokePolicy(cutoff: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }],
  });
}

/** Cut-offs are whole seconds in UTC, as IAM writes and shows dates. */
const CUTOFF = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The cut-off of a document that is exactly `revokePolicy(cut-off)` (whatever its spacing), or undefined. */
export function revocationCutoff(document: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return undefined;
  }
  const statement = (parsed as { Statement?: { Condition?: { DateLessThan?: Record<string, unknown> } }[] } | null)?.Statement?.[0];
  const cutoff = statement?.Condition?.DateLessThan?.['aws:TokenIssueTime'];
  if (typeof cutoff !== 'string' || !CUTOFF.test(cutoff)) return undefined;
  return JSON.stringify(parsed) === revokePolicy(cutoff) ? cutoff : undefined;
}

/** A policy under the reserved path attached to the role, and its cut-off if it is a genuine revocation. */
interface AttachedRevocation {
  readonly arn: string;
  readonly name: string;
  readonly cutoff?: string;
}

async function revoke(deps: RevocationDeps, event: RevocationEvent, { settings, act, log, now, isHandled, markHandled }: RunContext<RevocationSettings>): Promise<Result> {
  const { iam, sns } = deps;
  const finding = event.detail;
  const roleName = finding.resource.accessKeyDetails.userName;

  if (settings.exemptRoles.includes(roleName)) throw new Skipped('exempt', `role ${roleName} is exempt (remediation.exemptions.roles)`);
  const role = await getRole(iam, roleName);
  checkInScope(role, settings);
  if (settings.exemptRoles.includes(role.Arn ?? '')) throw new Skipped('exempt', `role ${role.Arn} is exempt (remediation.exemptions.roles)`);
  if (isExempt(role.Tags, settings)) throw new Skipped('exempt', `role ${roleName} carries the exemption tag ${settings.exemptTag}`);

  if (isHandled(role.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `role ${roleName} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }

  const attached = await attachedRevocations(iam, roleName);
  const at = now();
  const valid = attached.filter(
    (policy) => policy.cutoff !== undefined && Date.parse(policy.cutoff) >= Date.parse(finding.updatedAt) && Date.parse(policy.cutoff) <= at.getTime(),
  );
  let kept = valid.sort((a, b) => a.cutoff!.localeCompare(b.cutoff!)).at(-1);
  if (!kept) {
    const cutoff = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const name = `${REVOKE_POLICY_NAME}-${roleName}-${cutoff.replace(/[-:]/g, '')}`;
    const arn = await createRevocation(iam, act, role, name, cutoff);
    const input = { RoleName: roleName, PolicyArn: arn };
    await act.write('iam:AttachRolePolicy', input, () => iam.send(new AttachRolePolicyCommand(input)));
    kept = { arn, name, cutoff };
  }
  // The revocation in force is attached: anything else from the reserved path goes.
  for (const policy of attached.filter((candidate) => candidate.arn !== kept.arn)) {
    const disposal = isSupersededRevocation(policy, roleName, kept) ? await disposalOf(iam, policy, log) : 'keep';
    // A superseded revocation denies nothing the one in force does not: left attached, the role's next revocation finds it again.
    if (disposal === 'retry') continue;
    if (policy.cutoff === undefined) log.warn('detaching a policy from the reserved path that is not a revocation this function wrote', { policyArn: policy.arn });
    const input = { RoleName: roleName, PolicyArn: policy.arn };
    await act.write('iam:DetachRolePolicy', input, () => iam.send(new DetachRolePolicyCommand(input)));
    if (disposal === 'delete') await deleteRevocation(iam, act, log, roleName, policy);
  }
  const cutoff = kept.cutoff!;

  const action = finding.service.action as { awsApiCallAction?: { remoteIpDetails?: { ipAddressV4?: string } } } | undefined;
  const remoteIp = action?.awsApiCallAction?.remoteIpDetails?.ipAddressV4;
  await notify(sns, act, settings.topicArn, {
    subject: `GuardDuty Remediation: sessions of role ${roleName} revoked`,
    summary:
      `GuardDuty Remediation | ID:${finding.id}: GuardDuty discovered that the temporary credentials of the instance role ` +
      `${roleName} are being used ${finding.type.endsWith('.InsideAWS') ? 'from another AWS account' : 'outside the instance they were issued to'}` +
      `${remoteIp ? ` (from ${remoteIp})` : ''}. All sessions of the role issued before ${cutoff} have been revoked ` +
      `(policy ${kept.name}). Please follow up with any additional remediation actions.`,
    facts: {
      'Finding type': finding.type,
      'Account / region': `${finding.accountId} / ${finding.region}`,
      Role: role.Arn ?? roleName,
      'Tokens denied if issued before': cutoff,
      'Revocation policy': kept.arn,
    },
  });
  const tag = { RoleName: roleName, Tags: handledTags(finding) };
  const marker = await markHandled('iam:TagRole', tag, () => iam.send(new TagRoleCommand(tag)));
  return { outcome: 'remediated', details: { cutoff, policyArn: kept.arn, ...marker } };
}

/** Every policy from the reserved path attached to the role, each read to tell a genuine revocation. */
async function attachedRevocations(iam: IAMClient, roleName: string): Promise<AttachedRevocation[]> {
  const found: AttachedRevocation[] = [];
  let marker: string | undefined;
  do {
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, PathPrefix: REVOCATION_POLICY_PATH, ...(marker ? { Marker: marker } : {}) }));
    for (const policy of page.AttachedPolicies ?? []) {
      const document = await defaultDocument(iam, policy.PolicyArn!);
      const cutoff = document === undefined ? undefined : revocationCutoff(document);
      found.push({ arn: policy.PolicyArn!, name: policy.PolicyName!, ...(cutoff ? { cutoff } : {}) });
    }
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return found;
}

/** The default version's document of a managed policy (IAM returns it URL-encoded). */
async function defaultDocument(iam: IAMClient, policyArn: string): Promise<string | undefined> {
  const policy = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
  const versionId = policy.Policy?.DefaultVersionId;
  if (!versionId) return undefined;
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
  return version.PolicyVersion?.Document === undefined ? undefined : decodeURIComponent(version.PolicyVersion.Document);
}

/**
 * A revocation this function wrote for this role (its name, its path, exactly its document) whose
 * cut-off is not after the one in force: it denies nothing the one in force does not. Anything else
 * detached from the reserved path is kept: a planted policy is evidence, and a later cut-off denied more.
 */
function isSupersededRevocation(policy: AttachedRevocation, roleName: string, inForce: AttachedRevocation): boolean {
  if (policy.cutoff === undefined || policy.cutoff > inForce.cutoff!) return false;
  const name = `${REVOKE_POLICY_NAME}-${roleName}-${policy.cutoff.replace(/[-:]/g, '')}`;
  return policy.name === name && policy.arn.endsWith(`:policy${REVOCATION_POLICY_PATH}${name}`);
}

/**
 * What becomes of a superseded revocation: deleted once detached from this role if IAM reports it
 * attached to this role only (one attached elsewhere too is kept) and it has the one version the
 * function writes, v1 (one with other versions is kept rather than deleting versions the function
 * did not write). Checked before the detach: if a read fails, it stays attached, harmless beside the
 * newer revocation, and the role's next revocation retries. Failures are warnings: the revocation in
 * force and its e-mail are what matter.
 */
async function disposalOf(iam: IAMClient, policy: AttachedRevocation, log: Logger): Promise<'delete' | 'keep' | 'retry'> {
  try {
    const { Policy: read } = await iam.send(new GetPolicyCommand({ PolicyArn: policy.arn }));
    if (read?.AttachmentCount !== 1) {
      log.info('keeping a superseded revocation that is attached elsewhere too: detached from this role only', { policyArn: policy.arn, attachmentCount: read?.AttachmentCount });
      return 'keep';
    }
    const { Versions: versions = [] } = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: policy.arn }));
    if (versions.length !== 1 || versions[0]!.VersionId !== 'v1' || !versions[0]!.IsDefaultVersion) {
      log.warn('keeping a superseded revocation with versions this function did not write', { policyArn: policy.arn, versions: versions.map((version) => version.VersionId) });
      return 'keep';
    }
    return 'delete';
  } catch (error) {
    log.warn('superseded revocation left attached: reading it failed; the next revocation of the role retries', { policyArn: policy.arn, error });
    return 'retry';
  }
}

/**
 * Deletes a superseded revocation detached from the role (IAM refuses if anything attached it since).
 * If the delete fails it is attached again, harmless beside the newer revocation, so that the role's
 * next revocation finds it and retries: once detached, nothing this function may call would find it.
 */
async function deleteRevocation(iam: IAMClient, act: RunContext<RevocationSettings>['act'], log: Logger, roleName: string, policy: AttachedRevocation): Promise<void> {
  const input = { PolicyArn: policy.arn };
  try {
    await act.write('iam:DeletePolicy', input, () => iam.send(new DeletePolicyCommand(input)));
    return;
  } catch (error) {
    if (isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) return;
    log.warn('deleting a superseded revocation failed: attaching it again so that the next revocation of the role retries', { policyArn: policy.arn, error });
  }
  const attach = { RoleName: roleName, PolicyArn: policy.arn };
  try {
    await act.write('iam:AttachRolePolicy', attach, () => iam.send(new AttachRolePolicyCommand(attach)));
  } catch (error) {
    log.warn('superseded revocation left detached and not deleted: delete it by hand', { policyArn: policy.arn, error });
  }
}

/**
 * Creates the revocation policy and returns its ARN. One of that name already there (a run that
 * died after creating it) is used only if it is exactly the document; otherwise this fails, and the
 * retry, a second or more later, creates one of another name.
 */
async function createRevocation(iam: IAMClient, act: RunContext<RevocationSettings>['act'], role: Role, name: string, cutoff: string): Promise<string> {
  const input = {
    PolicyName: name,
    Path: REVOCATION_POLICY_PATH,
    PolicyDocument: revokePolicy(cutoff),
    Description: `GuardDuty remediation: denies the sessions of role ${role.RoleName} issued before ${cutoff}`,
  };
  const arn = `${role.Arn!.slice(0, role.Arn!.indexOf(':role/'))}:policy${REVOCATION_POLICY_PATH}${name}`;
  try {
    const created = await act.write('iam:CreatePolicy', input, () => iam.send(new CreatePolicyCommand(input)));
    return created?.Policy?.Arn ?? arn;
  } catch (error) {
    if (!isAwsError(error, 'EntityAlreadyExistsException', 'EntityAlreadyExists')) throw error;
    const document = await defaultDocument(iam, arn);
    if (document === undefined || revocationCutoff(document) !== cutoff) throw new Error(`policy ${arn} exists and is not the revocation this function writes`);
    return arn;
  }
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

export const handler = revocationHandler({ iam: new IAMClient(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

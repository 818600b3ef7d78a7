import { GetUserCommand, IAMClient, ListAccessKeysCommand, TagUserCommand, UpdateAccessKeyCommand, type User } from '@aws-sdk/client-iam';
import { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { IAM_USER_MALICIOUS_IP_CALLER_TYPES } from '../lib/remediation/contract';
import { CLIENT_CONFIG } from './commons/clients';
import { isAwsError, Skipped } from './commons/errors';
import { accessKeyDetails, withResource } from './commons/finding';
import { notify } from './commons/notify';
import { COMMON_VARIABLES, commonSettings, handledTags, isExempt, listVariable, remediation, settingsFromEnv, type CommonSettings, type HandlerDeps, type Result, type RunContext } from './commons/remediation';

/**
 * Deactivates the IAM user access key of an `...IAMUser/MaliciousIPCaller.Custom` finding. Off by
 * default (`remediation.deactivateAccessKeys`): in the lab a person does it, since a deactivated key
 * can break a workload. Deactivated, not deleted, so it can be turned back on after investigation.
 * As in the other functions, the finding tags (on the user) are written after the e-mail and mark
 * this occurrence of the finding as handled.
 */

export const deactivationEvent = withResource({
  accessKeyDetails: z.extend(accessKeyDetails, {
    userType: z.literal('IAMUser', { error: 'must be "IAMUser": only IAM user keys can be deactivated' }),
    userName: z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, 'must be an IAM user name')),
    // Long-term user keys start with AKIA; temporary (ASIA) keys cannot be deactivated.
    accessKeyId: z.string().check(z.regex(/^AKIA[A-Z0-9]{12,124}$/, 'must be a long-term access key id (AKIA...)')),
  }),
});
export type DeactivationEvent = z.output<typeof deactivationEvent>;

const settingsSchema = z.object({
  ...COMMON_VARIABLES,
  EXEMPT_USERS: listVariable(/[\w+=,.@-]{1,64}/, 'must be IAM user names separated by commas'),
});

export interface DeactivationSettings extends CommonSettings {
  /** Users never touched (`remediation.exemptions.users`). */
  readonly exemptUserNames: readonly string[];
}

export function deactivationSettings(env: NodeJS.ProcessEnv = process.env): DeactivationSettings {
  const vars = settingsFromEnv(settingsSchema, env);
  return { ...commonSettings(vars), exemptUserNames: vars.EXEMPT_USERS };
}

export interface DeactivationDeps extends HandlerDeps<DeactivationSettings> {
  readonly iam: IAMClient;
}

export function deactivationHandler(deps: DeactivationDeps) {
  return remediation({
    name: 'deactivate-access-key',
    schema: deactivationEvent,
    findingTypes: IAM_USER_MALICIOUS_IP_CALLER_TYPES,
    settings: deps.settings ?? (() => deactivationSettings()),
    logKeys: (event) => ({ userName: event.detail.resource.accessKeyDetails.userName, accessKeyId: event.detail.resource.accessKeyDetails.accessKeyId }),
    sink: deps.sink,
    now: deps.now,
    run: (event, context) => deactivate(deps, event, context),
  });
}

async function deactivate(deps: DeactivationDeps, event: DeactivationEvent, { settings, act, isHandled, markHandled }: RunContext<DeactivationSettings>): Promise<Result> {
  const { iam, sns } = deps;
  const finding = event.detail;
  const { userName, accessKeyId } = finding.resource.accessKeyDetails;

  if (settings.exemptUserNames.includes(userName)) throw new Skipped('exempt', `user ${userName} is exempt (remediation.exemptions.users)`);
  const user = await getUser(iam, userName);
  if (isExempt(user.Tags, settings)) throw new Skipped('exempt', `user ${userName} carries the exemption tag ${settings.exemptTag}`);
  const keys = await iam.send(new ListAccessKeysCommand({ UserName: userName }));
  const key = keys.AccessKeyMetadata?.find((metadata) => metadata.AccessKeyId === accessKeyId);
  if (!key) throw new Skipped('not-found', `user ${userName} has no access key ${accessKeyId} (deleted already?)`);
  if (isHandled(user.Tags, finding)) {
    return { outcome: 'already-remediated', reason: `user ${userName} is tagged as handled for finding ${finding.id} (updated ${finding.updatedAt})` };
  }

  if (key.Status !== 'Inactive') {
    const input = { UserName: userName, AccessKeyId: accessKeyId, Status: 'Inactive' as const };
    await act.write('iam:UpdateAccessKey', input, () => iam.send(new UpdateAccessKeyCommand(input)));
  }
  await notify(sns, act, settings.topicArn, {
    subject: `GuardDuty Remediation: access key of ${userName} deactivated`,
    summary:
      `GuardDuty Remediation | ID:${finding.id}: GuardDuty discovered that the access key ${accessKeyId} of the IAM user ` +
      `${userName} is calling AWS APIs from an IP Address on a threat list that you uploaded. The access key has been ` +
      'deactivated (not deleted). Please follow up with any additional remediation actions.',
    facts: {
      'Finding type': finding.type,
      'Account / region': `${finding.accountId} / ${finding.region}`,
      User: user.Arn ?? userName,
    },
  });
  const tag = { UserName: userName, Tags: handledTags(finding) };
  const marker = await markHandled('iam:TagUser', tag, () => iam.send(new TagUserCommand(tag)));
  return { outcome: 'remediated', ...(Object.keys(marker).length > 0 ? { details: marker } : {}) };
}

async function getUser(iam: IAMClient, userName: string): Promise<User> {
  try {
    const output = await iam.send(new GetUserCommand({ UserName: userName }));
    if (output.User) return output.User;
  } catch (error) {
    if (!isAwsError(error, 'NoSuchEntityException', 'NoSuchEntity')) throw error;
  }
  throw new Skipped('not-found', `user ${userName} does not exist`);
}

export const handler = deactivationHandler({ iam: new IAMClient(CLIENT_CONFIG), sns: new SNSClient(CLIENT_CONFIG) });

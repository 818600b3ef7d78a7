import type { SNSClient } from '@aws-sdk/client-sns';
import * as z from 'zod/mini';
import { FINDING_ID_TAG, FINDING_TIME_TAG } from '../../lib/remediation/contract';
import { classify, InvalidEvent, isAwsError, Skipped, TAG_LIMIT_ERRORS, type Outcome } from './errors';
import { findingLogKeys, isSampleFinding, issuePath, type Finding, type FindingEvent } from './finding';
import { Logger, type LogSink } from './logger';

/** What `remediation.mode` means inside a function; `off` deploys no function at all. */
export type Mode = 'auto' | 'dry-run';

/** Settings every remediation function reads from its environment. */
export interface CommonSettings {
  readonly mode: Mode;
  /** Topic for the remediation e-mails. */
  readonly topicArn: string;
  /**
   * Resources carrying this tag key are never changed. Set only where the deployment's service control
   * policy reserves the key for the security team; without it anyone who may tag a resource could opt
   * it out, so the tag is not honoured (and a resource carrying it is logged). @default not honoured
   */
  readonly exemptTag?: string;
  /** Findings of these accounts are never acted on (`remediation.exemptions.accounts`). */
  readonly exemptAccounts: readonly string[];
}

/** A comma-separated list in an environment variable; empty or missing is none. */
export const listVariable = (pattern: RegExp, message: string) =>
  z.pipe(
    z._default(z.string().check(z.regex(new RegExp(`^(${pattern.source}(,${pattern.source})*)?$`), message)), ''),
    z.transform((text: string) => text.split(',').filter((item) => item !== '')),
  );

/** The variables of `CommonSettings`, part of every function's environment schema. */
export const COMMON_VARIABLES = {
  MODE: z.enum(['auto', 'dry-run']),
  TOPIC_ARN: z.string().check(z.startsWith('arn:')),
  EXEMPT_TAG: z.optional(z.string().check(z.minLength(1))),
  EXEMPT_ACCOUNTS: listVariable(/\d{12}/, 'must be account ids separated by commas'),
};

/** `CommonSettings` from the parsed variables. */
export function commonSettings(vars: { MODE: Mode; TOPIC_ARN: string; EXEMPT_TAG?: string; EXEMPT_ACCOUNTS: string[] }): CommonSettings {
  return { mode: vars.MODE, topicArn: vars.TOPIC_ARN, ...(vars.EXEMPT_TAG ? { exemptTag: vars.EXEMPT_TAG } : {}), exemptAccounts: vars.EXEMPT_ACCOUNTS };
}

/** The part of the Lambda context the functions use. */
export interface InvocationContext {
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the function's own account and region. */
  readonly invokedFunctionArn: string;
  readonly awsRequestId?: string;
}

export interface Result {
  readonly outcome: Outcome;
  readonly reason?: string;
  /** Facts for the log line and the caller: the groups, snapshots or policy the run touched. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Changes to AWS go through here: in dry-run mode each intended call is logged with its input and not
 * made; in auto mode it is logged and made. Reads are not routed here (they change nothing).
 */
export class Actions {
  constructor(
    readonly mode: Mode,
    private readonly log: Logger,
  ) {}

  get dryRun(): boolean {
    return this.mode === 'dry-run';
  }

  /** `action` is the IAM action (`ec2:CreateSecurityGroup`): the log reads like the role's policy. */
  async write<T>(action: string, input: object, send: () => Promise<T>): Promise<T | undefined> {
    if (this.dryRun) {
      this.log.info('dry run: would call', { action, input });
      return undefined;
    }
    this.log.info('calling', { action, input });
    return send();
  }
}

/** What every handler is given beside the client of the service it acts on: clients created once, injected in tests. */
export interface HandlerDeps<S extends CommonSettings> {
  readonly sns: SNSClient;
  /** @default read from the environment at the first invocation */
  readonly settings?: () => S;
  /** @default stdout */
  readonly sink?: LogSink;
  /** @default the system clock */
  readonly now?: () => Date;
}

export interface RunContext<S extends CommonSettings> {
  readonly settings: S;
  readonly log: Logger;
  readonly act: Actions;
  readonly now: () => Date;
  /** Whether the resource's tags mark this occurrence of the finding as handled (see `isHandled`). */
  readonly isHandled: (tags: readonly Tag[] | undefined, finding: Pick<Finding, 'id' | 'updatedAt'>) => boolean;
  /**
   * Writes the handled-marker tags, the last step. A tag-limit error is logged and reported in the
   * result, not thrown: the remediation and its e-mail are done, and a retry would only e-mail again.
   */
  readonly markHandled: (action: string, input: object, send: () => Promise<unknown>) => Promise<Readonly<Record<string, string>>>;
}

type Tag = { Key?: string; Value?: string };

export interface RemediationSpec<E extends FindingEvent, S extends CommonSettings> {
  /** Function name for log lines. */
  readonly name: string;
  /** The envelope and the detail fields this function needs; anything else is rejected. */
  readonly schema: z.ZodMiniType<E>;
  /** Finding types this function acts on. */
  readonly findingTypes: readonly string[];
  readonly settings: () => S;
  /** Keys added to every log line of the invocation once the event is parsed. */
  readonly logKeys?: (event: E) => Record<string, unknown>;
  readonly run: (event: E, context: RunContext<S>) => Promise<Result>;
  readonly sink?: LogSink;
  readonly now?: () => Date;
}

/** The Lambda handler around one remediation: parse, check scope, run, map the outcome, log once. */
export function remediation<E extends FindingEvent, S extends CommonSettings>(spec: RemediationSpec<E, S>) {
  const base = new Logger(spec.sink, { function: spec.name });
  const now = spec.now ?? (() => new Date());
  let settings: S | undefined;
  return async (event: unknown, context: InvocationContext): Promise<Result> => {
    // The finding id and type go on every line, a rejected event's too, whenever the event has them.
    let log = base.child({ requestId: context.awsRequestId, ...findingLogKeys(event) });
    try {
      // Read lazily so a module import (tests, bundling) needs no environment; a bad environment
      // then fails the invocation, where the alarm sees it.
      settings ??= spec.settings();
      // Before the schema: a sample's made-up values need not pass it, and a sample is never acted on.
      if (isSampleFinding(event)) {
        throw new Skipped('sample', 'a GuardDuty sample finding (CreateSampleFindings): notified, never remediated');
      }
      const parsed = parse(spec.schema, event);
      log = log.child({ findingId: parsed.detail.id, findingType: parsed.detail.type, ...spec.logKeys?.(parsed) });
      if (!spec.findingTypes.includes(parsed.detail.type)) {
        throw new InvalidEvent([`detail.type: ${JSON.stringify(parsed.detail.type)} is not one of ${spec.findingTypes.join(', ')}`]);
      }
      checkScope(parsed, context.invokedFunctionArn);
      if (settings.exemptAccounts.includes(parsed.detail.accountId)) {
        throw new Skipped('exempt', `account ${parsed.detail.accountId} is exempt (remediation.exemptions.accounts)`);
      }
      const act = new Actions(settings.mode, log);
      const runLog = log;
      const result = await spec.run(parsed, {
        settings,
        log: runLog,
        act,
        now,
        isHandled: (tags, finding) => isHandled(tags, finding, now(), runLog),
        markHandled: (action, input, send) => markHandled(act, runLog, action, input, send),
      });
      const final: Result = act.dryRun && result.outcome === 'remediated' ? { ...result, outcome: 'dry-run' } : result;
      log.info('remediation finished', { outcome: final.outcome, ...(final.reason ? { reason: final.reason } : {}), ...final.details });
      return final;
    } catch (error) {
      const classified = classify(error);
      const fields = { outcome: classified.outcome, reason: classified.reason, ...(error instanceof InvalidEvent ? { problems: error.problems } : {}) };
      if (classified.outcome === 'skipped') log.warn('remediation skipped', fields);
      else log.error(classified.outcome === 'rejected' ? 'event rejected' : 'remediation failed', { ...fields, error });
      if (classified.rethrow) throw error;
      return { outcome: classified.outcome, reason: classified.reason };
    }
  };
}

function parse<E>(schema: z.ZodMiniType<E>, event: unknown): E {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new InvalidEvent(result.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`));
}

/** Acts only on findings of the function's own account and region: the envelope and the finding. */
function checkScope(event: FindingEvent, functionArn: string): void {
  const [, , , region, account] = functionArn.split(':');
  for (const [where, value] of [['account', event.account], ['detail.accountId', event.detail.accountId]] as const) {
    if (value !== account) throw new Skipped('other-account', `${where} ${value} is not this function's account ${account}`);
  }
  for (const [where, value] of [['region', event.region], ['detail.region', event.detail.region]] as const) {
    if (value !== region) throw new Skipped('other-region', `${where} ${value} is not this function's region ${region}`);
  }
}

/** Reads the environment with a schema; a missing or bad variable names itself. */
export function settingsFromEnv<S>(schema: z.ZodMiniType<S>, env: NodeJS.ProcessEnv = process.env): S {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new Error(`bad function environment: ${result.error.issues.map((issue) => `${issuePath(issue.path)}: ${issue.message}`).join('; ')}`);
}

/**
 * Whether a tag list (EC2 `Key`/`Value` or IAM `Key`/`Value`) carries the exemption tag key, where the
 * tag is honoured at all (see `CommonSettings.exemptTag`).
 */
export function isExempt(tags: readonly { Key?: string }[] | undefined, settings: Pick<CommonSettings, 'exemptTag'>): boolean {
  return settings.exemptTag !== undefined && (tags ?? []).some((tag) => tag.Key === settings.exemptTag);
}

/**
 * The tags that mark a resource as handled for a finding, written last (after the e-mail). With the
 * finding's `updatedAt`: GuardDuty sends a finding again, same id, when the activity recurs, and
 * that new occurrence must be acted on; a replay of the same event must not.
 */
export function handledTags(finding: Pick<Finding, 'id' | 'updatedAt'>): { Key: string; Value: string }[] {
  return [
    { Key: FINDING_ID_TAG, Value: finding.id },
    { Key: FINDING_TIME_TAG, Value: finding.updatedAt },
  ];
}

/**
 * Whether the resource's tags say this finding, at this update or a later one, was handled already.
 * The marker's time is a finding's `updatedAt`, which is never later than now: a time in the future is
 * a forged marker (someone who may tag the resource trying to opt it out), ignored and logged.
 */
export function isHandled(tags: readonly Tag[] | undefined, finding: Pick<Finding, 'id' | 'updatedAt'>, now: Date, log?: Logger): boolean {
  const value = (key: string) => (tags ?? []).find((tag) => tag.Key === key)?.Value;
  if (value(FINDING_ID_TAG) !== finding.id) return false;
  const handledAt = Date.parse(value(FINDING_TIME_TAG) ?? '');
  if (handledAt > now.getTime()) {
    log?.warn('handled marker ignored: its time is in the future', { markerTime: value(FINDING_TIME_TAG), now: now.toISOString() });
    return false;
  }
  return handledAt >= Date.parse(finding.updatedAt);
}

async function markHandled(act: Actions, log: Logger, action: string, input: object, send: () => Promise<unknown>): Promise<Readonly<Record<string, string>>> {
  try {
    await act.write(action, input, send);
    return {};
  } catch (error) {
    if (!isAwsError(error, ...TAG_LIMIT_ERRORS)) throw error;
    log.warn('handled marker not written: the resource has no room for more tags', { action, error });
    return { handledMarker: `not written (${(error as Error).name}): a replay of this finding would act again` };
  }
}

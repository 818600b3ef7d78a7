/**
 * What can become of one delivered finding, and the single place where errors turn into outcomes:
 *
 * - `remediated` / `already-remediated` / `dry-run`: the handler finished.
 * - `skipped`: not ours to touch (another account or region, an exempt resource, a resource that no
 *   longer exists, a GuardDuty sample finding). Retrying cannot change that, so nothing is thrown,
 *   and no alarm is raised.
 * - `rejected`: a malformed event or a target the function refuses (a service-linked role, a role
 *   outside the configured path). Logged at ERROR with `outcome: "rejected"`, which a metric filter
 *   counts into an alarm; nothing is thrown, since a retry would be rejected the same way.
 * - `failed`: anything else (AWS errors that survived the SDK's retries, missing permissions). Thrown,
 *   so the Lambda service retries the asynchronous invocation and then sends the event to the
 *   on-failure destination (the dead-letter queue); the Errors metric raises the alarm.
 */
export type Outcome = 'remediated' | 'already-remediated' | 'dry-run' | 'skipped' | 'rejected' | 'failed';

/** The event does not have the shape this function handles. */
export class InvalidEvent extends Error {
  override readonly name = 'InvalidEvent';
  constructor(readonly problems: readonly string[]) {
    super(`malformed or unexpected event: ${problems.join('; ')}`);
  }
}

/** The function will not act on this target, by design. */
export class Refused extends Error {
  override readonly name = 'Refused';
}

export type SkipReason = 'other-account' | 'other-region' | 'exempt' | 'not-found' | 'sample';

/** Nothing to do here for this event. */
export class Skipped extends Error {
  override readonly name = 'Skipped';
  constructor(
    readonly reason: SkipReason,
    message: string,
  ) {
    super(message);
  }
}

export interface Classified {
  readonly outcome: Extract<Outcome, 'skipped' | 'rejected' | 'failed'>;
  readonly reason: string;
  /** Whether the error must propagate so the invocation counts as failed and is retried. */
  readonly rethrow: boolean;
}

export function classify(error: unknown): Classified {
  if (error instanceof Skipped) return { outcome: 'skipped', reason: error.message, rethrow: false };
  if (error instanceof InvalidEvent || error instanceof Refused) return { outcome: 'rejected', reason: error.message, rethrow: false };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { outcome: 'failed', reason: message, rethrow: true };
}

/**
 * The error codes of a tag limit: EC2 allows 50 tags per resource (`TagLimitExceeded`), IAM 50 per
 * role or user (`LimitExceeded`, `LimitExceededException` in SDK v3).
 */
export const TAG_LIMIT_ERRORS = ['TagLimitExceeded', 'LimitExceeded', 'LimitExceededException'] as const;

/** An AWS SDK service error with the given error code (`error.name` in SDK v3). */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  return error instanceof Error && codes.includes(error.name);
}

/**
 * What an AWS error means for a command that reads many accounts and regions: the account's role may
 * not read it, the account has not enabled the region, or something else went wrong.
 */

/** How reading one account in one region went. */
export type CheckStatus = 'ok' | 'access-denied' | 'region-not-enabled' | 'error';

const ACCESS_DENIED = new Set(['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'AuthorizationError', 'AccessDeniedForDependencyException']);
/**
 * What an opt-in region that the account has not enabled answers: the session token is not valid
 * there (`UnrecognizedClientException` from JSON APIs such as GuardDuty, EventBridge, Lambda and
 * Security Hub; `InvalidClientTokenId` from query APIs), or STS refuses the region itself.
 */
const REGION_NOT_ENABLED = new Set(['UnrecognizedClientException', 'InvalidClientTokenId', 'RegionDisabledException', 'OptInRequired']);

export function classify(error: unknown): CheckStatus {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  if (ACCESS_DENIED.has(name)) return 'access-denied';
  if (REGION_NOT_ENABLED.has(name)) return 'region-not-enabled';
  return 'error';
}

/** `<error name>: <message>`, for reports. */
export function errorText(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return e.message ? `${e.name ?? 'Error'}: ${e.message}` : String(error);
}

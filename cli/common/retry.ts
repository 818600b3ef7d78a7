/**
 * Bounded retries for throttled AWS calls. The SDK's own retry strategy already retries a few times;
 * this outer, slower loop rides out the sustained throttling a scan of hundreds of accounts and
 * regions causes, and then gives up with the last error.
 */

export interface RetryOptions {
  /** @default 5 */
  readonly attempts?: number;
  /** First back-off; doubles each attempt, with full jitter. @default 500 */
  readonly baseDelayMs?: number;
  /** @default a real timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'SlowDown']);

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $retryable?: { throttling?: boolean } } | undefined;
  return Boolean(e && (THROTTLING.has(e.name ?? '') || e.$retryable?.throttling));
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 500;
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      await sleep(Math.round(random() * base * 2 ** (attempt - 1)));
    }
  }
}

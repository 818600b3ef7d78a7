/**
 * Settings shared by every SDK client of the remediation functions. Clients are created once per
 * execution environment at module scope (reused across invocations) and handed to the handler
 * factories, so tests pass clients of their own.
 *
 * Adaptive retry mode: on throttling the client also rate-limits itself, which is what a burst of
 * findings (many instances of one incident) needs; standard mode only backs off per request. More
 * attempts than the default 3, because a remediation that gives up is retried as a whole anyway,
 * later and more expensively.
 */
export const CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 6 } as const;

/**
 * cdktf records where every token was created by capturing a full stack trace
 * (`Error.stackTraceLimit = Infinity`), only to print it if that token later fails to resolve. Under
 * tsx each frame is also mapped through source maps. At organization scale that was over half of
 * synth time and memory (200 invited accounts x 17 regions, loaded 2-core machine: 40.9 s and
 * 783 MB with the captures, 17.6 s and 342 MB with them made cheap, less again with them skipped).
 *
 * This replaces cdktf's internal capture with one that records nothing. Errors keep their own stack
 * traces; only token-creation stacks are lost. Set GD_TOKEN_STACKS=1 to keep them when debugging a
 * token that does not resolve. If a cdktf upgrade moves the function, nothing is patched and synth is
 * merely slower (a test pins this to the cdktf version in package.json).
 */
export function skipTokenCreationStacks(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.GD_TOKEN_STACKS === '1') return false;
  // cdktf's compiled modules call it as `(0, stack_trace_1.captureStackTrace)()`, a property read
  // at each call, so replacing the export reaches every caller.
  const internals = require('cdktf/lib/tokens/private/stack-trace') as { captureStackTrace?: unknown };
  if (typeof internals.captureStackTrace !== 'function') return false;
  internals.captureStackTrace = (): string[] => [];
  return true;
}

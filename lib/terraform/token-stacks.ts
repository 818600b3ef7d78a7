/**
 * cdktf records where every token was created by capturing a full stack trace
 * (`Error.stackTraceLimit = Infinity`), only to print it if that token later fails to resolve. Under
 * tsx each frame is also mapped through source maps. At organization scale that was over half of
 * synth time and memory (200 invited accounts x 17 regions, loaded 2-core machine: 40.9 s and
 * 783 MB with the captures, 17.6 s and 342 MB with them made cheap, less again with them skipped).
 *
 * This replaces the framework's internal capture with one that records nothing. Errors keep their own
 * stack traces; only token-creation stacks are lost. Set GD_TOKEN_STACKS=1 to keep them when debugging
 * a token that does not resolve. The test counts the stack captures of a synth with and without it,
 * on whichever flavor is installed, so a release that moves the capture again fails it.
 */

/**
 * The exports token creation calls, per flavor. CDK Terrain calls `captureCreationStack` (which
 * honours CDKTN_DISABLE_CREATION_STACK, read once per token, and calls `captureStackTrace` inside its
 * own module, out of reach of a replaced export); cdktf 0.21 calls `captureStackTrace` itself.
 */
const CAPTURES = ['captureCreationStack', 'captureStackTrace'] as const;

/** Returns the name of the capture it replaced, or undefined when it left the framework alone. */
export function skipTokenCreationStacks(env: NodeJS.ProcessEnv = process.env): (typeof CAPTURES)[number] | undefined {
  if (env.GD_TOKEN_STACKS === '1') return undefined;
  // The compiled modules call it as `(0, stack_trace_1.captureCreationStack)()`, a property read at
  // each call, so replacing the export reaches every caller.
  const internals = require('cdktf/lib/tokens/private/stack-trace') as Record<string, unknown>;
  const capture = CAPTURES.find((name) => typeof internals[name] === 'function');
  if (capture) internals[capture] = (): string[] => [];
  return capture;
}

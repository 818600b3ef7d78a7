import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Lazy } from 'cdktf';
import { flavor } from '../../../lib/terraform/flavor';
import { skipTokenCreationStacks } from '../../../lib/terraform/token-stacks';
import { buildApp } from '../../../stacks/app';
import { testConfig } from '../../helpers/synth';

/** The creation stack cdktf records on a token. */
const creationStackOf = () => Lazy.anyValue({ produce: () => 1 }).creationStack;

/**
 * How many stack traces the framework captures, and how many frames they hold, while the example
 * configuration in invitations mode is built and synthesized: counted at V8's `Error.captureStackTrace`,
 * which every capture ends in whatever function of the framework calls it.
 */
function stackCaptures(): { captures: number; frames: number } {
  const original = Error.captureStackTrace;
  let captures = 0;
  let frames = 0;
  Error.captureStackTrace = (target: object, below?: Function) => {
    original(target, below);
    captures += 1;
    frames += String((target as { stack?: string }).stack).split('\n').length - 1;
  };
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-token-stacks-'));
  try {
    buildApp(testConfig({ mode: 'invitations' }), { outdir }).synth();
  } finally {
    Error.captureStackTrace = original;
    rmSync(outdir, { recursive: true, force: true });
  }
  return { captures, frames };
}

describe('skipTokenCreationStacks', () => {
  // In this order: once replaced, the capture stays replaced for the rest of this file's modules.
  it('leaves the framework alone when GD_TOKEN_STACKS=1', () => {
    expect(skipTokenCreationStacks({ GD_TOKEN_STACKS: '1' })).toBeUndefined();
    expect(creationStackOf().length).toBeGreaterThan(0);
  });

  it(`takes the stack captures out of a synth on the installed flavor (${flavor().framework} ${flavor().frameworkVersion})`, () => {
    const before = stackCaptures();
    const replaced = skipTokenCreationStacks({});
    const after = stackCaptures();
    // The same app, before and after, in this process: hundreds of captures of tens of frames each
    // become none (a warning annotation would still keep its own).
    expect(before.captures).toBeGreaterThan(500);
    expect(before.frames).toBeGreaterThan(before.captures * 10);
    expect(after).toEqual({ captures: 0, frames: 0 });
    expect(creationStackOf()).toEqual([]);
    expect(replaced).toBe(flavor().framework === 'cdktn' ? 'captureCreationStack' : 'captureStackTrace');
  });
});

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/synth';

// js-yaml 3 ships no types; only `safeLoad` is used.
const yaml: { safeLoad(text: string): unknown } = require('js-yaml');

const step = yaml.safeLoad(readFileSync(path.join(REPO_ROOT, 'examples/github-actions/guardduty-step.yml'), 'utf8')) as { jobs: Record<string, any> };
const job = step.jobs.verify;
const script = job.steps.find((s: { name?: string }) => s.name === 'npm run verify').run as string;

/**
 * Runs the verify script as GitHub does (bash -eo pipefail) with a fake npm that answers the exit
 * statuses given, one per run, and records its arguments.
 */
function runVerifyStep(statuses: number[], phase: 'deploy' | 'remove' | undefined = undefined) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-verify-'));
  mkdirSync(path.join(dir, 'bin'));
  mkdirSync(path.join(dir, 'cdktf.out'));
  // Step 3 of a rollout plan: two stacks.
  const stepEntry = { step: 3, ...(phase ? { phase } : {}), stacks: [{ id: 'members-wave-2' }, { id: 'sandbox-simulation' }], commands: [] };
  writeFileSync(path.join(dir, 'cdktf.out/rollout.json'), JSON.stringify({ steps: [{ step: 1 }, { step: 2 }, stepEntry] }));
  writeFileSync(path.join(dir, 'statuses'), statuses.join('\n'));
  writeFileSync(
    path.join(dir, 'bin/npm'),
    '#!/bin/sh\nprintf "%s\\n" "$*" >> "$DIR/npm-calls"\nstatus=$(head -n 1 "$DIR/statuses")\nsed -i 1d "$DIR/statuses"\necho "DIFFERENT: run with status $status"\nexit "$status"\n',
  );
  chmodSync(path.join(dir, 'bin/npm'), 0o755);
  writeFileSync(path.join(dir, 'bin/sleep'), '#!/bin/sh\necho "slept $1" >> "$DIR/slept"\n');
  chmodSync(path.join(dir, 'bin/sleep'), 0o755);
  const env = { PATH: `${dir}/bin:${process.env.PATH}`, DIR: dir, STEP: '3', PLAN_FILE: 'cdktf.out/rollout.json', GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), ...job.env, READ_ONLY_ROLE_NAME: 'GuardDutyReadOnly' };
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd: dir, env, encoding: 'utf8' });
  const read = (file: string) => {
    try {
      return readFileSync(path.join(dir, file), 'utf8').trim().split('\n');
    } catch {
      return [];
    }
  };
  return { status: result.status, stdout: result.stdout, calls: read('npm-calls'), slept: read('slept'), summary: read('summary') };
}

describe('GitHub Actions example: verify after each deploy step', () => {
  it('runs after the apply of a deploy step, through the read-only role in every account', () => {
    expect(job.needs).toBe('apply');
    expect(job.if).toBe("inputs.direction == 'deploy'");
    expect(job.environment).toBe('guardduty-production');
    expect(job.env.READ_ONLY_ROLE_NAME).toBe("${{ vars.GUARDDUTY_READ_ONLY_ROLE_NAME || 'GuardDutyReadOnly' }}");
    const uses = job.steps.map((s: { uses?: string; run?: string }) => s.uses ?? s.run);
    expect(uses.indexOf('npm ci')).toBeLessThan(uses.indexOf('aws-actions/configure-aws-credentials@v4'));
    const scripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.verify).toBe('tsx cli/verify/main.ts');
  });

  it('passes at once when the step conforms', () => {
    const run = runVerifyStep([0]);
    expect(run.status).toBe(0);
    // The stacks of the rollout plan's step: with --since its steps are not verify's own deploy steps.
    expect(run.calls).toEqual(['run --silent verify -- --stacks members-wave-2,sandbox-simulation --role GuardDutyReadOnly']);
    expect(run.slept).toEqual([]);
    expect(run.summary).toEqual(['### verify step 3', '```', 'DIFFERENT: run with status 0', '```']);
  });

  it('leaves a removal step to the deploy steps: a stack it split lacks what a later step adds', () => {
    const run = runVerifyStep([1], 'remove');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.stdout).toBe('step 3 removes: verified with the deploy steps\n');
    expect(runVerifyStep([0], 'deploy').calls).toHaveLength(1);
  });

  it('reads a difference again while auto-enable settles, and passes once it conforms', () => {
    const run = runVerifyStep([1, 1, 0]);
    expect(run.status).toBe(0);
    expect(run.calls).toHaveLength(3);
    expect(run.slept).toEqual(['slept 120', 'slept 120']);
  });

  it('fails with the difference after the last attempt, and at once when something could not be read', () => {
    const differing = runVerifyStep([1, 1, 1, 1, 0]);
    expect(differing.status).toBe(1);
    expect(differing.calls).toHaveLength(Number(job.env.VERIFY_ATTEMPTS));
    const unreadable = runVerifyStep([2, 0]);
    expect(unreadable.status).toBe(2);
    expect(unreadable.calls).toHaveLength(1);
    expect(unreadable.slept).toEqual([]);
  });
});

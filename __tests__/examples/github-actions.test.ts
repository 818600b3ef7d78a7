import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { planStacks } from '../../lib/plan';
import { deployRollout, destroyRollout } from '../../cli/rollout/rollout';
import { REPO_ROOT, testConfig } from '../helpers/synth';

// js-yaml 3 ships no types; only `safeLoad` is used.
const yaml: { safeLoad(text: string): unknown } = require('js-yaml');

const FOLDER = path.join(REPO_ROOT, 'examples/github-actions');
type Workflow = { env?: Record<string, string>; on: any; jobs: Record<string, any> };
const workflow = (file: string) => yaml.safeLoad(readFileSync(path.join(FOLDER, file), 'utf8')) as Workflow;

/** Runs one `run:` script of a workflow as GitHub does (bash --noprofile --norc -eo pipefail), with a fake npx on PATH. */
function runScript(script: string, env: Record<string, string>, cwd: string) {
  const bin = path.join(cwd, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, 'npx'), '#!/bin/sh\nprintf "%s\\n" "$@" > "$NPX_ARGS"\n');
  chmodSync(path.join(bin, 'npx'), 0o755);
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: 'utf8' });
}

describe('GitHub Actions example', () => {
  const main = workflow('guardduty.yml');
  const step = workflow('guardduty-step.yml');
  const retire = workflow('guardduty-retire.yml');

  it('is an example only: this repository runs no GitHub workflow of it', () => {
    expect(existsSync(path.join(REPO_ROOT, '.github/workflows/guardduty.yml'))).toBe(false);
  });

  it('checks, type-checks, tests and synthesizes before anything is planned', () => {
    const runs: string[] = main.jobs.build.steps.map((s: { run?: string }) => s.run ?? '');
    const order = ['npm ci', 'npm run typecheck', 'npx jest --ci', 'npm run synth'].map((command) => runs.findIndex((run) => run.startsWith(command)));
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
    const scripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    for (const name of ['typecheck', 'synth', 'rollout']) expect(scripts[name]).toBeDefined();
  });

  it('has a deploy job for every step, each after the one before, up to MAX_STEPS', () => {
    for (const [flow, direction] of [[main, 'deploy'], [retire, 'destroy']] as const) {
      const max = Number(flow.env?.MAX_STEPS);
      const steps = Object.keys(flow.jobs).filter((name) => /^step-\d+$/.test(name));
      expect(steps).toHaveLength(max);
      steps.forEach((name, index) => {
        const job = flow.jobs[name];
        expect(job.uses).toBe('./.github/workflows/guardduty-step.yml');
        expect(job.with).toEqual(direction === 'deploy' ? { step: index + 1 } : { step: index + 1, direction });
        expect(job.if).toContain(`needs.build.outputs.steps >= ${index + 1}`);
        expect(job.needs).toEqual(index === 0 ? 'build' : ['build', `step-${index}`]);
      });
    }
    // The shipped configuration fits.
    const config = testConfig();
    expect(deployRollout(config, planStacks(config)).steps.length).toBeLessThanOrEqual(Number(main.env?.MAX_STEPS));
  });

  it('plans each stack, waits for approval in an environment, then deploys', () => {
    expect(Object.keys(step.on.workflow_call.inputs)).toEqual(['step', 'direction', 'environment']);
    expect(step.jobs.plan.needs).toBe('stacks');
    expect(step.jobs.plan.strategy.matrix.stack).toBe('${{ fromJSON(needs.stacks.outputs.stacks) }}');
    const plan = step.jobs.plan.steps.find((s: { name?: string }) => s.name === 'terraform plan').run as string;
    expect(plan).toContain('-out=plan.tfplan');
    expect(plan).toContain('terraform show -json plan.tfplan > plan.json');
    const upload = step.jobs.plan.steps.find((s: { uses?: string }) => s.uses === 'actions/upload-artifact@v4');
    expect(upload.with.path).toContain('plan.txt');
    expect(step.jobs.apply.needs).toEqual(['stacks', 'plan']);
    expect(step.jobs.apply.environment).toBe('${{ inputs.environment }}');
  });

  it('reads the stacks of a step and runs exactly the step command of the rollout plan', () => {
    const config = testConfig();
    const plan = planStacks(config);
    for (const [direction, rollout] of [
      ['rollout', deployRollout(config, plan, {}, { parallelism: 4, skipSynth: true })],
      ['retirement', destroyRollout(config, plan, {}, { parallelism: 4, skipSynth: true })],
    ] as const) {
      const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
      mkdirSync(path.join(dir, 'cdktf.out'));
      writeFileSync(path.join(dir, `cdktf.out/${direction}.json`), JSON.stringify(rollout));
      const readStacks = step.jobs.stacks.steps.find((s: { id?: string }) => s.id === 'read').run as string;
      const apply = step.jobs.apply.steps.at(-1).run as string;
      for (const current of rollout.steps) {
        const env = { STEP: String(current.step), PLAN_FILE: `cdktf.out/${direction}.json`, GITHUB_OUTPUT: path.join(dir, 'output'), NPX_ARGS: path.join(dir, 'npx-args') };
        writeFileSync(env.GITHUB_OUTPUT, '');
        const read = runScript(readStacks, env, dir);
        expect(read.stderr).toBe('');
        expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe(`stacks=${JSON.stringify(current.stacks.map((stack) => stack.id))}\n`);
        const run = runScript(apply, env, dir);
        expect(run.status).toBe(0);
        expect(readFileSync(env.NPX_ARGS, 'utf8').trim().split('\n')).toEqual(current.commands[0].argv.slice(1));
      }
    }
  });

  it('asks for the deployment name before retiring it', () => {
    expect(retire.on.workflow_dispatch.inputs.confirm.required).toBe(true);
    const check = retire.jobs.build.steps.find((s: { name?: string }) => s.name === 'Check the confirmation').run as string;
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
    writeFileSync(path.join(dir, 'org.json'), JSON.stringify({ name: 'acme' }));
    const withInput = (value: string) => check.replace('${{ inputs.confirm }}', value);
    expect(runScript(withInput('acme'), { ORG_CONFIG: 'org.json' }, dir).status).toBe(0);
    expect(runScript(withInput('other'), { ORG_CONFIG: 'org.json' }, dir).status).not.toBe(0);
  });
});

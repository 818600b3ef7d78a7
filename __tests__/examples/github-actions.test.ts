import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { planStacks } from '../../lib/plan/stacks';
import { readSynthesized } from '../../cli/common/synthesized';
import { deployRollout, destroyRollout, type Rollout } from '../../cli/rollout/rollout';
import { sinceRollout } from '../../cli/rollout/since';
import { buildApp } from '../../stacks/app';
import { exampleData, REPO_ROOT, testConfig } from '../helpers/synth';

// js-yaml 3 ships no types; only `safeLoad` is used.
const yaml: { safeLoad(text: string): unknown } = require('js-yaml');

const FOLDER = path.join(REPO_ROOT, 'examples/github-actions');
type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; env?: Record<string, string>; with?: Record<string, any> };
type Job = { if?: string; needs?: string | string[]; uses?: string; with?: Record<string, any>; environment?: string; permissions?: Record<string, string>; env?: Record<string, string>; steps?: Step[]; strategy?: any };
type Workflow = { env?: Record<string, string>; on: any; permissions?: Record<string, string>; concurrency?: { group: string; 'cancel-in-progress': string | boolean }; jobs: Record<string, Job> };
const workflow = (file: string) => yaml.safeLoad(readFileSync(path.join(FOLDER, file), 'utf8')) as Workflow;
const FILES = ['guardduty.yml', 'guardduty-step.yml', 'guardduty-retire.yml'];

/** Runs one `run:` script as GitHub does (bash --noprofile --norc -eo pipefail), with fake commands on PATH. */
function runScript(script: string, env: Record<string, string>, cwd: string, fakes: Record<string, string> = {}) {
  const bin = path.join(cwd, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, body] of Object.entries(fakes)) {
    writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  }
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, ...env }, encoding: 'utf8' });
}

/** A fake terraform that logs each call's arguments, one call per line, and writes the files the scripts read back. */
const FAKE_TERRAFORM = `printf '%s\\n' "$*" >> "$TERRAFORM_LOG"
for arg in "$@"; do case "$arg" in -chdir=*) dir="\${arg#-chdir=}" ;; esac; done
case " $* " in
  *" show -no-color "*) echo "Plan: 0 to add, 0 to change, 1 to destroy." ;;
  *" show -json "*) echo '{}' ;;
  *" init "*) mkdir -p "$dir" && touch "$dir/.terraform.lock.hcl" ;;
  *" plan "*) touch "$dir/plan.tfplan" ;;
esac`;

const stepsOf = (job: Job) => job.steps ?? [];
const allJobs = () => FILES.flatMap((file) => Object.entries(workflow(file).jobs).map(([name, job]) => ({ file, name, job })));

describe('GitHub Actions example', () => {
  const main = workflow('guardduty.yml');
  const step = workflow('guardduty-step.yml');
  const retire = workflow('guardduty-retire.yml');

  it('is an example only: this repository runs no GitHub workflow of it', () => {
    expect(existsSync(path.join(REPO_ROOT, '.github/workflows/guardduty.yml'))).toBe(false);
  });

  it('checks, type-checks, tests, validates and synthesizes before anything is planned', () => {
    const runs: string[] = stepsOf(main.jobs.build).map((s) => s.run ?? '');
    const order = ['npm ci', 'npm run typecheck', 'npx jest --ci', 'npm run validate', 'npm run synth'].map((command) => runs.findIndex((run) => run === command));
    expect(order.every((index, i) => index >= 0 && (i === 0 || index > order[i - 1]))).toBe(true);
    const scripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    for (const name of ['typecheck', 'synth', 'validate', 'rollout']) expect(scripts[name]).toBeDefined();
  });

  it('expands no ${{ }} expression inside a run: script; values reach scripts through env', () => {
    for (const { file, name, job } of allJobs()) {
      for (const s of stepsOf(job)) if (s.run) expect(`${file} ${name}: ${s.run.includes('${{') ? s.run : 'no expression'}`).toBe(`${file} ${name}: no expression`);
    }
  });

  it('grants no write by default: id-token only to jobs that assume a role, contents: write only to the tag jobs', () => {
    for (const file of FILES) expect(workflow(file).permissions).toEqual({ contents: 'read' });
    for (const { file, name, job } of allJobs()) {
      const assumes = stepsOf(job).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials'));
      const callsStep = job.uses === './.github/workflows/guardduty-step.yml';
      const expected = assumes || callsStep ? { contents: 'read', 'id-token': 'write' } : ['deployed', 'retired'].includes(name) ? { contents: 'write' } : undefined;
      expect(`${file} ${name}: ${JSON.stringify(job.permissions)}`).toBe(`${file} ${name}: ${JSON.stringify(expected)}`);
    }
  });

  it('plans pull requests with the read-only role only, and deploys with the deploy role only in the protected environment', () => {
    for (const { file, name, job } of allJobs()) {
      const roles = stepsOf(job).filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials')).map((s) => s.with?.['role-to-assume']);
      for (const role of roles) {
        if (role === '${{ vars.GUARDDUTY_PLAN_ROLE_ARN }}') {
          expect(`${file} ${name}`).toBe('guardduty.yml plan');
          expect(job.if).toBe("github.event_name == 'pull_request'");
          // The environment the plan role trusts; reviewers on it are optional (README.md).
          expect(job.environment).toBe('guardduty-pull-request');
        } else {
          expect(`${file} ${name} ${role}`).toMatch(/^guardduty-step\.yml (plan|apply|verify) \$\{\{ vars\.GUARDDUTY_DEPLOY_ROLE_ARN \}\}$/);
          expect(job.environment).toBe('guardduty-production');
        }
      }
    }
    const plan = stepsOf(main.jobs.plan).find((s) => s.name === 'terraform plan')?.run as string;
    expect(plan).toContain('plan -input=false -lock=false -out=plan.tfplan');
    // Approval holds no credentials and sits between the plan and the apply.
    expect(step.jobs.approve).toMatchObject({ needs: 'plan', environment: 'guardduty-approval' });
    expect(step.jobs.approve.permissions).toBeUndefined();
    expect(stepsOf(step.jobs.approve).every((s) => !s.uses)).toBe(true);
    expect(step.jobs.apply.needs).toEqual(['stacks', 'approve']);
  });

  it('synthesizes pull requests with the read-only role in every account, next to the configuration', () => {
    const script = stepsOf(main.jobs.build).find((s) => s.name === 'Read-only synth for pull-request plans') as Step;
    expect(script.env).toEqual({ READ_ONLY_ROLE_NAME: "${{ vars.GUARDDUTY_READ_ONLY_ROLE_NAME || 'GuardDutyReadOnly' }}" });
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
    mkdirSync(path.join(dir, 'config'));
    mkdirSync(path.join(dir, 'cdktf.out'));
    writeFileSync(path.join(dir, 'config/org.json'), JSON.stringify(exampleData()));
    const fakeNpm = `printf '%s %s\\n' "$ORG_CONFIG" "$*" >> "$NPM_LOG"; case "$*" in *rollout*) echo '{"steps":[{"stacks":[{"id":"admin"},{"id":"organization"}]}]}' ;; esac`;
    const env = { ORG_CONFIG: 'config/org.json', READ_ONLY_ROLE_NAME: 'GuardDutyReadOnly', GITHUB_OUTPUT: path.join(dir, 'output'), NPM_LOG: path.join(dir, 'npm.log') };
    const run = runScript(script.run as string, env, dir, { npm: fakeNpm });
    expect(run.stderr).toBe('');
    const variant = JSON.parse(readFileSync(path.join(dir, 'config/.pull-request-plan.json'), 'utf8'));
    expect(variant).toEqual({ ...exampleData(), roleName: 'GuardDutyReadOnly', managementRoleName: 'GuardDutyReadOnly' });
    expect(readFileSync(env.NPM_LOG, 'utf8')).toBe('config/.pull-request-plan.json run synth\nconfig/.pull-request-plan.json run --silent rollout -- plan --json\n');
    expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe('stacks=["admin","organization"]\n');
  });

  it('keeps pull requests and deploys in separate concurrency groups; deploys and retirements never overlap nor cancel', () => {
    expect(main.concurrency).toEqual({
      group: "${{ github.event_name == 'pull_request' && format('guardduty-plan-{0}', github.event.pull_request.number) || 'guardduty-deploy' }}",
      'cancel-in-progress': "${{ github.event_name == 'pull_request' }}",
    });
    expect(retire.concurrency).toEqual({ group: 'guardduty-deploy', 'cancel-in-progress': false });
  });

  it('has a job for every step, each after the one before, up to MAX_STEPS, and the shipped configuration fits', () => {
    for (const [flow, direction] of [[main, 'deploy'], [retire, 'destroy']] as const) {
      const max = Number(flow.env?.MAX_STEPS);
      const steps = Object.keys(flow.jobs).filter((name) => /^step-\d+$/.test(name));
      expect(steps).toHaveLength(max);
      steps.forEach((name, index) => {
        const job = flow.jobs[name];
        expect(job.uses).toBe('./.github/workflows/guardduty-step.yml');
        const key = { 'providers-key': '${{ needs.build.outputs.providers-key }}', config: '${{ needs.build.outputs.config }}' };
        expect(job.with).toEqual(direction === 'deploy' ? { step: index + 1, ...key } : { step: index + 1, direction, ...key });
        expect(job.if).toContain(`needs.build.outputs.steps >= ${index + 1}`);
        expect(job.needs).toEqual(index === 0 ? 'build' : ['build', `step-${index}`]);
      });
    }
    const config = testConfig();
    expect(deployRollout(config, planStacks(config)).steps.length).toBeLessThanOrEqual(Number(main.env?.MAX_STEPS));
    expect(destroyRollout(config, planStacks(config)).steps.length).toBeLessThanOrEqual(Number(retire.env?.MAX_STEPS));
  });

  it('orders removals against the last complete rollout, and tags what it deployed', () => {
    const rollout = stepsOf(main.jobs.build).find((s) => s.id === 'rollout')?.run as string;
    expect(rollout).toContain('if git rev-parse --quiet --verify "refs/tags/$DEPLOYED_TAG" >/dev/null; then since=(--since "$DEPLOYED_TAG"); fi');
    expect(rollout).toContain('npm run --silent rollout -- plan --json "${since[@]}" > cdktf.out/rollout.json');
    expect(stepsOf(main.jobs.build)[0].with).toEqual({ 'fetch-depth': 0 });
    const tag = main.jobs.deployed;
    expect(tag.needs).toEqual(['build', ...Object.keys(main.jobs).filter((name) => /^step-\d+$/.test(name))]);
    expect(tag.if).toContain("!contains(needs.*.result, 'failure')");
    expect(stepsOf(tag).at(-1)?.run).toBe('git tag --force "$DEPLOYED_TAG" "$GITHUB_SHA"\ngit push --force origin "refs/tags/$DEPLOYED_TAG"\n');
  });

  it('fetches the provider once into a mirror that every Terraform job installs from, and nothing else', () => {
    for (const { file, name, job } of allJobs()) {
      const steps = stepsOf(job);
      const terraform = steps.findIndex((s) => s.uses?.startsWith('hashicorp/setup-terraform'));
      if (terraform < 0) continue;
      if (name === 'build') {
        const fill = steps.find((s) => s.name === 'Fill the provider mirror');
        expect(`${file}: ${fill?.run}`).toBe(`${file}: terraform -chdir=cdktf.out/stacks/admin providers mirror "$HOME/.terraform-providers"`);
        continue;
      }
      const restore = steps.findIndex((s) => s.uses === 'actions/cache/restore@v4');
      const mirror = steps.findIndex((s) => s.name === 'Terraform reads providers from the mirror only');
      expect(`${file} ${name}: ${restore >= 0 && mirror > restore && JSON.stringify(steps[restore].with)}`).toBe(
        `${file} ${name}: ${JSON.stringify({ path: '~/.terraform-providers', key: file === 'guardduty.yml' ? '${{ needs.build.outputs.providers-key }}' : '${{ inputs.providers-key }}', 'fail-on-cache-miss': true })}`,
      );
    }
  });

  it('mirrors one stack for all: every stack requires the same providers', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-gha-synth-'));
    const config = testConfig({ securityHub: { enabled: true }, detective: { enabled: true } });
    buildApp(config, { outdir }).synth();
    const providers = [...readSynthesized(outdir).stacks.values()].map((stack) => JSON.stringify(stack.terraform.required_providers));
    expect(providers.length).toBeGreaterThan(8);
    expect(new Set(providers).size).toBe(1);
  });

  (spawnSync('terraform', ['version']).status === 0 ? it : it.skip)('writes a CLI configuration with which terraform installs from the mirror only', () => {
    const script = stepsOf(step.jobs.plan).find((s) => s.name === 'Terraform reads providers from the mirror only')?.run as string;
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-mirror-'));
    const home = path.join(dir, 'home');
    // A provider package in the unpacked mirror layout; terraform init only copies it.
    const packageDir = path.join(home, '.terraform-providers/example.com/test/mirrored/1.0.0/linux_amd64');
    mkdirSync(packageDir, { recursive: true });
    writeFileSync(path.join(packageDir, 'terraform-provider-mirrored_v1.0.0'), '#!/bin/sh\n');
    chmodSync(path.join(packageDir, 'terraform-provider-mirrored_v1.0.0'), 0o755);
    const env = { HOME: home, RUNNER_TEMP: dir, GITHUB_ENV: path.join(dir, 'github-env') };
    expect(runScript(script, env, dir).status).toBe(0);
    const cliConfig = readFileSync(env.GITHUB_ENV, 'utf8').trim().split('=')[1];
    const init = (provider: string) => {
      const work = mkdtempSync(path.join(dir, 'stack-'));
      writeFileSync(path.join(work, 'main.tf.json'), JSON.stringify({ terraform: { required_providers: { p: { source: provider, version: '1.0.0' } } } }));
      return spawnSync('terraform', ['init', '-input=false', '-no-color'], { cwd: work, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: '1' } });
    };
    expect(init('example.com/test/mirrored').status).toBe(0);
    const missing = init('example.com/test/absent');
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toContain('example.com/test/absent');
  });

  describe('one step', () => {
    let rollout: Rollout;
    beforeAll(() => {
      // A region removed and an account added: a whole-stack removal step, a split (-target) step, deploy steps.
      const before = testConfig();
      const after = testConfig({ regions: ['us-west-2', 'us-east-1'], members: [...exampleData().members, { id: '666666666601', email: 'new@example.com', wave: 1 }] });
      const synth = (config: typeof before) => {
        const outdir = mkdtempSync(path.join(tmpdir(), 'gd-gha-step-'));
        buildApp(config, { outdir }).synth();
        return readSynthesized(outdir);
      };
      rollout = sinceRollout(after, planStacks(after), { app: synth(after), outputDir: 'cdktf.out' }, { label: 'tag', app: synth(before), outputDir: 'cdktf.out/previous' });
    });

    it('plans each stack of the step in its folder, with the step\'s plan arguments', () => {
      const readStacks = stepsOf(step.jobs.stacks).find((s) => s.id === 'read')?.run as string;
      const plan = stepsOf(step.jobs.plan).find((s) => s.name === 'terraform plan')?.run as string;
      expect(step.jobs.plan.env).toEqual({ STACK: '${{ matrix.stack }}' });
      for (const current of rollout.steps) {
        const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
        mkdirSync(path.join(dir, 'cdktf.out'));
        writeFileSync(path.join(dir, 'cdktf.out/rollout.json'), JSON.stringify(rollout));
        const env = { STEP: String(current.step), PLAN_FILE: 'cdktf.out/rollout.json', GITHUB_OUTPUT: path.join(dir, 'output'), GITHUB_STEP_SUMMARY: path.join(dir, 'summary'), TERRAFORM_LOG: path.join(dir, 'terraform.log') };
        const read = runScript(readStacks, env, dir);
        expect(read.stderr).toBe('');
        expect(readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe(`stacks=${JSON.stringify(current.stacks.map((stack) => stack.id))}\n`);
        for (const stack of current.stacks) {
          writeFileSync(env.TERRAFORM_LOG, '');
          const run = runScript(plan, { ...env, STACK: stack.id }, dir, { terraform: FAKE_TERRAFORM });
          expect(run.stderr).toBe('');
          expect(readFileSync(env.TERRAFORM_LOG, 'utf8').trim().split('\n')).toEqual([
            `-chdir=${stack.directory} init -input=false`,
            [`-chdir=${stack.directory} plan -input=false -out=plan.tfplan`, ...stack.planArguments].join(' '),
            `-chdir=${stack.directory} show -no-color plan.tfplan`,
          ]);
          for (const file of ['plan.tfplan', 'plan.txt', '.terraform.lock.hcl']) expect(existsSync(path.join(dir, 'saved', file))).toBe(true);
          // No plan JSON: it spells out the sensitive values the text plan hides.
          expect(existsSync(path.join(dir, 'saved', 'plan.json'))).toBe(false);
        }
      }
      const split = rollout.steps.flatMap((s) => s.stacks).filter((stack) => stack.planArguments.some((argument) => argument.startsWith('-target=')));
      // The wave's memberships, and its members' plans beside them.
      expect(split.map((stack) => stack.id).sort()).toEqual(['member-plans-wave-1', 'members-wave-1']);
      expect(rollout.steps.flatMap((s) => s.stacks).filter((stack) => stack.planArguments.includes('-destroy'))).toEqual([]);
    });

    it('applies exactly the plan files of the step that were reviewed, stack by stack', () => {
      const upload = stepsOf(step.jobs.plan).find((s) => s.uses === 'actions/upload-artifact@v4') as Step;
      expect(upload.with).toEqual({ name: '${{ inputs.direction }}-step-${{ inputs.step }}-${{ matrix.stack }}', path: 'saved', 'include-hidden-files': true, 'retention-days': 1 });
      const download = stepsOf(step.jobs.apply).find((s) => s.with?.pattern) as Step;
      expect(download.with).toEqual({ pattern: '${{ inputs.direction }}-step-${{ inputs.step }}-*', path: 'plans' });
      const apply = stepsOf(step.jobs.apply).at(-1)?.run as string;
      expect(apply).not.toContain('cdktf');
      for (const current of rollout.steps) {
        const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
        mkdirSync(path.join(dir, 'cdktf.out'));
        writeFileSync(path.join(dir, 'cdktf.out/rollout.json'), JSON.stringify(rollout));
        for (const stack of current.stacks) {
          mkdirSync(path.join(dir, `plans/deploy-step-${current.step}-${stack.id}`), { recursive: true });
          writeFileSync(path.join(dir, `plans/deploy-step-${current.step}-${stack.id}/.terraform.lock.hcl`), '');
          mkdirSync(path.join(dir, stack.directory), { recursive: true });
        }
        const env = { STEP: String(current.step), DIRECTION: 'deploy', PLAN_FILE: 'cdktf.out/rollout.json', TERRAFORM_LOG: path.join(dir, 'terraform.log') };
        writeFileSync(env.TERRAFORM_LOG, '');
        const run = runScript(apply, env, dir, { terraform: FAKE_TERRAFORM });
        expect(run.stderr).toBe('');
        expect(readFileSync(env.TERRAFORM_LOG, 'utf8').trim().split('\n')).toEqual(
          current.stacks.flatMap((stack) => [
            `-chdir=${stack.directory} init -input=false`,
            `-chdir=${stack.directory} apply -input=false ${dir}/plans/deploy-step-${current.step}-${stack.id}/plan.tfplan`,
          ]),
        );
      }
    });
  });

  it('asks for the deployment name before retiring it, through env', () => {
    expect(retire.on.workflow_dispatch.inputs.confirm.required).toBe(true);
    const check = stepsOf(retire.jobs.build).find((s) => s.name === 'Check the confirmation') as Step;
    expect(check.env).toEqual({ CONFIRM: '${{ inputs.confirm }}' });
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-gha-'));
    writeFileSync(path.join(dir, 'org.json'), JSON.stringify({ name: 'acme' }));
    expect(runScript(check.run as string, { ORG_CONFIG: 'org.json', CONFIRM: 'acme' }, dir).status).toBe(0);
    expect(runScript(check.run as string, { ORG_CONFIG: 'org.json', CONFIRM: 'other' }, dir).status).not.toBe(0);
    expect(runScript(check.run as string, { ORG_CONFIG: 'org.json', CONFIRM: '$(touch pwned) acme' }, dir).status).not.toBe(0);
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
  });
  it('passes the configuration to every job that runs a project command, and to every called workflow', () => {
    // A project command reads ORG_CONFIG (config/org.json, the demo, without it).
    const projectCommand = /\b(npm (ci|run|test)|npx (jest|tsx|cdktf))\b/;
    for (const file of FILES) {
      const flow = workflow(file);
      for (const [name, job] of Object.entries(flow.jobs)) {
        if (job.uses) {
          expect(`${file} ${name}: ${job.with?.config}`).toBe(`${file} ${name}: \${{ needs.build.outputs.config }}`);
          continue;
        }
        if (!stepsOf(job).some((s) => projectCommand.test(s.run ?? ''))) continue;
        const config = job.env?.ORG_CONFIG ?? flow.env?.ORG_CONFIG;
        expect(`${file} ${name}: ${config ?? 'no ORG_CONFIG'}`).toMatch(new RegExp(`^${file} ${name}: (config/org\\.json|\\$\\{\\{ inputs\\.config \\}\\})$`));
      }
    }
    // The called workflow takes the file as an input, from the build job that synthesized it.
    expect(step.on.workflow_call.inputs.config).toMatchObject({ type: 'string', required: true });
    expect(step.env?.ORG_CONFIG).toBe('${{ inputs.config }}');
    for (const flow of [main, retire]) expect((flow.jobs.build as Job & { outputs: Record<string, string> }).outputs.config).toBe('${{ env.ORG_CONFIG }}');
    expect(stepsOf(step.jobs.verify).some((s) => s.run?.includes('npm run --silent verify'))).toBe(true);
  });

  it('uploads no state and no plan JSON anywhere: a text plan for review, and the plan file the apply applies', () => {
    for (const file of FILES) {
      const text = readFileSync(path.join(FOLDER, file), 'utf8');
      expect(`${file}: ${/show -json|[^-]plan\.json|state (list|pull|show)|\.tfstate/.test(text)}`).toBe(`${file}: false`);
    }
    const upload = stepsOf(main.jobs.plan).find((s) => s.uses === 'actions/upload-artifact@v4') as Step;
    expect(upload.with).toEqual({ name: 'plan-${{ matrix.stack }}', path: 'review', 'retention-days': 7 });
    const plan = stepsOf(main.jobs.plan).find((s) => s.name === 'terraform plan')?.run as string;
    expect(plan).toContain('mkdir -p review && cp "$dir/plan.txt" review/');
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runRollout } from '../../../cli/rollout/main';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';

function run(argv: string[], config: unknown = exampleData()) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-rollout-cli-'));
  const file = writeExample(dir, config);
  const out: string[] = [];
  const err: string[] = [];
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    const code = runRollout(argv, { env: { ORG_CONFIG: file }, out: (text) => out.push(text), err: (text) => err.push(text) });
    return { code, out: out.join('\n'), err: err.join('\n'), file };
  } finally {
    process.chdir(cwd);
  }
}

describe('npm run rollout', () => {
  it('prints the deploy steps as JSON for pipelines, with counts and commands', () => {
    const result = run(['plan', '--json', '--parallelism', '2']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rollout = JSON.parse(result.out);
    expect(rollout).toMatchObject({ name: 'acme', mode: 'organizations', direction: 'deploy' });
    expect(rollout.steps[0].stacks[0]).toMatchObject({ id: 'admin', kind: 'admin', resources: expect.any(Number) });
    expect(rollout.steps[0].stacks[0].state).toEqual({ type: 'local', location: 'terraform-state/admin.tfstate' });
    expect(rollout.steps[0].command).toMatch(/^cdktf deploy admin( [a-z0-9-]+)* --auto-approve --parallelism 2$/);
  });

  it('names the HCP Terraform workspace of every stack, for setting the workspaces up', () => {
    const data = exampleData();
    data.backend = { type: 'cloud', organization: 'acme-sec', workspacePrefix: 'gd-' };
    const rollout = JSON.parse(run(['plan', '--json'], data).out);
    const stacks = rollout.steps.flatMap((step: { stacks: unknown[] }) => step.stacks);
    expect(stacks.length).toBeGreaterThan(3);
    for (const stack of stacks) {
      expect(stack.state).toEqual({ type: 'cloud', location: `app.terraform.io / acme-sec / workspace gd-${stack.id}`, workspace: `gd-${stack.id}` });
    }
  });

  it('prints the retirement steps in words', () => {
    const result = run(['destroy-plan']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Destroy order for acme \(organizations mode\): \d+ stacks in \d+ steps\n/);
    expect(result.out.indexOf('$ cdktf destroy members-wave-1')).toBeLessThan(result.out.indexOf('$ cdktf destroy organization'));
    expect(result.out.indexOf('$ cdktf destroy organization')).toBeLessThan(result.out.indexOf('$ cdktf destroy admin'));
  });

  it('reports every configuration problem and exits 1', () => {
    const data = exampleData();
    data.regions = ['us-west-2', 'mars-1'];
    const result = run(['plan'], data);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`${result.file}: regions[1]: unknown region "mars-1"`);
    expect(result.out).toBe('');
  });

  it('explains its usage on a wrong command or option, and exits 2', () => {
    expect(run(['deploy']).err).toMatch(/^unknown command "deploy"\n\nusage: npm run rollout -- <plan\|destroy-plan>/);
    expect(run(['plan', '--parallelism', 'x'])).toMatchObject({ code: 2, err: expect.stringContaining('--parallelism needs a positive whole number; got "x"') });
    expect(run(['plan', '--yes'])).toMatchObject({ code: 2, err: expect.stringContaining('unknown option "--yes"') });
  });
});

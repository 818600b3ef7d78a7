import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { removeSynthOutput, synthOutdir } from '../lib/terraform/synth-output';
import { runApp } from './helpers/run-app';
import { exampleData, REPO_ROOT, writeExample } from './helpers/synth';

describe('main', () => {
  it('exits non-zero on bad input, lists every problem, and writes nothing', () => {
    const data = exampleData();
    data.accounts.admin = data.accounts.management;
    data.regions = ['us-west-2', 'us-east-1', 'eu-wset-1'];
    const run = runApp(data);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('2 problems in the configuration:');
    expect(run.stderr).toContain(`${run.configFile}: accounts.admin: must not be the management account (111111111111)`);
    expect(run.stderr).toContain(`${run.configFile}: regions[2]: unknown region "eu-wset-1"; did you mean "eu-west-1"?`);
    expect(existsSync(run.outdir)).toBe(false);
  });

  it('synthesizes every planned stack for the shipped example', () => {
    const run = runApp(exampleData());
    expect(run.stderr).toBe(`configuration: ${run.configFile} (from ORG_CONFIG)\n`);
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(run.outdir, 'stacks')).sort()).toEqual(
      expect.arrayContaining(['admin', 'members-wave-1', 'members-wave-2', 'organization']),
    );
  });

  it('leaves nothing deployable of an earlier synth when a later one fails, and keeps Terraform\'s own files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-main-stale-'));
    const good = runApp(exampleData(), dir);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain(`stacks synthesized into ${good.outdir}; what each does: ${good.outdir}/review.md`);
    mkdirSync(path.join(good.outdir, 'stacks/admin/.terraform'));
    writeFileSync(path.join(good.outdir, 'stacks/admin/.terraform/providers.txt'), 'kept');

    const data = exampleData();
    data.regions = ['us-west-2', 'us-east-1', 'eu-wset-1'];
    const bad = runApp(data, dir);
    expect(bad.status).toBe(1);
    expect(existsSync(path.join(bad.outdir, 'manifest.json'))).toBe(false);
    expect(existsSync(path.join(bad.outdir, 'review.md'))).toBe(false);
    expect(readdirSync(path.join(bad.outdir, 'stacks'))).toEqual(['admin']);
    expect(readdirSync(path.join(bad.outdir, 'stacks/admin'))).toEqual(['.terraform']);
    expect(existsSync(path.join(bad.outdir, 'stacks/admin/.terraform/providers.txt'))).toBe(true);
  });

  it('npm run synth names its configuration and prints a configuration error once, and nothing else', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-main-npm-'));
    const data = exampleData();
    data.regions = ['us-west-2', 'us-east-1', 'eu-wset-1'];
    const configFile = writeExample(dir, data);
    const run = spawnSync('npm', ['run', '--silent', 'synth'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ORG_CONFIG: configFile, CDKTF_OUTDIR: path.join(dir, 'cdktf.out') },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`configuration: ${configFile} (from ORG_CONFIG)\n1 problem in the configuration:\n  - ${configFile}: regions[2]: unknown region "eu-wset-1"; did you mean "eu-west-1"?\n`);
  });
});

describe('removeSynthOutput', () => {
  it('removes only what a synth writes, whatever folder it is given', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-out-'));
    for (const file of ['manifest.json', 'review.md', 'rollout.json', 'stacks/admin/cdk.tf.json', 'stacks/admin/assets/fn/archive.zip', 'stacks/admin/plan.txt', 'stacks/old/cdk.tf.json']) {
      mkdirSync(path.dirname(path.join(outdir, file)), { recursive: true });
      writeFileSync(path.join(outdir, file), 'x');
    }
    removeSynthOutput(outdir);
    expect(readdirSync(outdir)).toEqual(['rollout.json', 'stacks']);
    expect(readdirSync(path.join(outdir, 'stacks'))).toEqual(['admin']);
    expect(readdirSync(path.join(outdir, 'stacks/admin'))).toEqual(['plan.txt']);
    expect(() => removeSynthOutput(path.join(outdir, 'missing'))).not.toThrow();
  });

  it('uses the folder cdktf writes to', () => {
    expect(synthOutdir({})).toBe('cdktf.out');
    expect(synthOutdir({ CDKTF_OUTDIR: '/tmp/out' })).toBe('/tmp/out');
  });
});


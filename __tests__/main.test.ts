import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { runApp } from './helpers/run-app';
import { exampleData } from './helpers/synth';

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
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(run.outdir, 'stacks')).sort()).toEqual(
      expect.arrayContaining(['admin', 'members-wave-1', 'members-wave-2', 'organization']),
    );
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BENCH_ACCOUNTS, benchConfigFiles, memberIds, waveOf, writeBenchConfig } from '../../../cli/bench/config';
import { loadConfig } from '../../../lib/config/load';
import { STANDARD_REGIONS } from '../../../lib/aws/regions';
import { planStacks } from '../../../lib/plan/stacks';

describe('benchmark configurations', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'gd-bench-config-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it.each(['organizations', 'invitations'] as const)('writes files the real loader accepts, %s mode, every member enrolled explicitly', (mode) => {
    const file = writeBenchConfig({ mode, members: 120 }, folder);

    const config = loadConfig(file);

    expect(config.mode).toBe(mode);
    expect(config.regions).toEqual([...STANDARD_REGIONS]);
    expect(config.members).toHaveLength(120);
    expect(config.members.map((member) => member.id)).toContain(BENCH_ACCOUNTS.sandbox);
    const enrolled = planStacks(config)
      .stacks.filter((stack) => stack.kind === 'members')
      .flatMap((stack) => stack.members.map((member) => member.id));
    expect(enrolled.sort()).toEqual(config.members.map((member) => member.id).sort());
    if (mode === 'organizations') expect(config.autoEnable).toBe('NEW');
  });

  it('spreads members over the waves in listing order, as evenly as whole accounts allow', () => {
    const waves = Array.from({ length: 10 }, (_, index) => waveOf(index, 10, 3));
    expect(waves).toEqual([1, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(Array.from({ length: 2 }, (_, index) => waveOf(index, 2, 3))).toEqual([1, 2]);
  });

  it('lists the sandbox first and never reuses the management or admin account', () => {
    const ids = memberIds(1000);
    expect(ids[0]).toBe(BENCH_ACCOUNTS.sandbox);
    expect(new Set(ids).size).toBe(1000);
    expect(ids).not.toContain(BENCH_ACCOUNTS.admin);
    expect(ids).not.toContain(BENCH_ACCOUNTS.management);
    expect(ids.every((id) => /^\d{12}$/.test(id))).toBe(true);
  });

  it('names its member and list files by absolute path, so the app can run from the project root', () => {
    const files = benchConfigFiles({ mode: 'invitations', members: 3 }, '/tmp/somewhere');
    const org = JSON.parse(files['org.json']);
    expect(org.membersFile).toBe('/tmp/somewhere/accounts.csv');
    expect(org.threatLists[0].file).toBe('/tmp/somewhere/lists/threat-list.txt');
    expect(org.organizationId).toBeUndefined();
    expect(files['accounts.csv'].trim().split('\n')).toEqual([
      'AccountId,EmailAddress,Name,Wave',
      `${BENCH_ACCOUNTS.sandbox},aws-${BENCH_ACCOUNTS.sandbox}@example.com,account-0,1`,
      '200000000001,aws-200000000001@example.com,account-1,2',
      '200000000002,aws-200000000002@example.com,account-2,3',
    ]);
  });
});

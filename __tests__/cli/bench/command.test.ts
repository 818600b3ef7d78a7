import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { BENCH_COMMAND } from '../../../cli/bench/main';
import { usageText } from '../../../cli/common/command';
import { REPO_ROOT } from '../../helpers/synth';

// The bench itself takes minutes and is not run here: only its command line.
const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/bench/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('npm run bench, the command', () => {
  it('prints its usage (options and environment) on --help and -h, and exits 0 without measuring', () => {
    for (const help of ['--help', '-h']) expect(bench(help)).toMatchObject({ status: 0, stdout: `${usageText(BENCH_COMMAND)}\n`, stderr: '' });
    // Every part the bench can leave out is named in its usage.
    const parts = [...readFileSync(path.join(REPO_ROOT, 'cli/bench/main.ts'), 'utf8').matchAll(/skip\.has\('([a-z]+)'\)/g)].map((match) => match[1]);
    expect(parts).toContain('validate');
    const listed = /BENCH_SKIP=([a-z,]+) /.exec(usageText(BENCH_COMMAND))?.[1].split(',');
    expect(listed?.sort()).toEqual([...new Set(parts)].sort());
  });

  it('names an unknown option with the usage on stderr, and exits 2 without measuring', () => {
    expect(bench('--fast')).toMatchObject({ status: 2, stdout: '', stderr: `unknown option "--fast"\n\n${usageText(BENCH_COMMAND)}\n` });
  });
});

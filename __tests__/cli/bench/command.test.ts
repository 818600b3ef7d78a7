import { spawnSync } from 'node:child_process';
import { BENCH_COMMAND } from '../../../cli/bench/main';
import { usageText } from '../../../cli/common/command';
import { REPO_ROOT } from '../../helpers/synth';

// The bench itself takes minutes and is not run here: only its command line.
const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'cli/bench/main.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

describe('npm run bench, the command', () => {
  it('prints its usage (options and environment) on --help and -h, and exits 0 without measuring', () => {
    for (const help of ['--help', '-h']) expect(bench(help)).toMatchObject({ status: 0, stdout: `${usageText(BENCH_COMMAND)}\n`, stderr: '' });
    expect(usageText(BENCH_COMMAND)).toContain('BENCH_SKIP=usual,tsc,launchers,validate,lambda');
  });

  it('names an unknown option with the usage on stderr, and exits 2 without measuring', () => {
    expect(bench('--fast')).toMatchObject({ status: 2, stdout: '', stderr: `unknown option "--fast"\n\n${usageText(BENCH_COMMAND)}\n` });
  });
});

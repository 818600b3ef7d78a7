import { existsSync } from 'node:fs';
import { runMeasured, rssProbe } from '../../../cli/bench/measure';

describe('whole-process measurement', () => {
  const probes = existsSync('/usr/bin/time') ? (['gnu-time', 'proc-status'] as const) : (['proc-status'] as const);

  it.each(probes)('reports the exit code, the output and a peak memory that includes what the process touched (%s)', async (probe) => {
    // Held a moment, so polling /proc sees the peak before the process ends.
    const touch256MB = "const b = Buffer.alloc(256 * 1024 * 1024, 1); console.log(b[0]); process.exitCode = 3; setTimeout(() => {}, 300);";
    const run = await runMeasured(process.execPath, ['-e', touch256MB], { cwd: __dirname }, probe);
    expect(run.exitCode).toBe(3);
    expect(run.stdout.trim()).toBe('1');
    expect(run.peakRssBytes).toBeGreaterThan(256 * 1024 * 1024);
  });

  it('ends a run that outlives its time limit and says so', async () => {
    const run = await runMeasured(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { cwd: __dirname, timeoutMs: 300 }, rssProbe());
    expect(run.exitCode).toBe(124);
    expect(run.stderr).toMatch(/killed after/);
  });
});

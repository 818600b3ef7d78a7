/**
 * How long `verify` takes on a large organization: 1,000 member accounts in the 17 standard regions
 * (organizations mode, autoEnable NEW, every service on: the bench configuration of cli/bench), read
 * through real SDK clients mocked to answer like a conforming organization after 50-150 ms a call.
 * Prints the synth of the stacks (which verify does first), and per concurrency the wall time, the
 * calls made and the most calls in flight. A measurement, not a test: nothing is asserted.
 *
 *   npx tsx cli/verify/bench.ts [members] [concurrency,...]     (defaults: 1000 and 8,16,32)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { conforming, FakeOrganization } from './fake-organization';
import { loadConfig } from '../../lib/config/load';
import { planStacks } from '../../lib/plan/stacks';
import { writeBenchConfig } from '../bench/config';
import { synthesizeStacks, verify } from './verify';

async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 1000);
  const concurrencies = (process.argv[3] ?? '8,16,32').split(',').map(Number);
  const folder = mkdtempSync(path.join(tmpdir(), 'gd-verify-bench-'));
  try {
    const config = loadConfig(writeBenchConfig({ mode: 'organizations', members }, folder));
    const plan = planStacks(config);
    const started = performance.now();
    const synthesized = synthesizeStacks(config, plan, plan.stacks.map((stack) => stack.id));
    const synthSeconds = (performance.now() - started) / 1000;
    console.log(`${members} member accounts x ${config.regions.length} regions, ${plan.stacks.length} stacks; synth of the stacks: ${synthSeconds.toFixed(1)} s, RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
    console.log('| concurrency | wall time | AWS calls | most in flight | calls/s | rows | OK | FAIL | unreadable |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const concurrency of concurrencies) {
      // The same latencies for every run: a fixed-seed generator, 50-150 ms a call.
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const world = conforming(config, synthesized);
      const clients = new FakeOrganization(world, { latency: () => 50 + random() * 100 });
      const begin = performance.now();
      const report = await verify(config, plan.stacks, synthesized, clients, { concurrency });
      const seconds = (performance.now() - begin) / 1000;
      const { checks, ok, fail, unreadable } = report.summary;
      console.log(`| ${concurrency} | ${seconds.toFixed(1)} s | ${world.calls.length} | ${clients.maxInFlight} | ${(world.calls.length / seconds).toFixed(0)} | ${checks} | ${ok} | ${fail} | ${unreadable} |`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * How long `report` takes on a large organization: 1,000 member accounts (organizations mode, the
 * bench configuration of cli/bench) in the 17 standard regions, read through real SDK clients mocked
 * to answer after 50-150 ms a call: every account billed in every region for six features, one EKS
 * cluster of coverage per account and region. Prints per concurrency the wall time, the calls made
 * and the most calls in flight. A measurement, not a test: nothing is asserted.
 *
 *   npx tsx cli/report/bench.ts [members] [concurrency,...]     (defaults: 1000 and 8,16,32)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { writeBenchConfig } from '../bench/config';
import { collectReport } from './collect';
import { emptyAdministrator, fakeClients, member, usage } from './fake-usage';
import { summarizeReport } from './format';

async function main(): Promise<void> {
  const members = Number(process.argv[2] ?? 1000);
  const concurrencies = (process.argv[3] ?? '8,16,32').split(',').map(Number);
  const folder = mkdtempSync(path.join(tmpdir(), 'gd-report-bench-'));
  try {
    const config = loadConfig(writeBenchConfig({ mode: 'organizations', members }, folder));
    const admin = config.accounts.admin;
    const accounts = config.members.map((entry) => entry.id);
    console.log(`${accounts.length} member accounts x ${config.regions.length} regions`);
    console.log('| concurrency | wall time | AWS calls | of which GetUsageStatistics | most in flight | calls/s | cost rows |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const concurrency of concurrencies) {
      const world = emptyAdministrator();
      for (const region of config.regions) {
        const detector = `d${Buffer.from(region).toString('hex')}`.padEnd(32, '0').slice(0, 32);
        world.detectors.set(region, detector);
        world.members.set(region, accounts.map((id) => member(id, admin, detector)));
        for (const [index, id] of [admin, ...accounts].entries()) {
          world.usage.set(`${id}/${region}`, [
            usage('CLOUD_TRAIL', 1 + (index % 7)),
            usage('FLOW_LOGS', 2 + (index % 5)),
            usage('DNS_LOGS', 0.5),
            usage('S3_DATA_EVENTS', index % 3),
            usage('EKS_RUNTIME_MONITORING', index % 4),
            usage('LAMBDA_NETWORK_LOGS', 0.1),
          ]);
        }
        world.coverage.set(
          region,
          accounts.map((id, index) => ({ AccountId: id, CoverageStatus: index % 10 === 0 ? 'UNHEALTHY' : 'HEALTHY', ResourceDetails: { ResourceType: 'EKS', EksClusterDetails: { CompatibleNodes: 3, CoveredNodes: 3 } } })),
        );
      }
      // The same latencies for every run: a fixed-seed generator, 50-150 ms a call.
      let seed = 42;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const clients = fakeClients(world, { latency: () => 50 + random() * 100, usagePageSize: 50 });
      const begin = performance.now();
      const report = await collectReport(config, clients, { concurrency, alsoRegions: [] });
      summarizeReport(report);
      const seconds = (performance.now() - begin) / 1000;
      const usageCalls = world.calls.filter((call) => call.startsWith('GetUsageStatistics')).length;
      console.log(`| ${concurrency} | ${seconds.toFixed(1)} s | ${world.calls.length} | ${usageCalls} | ${clients.maxInFlight} | ${(world.calls.length / seconds).toFixed(0)} | ${report.costs.length} |`);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

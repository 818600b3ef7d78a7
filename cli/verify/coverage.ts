import { ListCoverageCommand } from '@aws-sdk/client-guardduty';
import type { OrgConfig } from '../../lib/config/load';
import { coverageRows } from '../report/collect';
import { allPages, GUARDDUTY_PAGE, type Task } from './context';
import { unreadable, type VerifyRow } from './report';

/**
 * Runtime Monitoring is on, but covers only where its agent runs: per account in a region, the share
 * of EKS clusters, ECS clusters and EC2 instances whose coverage is healthy (ListCoverage of the
 * administrator), a warning below `runtimeCoverage.warnBelowPercent`. Nothing the stacks deploy
 * decides it (agents are installed by GuardDuty or by the workload's owners), so it never fails verify.
 */
export function runtimeCoverageTask(config: OrgConfig, stack: string, region: string): Task {
  const admin = config.accounts.admin;
  const base = { check: 'runtime-coverage', stack, account: admin, region } as const;
  const threshold = config.runtimeCoverage.warnBelowPercent;
  const expected = `at least ${threshold}% healthy`;
  return {
    label: `runtime coverage ${region}`,
    needs: [`detector:${region}`],
    run: async (context): Promise<VerifyRow[]> => {
      try {
        const detector = await context.adminDetector(region);
        if (!detector) return [];
        const client = context.clients.guardduty(admin, region);
        const resources = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListCoverageCommand({ DetectorId: detector, MaxResults: GUARDDUTY_PAGE, NextToken: token })));
          return { items: page.Resources ?? [], next: page.NextToken };
        });
        const byAccount = new Map<string, { healthy: number; assessed: number; issues: Set<string> }>();
        for (const row of coverageRows(region, resources)) {
          const entry = byAccount.get(row.account) ?? { healthy: 0, assessed: 0, issues: new Set<string>() };
          entry.healthy += row.healthy;
          entry.assessed += row.healthy + row.unhealthy;
          for (const issue of Object.keys(row.issues)) entry.issues.add(issue);
          byAccount.set(row.account, entry);
        }
        return [...byAccount.entries()].map(([account, entry]) => {
          const percent = (100 * entry.healthy) / entry.assessed;
          const issues = entry.issues.size > 0 ? `; ${[...entry.issues].slice(0, 3).join('; ')}` : '';
          return {
            ...base,
            account,
            subject: 'EKS, ECS and EC2 with the runtime agent',
            expected,
            found: `${percent.toFixed(1)}% (${entry.healthy} of ${entry.assessed} healthy${issues})`,
            result: percent < threshold ? 'WARN' : 'OK',
          };
        });
      } catch (error) {
        return [unreadable(base, 'ListCoverage', expected, error)];
      }
    },
  };
}

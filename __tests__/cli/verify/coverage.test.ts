import type { CoverageResource } from '@aws-sdk/client-guardduty';
import { conforming, FakeOrganization } from '../../../cli/verify/fake-organization';
import { exitCode, formatReport } from '../../../cli/verify/report';
import { synthesizeStacks, verify } from '../../../cli/verify/verify';
import { planStacks } from '../../../lib/plan/stacks';
import { testConfig } from '../../helpers/synth';

/** verify warns, without failing, where runtime coverage is below runtimeCoverage.warnBelowPercent. */

const SHARED = '444444444444';
const SANDBOX = '333333333333';

const eks = (account: string, healthy: boolean, issue?: string): CoverageResource => ({
  AccountId: account,
  CoverageStatus: healthy ? 'HEALTHY' : 'UNHEALTHY',
  ...(issue ? { Issue: issue } : {}),
  ResourceDetails: { ResourceType: 'EKS', EksClusterDetails: { ClusterName: 'c', CompatibleNodes: 2, CoveredNodes: healthy ? 2 : 0 } },
});

async function run(warnBelowPercent: number | undefined, protection?: Record<string, unknown>) {
  const config = testConfig({ ...(warnBelowPercent !== undefined ? { runtimeCoverage: { warnBelowPercent } } : {}), ...(protection ? { protection } : {}) });
  const plan = planStacks(config);
  const stacks = plan.stacks.filter((stack) => stack.kind === 'admin');
  const synthesized = synthesizeStacks(config, plan, stacks.map((stack) => stack.id));
  const world = conforming(config, synthesized);
  // us-east-1: shared-services 3 of 4 healthy (75%), the sandbox 2 of 2; 60 resources, two pages.
  world.coverage.set('us-east-1', [
    eks(SHARED, true),
    eks(SHARED, true),
    eks(SHARED, true),
    eks(SHARED, false, 'Agent not reporting'),
    eks(SANDBOX, true),
    eks(SANDBOX, true),
    ...Array.from({ length: 54 }, () => eks('555555555501', true)),
  ]);
  const report = await verify(config, stacks, synthesized, new FakeOrganization(world));
  return { report, world };
}

describe('runtime coverage in verify', () => {
  it('warns for an account below 90% by default, reads every page, and keeps the exit code', async () => {
    const { report, world } = await run(undefined);
    const rows = report.rows.filter((row) => row.check === 'runtime-coverage');
    expect(rows.filter((row) => row.region === 'us-east-1').map((row) => [row.account, row.found, row.result])).toEqual([
      [SHARED, '75.0% (3 of 4 healthy; Agent not reporting)', 'WARN'],
      [SANDBOX, '100.0% (2 of 2 healthy)', 'OK'],
      ['555555555501', '100.0% (54 of 54 healthy)', 'OK'],
    ]);
    expect(rows.find((row) => row.result === 'WARN')?.expected).toBe('at least 90% healthy');
    expect(world.calls.filter((call) => call.startsWith('guardduty:ListCoverage') && call.endsWith('us-east-1'))).toHaveLength(2);
    expect(exitCode(report.summary)).toBe(0);
    expect(formatReport(report)).toContain(`${SHARED}  us-east-1  EKS, ECS and EC2 with the runtime agent  at least 90% healthy  75.0% (3 of 4 healthy; Agent not reporting)  WARN`);
  });

  it('follows the configured share, and reads nothing with Runtime Monitoring off', async () => {
    const lower = await run(70);
    expect(lower.report.rows.filter((row) => row.check === 'runtime-coverage' && row.result === 'WARN')).toEqual([]);
    const off = await run(undefined, { runtimeMonitoring: false });
    expect(off.report.rows.filter((row) => row.check === 'runtime-coverage')).toEqual([]);
    expect(off.world.calls.some((call) => call.startsWith('guardduty:ListCoverage'))).toBe(false);
  });
});

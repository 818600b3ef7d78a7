import { GetUsageStatisticsCommand, ListCoverageCommand, UsageFeature, type CoverageResource } from '@aws-sdk/client-guardduty';
import type { OrgConfig } from '../../lib/config/load';
import { detectorFeatures } from '../../lib/guardduty/protection';
import { billedPlan } from '../../lib/guardduty/usage';
import { CHINA_REGIONS, GOVCLOUD_REGIONS, STANDARD_REGIONS } from '../../lib/aws/regions';
import { partitionOf } from '../../lib/aws/partition';
import { classify, errorText } from '../common/aws-errors';
import type { AccountClients } from '../common/clients';
import { mapWithConcurrency } from '../common/pool';
import type { Progress } from '../common/progress';
import { withRetry, type RetryOptions } from '../common/retry';
import { allPages, createContext, GUARDDUTY_PAGE } from '../verify/context';

/**
 * What GuardDuty costs and covers, read from the administrator: per account, region and plan, the
 * last 30 days' usage cost (GetUsageStatistics, SUM_BY_FEATURES for one account at a time) and the
 * runtime coverage of EKS clusters, ECS clusters and EC2 instances (ListCoverage). Read-only.
 * Besides the configured regions it reads the partition's standard regions, so that a region or an
 * account that left the configuration but still has GuardDuty on (and billing) shows up.
 */

export interface CostRow {
  readonly account: string;
  readonly region: string;
  /** USD of the last 30 days by plan. */
  readonly byPlan: Readonly<Record<string, number>>;
  readonly total: number;
}

export interface CoverageRow {
  readonly account: string;
  readonly region: string;
  /** EKS, ECS or EC2. */
  readonly resourceType: string;
  readonly healthy: number;
  readonly unhealthy: number;
  /** EKS nodes the agent does not cover (compatible minus covered). */
  readonly nodesNotCovered: number;
  /** The issues GuardDuty gives for unhealthy resources, counted. */
  readonly issues: Readonly<Record<string, number>>;
}

/** A plan that bills where the configuration does not have it on: what leaving the configuration left behind. */
export interface StillOn {
  readonly account: string;
  readonly region: string;
  readonly plan: string;
  readonly cost: number;
  readonly why: 'region not in the configuration' | 'account not in the configuration' | 'plan off in the configuration';
}

export interface Unreadable {
  readonly account: string;
  readonly region: string;
  readonly what: string;
  readonly error: string;
}

export interface CostReport {
  readonly name: string;
  readonly days: number;
  readonly regions: readonly string[];
  readonly costs: readonly CostRow[];
  readonly coverage: readonly CoverageRow[];
  readonly stillOn: readonly StillOn[];
  readonly unreadable: readonly Unreadable[];
}

export interface CollectOptions {
  /** @default 8 */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly progress?: Progress;
  /** Regions read beside the configured ones. @default the partition's standard regions */
  readonly alsoRegions?: readonly string[];
}

const ALL_FEATURES = Object.values(UsageFeature);

/** Regions read: the configured ones, then the rest of the partition's standard ones. */
export function reportRegions(config: Pick<OrgConfig, 'regions' | 'homeRegion'>, also?: readonly string[]): string[] {
  const partition = partitionOf(config.homeRegion);
  const standard: readonly string[] = partition === 'aws-us-gov' ? GOVCLOUD_REGIONS : partition === 'aws-cn' ? CHINA_REGIONS : STANDARD_REGIONS;
  return [...new Set([...config.regions, ...(also ?? standard)])];
}

export async function collectReport(config: OrgConfig, clients: Pick<AccountClients, 'guardduty'>, options: CollectOptions = {}): Promise<CostReport> {
  const call = <T>(send: () => Promise<T>) => withRetry(send, options.retry);
  const context = createContext(config, clients as AccountClients, call);
  const admin = config.accounts.admin;
  const regions = reportRegions(config, options.alsoRegions);
  const concurrency = options.concurrency ?? 8;
  const unreadable: Unreadable[] = [];
  const failed = (account: string, region: string, what: string) => (error: unknown) => {
    // A region the administrator never enabled has no GuardDuty to bill: nothing to report there.
    if (classify(error) === 'region-not-enabled' && !config.regions.includes(region)) return undefined;
    unreadable.push({ account, region, what, error: errorText(error) });
    return undefined;
  };

  // The administrator's detector and its members, in every region read.
  const progress = options.progress;
  progress?.start(regions.length);
  const perRegion = await mapWithConcurrency(regions, concurrency, async (region) => {
    const detector = await context.adminDetector(region).catch(failed(admin, region, 'ListDetectors'));
    let accounts: string[] = [];
    if (detector) {
      const members = await context.guardDutyMembers(region, detector).catch(failed(admin, region, 'ListMembers'));
      accounts = [admin, ...[...(members?.values() ?? [])].filter((member) => member.RelationshipStatus === 'Enabled').map((member) => member.AccountId ?? '?')];
    } else if (config.regions.includes(region)) {
      unreadable.push({ account: admin, region, what: 'ListDetectors', error: 'no detector in a configured region' });
    }
    progress?.tick(`${region}: ${detector ? `${accounts.length} accounts` : 'no detector'}`);
    return { region, detector, accounts };
  });
  progress?.done();

  const work = perRegion.filter((entry) => entry.detector !== undefined) as { region: string; detector: string; accounts: string[] }[];
  const usageItems = work.flatMap(({ region, detector, accounts }) => accounts.map((account) => ({ region, detector, account })));
  progress?.start(usageItems.length + work.length);
  const costs = (
    await mapWithConcurrency(usageItems, concurrency, async ({ region, detector, account }): Promise<CostRow | undefined> => {
      const client = clients.guardduty(admin, region);
      const results = await allPages(async (token) => {
        const page = await call(() =>
          client.send(
            new GetUsageStatisticsCommand({
              DetectorId: detector,
              UsageStatisticType: 'SUM_BY_FEATURES',
              UsageCriteria: { AccountIds: [account], Features: ALL_FEATURES },
              Unit: 'USD',
              MaxResults: GUARDDUTY_PAGE,
              NextToken: token,
            }),
          ),
        );
        return { items: page.UsageStatistics?.SumByFeature ?? [], next: page.NextToken };
      }).catch(failed(account, region, 'GetUsageStatistics'));
      progress?.tick(`usage ${account} ${region}`);
      if (!results) return undefined;
      const byPlan: Record<string, number> = {};
      for (const result of results) {
        const amount = Number(result.Total?.Amount ?? 0);
        if (!Number.isFinite(amount) || amount === 0) continue;
        const plan = billedPlan(result.Feature ?? 'unknown');
        byPlan[plan] = (byPlan[plan] ?? 0) + amount;
      }
      return { account, region, byPlan, total: Object.values(byPlan).reduce((sum, amount) => sum + amount, 0) };
    })
  ).filter((row): row is CostRow => row !== undefined);

  const coverage = (
    await mapWithConcurrency(work, concurrency, async ({ region, detector }) => {
      const client = clients.guardduty(admin, region);
      const resources = await allPages(async (token) => {
        const page = await call(() => client.send(new ListCoverageCommand({ DetectorId: detector, MaxResults: GUARDDUTY_PAGE, NextToken: token })));
        return { items: page.Resources ?? [], next: page.NextToken };
      }).catch(failed(admin, region, 'ListCoverage'));
      progress?.tick(`coverage ${region}`);
      return coverageRows(region, resources ?? []);
    })
  ).flat();
  progress?.done();

  return {
    name: config.name,
    days: 30,
    regions,
    costs: costs.filter((row) => row.total > 0 || config.regions.includes(row.region)),
    coverage,
    stillOn: stillOn(config, costs),
    unreadable,
  };
}

/** Coverage of one region, per account and resource type. */
export function coverageRows(region: string, resources: readonly CoverageResource[]): CoverageRow[] {
  const rows = new Map<string, { account: string; resourceType: string; healthy: number; unhealthy: number; nodesNotCovered: number; issues: Record<string, number> }>();
  for (const resource of resources) {
    const account = resource.AccountId ?? '?';
    const resourceType = resource.ResourceDetails?.ResourceType ?? 'unknown';
    const key = `${account}/${resourceType}`;
    const row = rows.get(key) ?? { account, resourceType, healthy: 0, unhealthy: 0, nodesNotCovered: 0, issues: {} };
    if (resource.CoverageStatus === 'HEALTHY') row.healthy++;
    else {
      row.unhealthy++;
      const issue = resource.Issue ?? 'no reason given';
      row.issues[issue] = (row.issues[issue] ?? 0) + 1;
    }
    const eks = resource.ResourceDetails?.EksClusterDetails;
    if (eks) row.nodesNotCovered += Math.max(0, (eks.CompatibleNodes ?? 0) - (eks.CoveredNodes ?? 0));
    rows.set(key, row);
  }
  return [...rows.values()].map((row) => ({ ...row, region }));
}

/** Plans that bill where the configuration does not have them on. */
export function stillOn(config: OrgConfig, costs: readonly CostRow[]): StillOn[] {
  const configured = new Set([config.accounts.admin, ...config.members.map((member) => member.id)]);
  // With autoEnable ALL every account of the organization is enrolled by GuardDuty itself.
  const everyAccount = config.mode === 'organizations' && config.autoEnable === 'ALL';
  const found: StillOn[] = [];
  for (const row of costs) {
    // The plans the configuration manages in the region, on or off; one it leaves unmanaged is neither.
    const managed = new Map(detectorFeatures(config.protection, row.region, 'administrator').map((feature) => [feature.name, feature.enabled]));
    for (const [plan, cost] of Object.entries(row.byPlan)) {
      if (cost <= 0) continue;
      const why: StillOn['why'] | undefined = !config.regions.includes(row.region)
        ? 'region not in the configuration'
        : !everyAccount && !configured.has(row.account)
          ? 'account not in the configuration'
          : managed.get(PLAN_FEATURES[plan] ?? '') === false
            ? 'plan off in the configuration'
            : undefined;
      if (why) found.push({ account: row.account, region: row.region, plan, cost, why });
    }
  }
  return found;
}

const PLAN_FEATURES: Readonly<Record<string, string>> = {
  s3: 'S3_DATA_EVENTS',
  eksAuditLogs: 'EKS_AUDIT_LOGS',
  ebsMalware: 'EBS_MALWARE_PROTECTION',
  rdsLogin: 'RDS_LOGIN_EVENTS',
  lambdaNetwork: 'LAMBDA_NETWORK_LOGS',
  runtimeMonitoring: 'RUNTIME_MONITORING',
  aiProtection: 'AI_PROTECTION',
};

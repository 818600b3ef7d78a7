import {
  DescribeOrganizationConfigurationCommand as DescribeDetectiveOrganizationConfigurationCommand,
  ListOrganizationAdminAccountsCommand as ListDetectiveAdminAccountsCommand,
} from '@aws-sdk/client-detective';
import {
  DescribeHubCommand,
  DescribeOrganizationConfigurationCommand,
  GetEnabledStandardsCommand,
  GetFindingAggregatorCommand,
  ListFindingAggregatorsCommand,
  ListEnabledProductsForImportCommand,
  ListOrganizationAdminAccountsCommand,
} from '@aws-sdk/client-securityhub';
import type { Member, OrgConfig } from '../../lib/config/load';
import { aggregatorLinking, standardArn } from '../../lib/aws/security-hub';
import { allPages, type Task } from './context';
import { compared, unreadable, type RowBase, type VerifyRow } from './report';

/**
 * Security Hub and Detective, when switched on: the admin account's hub (standards, the GuardDuty
 * integration) and behavior graph in every region, the delegation and organization configuration
 * (organizations mode), and every listed member enabled.
 */

async function guarded(base: RowBase, subject: string, expected: string, work: () => Promise<VerifyRow[]>): Promise<VerifyRow[]> {
  try {
    return await work();
  } catch (error) {
    return [unreadable(base, subject, expected, error)];
  }
}

/** What Security Hub answers in an account where it is not enabled. */
const HUB_NOT_ENABLED = new Set(['InvalidAccessException', 'ResourceNotFoundException']);

/** As `guarded`, where Security Hub being off in the admin account is a difference, not a failed read. */
async function guardedHub(base: RowBase, subject: string, expected: string, work: () => Promise<VerifyRow[]>): Promise<VerifyRow[]> {
  try {
    return await work();
  } catch (error) {
    if (HUB_NOT_ENABLED.has((error as { name?: string }).name ?? '')) return [compared(base, subject, expected, 'Security Hub not enabled')];
    return [unreadable(base, subject, expected, error)];
  }
}

/** The admin account's hub in a region: enabled, its standards ready, GuardDuty's findings imported. */
export function securityHubTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'security-hub', stack, account: config.accounts.admin, region };
  return {
    label: `${base.account} ${region}: Security Hub`,
    run: (context) =>
      guarded(base, 'Security Hub', 'enabled', async () => {
        const client = context.clients.securityhub(base.account, region);
        try {
          await context.call(() => client.send(new DescribeHubCommand({})));
        } catch (error) {
          if (HUB_NOT_ENABLED.has((error as { name?: string }).name ?? '')) return [compared(base, 'Security Hub', 'enabled', 'not enabled')];
          throw error;
        }
        const rows = [compared(base, 'Security Hub', 'enabled', 'enabled')];
        const subscriptions = await allPages(async (token) => {
          const page = await context.call(() => client.send(new GetEnabledStandardsCommand({ NextToken: token })));
          return { items: page.StandardsSubscriptions ?? [], next: page.NextToken };
        });
        for (const standard of config.securityHub.standards) {
          const found = subscriptions.find((item) => item.StandardsArn === standardArn(standard, region));
          rows.push(compared(base, `standard ${standard}`, 'READY', found?.StandardsStatus ?? 'not enabled'));
        }
        const products = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListEnabledProductsForImportCommand({ NextToken: token })));
          return { items: page.ProductSubscriptions ?? [], next: page.NextToken };
        });
        const guardDuty = products.some((arn) => arn.endsWith(':product-subscription/aws/guardduty'));
        rows.push(compared(base, 'GuardDuty integration', 'subscribed', guardDuty ? 'subscribed' : 'not subscribed'));
        return rows;
      }),
  };
}

/** The finding aggregator: in the home region, linking every other region of the deployment. */
export function securityHubAggregatorTask(config: OrgConfig, stack: string): Task {
  const base: RowBase = { check: 'security-hub', stack, account: config.accounts.admin, region: config.homeRegion };
  const linking = aggregatorLinking(config.regions, config.homeRegion);
  const text = (region: string | undefined, mode: string | undefined, regions: readonly string[] | undefined) =>
    `in ${region ?? '?'}, ${mode ?? '?'}${regions && regions.length > 0 ? ` ${[...regions].sort().join(', ')}` : ''}`;
  const expected = text(config.homeRegion, linking.linkingMode, linking.specifiedRegions);
  return {
    label: `${base.account} ${config.homeRegion}: Security Hub finding aggregator`,
    run: (context) =>
      guardedHub(base, 'finding aggregator', expected, async () => {
        const client = context.clients.securityhub(base.account, config.homeRegion);
        const aggregators = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListFindingAggregatorsCommand({ NextToken: token })));
          return { items: page.FindingAggregators ?? [], next: page.NextToken };
        });
        // Security Hub keeps one aggregator an account: the first is the only one.
        const arn = aggregators[0]?.FindingAggregatorArn;
        if (!arn) return [compared(base, 'finding aggregator', expected, 'none')];
        const found = await context.call(() => client.send(new GetFindingAggregatorCommand({ FindingAggregatorArn: arn })));
        return [compared(base, 'finding aggregator', expected, text(found.FindingAggregationRegion, found.RegionLinkingMode, found.Regions))];
      }),
  };
}

/** Organizations mode: the delegation (management account) and the organization configuration. */
export function securityHubOrganizationTask(config: OrgConfig, stack: string, region: string): Task {
  const management: RowBase = { check: 'security-hub', stack, account: config.accounts.management, region };
  const admin: RowBase = { ...management, account: config.accounts.admin };
  const delegated = `${config.accounts.admin} ENABLED`;
  const autoEnable = String(config.securityHub.autoEnable ?? true);
  return {
    label: `${management.account} ${region}: Security Hub delegation`,
    run: async (context) => [
      ...(await guarded(management, 'delegated administrator', delegated, async () => {
        const client = context.clients.securityhub(management.account, region);
        const admins = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListOrganizationAdminAccountsCommand({ NextToken: token })));
          return { items: page.AdminAccounts ?? [], next: page.NextToken };
        });
        return [compared(management, 'delegated administrator', delegated, admins.map((item) => `${item.AccountId} ${item.Status}`).join(', ') || 'none')];
      })),
      ...(await guardedHub(admin, 'auto-enable new accounts', autoEnable, async () => {
        const client = context.clients.securityhub(admin.account, region);
        const found = await context.call(() => client.send(new DescribeOrganizationConfigurationCommand({})));
        return [compared(admin, 'auto-enable new accounts', autoEnable, String(found.AutoEnable ?? 'not set'))];
      })),
    ],
  };
}

export function securityHubMembersTask(config: OrgConfig, stack: string, region: string, members: readonly Member[]): Task {
  const base: RowBase = { check: 'security-hub-member', stack, account: config.accounts.admin, region };
  const expected = `Enabled, administrator ${config.accounts.admin}`;
  return {
    label: `${base.account} ${region}: ${members.length} Security Hub members`,
    needs: [`security-hub-members:${region}`],
    run: (context) =>
      guardedHub(base, `${members.length} member accounts`, expected, async () => {
        const found = await context.securityHubMembers(region);
        return members.map((member) => {
          const item = found.get(member.id);
          return compared({ ...base, account: member.id }, member.id, expected, item ? `${item.MemberStatus}, administrator ${item.AdministratorId ?? item.MasterId}` : 'not a member');
        });
      }),
  };
}

/** The admin account's behavior graph in a region (the imported one, when `existingGraphs` names it). */
export function behaviorGraphTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'detective', stack, account: config.accounts.admin, region };
  const existing = config.detective.existingGraphs[region];
  const expected = existing ? `graph ${existing}` : 'a behavior graph';
  return {
    label: `${base.account} ${region}: Detective graph`,
    needs: [`graph:${region}`],
    run: (context) =>
      guarded(base, 'behavior graph', expected, async () => {
        const graph = await context.behaviorGraph(region);
        return [compared(base, 'behavior graph', expected, graph ? `graph ${graph}` : 'none', graph !== undefined && (!existing || graph === existing))];
      }),
  };
}

export function detectiveOrganizationTask(config: OrgConfig, stack: string, region: string): Task {
  const management: RowBase = { check: 'detective', stack, account: config.accounts.management, region };
  const admin: RowBase = { ...management, account: config.accounts.admin };
  const delegated = `${config.accounts.admin}`;
  const autoEnable = String(config.detective.autoEnable ?? true);
  return {
    label: `${management.account} ${region}: Detective delegation`,
    needs: [`graph:${region}`],
    run: async (context) => [
      ...(await guarded(management, 'delegated administrator', delegated, async () => {
        const client = context.clients.detective(management.account, region);
        const admins = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListDetectiveAdminAccountsCommand({ NextToken: token })));
          return { items: page.Administrators ?? [], next: page.NextToken };
        });
        return [compared(management, 'delegated administrator', delegated, admins.map((item) => item.AccountId).join(', ') || 'none')];
      })),
      ...(await guarded(admin, 'auto-enable new accounts', autoEnable, async () => {
        const graph = await context.behaviorGraph(region);
        if (!graph) return [compared(admin, 'auto-enable new accounts', autoEnable, 'no behavior graph')];
        const client = context.clients.detective(admin.account, region);
        const found = await context.call(() => client.send(new DescribeDetectiveOrganizationConfigurationCommand({ GraphArn: graph })));
        return [compared(admin, 'auto-enable new accounts', autoEnable, String(found.AutoEnable ?? 'not set'))];
      })),
    ],
  };
}

export function detectiveMembersTask(config: OrgConfig, stack: string, region: string, members: readonly Member[]): Task {
  const base: RowBase = { check: 'detective-member', stack, account: config.accounts.admin, region };
  return {
    label: `${base.account} ${region}: ${members.length} Detective members`,
    needs: [`graph:${region}`, `detective-members:${region}`],
    run: (context) =>
      guarded(base, `${members.length} member accounts`, 'ENABLED', async () => {
        const graph = await context.behaviorGraph(region);
        if (!graph) return [compared(base, `${members.length} member accounts`, 'ENABLED', 'no behavior graph')];
        const found = await context.detectiveMembers(region, graph);
        return members.map((member) => {
          const item = found.get(member.id);
          const text = item ? `${item.Status}${item.DisabledReason ? ` (${item.DisabledReason})` : ''}` : 'not a member';
          return compared({ ...base, account: member.id }, member.id, 'ENABLED', text);
        });
      }),
  };
}

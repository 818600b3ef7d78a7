import { ListGraphsCommand } from '@aws-sdk/client-detective';
import { ListMembersCommand as ListDetectiveMembersCommand, type MemberDetail } from '@aws-sdk/client-detective';
import { ListDetectorsCommand, ListMembersCommand, type Member } from '@aws-sdk/client-guardduty';
import { ListAccountsCommand } from '@aws-sdk/client-organizations';
import { ListMembersCommand as ListSecurityHubMembersCommand, type Member as SecurityHubMember } from '@aws-sdk/client-securityhub';
import type { OrgConfig } from '../../lib/config/load';
import type { AccountClients } from '../common/clients';
import type { VerifyRow } from './report';

/**
 * What every check shares: the clients, one way to call AWS (retries on throttling), and the reads
 * that many checks need, each done once: the admin detector of a region, its member list, the
 * organization's accounts, the behavior graph.
 */
export interface VerifyContext {
  readonly config: OrgConfig;
  readonly clients: AccountClients;
  /** Every AWS call goes through here: retried with back-off while throttled. */
  call<T>(send: () => Promise<T>): Promise<T>;
  /** The admin account's detector in the region; undefined when it has none. */
  adminDetector(region: string): Promise<string | undefined>;
  /** Every member of the admin detector in the region (associated or not), by account id. */
  guardDutyMembers(region: string, detectorId: string): Promise<ReadonlyMap<string, Member>>;
  /** The active accounts of the organization (management account's view). */
  organizationAccounts(): Promise<readonly string[]>;
  securityHubMembers(region: string): Promise<ReadonlyMap<string, SecurityHubMember>>;
  /** The admin account's behavior graph in the region; undefined when it has none. */
  behaviorGraph(region: string): Promise<string | undefined>;
  detectiveMembers(region: string, graphArn: string): Promise<ReadonlyMap<string, MemberDetail>>;
}

/** A shared read a task builds on; verify does these first, so no task waits on another's read. */
export type Need =
  | `detector:${string}`
  | `guardduty-members:${string}`
  | 'organization-accounts'
  | `security-hub-members:${string}`
  | `graph:${string}`
  | `detective-members:${string}`;

/** One unit of work: a few AWS reads, compared into rows. */
export interface Task {
  /** For progress lines: what is read, where. */
  readonly label: string;
  readonly needs?: readonly Need[];
  run(context: VerifyContext): Promise<VerifyRow[]>;
}

/** Does a shared read, so that later tasks find it done; its failure is theirs to report. */
export async function prefetch(context: VerifyContext, need: Need): Promise<void> {
  const [kind, region] = need.split(':') as [string, string];
  try {
    switch (kind) {
      case 'detector':
        await context.adminDetector(region);
        break;
      case 'guardduty-members': {
        const id = await context.adminDetector(region);
        if (id) await context.guardDutyMembers(region, id);
        break;
      }
      case 'organization-accounts':
        await context.organizationAccounts();
        break;
      case 'security-hub-members':
        await context.securityHubMembers(region);
        break;
      case 'graph':
        await context.behaviorGraph(region);
        break;
      case 'detective-members': {
        const graph = await context.behaviorGraph(region);
        if (graph) await context.detectiveMembers(region, graph);
        break;
      }
    }
  } catch {
    // Kept in the context's cache: every task that needs the read reports it as unreadable.
  }
}

/** GuardDuty's largest page for ListMembers; also the most account ids GetMemberDetectors takes. */
export const GUARDDUTY_PAGE = 50;

/** Reads every page: `page(token)` returns one page and the next token. */
export async function allPages<T>(page: (token: string | undefined) => Promise<{ items: readonly T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  do {
    const result = await page(token);
    items.push(...result.items);
    token = result.next;
  } while (token);
  return items;
}

/**
 * One read after another inside a task: the pool bounds how many tasks run at once, so a task never
 * fans out on its own.
 */
export async function inTurn<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await read(item));
  return results;
}

export function createContext(config: OrgConfig, clients: AccountClients, call: <T>(send: () => Promise<T>) => Promise<T>): VerifyContext {
  const admin = config.accounts.admin;
  const once = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> => {
    let pending = cache.get(key);
    if (!pending) {
      pending = read();
      cache.set(key, pending);
    }
    return pending;
  };
  const detectors = new Map<string, Promise<string | undefined>>();
  const members = new Map<string, Promise<ReadonlyMap<string, Member>>>();
  const accounts = new Map<string, Promise<readonly string[]>>();
  const hubMembers = new Map<string, Promise<ReadonlyMap<string, SecurityHubMember>>>();
  const graphs = new Map<string, Promise<string | undefined>>();
  const graphMembers = new Map<string, Promise<ReadonlyMap<string, MemberDetail>>>();
  const byAccount = <T extends { AccountId?: string }>(items: readonly T[]) => new Map(items.map((item) => [item.AccountId ?? '?', item]));

  return {
    config,
    clients,
    call,
    adminDetector: (region) =>
      once(detectors, region, async () => {
        const client = clients.guardduty(admin, region);
        const ids = await allPages(async (token) => {
          const page = await call(() => client.send(new ListDetectorsCommand({ NextToken: token })));
          return { items: page.DetectorIds ?? [], next: page.NextToken };
        });
        return ids[0];
      }),
    guardDutyMembers: (region, detectorId) =>
      once(members, region, async () => {
        const client = clients.guardduty(admin, region);
        const list = await allPages(async (token) => {
          // OnlyAssociated "false": members that were removed or never accepted are listed too, so
          // the report says what became of them instead of "not a member".
          const page = await call(() => client.send(new ListMembersCommand({ DetectorId: detectorId, OnlyAssociated: 'false', MaxResults: GUARDDUTY_PAGE, NextToken: token })));
          return { items: page.Members ?? [], next: page.NextToken };
        });
        return byAccount(list);
      }),
    organizationAccounts: () =>
      once(accounts, 'organization', async () => {
        const client = clients.organizations(config.accounts.management);
        const list = await allPages(async (token) => {
          const page = await call(() => client.send(new ListAccountsCommand({ NextToken: token, MaxResults: 20 })));
          return { items: page.Accounts ?? [], next: page.NextToken };
        });
        // Suspended and closing accounts cannot run GuardDuty; the administrator is not its own member.
        return list.filter((account) => (account.State ?? account.Status) === 'ACTIVE' && account.Id !== admin).map((account) => account.Id ?? '?');
      }),
    securityHubMembers: (region) =>
      once(hubMembers, region, async () => {
        const client = clients.securityhub(admin, region);
        const list = await allPages(async (token) => {
          const page = await call(() => client.send(new ListSecurityHubMembersCommand({ OnlyAssociated: false, MaxResults: 50, NextToken: token })));
          return { items: page.Members ?? [], next: page.NextToken };
        });
        return byAccount(list);
      }),
    behaviorGraph: (region) =>
      once(graphs, region, async () => {
        const client = clients.detective(admin, region);
        const list = await allPages(async (token) => {
          const page = await call(() => client.send(new ListGraphsCommand({ NextToken: token })));
          return { items: page.GraphList ?? [], next: page.NextToken };
        });
        return list[0]?.Arn;
      }),
    detectiveMembers: (region, graphArn) =>
      once(graphMembers, region, async () => {
        const client = clients.detective(admin, region);
        const list = await allPages(async (token) => {
          const page = await call(() => client.send(new ListDetectiveMembersCommand({ GraphArn: graphArn, MaxResults: 200, NextToken: token })));
          return { items: page.MemberDetails ?? [], next: page.NextToken };
        });
        return byAccount(list);
      }),
  };
}

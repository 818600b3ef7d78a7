/*
 * A fake GuardDuty administrator for `report`: ListDetectors, ListMembers, GetUsageStatistics and
 * ListCoverage answered from plain data in the API's shape (pages included), through real SDK
 * clients mocked with aws-sdk-client-mock. The report tests plant what they need in it; the bench
 * (cli/report/bench.ts) runs the report against it at a thousand accounts.
 */
import {
  GetUsageStatisticsCommand,
  GuardDutyClient,
  ListCoverageCommand,
  ListDetectorsCommand,
  ListMembersCommand,
  type CoverageResource,
  type Member,
  type UsageFeatureResult,
} from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import type { AccountClients } from '../common/clients';

export interface FakeAdministrator {
  /** The admin detector by region; a region without one has no detector. */
  readonly detectors: Map<string, string>;
  /** Members of the admin detector by region. */
  readonly members: Map<string, Member[]>;
  /** `<account>/<region>` -> the account's usage there, by feature. */
  readonly usage: Map<string, UsageFeatureResult[]>;
  /** Coverage resources by region. */
  readonly coverage: Map<string, CoverageResource[]>;
  /** Regions whose calls fail as a region not enabled would. */
  readonly notEnabled: Set<string>;
  /** Every call made: `<command> <region>`. */
  readonly calls: string[];
}

export function emptyAdministrator(): FakeAdministrator {
  return { detectors: new Map(), members: new Map(), usage: new Map(), coverage: new Map(), notEnabled: new Set(), calls: [] };
}

/** Pages of at most `size`, with the next token as GuardDuty gives it (opaque text). */
function page<T>(items: readonly T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token === undefined ? 0 : Number(token.replace(/^page-/, ''));
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: `page-${start + size}` } : { items: slice };
}

export interface FakeClientsOptions {
  /** Milliseconds each call takes. @default none */
  readonly latency?: () => number;
  /** Usage results a page: small, so that tests see readers follow NextToken. @default 3 */
  readonly usagePageSize?: number;
}

/** Clients of the admin account whose GuardDuty answers from `world`. */
export function fakeClients(world: FakeAdministrator, options: FakeClientsOptions = {}): Pick<AccountClients, 'guardduty'> & { maxInFlight: number } {
  const clients = new Map<string, GuardDutyClient>();
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const answer = async <T>(name: string, region: string, reply: () => T): Promise<T> => {
    world.calls.push(`${name} ${region}`);
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      const delay = options.latency?.() ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (world.notEnabled.has(region)) {
        throw Object.assign(new Error('The security token included in the request is invalid.'), { name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
      }
      return reply();
    } finally {
      inFlight--;
    }
  };
  const guardduty = (_account: string, region: string) => {
    let client = clients.get(region);
    if (!client) {
      client = new GuardDutyClient({ region, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake' } });
      const mock = mockClient(client);
      mock.on(ListDetectorsCommand).callsFake(() => answer('ListDetectors', region, () => ({ DetectorIds: world.detectors.has(region) ? [world.detectors.get(region)] : [] })));
      mock.on(ListMembersCommand).callsFake((input) =>
        answer('ListMembers', region, () => {
          const { items, next } = page(world.members.get(region) ?? [], input.NextToken, input.MaxResults ?? 50);
          return { Members: items, ...(next ? { NextToken: next } : {}) };
        }),
      );
      mock.on(GetUsageStatisticsCommand).callsFake((input) =>
        answer('GetUsageStatistics', region, () => {
          if (input.UsageStatisticType !== 'SUM_BY_FEATURES' || input.UsageCriteria?.AccountIds?.length !== 1) throw new Error('the fake answers SUM_BY_FEATURES for one account');
          const [account] = input.UsageCriteria.AccountIds;
          const results = (world.usage.get(`${account}/${region}`) ?? []).filter((result) => input.UsageCriteria?.Features?.includes(result.Feature as never));
          // Small pages, so that readers must follow NextToken.
          const { items, next } = page(results, input.NextToken, options.usagePageSize ?? 3);
          return { UsageStatistics: { SumByFeature: items }, ...(next ? { NextToken: next } : {}) };
        }),
      );
      mock.on(ListCoverageCommand).callsFake((input) =>
        answer('ListCoverage', region, () => {
          const { items, next } = page(world.coverage.get(region) ?? [], input.NextToken, input.MaxResults ?? 50);
          return { Resources: items, ...(next ? { NextToken: next } : {}) };
        }),
      );
      clients.set(region, client);
    }
    return client;
  };
  return Object.defineProperty({ guardduty } as Pick<AccountClients, 'guardduty'> & { maxInFlight: number }, 'maxInFlight', { get: () => state.maxInFlight });
}

/** A member of the admin detector, enabled, as ListMembers gives it. */
export function member(accountId: string, adminId: string, detectorId: string): Member {
  return { AccountId: accountId, MasterId: adminId, AdministratorId: adminId, DetectorId: detectorId, Email: `${accountId}@example.com`, RelationshipStatus: 'Enabled', UpdatedAt: '2026-11-01T00:00:00.000Z' };
}

/** A usage result as GetUsageStatistics gives it. */
export function usage(feature: string, amount: number): UsageFeatureResult {
  return { Feature: feature as UsageFeatureResult['Feature'], Total: { Amount: amount.toFixed(6), Unit: 'USD' } };
}

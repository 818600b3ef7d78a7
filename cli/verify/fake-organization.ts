/*
 * A fake organization for verify: the APIs verify calls, answered from plain data through
 * aws-sdk-client-mock. \`npm run bench\` (cli/verify/bench.ts) measures verify against it at a
 * thousand accounts; the verify tests change it to plant drift.
 */
import * as detective from '@aws-sdk/client-detective';
import * as eventbridge from '@aws-sdk/client-eventbridge';
import * as guardduty from '@aws-sdk/client-guardduty';
import * as lambda from '@aws-sdk/client-lambda';
import * as organizations from '@aws-sdk/client-organizations';
import * as securityhub from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AccountClients } from '../common/clients';
import type { StackJson } from '../common/synthesized';
import { synthesizedExpectations } from './resources';
import type { OrgConfig } from '../../lib/config/load';
import { contentHash, listContent, listLocation, listObjectKey } from '../../lib/guardduty/lists';
import { criterionBlocks, type Criteria } from '../../lib/guardduty/filters';
import { findingsBucketName, listBucketName } from '../../lib/plan/naming';
import { standardArn } from '../../lib/aws/security-hub';

/** Responses in the real API shape that the fake organization starts from (fake-responses/). */
const RESPONSES_DIR = path.join(__dirname, 'fake-responses');

/** A response fixture (real API shape), cloned so a test can change it. */
export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(RESPONSES_DIR, `${name}.json`), 'utf8'));
}

/** The hash in the example's threat-list fixture, standing for the one Terraform computes with the simulation IP. */
const SIMULATION_LIST_HASH = '5f0c1e6b8f7d2a4c9e3b1a0d6c8e7f9a2b4d6e8f0a1c3e5b7d9f1a3c5e7b9d1f';

export const detectorId = (region: string) => `${Buffer.from(region).toString('hex')}`.padEnd(32, '0').slice(0, 32);

/**
 * The live state of an organization, as the APIs would answer it, kept as plain data a test changes
 * before it runs verify. `conforming` builds one that matches the configuration.
 */
export interface World {
  detectors: Map<string, any>;
  delegations: Map<string, guardduty.AdminAccount[]>;
  organizationConfigurations: Map<string, any>;
  members: Map<string, guardduty.Member[]>;
  memberFeatures: Map<string, Map<string, any[]>>;
  threatIntelSets: Map<string, any[]>;
  ipSets: Map<string, any[]>;
  filters: Map<string, any[]>;
  destinations: Map<string, any[]>;
  organizationAccounts: organizations.Account[];
  /** `<account>/<region>/<bus>/<name>` */
  rules: Map<string, { State: string; EventPattern?: string; targets: string[] }>;
  /** `<account>/<region>/<name>` */
  functions: Map<string, lambda.FunctionConfiguration>;
  hubs: Map<string, { standards: securityhub.StandardsSubscription[]; products: string[]; autoEnable: boolean; members: securityhub.Member[] } | undefined>;
  hubAdmins: Map<string, securityhub.AdminAccount[]>;
  /** The admin account's Security Hub finding aggregator, as GetFindingAggregator answers. */
  findingAggregator?: securityhub.GetFindingAggregatorResponse;
  graphs: Map<string, { arn: string; autoEnable: boolean; members: detective.MemberDetail[] } | undefined>;
  graphAdmins: Map<string, detective.Administrator[]>;
  /** Errors to throw instead of answering: checked in order, the first that matches wins. */
  failures: { service: string; command?: string; account?: string; region?: string; error: Error; times?: number }[];
  /** Every call made, `<service>:<Command> <account> <region>`. */
  calls: string[];
  /** Runtime coverage resources of the admin detector by region (ListCoverage). */
  coverage: Map<string, guardduty.CoverageResource[]>;
}

export function awsError(name: string, message: string, fault: 'client' | 'server' = 'client'): Error {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: 400 } });
}

/** An organization that matches the configuration and the synthesized stacks in every respect. */
export function conforming(config: OrgConfig, synthesized: ReadonlyMap<string, StackJson>): World {
  const admin = config.accounts.admin;
  const world: World = {
    detectors: new Map(),
    delegations: new Map(),
    organizationConfigurations: new Map(),
    members: new Map(),
    memberFeatures: new Map(),
    threatIntelSets: new Map(),
    ipSets: new Map(),
    filters: new Map(),
    destinations: new Map(),
    organizationAccounts: [],
    rules: new Map(),
    functions: new Map(),
    hubs: new Map(),
    hubAdmins: new Map(),
    graphs: new Map(),
    graphAdmins: new Map(),
    failures: [],
    calls: [],
    coverage: new Map(),
  };
  const memberIds = [...new Set(config.members.map((member) => member.id))];
  for (const region of config.regions) {
    world.detectors.set(region, { id: detectorId(region), ...fixture('guardduty-get-detector') });
    world.delegations.set(region, [{ AdminAccountId: admin, AdminStatus: 'ENABLED' }]);
    world.organizationConfigurations.set(region, fixture('guardduty-describe-organization-configuration'));
    world.members.set(
      region,
      memberIds.map((id) => ({ AccountId: id, DetectorId: detectorId(`${id}${region}`), MasterId: admin, AdministratorId: admin, Email: `${id}@example.com`, RelationshipStatus: 'Enabled', UpdatedAt: '2026-11-02T10:00:00.000Z' })),
    );
    world.memberFeatures.set(region, new Map(memberIds.map((id) => [id, fixture('guardduty-member-features')])));
    // The fixtures' shape, with the names and locations of this configuration's lists and filters.
    const bucket = listBucketName(config);
    const hashOf = (entries: readonly { text: string }[]) => contentHash(listContent(entries.map((entry) => entry.text)));
    world.threatIntelSets.set(
      region,
      config.threatLists.map((list, index) => ({
        ...fixture('guardduty-get-threat-intel-set'),
        Name: list.name,
        // The simulation's IP makes the first list's hash one Terraform computes: any hash will do here.
        Location: listLocation(config.homeRegion, bucket, listObjectKey('threat', list.name, config.simulation.enabled && index === 0 ? SIMULATION_LIST_HASH : hashOf(list.entries))),
      })),
    );
    const trusted = config.trustedIpList;
    world.ipSets.set(region, trusted ? [{ ...fixture('guardduty-get-ip-set'), Name: trusted.name, Location: listLocation(config.homeRegion, bucket, listObjectKey('trusted', trusted.name, hashOf(trusted.entries))) }] : []);
    world.filters.set(
      region,
      config.filters.map((filter, index) => ({
        ...fixture('guardduty-get-filter'),
        Name: filter.name,
        Description: filter.description,
        Action: filter.action,
        Rank: filter.rank ?? index + 1,
        FindingCriteria: { Criterion: storedCriteria(filter.criteria) },
      })),
    );
    const destination = fixture('guardduty-describe-publishing-destination');
    destination.DestinationProperties.DestinationArn = `arn:aws:s3:::${findingsBucketName(config)}`;
    world.destinations.set(region, config.export.enabled ? [destination] : []);
    world.hubs.set(region, {
      standards: config.securityHub.standards.map((standard) => ({
        StandardsSubscriptionArn: `arn:aws:securityhub:${region}:${admin}:subscription/${standard}`,
        StandardsArn: standardArn(standard, region),
        StandardsInput: {},
        StandardsStatus: 'READY',
      })),
      products: [`arn:aws:securityhub:${region}:${admin}:product-subscription/aws/guardduty`],
      autoEnable: true,
      members: memberIds.map((id) => ({ AccountId: id, AdministratorId: admin, MasterId: admin, MemberStatus: 'Enabled' })),
    });
    world.hubAdmins.set(region, [{ AccountId: admin, Status: 'ENABLED' }]);
    const graph = `arn:aws:detective:${region}:${admin}:graph:${detectorId(region)}`;
    world.graphs.set(region, { arn: graph, autoEnable: true, members: memberIds.map((id) => ({ AccountId: id, GraphArn: graph, AdministratorId: admin, Status: 'ENABLED', InvitationType: 'ORGANIZATION' })) });
    world.graphAdmins.set(region, [{ AccountId: admin, GraphArn: graph }]);
  }
  const linked = config.regions.filter((region) => region !== config.homeRegion);
  world.findingAggregator = {
    FindingAggregatorArn: `arn:aws:securityhub:${config.homeRegion}:${admin}:finding-aggregator/${detectorId(config.homeRegion)}`,
    FindingAggregationRegion: config.homeRegion,
    RegionLinkingMode: linked.length > 0 ? 'SPECIFIED_REGIONS' : 'NO_REGIONS',
    ...(linked.length > 0 ? { Regions: linked } : {}),
  };
  world.organizationAccounts = [config.accounts.management, admin, ...memberIds].map((id) => ({ Id: id, Arn: `arn:aws:organizations::${config.accounts.management}:account/o-a1b2c3d4e5/${id}`, Name: id, Email: `${id}@example.com`, Status: 'ACTIVE', State: 'ACTIVE' }));
  for (const [id, stack] of synthesized) {
    const expected = synthesizedExpectations(id, stack);
    for (const rule of expected.rules) {
      world.rules.set(`${rule.account}/${rule.region}/${rule.busName}/${rule.name}`, { State: 'ENABLED', EventPattern: rule.pattern === undefined ? undefined : JSON.stringify(rule.pattern), targets: [...rule.targetIds] });
    }
    for (const fn of expected.functions) {
      world.functions.set(`${fn.account}/${fn.region}/${fn.name}`, {
        FunctionName: fn.name,
        Runtime: 'nodejs24.x',
        CodeSha256: fn.codeSha256,
        State: 'Active',
        LastUpdateStatus: 'Successful',
        Environment: { Variables: { ...fn.environment, TOPIC_ARN: `arn:aws:sns:${fn.region}:${fn.account}:acme-remediation` } },
      });
    }
  }
  return world;
}

/**
 * Criteria as GuardDuty keeps them once the provider created the filter: each condition under its
 * long and short name (GetFilter returns both), bounds as numbers, times in epoch milliseconds.
 */
export function storedCriteria(criteria: Criteria): Record<string, guardduty.Condition> {
  const names: Record<string, [keyof guardduty.Condition, keyof guardduty.Condition]> = {
    equalTo: ['Equals', 'Eq'],
    notEquals: ['NotEquals', 'Neq'],
    greaterThan: ['GreaterThan', 'Gt'],
    greaterThanOrEqual: ['GreaterThanOrEqual', 'Gte'],
    lessThan: ['LessThan', 'Lt'],
    lessThanOrEqual: ['LessThanOrEqual', 'Lte'],
  };
  return Object.fromEntries(
    criterionBlocks(criteria).map(({ field, ...conditions }) => [
      field,
      Object.fromEntries(
        Object.entries(conditions).flatMap(([key, value]) => {
          const stored = Array.isArray(value) ? value : /^-?\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value));
          return names[key].map((name) => [name, stored]);
        }),
      ),
    ]),
  );
}

const GUARDDUTY_COMMANDS = [
  guardduty.ListDetectorsCommand,
  guardduty.GetDetectorCommand,
  guardduty.ListOrganizationAdminAccountsCommand,
  guardduty.DescribeOrganizationConfigurationCommand,
  guardduty.ListMembersCommand,
  guardduty.GetMemberDetectorsCommand,
  guardduty.ListThreatIntelSetsCommand,
  guardduty.GetThreatIntelSetCommand,
  guardduty.ListIPSetsCommand,
  guardduty.GetIPSetCommand,
  guardduty.ListFiltersCommand,
  guardduty.GetFilterCommand,
  guardduty.ListPublishingDestinationsCommand,
  guardduty.DescribePublishingDestinationCommand,
  guardduty.ListCoverageCommand,
];
const SECURITY_HUB_COMMANDS = [
  securityhub.DescribeHubCommand,
  securityhub.GetEnabledStandardsCommand,
  securityhub.ListEnabledProductsForImportCommand,
  securityhub.ListOrganizationAdminAccountsCommand,
  securityhub.DescribeOrganizationConfigurationCommand,
  securityhub.ListMembersCommand,
  securityhub.ListFindingAggregatorsCommand,
  securityhub.GetFindingAggregatorCommand,
];
const DETECTIVE_COMMANDS = [detective.ListGraphsCommand, detective.ListOrganizationAdminAccountsCommand, detective.DescribeOrganizationConfigurationCommand, detective.ListMembersCommand];

/** Real SDK clients, each mocked with aws-sdk-client-mock to answer from the world. */
export interface FakeOptions {
  /** Milliseconds each call takes. @default answered at once */
  readonly latency?: () => number;
}

export class FakeOrganization implements AccountClients {
  private readonly cache = new Map<string, unknown>();
  /** Calls in flight now, and the most at any one time. */
  inFlight = 0;
  maxInFlight = 0;
  constructor(readonly world: World, private readonly options: FakeOptions = {}) {}

  /**
   * A real client of the service, mocked with aws-sdk-client-mock: each of the commands verify sends
   * answers from the world (or fails as `world.failures` says), and is recorded in `world.calls`.
   */
  private client<C extends object>(service: string, account: string, region: string, make: () => C, commands: readonly (new (input: any) => any)[], answer: (command: string, input: any) => unknown): C {
    const key = `${service}/${account}/${region}`;
    if (!this.cache.has(key)) {
      const client = make();
      const stub = mockClient(client as any);
      for (const command of commands) {
        stub.on(command as any).callsFake(async (input: any) => {
          const name = command.name;
          this.world.calls.push(`${service}:${name.replace(/Command$/, '')} ${account} ${region}`);
          const failure = this.world.failures.find(
            (item) => item.service === service && (!item.command || item.command === name) && (!item.account || item.account === account) && (!item.region || item.region === region) && (item.times ?? 1) > 0,
          );
          this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
          try {
            const delay = this.options.latency?.();
            if (delay !== undefined) await new Promise((resolve) => setTimeout(resolve, delay));
            if (failure) {
              if (failure.times !== undefined) failure.times--;
              throw failure.error;
            }
            return answer(name, input);
          } finally {
            this.inFlight--;
          }
        });
      }
      this.cache.set(key, client);
    }
    return this.cache.get(key) as C;
  }

  guardduty(account: string, region: string): guardduty.GuardDutyClient {
    return this.client('guardduty', account, region, () => new guardduty.GuardDutyClient({ region }), GUARDDUTY_COMMANDS, (command, input) => this.guardDutyAnswer(account, region, command, input));
  }

  organizations(account: string): organizations.OrganizationsClient {
    return this.client('organizations', account, 'global', () => new organizations.OrganizationsClient({ region: 'us-east-1' }), [organizations.ListAccountsCommand], (command, input) => {
      if (command !== 'ListAccountsCommand') throw new Error(`unexpected ${command}`);
      return page(this.world.organizationAccounts, input.NextToken, Math.min(input.MaxResults ?? 20, 20), (items, next) => ({ Accounts: items, NextToken: next }));
    });
  }

  eventbridge(account: string, region: string): eventbridge.EventBridgeClient {
    return this.client('events', account, region, () => new eventbridge.EventBridgeClient({ region }), [eventbridge.DescribeRuleCommand, eventbridge.ListTargetsByRuleCommand], (command, input) => {
      const bus = input.EventBusName ?? 'default';
      const rule = this.world.rules.get(`${account}/${region}/${bus}/${input.Name ?? input.Rule}`);
      if (!rule) throw awsError('ResourceNotFoundException', `Rule ${input.Name ?? input.Rule} does not exist on EventBus ${bus}.`);
      if (command === 'DescribeRuleCommand') {
        return { Name: input.Name, Arn: `arn:aws:events:${region}:${account}:rule/${bus === 'default' ? '' : `${bus}/`}${input.Name}`, EventPattern: rule.EventPattern, State: rule.State, EventBusName: bus, CreatedBy: account };
      }
      return { Targets: rule.targets.map((id) => ({ Id: id, Arn: `arn:aws:sqs:${region}:${account}:${id}` })) };
    });
  }

  lambda(account: string, region: string): lambda.LambdaClient {
    return this.client('lambda', account, region, () => new lambda.LambdaClient({ region }), [lambda.GetFunctionConfigurationCommand], (_command, input) => {
      const fn = this.world.functions.get(`${account}/${region}/${input.FunctionName}`);
      if (!fn) throw awsError('ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:${account}:function:${input.FunctionName}`);
      return fn;
    });
  }

  securityhub(account: string, region: string): securityhub.SecurityHubClient {
    return this.client('securityhub', account, region, () => new securityhub.SecurityHubClient({ region }), SECURITY_HUB_COMMANDS, (command, input) => {
      const hub = this.world.hubs.get(region);
      if (command === 'ListOrganizationAdminAccountsCommand') return { AdminAccounts: this.world.hubAdmins.get(region) ?? [] };
      const aggregator = this.world.findingAggregator;
      if (command === 'ListFindingAggregatorsCommand') return { FindingAggregators: aggregator ? [{ FindingAggregatorArn: aggregator.FindingAggregatorArn }] : [] };
      if (command === 'GetFindingAggregatorCommand') {
        if (!aggregator || input.FindingAggregatorArn !== aggregator.FindingAggregatorArn) throw awsError('ResourceNotFoundException', `Finding aggregator ${input.FindingAggregatorArn} not found`);
        return aggregator;
      }
      if (!hub) throw awsError('InvalidAccessException', `Account ${account} is not subscribed to AWS Security Hub`);
      switch (command) {
        case 'DescribeHubCommand':
          return { HubArn: `arn:aws:securityhub:${region}:${account}:hub/default`, SubscribedAt: '2026-11-02T10:00:00.000Z', AutoEnableControls: true, ControlFindingGenerator: 'SECURITY_CONTROL' };
        case 'GetEnabledStandardsCommand':
          return { StandardsSubscriptions: hub.standards };
        case 'ListEnabledProductsForImportCommand':
          return { ProductSubscriptions: hub.products };
        case 'DescribeOrganizationConfigurationCommand':
          return { AutoEnable: hub.autoEnable, MemberAccountLimitReached: false, AutoEnableStandards: 'NONE', OrganizationConfiguration: { ConfigurationType: 'LOCAL', Status: 'ENABLED' } };
        case 'ListMembersCommand':
          return page(hub.members, input.NextToken, input.MaxResults ?? 50, (items, next) => ({ Members: items, NextToken: next }));
      }
      throw new Error(`unexpected ${command}`);
    });
  }

  detective(account: string, region: string): detective.DetectiveClient {
    return this.client('detective', account, region, () => new detective.DetectiveClient({ region }), DETECTIVE_COMMANDS, (command, input) => {
      const graph = this.world.graphs.get(region);
      switch (command) {
        case 'ListGraphsCommand':
          return { GraphList: graph ? [{ Arn: graph.arn, CreatedTime: new Date('2026-11-02T10:00:00Z') }] : [] };
        case 'ListOrganizationAdminAccountsCommand':
          return { Administrators: this.world.graphAdmins.get(region) ?? [] };
        case 'DescribeOrganizationConfigurationCommand':
          return { AutoEnable: graph?.autoEnable };
        case 'ListMembersCommand':
          return page(graph?.members ?? [], input.NextToken, input.MaxResults ?? 100, (items, next) => ({ MemberDetails: items, NextToken: next }));
      }
      throw new Error(`unexpected ${command}`);
    });
  }

  private guardDutyAnswer(account: string, region: string, command: string, input: any): unknown {
    const world = this.world;
    if (command === 'ListOrganizationAdminAccountsCommand') return { AdminAccounts: world.delegations.get(region) ?? [] };
    const detector = world.detectors.get(region);
    if (command === 'ListDetectorsCommand') return { DetectorIds: detector ? [detector.id] : [] };
    if (!detector || input.DetectorId !== detector.id) throw awsError('BadRequestException', 'The request is rejected because the input detectorId is not owned by the current account.');
    switch (command) {
      case 'GetDetectorCommand': {
        const { id: _id, ...answer } = detector;
        return answer;
      }
      case 'DescribeOrganizationConfigurationCommand':
        return world.organizationConfigurations.get(region);
      case 'ListMembersCommand':
        return page(world.members.get(region) ?? [], input.NextToken, Math.min(input.MaxResults ?? 50, 50), (items, next) => ({ Members: items, NextToken: next }));
      case 'GetMemberDetectorsCommand': {
        if (input.AccountIds.length > 50) throw awsError('BadRequestException', 'The request is rejected because the accountIds list has more than 50 entries.');
        const features = world.memberFeatures.get(region) ?? new Map();
        return {
          MemberDataSourceConfigurations: input.AccountIds.filter((id: string) => features.has(id)).map((id: string) => ({ AccountId: id, DataSources: {}, Features: features.get(id) })),
          UnprocessedAccounts: input.AccountIds.filter((id: string) => !features.has(id)).map((id: string) => ({ AccountId: id, Result: 'The request is rejected because the given account ID is not an associated member of account the current account.' })),
        };
      }
      case 'ListThreatIntelSetsCommand':
        return { ThreatIntelSetIds: (world.threatIntelSets.get(region) ?? []).map((_set, index) => `threat-${index}`) };
      case 'GetThreatIntelSetCommand':
        return (world.threatIntelSets.get(region) ?? [])[Number(input.ThreatIntelSetId.split('-')[1])];
      case 'ListIPSetsCommand':
        return { IpSetIds: (world.ipSets.get(region) ?? []).map((_set, index) => `ip-${index}`) };
      case 'GetIPSetCommand':
        return (world.ipSets.get(region) ?? [])[Number(input.IpSetId.split('-')[1])];
      case 'ListFiltersCommand':
        return { FilterNames: (world.filters.get(region) ?? []).map((filter) => filter.Name) };
      case 'GetFilterCommand':
        return (world.filters.get(region) ?? []).find((filter) => filter.Name === input.FilterName);
      case 'ListPublishingDestinationsCommand':
        return { Destinations: (world.destinations.get(region) ?? []).map((item) => ({ DestinationId: item.DestinationId, DestinationType: item.DestinationType, Status: item.Status })) };
      case 'DescribePublishingDestinationCommand':
        return (world.destinations.get(region) ?? []).find((item) => item.DestinationId === input.DestinationId);
      case 'ListCoverageCommand':
        return page(world.coverage.get(region) ?? [], input.NextToken, Math.min(input.MaxResults ?? 50, 50), (items, next) => ({ Resources: items, NextToken: next }));
    }
    throw new Error(`unexpected ${command} ${account}`);
  }
}

/** One page of a list, with the next token (the index of the next item) when more remain. */
function page<T, R>(items: readonly T[], token: string | undefined, size: number, shape: (items: T[], next?: string) => R): R {
  const start = token ? Number(token) : 0;
  const next = start + size < items.length ? String(start + size) : undefined;
  return shape(items.slice(start, start + size), next);
}

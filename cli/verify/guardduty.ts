import {
  DescribeOrganizationConfigurationCommand,
  DescribePublishingDestinationCommand,
  GetDetectorCommand,
  GetFilterCommand,
  type Condition as GuardDutyCondition,
  type GetFilterCommandOutput,
  GetIPSetCommand,
  GetMemberDetectorsCommand,
  GetThreatIntelSetCommand,
  ListFiltersCommand,
  ListIPSetsCommand,
  ListOrganizationAdminAccountsCommand,
  ListPublishingDestinationsCommand,
  ListThreatIntelSetsCommand,
  type MemberFeaturesConfigurationResult,
  type OrganizationFeatureConfigurationResult,
} from '@aws-sdk/client-guardduty';
import type { OrgConfig } from '../../lib/config/load';
import { criterionBlocks, filterRanks, type Criteria } from '../../lib/guardduty/filters';
import { contentHash, listContent, listLocation, listObjectKey } from '../../lib/guardduty/lists';
import { findingsBucketName, listBucketName } from '../../lib/plan/naming';
import { bucketArn, partitionOf } from '../../lib/aws/partition';
import { exportAccounts } from '../../lib/config/export';
import { detectorFeatures, featureSettings, organizationFeatureSettings } from '../../lib/guardduty/protection';
import { memberStackFeatures, type MemberPlanStack } from '../../lib/plan/member-plans';
import { allPages, GUARDDUTY_PAGE, inTurn, type Task, type VerifyContext } from './context';
import { compared, unreadable, type RowBase, type VerifyRow } from './report';

/**
 * The GuardDuty checks: what the admin, organization, members and threat-intel stacks deploy, read
 * back from the admin account (and the management account for the delegation). Expected values come
 * from the functions the stacks use (lib/guardduty/protection.ts, lib/guardduty/lists.ts, lib/plan/naming.ts, lib/guardduty/filters.ts).
 */

/** A feature (or agent) name and its status, as the detector resources set them. */
interface FeatureState {
  readonly name: string;
  readonly status: string;
  readonly additionalConfiguration: readonly { readonly name: string; readonly status: string }[];
}

function featureText(feature: FeatureState): string {
  const agents = feature.additionalConfiguration.map((agent) => `${agent.name} ${agent.status}`);
  return agents.length === 0 ? feature.status : `${feature.status} (${agents.join(', ')})`;
}

/** The same feature as found: the expected agents only, each `absent` when not reported. */
function foundFeature(expected: FeatureState, found: { Status?: string; AutoEnable?: string; AdditionalConfiguration?: { Name?: string; Status?: string; AutoEnable?: string }[] } | undefined): FeatureState {
  if (!found) return { name: expected.name, status: 'absent', additionalConfiguration: [] };
  return {
    name: expected.name,
    status: found.Status ?? found.AutoEnable ?? 'absent',
    additionalConfiguration: expected.additionalConfiguration.map((agent) => {
      const match = found.AdditionalConfiguration?.find((item) => item.Name === agent.name);
      return { name: agent.name, status: match?.Status ?? match?.AutoEnable ?? 'absent' };
    }),
  };
}

/** Rows a task returns when its first read failed: one row for everything it would have compared. */
async function guarded(base: RowBase, subject: string, expected: string, work: () => Promise<VerifyRow[]>): Promise<VerifyRow[]> {
  try {
    return await work();
  } catch (error) {
    return [unreadable(base, subject, expected, error)];
  }
}

const NO_DETECTOR = 'no detector in the admin account';

/** The admin detector of a region: enabled, its publishing frequency, every protection plan. */
export function detectorTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'detector', stack, account: config.accounts.admin, region };
  const existing = config.existingDetectors[config.accounts.admin]?.[region];
  const expectedDetector = existing ? `ENABLED, id ${existing}` : 'ENABLED';
  return {
    label: `${base.account} ${region}: detector`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, 'detector', expectedDetector, async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, 'detector', expectedDetector, 'no detector')];
        const client = context.clients.guardduty(base.account, region);
        const detector = await context.call(() => client.send(new GetDetectorCommand({ DetectorId: id })));
        const rows = [
          compared(base, 'detector', expectedDetector, `${detector.Status ?? 'unknown'}, id ${id}`, detector.Status === 'ENABLED' && (!existing || existing === id)),
          compared(base, 'finding publishing frequency', config.findingPublishingFrequency, detector.FindingPublishingFrequency ?? 'not set'),
        ];
        for (const feature of detectorFeatures(config.protection, region, 'administrator').map(featureSettings)) {
          const found = foundFeature(feature, detector.Features?.find((item) => item.Name === feature.name));
          rows.push(compared(base, feature.name, featureText(feature), featureText(found)));
        }
        return rows;
      }),
  };
}

/** The management account's delegation of GuardDuty administration in a region. */
export function delegationTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'delegated-administrator', stack, account: config.accounts.management, region };
  const expected = `${config.accounts.admin} ENABLED`;
  return {
    label: `${base.account} ${region}: delegated administrator`,
    run: (context) =>
      guarded(base, 'delegated administrator', expected, async () => {
        const client = context.clients.guardduty(base.account, region);
        const admins = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListOrganizationAdminAccountsCommand({ NextToken: token })));
          return { items: page.AdminAccounts ?? [], next: page.NextToken };
        });
        const found = admins.map((admin) => `${admin.AdminAccountId} ${admin.AdminStatus}`).join(', ') || 'none';
        return [compared(base, 'delegated administrator', expected, found)];
      }),
  };
}

/** The organization configuration of a region: auto-enable, and each plan's auto-enable. */
export function organizationConfigurationTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'organization-configuration', stack, account: config.accounts.admin, region };
  return {
    label: `${base.account} ${region}: organization configuration`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, 'auto-enable', config.autoEnable, async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, 'auto-enable', config.autoEnable, NO_DETECTOR)];
        const client = context.clients.guardduty(base.account, region);
        let autoEnable: string | undefined;
        const features: OrganizationFeatureConfigurationResult[] = await allPages(async (token) => {
          const page = await context.call(() => client.send(new DescribeOrganizationConfigurationCommand({ DetectorId: id, NextToken: token })));
          autoEnable ??= page.AutoEnableOrganizationMembers;
          return { items: page.Features ?? [], next: page.NextToken };
        });
        const rows = [compared(base, 'auto-enable', config.autoEnable, autoEnable ?? 'not set')];
        for (const feature of detectorFeatures(config.protection, region, 'members')) {
          const settings = organizationFeatureSettings(feature, config.autoEnable);
          const expected: FeatureState = {
            name: settings.name,
            status: settings.autoEnable,
            additionalConfiguration: settings.additionalConfiguration.map((setting) => ({ name: setting.name, status: setting.autoEnable })),
          };
          const found = foundFeature(expected, features.find((item) => item.Name === feature.name));
          rows.push(compared(base, feature.name, featureText(expected), featureText(found)));
        }
        return rows;
      }),
  };
}

/**
 * The plans a member must have in a region, as one kind of stack sets them. Where the administrator
 * sets them (invitations mode, and organization members enrolled explicitly with autoEnable NEW or
 * NONE) every plan of that stack is as configured, DISABLED ones included. Where GuardDuty enrolls
 * every account (`organization`: autoEnable ALL) it applies the organization configuration: a plan it
 * auto-enables must be on; one left at NONE is the member's own business.
 */
export function memberFeatureExpectations(config: Pick<OrgConfig, 'mode' | 'autoEnable' | 'protection'>, region: string, stack: MemberPlanStack | 'organization'): FeatureState[] {
  if (stack !== 'organization') return memberStackFeatures(config, region, stack).map(featureSettings);
  return detectorFeatures(config.protection, region, 'members')
    .filter((feature) => feature.enabled)
    .map((feature) => ({ ...featureSettings(feature), additionalConfiguration: featureSettings(feature).additionalConfiguration.filter((setting) => setting.status === 'ENABLED') }));
}

/** Which member accounts a task checks: listed ones, or every account of the organization. */
export type MemberSource = { readonly accounts: readonly string[] } | 'organization';

/**
 * Members of the admin detector in a region: each enabled under our administrator, with its plans
 * (GetMemberDetectors, 50 accounts a call).
 */
export function membersTask(config: OrgConfig, stack: string, region: string, source: MemberSource): Task {
  const base: RowBase = { check: 'member', stack, account: config.accounts.admin, region };
  const expected = `Enabled, administrator ${config.accounts.admin}`;
  const what = source === 'organization' ? 'every account of the organization' : `${source.accounts.length} member accounts`;
  return {
    label: `${base.account} ${region}: ${what}`,
    needs: [`detector:${region}`, `guardduty-members:${region}`, ...(source === 'organization' ? (['organization-accounts'] as const) : [])],
    run: (context) =>
      guarded(base, what, expected, async () => {
        const accounts = source === 'organization' ? await context.organizationAccounts() : source.accounts;
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, what, expected, NO_DETECTOR)];
        const members = await context.guardDutyMembers(region, id);
        const rows = accounts.map((account) => {
          const member = members.get(account);
          const found = member ? `${member.RelationshipStatus}, administrator ${member.AdministratorId ?? member.MasterId}` : 'not a member';
          return compared({ ...base, account }, account, expected, found);
        });
        const expectations = memberFeatureExpectations(config, region, source === 'organization' ? 'organization' : 'members');
        rows.push(...(await memberFeatureRows(context, { ...base, check: 'member-features' }, region, id, accounts, expectations)));
        return rows;
      }),
  };
}

/** The plans the administrator sets for the members of a member-plans stack, in a region. */
export function memberPlansTask(config: OrgConfig, stack: string, region: string, accounts: readonly string[]): Task {
  const base: RowBase = { check: 'member-features', stack, account: config.accounts.admin, region };
  const what = `${accounts.length} member accounts' plans`;
  return {
    label: `${base.account} ${region}: ${what}`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, what, planSummary(memberFeatureExpectations(config, region, 'member-plans')), async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, what, planSummary(memberFeatureExpectations(config, region, 'member-plans')), NO_DETECTOR)];
        return memberFeatureRows(context, base, region, id, accounts, memberFeatureExpectations(config, region, 'member-plans'));
      }),
  };
}

async function memberFeatureRows(
  context: VerifyContext,
  base: RowBase,
  region: string,
  detectorId: string,
  accounts: readonly string[],
  expected: readonly FeatureState[],
): Promise<VerifyRow[]> {
  if (expected.length === 0) return [];
  const client = context.clients.guardduty(base.account, region);
  const rows: VerifyRow[] = [];
  for (let start = 0; start < accounts.length; start += GUARDDUTY_PAGE) {
    const batch = accounts.slice(start, start + GUARDDUTY_PAGE);
    const answer = await context.call(() => client.send(new GetMemberDetectorsCommand({ DetectorId: detectorId, AccountIds: [...batch] })));
    const features = new Map((answer.MemberDataSourceConfigurations ?? []).map((member) => [member.AccountId, member.Features ?? []]));
    const unprocessed = new Map((answer.UnprocessedAccounts ?? []).map((item) => [item.AccountId, item.Result]));
    for (const account of batch) {
      const found = features.get(account);
      rows.push(found ? planRow({ ...base, account }, account, expected, found) : compared({ ...base, account }, account, planSummary(expected), `unprocessed: ${unprocessed.get(account) ?? 'not reported'}`));
    }
  }
  return rows;
}

function planSummary(expected: readonly FeatureState[]): string {
  return `${expected.length} plans as configured`;
}

/** One row for all of a member's plans: the plans that differ are named, with what was found. */
function planRow(base: RowBase, subject: string, expected: readonly FeatureState[], found: readonly MemberFeaturesConfigurationResult[]): VerifyRow {
  const differences = expected.flatMap((feature) => {
    const actual = foundFeature(feature, found.find((item) => item.Name === feature.name));
    const [want, got] = [featureText(feature), featureText(actual)];
    return want === got ? [] : [{ want: `${feature.name} ${want}`, got: `${feature.name} ${got}` }];
  });
  if (differences.length === 0) return compared(base, subject, planSummary(expected), planSummary(expected));
  return compared(base, subject, differences.map((item) => item.want).join('; '), differences.map((item) => item.got).join('; '));
}

/** Threat lists and the trusted IP list of a region: active, at the location of the uploaded content. */
export function listsTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'ip-list', stack, account: config.accounts.admin, region };
  const bucket = listBucketName(config);
  const expected = [
    ...config.threatLists.map((list, index) => {
      // The simulation's Elastic IP joins the first threat list (ThreatIntelStack): Terraform hashes
      // that content at apply time, so only the form of its location is known here.
      const atApply = config.simulation.enabled && index === 0;
      const location = atApply ? listLocation(config.homeRegion, bucket, listObjectKey('threat', list.name, '<sha256 with the simulation IP>')) : listLocation(config.homeRegion, bucket, listObjectKey('threat', list.name, contentHash(listContent(list.entries.map((entry) => entry.text)))));
      const pattern = atApply ? new RegExp(`^${escape(listLocation(config.homeRegion, bucket, listObjectKey('threat', list.name, 'HASH')))}$`.replace('HASH', '[0-9a-f]{64}')) : undefined;
      return { kind: 'threat list', name: list.name, location, pattern };
    }),
    ...(config.trustedIpList
      ? [{ kind: 'trusted IP list', name: config.trustedIpList.name, location: listLocation(config.homeRegion, bucket, listObjectKey('trusted', config.trustedIpList.name, contentHash(listContent(config.trustedIpList.entries.map((entry) => entry.text))))), pattern: undefined }]
      : []),
  ];
  return {
    label: `${base.account} ${region}: threat lists`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, 'lists', `${expected.length} lists ACTIVE`, async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, 'lists', `${expected.length} lists ACTIVE`, NO_DETECTOR)];
        const client = context.clients.guardduty(base.account, region);
        const threatIds = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListThreatIntelSetsCommand({ DetectorId: id, NextToken: token })));
          return { items: page.ThreatIntelSetIds ?? [], next: page.NextToken };
        });
        const ipSetIds = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListIPSetsCommand({ DetectorId: id, NextToken: token })));
          return { items: page.IpSetIds ?? [], next: page.NextToken };
        });
        const found = [
          ...(await inTurn(threatIds, (setId) => context.call(() => client.send(new GetThreatIntelSetCommand({ DetectorId: id, ThreatIntelSetId: setId }))))).map((set) => ({ kind: 'threat list', ...set })),
          ...(await inTurn(ipSetIds, (setId) => context.call(() => client.send(new GetIPSetCommand({ DetectorId: id, IpSetId: setId }))))).map((set) => ({ kind: 'trusted IP list', ...set })),
        ];
        const rows = expected.map((list) => {
          const set = found.find((item) => item.kind === list.kind && item.Name === list.name);
          const want = `ACTIVE at ${list.location}`;
          if (!set) return compared(base, `${list.kind} ${list.name}`, want, 'absent');
          const at = `${set.Status} at ${set.Location}`;
          return compared(base, `${list.kind} ${list.name}`, want, at, set.Status === 'ACTIVE' && (list.pattern ? list.pattern.test(set.Location ?? '') : set.Location === list.location));
        });
        // A list nobody configured still changes which findings are raised: a difference too.
        for (const set of found.filter((item) => !expected.some((list) => list.kind === item.kind && list.name === item.Name))) {
          rows.push(compared(base, `${set.kind} ${set.Name}`, 'absent (not in the configuration)', `${set.Status} at ${set.Location}`, false));
        }
        return rows;
      }),
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Suppression filters of a region: each present with its action, rank, criteria and description,
 * and no other. Criteria are compared normalized (`filterCriteriaText`): a filter whose conditions
 * were edited in place archives other findings than the configuration says.
 */
export function filtersTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'filter', stack, account: config.accounts.admin, region };
  const ranks = filterRanks(config.filters);
  const expected = config.filters.map((filter, index) => ({
    name: filter.name,
    text: `${filter.action}, rank ${ranks[index]}, ${configuredCriteriaText(filter.criteria)}`,
    description: filter.description ?? '',
  }));
  return {
    label: `${base.account} ${region}: filters`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, 'filters', `${expected.length} filters`, async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, 'filters', `${expected.length} filters`, NO_DETECTOR)];
        const client = context.clients.guardduty(base.account, region);
        const names = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListFiltersCommand({ DetectorId: id, NextToken: token })));
          return { items: page.FilterNames ?? [], next: page.NextToken };
        });
        const found = await inTurn(names, (name) => context.call(() => client.send(new GetFilterCommand({ DetectorId: id, FilterName: name }))));
        const foundText = (item: GetFilterCommandOutput) => `${item.Action}, rank ${item.Rank}, ${foundCriteriaText(item.FindingCriteria?.Criterion)}`;
        const rows = expected.map((filter) => {
          const match = found.find((item) => item.Name === filter.name);
          if (!match) return compared(base, filter.name, filter.text, 'absent');
          // The description is shown only where it differs: it changes no finding, but it is configured.
          const description = (match.Description ?? '') === filter.description ? '' : `, description ${JSON.stringify(match.Description ?? '')}`;
          const wanted = description ? `${filter.text}, description ${JSON.stringify(filter.description)}` : filter.text;
          return compared(base, filter.name, wanted, `${foundText(match)}${description}`);
        });
        // An unknown filter archives findings nobody decided to hide.
        for (const extra of found.filter((item) => !expected.some((filter) => filter.name === item.Name))) {
          rows.push(compared(base, extra.Name ?? '?', 'absent (not in the configuration)', foundText(extra), false));
        }
        return rows;
      }),
  };
}

/** The API's names of each comparison (both spellings come back from GetFilter), by the short name shown. */
const API_COMPARISONS = [
  ['eq', 'Equals', 'Eq'],
  ['neq', 'NotEquals', 'Neq'],
  ['gt', 'GreaterThan', 'Gt'],
  ['gte', 'GreaterThanOrEqual', 'Gte'],
  ['lt', 'LessThan', 'Lt'],
  ['lte', 'LessThanOrEqual', 'Lte'],
] as const;

/** One condition as shown: `severity lt 4`, `type eq [A, B]` (values sorted: their order means nothing). */
function conditionText(field: string, short: string, value: unknown): string {
  return Array.isArray(value) ? `${field} ${short} [${value.map(String).sort().join(', ')}]` : `${field} ${short} ${String(value)}`;
}

function criteriaText(conditions: readonly string[]): string {
  return conditions.length === 0 ? 'no criteria' : [...conditions].sort().join('; ');
}

/**
 * Configured criteria as GetFilter returns them once deployed: each bound a number, times in epoch
 * milliseconds (the provider sends `updatedAt` as RFC 3339 and GuardDuty keeps milliseconds).
 */
export function configuredCriteriaText(criteria: Criteria): string {
  const short: Record<string, string> = Object.fromEntries(API_COMPARISONS.map(([name, long]) => [long.charAt(0).toLowerCase() + long.slice(1), name]));
  const conditions = criterionBlocks(criteria).flatMap((block) =>
    Object.entries(block).flatMap(([key, value]) => {
      if (key === 'field' || value === undefined) return [];
      const name = key === 'equalTo' ? 'eq' : short[key];
      if (Array.isArray(value)) return [conditionText(block.field, name, value)];
      const bound = /^-?\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value));
      return [conditionText(block.field, name, bound)];
    }),
  );
  return criteriaText(conditions);
}

/** Criteria as GetFilter returns them (`{ field: { Eq, Equals, Lt, LessThan, ... } }`), in the same form. */
export function foundCriteriaText(criterion: Record<string, GuardDutyCondition> | undefined): string {
  const conditions = Object.entries(criterion ?? {}).flatMap(([field, condition]) =>
    API_COMPARISONS.flatMap(([name, long, old]) => {
      const value = (condition as Record<string, unknown>)[long] ?? (condition as Record<string, unknown>)[old];
      return value === undefined || (Array.isArray(value) && value.length === 0) ? [] : [conditionText(field, name, value)];
    }),
  );
  return criteriaText(conditions);
}

/**
 * The findings export of a region's admin detector: one S3 destination, the export bucket (its folder
 * when export.prefix is set, nothing else), encrypted with a key of the configured account in the home region, publishing. Any other
 * destination sends findings where nobody configured them to go: a difference too.
 */
export function publishingDestinationTask(config: OrgConfig, stack: string, region: string): Task {
  const base: RowBase = { check: 'publishing-destination', stack, account: config.accounts.admin, region };
  const bucket = bucketArn(config.homeRegion, findingsBucketName(config));
  // Under its folder (export.prefix) when the configuration names one.
  const destination = config.export.prefix ? `${bucket}/${config.export.prefix}` : bucket;
  const keyAccount = config.accounts[exportAccounts(config.export).key] ?? config.accounts.admin;
  const keyArn = new RegExp(`^arn:${partitionOf(config.homeRegion) ?? 'aws'}:kms:${config.homeRegion}:${keyAccount}:key/[A-Za-z0-9-]+$`);
  const expected = `S3 ${destination} PUBLISHING, KMS key of ${keyAccount} in ${config.homeRegion}`;
  const keyText = (arn: string | undefined) => {
    const parts = /^arn:[^:]+:kms:([^:]+):(\d{12}):key\/.+$/.exec(arn ?? '');
    return parts ? `KMS key of ${parts[2]} in ${parts[1]}` : `KMS key ${arn ?? 'none'}`;
  };
  return {
    label: `${base.account} ${region}: publishing destination`,
    needs: [`detector:${region}`],
    run: (context) =>
      guarded(base, 'findings export', expected, async () => {
        const id = await context.adminDetector(region);
        if (!id) return [compared(base, 'findings export', expected, NO_DETECTOR)];
        const client = context.clients.guardduty(base.account, region);
        const destinations = await allPages(async (token) => {
          const page = await context.call(() => client.send(new ListPublishingDestinationsCommand({ DetectorId: id, NextToken: token })));
          return { items: page.Destinations ?? [], next: page.NextToken };
        });
        const described = await inTurn(destinations, (destination) =>
          context.call(() => client.send(new DescribePublishingDestinationCommand({ DetectorId: id, DestinationId: destination.DestinationId }))),
        );
        const text = (item: (typeof described)[number]) => `${item.DestinationType} ${item.DestinationProperties?.DestinationArn} ${item.Status}, ${keyText(item.DestinationProperties?.KmsKeyArn)}`;
        const conforms = (item: (typeof described)[number]) =>
          item.DestinationType === 'S3' && item.DestinationProperties?.DestinationArn === destination && item.Status === 'PUBLISHING' && keyArn.test(item.DestinationProperties?.KmsKeyArn ?? '');
        // The destination to compare: the conforming one, else the one that names the bucket (with or without a prefix).
        const ours =
          described.find(conforms) ??
          described.find((item) => item.DestinationProperties?.DestinationArn === bucket || item.DestinationProperties?.DestinationArn?.startsWith(`${bucket}/`)) ??
          described[0];
        const rows = [compared(base, 'findings export', expected, ours ? text(ours) : 'none', ours !== undefined && conforms(ours))];
        for (const other of described.filter((item) => item !== ours)) {
          rows.push(compared(base, `destination ${other.DestinationId}`, 'absent (not in the configuration)', text(other), false));
        }
        return rows;
      }),
  };
}

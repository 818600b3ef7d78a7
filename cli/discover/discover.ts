import { GetAdministratorAccountCommand, ListDetectorsCommand, ListOrganizationAdminAccountsCommand } from '@aws-sdk/client-guardduty';
import { ListDelegatedAdministratorsCommand } from '@aws-sdk/client-organizations';
import type { OrgConfig } from '../../lib/config/load';
import { classify, errorText, type CheckStatus } from '../common/aws-errors';
import type { AccountClients } from '../common/clients';
import { mapWithConcurrency } from '../common/pool';
import type { Progress } from '../common/progress';
import { withRetry, type RetryOptions } from '../common/retry';

/**
 * What GuardDuty already looks like in the listed accounts before the first deploy: detectors that
 * must be imported rather than created ("a detector already exists"), accounts another administrator
 * already manages, regions an account has not opted in to, and who is the organization's delegated
 * administrator per region.
 */

export type AccountRole = 'management' | 'admin' | 'sandbox' | 'member';

/** What discover reads with: GuardDuty in each account, Organizations in the management account. */
export type DiscoveryClients = Pick<AccountClients, 'guardduty' | 'organizations'>;

export interface AccountRegionState {
  readonly accountId: string;
  readonly roles: readonly AccountRole[];
  readonly region: string;
  readonly status: CheckStatus;
  /** GuardDuty allows one detector per account and region; more than one would be reported as found. */
  readonly detectorIds: readonly string[];
  /** The account's GuardDuty administrator in this region, if it has one. */
  readonly administrator?: { readonly accountId: string; readonly relationshipStatus: string };
  /** The AWS error, for anything but `ok`. */
  readonly error?: string;
}

export interface OrganizationRegionState {
  readonly region: string;
  readonly status: CheckStatus;
  /** Delegated GuardDuty administrators in this region, as the management account sees them. */
  readonly adminAccounts: readonly { readonly accountId: string; readonly status: string }[];
  readonly error?: string;
}

export interface Discovery {
  readonly accounts: readonly AccountRegionState[];
  /** Organizations mode only: the management account's view, per region. */
  readonly organization: readonly OrganizationRegionState[];
  /** Delegated administrators for GuardDuty in the organization (Organizations API, all regions). */
  readonly delegatedAdministrators?: readonly string[];
  readonly delegatedAdministratorsError?: string;
}

export interface DiscoverOptions {
  /** @default 8 */
  readonly concurrency?: number;
  readonly retry?: RetryOptions;
  readonly progress?: Progress;
}

export const GUARDDUTY_PRINCIPAL = 'guardduty.amazonaws.com';

/** Every account the configuration names, once, with the roles it plays. */
export function listedAccounts(config: Pick<OrgConfig, 'accounts' | 'members'>): { accountId: string; roles: AccountRole[] }[] {
  const roles = new Map<string, AccountRole[]>();
  const add = (accountId: string, role: AccountRole) => roles.set(accountId, [...(roles.get(accountId) ?? []), role]);
  add(config.accounts.admin, 'admin');
  add(config.accounts.sandbox, 'sandbox');
  for (const member of config.members) add(member.id, 'member');
  return [...roles].map(([accountId, list]) => ({ accountId, roles: list }));
}

export async function discover(config: OrgConfig, clients: DiscoveryClients, options: DiscoverOptions = {}): Promise<Discovery> {
  const retry = (call: () => Promise<any>) => withRetry(call, options.retry);
  const progress = options.progress;
  const organizations = config.mode === 'organizations';
  const checks = listedAccounts(config).flatMap((account) => config.regions.map((region) => ({ ...account, region })));
  progress?.start(checks.length + (organizations ? config.regions.length + 1 : 0));

  const accounts = await mapWithConcurrency(checks, options.concurrency ?? 8, async (check) => {
    const state = await readAccountRegion(clients, check, retry);
    progress?.tick(`${check.accountId} ${check.region}: ${describeState(state)}`);
    return state;
  });

  let organization: OrganizationRegionState[] = [];
  let delegated: Pick<Discovery, 'delegatedAdministrators' | 'delegatedAdministratorsError'> = {};
  if (organizations) {
    const management = config.accounts.management;
    organization = await mapWithConcurrency(config.regions, options.concurrency ?? 8, async (region) => {
      const state = await readOrganizationRegion(clients, management, region, retry);
      progress?.tick(`management ${region}: ${state.status === 'ok' ? `administrator ${state.adminAccounts.map((a) => a.accountId).join(', ') || 'none'}` : state.status}`);
      return state;
    });
    delegated = await readDelegatedAdministrators(clients, management, retry);
    progress?.tick(`management: delegated administrators ${delegated.delegatedAdministrators?.join(', ') ?? 'unknown'}`);
  }
  progress?.done();
  return { accounts, organization, ...delegated };
}

type Retry = (call: () => Promise<any>) => Promise<any>;

async function readAccountRegion(
  clients: DiscoveryClients,
  check: { accountId: string; roles: AccountRole[]; region: string },
  retry: Retry,
): Promise<AccountRegionState> {
  const base = { accountId: check.accountId, roles: check.roles, region: check.region };
  try {
    const client = clients.guardduty(check.accountId, check.region);
    const detectorIds: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await retry(() => client.send(new ListDetectorsCommand({ NextToken: nextToken })));
      detectorIds.push(...(page.DetectorIds ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    if (detectorIds.length === 0) return { ...base, status: 'ok', detectorIds };
    const { Administrator } = await retry(() => client.send(new GetAdministratorAccountCommand({ DetectorId: detectorIds[0] })));
    return {
      ...base,
      status: 'ok',
      detectorIds,
      ...(Administrator?.AccountId
        ? { administrator: { accountId: Administrator.AccountId, relationshipStatus: Administrator.RelationshipStatus ?? 'unknown' } }
        : {}),
    };
  } catch (error) {
    return { ...base, status: classify(error), detectorIds: [], error: errorText(error) };
  }
}

async function readOrganizationRegion(clients: DiscoveryClients, management: string, region: string, retry: Retry): Promise<OrganizationRegionState> {
  try {
    const client = clients.guardduty(management, region);
    const adminAccounts: { accountId: string; status: string }[] = [];
    let nextToken: string | undefined;
    do {
      const page = await retry(() => client.send(new ListOrganizationAdminAccountsCommand({ NextToken: nextToken })));
      for (const admin of page.AdminAccounts ?? []) adminAccounts.push({ accountId: admin.AdminAccountId ?? '?', status: admin.AdminStatus ?? 'unknown' });
      nextToken = page.NextToken;
    } while (nextToken);
    return { region, status: 'ok', adminAccounts };
  } catch (error) {
    return { region, status: classify(error), adminAccounts: [], error: errorText(error) };
  }
}

async function readDelegatedAdministrators(
  clients: DiscoveryClients,
  management: string,
  retry: Retry,
): Promise<Pick<Discovery, 'delegatedAdministrators' | 'delegatedAdministratorsError'>> {
  try {
    const client = clients.organizations(management);
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await retry(() => client.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: GUARDDUTY_PRINCIPAL, NextToken: nextToken })));
      ids.push(...(page.DelegatedAdministrators ?? []).map((admin: { Id?: string }) => admin.Id ?? '?'));
      nextToken = page.NextToken;
    } while (nextToken);
    return { delegatedAdministrators: ids };
  } catch (error) {
    return { delegatedAdministratorsError: errorText(error) };
  }
}

function describeState(state: AccountRegionState): string {
  if (state.status !== 'ok') return state.status;
  if (state.detectorIds.length === 0) return 'no detector';
  return `detector ${state.detectorIds[0]}${state.administrator ? `, administrator ${state.administrator.accountId}` : ''}`;
}

/**
 * The `existingDetectors` map for the configuration: detectors found in the accounts whose detector
 * this deployment manages (the admin account; every listed member in invitations mode). In
 * organizations mode, member detectors stay the organization's business and are not listed.
 */
export function existingDetectors(config: Pick<OrgConfig, 'mode' | 'accounts' | 'members'>, discovery: Discovery): Record<string, Record<string, string>> {
  const managed = managedDetectorAccounts(config);
  const map: Record<string, Record<string, string>> = {};
  for (const state of discovery.accounts) {
    if (!managed.has(state.accountId) || state.detectorIds.length === 0) continue;
    (map[state.accountId] ??= {})[state.region] = state.detectorIds[0];
  }
  return map;
}

/**
 * The `existingDelegations` list: regions where `accounts.admin` already is GuardDuty's delegated
 * administrator, so the organization stack imports the delegation instead of enabling it again.
 */
export function existingDelegations(config: Pick<OrgConfig, 'accounts'>, discovery: Discovery): string[] {
  return discovery.organization
    .filter((state) => state.adminAccounts.some((account) => account.accountId === config.accounts.admin))
    .map((state) => state.region);
}

export interface Findings {
  /** Accounts whose GuardDuty administrator is not `accounts.admin`: enrolling them fails until they are released. */
  readonly managedElsewhere: readonly AccountRegionState[];
  /** Regions where the organization delegates GuardDuty to another account. */
  readonly delegatedElsewhere: readonly OrganizationRegionState[];
  readonly regionsNotEnabled: readonly AccountRegionState[];
  readonly unreadable: readonly (AccountRegionState | OrganizationRegionState)[];
}

export function findings(config: Pick<OrgConfig, 'accounts'>, discovery: Discovery): Findings {
  const admin = config.accounts.admin;
  return {
    managedElsewhere: discovery.accounts.filter((state) => state.administrator && state.administrator.accountId !== admin),
    delegatedElsewhere: discovery.organization.filter((state) => state.adminAccounts.some((account) => account.accountId !== admin)),
    regionsNotEnabled: discovery.accounts.filter((state) => state.status === 'region-not-enabled'),
    unreadable: [...discovery.accounts, ...discovery.organization].filter((state) => state.status === 'access-denied' || state.status === 'error'),
  };
}

/**
 * The report a person reads before the first deploy. What could not be read is "unknown", never
 * "none": a detector or an administrator may well be there.
 */
export function formatDiscovery(config: Pick<OrgConfig, 'accounts' | 'mode' | 'members'>, discovery: Discovery): string {
  const found = findings(config, discovery);
  const unreadableAccounts = found.unreadable.filter((state): state is AccountRegionState => 'accountId' in state);
  const unreadableRegions = found.unreadable.filter((state): state is OrganizationRegionState => !('accountId' in state));
  const managed = managedDetectorAccounts(config);
  const where = (state: AccountRegionState) => `${state.accountId} ${state.region}`;
  const lines: string[] = [];

  const detectors = existingDetectors(config, discovery);
  const imports = Object.entries(detectors).flatMap(([account, regions]) => Object.entries(regions).map(([region, id]) => `${account} ${region}: ${id}`));
  lines.push(...section('Existing detectors to import (existingDetectors)', imports, unreadableAccounts.filter((state) => managed.has(state.accountId)).map(where)));
  lines.push(
    ...section(
      'Accounts already managed by another administrator',
      found.managedElsewhere.map(
        (state) => `${state.accountId} (${state.roles.join(', ')}) ${state.region}: administrator ${state.administrator?.accountId} (${state.administrator?.relationshipStatus}); disassociate it there first`,
      ),
      unreadableAccounts.map(where),
    ),
  );
  if (config.mode === 'organizations') {
    const regions = unreadableRegions.map((state) => `management ${state.region}`);
    const delegations = existingDelegations(config, discovery);
    lines.push(...section('Regions already delegated to accounts.admin, to import (existingDelegations)', delegations.length > 0 ? [JSON.stringify(delegations)] : [], regions, true));
    lines.push(
      ...section(
        'Regions delegated to another administrator',
        found.delegatedElsewhere.map((state) => `${state.region}: ${state.adminAccounts.map((account) => `${account.accountId} (${account.status})`).join(', ')}`),
        regions,
      ),
    );
    if (discovery.delegatedAdministrators) {
      lines.push(`Delegated administrators for ${GUARDDUTY_PRINCIPAL}: ${discovery.delegatedAdministrators.join(', ') || 'none'}`);
    } else if (discovery.delegatedAdministratorsError) {
      lines.push(`Delegated administrators for ${GUARDDUTY_PRINCIPAL}: unknown (${discovery.delegatedAdministratorsError})`);
    }
  }
  lines.push(...section('Regions not enabled (opt-in regions the account has not opted in to)', found.regionsNotEnabled.map(where), unreadableAccounts.map(where)));
  lines.push(`Could not read: ${found.unreadable.length === 0 && !discovery.delegatedAdministratorsError ? 'none' : ''}`);
  for (const state of found.unreadable) {
    const who = 'accountId' in state ? where(state) : `management ${state.region}`;
    lines.push(`  - ${who}: ${state.status}: ${state.error}`);
  }
  if (discovery.delegatedAdministratorsError) lines.push(`  - management: delegated administrators: ${discovery.delegatedAdministratorsError}`);
  return lines.map((line) => line.trimEnd()).join('\n');
}

/**
 * One heading of the report: its findings, then what could not be read and so may hide one. "none" only
 * when everything that could answer was read.
 */
function section(title: string, items: readonly string[], unknown: readonly string[], inline = false): string[] {
  if (items.length === 0 && unknown.length === 0) return [`${title}: none`];
  const lines = inline && items.length === 1 ? [`${title}: ${items[0]}`] : [`${title}:${items.length === 0 ? ' unknown' : ''}`, ...items.map((item) => `  - ${item}`)];
  if (unknown.length > 0) lines.push(`  - unknown for ${unknown.join(', ')} (could not be read)`);
  return lines;
}

/** Accounts whose detector this deployment manages: the admin account, and every listed member in invitations mode. */
function managedDetectorAccounts(config: Pick<OrgConfig, 'mode' | 'accounts' | 'members'>): Set<string> {
  return new Set([config.accounts.admin, ...(config.mode === 'invitations' ? config.members.map((member) => member.id) : [])]);
}

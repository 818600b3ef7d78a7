import type { Member, OrgConfig } from '../config/load';
import { exportAccounts } from '../config/export';
import type { Mode } from '../config/schema';
import { memberStackFeatureCount } from './member-plans';

/**
 * Which stacks exist, in which accounts and regions, and in what order they deploy: a pure function
 * of the configuration, so it can be tested, printed and reviewed without synthesizing anything.
 */

export type StackKind =
  | 'admin'
  | 'organization'
  | 'threat-intel'
  | 'members'
  | 'member-plans'
  | 'remediation'
  | 'remediation-scp'
  | 'simulation'
  | 'security-hub'
  | 'security-hub-members'
  | 'detective'
  | 'detective-members'
  | 'malware-protection';
export type AccountRole = 'management' | 'admin' | 'sandbox' | 'member' | 'log-archive' | 'bucket-owner';

export interface StackAccount {
  readonly role: AccountRole;
  readonly id: string;
}

export interface PlannedStack {
  readonly id: string;
  readonly kind: StackKind;
  /** One line on what the stack holds, for plans and reports. */
  readonly description: string;
  /** The accounts the stack has a provider for; the first is the stack's own account. */
  readonly accounts: readonly StackAccount[];
  readonly regions: readonly string[];
  /** Stacks that must be deployed first. */
  readonly dependsOn: readonly string[];
  /** Members enrolled by a members stack, in listing order. */
  readonly members: readonly Member[];
  readonly wave?: number;
  readonly part?: number;
}

export interface StackPlan {
  /** In a valid deploy order. */
  readonly stacks: readonly PlannedStack[];
  /** How many member accounts one members stack holds at most, for this configuration. */
  readonly maxAccountsPerStack: number;
}

/**
 * What a stack does to the member accounts it lists, as reports say it: a member-plans stack sets the
 * plans of accounts another stack enrolled.
 */
export function memberVerb(kind: StackKind): string {
  return kind === 'member-plans' ? 'sets the protection plans of' : 'enrolls';
}

/** Past about 50 accounts a plan is no longer something a person reviews. */
export const MAX_ACCOUNTS_PER_STACK = 50;
/**
 * No wave stack holds more than this many resources, counted in resource instances as a state holds
 * them (a keyed block is one instance per key), in the worst case of `BUDGET_REGIONS` regions and
 * every plan. Terraform plans each block's instances in time that grows with the block's own number
 * of instances, so a stack's blocks are small (a member account's blocks, 238 instances at most) and
 * its plan time grows with its instances, linearly: about 4,600 plan in minutes (docs/benchmark.md,
 * plan time). With the 17 standard regions and the six plans of the first release, a stack holds at
 * most 2,000, the budget the cut was made for until issue 24.
 */
export const MAX_RESOURCES_PER_STACK = 4600;
/**
 * The regions the worst case is counted for: every region of the commercial partition at issue 24,
 * its 17 standard and 17 opt-in regions. GovCloud and China have two each.
 */
export const BUDGET_REGIONS = 34;

export const STACK_IDS = {
  admin: 'admin',
  organization: 'organization',
  threatIntel: 'threat-intel',
  remediation: 'sandbox-remediation',
  remediationScp: 'remediation-scp',
  simulation: 'sandbox-simulation',
  securityHub: 'security-hub',
  detective: 'detective',
} as const;

/** `malware-protection-<account>`: the Malware Protection plans for the buckets of one account. */
export function malwareProtectionStackId(accountId: string): string {
  return `malware-protection-${accountId}`;
}

/** The stacks that enroll member accounts wave by wave, by their id prefix: GuardDuty's, and Security Hub's and Detective's beside them. */
export type WaveService = 'members' | 'member-plans' | typeof STACK_IDS.securityHub | typeof STACK_IDS.detective;

/**
 * `members-wave-2`, `detective-wave-1-part-2`. The first part keeps the plain name, so a wave that
 * grows into a second part does not move the state of the first.
 */
export function waveStackId(service: WaveService, wave: number, part: number): string {
  return part === 1 ? `${service}-wave-${wave}` : `${service}-wave-${wave}-part-${part}`;
}

/**
 * How many member accounts one wave stack holds, by kind of stack and mode: a fixed number, so that an
 * account stays in its stack whatever happens to the regions, the plans or the other waves (a member
 * that changed stack would be destroyed in one state and created in another: in invitations mode its
 * detectors and findings with it). A wave keeps its accounts in listing order and fills its parts in
 * turn, so accounts appended to a wave never move the others.
 *
 * The numbers are the cut the releases before issue 24 made for the 17 standard regions and the six
 * plans of the first release (2,000 resources a stack, at most `MAX_ACCOUNTS_PER_STACK` accounts),
 * frozen, so that such a deployment keeps every account where it is when it upgrades. Then they
 * depended on the number of regions and plans: a deployment cut for other numbers sees its waves cut
 * again once, and `rollout plan --since` moves those accounts from one state to the other (`removed`
 * and `import` blocks), deleting nothing. The worst case, `BUDGET_REGIONS` regions and every plan, is
 * at most `MAX_RESOURCES_PER_STACK` (tested); in invitations mode a stack also has a provider
 * configuration per member account, which costs a plan about as much as 200 resources (docs/benchmark.md).
 */
export const ACCOUNTS_PER_STACK: Readonly<Record<WaveService, Readonly<Record<Mode, number>>>> = {
  members: { organizations: 50, invitations: 13 },
  'member-plans': { organizations: 19, invitations: 50 },
  'security-hub': { organizations: 50, invitations: 39 },
  detective: { organizations: 50, invitations: 50 },
};

/** Resource instances one member account adds to a wave stack of the service, per region (the most of any region). */
export function resourcesPerMemberRegion(service: WaveService, config: Pick<OrgConfig, 'mode' | 'protection' | 'regions'>): number {
  const organizations = config.mode === 'organizations';
  switch (service) {
    case 'members':
      // organizations: the membership. invitations: the member's detector, the invitation, the
      // acceptance, and the plans of the first release (always the six: lib/guardduty/protection.ts says why).
      return organizations ? 1 : 1 + 2 + memberStackFeatureCount(config, 'members');
    case 'member-plans':
      // The other protection plans the administrator sets for a member.
      return memberStackFeatureCount(config, 'member-plans');
    case 'security-hub':
      // invitations: Security Hub enabled in the member, the invitation, and the acceptance.
      return organizations ? 1 : 3;
    case 'detective':
      // invitations: the membership and the acceptance.
      return organizations ? 1 : 2;
  }
}

/** How many member accounts one wave stack of the service holds at most: by mode alone (`ACCOUNTS_PER_STACK`). */
export function accountsPerStack(service: WaveService, config: Pick<OrgConfig, 'mode'>): number {
  return ACCOUNTS_PER_STACK[service][config.mode];
}

/** How many member accounts one GuardDuty members stack holds at most. */
export function maxAccountsPerStack(config: Pick<OrgConfig, 'mode'>): number {
  return accountsPerStack('members', config);
}

/** Members are enrolled explicitly in invitations mode, and in organizations mode unless every account is auto-enabled. */
export function enrollsMembersExplicitly(config: Pick<OrgConfig, 'mode' | 'autoEnable'>): boolean {
  return config.mode === 'invitations' || config.autoEnable !== 'ALL';
}

export function planStacks(config: OrgConfig): StackPlan {
  const { accounts, regions } = config;
  const admin: StackAccount = { role: 'admin', id: accounts.admin };
  const sandbox: StackAccount = { role: 'sandbox', id: accounts.sandbox };
  const stacks: PlannedStack[] = [];
  const add = (stack: Omit<PlannedStack, 'members'> & { members?: readonly Member[] }) =>
    stacks.push({ members: [], ...stack });

  const logArchive = logArchiveOfExport(config);
  add({
    id: STACK_IDS.admin,
    kind: 'admin',
    description: logArchive
      ? 'GuardDuty detector, protection plans and findings forwarder in every region of the admin account; central findings bus, e-mail, log group and SIEM queue in the home region; S3 export to the log-archive account'
      : 'GuardDuty detector, protection plans and findings forwarder in every region of the admin account; central findings bus, e-mail, log group, SIEM queue and S3 export in the home region',
    accounts: logArchive ? [admin, logArchive] : [admin],
    regions,
    dependsOn: [],
  });

  const organizations = config.mode === 'organizations';
  if (organizations) {
    add({
      id: STACK_IDS.organization,
      kind: 'organization',
      description: `delegated administrator (management account) and organization configuration (autoEnable ${config.autoEnable}) in every region`,
      accounts: [{ role: 'management', id: accounts.management }, admin],
      regions,
      dependsOn: [STACK_IDS.admin],
    });
  }

  /**
   * One service's member waves: wave N deploys after every part of wave N-1 (and `alsoAfter(N)`); the
   * parts of one wave are independent of each other. Returns the stack enrolling each account.
   */
  const addWaves = (service: WaveService, kind: StackKind, label: string, first: readonly string[], alsoAfter: (wave: number) => string[] = () => []) => {
    const perStack = accountsPerStack(service, config);
    const enrolledBy = new Map<string, string>();
    let previous = first;
    for (const [wave, members] of groupByWave(config.members)) {
      const ids: string[] = [];
      for (let start = 0, part = 1; start < members.length; start += perStack, part++) {
        const chunk = members.slice(start, start + perStack);
        const id = waveStackId(service, wave, part);
        add({
          id,
          kind,
          description: `${label}wave ${wave}${part > 1 ? ` part ${part}` : ''}: enrolls ${chunk.length} member account${chunk.length === 1 ? '' : 's'} in every region`,
          accounts: organizations ? [admin] : [admin, ...chunk.map((member) => ({ role: 'member' as const, id: member.id }))],
          regions,
          dependsOn: [...previous, ...alsoAfter(wave)],
          members: chunk,
          wave,
          part,
        });
        for (const member of chunk) enrolledBy.set(member.id, id);
        ids.push(id);
      }
      previous = ids;
    }
    return enrolledBy;
  };

  const limit = maxAccountsPerStack(config);
  const enrolledBy = enrollsMembersExplicitly(config)
    ? addWaves('members', 'members', '', [organizations ? STACK_IDS.organization : STACK_IDS.admin])
    : new Map<string, string>();

  // The protection plans the administrator sets for members enrolled explicitly (the organization
  // configuration reaches only the accounts GuardDuty enrolls by itself), in stacks of their own
  // beside the memberships: every plan of an organization member, and the plans newer than the first
  // release of an invited one. Cut by their own fixed number of accounts, so that switching a plan on
  // or off moves neither a membership nor a plan between stacks.
  if (enrollsMembersExplicitly(config) && resourcesPerMemberRegion('member-plans', config) > 0) {
    const perStack = accountsPerStack('member-plans', config);
    for (const [wave, members] of groupByWave(config.members)) {
      for (let start = 0, part = 1; start < members.length; start += perStack, part++) {
        const chunk = members.slice(start, start + perStack);
        add({
          id: waveStackId('member-plans', wave, part),
          kind: 'member-plans',
          description: `wave ${wave}${part > 1 ? ` part ${part}` : ''}: the protection plans of ${chunk.length} enrolled member account${chunk.length === 1 ? '' : 's'} in every region`,
          accounts: [admin],
          regions,
          dependsOn: [...new Set(chunk.map((member) => enrolledBy.get(member.id) as string))],
          members: chunk,
          wave,
          part,
        });
      }
    }
  }

  const remediation = config.remediation.mode !== 'off';
  // The service control policy that reserves the remediation's tags (issue 22): in the management
  // account, the only one that manages policies, in a stack of its own (an organization-wide guardrail
  // reviewed and rolled back on its own). The remediation waits for it, so the exemption tag is never
  // honoured before the policy reserves it.
  const scp = remediation && organizations && config.remediation.serviceControlPolicy.enabled;
  if (scp) {
    add({
      id: STACK_IDS.remediationScp,
      kind: 'remediation-scp',
      description: "the service control policy that reserves the remediation's tags and revocation policies for the security team, attached to its targets",
      accounts: [{ role: 'management', id: accounts.management }],
      regions: [config.homeRegion],
      dependsOn: [],
    });
  }
  if (remediation) {
    add({
      id: STACK_IDS.remediation,
      kind: 'remediation',
      description: `remediation Lambdas, rules, notifications and alarms in the sandbox account (mode ${config.remediation.mode})`,
      accounts: [sandbox],
      // Rules and Lambdas in the home region unless remediation.regions is "all".
      regions: config.remediation.regions === 'all' ? regions : [config.homeRegion],
      dependsOn: scp ? [STACK_IDS.remediationScp] : [],
    });
  }

  const simulation = config.simulation.enabled;
  if (simulation) {
    // Findings are raised only once the sandbox has a detector, and are worth raising only once the
    // remediation is listening.
    const sandboxEnrollment = enrolledBy.get(accounts.sandbox) ?? (organizations ? STACK_IDS.organization : undefined);
    add({
      id: STACK_IDS.simulation,
      kind: 'simulation',
      description: "the lab's VPC, instances, Elastic IP, IAM user and role, table and parameter in the sandbox account",
      accounts: [sandbox],
      regions: [config.homeRegion],
      dependsOn: [...(remediation ? [STACK_IDS.remediation] : []), ...(sandboxEnrollment ? [sandboxEnrollment] : [])],
    });
  }

  if (config.threatLists.length > 0 || config.trustedIpList || config.filters.length > 0) {
    add({
      id: STACK_IDS.threatIntel,
      kind: 'threat-intel',
      description: 'threat lists, trusted IP list and suppression filters on the admin detector in every region',
      accounts: [admin],
      regions,
      dependsOn: [STACK_IDS.admin, ...(simulation && config.threatLists.length > 0 ? [STACK_IDS.simulation] : [])],
    });
  }

  // Security Hub and Detective (issue 9). Their member waves are stacks of their own rather than part
  // of the GuardDuty members stacks: Detective's auto-enable never reaches accounts that are already
  // in the organization, so its waves exist even where GuardDuty's do not (autoEnable ALL), and either
  // service can be switched on or off without moving GuardDuty state. An account added to wave N still
  // changes only wave N's stacks.
  const management: StackAccount = { role: 'management', id: accounts.management };
  if (config.securityHub.enabled) {
    add({
      id: STACK_IDS.securityHub,
      kind: 'security-hub',
      description: organizations
        ? 'Security Hub in the admin account with the GuardDuty integration, delegated administrator and organization configuration in every region, finding aggregator in the home region'
        : 'Security Hub in the admin account with the GuardDuty integration in every region, finding aggregator in the home region',
      accounts: organizations ? [admin, management] : [admin],
      regions,
      dependsOn: [STACK_IDS.admin],
    });
    addWaves(STACK_IDS.securityHub, 'security-hub-members', 'Security Hub ', [STACK_IDS.securityHub]);
  }

  if (config.detective.enabled) {
    add({
      id: STACK_IDS.detective,
      kind: 'detective',
      // Detective builds on GuardDuty findings: the admin detector comes first.
      description: organizations
        ? 'Detective behavior graph in the admin account, delegated administrator and organization configuration in every region'
        : 'Detective behavior graph in the admin account in every region',
      accounts: organizations ? [admin, management] : [admin],
      regions,
      dependsOn: [STACK_IDS.admin],
    });
    // An account joins Detective once it is a GuardDuty member (Detective leaves accounts that have
    // been GuardDuty customers for less than 48 hours "not enabled" until it can enable them).
    const guardDutyWave = (wave: number) => stacks.filter((stack) => stack.kind === 'members' && stack.wave === wave).map((stack) => stack.id);
    addWaves(STACK_IDS.detective, 'detective-members', 'Detective ', [STACK_IDS.detective], guardDutyWave);
  }

  // Malware Protection for S3 (issue 14): a plan can only be made by the account that owns the bucket,
  // so each such account gets a stack of its own, with nothing to wait for.
  for (const [accountId, buckets] of bucketsByAccount(config)) {
    const count = `${buckets.length} bucket${buckets.length === 1 ? '' : 's'}`;
    add({
      id: malwareProtectionStackId(accountId),
      kind: 'malware-protection',
      description: `Malware Protection for S3 on ${count} of account ${accountId}, with the role GuardDuty scans each bucket with`,
      accounts: [{ role: roleOf(config, accountId), id: accountId }],
      regions: [...new Set(buckets.map((bucket) => bucket.region))],
      dependsOn: [],
    });
  }

  return { stacks: topologicalOrder(stacks), maxAccountsPerStack: limit };
}

/** The protected buckets by owning account, accounts in the order they are first listed. */
export function bucketsByAccount(config: Pick<OrgConfig, 'malwareProtection'>): Map<string, OrgConfig['malwareProtection']['s3'][number][]> {
  const byAccount = new Map<string, OrgConfig['malwareProtection']['s3'][number][]>();
  for (const bucket of config.malwareProtection.s3) byAccount.set(bucket.account, [...(byAccount.get(bucket.account) ?? []), bucket]);
  return byAccount;
}

/** What an account is to this deployment, for its provider and role name. */
function roleOf(config: OrgConfig, accountId: string): AccountRole {
  const { accounts } = config;
  if (accountId === accounts.management) return 'management';
  if (accountId === accounts.admin) return 'admin';
  if (accountId === accounts.sandbox) return 'sandbox';
  if (accountId === accounts.logArchive) return 'log-archive';
  return config.members.some((member) => member.id === accountId) ? 'member' : 'bucket-owner';
}

/** The log-archive account, when the findings export keeps its bucket or key there. */
function logArchiveOfExport(config: OrgConfig): StackAccount | undefined {
  const { bucket, key } = exportAccounts(config.export);
  const id = config.accounts.logArchive;
  return config.export.enabled && id !== undefined && (bucket === 'logArchive' || key === 'logArchive') ? { role: 'log-archive', id } : undefined;
}

function groupByWave(members: readonly Member[]): [number, Member[]][] {
  const waves = new Map<number, Member[]>();
  for (const member of members) {
    const list = waves.get(member.wave) ?? [];
    list.push(member);
    waves.set(member.wave, list);
  }
  return [...waves.entries()].sort(([a], [b]) => a - b);
}

/**
 * Stacks grouped into deploy steps: every stack of a step depends only on stacks of earlier steps,
 * so the stacks of one step can be deployed in parallel.
 */
export function deploySteps(plan: StackPlan): PlannedStack[][] {
  const step = new Map<string, number>();
  const steps: PlannedStack[][] = [];
  for (const stack of plan.stacks) {
    const index = Math.max(-1, ...stack.dependsOn.map((id) => step.get(id) ?? -1)) + 1;
    step.set(stack.id, index);
    (steps[index] ??= []).push(stack);
  }
  return steps;
}

/** Kahn's algorithm, stable in insertion order; throws on a cycle or an unknown dependency. */
function topologicalOrder(stacks: readonly PlannedStack[]): PlannedStack[] {
  const byId = new Map(stacks.map((stack) => [stack.id, stack]));
  for (const stack of stacks) {
    for (const dependency of stack.dependsOn) {
      if (!byId.has(dependency)) throw new Error(`stack plan: ${stack.id} depends on unknown stack ${dependency}`);
    }
  }
  const done = new Set<string>();
  const ordered: PlannedStack[] = [];
  while (ordered.length < stacks.length) {
    const next = stacks.find((stack) => !done.has(stack.id) && stack.dependsOn.every((id) => done.has(id)));
    if (!next) throw new Error('stack plan: dependency cycle');
    done.add(next.id);
    ordered.push(next);
  }
  return ordered;
}

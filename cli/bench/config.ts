import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Mode } from '../../lib/config/schema';
import { STANDARD_REGIONS } from '../../lib/aws/regions';

/**
 * Configurations for the benchmark: an organization of a given size, with every feature switched on
 * so that every stack exists, written as the real files a platform team keeps (org.json, a member
 * CSV and list files) so the app loads them through the same loader as in production.
 */

export interface BenchOrganization {
  readonly mode: Mode;
  /** Member accounts, the sandbox included (it must be enrolled for its findings to reach the admin). */
  readonly members: number;
  /** @default 3: a pilot, an early and a main wave, as a rollout is usually cut. */
  readonly waves?: number;
  /** Accounts in each wave, in order, instead of `waves` even ones; they must add up to `members`. */
  readonly waveSizes?: readonly number[];
  /** @default the 17 standard regions */
  readonly regions?: readonly string[];
}

export const BENCH_ACCOUNTS = { management: '100000000001', admin: '100000000002', sandbox: '100000000003' } as const;

/** The file names inside the configuration folder. */
export const BENCH_FILES = {
  config: 'org.json',
  members: 'accounts.csv',
  threatList: 'lists/threat-list.txt',
  trustedIpList: 'lists/trusted.txt',
} as const;

/** Member account ids: the sandbox first, then ids that cannot collide with the fixed accounts. */
export function memberIds(count: number): string[] {
  return Array.from({ length: count }, (_, index) => (index === 0 ? BENCH_ACCOUNTS.sandbox : String(200000000000 + index)));
}

/** Waves 1..waves over the members in listing order, as even as whole accounts allow. */
export function waveOf(index: number, count: number, waves: number): number {
  const used = Math.max(1, Math.min(waves, count));
  return Math.floor((index * used) / count) + 1;
}

/**
 * The files of one configuration, by name relative to `folder`. Paths inside org.json are absolute
 * (inside `folder`, where the loader requires them to be). The threat list holds documentation
 * addresses, like the shipped example's, so it acknowledges them.
 */
export function benchConfigFiles(organization: BenchOrganization, folder: string): Record<string, string> {
  const waves = organization.waves ?? 3;
  const regions = organization.regions ?? STANDARD_REGIONS;
  const ids = memberIds(organization.members);
  const sized = organization.waveSizes;
  if (sized && sized.reduce((sum, size) => sum + size, 0) !== ids.length) throw new Error(`wave sizes ${sized.join(', ')} do not add up to ${ids.length} members`);
  const wave = (index: number) => (sized ? sized.findIndex((_, w) => index < sized.slice(0, w + 1).reduce((sum, size) => sum + size, 0)) + 1 : waveOf(index, ids.length, waves));
  const csv = ['AccountId,EmailAddress,Name,Wave', ...ids.map((id, index) => `${id},aws-${id}@example.com,account-${index},${wave(index)}`)];
  const org = {
    name: 'bench',
    mode: organization.mode,
    homeRegion: regions[0],
    regions,
    roleName: 'OrganizationAccountAccessRole',
    managementRoleName: 'GuardDutyDeployment',
    accounts: BENCH_ACCOUNTS,
    membersFile: path.join(folder, BENCH_FILES.members),
    // NEW rather than ALL in organizations mode, so members are enrolled explicitly, wave by wave,
    // and the members stacks exist in both modes.
    ...(organization.mode === 'organizations' ? { organizationId: 'o-bench00001', autoEnable: 'NEW' } : {}),
    findingPublishingFrequency: 'FIFTEEN_MINUTES',
    threatLists: [{ name: 'Bench-Threat-List', file: path.join(folder, BENCH_FILES.threatList), acknowledge: ['reserved-threat-range'] }],
    trustedIpList: { name: 'Bench-Trusted', file: path.join(folder, BENCH_FILES.trustedIpList) },
    filters: [
      {
        name: 'archive-low-severity-sandbox',
        action: 'ARCHIVE',
        rank: 1,
        criteria: { accountId: { eq: [BENCH_ACCOUNTS.sandbox] }, severity: { lt: 4 } },
      },
    ],
    notifications: { emails: ['secops@example.com'] },
    remediation: { mode: 'auto' },
    simulation: { enabled: true },
    securityHub: { enabled: true },
    detective: { enabled: true },
    backend: { type: 'local' },
  };
  return {
    [BENCH_FILES.config]: `${JSON.stringify(org, null, 2)}\n`,
    [BENCH_FILES.members]: `${csv.join('\n')}\n`,
    [BENCH_FILES.threatList]: '198.51.100.23\n203.0.113.0/28\n',
    [BENCH_FILES.trustedIpList]: '192.0.2.10\n',
  };
}

/** Writes one configuration into `folder`; returns the path of its org.json. */
export function writeBenchConfig(organization: BenchOrganization, folder: string): string {
  for (const [name, text] of Object.entries(benchConfigFiles(organization, folder))) {
    const file = path.join(folder, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return path.join(folder, BENCH_FILES.config);
}

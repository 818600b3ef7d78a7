import { parseGraphArn } from '../aws/detective';
import type { Problem } from '../problems';
import type { RawConfig } from './schema';

/** The fields the Security Hub and Detective checks read; any of them may be missing when invalid. */
export interface InvestigationFields {
  readonly mode?: RawConfig['mode'];
  readonly regions?: readonly string[];
  readonly accounts?: { readonly admin?: string };
  readonly securityHub?: RawConfig['securityHub'];
  readonly detective?: RawConfig['detective'];
  /** How many member accounts are listed (inline and in membersFile). */
  readonly memberCount?: number;
}

/**
 * Member accounts of one Detective behavior graph: "An administrator account can have up to 1,200
 * member accounts in each behavior graph" (Detective administration guide, "Detective quotas"; one
 * graph per account and region).
 */
export const DETECTIVE_MEMBER_QUOTA = 1_200;

/**
 * Checks of `securityHub` and `detective` that need other fields: settings that only mean something
 * in organizations mode, repeated standards, and behavior graphs to import.
 */
export function checkInvestigation(fields: InvestigationFields, file: string, problems: Problem[], data: unknown): void {
  // An invalid `enabled` makes the whole object invalid in `fields`; its other settings are still
  // checked, from the data as written, so one run reports everything.
  const securityHub = fields.securityHub ?? written(data, 'securityHub');
  const detective = fields.detective ?? written(data, 'detective');
  const organizationsOnly = (key: 'securityHub' | 'detective', service: string) => {
    if (fields.mode === 'invitations' && { securityHub, detective }[key]?.autoEnable !== undefined) {
      problems.push({
        file,
        path: `${key}.autoEnable`,
        message: `applies to organizations mode only (${service} enables new accounts of the organization); in invitations mode every account is enrolled from members, so remove it`,
      });
    }
  };
  organizationsOnly('securityHub', 'Security Hub');
  organizationsOnly('detective', 'Detective');

  const seen = new Set<string>();
  (securityHub?.standards ?? []).forEach((standard, index) => {
    if (seen.has(standard)) problems.push({ file, path: `securityHub.standards[${index}]`, message: `${JSON.stringify(standard)} is listed twice` });
    seen.add(standard);
  });

  if (fields.detective?.enabled && fields.memberCount !== undefined && fields.memberCount > DETECTIVE_MEMBER_QUOTA) {
    problems.push({
      file,
      path: 'detective.enabled',
      message:
        `${fields.memberCount.toLocaleString('en-US')} member accounts are listed; a Detective behavior graph holds at most ${DETECTIVE_MEMBER_QUOTA.toLocaleString('en-US')} members ` +
        '(GuardDuty takes 50,000): switch Detective off here and enroll a subset another way, or split the organization between administrators',
    });
  }

  const admin = fields.accounts?.admin;
  for (const [region, arn] of Object.entries(detective?.existingGraphs ?? {})) {
    const at = `detective.existingGraphs.${region}`;
    if (fields.regions && !fields.regions.includes(region)) {
      problems.push({ file, path: at, message: `region is not in regions (${fields.regions.join(', ')})` });
    }
    const graph = parseGraphArn(arn);
    if (!graph) {
      problems.push({
        file,
        path: at,
        message: `must be a behavior graph ARN, arn:aws:detective:${region}:${admin ?? '<admin account>'}:graph:<32 lowercase hex characters>; got ${JSON.stringify(arn)}`,
      });
      continue;
    }
    if (graph.region !== region) problems.push({ file, path: at, message: `is a graph in ${graph.region}, not in ${region}` });
    if (admin && graph.accountId !== admin) {
      problems.push({ file, path: at, message: `belongs to account ${graph.accountId}, not to the admin account (accounts.admin ${admin}); only the admin account's graphs are managed here` });
    }
  }
}

/** The settings of `securityHub` or `detective` that have the right type, from the data as written. */
function written(data: unknown, key: 'securityHub' | 'detective'): { autoEnable?: boolean; standards?: string[]; existingGraphs?: Record<string, string> } {
  const value = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'object' || value === null) return {};
  const { autoEnable, standards, existingGraphs } = value as Record<string, unknown>;
  return {
    ...(typeof autoEnable === 'boolean' ? { autoEnable } : {}),
    ...(Array.isArray(standards) ? { standards: standards.filter((standard): standard is string => typeof standard === 'string') } : {}),
    ...(typeof existingGraphs === 'object' && existingGraphs !== null
      ? { existingGraphs: Object.fromEntries(Object.entries(existingGraphs).filter((entry): entry is [string, string] => typeof entry[1] === 'string')) }
      : {}),
  };
}

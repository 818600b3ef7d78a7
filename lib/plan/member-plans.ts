import type { OrgConfig } from '../config/load';
import { detectorFeatures, type DetectorFeature } from '../guardduty/protection';

/*
 * Which kind of stack holds a member's protection plans: part of the stack layout, because the number
 * of plans a stack holds per member sets how many members fit in it (lib/plan/stacks.ts).
 */

/**
 * The plans of the first release of this tool: the plans an invited member's stack has always held.
 * Newer plans of an invited member go to the member-plans stacks instead, so that switching one on
 * never changes how many accounts fit a members stack (a member moved to another stack would have its
 * detector destroyed and created again).
 */
const FIRST_RELEASE_PLANS: ReadonlySet<string> = new Set(['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING']);

/** The stacks that hold a member's plans: its members stack, or a member-plans stack. */
export type MemberPlanStack = 'members' | 'member-plans';

/**
 * The features the administrator sets for each member in a region, in one kind of stack: invited
 * members' first-release plans stay beside their memberships, as they always were; every other
 * member plan (all of them for organization members enrolled explicitly) is in a member-plans stack.
 */
export function memberStackFeatures(config: Pick<OrgConfig, 'mode' | 'protection'>, region: string, stack: MemberPlanStack): DetectorFeature[] {
  return detectorFeatures(config.protection, region, 'members').filter((feature) => {
    const inMembersStack = config.mode === 'invitations' && FIRST_RELEASE_PLANS.has(feature.name);
    return stack === 'members' ? inMembersStack : !inMembersStack;
  });
}

/** The most member features one region puts in that kind of stack, for budgets counted in resource instances. */
export function memberStackFeatureCount(config: Pick<OrgConfig, 'mode' | 'protection' | 'regions'>, stack: MemberPlanStack): number {
  return Math.max(0, ...config.regions.map((region) => memberStackFeatures(config, region, stack).length));
}

import { AI_ANALYST_REGIONS, PLANS, planSettings, type PlanValue } from '../guardduty/protection';
import { PROVIDER_FEATURES } from '../terraform/provider-version';
import type { Problem } from '../problems';
import type { Protection } from './schema';

/** The fields the protection checks read; any of them may be missing when invalid. */
export interface ProtectionFields {
  readonly regions?: readonly string[];
  readonly protection?: Protection;
  readonly providerVersion?: string;
}

/**
 * Checks of `protection` that the schema cannot make: excluded regions that are configured regions,
 * no agent switched on under a plan that is off, the AI analyst where GuardDuty offers it, and a
 * pinned provider for a value whose first provider release is unverified.
 */
export function checkProtection(fields: ProtectionFields, file: string, problems: Problem[]): void {
  const protection = fields.protection;
  if (!protection) return;
  for (const plan of PLANS) {
    const value = protection[plan.key] as PlanValue | undefined;
    if (typeof value !== 'object') continue;
    const at = `protection.${plan.key}`;
    const seen = new Set<string>();
    value.excludeRegions.forEach((region, index) => {
      if (fields.regions && !fields.regions.includes(region)) {
        problems.push({ file, path: `${at}.excludeRegions[${index}]`, message: `${JSON.stringify(region)} is not in regions (${fields.regions.join(', ')})` });
      } else if (seen.has(region)) {
        problems.push({ file, path: `${at}.excludeRegions[${index}]`, message: `${JSON.stringify(region)} is listed twice` });
      }
      seen.add(region);
    });
    if (!value.enabled) {
      for (const setting of plan.settings) {
        if (value[setting.key] === true) {
          problems.push({ file, path: `${at}.${setting.key}`, message: `is true, but the plan is switched off (${at}.enabled is false): GuardDuty applies a plan's settings only while the plan is on` });
        }
      }
    }
  }

  const analyst = planSettings(protection).find((setting) => setting.plan.key === 'aiAnalyst');
  if (analyst?.enabled && fields.regions) {
    const offered = fields.regions.filter((region) => AI_ANALYST_REGIONS.includes(region) && !analyst.excludeRegions.includes(region));
    if (offered.length === 0) {
      problems.push({
        file,
        path: 'protection.aiAnalyst',
        message: `is on, but GuardDuty Investigation (AI_ANALYST) is offered only in ${AI_ANALYST_REGIONS.join(', ')}, and none of them is a region it would be set in`,
      });
    }
  }

  const rds = protection.rdsLogin as PlanValue | undefined;
  if (typeof rds === 'object' && rds.dataActivity !== undefined && fields.providerVersion === undefined) {
    problems.push({
      file,
      path: 'protection.rdsLogin.dataActivity',
      message:
        `needs providerVersion pinned to a hashicorp/aws release you have checked accepts RDS_DATA_RISK (${PROVIDER_FEATURES.rdsDataRisk.since} or newer): ` +
        'the provider checks the name against its AWS SDK, and which release first carries it is not verified',
    });
  }
}

/**
 * Security Hub facts that the configuration and the stacks share: which standards can be enabled and
 * their ARNs, and the GuardDuty integration's product ARN. Pure data, no cdktf.
 */
import { arn } from './partition';

/**
 * Standards by the name used in the configuration: the part of the standard's ARN after
 * `standards/` (or `ruleset/`), so a reader can match it to the Security Hub documentation.
 */
export const SECURITY_HUB_STANDARDS = [
  'aws-foundational-security-best-practices/v/1.0.0',
  'aws-resource-tagging-standard/v/1.0.0',
  'cis-aws-foundations-benchmark/v/1.2.0',
  'cis-aws-foundations-benchmark/v/1.4.0',
  'cis-aws-foundations-benchmark/v/3.0.0',
  'nist-800-53/v/5.0.0',
  'nist-800-171/v/2.0.0',
  'pci-dss/v/3.2.1',
  'pci-dss/v/4.0.1',
] as const;

export type SecurityHubStandard = (typeof SECURITY_HUB_STANDARDS)[number];

/**
 * The ARN to subscribe to in a region. CIS 1.2.0 predates regional standards: its ARN is a global
 * `ruleset` with no region in it, while every later standard is `<region>::standards/...`.
 */
export function standardArn(standard: SecurityHubStandard, region: string): string {
  return standard === 'cis-aws-foundations-benchmark/v/1.2.0'
    ? arn(region, 'securityhub', '', '', `ruleset/${standard}`)
    : arn(region, 'securityhub', region, '', `standards/${standard}`);
}

/** The GuardDuty integration: findings GuardDuty sends to Security Hub in that region. */
export function guardDutyProductArn(region: string): string {
  return arn(region, 'securityhub', region, '', 'product/aws/guardduty');
}

/** How the home region's finding aggregator links the other regions of the deployment. */
export function aggregatorLinking(regions: readonly string[], homeRegion: string): { linkingMode: string; specifiedRegions?: string[] } {
  const linked = regions.filter((region) => region !== homeRegion);
  // With the home region alone there is nothing to link; NO_REGIONS keeps the aggregator (and the
  // home region's role as aggregation region), so adding a region later is an update in place.
  return linked.length === 0 ? { linkingMode: 'NO_REGIONS' } : { linkingMode: 'SPECIFIED_REGIONS', specifiedRegions: linked };
}

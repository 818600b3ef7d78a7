import type { PlanKey } from './protection';

/**
 * What GuardDuty bills, as GetUsageStatistics names it (`UsageFeature` in @aws-sdk/client-guardduty),
 * and the plan of the configuration's `protection` each belongs to. The foundational sources
 * (CloudTrail management events, DNS logs, VPC flow logs) are billed whenever a detector is on.
 */
export type BilledPlan = PlanKey | 'foundational';

export const USAGE_FEATURES: Readonly<Record<string, BilledPlan>> = {
  CLOUD_TRAIL: 'foundational',
  DNS_LOGS: 'foundational',
  FLOW_LOGS: 'foundational',
  S3_DATA_EVENTS: 's3',
  EKS_AUDIT_LOGS: 'eksAuditLogs',
  EBS_MALWARE_PROTECTION: 'ebsMalware',
  RDS_LOGIN_EVENTS: 'rdsLogin',
  RDS_DBI_PROTECTION_PROVISIONED: 'rdsLogin',
  RDS_DBI_PROTECTION_SERVERLESS: 'rdsLogin',
  RDS_DBI_PROTECTION_LIMITLESS: 'rdsLogin',
  RDS_DATA_ACTIVITY_DBI_PROTECTION_PROVISIONED: 'rdsLogin',
  RDS_DATA_ACTIVITY_DBI_PROTECTION_SERVERLESS: 'rdsLogin',
  RDS_DATA_ACTIVITY_DBI_PROTECTION_LIMITLESS: 'rdsLogin',
  LAMBDA_NETWORK_LOGS: 'lambdaNetwork',
  EKS_RUNTIME_MONITORING: 'runtimeMonitoring',
  FARGATE_RUNTIME_MONITORING: 'runtimeMonitoring',
  EC2_RUNTIME_MONITORING: 'runtimeMonitoring',
  AI_PROTECTION: 'aiProtection',
};

/** Plans in the order reports show them: the detector first, then as the configuration lists them. */
export const BILLED_PLANS: readonly BilledPlan[] = ['foundational', 's3', 'eksAuditLogs', 'ebsMalware', 'rdsLogin', 'lambdaNetwork', 'runtimeMonitoring', 'aiProtection'];

/** GetUsageStatistics reports the last 30 days ("Lists usage statistics ... over the last 30 days"). */
export const USAGE_DAYS = 30;
/** An average month: 365 / 12 days. */
export const DAYS_PER_MONTH = 365 / 12;

/** The plan a billed feature belongs to; an unknown (newer) feature is reported under its own name. */
export function billedPlan(feature: string): BilledPlan | string {
  return USAGE_FEATURES[feature] ?? feature;
}

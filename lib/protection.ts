import type { AutoEnable, Protection } from './config/schema';

/**
 * GuardDuty protection plans as detector features (the `datasources` block is deprecated upstream).
 * RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING; the two cannot be set together, so only the
 * former is used, with its agent management for EKS, ECS Fargate and EC2.
 */
export interface DetectorFeature {
  readonly name: string;
  readonly enabled: boolean;
  readonly additionalConfiguration: readonly string[];
}

const FEATURES: readonly { key: keyof Protection; name: string; additionalConfiguration?: readonly string[] }[] = [
  { key: 's3', name: 'S3_DATA_EVENTS' },
  { key: 'eksAuditLogs', name: 'EKS_AUDIT_LOGS' },
  { key: 'ebsMalware', name: 'EBS_MALWARE_PROTECTION' },
  { key: 'rdsLogin', name: 'RDS_LOGIN_EVENTS' },
  { key: 'lambdaNetwork', name: 'LAMBDA_NETWORK_LOGS' },
  {
    key: 'runtimeMonitoring',
    name: 'RUNTIME_MONITORING',
    additionalConfiguration: ['EKS_ADDON_MANAGEMENT', 'ECS_FARGATE_AGENT_MANAGEMENT', 'EC2_AGENT_MANAGEMENT'],
  },
];

/** Every feature, enabled or not: a plan that is switched off is set DISABLED explicitly, since
 * GuardDuty turns some on by default for new detectors. */
export function detectorFeatures(protection: Protection): DetectorFeature[] {
  return FEATURES.map((feature) => ({
    name: feature.name,
    enabled: protection[feature.key],
    additionalConfiguration: feature.additionalConfiguration ?? [],
  }));
}

export const FEATURE_COUNT = FEATURES.length;

export function featureStatus(enabled: boolean): 'ENABLED' | 'DISABLED' {
  return enabled ? 'ENABLED' : 'DISABLED';
}

/** A feature as the detector-feature resources take it: the plan and its agent management alike. */
export function featureSettings(feature: DetectorFeature) {
  const status = featureStatus(feature.enabled);
  return {
    name: feature.name,
    status,
    additionalConfiguration: feature.additionalConfiguration.map((name) => ({ name, status })),
  };
}

/** What the organization configuration auto-enables for a feature: the org-wide choice, or nothing. */
export function featureAutoEnable(enabled: boolean, autoEnable: AutoEnable): AutoEnable {
  return enabled ? autoEnable : 'NONE';
}

import { compareVersions, PROVIDER_FEATURES, type ProviderFeature } from '../terraform/provider-version';

/**
 * GuardDuty protection plans as detector features (the `datasources` block is deprecated upstream),
 * from GuardDuty's API model (`DetectorFeature`, `OrgFeature`, `FeatureAdditionalConfiguration` in
 * @aws-sdk/client-guardduty). EKS_RUNTIME_MONITORING is left out: RUNTIME_MONITORING supersedes it and
 * the API refuses the two together.
 */

/** A plan's key in the configuration's `protection` (lib/config/schema.ts has one entry per key). */
export type PlanKey = 's3' | 'eksAuditLogs' | 'ebsMalware' | 'rdsLogin' | 'lambdaNetwork' | 'runtimeMonitoring' | 'aiProtection' | 'aiAnalyst';

/** What the organization configuration enables for accounts (GuardDuty's `AutoEnableMembers`). */
export const AUTO_ENABLE = ['ALL', 'NEW', 'NONE'] as const;
export type AutoEnable = (typeof AUTO_ENABLE)[number];

/** An additional configuration of a plan (an agent GuardDuty manages, an add-on). */
export interface PlanSettingDefinition {
  /** Key in the plan's object form. */
  readonly key: string;
  /** GuardDuty's name (`FeatureAdditionalConfiguration`). */
  readonly name: string;
  readonly what: string;
  /** Written only when configured, because it needs a newer provider than the bindings. @default written with the plan */
  readonly provider?: ProviderFeature;
}

export interface PlanDefinition {
  readonly key: PlanKey;
  /** GuardDuty's feature name. */
  readonly name: string;
  /** What it protects, for documents and messages. */
  readonly what: string;
  readonly settings: readonly PlanSettingDefinition[];
  /**
   * `members`: a plan of every detector (the administrator's, the organization configuration's, each
   * member's). `administrator`: a feature of the administrator's own detector only (`DetectorFeature`
   * has it, `OrgFeature` does not).
   */
  readonly scope: 'members' | 'administrator';
  /** The value is newer than the bindings' provider. @default the bindings' provider has it */
  readonly provider?: ProviderFeature;
  /** Why the plan is not offered in a region, or undefined where it is. @default offered everywhere */
  readonly unavailable?: (region: string) => string | undefined;
}

/** The ten regions of GuardDuty Investigation's preview (user guide, "GuardDuty Investigation (Preview)"). */
export const AI_ANALYST_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-2', 'ca-central-1',
  'eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-north-1', 'ap-northeast-1',
];

export const PLANS: readonly PlanDefinition[] = [
  { key: 's3', name: 'S3_DATA_EVENTS', what: 'S3 Protection: CloudTrail data events of S3 buckets (object reads, writes, deletes)', settings: [], scope: 'members' },
  { key: 'eksAuditLogs', name: 'EKS_AUDIT_LOGS', what: 'EKS Protection: the Kubernetes audit logs of EKS clusters', settings: [], scope: 'members' },
  {
    key: 'ebsMalware',
    name: 'EBS_MALWARE_PROTECTION',
    what: 'Malware Protection for EC2: scans the EBS volumes of instances and containers that a finding names',
    settings: [],
    scope: 'members',
  },
  {
    key: 'rdsLogin',
    name: 'RDS_LOGIN_EVENTS',
    what: 'RDS Protection: login activity of Aurora and RDS databases',
    settings: [
      {
        key: 'dataActivity',
        name: 'RDS_DATA_RISK',
        what: 'data activity (queries) of Aurora PostgreSQL and RDS for PostgreSQL: exfiltration and destruction',
        provider: PROVIDER_FEATURES.rdsDataRisk,
      },
    ],
    scope: 'members',
  },
  { key: 'lambdaNetwork', name: 'LAMBDA_NETWORK_LOGS', what: 'Lambda Protection: the network activity of Lambda functions', settings: [], scope: 'members' },
  {
    key: 'runtimeMonitoring',
    name: 'RUNTIME_MONITORING',
    what: 'Runtime Monitoring: operating system, network and file events from a GuardDuty agent on EKS, ECS Fargate and EC2',
    settings: [
      { key: 'eksAddon', name: 'EKS_ADDON_MANAGEMENT', what: 'GuardDuty installs and updates the agent as an EKS add-on' },
      { key: 'ecsFargateAgent', name: 'ECS_FARGATE_AGENT_MANAGEMENT', what: 'GuardDuty injects the agent into ECS Fargate tasks' },
      { key: 'ec2Agent', name: 'EC2_AGENT_MANAGEMENT', what: 'GuardDuty installs the agent on EC2 instances through Systems Manager' },
    ],
    scope: 'members',
  },
  {
    key: 'aiProtection',
    name: 'AI_PROTECTION',
    what: 'AI Protection: CloudTrail management and data events of Amazon Bedrock and Amazon SageMaker AI (model invocations, guardrails)',
    settings: [],
    scope: 'members',
    provider: PROVIDER_FEATURES.aiFeatures,
  },
  {
    key: 'aiAnalyst',
    name: 'AI_ANALYST',
    what: 'AI analyst (GuardDuty Investigation, preview): lets the administrator start AI-made investigations of findings and accounts',
    settings: [],
    scope: 'administrator',
    provider: PROVIDER_FEATURES.aiFeatures,
    unavailable: (region) =>
      AI_ANALYST_REGIONS.includes(region) ? undefined : `GuardDuty Investigation (AI_ANALYST) is offered only in ${AI_ANALYST_REGIONS.join(', ')}`,
  },
];

/** A plan as the configuration sets it, defaults applied; undefined for a plan left unmanaged. */
export interface PlanSetting {
  readonly plan: PlanDefinition;
  readonly enabled: boolean;
  readonly excludeRegions: readonly string[];
  /** The additional configurations written, each with its own switch. */
  readonly settings: readonly { readonly definition: PlanSettingDefinition; readonly enabled: boolean }[];
}

/** One plan's value as the configuration holds it, defaults applied: `true`/`false`, or the object form. */
export type PlanValue = boolean | { readonly enabled: boolean; readonly excludeRegions: readonly string[]; readonly [setting: string]: unknown };

/** The plans as the configuration sets them (`protection`), each left out while unmanaged or invalid. */
export type ProtectionSettings = { readonly [K in PlanKey]?: PlanValue };

/**
 * The plans the configuration manages. A setting of a plan follows the plan unless set; one that
 * needs a newer provider is written only when set. A plan missing from `protection` (unmanaged, or
 * invalid while the configuration is being checked) is left out.
 */
export function planSettings(protection: ProtectionSettings): PlanSetting[] {
  return PLANS.flatMap((plan) => {
    const value = protection[plan.key];
    if (value === undefined) return [];
    const object = typeof value === 'boolean' ? undefined : value;
    const enabled = object ? object.enabled : (value as boolean);
    const settings = plan.settings.flatMap((definition) => {
      const own = object?.[definition.key] as boolean | undefined;
      if (own === undefined && definition.provider) return [];
      return [{ definition, enabled: enabled && (own ?? true) }];
    });
    return [{ plan, enabled, excludeRegions: object?.excludeRegions ?? [], settings }];
  });
}

/** Whether a plan is on in at least one region (the trusted access its service needs, say). */
export function planEnabled(protection: ProtectionSettings, key: PlanKey): boolean {
  return planSettings(protection).some((setting) => setting.plan.key === key && setting.enabled);
}

/** A feature as a detector in one region gets it: the plan's status and each additional configuration's. */
export interface DetectorFeature {
  readonly name: string;
  readonly enabled: boolean;
  readonly additionalConfiguration: readonly { readonly name: string; readonly enabled: boolean }[];
  /** The provider feature the value needs, when it is newer than the bindings. */
  readonly provider?: ProviderFeature;
}

export type FeatureScope = 'administrator' | 'members';

/**
 * The features of one region, enabled or not: a plan that is switched off (or excluded in the
 * region) is set DISABLED explicitly, since GuardDuty turns some on by default for new detectors. A
 * plan the region does not offer is not written at all. `members` leaves out the administrator's
 * own features (the organization configuration and member detectors do not have them).
 */
export function detectorFeatures(protection: ProtectionSettings, region: string, scope: FeatureScope): DetectorFeature[] {
  return planSettings(protection).flatMap(({ plan, enabled, excludeRegions, settings }) => {
    if (scope === 'members' && plan.scope === 'administrator') return [];
    if (plan.unavailable?.(region)) return [];
    const on = enabled && !excludeRegions.includes(region);
    const additionalConfiguration = settings.map(({ definition, enabled: own }) => ({ name: definition.name, enabled: on && own }));
    const providers = [plan.provider, ...settings.map(({ definition }) => definition.provider)].filter((feature): feature is ProviderFeature => feature !== undefined);
    return [{ name: plan.name, enabled: on, additionalConfiguration, ...(providers.length > 0 ? { provider: newest(providers) } : {}) }];
  });
}

function newest(features: readonly ProviderFeature[]): ProviderFeature {
  return features.reduce((a, b) => (compareVersions(b.since, a.since) > 0 ? b : a));
}

export function featureStatus(enabled: boolean): 'ENABLED' | 'DISABLED' {
  return enabled ? 'ENABLED' : 'DISABLED';
}

/** A feature as the detector-feature resources take it. */
export function featureSettings(feature: DetectorFeature) {
  return {
    name: feature.name,
    status: featureStatus(feature.enabled),
    additionalConfiguration: feature.additionalConfiguration.map((setting) => ({ name: setting.name, status: featureStatus(setting.enabled) })),
  };
}

/** What the organization configuration auto-enables for a feature: the org-wide choice, or nothing. */
export function featureAutoEnable(enabled: boolean, autoEnable: AutoEnable): AutoEnable {
  return enabled ? autoEnable : 'NONE';
}

/** A feature as the organization configuration takes it. */
export function organizationFeatureSettings(feature: DetectorFeature, autoEnable: AutoEnable) {
  return {
    name: feature.name,
    autoEnable: featureAutoEnable(feature.enabled, autoEnable),
    additionalConfiguration: feature.additionalConfiguration.map((setting) => ({ name: setting.name, autoEnable: featureAutoEnable(setting.enabled, autoEnable) })),
  };
}

/**
 * What a GuardDuty finding looks like on an EventBridge bus, and the patterns and readable messages
 * the findings flow builds from it. Pure data, so tests evaluate it against finding fixtures.
 *
 * EventBridge delivers findings with `source: aws.guardduty`, `detail-type: GuardDuty Finding` and a
 * camelCase `detail` (not the PascalCase of the GetFindings API).
 */

export const FINDING_SOURCE = 'aws.guardduty';
export const FINDING_DETAIL_TYPE = 'GuardDuty Finding';

/** An EventBridge event pattern. */
export type EventPattern = Record<string, unknown>;

export interface FindingPatternOptions {
  /** Only findings of at least this severity. @default every finding (0) */
  readonly minSeverity?: number;
  /** Only findings on these `detail.resource.resourceType`s. @default any resource */
  readonly resourceTypes?: readonly string[];
  /** Only findings on any resource type except these. @default none excluded */
  readonly exceptResourceTypes?: readonly string[];
}

/** The pattern of GuardDuty findings, narrowed by severity and resource type. */
export function findingPattern(options: FindingPatternOptions = {}): EventPattern {
  const detail: Record<string, unknown> = {};
  if (options.minSeverity !== undefined && options.minSeverity > 0) detail.severity = [{ numeric: ['>=', options.minSeverity] }];
  if (options.resourceTypes && options.exceptResourceTypes) throw new Error('findingPattern: give resourceTypes or exceptResourceTypes, not both');
  if (options.resourceTypes) detail.resource = { resourceType: [...options.resourceTypes] };
  if (options.exceptResourceTypes) detail.resource = { resourceType: [{ 'anything-but': [...options.exceptResourceTypes] }] };
  return {
    source: [FINDING_SOURCE],
    'detail-type': [FINDING_DETAIL_TYPE],
    ...(Object.keys(detail).length > 0 ? { detail } : {}),
  };
}

/** An input transformer as the provider takes it. */
export interface InputTransformer {
  readonly inputPaths: Record<string, string>;
  readonly inputTemplate: string;
}

/**
 * Extended Threat Detection's attack sequences (`AttackSequence:IAM/CompromisedCredentials`,
 * `...:S3/CompromisedData`, `...:EKS/CompromisedCluster`, `...:ECS/CompromisedCluster`,
 * `...:EC2/CompromisedInstanceGroup`): one finding that correlates many signals across resources.
 * Their `detail.resource.resourceType` is `AttackSequence`; the signals, actors, resources and
 * endpoints are in `detail.service.detection.sequence` (GuardDuty's API model: `Detection`, `Sequence`).
 */
export const ATTACK_SEQUENCE_TYPE_PREFIX = 'AttackSequence:';
export const ATTACK_SEQUENCE_RESOURCE_TYPE = 'AttackSequence';
const SEQUENCE = '$.detail.service.detection.sequence';

/** What the e-mail of an attack sequence says of remediation: it names no single resource to act on. */
export const ATTACK_SEQUENCE_NOT_REMEDIATED = 'No automatic remediation: an attack sequence names no single resource to act on';

/** Whether a finding type is an attack sequence. */
export function isAttackSequence(findingType: string): boolean {
  return findingType.startsWith(ATTACK_SEQUENCE_TYPE_PREFIX);
}

/** How an e-mail names the affected resource, for one kind of resource. */
export interface ResourceMessage {
  /** Stable key: becomes part of the rule name. */
  readonly key: string;
  /** `detail.resource.resourceType` values this message is for; `undefined` for every other type. */
  readonly resourceTypes?: readonly string[];
  /** Input paths the resource phrase uses, beside the common ones. */
  readonly paths: Record<string, string>;
  /** How the resource reads in the message, with `<name>` placeholders of `paths`. */
  readonly phrase: string;
}

/**
 * One message per kind of resource, because an input transformer cannot choose between paths: the
 * resource type decides which rule (and which phrase) a finding meets. The last entry takes every
 * type the others do not name, so no finding goes unreported.
 */
export const RESOURCE_MESSAGES: readonly ResourceMessage[] = [
  {
    key: 'instance',
    resourceTypes: ['Instance'],
    paths: { instanceId: '$.detail.resource.instanceDetails.instanceId' },
    phrase: 'EC2 instance <instanceId>',
  },
  {
    key: 'access-key',
    resourceTypes: ['AccessKey'],
    paths: {
      userType: '$.detail.resource.accessKeyDetails.userType',
      userName: '$.detail.resource.accessKeyDetails.userName',
      accessKeyId: '$.detail.resource.accessKeyDetails.accessKeyId',
    },
    phrase: '<userType> <userName> (access key <accessKeyId>)',
  },
  {
    key: 's3-bucket',
    resourceTypes: ['S3Bucket'],
    paths: { bucketName: '$.detail.resource.s3BucketDetails[0].name' },
    phrase: 'S3 bucket <bucketName>',
  },
  {
    key: 'eks-cluster',
    resourceTypes: ['EKSCluster'],
    paths: {
      clusterName: '$.detail.resource.eksClusterDetails.name',
      kubernetesUser: '$.detail.resource.kubernetesDetails.kubernetesUserDetails.username',
    },
    phrase: 'EKS cluster <clusterName> (Kubernetes user <kubernetesUser>)',
  },
  {
    key: 'attack-sequence',
    resourceTypes: [ATTACK_SEQUENCE_RESOURCE_TYPE],
    paths: {
      sequence: `${SEQUENCE}.uid`,
      ...Object.fromEntries(
        [0, 1, 2].flatMap((index) => [
          [`signal${index}`, `${SEQUENCE}.signals[${index}].name`],
          [`resource${index}`, `${SEQUENCE}.resources[${index}].name`],
        ]),
      ),
    },
    // An input transformer cannot loop over a list: the first three signals and resources are named
    // (a shorter sequence leaves its slots empty), and the SIEM feed and the console have them all.
    // The finding's multi-line description stays out: the e-mail is one line.
    phrase:
      'attack sequence <sequence> (first signals: <signal0>; <signal1>; <signal2>. First resources: <resource0>, <resource1>, <resource2>. ' +
      `${ATTACK_SEQUENCE_NOT_REMEDIATED})`,
  },
  {
    key: 'other',
    paths: { resourceType: '$.detail.resource.resourceType' },
    phrase: '<resourceType> resource',
  },
];

const COMMON_PATHS = {
  id: '$.detail.id',
  severity: '$.detail.severity',
  type: '$.detail.type',
  account: '$.detail.accountId',
  region: '$.detail.region',
  title: '$.detail.title',
};

/** The resource types named by a message of their own (the catch-all takes every other). */
export function namedResourceTypes(): string[] {
  return RESOURCE_MESSAGES.flatMap((message) => [...(message.resourceTypes ?? [])]);
}

/** The pattern of the findings a resource message is for. */
export function resourceMessagePattern(message: ResourceMessage, minSeverity: number): EventPattern {
  return message.resourceTypes
    ? findingPattern({ minSeverity, resourceTypes: message.resourceTypes })
    : findingPattern({ minSeverity, exceptResourceTypes: namedResourceTypes() });
}

/**
 * The e-mail text, one line in the lab's format:
 * `GuardDuty Finding | ID:<id>: severity <n> <type> in account <account> (<region>) on <resource>: <title>`.
 * The account and region are the finding's own (`detail.*`), not those of the bus that delivers it.
 */
export function resourceMessageTransformer(message: ResourceMessage): InputTransformer {
  return {
    inputPaths: { ...COMMON_PATHS, ...message.paths },
    inputTemplate: `"GuardDuty Finding | ID:<id>: severity <severity> <type> in account <account> (<region>) on ${message.phrase}: <title>"`,
  };
}

/** How long EventBridge keeps retrying a target before the event goes to the dead-letter queue. */
export const TARGET_RETRY_POLICY = { maximumEventAgeInSeconds: 24 * 60 * 60, maximumRetryAttempts: 185 } as const;

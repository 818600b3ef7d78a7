/**
 * AWS partitions: every ARN, service principal and service endpoint name the stacks, the commands and
 * the functions write is built here from the region it belongs to, so a GovCloud or China
 * configuration never carries the commercial partition's `arn:aws:` or a principal its partition does
 * not know. The configuration loader keeps every region of a configuration in one partition.
 */

export const PARTITIONS = {
  aws: { name: 'AWS (commercial)', dnsSuffix: 'amazonaws.com' },
  'aws-us-gov': { name: 'AWS GovCloud (US)', dnsSuffix: 'amazonaws.com' },
  'aws-cn': { name: 'AWS China', dnsSuffix: 'amazonaws.com.cn' },
} as const;

export type Partition = keyof typeof PARTITIONS;

/** Region name prefixes of partitions this product does not deploy to (the isolated ones). */
const UNSUPPORTED_PREFIXES = ['us-iso-', 'us-isob-', 'us-isof-', 'eu-isoe-'];

/** The partition a region belongs to, by its name; undefined for a partition the product does not support. */
export function partitionOf(region: string): Partition | undefined {
  if (UNSUPPORTED_PREFIXES.some((prefix) => region.startsWith(prefix))) return undefined;
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

function partitionOfKnown(region: string): Partition {
  const partition = partitionOf(region);
  // The configuration loader refuses such regions; reaching here is a programming error.
  if (!partition) throw new Error(`region ${region} is in a partition this product does not support`);
  return partition;
}

/** The partition named in an ARN (`arn:aws-cn:...` gives `aws-cn`); undefined when it is none of ours. */
export function partitionOfArn(arnText: string): Partition | undefined {
  const name = /^arn:([a-z-]+):/.exec(arnText)?.[1];
  return name !== undefined && name in PARTITIONS ? (name as Partition) : undefined;
}

/**
 * `arn:<partition>:<service>:<region>:<account>:<resource>`, with the partition of `partitionRegion`
 * (any region of the deployment, for services whose ARN has no region, or a `*` region).
 */
export function arn(partitionRegion: string, service: string, region: string, account: string, resource: string): string {
  return `arn:${partitionOfKnown(partitionRegion)}:${service}:${region}:${account}:${resource}`;
}

/** `arn:<partition>:iam::<account>:<resource>` (`role/<name>`, `root`, `user/*`). */
export function iamArn(partitionRegion: string, account: string, resource: string): string {
  return arn(partitionRegion, 'iam', '', account, resource);
}

/** `arn:<partition>:s3:::<bucket>` */
export function bucketArn(partitionRegion: string, bucket: string): string {
  return arn(partitionRegion, 's3', '', '', bucket);
}

/**
 * Services whose principal in `aws-cn` ends in `amazonaws.com.cn`; every other service keeps
 * `amazonaws.com` there. From the provider's `aws_service_principal` data source
 * (internal/service/meta/service_principal_data_source.go), itself taken from aws-cdk's region-info.
 */
const CHINA_SUFFIXED_SERVICES = new Set(['codedeploy', 'elasticmapreduce', 'logs']);

function principalSuffix(service: string, region: string): string {
  return partitionOfKnown(region) === 'aws-cn' && CHINA_SUFFIXED_SERVICES.has(service) ? PARTITIONS['aws-cn'].dnsSuffix : 'amazonaws.com';
}

/**
 * The principal of an AWS service in the region's partition: `events.amazonaws.com`, and in `aws-cn`
 * `logs.amazonaws.com.cn`. `service` is the principal's name before the suffix (`events`,
 * `delivery.logs`, `malware-protection-plan.guardduty`).
 */
export function servicePrincipal(service: string, region: string): string {
  return `${service}.${principalSuffix(service, region)}`;
}

/**
 * A regional service principal, such as CloudWatch Logs' `logs.<region>.amazonaws.com`
 * (`logs.cn-north-1.amazonaws.com.cn` in China): the same suffix rule, with the region in between.
 */
export function regionalServicePrincipal(service: string, region: string): string {
  return `${service}.${region}.${principalSuffix(service, region)}`;
}

/** A service's regional endpoint name (`s3.us-east-1.amazonaws.com`), as `kms:ViaService` names it. */
export function serviceEndpoint(service: string, region: string): string {
  return `${service}.${region}.${PARTITIONS[partitionOfKnown(region)].dnsSuffix}`;
}

/**
 * The region an AWS Organizations client names: the API has one endpoint per partition, and the AWS
 * SDK's endpoint rules send any region of the partition to it (us-east-1; us-gov-west-1;
 * cn-northwest-1, where China's endpoint signs).
 */
const ORGANIZATIONS_REGIONS: Readonly<Record<Partition, string>> = { aws: 'us-east-1', 'aws-us-gov': 'us-gov-west-1', 'aws-cn': 'cn-northwest-1' };

/** Where the Organizations API of the region's partition is called from. */
export function organizationsRegion(region: string): string {
  return ORGANIZATIONS_REGIONS[partitionOfKnown(region)];
}

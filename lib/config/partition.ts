import { PARTITIONS, partitionOf, partitionOfArn, type Partition } from '../aws/partition';
import { planEnabled } from '../guardduty/protection';
import type { Problem } from '../problems';
import type { RawConfig } from './schema';

/** The fields the partition checks read; any of them may be missing when invalid. */
export interface PartitionFields {
  readonly homeRegion?: string;
  readonly regions?: readonly string[];
  readonly additionalRegions?: readonly string[];
  readonly existingDelegations?: readonly string[];
  readonly existingDetectors?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly backend?: RawConfig['backend'];
  readonly detective?: RawConfig['detective'];
  readonly malwareProtection?: RawConfig['malwareProtection'];
  readonly protection?: Partial<RawConfig['protection']>;
}

/**
 * What a partition does not offer, refused by name rather than deployed to fail at apply time: the
 * setting's path and the source that says so. Only what a source states is listed here;
 * docs/configuration.md lists what could not be verified.
 */
export const UNAVAILABLE: Readonly<Record<Partition, readonly { readonly path: string; readonly on: (fields: PartitionFields) => boolean; readonly source: string }[]>> = {
  aws: [],
  'aws-us-gov': [],
  'aws-cn': [
    {
      path: 'protection.runtimeMonitoring',
      on: (fields) => planEnabled(fields.protection ?? {}, 'runtimeMonitoring'),
      source: 'GuardDuty Runtime Monitoring is not supported in the China Regions ("Getting Started with Amazon Web Services in China", Amazon GuardDuty); set it to false',
    },
  ],
};

/**
 * Every region and ARN of a configuration in one partition: accounts, credentials and ARNs differ
 * between partitions, and nothing here can reach across. The partition is the home region's (else
 * the first region's); each field outside it is named. Then what that partition does not offer.
 */
export function checkPartition(fields: PartitionFields, file: string, problems: Problem[]): void {
  const [anchorPath, anchor] =
    fields.homeRegion !== undefined && partitionOf(fields.homeRegion) !== undefined
      ? ['homeRegion', fields.homeRegion]
      : ['regions[0]', fields.regions?.[0]];
  const regionFields: [string, string][] = [
    ...(fields.homeRegion !== undefined ? [['homeRegion', fields.homeRegion] as [string, string]] : []),
    ...(fields.regions ?? []).map((region, index): [string, string] => [`regions[${index}]`, region]),
    ...(fields.additionalRegions ?? []).map((region, index): [string, string] => [`additionalRegions[${index}]`, region]),
    ...(fields.existingDelegations ?? []).map((region, index): [string, string] => [`existingDelegations[${index}]`, region]),
    ...Object.entries(fields.existingDetectors ?? {}).flatMap(([account, byRegion]) => Object.keys(byRegion).map((region): [string, string] => [`existingDetectors.${account}.${region}`, region])),
    ...Object.keys(fields.detective?.existingGraphs ?? {}).map((region): [string, string] => [`detective.existingGraphs.${region}`, region]),
    ...(fields.malwareProtection?.s3 ?? []).map((entry, index): [string, string] => [`malwareProtection.s3[${index}].region`, entry.region]),
    ...(fields.backend?.type === 's3' ? [['backend.region', fields.backend.region] as [string, string]] : []),
  ];
  for (const [at, region] of regionFields) {
    if (partitionOf(region) === undefined) {
      problems.push({ file, path: at, message: `${JSON.stringify(region)} is in an isolated partition, which this product does not deploy to (it supports ${Object.keys(PARTITIONS).join(', ')})` });
    }
  }
  const partition = anchor === undefined ? undefined : partitionOf(anchor);
  if (anchor === undefined || partition === undefined) return;
  const outside = (at: string, what: string, other: Partition) =>
    problems.push({
      file,
      path: at,
      message: `${what} is in ${PARTITIONS[other].name} (${other}), but ${anchorPath} ${JSON.stringify(anchor)} is in ${PARTITIONS[partition].name} (${partition}): one configuration deploys to one partition, whose accounts and credentials reach no other`,
    });
  for (const [at, region] of regionFields) {
    const other = partitionOf(region);
    if (other !== undefined && other !== partition && at !== anchorPath) outside(at, JSON.stringify(region), other);
  }
  const arnFields: [string, string | undefined][] = [
    ...Object.entries(fields.detective?.existingGraphs ?? {}).map(([region, graph]): [string, string] => [`detective.existingGraphs.${region}`, graph]),
    ...(fields.malwareProtection?.s3 ?? []).map((entry, index): [string, string | undefined] => [`malwareProtection.s3[${index}].kmsKeyArn`, entry.kmsKeyArn]),
    ...(fields.backend?.type === 's3'
      ? [['backend.roleArn', fields.backend.roleArn] as [string, string | undefined], ['backend.kmsKeyId', fields.backend.kmsKeyId] as [string, string | undefined]]
      : []),
  ];
  for (const [at, value] of arnFields) {
    if (value === undefined || !value.startsWith('arn:')) continue;
    const other = partitionOfArn(value);
    if (other === undefined) {
      problems.push({ file, path: at, message: `${JSON.stringify(value)} names no partition this product supports (arn:aws:, arn:aws-us-gov: or arn:aws-cn:)` });
    } else if (other !== partition) {
      outside(at, `the ARN ${JSON.stringify(value)}`, other);
    }
  }
  for (const setting of UNAVAILABLE[partition]) {
    if (setting.on(fields)) problems.push({ file, path: setting.path, message: `is not offered in ${PARTITIONS[partition].name} (${partition}): ${setting.source}` });
  }
}

import { createHash } from 'node:crypto';
import { exportAccounts } from '../config/export';
import type { OrgConfig } from '../config/load';

/** `<name>-<parts...>`: the physical name of a resource of this deployment. */
export function resourceName(config: Pick<OrgConfig, 'name'>, ...parts: string[]): string {
  return [config.name, ...parts].join('-');
}

/**
 * S3 bucket names are global across all accounts: the account id and region make them unique and
 * tell at a glance where a bucket lives. Longer than 63 characters is an error, not a truncation.
 */
export function bucketName(config: Pick<OrgConfig, 'name'>, purpose: string, accountId: string, region: string): string {
  const name = resourceName(config, purpose, accountId, region);
  if (name.length > 63) throw new Error(`bucket name ${name} is longer than 63 characters; shorten name or the purpose`);
  return name;
}

/** The admin account's bucket of threat lists and the trusted IP list, in the home region. */
export function listBucketName(config: Pick<OrgConfig, 'name' | 'accounts' | 'homeRegion'>): string {
  return bucketName(config, 'threat-lists', config.accounts.admin, config.homeRegion);
}

/**
 * The bucket that every detector exports its findings to, in the home region: in the admin account,
 * or in the log archive with `export.bucketAccount: "logArchive"`.
 */
export function findingsBucketName(config: Pick<OrgConfig, 'name' | 'accounts' | 'homeRegion' | 'export'>): string {
  const inLogArchive = exportAccounts(config.export).bucket === 'logArchive' && config.accounts.logArchive !== undefined;
  return bucketName(config, 'findings', inLogArchive ? config.accounts.logArchive! : config.accounts.admin, config.homeRegion);
}

export interface IsolationGroupNames {
  readonly forensic: string;
  readonly transition: string;
}

/**
 * The security groups the isolation Lambda moves a compromised instance into: the forensic group (the
 * simulation stack creates one of this name in its VPC, so `cdktf destroy` removes it with the VPC),
 * and the prefix of the transition groups the Lambda makes per instance (`<prefix>-<instance id>`).
 */
export function isolationGroupNames(config: Pick<OrgConfig, 'name'>): IsolationGroupNames {
  return { forensic: resourceName(config, 'ForensicSecurityGroup'), transition: resourceName(config, 'IsolationTransition') };
}

/**
 * The role GuardDuty assumes to scan one bucket: IAM role names are at most 64 characters and bucket
 * names up to 63, so the bucket is named by a short hash of its (globally unique) name.
 */
export function malwareScanRoleName(config: Pick<OrgConfig, 'name'>, bucket: string): string {
  return resourceName(config, 'malware-scan', createHash('sha256').update(bucket, 'utf8').digest('hex').slice(0, 12));
}

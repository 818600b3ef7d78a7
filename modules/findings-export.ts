import { GuarddutyPublishingDestination } from '@cdktf/provider-aws/lib/guardduty-publishing-destination';
import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { expression, Instances, KeyedBlocks } from '../lib/terraform/instances';
import { arn, iamArn, servicePrincipal } from '../lib/aws/partition';
import { denyInsecureTransport, policyDocument } from '../lib/aws/policy';

/** An account the export puts something in, with its provider. */
export interface ExportAccount {
  readonly provider: AwsProvider;
  readonly accountId: string;
}

export interface FindingsExportProps {
  /** The GuardDuty administrator, whose detectors publish: its publishing destinations live there. */
  readonly detectors: ExportAccount;
  /** Where the bucket lives: the administrator (default layout) or a log-archive account. */
  readonly bucketAccount: ExportAccount;
  /** Where the KMS key lives: the bucket's account or the administrator. */
  readonly keyAccount: ExportAccount;
  /** Where the bucket and its key live (the home region). */
  readonly region: string;
  /** Globally unique bucket name (see `bucketName` in lib/plan/naming.ts); also the key alias. */
  readonly bucketName: string;
  /** The administrator's detector id by region: each region publishes to the bucket. */
  readonly detectorIds: Readonly<Record<string, string>>;
  /** Days after which findings move to `storageClass`. */
  readonly transitionDays: number;
  /** The colder storage class. */
  readonly storageClass: string;
  /** Days after which findings are deleted. @default kept */
  readonly expirationDays?: number;
  /**
   * Let `cdktf destroy` delete the bucket with every exported finding and schedule its key for
   * deletion. Otherwise both refuse to be destroyed (the plan fails, naming them), so the evidence
   * survives a teardown. @default false
   */
  readonly forceDestroy?: boolean;
  /**
   * A folder of the bucket GuardDuty writes under (`AWSLogs/...` below it), without slashes at either
   * end. GuardDuty refuses a destination whose folder does not exist yet, so its folder-marker object
   * (`<prefix>/`, empty) is created first. @default the bucket's root
   */
  readonly prefix?: string;
}

/**
 * GuardDuty's own export of every finding (and its updates) from each region's detector to one
 * versioned, KMS-encrypted S3 bucket in the home region: the long-term record, independent of
 * EventBridge. The bucket is in the administrator account or in a log-archive account, the key in
 * either (the Security Reference Architecture keeps the bucket in Log Archive, the key with the
 * administrator).
 *
 * GuardDuty checks the bucket and key before it accepts a destination, so both policies name the
 * service with `aws:SourceAccount` and the administrator's detectors as `aws:SourceArn` (no other
 * account's GuardDuty can write here, wherever the bucket is), and the destinations wait for them.
 */
export class FindingsExport extends Construct {
  readonly bucket: S3Bucket;
  readonly key: KmsKey;
  /** The publishing destination of each region's detector (`aws_guardduty_publishing_destination.export["<region>"]`). */
  readonly destinations: GuarddutyPublishingDestination;

  constructor(scope: Construct, id: string, props: FindingsExportProps) {
    super(scope, id);
    const { region, detectors, keyAccount, bucketAccount } = props;
    const keep = !props.forceDestroy;
    const guardDuty = servicePrincipal('guardduty', region);
    // Any detector of the administrator, in any region: a region added later needs no policy change,
    // and only that account's GuardDuty can act for its detectors.
    const fromOurDetectors = {
      StringEquals: { 'aws:SourceAccount': detectors.accountId },
      ArnLike: { 'aws:SourceArn': arn(region, 'guardduty', '*', detectors.accountId, 'detector/*') },
    };

    this.key = new KmsKey(this, 'key', {
      provider: keyAccount.provider,
      region,
      description: `Encrypts the GuardDuty findings exported to ${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: policyDocument(
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: iamArn(region, keyAccount.accountId, 'root') }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'GuardDutyEncryptsFindings',
          Effect: 'Allow',
          Principal: { Service: guardDuty },
          Action: 'kms:GenerateDataKey',
          Resource: '*',
          Condition: fromOurDetectors,
        },
        // The bucket's account reads what it keeps; it administers nothing of the key.
        ...(bucketAccount.accountId !== keyAccount.accountId
          ? [{ Sid: 'BucketAccountReadsFindings', Effect: 'Allow' as const, Principal: { AWS: iamArn(region, bucketAccount.accountId, 'root') }, Action: 'kms:Decrypt', Resource: '*' }]
          : []),
      ),
      // Without the key the kept findings cannot be read: it goes only with them.
      lifecycle: { preventDestroy: keep },
    });
    new KmsAlias(this, 'alias', { provider: keyAccount.provider, region, name: `alias/${props.bucketName}`, targetKeyId: this.key.keyId });

    // Kept by `cdktf destroy` unless export.forceDestroy (GuardDuty itself keeps findings 90 days).
    const provider = bucketAccount.provider;
    this.bucket = new S3Bucket(this, 'bucket', { provider, region, bucket: props.bucketName, forceDestroy: !keep, lifecycle: { preventDestroy: keep } });
    const publicAccess = new S3BucketPublicAccessBlock(this, 'public-access', {
      provider,
      region,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { provider, region, bucket: this.bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    // An overwritten or deleted finding stays recoverable as an older version.
    const versioning = new S3BucketVersioningA(this, 'versioning', { provider, region, bucket: this.bucket.id, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      region,
      bucket: this.bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      region,
      bucket: this.bucket.id,
      rule: [
        {
          id: 'colder-storage',
          status: 'Enabled',
          filter: [{ prefix: '' }],
          transition: [{ days: props.transitionDays, storageClass: props.storageClass }],
          noncurrentVersionTransition: [{ noncurrentDays: props.transitionDays, storageClass: props.storageClass }],
          ...(props.expirationDays !== undefined
            ? { expiration: [{ days: props.expirationDays }], noncurrentVersionExpiration: [{ noncurrentDays: props.expirationDays }] }
            : {}),
        },
      ],
      // Rules for older versions apply once the bucket keeps them.
      dependsOn: [versioning],
    });

    const objects = `${this.bucket.arn}/*`;
    const policy = new S3BucketPolicy(this, 'policy', {
      provider,
      region,
      bucket: this.bucket.id,
      // The public-access block must exist first, or S3 may evaluate the service grant as public.
      dependsOn: [publicAccess],
      policy: policyDocument(
        denyInsecureTransport(this.bucket.arn),
        {
          Sid: 'GuardDutyLocatesBucket',
          Effect: 'Allow',
          Principal: { Service: guardDuty },
          Action: 's3:GetBucketLocation',
          Resource: this.bucket.arn,
          Condition: fromOurDetectors,
        },
        {
          Sid: 'GuardDutyWritesFindings',
          Effect: 'Allow',
          Principal: { Service: guardDuty },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: fromOurDetectors,
        },
        {
          Sid: 'DenyUnencryptedFindings',
          Effect: 'Deny',
          Principal: { Service: guardDuty },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } },
        },
        {
          Sid: 'DenyOtherKeys',
          Effect: 'Deny',
          Principal: { Service: guardDuty },
          Action: 's3:PutObject',
          Resource: objects,
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': this.key.arn } },
        },
      ),
    });

    // The folder marker GuardDuty looks for, as the S3 console's "Create folder" makes it.
    const marker = props.prefix
      ? new S3Object(this, 'folder-marker', { provider: bucketAccount.provider, region, bucket: this.bucket.bucket, key: `${props.prefix}/`, content: '' })
      : undefined;
    // Keyed by region like the detectors they publish from: a region removed is one key.
    const regions = Instances.of(Object.keys(props.detectorIds), (detectorRegion) => detectorRegion, (detectorRegion) => ({ region: detectorRegion }));
    const detectorIds = new TerraformLocal(this, 'detector-ids', { ...props.detectorIds });
    detectorIds.overrideLogicalId('export_detector_ids');
    this.destinations = KeyedBlocks.add(
      new GuarddutyPublishingDestination(this, 'destination', {
        forEach: regions,
        provider: detectors.provider,
        region: regions.value('region'),
        detectorId: expression(`local.${detectorIds.friendlyUniqueId}[each.key]`),
        destinationType: 'S3',
        destinationArn: props.prefix ? `${this.bucket.arn}/${props.prefix}` : this.bucket.arn,
        kmsKeyArn: this.key.arn,
        dependsOn: [policy, this.key, ...(marker ? [marker] : [])],
      }),
      'export',
      regions,
    );
  }
}

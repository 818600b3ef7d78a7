import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktf/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import { Construct } from 'constructs';
import { listLocation } from '../lib/guardduty/lists';
import { denyInsecureTransport, policyDocument } from '../lib/aws/policy';

export interface ListBucketProps {
  /** Provider of the GuardDuty administrator account, which owns the bucket. */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Physical bucket name (see `bucketName` in lib/plan/naming.ts). */
  readonly bucketName: string;
}

/** A list file in the bucket, and the location GuardDuty reads it from. */
export interface UploadedList {
  readonly object: S3Object;
  /** Where GuardDuty reads the list (see `listLocation`). */
  readonly location: string;
}

/**
 * The private bucket that holds threat lists and the trusted IP list. Encrypted with SSE-S3: GuardDuty
 * reads it through its service-linked role without any key policy (an SSE-KMS key would have to let
 * that role decrypt). Emptied by `cdktf destroy`, versions included.
 */
export class ListBucket extends Construct {
  readonly bucket: S3Bucket;
  private readonly provider: AwsProvider;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: ListBucketProps) {
    super(scope, id);
    const { provider, region } = props;
    this.provider = provider;
    this.region = region;
    this.bucket = new S3Bucket(this, 'bucket', { provider, region, bucket: props.bucketName, forceDestroy: true });
    const bucket = this.bucket.id;
    new S3BucketPublicAccessBlock(this, 'public-access-block', {
      provider,
      region,
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', { provider, region, bucket, rule: { objectOwnership: 'BucketOwnerEnforced' } });
    new S3BucketVersioningA(this, 'versioning', { provider, region, bucket, versioningConfiguration: { status: 'Enabled' } });
    new S3BucketServerSideEncryptionConfigurationA(this, 'encryption', {
      provider,
      region,
      bucket,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
    });
    new S3BucketPolicy(this, 'policy', { provider, region, bucket, policy: policyDocument(denyInsecureTransport(this.bucket.arn)) });
  }

  /** Uploads one list file under `key`. */
  upload(id: string, key: string, content: string): UploadedList {
    const object = new S3Object(this, id, {
      provider: this.provider,
      region: this.region,
      bucket: this.bucket.id,
      key,
      content,
      contentType: 'text/plain',
      // A new key is a new object: the list keeps a readable file while GuardDuty moves to the new one.
      lifecycle: { createBeforeDestroy: true },
    });
    return { object, location: listLocation(this.region, object.bucket, object.key) };
  }
}

/**
 * IAM, KMS, bucket, topic and queue policies as typed data. Tokens (ARNs of resources not yet
 * created) may appear in any string: cdktf resolves them inside the serialized JSON.
 */
export type Principal = '*' | { AWS?: string | string[]; Service?: string | string[] };

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: Principal;
  readonly Action: string | readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly string[]>>>>;
}

export function policyDocument(...statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Deny any request to a bucket that does not use TLS. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

/**
 * The trust policy of a role that an AWS service assumes. With `sourceAccount`, the service may assume
 * it only when acting for that account (the confused-deputy guard), and with `sourceArn` (a pattern)
 * only for those resources of it. Trust policies have no Resource.
 */
export function serviceTrustPolicy(service: string, sourceAccount?: string, sourceArn?: string): string {
  const condition = {
    ...(sourceAccount ? { StringEquals: { 'aws:SourceAccount': sourceAccount } } : {}),
    ...(sourceArn ? { ArnLike: { 'aws:SourceArn': sourceArn } } : {}),
  };
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
      },
    ],
  });
}

import { isIPv4 } from 'node:net';

/**
 * AWS's rules for the names a configuration gives: S3 bucket names, IAM role ARNs, KMS key
 * references. Each check returns what is wrong, or undefined; the caller names the field.
 */

/** General purpose bucket naming rules (Amazon S3 user guide, "General purpose bucket naming rules"). */
const BUCKET_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const BUCKET_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export function s3BucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) {
    return "must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit";
  }
  if (name.includes('..')) return 'must be an S3 bucket name, which has no two adjacent periods';
  if (isIPv4(name)) return 'must be an S3 bucket name, which is not formatted as an IP address';
  const prefix = BUCKET_PREFIXES.find((reserved) => name.startsWith(reserved));
  if (prefix) return `must be an S3 bucket name, which does not start with "${prefix}" (reserved by S3)`;
  const suffix = BUCKET_SUFFIXES.find((reserved) => name.endsWith(reserved));
  if (suffix) return `must be an S3 bucket name, which does not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

/** IAM names of users and roles: 1-64 of letters, digits and `+=,.@_-`. */
export const IAM_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * `arn:<partition>:iam::<account>:role/<path/><name>`: the path (IAM: `/`, or `/.../` of printable
 * ASCII) and the role name as IAM allows them. Undefined when it is one; the partition is checked
 * against the deployment's by the caller.
 */
export function iamRoleArnProblem(text: string): string | undefined {
  const parts = /^arn:(aws|aws-us-gov|aws-cn):iam::(\d{12}):role\/((?:[\x21-\x7e]*\/)?)([^/]*)$/.exec(text);
  const example = 'like "arn:aws:iam::123456789012:role/terraform-state"';
  if (!parts) return `must be an IAM role ARN, ${example}`;
  if (!IAM_NAME.test(parts[4])) return `must be an IAM role ARN whose role name is 1-64 letters, digits and +=,.@_- (${example})`;
  return undefined;
}

/**
 * How S3 and the Terraform S3 backend take a KMS key: a key id, a key ARN, an alias name or an alias
 * ARN. An ARN's key must be in the bucket's region: S3 encrypts with keys of its own region.
 */
export function kmsKeyReferenceProblem(text: string, bucketRegion: string | undefined): string | undefined {
  const keyId = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
  const alias = /^alias\/[A-Za-z0-9/_-]{1,250}$/;
  const arn = /^arn:(aws|aws-us-gov|aws-cn):kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(text);
  if (arn) {
    const resource = arn[4];
    if (!(resource.startsWith('key/') ? keyId.test(resource.slice(4)) : alias.test(resource))) {
      return 'must be a KMS key ARN (key/<key id>) or alias ARN (alias/<name>)';
    }
    if (bucketRegion !== undefined && arn[2] !== bucketRegion) return `is a key in ${arn[2]}, but the bucket is in ${bucketRegion}: S3 encrypts with keys of the bucket's own region`;
    return undefined;
  }
  if (keyId.test(text) || alias.test(text)) return undefined;
  return 'must be a KMS key id, key ARN, alias name ("alias/<name>") or alias ARN';
}

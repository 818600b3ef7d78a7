import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { arn, iamArn, regionalServicePrincipal } from '../lib/aws/partition';
import { policyDocument } from '../lib/aws/policy';

export interface LogKeyProps {
  /** Provider of the account that owns the log groups. */
  readonly provider: AwsProvider;
  /** The log groups' region: CloudWatch Logs uses a key of its own region only. */
  readonly region: string;
  /** Account id of the provider's account: its root administers the key. */
  readonly accountId: string;
  /** Alias of the key, without `alias/`. */
  readonly aliasName: string;
  /** Names of the log groups the key encrypts; CloudWatch Logs may use it for these and no other. */
  readonly logGroupNames: readonly string[];
}

/**
 * A customer-managed KMS key for CloudWatch Logs log groups, so their contents are readable only by
 * principals the key policy (through the account's IAM policies) allows, not by anyone with
 * `logs:GetLogEvents`.
 *
 * The logs service principal of the region may use the key only with the encryption context
 * CloudWatch Logs sends, `kms:EncryptionContext:aws:logs:arn`, equal to one of the named log groups:
 * that binds the key to this account's own groups (the confused-deputy guard CloudWatch Logs
 * documents for key policies). Set `kms_key_id` on each of those groups to the key's ARN.
 */
export class LogKey extends Construct {
  readonly key: KmsKey;
  /** The key ARN, for a log group's `kms_key_id`. */
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: LogKeyProps) {
    super(scope, id);
    const { provider, region, accountId } = props;
    if (props.logGroupNames.length === 0) throw new Error(`log key ${props.aliasName}: name at least one log group`);
    const groupArns = props.logGroupNames.map((name) => logGroupArn(region, accountId, name));
    this.key = new KmsKey(this, 'key', {
      provider,
      region,
      description: `Encrypts the CloudWatch Logs groups ${props.logGroupNames.join(', ')}`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: policyDocument(
        { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: iamArn(region, accountId, 'root') }, Action: 'kms:*', Resource: '*' },
        {
          Sid: 'LogsEncryptTheseGroups',
          Effect: 'Allow',
          Principal: { Service: regionalServicePrincipal('logs', region) },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': groupArns.length === 1 ? groupArns[0] : groupArns } },
        },
      ),
    });
    this.keyArn = this.key.arn;
    new KmsAlias(this, 'alias', { provider, region, name: `alias/${props.aliasName}`, targetKeyId: this.key.keyId });
  }
}

/** `arn:<partition>:logs:<region>:<account>:log-group:<name>`: what CloudWatch Logs puts in the encryption context. */
export function logGroupArn(region: string, accountId: string, name: string): string {
  return arn(region, 'logs', region, accountId, `log-group:${name}`);
}

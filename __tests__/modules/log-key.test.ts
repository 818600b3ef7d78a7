import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { LogKey, logGroupArn } from '../../modules/log-key';

function synthKey(logGroupNames: string[]) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new LogKey(stack, 'logs', { provider, region: 'eu-west-1', accountId: '333333333333', aliasName: 'acme-remediation-logs', logGroupNames });
  const json = JSON.parse(Testing.synth(stack, true));
  return (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
}

describe('LogKey', () => {
  it('lets CloudWatch Logs of its region use the key only for the named log groups of its account', () => {
    const [key] = synthKey(['/aws/lambda/acme-isolate-instance', '/aws/lambda/acme-revoke-role-sessions'])('aws_kms_key');

    expect(key).toMatchObject({ region: 'eu-west-1', enable_key_rotation: true, deletion_window_in_days: 7 });
    expect(JSON.parse(key.policy).Statement).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'LogsEncryptTheseGroups',
        Effect: 'Allow',
        Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
        Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        Resource: '*',
        Condition: {
          ArnEquals: {
            'kms:EncryptionContext:aws:logs:arn': [
              'arn:aws:logs:eu-west-1:333333333333:log-group:/aws/lambda/acme-isolate-instance',
              'arn:aws:logs:eu-west-1:333333333333:log-group:/aws/lambda/acme-revoke-role-sessions',
            ],
          },
        },
      },
    ]);
  });

  it('names its alias, and refuses a key for no log group', () => {
    expect(synthKey(['/aws/events/acme-findings'])('aws_kms_alias')[0].name).toBe('alias/acme-remediation-logs');
    expect(() => synthKey([])).toThrow('log key acme-remediation-logs: name at least one log group');
    expect(logGroupArn('us-east-1', '222222222222', '/aws/events/x')).toBe('arn:aws:logs:us-east-1:222222222222:log-group:/aws/events/x');
  });
});

import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { RemediationFunction } from '../../modules/remediation-function';
import { REPO_ROOT } from '../helpers/synth';

function synthFunction(options: { rules?: string[]; logRetentionDays?: number; reservedConcurrency?: number } = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  const fn = new RemediationFunction(stack, 'revoke', {
    provider,
    region: 'eu-west-1',
    accountId: '333333333333',
    functionName: 'acme-revoke-role-sessions',
    description: 'Revokes sessions',
    entry: path.join(REPO_ROOT, 'functions', 'revoke-role-sessions.ts'),
    statements: [{ Sid: 'Own', Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::333333333333:role/*' }],
    environment: { MODE: 'auto' },
    deadLetterQueueArn: 'arn:aws:sqs:eu-west-1:333333333333:acme-remediation-dead-letters',
    logKeyArn: 'arn:aws:kms:eu-west-1:333333333333:key/logs',
    reservedConcurrency: options.reservedConcurrency,
    ...(options.logRetentionDays ? { logRetentionDays: options.logRetentionDays } : {}),
  });
  (options.rules ?? []).forEach((arn, index) => fn.allowRule(`rule-${index}`, arn));
  const json = JSON.parse(Testing.synth(stack, true));
  const one = (type: string) => Object.values(json.resource[type] ?? {})[0] as Record<string, any>;
  const all = (type: string) => Object.values(json.resource[type] ?? {}) as Record<string, any>[];
  return { json, one, all, fn };
}

describe('RemediationFunction', () => {
  it('runs the bundled handler on Node.js 24, arm64, in its region, after its log group and policy exist', () => {
    const { one, fn } = synthFunction();
    expect(one('aws_lambda_function')).toMatchObject({
      function_name: 'acme-revoke-role-sessions',
      region: 'eu-west-1',
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      source_code_hash: fn.bundle.sha256Base64,
      environment: { variables: { MODE: 'auto' } },
      logging_config: { log_format: 'Text', log_group: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[\w-]+\.name\}$/) },
      depends_on: [expect.stringMatching(/^aws_cloudwatch_log_group\./), expect.stringMatching(/^aws_iam_role_policy\./)],
    });
    expect(one('aws_lambda_function').filename).toBe(`assets/lambda-code-${fn.bundle.sha256.slice(0, 16)}/${fn.bundle.sha256}/${path.basename(fn.bundle.zipPath)}`);
  });

  it('owns its log group, with retention, encrypted with the given key, and may write only there', () => {
    const { one } = synthFunction({ logRetentionDays: 30 });
    expect(one('aws_cloudwatch_log_group')).toMatchObject({
      name: '/aws/lambda/acme-revoke-role-sessions',
      retention_in_days: 30,
      region: 'eu-west-1',
      kms_key_id: 'arn:aws:kms:eu-west-1:333333333333:key/logs',
    });
    const policy = JSON.parse(one('aws_iam_role_policy').policy);
    expect(policy.Statement).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.[\w-]+\.arn\}:log-stream:\*$/) },
      { Sid: 'SendFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:333333333333:acme-remediation-dead-letters' },
      { Sid: 'Own', Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::333333333333:role/*' },
    ]);
  });

  it('reserves the given concurrency, and none unless told', () => {
    expect(synthFunction({ reservedConcurrency: 5 }).one('aws_lambda_function').reserved_concurrent_executions).toBe(5);
    expect(synthFunction().one('aws_lambda_function')).not.toHaveProperty('reserved_concurrent_executions');
  });

  it('has a role of its own per region that only Lambda assumes, with no managed policy', () => {
    const { one, json } = synthFunction();
    expect(one('aws_iam_role').name).toBe('acme-revoke-role-sessions-eu-west-1');
    expect(JSON.parse(one('aws_iam_role').assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(one('aws_iam_role').managed_policy_arns).toBeUndefined();
  });

  it('retries a failed asynchronous invocation twice, then sends it to the dead-letter queue', () => {
    expect(synthFunction().one('aws_lambda_function_event_invoke_config')).toMatchObject({
      region: 'eu-west-1',
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: 'arn:aws:sqs:eu-west-1:333333333333:acme-remediation-dead-letters' } },
    });
  });

  it('alarms on errors and on rejected events counted from its JSON log lines', () => {
    const { all, one } = synthFunction();
    expect(all('aws_cloudwatch_metric_alarm').map((alarm) => [alarm.alarm_name, alarm.namespace, alarm.metric_name, alarm.dimensions])).toEqual([
      ['acme-revoke-role-sessions-errors', 'AWS/Lambda', 'Errors', { FunctionName: 'acme-revoke-role-sessions' }],
      ['acme-revoke-role-sessions-rejected-events', 'GuardDutyRemediation', 'acme-revoke-role-sessions-rejected-events', undefined],
    ]);
    expect(one('aws_cloudwatch_log_metric_filter')).toMatchObject({
      pattern: '{ $.outcome = "rejected" }',
      metric_transformation: { namespace: 'GuardDutyRemediation', name: 'acme-revoke-role-sessions-rejected-events', value: '1', default_value: '0' },
    });
  });

  it('lets only the rules it is given invoke it, from its own account', () => {
    const { all } = synthFunction({ rules: ['arn:aws:events:eu-west-1:333333333333:rule/a', 'arn:aws:events:eu-west-1:333333333333:rule/b'] });
    expect(all('aws_lambda_permission').map((permission) => [permission.statement_id, permission.principal, permission.source_arn, permission.source_account])).toEqual([
      ['AllowEventBridge-rule-0', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:333333333333:rule/a', '333333333333'],
      ['AllowEventBridge-rule-1', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:333333333333:rule/b', '333333333333'],
    ]);
  });
});

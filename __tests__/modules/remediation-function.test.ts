import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'cdktf';
import { planStacks, STACK_IDS } from '../../lib/plan/stacks';
import { RemediationFunctions, type RemediationFunctionSpec } from '../../modules/remediation-function';
import { OrgStack } from '../../stacks/org-stack';
import { REPO_ROOT, testConfig } from '../helpers/synth';
import { instanceAttributes, resourceInstances, withLocalEntries } from '../../cli/common/synthesized';

const revoke = (region: string): RemediationFunctionSpec => ({
  key: 'revoke-role-sessions',
  region,
  functionName: 'acme-revoke-role-sessions',
  description: 'Revokes sessions',
  entry: path.join(REPO_ROOT, 'functions', 'revoke-role-sessions.ts'),
  statements: [{ Sid: 'Own', Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::333333333333:role/*' }],
  environment: { MODE: 'auto' },
  deadLetterQueueArn: `arn:aws:sqs:${region}:333333333333:acme-remediation-dead-letters`,
  logKeyArn: `arn:aws:kms:${region}:333333333333:key/logs`,
});

function synthFunctions(options: { rules?: string[]; logRetentionDays?: number; reservedConcurrency?: number; regions?: string[] } = {}) {
  const config = testConfig();
  const app = new App({ outdir: path.join(tmpdir(), 'remediation-function-test') });
  const stack = new OrgStack(app, { config, planned: planStacks(config).stacks.find((planned) => planned.id === STACK_IDS.remediation)! });
  const fns = new RemediationFunctions(stack, 'functions', {
    provider: stack.provider('333333333333'),
    accountId: '333333333333',
    functions: (options.regions ?? ['eu-west-1']).map(revoke),
    reservedConcurrency: options.reservedConcurrency,
    ...(options.logRetentionDays ? { logRetentionDays: options.logRetentionDays } : {}),
  });
  (options.rules ?? []).forEach((arn, index) => fns.allowRule('eu-west-1', 'revoke-role-sessions', `rule-${index}`, arn));
  fns.writePermissions();
  const json = stack.toTerraform();
  const instances = (type: string) =>
    Object.fromEntries(
      resourceInstances({ resource: { [type]: json.resource[type] ?? {} }, locals: json.locals }).map((instance) => [instance.address.slice(type.length + 1), withLocalEntries(json, instanceAttributes(instance)) as Record<string, any>]),
    );
  const one = (type: string) => Object.values(instances(type))[0];
  const all = (type: string) => Object.values(instances(type));
  return { json, one, all, instances, fns };
}

describe('RemediationFunctions', () => {
  it('runs the bundled handler on Node.js 24, arm64, in its region, after its log group and policy exist', () => {
    const { one, json, fns } = synthFunctions();
    const bundle = fns.bundles.get('revoke-role-sessions')!;
    expect(one('aws_lambda_function')).toMatchObject({
      function_name: 'acme-revoke-role-sessions',
      region: 'eu-west-1',
      runtime: 'nodejs24.x',
      architectures: ['arm64'],
      handler: 'index.handler',
      source_code_hash: bundle.sha256Base64,
      environment: { variables: { MODE: 'auto' } },
      logging_config: { log_format: 'Text', log_group: '${aws_cloudwatch_log_group.remediation["eu-west-1/revoke-role-sessions"].name}' },
    });
    expect(json.resource.aws_lambda_function.remediation.depends_on).toEqual(['aws_cloudwatch_log_group.remediation', 'aws_iam_role_policy.remediation']);
    expect(one('aws_lambda_function').filename).toBe(`assets/lambda-code-${bundle.sha256.slice(0, 16)}/${bundle.sha256}/${path.basename(bundle.zipPath)}`);
  });

  it('keys every resource by region and function, one instance per region', () => {
    const { instances, json } = synthFunctions({ regions: ['us-west-2', 'eu-west-1'] });
    for (const type of ['aws_cloudwatch_log_group', 'aws_iam_role', 'aws_iam_role_policy', 'aws_lambda_function', 'aws_lambda_function_event_invoke_config']) {
      expect({ type, keys: Object.keys(instances(type)) }).toEqual({ type, keys: ['remediation["us-west-2/revoke-role-sessions"]', 'remediation["eu-west-1/revoke-role-sessions"]'] });
    }
    expect(Object.keys(json.resource.aws_cloudwatch_metric_alarm)).toEqual(['remediation_errors', 'remediation_rejected']);
    expect(Object.values(instances('aws_iam_role')).map((role) => role.name)).toEqual(['acme-revoke-role-sessions-us-west-2', 'acme-revoke-role-sessions-eu-west-1']);
  });

  it('owns its log group, with retention, encrypted with its region\'s key, and may write only there', () => {
    const { one } = synthFunctions({ logRetentionDays: 30 });
    expect(one('aws_cloudwatch_log_group')).toMatchObject({
      name: '/aws/lambda/acme-revoke-role-sessions',
      retention_in_days: 30,
      region: 'eu-west-1',
      kms_key_id: 'arn:aws:kms:eu-west-1:333333333333:key/logs',
    });
    const policy = JSON.parse(one('aws_iam_role_policy').policy.replace(/\$\{[^{}]*\}/g, (reference: string) => reference.replace(/"/g, "'")));
    expect(policy.Statement).toEqual([
      { Sid: 'WriteOwnLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: "${aws_cloudwatch_log_group.remediation['eu-west-1/revoke-role-sessions'].arn}:log-stream:*" },
      { Sid: 'SendFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:333333333333:acme-remediation-dead-letters' },
      { Sid: 'Own', Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::333333333333:role/*' },
    ]);
  });

  it('reserves the given concurrency, and none unless told', () => {
    expect(synthFunctions({ reservedConcurrency: 5 }).one('aws_lambda_function').reserved_concurrent_executions).toBe(5);
    expect(synthFunctions().one('aws_lambda_function')).not.toHaveProperty('reserved_concurrent_executions');
  });

  it('has a role of its own per region that only Lambda assumes, with no managed policy', () => {
    const { one, json } = synthFunctions();
    expect(one('aws_iam_role').name).toBe('acme-revoke-role-sessions-eu-west-1');
    expect(JSON.parse(one('aws_iam_role').assume_role_policy)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(json.resource.aws_iam_role_policy_attachment).toBeUndefined();
    expect(one('aws_iam_role').managed_policy_arns).toBeUndefined();
  });

  it('retries a failed asynchronous invocation twice, then sends it to the dead-letter queue', () => {
    expect(synthFunctions().one('aws_lambda_function_event_invoke_config')).toMatchObject({
      region: 'eu-west-1',
      maximum_retry_attempts: 2,
      destination_config: { on_failure: { destination: 'arn:aws:sqs:eu-west-1:333333333333:acme-remediation-dead-letters' } },
    });
  });

  it('alarms on errors and on rejected events counted from its JSON log lines', () => {
    const { all, one } = synthFunctions();
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
    const { all, instances } = synthFunctions({ rules: ['arn:aws:events:eu-west-1:333333333333:rule/a', 'arn:aws:events:eu-west-1:333333333333:rule/b'] });
    expect(Object.keys(instances('aws_lambda_permission'))).toEqual(['remediation["eu-west-1/revoke-role-sessions/rule-0"]', 'remediation["eu-west-1/revoke-role-sessions/rule-1"]']);
    expect(all('aws_lambda_permission').map((permission) => [permission.statement_id, permission.principal, permission.source_arn, permission.source_account])).toEqual([
      ['AllowEventBridge-rule-0', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:333333333333:rule/a', '333333333333'],
      ['AllowEventBridge-rule-1', 'events.amazonaws.com', 'arn:aws:events:eu-west-1:333333333333:rule/b', '333333333333'],
    ]);
    expect(synthFunctions().json.resource.aws_lambda_permission).toBeUndefined();
  });
});

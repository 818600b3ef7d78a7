import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AssetType, TerraformAsset, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { servicePrincipal } from '../lib/aws/partition';
import { BUNDLE_FILE, bundleFunction, type Bundle } from '../lib/terraform/bundle';
import { requireProvider } from '../lib/terraform/newer-provider';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../lib/aws/policy';
import { PROVIDER_FEATURES } from '../lib/terraform/provider-version';

/** Node.js 24 on Lambda (GA November 2025; AWS provider 6.19 and later accept it). */
export const LAMBDA_RUNTIME = 'nodejs24.x';
/** Graviton: cheaper per millisecond, and the bundle has no native code. */
export const LAMBDA_ARCHITECTURE = 'arm64';
/** The Lambda service retries a failed asynchronous invocation this often before the on-failure destination. */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** The metric the `rejected` outcome lines are counted into (namespace). */
export const REMEDIATION_METRIC_NAMESPACE = 'GuardDutyRemediation';

export interface RemediationFunctionProps {
  /** Provider of the account the function runs in. */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly accountId: string;
  /** Physical function name (also names its log group, alarms and, with the region, its role). */
  readonly functionName: string;
  readonly description: string;
  /** The handler source (absolute path); its `handler` export is the entry point. */
  readonly entry: string;
  /** The function's own permissions; logging and the dead-letter queue are added here. */
  readonly statements: readonly PolicyStatement[];
  /** @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Where events go after the asynchronous retries are used up (an SQS queue ARN). */
  readonly deadLetterQueueArn: string;
  /** Customer-managed key that encrypts the function's log group (see LogKey and `functionLogGroupName`). */
  readonly logKeyArn: string;
  /**
   * Concurrent executions reserved for the function, so other functions of the account cannot starve
   * it (and it cannot run more at once). @default none reserved (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
  /** @default 365 */
  readonly logRetentionDays?: number;
  /** @default 60 */
  readonly timeoutSeconds?: number;
  /** @default 256 */
  readonly memorySize?: number;
}

/**
 * One remediation Lambda: its bundled code as a Terraform asset, its log group with retention, an
 * execution role that may write only to that log group (no AWSLambdaBasicExecutionRole, no
 * logs:CreateLogGroup, since the group exists before the function), asynchronous retries with the
 * dead-letter queue as on-failure destination, and two alarms: invocation errors, and events the
 * function rejected (counted from its JSON log lines).
 *
 * Why the on-failure destination and not only the rule target's DLQ: EventBridge invokes Lambda
 * asynchronously, so its own retry policy and DLQ cover failures to *deliver* the event; a function
 * that throws is retried by the Lambda service and then goes to this destination.
 */
/** Alarm settings: any occurrence within five minutes alarms; no data is not a problem. */
const ANY_IN_FIVE_MINUTES = {
  statistic: 'Sum',
  period: 300,
  evaluationPeriods: 1,
  threshold: 0,
  comparisonOperator: 'GreaterThanThreshold',
  treatMissingData: 'notBreaching',
} as const;

export class RemediationFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly bundle: Bundle;
  /** Alarms that say the function needs a person: errors, rejected events. */
  readonly alarms: readonly CloudwatchMetricAlarm[];
  private readonly props: RemediationFunctionProps;

  constructor(scope: Construct, id: string, props: RemediationFunctionProps) {
    super(scope, id);
    this.props = props;
    const { provider, region, functionName } = props;

    this.bundle = bundleFunction(props.entry);
    const code = codeAsset(this, this.bundle);

    this.logGroup = new CloudwatchLogGroup(this, 'logs', {
      provider,
      region,
      name: functionLogGroupName(functionName),
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKeyArn,
    });

    this.role = new IamRole(this, 'role', {
      provider,
      // Roles are global and the function exists once per region.
      name: `${functionName}-${region}`,
      description: `Execution role of ${functionName} in ${region}`,
      assumeRolePolicy: serviceTrustPolicy(servicePrincipal('lambda', region)),
    });
    const policy = new IamRolePolicy(this, 'policy', {
      provider,
      name: 'remediation',
      role: this.role.name,
      policy: policyDocument(
        {
          Sid: 'WriteOwnLogs',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${this.logGroup.arn}:log-stream:*`,
        },
        {
          Sid: 'SendFailedEvents',
          Effect: 'Allow',
          Action: 'sqs:SendMessage',
          Resource: props.deadLetterQueueArn,
        },
        ...props.statements,
      ),
    });

    this.function = new LambdaFunction(this, 'function', {
      provider,
      region,
      functionName,
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architectures: [LAMBDA_ARCHITECTURE],
      handler: `${BUNDLE_FILE.replace(/\.js$/, '')}.handler`,
      filename: code.path,
      sourceCodeHash: this.bundle.sha256Base64,
      role: this.role.arn,
      timeout: props.timeoutSeconds ?? 60,
      memorySize: props.memorySize ?? 256,
      ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
      environment: { variables: { ...props.environment } },
      // The handler writes JSON lines itself; Text keeps the runtime from wrapping them again.
      loggingConfig: { logFormat: 'Text', logGroup: this.logGroup.name },
      dependsOn: [this.logGroup, policy],
    });
    requireProvider(this, PROVIDER_FEATURES.lambdaNodejs24);

    new LambdaFunctionEventInvokeConfig(this, 'async', {
      provider,
      region,
      functionName: this.function.functionName,
      maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
      maximumEventAgeInSeconds: 6 * 60 * 60,
      destinationConfig: { onFailure: { destination: props.deadLetterQueueArn } },
      dependsOn: [policy],
    });

    const errors = new CloudwatchMetricAlarm(this, 'errors-alarm', {
      provider,
      region,
      alarmName: `${functionName}-errors`,
      alarmDescription: `${functionName} failed; the event is retried and then lands in the dead-letter queue. Read the function's log.`,
      namespace: 'AWS/Lambda',
      metricName: 'Errors',
      dimensions: { FunctionName: functionName },
      ...ANY_IN_FIVE_MINUTES,
    });

    const rejectedMetric = `${functionName}-rejected-events`;
    new CloudwatchLogMetricFilter(this, 'rejected-filter', {
      provider,
      region,
      name: rejectedMetric,
      logGroupName: this.logGroup.name,
      pattern: '{ $.outcome = "rejected" }',
      metricTransformation: { namespace: REMEDIATION_METRIC_NAMESPACE, name: rejectedMetric, value: '1', defaultValue: '0' },
    });
    const rejected = new CloudwatchMetricAlarm(this, 'rejected-alarm', {
      provider,
      region,
      alarmName: rejectedMetric,
      alarmDescription: `${functionName} rejected an event (malformed, or a target it refuses to change). Not retried; read the function's log.`,
      namespace: REMEDIATION_METRIC_NAMESPACE,
      metricName: rejectedMetric,
      ...ANY_IN_FIVE_MINUTES,
    });
    this.alarms = [errors, rejected];
  }

  /** Lets one EventBridge rule invoke the function. */
  allowRule(id: string, ruleArn: string): void {
    new LambdaPermission(this, `invoke-${id}`, {
      provider: this.props.provider,
      region: this.props.region,
      statementId: `AllowEventBridge-${id}`,
      action: 'lambda:InvokeFunction',
      functionName: this.function.functionName,
      principal: servicePrincipal('events', this.props.region),
      sourceArn: ruleArn,
      sourceAccount: this.props.accountId,
    });
  }
}

/** The log group a function writes to (created by the construct, before the function). */
export function functionLogGroupName(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

/** One asset per bundle and stack, however many regions use it. */
function codeAsset(scope: Construct, bundle: Bundle): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const id = `lambda-code-${bundle.sha256.slice(0, 16)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof TerraformAsset) return existing;
  return new TerraformAsset(stack, id, { path: bundle.zipPath, type: AssetType.FILE, assetHash: bundle.sha256 });
}

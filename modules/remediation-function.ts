import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogMetricFilter } from '@cdktf/provider-aws/lib/cloudwatch-log-metric-filter';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { LambdaFunction } from '@cdktf/provider-aws/lib/lambda-function';
import { LambdaFunctionEventInvokeConfig } from '@cdktf/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktf/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { AssetType, TerraformAsset, TerraformLocal, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { servicePrincipal } from '../lib/aws/partition';
import { BUNDLE_FILE, bundleFunction, type Bundle } from '../lib/terraform/bundle';
import { requireProvider } from '../lib/terraform/newer-provider';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../lib/aws/policy';
import { PROVIDER_FEATURES } from '../lib/terraform/provider-version';
import { instanceKey } from '../lib/terraform/addresses';
import { eachReference, expression, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';

/** Node.js 24 on Lambda (GA November 2025; AWS provider 6.19 and later accept it). */
export const LAMBDA_RUNTIME = 'nodejs24.x';
/** Graviton: cheaper per millisecond, and the bundle has no native code. */
export const LAMBDA_ARCHITECTURE = 'arm64';
/** The Lambda service retries a failed asynchronous invocation this often before the on-failure destination. */
export const ASYNC_RETRY_ATTEMPTS = 2;
/** The metric the `rejected` outcome lines are counted into (namespace). */
export const REMEDIATION_METRIC_NAMESPACE = 'GuardDutyRemediation';

/** One function in one region. */
export interface RemediationFunctionSpec {
  /** The handler (its file name in functions/), the function's key. */
  readonly key: string;
  readonly region: string;
  /** Physical function name (also names its log group, alarms and, with the region, its role). */
  readonly functionName: string;
  readonly description: string;
  /** The handler source (absolute path); its `handler` export is the entry point. */
  readonly entry: string;
  /** The function's own permissions; logging and the dead-letter queue are added here. */
  readonly statements: readonly PolicyStatement[];
  /** @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Where events go after the asynchronous retries are used up (an SQS queue ARN of the region). */
  readonly deadLetterQueueArn: string;
  /** Customer-managed key of the region that encrypts the function's log group (see LogKey and `functionLogGroupName`). */
  readonly logKeyArn: string;
}

export interface RemediationFunctionsProps {
  /** Provider of the account the functions run in. */
  readonly provider: AwsProvider;
  readonly accountId: string;
  readonly functions: readonly RemediationFunctionSpec[];
  /**
   * Concurrent executions reserved for each function, so other functions of the account cannot starve
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
 * The remediation Lambdas of every region, each with its bundled code as a Terraform asset, its log
 * group with retention, an execution role that may write only to that log group (no
 * AWSLambdaBasicExecutionRole, no logs:CreateLogGroup, since the group exists before the function),
 * asynchronous retries with the dead-letter queue as on-failure destination, and two alarms:
 * invocation errors, and events the function rejected (counted from its JSON log lines).
 *
 * Every resource is one keyed block over `<region>/<function>` (`aws_lambda_function.remediation["us-west-2/isolate-instance"]`),
 * so a region or a function added or removed adds or removes its own instances and moves no other;
 * what an instance refers to (its policy, its environment, its region's key and queue) is read from
 * a local map by its key.
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

export class RemediationFunctions extends Construct {
  readonly functions: LambdaFunction;
  readonly roles: IamRole;
  readonly logGroups: CloudwatchLogGroup;
  readonly errorsAlarms: CloudwatchMetricAlarm;
  readonly rejectedAlarms: CloudwatchMetricAlarm;
  /** The bundle of each handler, by key. */
  readonly bundles: ReadonlyMap<string, Bundle>;
  private readonly props: RemediationFunctionsProps;
  private readonly permissions: { key: string; rule: string; ruleArn: string }[] = [];

  constructor(scope: Construct, id: string, props: RemediationFunctionsProps) {
    super(scope, id);
    this.props = props;
    const { provider } = props;
    const bundles = new Map<string, Bundle>();
    for (const fn of props.functions) if (!bundles.has(fn.key)) bundles.set(fn.key, bundleFunction(fn.entry));
    this.bundles = bundles;
    const code = new Map([...bundles].map(([key, bundle]) => [key, codeAsset(this, bundle)]));

    const instances = Instances.of(props.functions, functionKey, (fn) => {
      const rejected = `${fn.functionName}-rejected-events`;
      return {
        region: fn.region,
        function: fn.key,
        function_name: fn.functionName,
        description: fn.description,
        log_group: functionLogGroupName(fn.functionName),
        role_name: `${fn.functionName}-${fn.region}`,
        role_description: `Execution role of ${fn.functionName} in ${fn.region}`,
        trust_policy: serviceTrustPolicy(servicePrincipal('lambda', fn.region)),
        filename: code.get(fn.key)!.path,
        source_code_hash: bundles.get(fn.key)!.sha256Base64,
        errors_alarm: `${fn.functionName}-errors`,
        errors_description: `${fn.functionName} failed; the event is retried and then lands in the dead-letter queue. Read the function's log.`,
        rejected_metric: rejected,
        rejected_description: `${fn.functionName} rejected an event (malformed, or a target it refuses to change). Not retried; read the function's log.`,
      };
    });
    const byKey = (name: string, value: (fn: RemediationFunctionSpec) => unknown) => {
      const local = new TerraformLocal(this, name, Object.fromEntries(props.functions.map((fn) => [functionKey(fn), value(fn)])));
      local.overrideLogicalId(name);
      return expression(`local.${name}[each.key]`);
    };

    this.logGroups = KeyedBlocks.add(
      new CloudwatchLogGroup(this, 'logs', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        name: instances.value('log_group'),
        retentionInDays: props.logRetentionDays ?? 365,
        kmsKeyId: byKey('remediation_function_log_keys', (fn) => fn.logKeyArn),
      }),
      'remediation',
      instances,
    );
    this.roles = KeyedBlocks.add(
      new IamRole(this, 'role', {
        forEach: instances,
        provider,
        // Roles are global and the function exists once per region.
        name: instances.value('role_name'),
        description: instances.value('role_description'),
        assumeRolePolicy: instances.value('trust_policy'),
      }),
      'remediation',
      instances,
    );
    const policies = KeyedBlocks.add(
      new IamRolePolicy(this, 'policy', {
        forEach: instances,
        provider,
        name: 'remediation',
        role: eachReference(this.roles, 'each.key', 'name'),
        policy: byKey('remediation_function_policies', (fn) =>
          policyDocument(
            {
              Sid: 'WriteOwnLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: `${instanceReference(this.logGroups, functionKey(fn), 'arn')}:log-stream:*`,
            },
            { Sid: 'SendFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: fn.deadLetterQueueArn },
            ...fn.statements,
          ),
        ),
      }),
      'remediation',
      instances,
    );

    this.functions = KeyedBlocks.add(
      new LambdaFunction(this, 'function', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        functionName: instances.value('function_name'),
        description: instances.value('description'),
        runtime: LAMBDA_RUNTIME,
        architectures: [LAMBDA_ARCHITECTURE],
        handler: `${BUNDLE_FILE.replace(/\.js$/, '')}.handler`,
        filename: instances.value('filename'),
        sourceCodeHash: instances.value('source_code_hash'),
        role: eachReference(this.roles, 'each.key', 'arn'),
        timeout: props.timeoutSeconds ?? 60,
        memorySize: props.memorySize ?? 256,
        ...(props.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: props.reservedConcurrency } : {}),
        environment: { variables: byKey('remediation_function_environments', (fn) => ({ ...fn.environment })) as unknown as Record<string, string> },
        // The handler writes JSON lines itself; Text keeps the runtime from wrapping them again.
        loggingConfig: { logFormat: 'Text', logGroup: eachReference(this.logGroups, 'each.key', 'name') },
        dependsOn: [this.logGroups, policies],
      }),
      'remediation',
      instances,
    );
    requireProvider(this, PROVIDER_FEATURES.lambdaNodejs24);

    KeyedBlocks.add(
      new LambdaFunctionEventInvokeConfig(this, 'async', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        functionName: eachReference(this.functions, 'each.key', 'function_name'),
        maximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
        maximumEventAgeInSeconds: 6 * 60 * 60,
        destinationConfig: { onFailure: { destination: byKey('remediation_function_dead_letter_queues', (fn) => fn.deadLetterQueueArn) } },
        dependsOn: [policies],
      }),
      'remediation',
      instances,
    );

    this.errorsAlarms = KeyedBlocks.add(
      new CloudwatchMetricAlarm(this, 'errors-alarm', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        alarmName: instances.value('errors_alarm'),
        alarmDescription: instances.value('errors_description'),
        namespace: 'AWS/Lambda',
        metricName: 'Errors',
        dimensions: { FunctionName: instances.value('function_name') },
        ...ANY_IN_FIVE_MINUTES,
      }),
      'remediation_errors',
      instances,
    );
    KeyedBlocks.add(
      new CloudwatchLogMetricFilter(this, 'rejected-filter', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        name: instances.value('rejected_metric'),
        logGroupName: eachReference(this.logGroups, 'each.key', 'name'),
        pattern: '{ $.outcome = "rejected" }',
        metricTransformation: { namespace: REMEDIATION_METRIC_NAMESPACE, name: instances.value('rejected_metric'), value: '1', defaultValue: '0' },
      }),
      'remediation_rejected',
      instances,
    );
    this.rejectedAlarms = KeyedBlocks.add(
      new CloudwatchMetricAlarm(this, 'rejected-alarm', {
        forEach: instances,
        provider,
        region: instances.value('region'),
        alarmName: instances.value('rejected_metric'),
        alarmDescription: instances.value('rejected_description'),
        namespace: REMEDIATION_METRIC_NAMESPACE,
        metricName: instances.value('rejected_metric'),
        ...ANY_IN_FIVE_MINUTES,
      }),
      'remediation_rejected',
      instances,
    );
  }

  /** The ARN of one function (`<region>/<key>`). */
  functionArn(region: string, key: string): string {
    return instanceReference(this.functions, instanceKey(region, key), 'arn');
  }

  /** The ARNs of one function's alarms (errors, rejected events). */
  alarmArns(region: string, key: string): string[] {
    return [instanceReference(this.errorsAlarms, instanceKey(region, key), 'arn'), instanceReference(this.rejectedAlarms, instanceKey(region, key), 'arn')];
  }

  /** Lets one EventBridge rule invoke one function (`<region>/<key>`). */
  allowRule(region: string, key: string, rule: string, ruleArn: string): void {
    this.permissions.push({ key: instanceKey(region, key), rule, ruleArn });
  }

  /** Writes the invoke permissions of every rule given (`allowRule`): call once, after the last. */
  writePermissions(): void {
    if (this.permissions.length === 0) return;
    const byKey = new Map(this.props.functions.map((fn) => [functionKey(fn), fn]));
    const permissions = Instances.of(
      this.permissions,
      (permission) => instanceKey(permission.key, permission.rule),
      (permission) => {
        const fn = byKey.get(permission.key)!;
        return { region: fn.region, function: fn.key, function_key: permission.key, rule: permission.rule, principal: servicePrincipal('events', fn.region) };
      },
    );
    const sources = new TerraformLocal(this, 'remediation_permission_sources', Object.fromEntries(this.permissions.map((permission) => [instanceKey(permission.key, permission.rule), permission.ruleArn])));
    sources.overrideLogicalId('remediation_permission_sources');
    KeyedBlocks.add(
      new LambdaPermission(this, 'invoke', {
        forEach: permissions,
        provider: this.props.provider,
        region: permissions.value('region'),
        statementId: `AllowEventBridge-${permissions.value('rule')}`,
        action: 'lambda:InvokeFunction',
        functionName: eachReference(this.functions, 'each.value.function_key', 'function_name'),
        principal: permissions.value('principal'),
        sourceArn: expression('local.remediation_permission_sources[each.key]'),
        sourceAccount: this.props.accountId,
      }),
      'remediation',
      permissions,
    );
  }
}

const functionKey = (fn: Pick<RemediationFunctionSpec, 'region' | 'key'>) => instanceKey(fn.region, fn.key);

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

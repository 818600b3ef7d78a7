import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { CloudwatchLogResourcePolicy } from '@cdktf/provider-aws/lib/cloudwatch-log-resource-policy';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Construct } from 'constructs';
import { servicePrincipal } from '../lib/aws/partition';
import { findingPattern, TARGET_RETRY_POLICY } from '../lib/guardduty/findings';
import { policyDocument } from '../lib/aws/policy';
import { DEAD_LETTER_RETENTION_SECONDS, rulesSendStatement, type DeadLetters } from './dead-letter-queue';
import { LogKey } from './log-key';

/** A SIEM that fails to process a message this many times leaves it in the queue's own DLQ. */
export const SIEM_MAX_RECEIVE_COUNT = 5;

export interface FindingsSinksProps {
  /** Provider of the account that owns the central bus. */
  readonly provider: AwsProvider;
  /** The home region (the central bus's). */
  readonly region: string;
  /** Account id of the provider's account: the log group's key and the confused-deputy conditions name it. */
  readonly accountId: string;
  /** Name of the central bus the rule listens on. */
  readonly busName: string;
  /** Base of the physical names: rule `<baseName>-sinks`, log group `/aws/events/<baseName>`, queue `<baseName>-siem`. */
  readonly baseName: string;
  /** Days the log group keeps findings; 0 keeps them forever. */
  readonly logRetentionDays: number;
  /** Whether to create the SIEM queue. @default true */
  readonly siemQueue?: boolean;
  /** Dead-letter queue in the home region for events the log group or queue did not take. */
  readonly deadLetterQueue: DeadLetters;
}

/**
 * The machine feed: every finding on the central bus, unchanged JSON, into a CloudWatch Logs group
 * (for Logs Insights, subscription filters, a SIEM's CloudWatch input; encrypted with a key of its own)
 * and into an SQS queue a SIEM polls, with its own dead-letter queue for messages the SIEM cannot
 * process.
 */
export class FindingsSinks extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly logGroup: CloudwatchLogGroup;
  readonly logKey: LogKey;
  readonly siemQueue?: SqsQueue;
  readonly siemDeadLetterQueue?: SqsQueue;

  constructor(scope: Construct, id: string, props: FindingsSinksProps) {
    super(scope, id);
    const { provider, region, busName } = props;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      provider,
      region,
      name: `${props.baseName}-sinks`,
      description: 'Every GuardDuty finding to the log group and the SIEM queue',
      eventBusName: busName,
      eventPattern: JSON.stringify(findingPattern()),
    });
    props.deadLetterQueue.allowRule(this.rule.arn);

    // EventBridge only delivers to log groups under /aws/events/ from the console; keep the API the same.
    const logGroupName = `/aws/events/${props.baseName}`;
    this.logKey = new LogKey(this, 'log-key', { provider, region, accountId: props.accountId, aliasName: `${props.baseName}-logs`, logGroupNames: [logGroupName] });
    this.logGroup = new CloudwatchLogGroup(this, 'log-group', {
      provider,
      region,
      name: logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: this.logKey.keyArn,
    });
    // Scoped to this one group's streams, and to this rule of this account (for EventBridge rule
    // targets the source is the rule: the EventBridge confused-deputy guidance).
    new CloudwatchLogResourcePolicy(this, 'log-policy', {
      provider,
      region,
      policyName: `${props.baseName}-events-to-logs`,
      policyDocument: policyDocument({
        Sid: 'EventBridgeWritesFindings',
        Effect: 'Allow',
        Principal: { Service: [servicePrincipal('events', region), servicePrincipal('delivery.logs', region)] },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${this.logGroup.arn}:*`,
        Condition: { ArnEquals: { 'aws:SourceArn': this.rule.arn }, StringEquals: { 'aws:SourceAccount': props.accountId } },
      }),
    });
    new CloudwatchEventTarget(this, 'log-target', {
      provider,
      region,
      rule: this.rule.name,
      eventBusName: busName,
      targetId: 'log-group',
      arn: this.logGroup.arn,
      retryPolicy: { ...TARGET_RETRY_POLICY },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    });

    if (props.siemQueue === false) return;
    this.siemDeadLetterQueue = new SqsQueue(this, 'siem-dlq', {
      provider,
      region,
      name: `${props.baseName}-siem-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.siemQueue = new SqsQueue(this, 'siem-queue', {
      provider,
      region,
      name: `${props.baseName}-siem`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.siemDeadLetterQueue.arn, maxReceiveCount: SIEM_MAX_RECEIVE_COUNT }),
    });
    new SqsQueuePolicy(this, 'siem-policy', {
      provider,
      region,
      queueUrl: this.siemQueue.url,
      policy: policyDocument(rulesSendStatement('SinksRuleSendsFindings', region, this.siemQueue.arn, [this.rule.arn])),
    });
    new CloudwatchEventTarget(this, 'siem-target', {
      provider,
      region,
      rule: this.rule.name,
      eventBusName: busName,
      targetId: 'siem-queue',
      arn: this.siemQueue.arn,
      retryPolicy: { ...TARGET_RETRY_POLICY },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    });
  }
}

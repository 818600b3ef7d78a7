import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { servicePrincipal } from '../lib/aws/partition';
import { policyDocument, type PolicyStatement } from '../lib/aws/policy';

/** SQS keeps a message at most 14 days; a dead letter is kept as long as possible for inspection. */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

export interface DeadLetterQueueProps {
  /** Provider of the account that owns the queue. */
  readonly provider: AwsProvider;
  /** Must be the region of the rules that use it: EventBridge only sends to a DLQ in the rule's region. */
  readonly region: string;
  /** Physical queue name. */
  readonly queueName: string;
  /**
   * ARNs of the EventBridge rules whose targets use this queue (`aws:SourceArn`); more can be added
   * with `allowRule`. @default none yet
   */
  readonly sourceRuleArns?: readonly string[];
}

/**
 * An encrypted SQS queue (SSE-SQS) that EventBridge rule targets use as dead-letter queue: events
 * that could not be delivered after the target's retry policy land here instead of being dropped.
 *
 * The queue policy lets EventBridge send only for the listed rules. Because a rule's target names
 * the queue before the rule's ARN exists in this construct, rules are added with `allowRule` and the
 * policy is rendered at synth time. SSE-SQS (not KMS) because EventBridge can send to an SSE-SQS
 * queue without any key policy.
 *
 * Shared: the findings flow (admin stack) and the remediation rules (sandbox stack) use it.
 */
export class DeadLetterQueue extends Construct {
  readonly queue: SqsQueue;
  /** The queue ARN, for a target's `deadLetterConfig.arn`. */
  readonly queueArn: string;
  private readonly ruleArns: string[];

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const { provider, region } = props;
    this.ruleArns = [...(props.sourceRuleArns ?? [])];
    this.queue = new SqsQueue(this, 'queue', {
      provider,
      region,
      name: props.queueName,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.queueArn = this.queue.arn;
    new SqsQueuePolicy(this, 'policy', {
      provider,
      region,
      queueUrl: this.queue.url,
      policy: Lazy.stringValue({ produce: () => policyDocument(rulesSendStatement('RulesSendDeadLetters', region, this.queue.arn, this.ruleArns)) }),
    });
    this.node.addValidation({
      validate: () => (this.ruleArns.length === 0 ? [`dead-letter queue ${props.queueName}: no rule uses it; pass sourceRuleArns or call allowRule`] : []),
    });
  }

  /** Lets one more rule's targets send their undeliverable events here. */
  allowRule(ruleArn: string): void {
    if (!this.ruleArns.includes(ruleArn)) this.ruleArns.push(ruleArn);
  }
}

/** Lets EventBridge send to a queue, only for the given rules: every queue that is a rule target. */
export function rulesSendStatement(sid: string, region: string, queueArn: string, ruleArns: readonly string[]): PolicyStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: servicePrincipal('events', region) },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnEquals: { 'aws:SourceArn': ruleArns.length === 1 ? ruleArns[0] : [...ruleArns] } },
  };
}

import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { SqsQueuePolicy } from '@cdktf/provider-aws/lib/sqs-queue-policy';
import { Lazy, TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { eachReference, expression, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';
import { servicePrincipal } from '../lib/aws/partition';
import { policyDocument, type PolicyStatement } from '../lib/aws/policy';

/** What an EventBridge rule target needs of a dead-letter queue: its ARN, and leave for the rule to send there. */
export interface DeadLetters {
  /** The queue ARN, for a target's `deadLetterConfig.arn`. */
  readonly queueArn: string;
  /** Lets one more rule's targets send their undeliverable events here. */
  allowRule(ruleArn: string): void;
}

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
export class DeadLetterQueue extends Construct implements DeadLetters {
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

export interface RegionalDeadLetterQueuesProps {
  /** Provider of the account that owns the queues. */
  readonly provider: AwsProvider;
  /** One queue in each: EventBridge only sends to a dead-letter queue in the rule's own region. */
  readonly regions: readonly string[];
  /** Physical queue name, the same in every region. */
  readonly queueName: string;
  /** Block name of the queues and their policies (`aws_sqs_queue.<name>["<region>"]`). */
  readonly name: string;
}

/**
 * A `DeadLetterQueue` in each region, as keyed blocks (`aws_sqs_queue.<name>["<region>"]` and its
 * `aws_sqs_queue_policy`), addressed like the rest of a region's resources: a region removed is one
 * key of each block. Each region's policy lets EventBridge send only for the rules of that region that
 * use the queue (`at(region).allowRule`); the policies are a local map by region, written at synth.
 */
export class RegionalDeadLetterQueues extends Construct {
  readonly queue: SqsQueue;
  readonly policy: SqsQueuePolicy;
  private readonly ruleArns = new Map<string, string[]>();

  constructor(scope: Construct, id: string, props: RegionalDeadLetterQueuesProps) {
    super(scope, id);
    const { provider } = props;
    const regions = Instances.byRegion(props.regions);
    this.queue = KeyedBlocks.add(
      new SqsQueue(this, 'queue', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        name: props.queueName,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      }),
      props.name,
      regions,
    );
    const policies = new TerraformLocal(
      this,
      'policies',
      Object.fromEntries(
        props.regions.map((region) => [
          region,
          Lazy.stringValue({ produce: () => policyDocument(rulesSendStatement('RulesSendDeadLetters', region, this.at(region).queueArn, this.ruleArns.get(region) ?? [])) }),
        ]),
      ),
    );
    policies.overrideLogicalId(`${props.name}_policies`);
    this.policy = KeyedBlocks.add(
      new SqsQueuePolicy(this, 'policy', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        queueUrl: eachReference(this.queue, 'each.key', 'url'),
        policy: expression(`local.${policies.friendlyUniqueId}[each.key]`),
      }),
      props.name,
      regions,
    );
    this.node.addValidation({
      validate: () => props.regions.filter((region) => !this.ruleArns.get(region)?.length).map((region) => `dead-letter queue ${props.queueName} in ${region}: no rule uses it; call allowRule`),
    });
  }

  /** The queue of one region, for the rule targets of that region. */
  at(region: string): DeadLetters {
    return {
      queueArn: instanceReference(this.queue, region, 'arn'),
      allowRule: (ruleArn) => {
        const arns = this.ruleArns.get(region) ?? [];
        if (!arns.includes(ruleArn)) arns.push(ruleArn);
        this.ruleArns.set(region, arns);
      },
    };
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

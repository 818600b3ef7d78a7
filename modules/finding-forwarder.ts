import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { findingPattern, TARGET_RETRY_POLICY } from '../lib/findings';
import type { DeadLetterQueue } from './dead-letter-queue';

export interface FindingForwarderProps {
  /** Provider of the GuardDuty administrator account. */
  readonly provider: AwsProvider;
  /** The region whose default bus receives the findings of every member in it. */
  readonly region: string;
  /** Physical rule name. */
  readonly ruleName: string;
  /** ARN of the central bus (home region). */
  readonly centralBusArn: string;
  /** ARN of the role that may only put events on the central bus. */
  readonly senderRoleArn: string;
  /** Dead-letter queue in this region (EventBridge only uses one in the rule's region). */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Forward only findings of at least this severity. @default every finding */
  readonly minSeverity?: number;
}

/**
 * A rule on one region's default bus of the administrator account that sends each GuardDuty finding
 * to the central bus. The target is the bus itself, unchanged: a bus target takes no input
 * transformer, and an event that arrived from another bus is not forwarded again, so this is the one
 * hop; the central bus's own rules do all the shaping.
 */
export class FindingForwarder extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly target: CloudwatchEventTarget;

  constructor(scope: Construct, id: string, props: FindingForwarderProps) {
    super(scope, id);
    const { provider, region } = props;
    this.rule = new CloudwatchEventRule(this, 'rule', {
      provider,
      region,
      name: props.ruleName,
      description: `Forwards GuardDuty findings of ${region} to the central findings bus`,
      eventBusName: 'default',
      eventPattern: JSON.stringify(findingPattern({ minSeverity: props.minSeverity })),
    });
    this.target = new CloudwatchEventTarget(this, 'central-bus', {
      provider,
      region,
      rule: this.rule.name,
      eventBusName: 'default',
      targetId: 'central-bus',
      arn: props.centralBusArn,
      roleArn: props.senderRoleArn,
      retryPolicy: { ...TARGET_RETRY_POLICY },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    });
    props.deadLetterQueue.allowRule(this.rule.arn);
  }
}

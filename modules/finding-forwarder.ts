import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { findingPattern, TARGET_RETRY_POLICY } from '../lib/guardduty/findings';
import { eachReference, expression, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';
import type { DeadLetters } from './dead-letter-queue';

export interface FindingForwardersProps {
  /** Provider of the GuardDuty administrator account. */
  readonly provider: AwsProvider;
  /** Physical rule name, the same in every region. */
  readonly ruleName: string;
  /** ARN of the central bus (home region). */
  readonly centralBusArn: string;
  /** ARN of the role that may only put events on the central bus. */
  readonly senderRoleArn: string;
  /**
   * The dead-letter queue of each region whose default bus is forwarded (EventBridge only uses one in
   * the rule's region): one rule and target per region listed here.
   */
  readonly deadLetterQueues: Readonly<Record<string, DeadLetters>>;
  /** Forward only findings of at least this severity. @default every finding */
  readonly minSeverity?: number;
}

/**
 * A rule on each region's default bus of the administrator account that sends every GuardDuty finding
 * to the central bus (`aws_cloudwatch_event_rule.forwarder["<region>"]` and its target). The target
 * is the bus itself, unchanged: a bus target takes no input transformer, and an event that arrived
 * from another bus is not forwarded again, so this is the one hop; the central bus's own rules do all
 * the shaping.
 */
export class FindingForwarders extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly target: CloudwatchEventTarget;

  constructor(scope: Construct, id: string, props: FindingForwardersProps) {
    super(scope, id);
    const { provider } = props;
    const regions = Instances.byRegion(Object.keys(props.deadLetterQueues));
    this.rule = KeyedBlocks.add(
      new CloudwatchEventRule(this, 'rule', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        name: props.ruleName,
        description: `Forwards GuardDuty findings of ${regions.value('region')} to the central findings bus`,
        eventBusName: 'default',
        eventPattern: JSON.stringify(findingPattern({ minSeverity: props.minSeverity })),
      }),
      'forwarder',
      regions,
    );
    const deadLetterArns = new TerraformLocal(
      this,
      'dead-letter-queues',
      Object.fromEntries(Object.entries(props.deadLetterQueues).map(([region, queue]) => [region, queue.queueArn])),
    );
    deadLetterArns.overrideLogicalId('forwarder_dead_letter_queues');
    this.target = KeyedBlocks.add(
      new CloudwatchEventTarget(this, 'central-bus', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        rule: eachReference(this.rule, 'each.key', 'name'),
        eventBusName: 'default',
        targetId: 'central-bus',
        arn: props.centralBusArn,
        roleArn: props.senderRoleArn,
        retryPolicy: { ...TARGET_RETRY_POLICY },
        deadLetterConfig: { arn: expression(`local.${deadLetterArns.friendlyUniqueId}[each.value.region]`) },
      }),
      'forwarder',
      regions,
    );
    for (const [region, queue] of Object.entries(props.deadLetterQueues)) queue.allowRule(instanceReference(this.rule, region, 'arn'));
  }
}

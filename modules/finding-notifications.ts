import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { RESOURCE_MESSAGES, resourceMessagePattern, resourceMessageTransformer, TARGET_RETRY_POLICY } from '../lib/guardduty/findings';
import type { DeadLetters } from './dead-letter-queue';
import { NotificationTopic } from './notification-topic';

export interface FindingNotificationsProps {
  /** Provider of the account that owns the central bus. */
  readonly provider: AwsProvider;
  /** The home region (the central bus's). */
  readonly region: string;
  /** Account id of the provider's account. */
  readonly accountId: string;
  /** Name of the central bus the rules listen on. */
  readonly busName: string;
  /** Physical topic name; rule names are `<topicName>-<resource kind>`. */
  readonly topicName: string;
  /** Addresses subscribed by e-mail. @default none (others can subscribe to the topic) */
  readonly emails?: readonly string[];
  /** Only findings of at least this severity are e-mailed. @default every finding */
  readonly minSeverity?: number;
  /** Dead-letter queue in the home region for messages SNS did not take. */
  readonly deadLetterQueue: DeadLetters;
}

/**
 * Readable e-mail for people: one rule per kind of affected resource on the central bus, each turning
 * the finding into one line (`GuardDuty Finding | ID:...`) that names the resource, into an encrypted
 * SNS topic.
 */
export class FindingNotifications extends Construct {
  readonly topic: NotificationTopic;
  /** Rules by resource kind (`instance`, `access-key`, `s3-bucket`, `eks-cluster`, `attack-sequence`, `other`). */
  readonly rules: Readonly<Record<string, CloudwatchEventRule>>;
  /** Their SNS targets, by the same keys. */
  readonly targets: Readonly<Record<string, CloudwatchEventTarget>>;

  constructor(scope: Construct, id: string, props: FindingNotificationsProps) {
    super(scope, id);
    const { provider, region } = props;
    this.topic = new NotificationTopic(this, 'topic', {
      provider,
      region,
      accountId: props.accountId,
      topicName: props.topicName,
      displayName: 'GuardDuty findings',
      emails: props.emails,
    });
    const rules: Record<string, CloudwatchEventRule> = {};
    const targets: Record<string, CloudwatchEventTarget> = {};
    for (const message of RESOURCE_MESSAGES) {
      const rule = new CloudwatchEventRule(this, `rule-${message.key}`, {
        provider,
        region,
        name: `${props.topicName}-${message.key}`,
        description: message.resourceTypes
          ? `E-mails GuardDuty findings on ${message.resourceTypes.join(', ')} resources`
          : 'E-mails GuardDuty findings on resources no other rule names',
        eventBusName: props.busName,
        eventPattern: JSON.stringify(resourceMessagePattern(message, props.minSeverity ?? 0)),
      });
      targets[message.key] = new CloudwatchEventTarget(this, `target-${message.key}`, {
        provider,
        region,
        rule: rule.name,
        eventBusName: props.busName,
        targetId: 'email',
        arn: this.topic.topicArn,
        inputTransformer: resourceMessageTransformer(message),
        retryPolicy: { ...TARGET_RETRY_POLICY },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      });
      this.topic.allowRule(rule.arn);
      props.deadLetterQueue.allowRule(rule.arn);
      rules[message.key] = rule;
    }
    this.rules = rules;
    this.targets = targets;
  }
}

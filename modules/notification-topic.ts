import { KmsAlias } from '@cdktf/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktf/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import { Lazy } from 'cdktf';
import { Construct } from 'constructs';
import { iamArn, servicePrincipal } from '../lib/aws/partition';
import { policyDocument, type PolicyStatement } from '../lib/aws/policy';

export interface NotificationTopicProps {
  /** Provider of the account that owns the topic. */
  readonly provider: AwsProvider;
  readonly region: string;
  /** Account id of the provider's account: its root administers the key. */
  readonly accountId: string;
  /** Physical topic name (also the key alias, `alias/<topicName>`). */
  readonly topicName: string;
  /** Display name of the e-mail sender. @default the topic name */
  readonly displayName?: string;
  /** Addresses subscribed by e-mail (each must confirm the subscription). @default none */
  readonly emails?: readonly string[];
  /**
   * ARNs of EventBridge rules that may publish (`aws:SourceArn`); more can be added with
   * `allowRule`. @default none yet
   */
  readonly publisherRuleArns?: readonly string[];
  /**
   * ARNs of IAM roles that may publish and use the key, for example a Lambda's execution role.
   * @default none
   */
  readonly publisherRoleArns?: readonly string[];
}

/**
 * An SNS topic for people, encrypted with its own customer-managed KMS key.
 *
 * Why a customer key: EventBridge cannot publish to a topic encrypted with the AWS-managed SNS key
 * (`alias/aws/sns`), whose policy cannot be changed to let events.amazonaws.com use it. The key policy
 * grants the account root administration (so IAM policies can delegate, and the key is never
 * orphaned), and only `kms:GenerateDataKey*` + `kms:Decrypt` to EventBridge and the named publishers.
 *
 * The topic policy lets EventBridge publish only for the listed rules of this account (`aws:SourceArn`,
 * `aws:SourceAccount`: the confused-deputy guard), and the named roles publish. Rules created after the
 * topic call `allowRule(ruleArn)`; the policy is rendered at synth time with every rule added.
 *
 * The key policy's EventBridge statement carries no source condition, on purpose: the SNS developer
 * guide (key management, "compatibility with AWS services") says adding `aws:SourceAccount` or
 * `aws:SourceArn` to a KMS key policy is not supported for EventBridge-to-encrypted topics, and with
 * them every e-mail would be dropped without an error. EventBridge can only reach the key through a
 * publish the topic policy has already allowed for our rules.
 *
 * Shared: the findings notifications (admin stack) and the remediation notices (sandbox stack) use it.
 */
export class NotificationTopic extends Construct {
  readonly key: KmsKey;
  readonly topic: SnsTopic;
  /** The topic ARN, for rule targets and Lambda environments. */
  readonly topicArn: string;
  private readonly ruleArns: string[];
  private readonly accountId: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: NotificationTopicProps) {
    super(scope, id);
    const { provider, region } = props;
    this.ruleArns = [...(props.publisherRuleArns ?? [])];
    const publisherRoles = [...(props.publisherRoleArns ?? [])];
    this.accountId = props.accountId;
    this.region = region;

    const keyStatements: PolicyStatement[] = [
      {
        Sid: 'AccountAdministers',
        Effect: 'Allow',
        Principal: { AWS: iamArn(region, props.accountId, 'root') },
        Action: 'kms:*',
        Resource: '*',
      },
      {
        Sid: 'PublishersEncrypt',
        Effect: 'Allow',
        Principal: { Service: servicePrincipal('events', region) },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
      },
    ];
    if (publisherRoles.length > 0) {
      keyStatements.push({
        Sid: 'PublisherRolesEncrypt',
        Effect: 'Allow',
        Principal: { AWS: publisherRoles },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
      });
    }
    this.key = new KmsKey(this, 'key', {
      provider,
      region,
      description: `Encrypts SNS topic ${props.topicName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 7,
      policy: policyDocument(...keyStatements),
    });
    new KmsAlias(this, 'alias', { provider, region, name: `alias/${props.topicName}`, targetKeyId: this.key.keyId });

    this.topic = new SnsTopic(this, 'topic', {
      provider,
      region,
      name: props.topicName,
      displayName: props.displayName ?? props.topicName,
      kmsMasterKeyId: this.key.arn,
    });
    this.topicArn = this.topic.arn;

    new SnsTopicPolicy(this, 'policy', {
      provider,
      region,
      arn: this.topic.arn,
      policy: Lazy.stringValue({ produce: () => this.topicPolicy(publisherRoles) }),
    });

    for (const email of props.emails ?? []) {
      // Keyed by the address, so adding or removing one address leaves the others in place.
      new SnsTopicSubscription(this, `email-${email}`, {
        provider,
        region,
        topicArn: this.topic.arn,
        protocol: 'email',
        endpoint: email,
      });
    }

    this.node.addValidation({
      validate: () =>
        this.ruleArns.length === 0 && publisherRoles.length === 0
          ? [`notification topic ${props.topicName}: no rule or role may publish to it; pass publisherRuleArns/publisherRoleArns or call allowRule`]
          : [],
    });
  }

  /** Lets one more EventBridge rule publish to the topic. */
  allowRule(ruleArn: string): void {
    if (!this.ruleArns.includes(ruleArn)) this.ruleArns.push(ruleArn);
  }

  private topicPolicy(publisherRoles: readonly string[]): string {
    const statements: PolicyStatement[] = [];
    if (this.ruleArns.length > 0) {
      statements.push({
        Sid: 'RulesPublish',
        Effect: 'Allow',
        Principal: { Service: servicePrincipal('events', this.region) },
        Action: 'sns:Publish',
        Resource: this.topic.arn,
        Condition: {
          ArnEquals: { 'aws:SourceArn': this.ruleArns.length === 1 ? this.ruleArns[0] : [...this.ruleArns] },
          StringEquals: { 'aws:SourceAccount': this.accountId },
        },
      });
    }
    if (publisherRoles.length > 0) {
      statements.push({
        Sid: 'RolesPublish',
        Effect: 'Allow',
        Principal: { AWS: publisherRoles.length === 1 ? publisherRoles[0] : [...publisherRoles] },
        Action: 'sns:Publish',
        Resource: this.topic.arn,
      });
    }
    return policyDocument(...statements);
  }
}

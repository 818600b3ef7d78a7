import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { NotificationTopic, type NotificationTopicProps } from '../../modules/notification-topic';

function synthTopic(props: Omit<NotificationTopicProps, 'provider' | 'region' | 'accountId' | 'topicName'>, after?: (topic: NotificationTopic) => void) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  const topic = new NotificationTopic(stack, 'alerts', { provider, region: 'us-west-2', accountId: '222222222222', topicName: 'acme-alerts', ...props });
  after?.(topic);
  const json = JSON.parse(Testing.synth(stack, true));
  const one = (type: string) => Object.values(json.resource[type] ?? {}) as any[];
  return { json, one };
}

describe('NotificationTopic', () => {
  it('encrypts the topic with its own key that EventBridge may use for data keys only, without source conditions (unsupported for EventBridge-to-encrypted topics)', () => {
    const { one } = synthTopic({ publisherRuleArns: ['arn:aws:events:us-west-2:222222222222:rule/bus/r1'] });
    const [key] = one('aws_kms_key');
    expect(key.enable_key_rotation).toBe(true);
    expect(JSON.parse(key.policy).Statement).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::222222222222:root' }, Action: 'kms:*', Resource: '*' },
      { Sid: 'PublishersEncrypt', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' },
    ]);
    const [topic] = one('aws_sns_topic');
    expect(topic.name).toBe('acme-alerts');
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.[\w-]+\.arn\}$/);
    expect(topic.kms_master_key_id).not.toContain('alias/aws/sns');
    expect(one('aws_kms_alias')[0].name).toBe('alias/acme-alerts');
  });

  it('lets only the listed rules publish, including rules added after construction', () => {
    const { one } = synthTopic({ publisherRuleArns: ['arn:r1'] }, (topic) => topic.allowRule('arn:r2'));
    const policy = JSON.parse(one('aws_sns_topic_policy')[0].policy);
    expect(policy.Statement).toEqual([
      {
        Sid: 'RulesPublish',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: expect.stringMatching(/^\$\{aws_sns_topic\.[\w-]+\.arn\}$/),
        Condition: { ArnEquals: { 'aws:SourceArn': ['arn:r1', 'arn:r2'] }, StringEquals: { 'aws:SourceAccount': '222222222222' } },
      },
    ]);
  });

  it('grants named roles publish and key use', () => {
    const role = 'arn:aws:iam::333333333333:role/remediation';
    const { one } = synthTopic({ publisherRoleArns: [role] });
    const key = JSON.parse(one('aws_kms_key')[0].policy);
    expect(key.Statement[1].Principal).toEqual({ Service: 'events.amazonaws.com' });
    expect(key.Statement[2]).toEqual({ Sid: 'PublisherRolesEncrypt', Effect: 'Allow', Principal: { AWS: [role] }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' });
    const policy = JSON.parse(one('aws_sns_topic_policy')[0].policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Sid: 'RolesPublish', Principal: { AWS: role }, Action: 'sns:Publish' })]);
    expect(policy.Statement[0].Condition).toBeUndefined();
  });

  it('subscribes each e-mail address, and none when none are given', () => {
    const withEmails = synthTopic({ emails: ['a@example.com', 'b@example.com'], publisherRuleArns: ['arn:r1'] });
    expect(withEmails.one('aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([
      ['email', 'a@example.com'],
      ['email', 'b@example.com'],
    ]);
    expect(synthTopic({ publisherRuleArns: ['arn:r1'] }).one('aws_sns_topic_subscription')).toEqual([]);
  });

  it('refuses a topic nobody may publish to', () => {
    expect(() => synthTopic({})).toThrow(/notification topic acme-alerts: no rule or role may publish to it/);
  });
});

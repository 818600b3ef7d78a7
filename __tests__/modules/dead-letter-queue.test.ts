import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { DEAD_LETTER_RETENTION_SECONDS, DeadLetterQueue } from '../../modules/dead-letter-queue';

function synthQueue(sourceRuleArns: string[] | undefined, later: string[] = []) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  const dlq = new DeadLetterQueue(stack, 'dlq', { provider, region: 'eu-west-1', queueName: 'acme-dlq', sourceRuleArns });
  later.forEach((arn) => dlq.allowRule(arn));
  const json = JSON.parse(Testing.synth(stack, true));
  return { queue: Object.values(json.resource.aws_sqs_queue)[0] as any, policy: Object.values(json.resource.aws_sqs_queue_policy)[0] as any };
}

describe('DeadLetterQueue', () => {
  it('is an SSE-SQS queue in the rule region that keeps dead letters 14 days', () => {
    const { queue } = synthQueue(['arn:r1']);
    expect(queue).toMatchObject({ name: 'acme-dlq', region: 'eu-west-1', sqs_managed_sse_enabled: true, message_retention_seconds: DEAD_LETTER_RETENTION_SECONDS });
    expect(DEAD_LETTER_RETENTION_SECONDS).toBe(1209600);
  });

  it('lets EventBridge send only for the listed rules, added once each', () => {
    const { policy } = synthQueue(['arn:r1'], ['arn:r2', 'arn:r1']);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'RulesSendDeadLetters',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: expect.stringMatching(/^\$\{aws_sqs_queue\.[\w-]+\.arn\}$/),
        Condition: { ArnEquals: { 'aws:SourceArn': ['arn:r1', 'arn:r2'] } },
      },
    ]);
    expect(policy.queue_url).toMatch(/^\$\{aws_sqs_queue\.[\w-]+\.url\}$/);
  });

  it('refuses a queue no rule uses', () => {
    expect(() => synthQueue(undefined)).toThrow(/dead-letter queue acme-dlq: no rule uses it/);
  });
});

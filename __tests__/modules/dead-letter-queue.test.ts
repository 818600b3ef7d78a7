import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { DEAD_LETTER_RETENTION_SECONDS, DeadLetterQueue, RegionalDeadLetterQueues } from '../../modules/dead-letter-queue';
import { KeyedBlocks } from '../../lib/terraform/instances';

/** A stack that writes keyed blocks, as OrgStack does. */
class OrgLikeStack extends TerraformStack {
  private readonly keyed: KeyedBlocks;
  constructor(scope: Construct) {
    super(scope, 'test');
    this.keyed = KeyedBlocks.enable(this);
  }
  override toTerraform(): any {
    const tf = super.toTerraform();
    this.keyed.writeInto(tf);
    return tf;
  }
}

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

describe('RegionalDeadLetterQueues', () => {
  function synthQueues(allow: (queues: RegionalDeadLetterQueues) => void) {
    const app = Testing.app();
    const stack = new OrgLikeStack(app);
    const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
    const queues = new RegionalDeadLetterQueues(stack, 'findings-dlq', { provider, regions: ['us-west-2', 'eu-west-1'], queueName: 'acme-findings-dlq', name: 'findings_dlq' });
    allow(queues);
    return JSON.parse(Testing.synth(stack, true));
  }

  it('is one keyed block of queues and one of policies, each region allowing only its own rules', () => {
    const json = synthQueues((queues) => {
      queues.at('us-west-2').allowRule('arn:west');
      queues.at('us-west-2').allowRule('arn:west');
      queues.at('eu-west-1').allowRule('arn:eu');
    });
    expect(json.locals[/^\$\{local\.(.+)\}$/.exec(json.resource.aws_sqs_queue.findings_dlq.for_each)?.[1] as string]).toEqual({ 'us-west-2': { region: 'us-west-2' }, 'eu-west-1': { region: 'eu-west-1' } });
    expect(json.resource.aws_sqs_queue.findings_dlq).toMatchObject({
      name: 'acme-findings-dlq',
      region: '${each.value.region}',
      sqs_managed_sse_enabled: true,
      message_retention_seconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    expect(json.resource.aws_sqs_queue_policy.findings_dlq).toMatchObject({ queue_url: '${aws_sqs_queue.findings_dlq[each.key].url}', policy: '${local.findings_dlq_policies[each.key]}' });
    // The policy is a template: the quotes of an address inside ${...} are Terraform's, not JSON's.
    const policy = (region: string) => JSON.parse(json.locals.findings_dlq_policies[region].replace(/\$\{[^{}]*\}/g, (text: string) => text.replace(/"/g, '\\"'))).Statement[0];
    expect(policy('us-west-2')).toMatchObject({ Resource: '${aws_sqs_queue.findings_dlq["us-west-2"].arn}', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:west' } } });
    expect(policy('eu-west-1')).toMatchObject({ Resource: '${aws_sqs_queue.findings_dlq["eu-west-1"].arn}', Condition: { ArnEquals: { 'aws:SourceArn': 'arn:eu' } } });
  });

  it('refuses a region whose queue no rule uses', () => {
    expect(() => synthQueues((queues) => queues.at('us-west-2').allowRule('arn:west'))).toThrow(/dead-letter queue acme-findings-dlq in eu-west-1: no rule uses it/);
  });
});

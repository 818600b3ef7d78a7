import { resourceInstances } from '../../../cli/common/synthesized';

describe('resourceInstances', () => {
  it('lists a single block, each for_each key and each count index with the address Terraform shows', () => {
    const stack = {
      resource: {
        aws_guardduty_detector: { detector: { for_each: { 'us-east-1': {}, 'eu-west-1': {} }, enable: true } },
        aws_guardduty_member: { member: { for_each: ['111111111111/us-east-1'] } },
        aws_sns_topic: { topic: { name: 'x' }, copies: { count: 2 } },
        aws_sqs_queue: { dynamic: { for_each: '${toset(var.x)}' } },
      },
    };
    expect(resourceInstances(stack).map((instance) => [instance.address, instance.key ?? null])).toEqual([
      ['aws_guardduty_detector.detector["us-east-1"]', 'us-east-1'],
      ['aws_guardduty_detector.detector["eu-west-1"]', 'eu-west-1'],
      ['aws_guardduty_member.member["111111111111/us-east-1"]', '111111111111/us-east-1'],
      ['aws_sns_topic.topic', null],
      ['aws_sns_topic.copies[0]', 0],
      ['aws_sns_topic.copies[1]', 1],
      ['aws_sqs_queue.dynamic', null],
    ]);
  });
});

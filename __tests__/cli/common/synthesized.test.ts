import { instanceAttributes, literalValue, resourceAccount, resourceInstances, stackRegions } from '../../../cli/common/synthesized';

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

describe('instanceAttributes', () => {
  it('reads each.key and each.value from the literal map, expands dynamic blocks, and leaves other references', () => {
    const stack = {
      resource: {
        aws_guardduty_detector_feature: {
          feature: {
            '//': { metadata: {} },
            for_each: {
              'us-east-1/RUNTIME_MONITORING': { region: 'us-east-1', name: 'RUNTIME_MONITORING', on: true, agents: [{ name: 'EKS', status: 'ENABLED' }] },
            },
            region: '${each.value.region}',
            name: '${each.value.name}',
            enabled: '${each.value.on}',
            description: 'plan ${each.value.name} in ${each.key}',
            detector_id: '${aws_guardduty_detector.detector[each.value.region].id}',
            other: '${local.ids[each.value.region]} and ${var.x}',
            depends_on: ['aws_guardduty_detector.detector'],
            dynamic: { additional_configuration: { for_each: '${each.value.agents}', content: { name: '${additional_configuration.value.name}', status: '${additional_configuration.value.status}' } } },
          },
        },
        aws_sns_topic: { topic: { name: 'x' } },
      },
    };
    const [feature, topic] = resourceInstances(stack);
    expect(instanceAttributes(feature)).toEqual({
      region: 'us-east-1',
      name: 'RUNTIME_MONITORING',
      enabled: true,
      description: 'plan RUNTIME_MONITORING in us-east-1/RUNTIME_MONITORING',
      detector_id: '${aws_guardduty_detector.detector["us-east-1"].id}',
      other: '${local.ids["us-east-1"]} and ${var.x}',
      depends_on: ['aws_guardduty_detector.detector'],
      additional_configuration: [{ name: 'EKS', status: 'ENABLED' }],
    });
    expect(instanceAttributes(topic)).toEqual({ name: 'x' });
  });
});

describe('literalValue and resourceAccount', () => {
  const stack = {
    provider: { aws: [{ allowed_account_ids: ['222222222222'] }, { alias: 'management', allowed_account_ids: ['111111111111'] }] },
    resource: {
      aws_cloudwatch_event_bus: { bus: { name: 'acme-findings', arn: '${aws_x.y.arn}' } },
      aws_cloudwatch_event_rule: { rule: { name: 'acme-rule', event_bus_name: '${aws_cloudwatch_event_bus.bus.name}', provider: 'aws.management' } },
    },
  };

  it('resolves literals and references to literal attributes, and nothing Terraform computes', () => {
    expect(literalValue(stack, 'default')).toBe('default');
    expect(literalValue(stack, '${aws_cloudwatch_event_bus.bus.name}')).toBe('acme-findings');
    expect(literalValue(stack, '${aws_cloudwatch_event_bus.bus.arn}')).toBeUndefined();
    expect(literalValue(stack, '${aws_cloudwatch_event_bus.other.name}')).toBeUndefined();
    expect(literalValue(stack, 'arn:${aws_cloudwatch_event_bus.bus.name}')).toBeUndefined();
    expect(literalValue(stack, 3)).toBeUndefined();
  });

  it('finds the account of the provider a resource names, the default provider when it names none', () => {
    expect(resourceAccount(stack, stack.resource.aws_cloudwatch_event_rule.rule)).toBe('111111111111');
    expect(resourceAccount(stack, {})).toBe('222222222222');
    expect(resourceAccount(stack, { provider: 'aws.unknown' })).toBeUndefined();
  });
});

describe('stackRegions', () => {
  it('reads literal regions and the regions of keyed instances, their map inline or a local, and leaves expressions out', () => {
    const stack = {
      locals: { for_each_1: { 'eu-west-1': { region: 'eu-west-1' }, 'eu-north-1': { region: 'eu-north-1' } } },
      resource: {
        aws_guardduty_detector: { detector: { for_each: { 'us-east-1': { region: 'us-east-1' } }, region: '${each.value.region}' } },
        aws_guardduty_member: { member_111111111111: { for_each: '${local.for_each_1}', region: '${each.value.region}' } },
        aws_sns_topic: { alerts: { region: 'us-west-2' } },
        aws_sqs_queue: { other: { region: '${var.region}' } },
      },
    };
    expect(stackRegions(stack).sort()).toEqual(['eu-north-1', 'eu-west-1', 'us-east-1', 'us-west-2']);
    expect(stackRegions({})).toEqual([]);
  });
});

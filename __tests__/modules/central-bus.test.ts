import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { CentralBus } from '../../modules/central-bus';

function synthBus(archiveRetentionDays = 365) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new CentralBus(stack, 'bus', { provider, region: 'us-west-2', accountId: '222222222222', busName: 'acme-findings', archiveRetentionDays });
  const json = JSON.parse(Testing.synth(stack));
  return (type: string) => Object.values(json.resource[type] ?? {}) as any[];
}

describe('CentralBus', () => {
  it('admits no other account: no permission and no bus policy, only its own forwarder role', () => {
    const resources = synthBus();
    expect(resources('aws_cloudwatch_event_permission')).toEqual([]);
    expect(resources('aws_cloudwatch_event_bus_policy')).toEqual([]);
    const [role] = resources('aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': '222222222222' } } },
    ]);
  });

  it('archives GuardDuty findings for the given days, 0 for ever', () => {
    const [archive] = synthBus(0)('aws_cloudwatch_event_archive');
    expect(archive).toMatchObject({ name: 'acme-findings', retention_days: 0 });
    expect(JSON.parse(archive.event_pattern)).toEqual({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] });
  });
});

import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformStack, Testing } from 'cdktf';
import { CentralBus, type BusSenders } from '../../modules/central-bus';

function synthBus(senders: BusSenders, archiveRetentionDays = 365) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  const provider = new AwsProvider(stack, 'aws', { region: 'us-west-2' });
  new CentralBus(stack, 'bus', { provider, region: 'us-west-2', accountId: '222222222222', busName: 'acme-findings', senders, archiveRetentionDays });
  const json = JSON.parse(Testing.synth(stack));
  return (type: string) => Object.values(json.resource[type] ?? {}) as any[];
}

describe('CentralBus', () => {
  it('admits the organization with one permission conditioned on aws:PrincipalOrgID', () => {
    const resources = synthBus({ organizationId: 'o-a1b2c3d4e5' });
    expect(resources('aws_cloudwatch_event_permission')).toEqual([
      expect.objectContaining({
        statement_id: 'OrganizationPutsEvents',
        principal: '*',
        action: 'events:PutEvents',
        condition: { key: 'aws:PrincipalOrgID', type: 'StringEquals', value: 'o-a1b2c3d4e5' },
      }),
    ]);
  });

  it('admits listed accounts one permission each, with no condition', () => {
    const permissions = synthBus({ accountIds: ['222222222222', '444444444444'] })('aws_cloudwatch_event_permission');
    expect(permissions.map((p) => [p.statement_id, p.principal, p.condition])).toEqual([
      ['Account222222222222PutsEvents', '222222222222', undefined],
      ['Account444444444444PutsEvents', '444444444444', undefined],
    ]);
  });

  it('refuses an empty account list', () => {
    expect(() => synthBus({ accountIds: [] })).toThrow('central bus: senders.accountIds must name at least one account');
  });

  it('archives GuardDuty findings for the given days, 0 for ever', () => {
    const [archive] = synthBus({ organizationId: 'o-a1b2c3d4e5' }, 0)('aws_cloudwatch_event_archive');
    expect(archive).toMatchObject({ name: 'acme-findings', retention_days: 0 });
    expect(JSON.parse(archive.event_pattern)).toEqual({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] });
  });
});

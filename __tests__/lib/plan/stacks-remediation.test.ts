import { planStacks, STACK_IDS } from '../../../lib/plan/stacks';
import { testConfig } from '../../helpers/synth';

describe('the remediation stack in the plan', () => {
  const remediation = (overrides: Record<string, unknown>) => planStacks(testConfig(overrides)).stacks.find((stack) => stack.id === STACK_IDS.remediation);

  it('covers the home region by default and every region with regions "all", in the sandbox account', () => {
    expect(remediation({})).toMatchObject({ regions: ['us-west-2'], accounts: [{ role: 'sandbox', id: '333333333333' }], dependsOn: [] });
    expect(remediation({ remediation: { regions: 'all' } })?.regions).toEqual(['us-west-2', 'us-east-1', 'eu-west-1']);
  });

  it('names the mode in its description, and is left out when the mode is off', () => {
    expect(remediation({ remediation: { mode: 'dry-run' } })?.description).toBe('remediation Lambdas, rules, notifications and alarms in the sandbox account (mode dry-run)');
    expect(remediation({ remediation: { mode: 'off' } })).toBeUndefined();
  });
});

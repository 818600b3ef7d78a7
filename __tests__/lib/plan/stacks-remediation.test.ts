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

describe('the remediation service control policy in the plan', () => {
  const stack = (overrides: Record<string, unknown>) => planStacks(testConfig(overrides)).stacks.find((planned) => planned.id === STACK_IDS.remediationScp);

  it('is a stack of its own in the management account, which the remediation waits for', () => {
    const plan = planStacks(testConfig({ remediation: { serviceControlPolicy: { enabled: true } } }));
    expect(plan.stacks.find((planned) => planned.id === 'remediation-scp')).toMatchObject({
      kind: 'remediation-scp',
      accounts: [{ role: 'management', id: '111111111111' }],
      regions: ['us-west-2'],
      dependsOn: [],
    });
    expect(plan.stacks.find((planned) => planned.id === STACK_IDS.remediation)?.dependsOn).toEqual(['remediation-scp']);
    const ids = plan.stacks.map((planned) => planned.id);
    expect(ids.indexOf('remediation-scp')).toBeLessThan(ids.indexOf(STACK_IDS.remediation));
  });

  it('is left out unless enabled, and with the remediation off', () => {
    expect(stack({})).toBeUndefined();
    expect(stack({ remediation: { mode: 'off', serviceControlPolicy: { enabled: false } } })).toBeUndefined();
  });
});

import { resourceBlocks, resourceCounts } from '../../../cli/common/synthesized';
import { accountsPerStack, deploySteps, maxAccountsPerStack, planStacks, resourcesPerMemberRegion, type WaveService } from '../../../lib/plan/stacks';
import { generatedMembers as members, SANDBOX_MEMBER as SANDBOX, stackById as byId, stackIds as ids, STANDARD_17 } from '../../helpers/plan';
import { synthApp, testConfig } from '../../helpers/synth';

describe('stack plan', () => {
  it('orders the example: detector, delegation, waves, then the sandbox and the lists', () => {
    const { stacks } = planStacks(testConfig());
    expect(ids(stacks)).toEqual([
      'admin', 'organization', 'members-wave-1', 'members-wave-2', 'member-plans-wave-1', 'member-plans-wave-2',
      'sandbox-remediation', 'sandbox-simulation', 'threat-intel',
    ]);
    expect(byId(stacks, 'organization').dependsOn).toEqual(['admin']);
    expect(byId(stacks, 'members-wave-1').dependsOn).toEqual(['organization']);
    expect(byId(stacks, 'members-wave-2').dependsOn).toEqual(['members-wave-1']);
    // autoEnable NEW: the enrolled members' plans, each wave after the stack that enrolls it.
    expect(byId(stacks, 'member-plans-wave-1').dependsOn).toEqual(['members-wave-1']);
    expect(byId(stacks, 'member-plans-wave-2').dependsOn).toEqual(['members-wave-2']);
    expect(byId(stacks, 'member-plans-wave-1').members).toEqual(byId(stacks, 'members-wave-1').members);
    // The sandbox is enrolled in wave 1: findings are only raised once it has a detector.
    expect(byId(stacks, 'sandbox-simulation').dependsOn).toEqual(['sandbox-remediation', 'members-wave-1']);
    expect(byId(stacks, 'threat-intel').dependsOn).toEqual(['admin', 'sandbox-simulation']);
  });

  it('puts each stack in its accounts and regions', () => {
    const { stacks } = planStacks(testConfig());
    expect(byId(stacks, 'admin').accounts).toEqual([{ role: 'admin', id: '222222222222' }]);
    expect(byId(stacks, 'organization').accounts).toEqual([
      { role: 'management', id: '111111111111' },
      { role: 'admin', id: '222222222222' },
    ]);
    expect(byId(stacks, 'members-wave-1').accounts).toEqual([{ role: 'admin', id: '222222222222' }]);
    expect(byId(stacks, 'sandbox-simulation').regions).toEqual(['us-west-2']);
    expect(byId(stacks, 'admin').regions).toEqual(['us-west-2', 'us-east-1', 'eu-west-1']);
  });

  it('groups members by wave in listing order', () => {
    const { stacks } = planStacks(testConfig());
    expect(byId(stacks, 'members-wave-1').members.map((member) => member.id)).toEqual(['333333333333', '444444444444', '555555555501', '555555555502']);
    expect(byId(stacks, 'members-wave-2').members.map((member) => member.id)).toEqual(['555555555503', '555555555504']);
  });

  it('enrolls nobody explicitly when the organization auto-enables every account', () => {
    const { stacks } = planStacks(testConfig({ autoEnable: 'ALL' }));
    expect(ids(stacks).filter((id) => id.startsWith('members'))).toEqual([]);
    expect(byId(stacks, 'sandbox-simulation').dependsOn).toEqual(['sandbox-remediation', 'organization']);
  });

  it('in invitations mode has no organization stack and gives each wave its members\' providers', () => {
    const { stacks } = planStacks(testConfig({ mode: 'invitations' }));
    expect(ids(stacks)).not.toContain('organization');
    const wave1 = byId(stacks, 'members-wave-1');
    expect(wave1.dependsOn).toEqual(['admin']);
    expect(wave1.accounts.map((account) => account.role)).toEqual(['admin', 'member', 'member', 'member', 'member']);
    expect(wave1.accounts.slice(1).map((account) => account.id)).toEqual(wave1.members.map((member) => member.id));
  });

  it('splits a large wave into parts of at most 50 accounts that deploy in parallel', () => {
    const config = testConfig({ members: [SANDBOX, ...members(119)], membersFile: undefined });
    const { stacks, maxAccountsPerStack: limit } = planStacks(config);
    expect(limit).toBe(50);
    const parts = stacks.filter((stack) => stack.kind === 'members');
    expect(parts.map((stack) => [stack.id, stack.members.length, stack.part])).toEqual([
      ['members-wave-1', 50, 1],
      ['members-wave-1-part-2', 50, 2],
      ['members-wave-1-part-3', 20, 3],
    ]);
    expect(new Set(parts.map((stack) => stack.dependsOn.join()))).toEqual(new Set(['organization']));
  });

  it('makes every part of a wave wait for every part of the previous wave', () => {
    const config = testConfig({ members: [SANDBOX, ...members(60, 1), ...members(3, 2, 100)], membersFile: undefined });
    const { stacks } = planStacks(config);
    expect(byId(stacks, 'members-wave-2').dependsOn).toEqual(['members-wave-1', 'members-wave-1-part-2']);
  });

  it('cuts invitations-mode waves as the releases before did for 17 regions, whatever the regions now', () => {
    const config = testConfig({ mode: 'invitations', regions: STANDARD_17, members: [SANDBOX, ...members(40)], membersFile: undefined });
    // 17 regions x (detector + 6 plans + invitation + acceptance) = 153 resources an account: 13 in 2,000.
    expect(maxAccountsPerStack(config)).toBe(13);
    const parts = planStacks(config).stacks.filter((stack) => stack.kind === 'members');
    expect(parts.map((stack) => stack.members.length)).toEqual([13, 13, 13, 2]);
    expect(parts[0].members.length * STANDARD_17.length * resourcesPerMemberRegion('members', config)).toBe(1989);
    expect(maxAccountsPerStack(testConfig({ mode: 'invitations' }))).toBe(13);
  });

  it('cuts the member-plans stacks by their own number of accounts, leaving the memberships where they are', () => {
    const config = testConfig({ regions: STANDARD_17, members: [SANDBOX, ...members(60)], membersFile: undefined });
    const stacks = planStacks(config).stacks;
    // Memberships: one resource an account and region, 50 accounts a stack.
    expect(stacks.filter((stack) => stack.kind === 'members').map((stack) => stack.members.length)).toEqual([50, 11]);
    // Plans: 17 regions x 6 plans = 102 resources an account, 19 accounts a stack, whatever the regions and plans now.
    expect(accountsPerStack('member-plans', config)).toBe(19);
    const plans = stacks.filter((stack) => stack.kind === 'member-plans');
    expect(plans.map((stack) => stack.members.length)).toEqual([19, 19, 19, 4]);
    expect(plans.map((stack) => stack.dependsOn)).toEqual([['members-wave-1'], ['members-wave-1'], ['members-wave-1', 'members-wave-1-part-2'], ['members-wave-1-part-2']]);
  });

  it('adds member-plans stacks for the plans no members stack holds', () => {
    const kinds = (data: Record<string, unknown>) => planStacks(testConfig(data)).stacks.map((stack) => stack.kind);
    expect(kinds({ autoEnable: 'ALL' })).not.toContain('member-plans');
    expect(kinds({ autoEnable: 'NONE' })).toContain('member-plans');
    // Invited members keep their first-release plans beside their memberships; a newer plan has its own stacks.
    expect(kinds({ mode: 'invitations' })).not.toContain('member-plans');
    expect(kinds({ mode: 'invitations', protection: { aiProtection: true } })).toContain('member-plans');
  });

  it('keeps every account where it is when regions or plans change', () => {
    const data = { regions: STANDARD_17, members: [SANDBOX, ...members(60)], membersFile: undefined };
    const homes = (extra: Record<string, unknown>) =>
      planStacks(testConfig({ ...data, ...extra }))
        .stacks.filter((stack) => stack.kind === 'members' || (stack.kind === 'member-plans' && extra.mode === 'organizations'))
        .map((stack) => [stack.id, stack.members.map((member) => member.id)]);
    for (const mode of ['organizations', 'invitations']) {
      const before = homes({ mode });
      expect(homes({ mode, protection: { aiProtection: true }, providerVersion: '6.56.0' })).toEqual(before);
      expect(homes({ mode, protection: { s3: false, runtimeMonitoring: false } })).toEqual(before);
      expect(homes({ mode, regions: STANDARD_17.slice(0, 3) })).toEqual(before);
      expect(homes({ mode, regions: ['us-west-2'] })).toEqual(before);
    }
    expect(homes({ mode: 'invitations' }).map(([, ids]) => ids.length)).toEqual([13, 13, 13, 13, 9]);
  });

  it('changes only the last wave when an account is appended to it', () => {
    const before = planStacks(testConfig());
    const data = { membersFile: undefined, members: [SANDBOX, ...members(3, 1), ...members(2, 2, 10)] };
    const after = planStacks(testConfig({ ...data, members: [...data.members, ...members(1, 2, 20)] }));
    const beforeSame = planStacks(testConfig(data));
    expect(byId(after.stacks, 'members-wave-1')).toEqual(byId(beforeSame.stacks, 'members-wave-1'));
    expect(byId(after.stacks, 'members-wave-2').members).toHaveLength(3);
    expect(before.stacks.length).toBe(after.stacks.length);
  });

  it('drops the remediation stack when remediation is off, and the list stack when there is nothing to push', () => {
    const { stacks } = planStacks(testConfig({ remediation: { mode: 'off' }, threatLists: [], trustedIpList: undefined, filters: [] }));
    expect(ids(stacks)).not.toContain('sandbox-remediation');
    expect(ids(stacks)).not.toContain('threat-intel');
    expect(byId(stacks, 'sandbox-simulation').dependsOn).toEqual(['members-wave-1']);
  });

  it('does not tie the lists to the simulation when the simulation is off', () => {
    const { stacks } = planStacks(testConfig({ simulation: { enabled: false } }));
    expect(ids(stacks)).not.toContain('sandbox-simulation');
    expect(byId(stacks, 'threat-intel').dependsOn).toEqual(['admin']);
  });

  it('groups stacks into deploy steps that respect every dependency', () => {
    const plan = planStacks(testConfig({ members: [SANDBOX, ...members(60, 1), ...members(3, 2, 100)], membersFile: undefined }));
    const steps = deploySteps(plan);
    expect(steps.map((step) => ids(step))).toEqual([
      ['admin', 'sandbox-remediation'],
      ['organization'],
      ['members-wave-1', 'members-wave-1-part-2'],
      ['members-wave-2', 'member-plans-wave-1', ...[2, 3, 4].map((part) => `member-plans-wave-1-part-${part}`), 'sandbox-simulation'],
      ['member-plans-wave-2', 'threat-intel'],
    ]);
    const stepOf = new Map(steps.flatMap((step, index) => step.map((stack) => [stack.id, index] as const)));
    for (const stack of plan.stacks) {
      for (const dependency of stack.dependsOn) expect(stepOf.get(dependency)!).toBeLessThan(stepOf.get(stack.id)!);
    }
  });
});

describe('resource budget', () => {
  it.each(['organizations', 'invitations'])('counts resource instances, as the wave stacks synthesize them (%s mode)', (mode) => {
    const config = testConfig({ mode, securityHub: { enabled: true }, detective: { enabled: true } });
    const synth = synthApp(config);
    const plan = planStacks(config);
    const services: Record<string, WaveService> = {
      members: 'members',
      'member-plans': 'member-plans',
      'security-hub-members': 'security-hub',
      'detective-members': 'detective',
    };
    const waves = plan.stacks.filter((stack) => stack.kind in services);
    expect(waves.length).toBeGreaterThanOrEqual(6);
    for (const stack of waves) {
      const expected = stack.members.length * config.regions.length * resourcesPerMemberRegion(services[stack.kind], config);
      expect(`${stack.id}: ${resourceCounts(synth.stack(stack.id)).total}`).toBe(`${stack.id}: ${expected}`);
      // Keyed blocks: far fewer blocks than the instances the budget counts.
      expect(resourceBlocks(synth.stack(stack.id)).length).toBeLessThan(expected);
    }
  });
});

import { accountsPerStack, BUDGET_REGIONS, deploySteps, MAX_RESOURCES_PER_STACK, maxAccountsPerStack, planStacks, resourcesPerMemberRegion } from '../../../lib/plan/stacks';
import { generatedMembers as members, SANDBOX_MEMBER as SANDBOX, stackById as byId, stackIds as ids, STANDARD_17 } from '../../helpers/plan';
import { testConfig } from '../../helpers/synth';
const ADMIN = { role: 'admin', id: '222222222222' };
const MANAGEMENT = { role: 'management', id: '111111111111' };
const BOTH_ON = { securityHub: { enabled: true }, detective: { enabled: true } };

describe('stack plan: Security Hub and Detective', () => {
  it('adds nothing while both are off (the default)', () => {
    const { stacks } = planStacks(testConfig());
    expect(ids(stacks)).toEqual([
      'admin', 'organization', 'members-wave-1', 'members-wave-2', 'member-plans-wave-1', 'member-plans-wave-2',
      'sandbox-remediation', 'sandbox-simulation', 'threat-intel',
    ]);
    expect(stacks.filter((stack) => /security-hub|detective/.test(stack.id))).toEqual([]);
  });

  it('adds the administration stacks and one wave stack per GuardDuty wave, after the admin stack', () => {
    const { stacks } = planStacks(testConfig(BOTH_ON));
    expect(ids(stacks)).toEqual([
      'admin',
      'organization',
      'members-wave-1',
      'members-wave-2',
      'member-plans-wave-1',
      'member-plans-wave-2',
      'sandbox-remediation',
      'sandbox-simulation',
      'threat-intel',
      'security-hub',
      'security-hub-wave-1',
      'security-hub-wave-2',
      'detective',
      'detective-wave-1',
      'detective-wave-2',
    ]);
    expect(byId(stacks, 'security-hub').dependsOn).toEqual(['admin']);
    expect(byId(stacks, 'detective').dependsOn).toEqual(['admin']);
    expect(byId(stacks, 'security-hub-wave-1').dependsOn).toEqual(['security-hub']);
    expect(byId(stacks, 'security-hub-wave-2').dependsOn).toEqual(['security-hub-wave-1']);
    // A Detective wave follows the previous Detective wave and the same wave's GuardDuty enrollment.
    expect(byId(stacks, 'detective-wave-1').dependsOn).toEqual(['detective', 'members-wave-1']);
    expect(byId(stacks, 'detective-wave-2').dependsOn).toEqual(['detective-wave-1', 'members-wave-2']);
  });

  it('enrolls the same accounts, wave by wave, as the GuardDuty waves', () => {
    const { stacks } = planStacks(testConfig(BOTH_ON));
    const accountIds = (id: string) => byId(stacks, id).members.map((member) => member.id);
    expect(accountIds('detective-wave-1')).toEqual(['333333333333', '444444444444', '555555555501', '555555555502']);
    expect(accountIds('detective-wave-2')).toEqual(['555555555503', '555555555504']);
    expect(accountIds('security-hub-wave-1')).toEqual(accountIds('members-wave-1'));
    expect(accountIds('security-hub-wave-2')).toEqual(accountIds('members-wave-2'));
    expect(byId(stacks, 'detective-wave-2').wave).toBe(2);
    expect(byId(stacks, 'detective-wave-2').description).toBe('Detective wave 2: enrolls 2 member accounts in every region');
  });

  it('puts the administration stacks in the admin account, with the management account in organizations mode', () => {
    const { stacks } = planStacks(testConfig(BOTH_ON));
    expect(byId(stacks, 'security-hub').accounts).toEqual([ADMIN, MANAGEMENT]);
    expect(byId(stacks, 'detective').accounts).toEqual([ADMIN, MANAGEMENT]);
    expect(byId(stacks, 'detective-wave-1').accounts).toEqual([ADMIN]);
    expect(byId(stacks, 'security-hub').regions).toEqual(['us-west-2', 'us-east-1', 'eu-west-1']);
  });

  it('in invitations mode, leaves the management account out and gives each wave its members accounts', () => {
    const { stacks } = planStacks(testConfig({ ...BOTH_ON, mode: 'invitations', members: [SANDBOX, ...members(2)], membersFile: undefined }));
    expect(byId(stacks, 'security-hub').accounts).toEqual([ADMIN]);
    expect(byId(stacks, 'detective').accounts).toEqual([ADMIN]);
    const waveAccounts = [ADMIN, { role: 'member', id: '333333333333' }, { role: 'member', id: '500000000000' }, { role: 'member', id: '500000000001' }];
    expect(byId(stacks, 'detective-wave-1').accounts).toEqual(waveAccounts);
    expect(byId(stacks, 'security-hub-wave-1').accounts).toEqual(waveAccounts);
    expect(byId(stacks, 'detective-wave-1').dependsOn).toEqual(['detective', 'members-wave-1']);
  });

  it('keeps Detective waves where GuardDuty has none (autoEnable ALL): auto-enable never reaches existing accounts', () => {
    const { stacks } = planStacks(testConfig({ ...BOTH_ON, autoEnable: 'ALL' }));
    expect(stacks.some((stack) => stack.kind === 'members')).toBe(false);
    expect(byId(stacks, 'detective-wave-1').dependsOn).toEqual(['detective']);
    expect(byId(stacks, 'detective-wave-2').dependsOn).toEqual(['detective-wave-1']);
    expect(byId(stacks, 'security-hub-wave-1').members).toHaveLength(4);
  });

  it('has no wave stacks without a member list', () => {
    const { stacks } = planStacks(testConfig({ ...BOTH_ON, autoEnable: 'ALL', members: [], membersFile: undefined, simulation: { enabled: false }, remediation: { mode: 'off' } }));
    expect(ids(stacks)).toEqual(['admin', 'organization', 'threat-intel', 'security-hub', 'detective']);
  });

  it('switches each service on its own', () => {
    const hubOnly = planStacks(testConfig({ securityHub: { enabled: true } })).stacks;
    expect(ids(hubOnly).filter((id) => /security-hub|detective/.test(id))).toEqual(['security-hub', 'security-hub-wave-1', 'security-hub-wave-2']);
    const detectiveOnly = planStacks(testConfig({ detective: { enabled: true } })).stacks;
    expect(ids(detectiveOnly).filter((id) => /security-hub|detective/.test(id))).toEqual(['detective', 'detective-wave-1', 'detective-wave-2']);
  });

  it('counts resources per member and region by mode', () => {
    expect(resourcesPerMemberRegion('security-hub', { ...testConfig(), mode: 'organizations' })).toBe(1);
    expect(resourcesPerMemberRegion('security-hub', { ...testConfig(), mode: 'invitations' })).toBe(3);
    expect(resourcesPerMemberRegion('detective', { ...testConfig(), mode: 'organizations' })).toBe(1);
    expect(resourcesPerMemberRegion('detective', { ...testConfig(), mode: 'invitations' })).toBe(2);
  });

  it('splits a large wave into parts of their own fixed size, independently of the GuardDuty split', () => {
    const config = testConfig({ ...BOTH_ON, mode: 'invitations', regions: STANDARD_17, members: [SANDBOX, ...members(119)], membersFile: undefined });
    // Invitations, as cut for 17 regions: GuardDuty 9 resources per member and region -> 13 accounts;
    // Security Hub 3 -> 39; Detective 2 -> 50 (the review limit).
    expect(maxAccountsPerStack(config)).toBe(13);
    expect(accountsPerStack('security-hub', config)).toBe(39);
    expect(accountsPerStack('detective', config)).toBe(50);
    const { stacks } = planStacks(config);
    const detective = stacks.filter((stack) => stack.kind === 'detective-members');
    expect(ids(detective)).toEqual(['detective-wave-1', 'detective-wave-1-part-2', 'detective-wave-1-part-3']);
    expect(detective.map((stack) => stack.members.length)).toEqual([50, 50, 20]);
    const hub = stacks.filter((stack) => stack.kind === 'security-hub-members');
    expect(hub.map((stack) => stack.members.length)).toEqual([39, 39, 39, 3]);
    for (const stack of [...detective, ...hub]) {
      const perMemberRegion = stack.kind === 'detective-members' ? 2 : 3;
      expect(stack.members.length * BUDGET_REGIONS * perMemberRegion).toBeLessThanOrEqual(MAX_RESOURCES_PER_STACK);
    }
    // Parts of one wave are independent; each waits for every GuardDuty part of its wave.
    const guardDutyParts = ids(stacks.filter((stack) => stack.kind === 'members'));
    expect(byId(stacks, 'detective-wave-1-part-2').dependsOn).toEqual(['detective', ...guardDutyParts]);
  });

  it('changes only its own wave stacks when an account is added to a wave', () => {
    const before = planStacks(testConfig({ ...BOTH_ON, members: [SANDBOX, ...members(3, 1), ...members(3, 2, 10)], membersFile: undefined })).stacks;
    const after = planStacks(testConfig({ ...BOTH_ON, members: [SANDBOX, ...members(3, 1), ...members(4, 2, 10)], membersFile: undefined })).stacks;
    const changed = after.filter((stack) => JSON.stringify(stack) !== JSON.stringify(before.find((old) => old.id === stack.id))).map((stack) => stack.id);
    expect(changed).toEqual(['members-wave-2', 'member-plans-wave-2', 'security-hub-wave-2', 'detective-wave-2']);
  });

  it('keeps the GuardDuty member split as it is when the services are switched on', () => {
    const config = { mode: 'invitations', members: [SANDBOX, ...members(60)], membersFile: undefined };
    const withoutServices = planStacks(testConfig(config));
    const withServices = planStacks(testConfig({ ...config, ...BOTH_ON }));
    expect(withServices.maxAccountsPerStack).toBe(withoutServices.maxAccountsPerStack);
    expect(withServices.stacks.filter((stack) => stack.kind === 'members')).toEqual(withoutServices.stacks.filter((stack) => stack.kind === 'members'));
  });

  it('deploys the services in parallel with the GuardDuty waves, each wave after its dependencies', () => {
    const plan = planStacks(testConfig(BOTH_ON));
    const steps = deploySteps(plan).map((step) => ids(step));
    const stepOf = (id: string) => steps.findIndex((step) => step.includes(id));
    expect(stepOf('security-hub')).toBe(stepOf('organization'));
    expect(stepOf('detective')).toBe(stepOf('organization'));
    expect(stepOf('detective-wave-1')).toBe(stepOf('members-wave-1') + 1);
    expect(stepOf('detective-wave-2')).toBeGreaterThan(stepOf('members-wave-2'));
    expect(stepOf('security-hub-wave-2')).toBe(stepOf('security-hub-wave-1') + 1);
  });
});

import { synthApp, testConfig } from '../helpers/synth';

/** Every setting of issue 14 at once: plans excluded per region, agents one by one, the AI plans. */
const PROTECTION = {
  s3: { excludeRegions: ['us-east-1'] },
  runtimeMonitoring: { ec2Agent: false },
  aiProtection: { excludeRegions: ['eu-west-1'] },
  aiAnalyst: true,
};

const byKey = (resources: Record<string, any>, key: string) => {
  // A member's plans are a block of its own: `feature_<account>["<region>/<plan>"]`.
  const member = /^(\d{12})\/(.+)$/.exec(key);
  return resources[member ? `feature_${member[1]}["${member[2]}"]` : `feature["${key}"]`];
};

describe('protection plans: organizations mode, members enrolled explicitly (autoEnable NEW)', () => {
  const synth = synthApp(testConfig({ protection: PROTECTION }));

  it('needs the provider of the AI plans, and no more', () => {
    for (const id of synth.stackIds) expect([id, synth.stack(id).terraform.required_providers.aws.version]).toEqual([id, '>= 6.56.0, < 7.0.0']);
  });

  it('sets the administrator detector: the AI analyst too, each plan off where excluded', () => {
    const features = synth.resources('admin', 'aws_guardduty_detector_feature');
    expect(Object.keys(features)).toHaveLength(3 * 8);
    expect(byKey(features, 'us-east-1/S3_DATA_EVENTS')).toMatchObject({ name: 'S3_DATA_EVENTS', status: 'DISABLED', region: 'us-east-1' });
    expect(byKey(features, 'us-west-2/S3_DATA_EVENTS').status).toBe('ENABLED');
    expect(byKey(features, 'eu-west-1/AI_PROTECTION').status).toBe('DISABLED');
    expect(byKey(features, 'us-east-1/AI_PROTECTION').status).toBe('ENABLED');
    expect(byKey(features, 'eu-west-1/AI_ANALYST')).toMatchObject({ name: 'AI_ANALYST', status: 'ENABLED' });
    expect(byKey(features, 'us-west-2/RUNTIME_MONITORING').additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
      { name: 'EC2_AGENT_MANAGEMENT', status: 'DISABLED' },
    ]);
  });

  it('auto-enables for members what they may have, NONE where excluded, without the AI analyst', () => {
    const features = synth.resources('organization', 'aws_guardduty_organization_configuration_feature');
    expect(Object.keys(features)).toHaveLength(3 * 7);
    expect(Object.values(features).some((feature) => feature.name === 'AI_ANALYST')).toBe(false);
    expect(byKey(features, 'us-east-1/S3_DATA_EVENTS').auto_enable).toBe('NONE');
    expect(byKey(features, 'eu-west-1/S3_DATA_EVENTS').auto_enable).toBe('NEW');
    expect(byKey(features, 'eu-west-1/AI_PROTECTION').auto_enable).toBe('NONE');
    expect(byKey(features, 'us-west-2/AI_PROTECTION').auto_enable).toBe('NEW');
    expect(byKey(features, 'us-west-2/RUNTIME_MONITORING').additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', auto_enable: 'NEW' },
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', auto_enable: 'NEW' },
      { name: 'EC2_AGENT_MANAGEMENT', auto_enable: 'NONE' },
    ]);
  });

  it("sets each enrolled member's plans from the administrator, in the member-plans stack of its wave", () => {
    const features = synth.resources('member-plans-wave-2', 'aws_guardduty_member_detector_feature');
    expect(Object.keys(features)).toHaveLength(2 * 3 * 7);
    expect(byKey(features, '555555555503/us-east-1/S3_DATA_EVENTS')).toMatchObject({
      provider: 'aws',
      region: 'us-east-1',
      detector_id: '${local.admin-detector-ids["us-east-1"]}',
      account_id: '555555555503',
      name: 'S3_DATA_EVENTS',
      status: 'DISABLED',
    });
    expect(byKey(features, '555555555504/eu-west-1/AI_PROTECTION').status).toBe('DISABLED');
    expect(byKey(features, '555555555504/us-west-2/RUNTIME_MONITORING')).toMatchObject({
      status: 'ENABLED',
      additional_configuration: [
        { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
        { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
        { name: 'EC2_AGENT_MANAGEMENT', status: 'DISABLED' },
      ],
    });
    expect(Object.values(features).some((feature) => feature.name === 'AI_ANALYST')).toBe(false);
    // The memberships stay where they were, alone; the plans deploy after them, from the admin account.
    expect(synth.resources('members-wave-2', 'aws_guardduty_member_detector_feature')).toEqual({});
    // A kind of stack the hashed layout did not have: it moves only from the blocks its accounts shared.
    for (const move of synth.stack('member-plans-wave-2').moved) expect(move.from).toMatch(/^aws_guardduty_member_detector_feature\.feature\["\d{12}\//);
    expect(synth.manifest.stacks['member-plans-wave-2'].dependencies).toEqual(expect.arrayContaining(['members-wave-2', 'admin']));
    expect(synth.stack('member-plans-wave-2').provider.aws.map((provider: any) => provider.allowed_account_ids)).toEqual([['222222222222']]);
    expect(Object.keys(synth.resources('member-plans-wave-1', 'aws_guardduty_member_detector_feature'))).toHaveLength(4 * 3 * 7);
  });
});

describe('protection plans: invitations mode', () => {
  const synth = synthApp(testConfig({ mode: 'invitations', protection: PROTECTION }));

  it("sets each invited member's plans, off where excluded: the first release's beside the membership, AI Protection in a member-plans stack", () => {
    const features = synth.resources('members-wave-2', 'aws_guardduty_member_detector_feature');
    expect(Object.keys(features)).toHaveLength(2 * 3 * 6);
    expect(byKey(features, '555555555503/us-east-1/S3_DATA_EVENTS').status).toBe('DISABLED');
    expect(byKey(features, '555555555503/eu-west-1/S3_DATA_EVENTS').status).toBe('ENABLED');
    expect(byKey(features, '555555555503/us-east-1/RUNTIME_MONITORING').additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', status: 'ENABLED' },
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', status: 'ENABLED' },
      { name: 'EC2_AGENT_MANAGEMENT', status: 'DISABLED' },
    ]);
    const newer = synth.resources('member-plans-wave-2', 'aws_guardduty_member_detector_feature');
    expect(Object.keys(newer)).toHaveLength(2 * 3);
    expect(byKey(newer, '555555555503/eu-west-1/AI_PROTECTION').status).toBe('DISABLED');
    expect(byKey(newer, '555555555503/us-east-1/AI_PROTECTION')).toMatchObject({ status: 'ENABLED', account_id: '555555555503', detector_id: '${local.admin-detector-ids["us-east-1"]}' });
    expect(synth.manifest.stacks['member-plans-wave-2'].dependencies).toEqual(expect.arrayContaining(['members-wave-2']));
    expect([...Object.values(features), ...Object.values(newer)].some((feature) => feature.name === 'AI_ANALYST')).toBe(false);
    expect(byKey(synth.resources('admin', 'aws_guardduty_detector_feature'), 'us-east-1/AI_ANALYST').status).toBe('ENABLED');
  });

  it('adds no member-plans stack while only the first-release plans are managed', () => {
    expect(synthApp(testConfig({ mode: 'invitations' })).stackIds.filter((id) => id.startsWith('member-plans'))).toEqual([]);
  });
});

describe('protection plans: RDS_DATA_RISK', () => {
  it('is written under RDS Protection once configured, on the pinned provider', () => {
    const synth = synthApp(testConfig({ protection: { rdsLogin: { dataActivity: false } }, providerVersion: '6.66.0' }));
    expect(byKey(synth.resources('admin', 'aws_guardduty_detector_feature'), 'us-east-1/RDS_LOGIN_EVENTS')).toMatchObject({
      status: 'ENABLED',
      additional_configuration: [{ name: 'RDS_DATA_RISK', status: 'DISABLED' }],
    });
    expect(byKey(synth.resources('organization', 'aws_guardduty_organization_configuration_feature'), 'us-east-1/RDS_LOGIN_EVENTS').additional_configuration).toEqual([
      { name: 'RDS_DATA_RISK', auto_enable: 'NONE' },
    ]);
    expect(synth.stack('admin').terraform.required_providers.aws.version).toBe('6.66.0');
  });
});

import { synthApp, testConfig } from '../helpers/synth';

describe('organization administration', () => {
  const synth = synthApp(testConfig());

  it('delegates administration from the management account in every region', () => {
    const delegations = Object.values(synth.resources('organization', 'aws_guardduty_organization_admin_account'));
    expect(delegations.map((delegation) => [delegation.region, delegation.admin_account_id, delegation.provider]).sort()).toEqual([
      ['eu-west-1', '222222222222', 'aws'],
      ['us-east-1', '222222222222', 'aws'],
      ['us-west-2', '222222222222', 'aws'],
    ]);
    const [management, admin] = synth.stack('organization').provider.aws;
    expect(management).toMatchObject({ allowed_account_ids: ['111111111111'], assume_role: [{ role_arn: 'arn:aws:iam::111111111111:role/GuardDutyDeployment' }] });
    expect(admin).toMatchObject({ alias: 'admin', allowed_account_ids: ['222222222222'] });
  });

  it('sets the organization configuration from the admin account, after delegation, on the admin detector', () => {
    const configurations = synth.resources('organization', 'aws_guardduty_organization_configuration');
    expect(Object.keys(configurations).sort()).toEqual(['configuration["eu-west-1"]', 'configuration["us-east-1"]', 'configuration["us-west-2"]']);
    for (const configuration of Object.values(configurations)) {
      expect(configuration.provider).toBe('aws.admin');
      expect(configuration.auto_enable_organization_members).toBe('NEW');
      expect(configuration.depends_on).toEqual(['aws_guardduty_organization_admin_account.delegation']);
      // The detector id comes from the admin stack's state, read once into a local map by region.
      expect(configuration.detector_id).toBe(`\${local.admin-detector-ids["${configuration.region}"]}`);
    }
    const locals = synth.stack('organization').locals['admin-detector-ids'];
    for (const region of ['us-west-2', 'us-east-1', 'eu-west-1']) {
      expect(locals[region]).toMatch(new RegExp(`^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-admin\\.outputs\\..*detector${region}id\\}$`));
    }
  });

  it('auto-enables the same protection plans for members, NONE for plans switched off', () => {
    const config = testConfig({ protection: { rdsLogin: false } });
    const features = Object.values(synthApp(config).resources('organization', 'aws_guardduty_organization_configuration_feature'));
    expect(features).toHaveLength(18);
    expect(Object.keys(synthApp(config).resources('organization', 'aws_guardduty_organization_configuration_feature'))).toContain(
      'feature["us-west-2/RDS_LOGIN_EVENTS"]',
    );
    const usWest2 = Object.fromEntries(features.filter((feature) => feature.region === 'us-west-2').map((feature) => [feature.name, feature.auto_enable]));
    expect(usWest2).toEqual({
      S3_DATA_EVENTS: 'NEW',
      EKS_AUDIT_LOGS: 'NEW',
      EBS_MALWARE_PROTECTION: 'NEW',
      RDS_LOGIN_EVENTS: 'NONE',
      LAMBDA_NETWORK_LOGS: 'NEW',
      RUNTIME_MONITORING: 'NEW',
    });
    const runtime = features.find((feature) => feature.region === 'us-west-2' && feature.name === 'RUNTIME_MONITORING');
    expect(runtime.additional_configuration).toEqual([
      { name: 'EKS_ADDON_MANAGEMENT', auto_enable: 'NEW' },
      { name: 'ECS_FARGATE_AGENT_MANAGEMENT', auto_enable: 'NEW' },
      { name: 'EC2_AGENT_MANAGEMENT', auto_enable: 'NEW' },
    ]);
  });

  it('imports the delegation where the admin account already is the delegated administrator', () => {
    const synth = synthApp(testConfig({ existingDelegations: ['us-east-1'] }));
    expect(synth.stack('organization').import).toEqual([{ id: '222222222222@us-east-1', provider: 'aws', to: 'aws_guardduty_organization_admin_account.delegation["us-east-1"]' }]);
    expect(synthApp(testConfig()).stack('organization').import).toBeUndefined();
  });

  it('does not exist in invitations mode', () => {
    expect(synthApp(testConfig({ mode: 'invitations' })).stackIds).not.toContain('organization');
  });
});

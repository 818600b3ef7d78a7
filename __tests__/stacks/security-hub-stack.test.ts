import { synthApp, testConfig, type Synthesized } from '../helpers/synth';

const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const SANDBOX = { id: '333333333333', email: 'sandbox@example.com', wave: 1 };
const OUTSIDER = { id: '444444444444', email: 'outsider@example.com', wave: 1 };

/** The resources of one type, each without cdktf's metadata, keyed by the resource's region. */
function byRegion(synth: Synthesized, stackId: string, type: string): Record<string, Record<string, unknown>> {
  const result: Record<string, Record<string, unknown>> = {};
  for (const resource of Object.values(synth.resources(stackId, type))) {
    const { '//': _metadata, ...rest } = resource;
    if (result[rest.region]) throw new Error(`two ${type} in ${rest.region}`);
    result[rest.region] = rest;
  }
  return result;
}

/** Instance addresses by region (`aws_securityhub_account.hub["us-east-1"]`). */
function addresses(synth: Synthesized, stackId: string, type: string): Record<string, string> {
  return Object.fromEntries(Object.entries(synth.resources(stackId, type)).map(([name, resource]) => [resource.region, `${type}.${name}`]));
}

/** Terraform JSON lists resources by name; compare as sets. */
const sorted = <T extends object>(list: T[]): T[] => {
  const key = (item: T) => JSON.stringify(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)));
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
};

const SERVICE_TYPES = /^aws_(securityhub|detective)_/;

function serviceResourceTypes(synth: Synthesized): string[] {
  return synth.stackIds.flatMap((id) => Object.keys(synth.stack(id).resource ?? {}).filter((type) => SERVICE_TYPES.test(type)));
}

describe('Security Hub and Detective switched off', () => {
  it('creates no stack and no Security Hub or Detective resource, in either mode', () => {
    for (const overrides of [{}, { mode: 'invitations', members: [SANDBOX], membersFile: undefined }]) {
      const synth = synthApp(testConfig(overrides));
      expect(synth.stackIds.filter((id) => /security-hub|detective/.test(id))).toEqual([]);
      expect(serviceResourceTypes(synth)).toEqual([]);
    }
  });

  it('creates nothing either when the keys are written with enabled false', () => {
    const synth = synthApp(testConfig({ securityHub: { enabled: false, standards: ['pci-dss/v/4.0.1'] }, detective: { enabled: false } }));
    expect(synth.stackIds.filter((id) => /security-hub|detective/.test(id))).toEqual([]);
    expect(serviceResourceTypes(synth)).toEqual([]);
  });
});

describe('SecurityHubStack, organizations mode', () => {
  const synth = synthApp(testConfig({ securityHub: { enabled: true } }));

  it('enables Security Hub in the admin account in every region, without the default standards', () => {
    expect(byRegion(synth, 'security-hub', 'aws_securityhub_account')).toEqual(
      Object.fromEntries(REGIONS.map((region) => [region, { provider: 'aws', region, enable_default_standards: false }])),
    );
    expect(synth.resources('security-hub', 'aws_securityhub_standards_subscription')).toEqual({});
  });

  it('keys the admin account’s Security Hub, integration, delegation and configuration by region', () => {
    for (const [type, name] of [
      ['aws_securityhub_account', 'hub'],
      ['aws_securityhub_product_subscription', 'guardduty'],
      ['aws_securityhub_organization_admin_account', 'delegation'],
      ['aws_securityhub_organization_configuration', 'configuration'],
    ]) {
      expect(addresses(synth, 'security-hub', type)).toEqual(Object.fromEntries(REGIONS.map((region) => [region, `${type}.${name}["${region}"]`])));
    }
  });

  it('subscribes to the GuardDuty integration of each region once Security Hub is on', () => {
    expect(byRegion(synth, 'security-hub', 'aws_securityhub_product_subscription')).toEqual(
      Object.fromEntries(
        REGIONS.map((region) => [
          region,
          { provider: 'aws', region, product_arn: `arn:aws:securityhub:${region}::product/aws/guardduty`, depends_on: ['aws_securityhub_account.hub'] },
        ]),
      ),
    );
  });

  it('delegates administration from the management account in every region, after Security Hub is on in the admin account', () => {
    expect(byRegion(synth, 'security-hub', 'aws_securityhub_organization_admin_account')).toEqual(
      Object.fromEntries(
        REGIONS.map((region) => [region, { provider: 'aws.management', region, admin_account_id: '222222222222', depends_on: ['aws_securityhub_account.hub'] }]),
      ),
    );
    const providers = synth.stack('security-hub').provider.aws;
    expect(providers.map((provider: any) => [provider.alias, provider.allowed_account_ids])).toEqual([
      [undefined, ['222222222222']],
      ['management', ['111111111111']],
    ]);
  });

  it('auto-enables new organization accounts in local configuration, without default standards', () => {
    expect(byRegion(synth, 'security-hub', 'aws_securityhub_organization_configuration')).toEqual(
      Object.fromEntries(
        REGIONS.map((region) => [
          region,
          {
            provider: 'aws',
            region,
            auto_enable: true,
            auto_enable_standards: 'NONE',
            organization_configuration: { configuration_type: 'LOCAL' },
            depends_on: ['aws_securityhub_organization_admin_account.delegation'],
          },
        ]),
      ),
    );
  });

  it('aggregates the other regions into the home region once Security Hub is on in all of them', () => {
    const aggregators = Object.values(synth.resources('security-hub', 'aws_securityhub_finding_aggregator'));
    expect(aggregators).toHaveLength(1);
    const { '//': _metadata, ...aggregator } = aggregators[0];
    expect(aggregator).toEqual({
      provider: 'aws',
      region: 'us-west-2',
      linking_mode: 'SPECIFIED_REGIONS',
      specified_regions: ['us-east-1', 'eu-west-1'],
      depends_on: ['aws_securityhub_account.hub'],
    });
  });

  it('enrolls the listed organization accounts wave by wave, without invitations', () => {
    const wave1 = Object.values(synth.resources('security-hub-wave-1', 'aws_securityhub_member')).map(({ '//': _metadata, ...rest }) => rest);
    const accounts = ['333333333333', '444444444444', '555555555501', '555555555502'];
    expect(sorted(wave1)).toEqual(sorted(accounts.flatMap((account_id) => REGIONS.map((region) => ({ provider: 'aws', region, account_id, invite: false })))));
    expect(Object.keys(synth.resources('security-hub-wave-1', 'aws_securityhub_member')).sort()).toEqual(
      accounts.flatMap((account) => REGIONS.map((region) => `member["${account}/${region}"]`)).sort(),
    );
    expect(Object.keys(synth.resources('security-hub-wave-2', 'aws_securityhub_member'))).toHaveLength(2 * REGIONS.length);
    for (const id of ['security-hub-wave-1', 'security-hub-wave-2']) {
      expect(Object.keys(synth.stack(id).resource).sort()).toEqual(['aws_securityhub_member']);
      expect(synth.stack(id).provider.aws).toHaveLength(1);
    }
    expect(synth.manifest.stacks['security-hub-wave-2'].dependencies).toEqual(['security-hub-wave-1']);
  });
});

describe('SecurityHubStack settings', () => {
  it('subscribes to the configured standards in every region, CIS 1.2.0 by its global ruleset ARN', () => {
    const synth = synthApp(testConfig({ securityHub: { enabled: true, standards: ['cis-aws-foundations-benchmark/v/1.2.0', 'aws-foundational-security-best-practices/v/1.0.0'] } }));
    const subscriptions = Object.values(synth.resources('security-hub', 'aws_securityhub_standards_subscription')).map(({ '//': _metadata, ...rest }) => rest);
    expect(subscriptions).toEqual(
      expect.arrayContaining(
        REGIONS.flatMap((region) => [
          { provider: 'aws', region, standards_arn: 'arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0', depends_on: ['aws_securityhub_account.hub'] },
          {
            provider: 'aws',
            region,
            standards_arn: `arn:aws:securityhub:${region}::standards/aws-foundational-security-best-practices/v/1.0.0`,
            depends_on: ['aws_securityhub_account.hub'],
          },
        ]),
      ),
    );
    expect(subscriptions).toHaveLength(2 * REGIONS.length);
    expect(Object.keys(synth.resources('security-hub', 'aws_securityhub_standards_subscription'))).toContain(
      'standard["eu-west-1/cis-aws-foundations-benchmark/v/1.2.0"]',
    );
  });

  it('leaves new organization accounts alone with autoEnable false', () => {
    const synth = synthApp(testConfig({ securityHub: { enabled: true, autoEnable: false } }));
    for (const configuration of Object.values(synth.resources('security-hub', 'aws_securityhub_organization_configuration'))) {
      expect(configuration.auto_enable).toBe(false);
    }
  });

  it('keeps an aggregator with nothing to link when the home region is the only region', () => {
    const synth = synthApp(testConfig({ regions: ['us-west-2'], securityHub: { enabled: true } }));
    const [aggregator] = Object.values(synth.resources('security-hub', 'aws_securityhub_finding_aggregator'));
    expect(aggregator.linking_mode).toBe('NO_REGIONS');
    expect(aggregator).not.toHaveProperty('specified_regions');
  });
});

describe('SecurityHubStack, invitations mode', () => {
  const synth = synthApp(testConfig({ mode: 'invitations', autoEnable: undefined, members: [SANDBOX, OUTSIDER], membersFile: undefined, securityHub: { enabled: true } }));

  it('enables Security Hub and the GuardDuty integration in the admin account, with no delegation and no organization configuration', () => {
    const stack = synth.stack('security-hub');
    expect(Object.keys(stack.resource).sort()).toEqual(['aws_securityhub_account', 'aws_securityhub_finding_aggregator', 'aws_securityhub_product_subscription']);
    expect(stack.provider.aws).toHaveLength(1);
    expect(stack.provider.aws[0].allowed_account_ids).toEqual(['222222222222']);
  });

  it('enables Security Hub in each member, invites it from the admin account, and accepts in the member, in that order', () => {
    const wave = 'security-hub-wave-1';
    for (const member of [SANDBOX, OUTSIDER]) {
      const provider = `aws.member-${member.id}`;
      const hubs = Object.entries(synth.resources(wave, 'aws_securityhub_account')).filter(([, resource]) => resource.provider === provider);
      expect(sorted(hubs.map(([, { '//': _metadata, ...rest }]) => rest))).toEqual(sorted(REGIONS.map((region) => ({ provider, region, enable_default_standards: false }))));
      expect(hubs.map(([name]) => name).sort()).toEqual(REGIONS.map((region) => `member_${member.id}["${region}"]`).sort());

      const invitations = Object.entries(synth.resources(wave, 'aws_securityhub_member')).filter(([, resource]) => resource.account_id === member.id);
      expect(sorted(invitations.map(([, { '//': _metadata, ...rest }]) => rest))).toEqual(
        sorted(
          REGIONS.map((region) => ({
            provider: 'aws',
            region,
            account_id: member.id,
            email: member.email,
            invite: true,
            depends_on: ['aws_securityhub_account.member_333333333333', 'aws_securityhub_account.member_444444444444'],
          })),
        ),
      );
      expect(invitations.map(([name]) => name).sort()).toEqual(REGIONS.map((region) => `invitation["${member.id}/${region}"]`).sort());

      const acceptances = Object.values(synth.resources(wave, 'aws_securityhub_invite_accepter')).filter((resource) => resource.provider === provider);
      expect(sorted(acceptances.map(({ '//': _metadata, ...rest }) => rest))).toEqual(
        sorted(REGIONS.map((region) => ({ provider, region, master_id: '222222222222', depends_on: ['aws_securityhub_member.invitation'] }))),
      );
    }
    const aliases = synth.stack(wave).provider.aws.map((provider: any) => provider.alias);
    expect(aliases).toEqual([undefined, 'member-333333333333', 'member-444444444444']);
  });
});

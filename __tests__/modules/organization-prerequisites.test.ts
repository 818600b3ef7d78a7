import { exampleData, synthApp, testConfig, type Synthesized } from '../helpers/synth';

const MANAGEMENT = '111111111111';
const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];

type Resource = Record<string, any>;

function data(synth: Synthesized, stack: string, type: string): [string, Resource][] {
  return Object.entries(synth.stack(stack).data?.[type] ?? {}) as [string, Resource][];
}

/** The organization as read after the delegations (trusted access), or before anything (its id). */
function organizationRead(synth: Synthesized, stack: string, which: 'organization' | 'configured-organization'): Resource {
  const found = data(synth, stack, 'aws_organizations_organization').filter(([name]) => name.startsWith(`prerequisites_${which}_`));
  expect(found).toHaveLength(1);
  return found[0][1];
}

/** The blocks of the delegations (one keyed block per stack, an instance per region), as `depends_on` names them. */
function delegationAddresses(synth: Synthesized, stack: string, type: string): string[] {
  return Object.keys(synth.blocks(stack, type)).map((name) => `${type}.${name}`).sort();
}

/** The example's inline members plus the management account. */
const MANAGEMENT_LISTED = { members: [...exampleData().members, { id: MANAGEMENT, email: 'root@example.com', wave: 1 }] };

describe('organization prerequisites', () => {
  it('fails the plan unless GuardDuty (and its Malware Protection) have trusted access, read after the delegations', () => {
    const synth = synthApp(testConfig());
    const organization = organizationRead(synth, 'organization', 'organization');
    expect(organization.provider).toBe('aws'); // the management account's, the stack's first
    expect([...organization.depends_on].sort()).toEqual(delegationAddresses(synth, 'organization', 'aws_guardduty_organization_admin_account'));
    expect(organization.depends_on).toEqual(['aws_guardduty_organization_admin_account.delegation']);
    expect(Object.keys(synth.resources('organization', 'aws_guardduty_organization_admin_account'))).toHaveLength(REGIONS.length);
    expect(organization.lifecycle.postcondition.map((p: Resource) => p.condition)).toEqual([
      '${contains(self.aws_service_access_principals, "guardduty.amazonaws.com")}',
      '${contains(self.aws_service_access_principals, "malware-protection.guardduty.amazonaws.com")}',
    ]);
    expect(organization.lifecycle.postcondition[0].error_message).toMatch(/^GuardDuty has no trusted access in AWS Organizations\. Designating the delegated administrator gives it/);
    expect(organization.lifecycle.postcondition[1].error_message).toContain('aws organizations enable-aws-service-access --service-principal malware-protection.guardduty.amazonaws.com');
    expect(data(synth, 'organization', 'aws_iam_roles')).toEqual([]);
  });

  it('stops the plan before any change when the management account belongs to another organization than organizationId', () => {
    const synth = synthApp(testConfig({ securityHub: { enabled: true }, detective: { enabled: true } }));
    for (const [stack, provider] of [
      ['organization', 'aws'],
      ['security-hub', 'aws.management'],
      ['detective', 'aws.management'],
    ]) {
      const configured = organizationRead(synth, stack, 'configured-organization');
      expect(configured.provider).toBe(provider);
      // Nothing to wait for: Terraform reads it while planning, before the delegations are created.
      expect(configured.depends_on).toBeUndefined();
      expect(configured.lifecycle.postcondition).toEqual([
        {
          condition: '${(self.id == "o-a1b2c3d4e5")}',
          error_message:
            "The management account belongs to organization ${self.id}, not to o-a1b2c3d4e5 (organizationId in the configuration): these are another organization's credentials, or another organization's configuration.",
        },
      ]);
    }
    expect(organizationRead(synthApp(testConfig({ organizationId: 'o-zz9yy8xx7w' })), 'organization', 'configured-organization').lifecycle.postcondition[0].condition).toBe(
      '${(self.id == "o-zz9yy8xx7w")}',
    );
  });

  it('checks Malware Protection’s access only when EBS malware scanning is on', () => {
    const synth = synthApp(testConfig({ protection: { ebsMalware: false } }));
    const organization = organizationRead(synth, 'organization', 'organization');
    expect(organization.lifecycle.postcondition).toHaveLength(1);
  });

  it('fails the plan when the management account is listed for enrollment without GuardDuty’s service-linked role', () => {
    const synth = synthApp(testConfig(MANAGEMENT_LISTED));
    const [[, roles]] = data(synth, 'organization', 'aws_iam_roles');
    expect(roles).toMatchObject({ path_prefix: '/aws-service-role/guardduty.amazonaws.com/', provider: 'aws' });
    expect(roles.lifecycle.postcondition).toEqual([
      expect.objectContaining({ condition: '${(length(self.names) >= 1)}', error_message: expect.stringMatching(/^The management account is listed in members, and GuardDuty enrolls it only when it has the GuardDuty service-linked role/) }),
    ]);
    // With autoEnable ALL nobody is enrolled from the list, so there is nothing to check.
    expect(data(synthApp(testConfig({ ...MANAGEMENT_LISTED, autoEnable: 'ALL' })), 'organization', 'aws_iam_roles')).toEqual([]);
  });

  it('checks Security Hub and Detective in their own stacks, after their own delegations, in organizations mode only', () => {
    const synth = synthApp(testConfig({ securityHub: { enabled: true }, detective: { enabled: true } }));
    for (const [stack, principal, delegation] of [
      ['security-hub', 'securityhub.amazonaws.com', 'aws_securityhub_organization_admin_account'],
      ['detective', 'detective.amazonaws.com', 'aws_detective_organization_admin_account'],
    ]) {
      const organization = organizationRead(synth, stack, 'organization');
      expect(organization.lifecycle.postcondition.map((p: Resource) => p.condition)).toEqual([`\${contains(self.aws_service_access_principals, "${principal}")}`]);
      expect([...organization.depends_on].sort()).toEqual(delegationAddresses(synth, stack, delegation));
      expect(organization.provider).toBe('aws.management');
    }
    const invitations = synthApp(testConfig({ mode: 'invitations', organizationId: undefined, securityHub: { enabled: true }, detective: { enabled: true } }));
    for (const id of invitations.stackIds) expect([id, data(invitations, id, 'aws_organizations_organization')]).toEqual([id, []]);
  });
});


import type { Construct } from 'constructs';
import type { SecurityhubOrganizationAdminAccount } from '@cdktf/provider-aws/lib/securityhub-organization-admin-account';
import { OrganizationPrerequisites, TRUSTED_SERVICES } from '../modules/organization-prerequisites';
import { FindingAggregator, SecurityHub } from '../modules/security-hub';
import { SecurityHubInvitationMembership, SecurityHubOrganizationMembership } from '../modules/security-hub-membership';
import { SecurityHubOrganization } from '../modules/security-hub-organization';
import { OrgStack, type OrgStackProps } from './org-stack';

/**
 * Security Hub administration: Security Hub with the GuardDuty integration and the chosen standards
 * in the admin account in every region; in organizations mode the management account's delegation
 * and the organization configuration per region; and the home region's finding aggregator.
 */
export class SecurityHubStack extends OrgStack {
  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const adminProvider = this.provider(config.accounts.admin);
    const delegations: SecurityhubOrganizationAdminAccount[] = [];
    const hubs = config.regions.map((region) => {
      const hub = new SecurityHub(this, `security-hub-${region}`, {
        provider: adminProvider,
        region,
        standards: config.securityHub.standards,
        guardDutyIntegration: true,
      });
      if (config.mode === 'organizations') {
        const organization = new SecurityHubOrganization(this, `organization-${region}`, {
          managementProvider: this.provider(config.accounts.management),
          adminProvider,
          region,
          adminAccountId: config.accounts.admin,
          adminHub: hub.hub,
          autoEnable: config.securityHub.autoEnable ?? true,
        });
        delegations.push(organization.delegation);
      }
      return hub.hub;
    });
    // Checked here, after this stack's delegations, which are what give Security Hub trusted access.
    if (config.mode === 'organizations') {
      new OrganizationPrerequisites(this, 'prerequisites', {
        managementProvider: this.provider(config.accounts.management),
        trustedServices: [TRUSTED_SERVICES.securityHub],
        after: delegations,
      });
    }
    new FindingAggregator(this, 'finding-aggregator', { provider: adminProvider, homeRegion: config.homeRegion, regions: config.regions, hubs });
  }
}

/** One wave (or part of a wave) of member accounts enrolled in Security Hub in every region. */
export class SecurityHubMembersStack extends OrgStack {
  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config, planned } = props;
    const adminProvider = this.provider(config.accounts.admin);
    for (const member of planned.members) {
      const id = `member-${member.id}`;
      if (config.mode === 'organizations') {
        new SecurityHubOrganizationMembership(this, id, { member, adminProvider, regions: config.regions });
      } else {
        new SecurityHubInvitationMembership(this, id, {
          member,
          adminProvider,
          regions: config.regions,
          memberProvider: this.provider(member.id),
          administratorAccountId: config.accounts.admin,
        });
      }
    }
  }
}

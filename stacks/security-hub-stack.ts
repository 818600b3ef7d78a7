import type { Construct } from 'constructs';
import { OrganizationPrerequisites, TRUSTED_SERVICES } from '../modules/organization-prerequisites';
import { FindingAggregator, SecurityHub } from '../modules/security-hub';
import { SecurityHubInvitationMemberships, SecurityHubOrganizationMemberships } from '../modules/security-hub-membership';
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
    const hub = new SecurityHub(this, 'security-hub', {
      provider: adminProvider,
      name: 'hub',
      regions: config.regions,
      standards: config.securityHub.standards,
      guardDutyIntegration: true,
    });
    if (config.mode === 'organizations') {
      const organization = new SecurityHubOrganization(this, 'organization', {
        managementProvider: this.provider(config.accounts.management),
        adminProvider,
        regions: config.regions,
        adminAccountId: config.accounts.admin,
        adminHub: hub.hub,
        autoEnable: config.securityHub.autoEnable ?? true,
      });
      // Checked here, after this stack's delegations, which are what give Security Hub trusted access.
      new OrganizationPrerequisites(this, 'prerequisites', {
        managementProvider: this.provider(config.accounts.management),
        trustedServices: [TRUSTED_SERVICES.securityHub],
        after: [organization.delegation],
        organizationId: config.organizationId,
      });
    }
    new FindingAggregator(this, 'finding-aggregator', { provider: adminProvider, homeRegion: config.homeRegion, regions: config.regions, hubs: [hub.hub] });
  }
}

/** One wave (or part of a wave) of member accounts enrolled in Security Hub in every region. */
export class SecurityHubMembersStack extends OrgStack {
  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config, planned } = props;
    const base = { members: planned.members, regions: config.regions, adminProvider: this.provider(config.accounts.admin) };
    if (config.mode === 'organizations') {
      new SecurityHubOrganizationMemberships(this, 'memberships', base);
    } else {
      new SecurityHubInvitationMemberships(this, 'memberships', {
        ...base,
        memberProvider: (accountId) => this.provider(accountId),
        administratorAccountId: config.accounts.admin,
      });
    }
  }
}

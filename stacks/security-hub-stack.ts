import type { Construct } from 'constructs';
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
    const hubs = config.regions.map((region) => {
      const hub = new SecurityHub(this, `security-hub-${region}`, {
        provider: adminProvider,
        region,
        standards: config.securityHub.standards,
        guardDutyIntegration: true,
      });
      if (config.mode === 'organizations') {
        new SecurityHubOrganization(this, `organization-${region}`, {
          managementProvider: this.provider(config.accounts.management),
          adminProvider,
          region,
          adminAccountId: config.accounts.admin,
          adminHub: hub.hub,
          autoEnable: config.securityHub.autoEnable ?? true,
        });
      }
      return hub.hub;
    });
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

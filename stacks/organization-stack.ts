import type { Construct } from 'constructs';
import { enrollsMembersExplicitly } from '../lib/plan/stacks';
import { detectorFeatures, planEnabled } from '../lib/guardduty/protection';
import { OrganizationAdmin } from '../modules/organization-admin';
import { OrganizationPrerequisites, TRUSTED_SERVICES } from '../modules/organization-prerequisites';
import { OrgStack, type OrgStackProps } from './org-stack';

export interface OrganizationStackProps extends OrgStackProps {
  /** The administrator's detector id by region (from the admin stack). */
  readonly adminDetectorIds: Readonly<Record<string, string>>;
}

/**
 * Organizations mode: in every region the management account delegates GuardDuty administration to
 * the admin account, which then sets the organization configuration. The admin detector exists
 * before delegation (the admin stack deploys first) so delegation does not create one of its own.
 */
export class OrganizationStack extends OrgStack {
  constructor(scope: Construct, props: OrganizationStackProps) {
    super(scope, props);
    const { config } = props;
    const organization = new OrganizationAdmin(this, 'organization', {
      managementProvider: this.provider(config.accounts.management),
      adminProvider: this.provider(config.accounts.admin),
      regions: config.regions,
      adminAccountId: config.accounts.admin,
      adminDetectorIds: this.readOnce('admin-detector-ids', props.adminDetectorIds),
      autoEnable: config.autoEnable,
      features: (region) => detectorFeatures(config.protection, region, 'members'),
      existingDelegations: config.existingDelegations,
    });
    // Read after the delegations, which give GuardDuty trusted access on a first deploy.
    new OrganizationPrerequisites(this, 'prerequisites', {
      managementProvider: this.provider(config.accounts.management),
      trustedServices: [TRUSTED_SERVICES.guardDuty, ...(planEnabled(config.protection, 'ebsMalware') ? [TRUSTED_SERVICES.malwareProtection] : [])],
      after: [organization.delegation],
      organizationId: config.organizationId,
      managementEnrolled: enrollsMembersExplicitly(config) && config.members.some((member) => member.id === config.accounts.management),
    });
  }
}

import { GuarddutyOrganizationAdminAccount } from '@cdktf/provider-aws/lib/guardduty-organization-admin-account';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { GuarddutyOrganizationConfigurationFeature } from '@cdktf/provider-aws/lib/guardduty-organization-configuration-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { AutoEnable } from '../lib/config/schema';
import { featureAutoEnable, type DetectorFeature } from '../lib/protection';

export interface OrganizationAdminProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  readonly region: string;
  readonly adminAccountId: string;
  /** The administrator's detector in this region. */
  readonly adminDetectorId: string;
  /** Which accounts GuardDuty enables by itself: every account, new accounts only, or none. */
  readonly autoEnable: AutoEnable;
  /** Protection plans members get, the same as the administrator's. */
  readonly features: readonly DetectorFeature[];
  /**
   * The admin account already is the delegated administrator in this region: the delegation is
   * imported, because enabling it again fails.
   * @default false
   */
  readonly existingDelegation?: boolean;
}

/**
 * One region's delegation of GuardDuty administration and the organization configuration. Both are
 * regional, and the configuration can only be written by the administrator once it is designated.
 */
export class OrganizationAdmin extends Construct {
  readonly delegation: GuarddutyOrganizationAdminAccount;
  readonly configuration: GuarddutyOrganizationConfiguration;

  constructor(scope: Construct, id: string, props: OrganizationAdminProps) {
    super(scope, id);
    const { region, adminDetectorId: detectorId } = props;
    this.delegation = new GuarddutyOrganizationAdminAccount(this, 'delegation', {
      provider: props.managementProvider,
      region,
      adminAccountId: props.adminAccountId,
    });
    if (props.existingDelegation) this.delegation.importFrom(`${props.adminAccountId}@${region}`, props.managementProvider);
    this.configuration = new GuarddutyOrganizationConfiguration(this, 'configuration', {
      provider: props.adminProvider,
      region,
      detectorId,
      autoEnableOrganizationMembers: props.autoEnable,
      dependsOn: [this.delegation],
    });
    for (const feature of props.features) {
      const autoEnable = featureAutoEnable(feature.enabled, props.autoEnable);
      new GuarddutyOrganizationConfigurationFeature(this, feature.name.toLowerCase(), {
        provider: props.adminProvider,
        region,
        detectorId,
        name: feature.name,
        autoEnable,
        additionalConfiguration: feature.additionalConfiguration.map((name) => ({ name, autoEnable })),
        dependsOn: [this.configuration],
      });
    }
  }
}

import { GuarddutyOrganizationAdminAccount } from '@cdktf/provider-aws/lib/guardduty-organization-admin-account';
import { GuarddutyOrganizationConfiguration } from '@cdktf/provider-aws/lib/guardduty-organization-configuration';
import { GuarddutyOrganizationConfigurationFeature } from '@cdktf/provider-aws/lib/guardduty-organization-configuration-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import type { AutoEnable } from '../lib/guardduty/protection';
import { eachNestedBlock, Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';
import { requireFeatureProviders } from '../lib/terraform/newer-provider';
import { organizationFeatureSettings, type DetectorFeature } from '../lib/guardduty/protection';

export interface OrganizationAdminProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  /** Administration is delegated, and the organization configured, in each. */
  readonly regions: readonly string[];
  readonly adminAccountId: string;
  /** The administrator's detector id by region. */
  readonly adminDetectorIds: ByRegion;
  /** Which accounts GuardDuty enables by itself: every account, new accounts only, or none. */
  readonly autoEnable: AutoEnable;
  /** Protection plans members get in each region (`detectorFeatures(..., 'members')`). */
  readonly features: (region: string) => readonly DetectorFeature[];
  /**
   * Regions where the admin account already is the delegated administrator: the delegation is
   * imported there, because enabling it again fails.
   * @default none
   */
  readonly existingDelegations?: readonly string[];
}

/**
 * The delegation of GuardDuty administration and the organization configuration in every region
 * (`aws_guardduty_organization_admin_account.delegation["<region>"]`, `..._configuration.configuration`,
 * `..._configuration_feature.feature["<region>/<feature>"]`). Both are regional, and the configuration
 * can only be written by the administrator once it is designated.
 */
export class OrganizationAdmin extends Construct {
  readonly delegation: GuarddutyOrganizationAdminAccount;
  readonly configuration: GuarddutyOrganizationConfiguration;
  readonly features: GuarddutyOrganizationConfigurationFeature;

  constructor(scope: Construct, id: string, props: OrganizationAdminProps) {
    super(scope, id);
    const regions = Instances.byRegion(props.regions);
    this.delegation = KeyedBlocks.add(
      new GuarddutyOrganizationAdminAccount(this, 'delegation', {
        forEach: regions,
        provider: props.managementProvider,
        region: regions.value('region'),
        adminAccountId: props.adminAccountId,
      }),
      'delegation',
      regions,
    );
    for (const region of props.existingDelegations ?? []) {
      if (regions.has(region)) KeyedBlocks.importInto(this.delegation, region, `${props.adminAccountId}@${region}`);
    }
    this.configuration = KeyedBlocks.add(
      new GuarddutyOrganizationConfiguration(this, 'configuration', {
        forEach: regions,
        provider: props.adminProvider,
        region: regions.value('region'),
        detectorId: props.adminDetectorIds.at('each.value.region'),
        autoEnableOrganizationMembers: props.autoEnable,
        dependsOn: [this.delegation],
      }),
      'configuration',
      regions,
    );
    const planned = props.regions.flatMap((region) => props.features(region).map((feature) => ({ region, feature })));
    requireFeatureProviders(this, planned.map(({ feature }) => feature));
    const features = Instances.of(
      planned,
      ({ region, feature }) => instanceKey(region, feature.name),
      ({ region, feature }) => {
        const { name, autoEnable, additionalConfiguration } = organizationFeatureSettings(feature, props.autoEnable);
        return {
          region,
          name,
          auto_enable: autoEnable,
          additional_configuration: additionalConfiguration.map((setting) => ({ name: setting.name, auto_enable: setting.autoEnable })),
        };
      },
    );
    this.features = KeyedBlocks.add(
      new GuarddutyOrganizationConfigurationFeature(this, 'feature', {
        forEach: features,
        provider: props.adminProvider,
        region: features.value('region'),
        detectorId: props.adminDetectorIds.at('each.value.region'),
        name: features.value('name'),
        autoEnable: features.value('auto_enable'),
        dependsOn: [this.configuration],
      }),
      'feature',
      features,
    );
    eachNestedBlock(this.features, 'additional_configuration', 'additional_configuration', ['name', 'auto_enable']);
  }
}

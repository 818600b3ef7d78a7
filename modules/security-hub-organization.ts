import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubOrganizationAdminAccount } from '@cdktf/provider-aws/lib/securityhub-organization-admin-account';
import { SecurityhubOrganizationConfiguration } from '@cdktf/provider-aws/lib/securityhub-organization-configuration';
import { Construct } from 'constructs';
import { Instances, KeyedBlocks } from '../lib/terraform/instances';

export interface SecurityHubOrganizationProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  /** Administration is delegated, and the organization configured, in each. */
  readonly regions: readonly string[];
  readonly adminAccountId: string;
  /** Security Hub in the administrator account, in every region, enabled before the delegation. */
  readonly adminHub: SecurityhubAccount;
  /** Whether accounts that join the organization later get Security Hub by themselves. */
  readonly autoEnable: boolean;
}

/**
 * The delegation of Security Hub administration and its organization configuration in every region
 * (`aws_securityhub_organization_admin_account.delegation["<region>"]`,
 * `aws_securityhub_organization_configuration.configuration["<region>"]`), in local configuration.
 * Central configuration (configuration policies from the home region) would require auto-enable off
 * and a policy for every account; local configuration keeps auto-enable, which covers accounts that
 * join the organization later, while the account list is enrolled wave by wave (see
 * SecurityHubMembersStack).
 */
export class SecurityHubOrganization extends Construct {
  readonly delegation: SecurityhubOrganizationAdminAccount;
  readonly configuration: SecurityhubOrganizationConfiguration;

  constructor(scope: Construct, id: string, props: SecurityHubOrganizationProps) {
    super(scope, id);
    const regions = Instances.byRegion(props.regions);
    // Security Hub is enabled in the administrator first: designating an account that does not have
    // it yet can enable it there, and the admin stack's own SecurityhubAccount would then fail with
    // "Account is already subscribed to Security Hub".
    this.delegation = KeyedBlocks.add(
      new SecurityhubOrganizationAdminAccount(this, 'delegation', {
        forEach: regions,
        provider: props.managementProvider,
        region: regions.value('region'),
        adminAccountId: props.adminAccountId,
        dependsOn: [props.adminHub],
      }),
      'delegation',
      regions,
    );
    this.configuration = KeyedBlocks.add(
      new SecurityhubOrganizationConfiguration(this, 'configuration', {
        forEach: regions,
        provider: props.adminProvider,
        region: regions.value('region'),
        autoEnable: props.autoEnable,
        // DEFAULT would enable AWS's default standards in every new account; the standards of this
        // deployment are the admin account's, chosen in securityHub.standards.
        autoEnableStandards: 'NONE',
        organizationConfiguration: { configurationType: 'LOCAL' },
        dependsOn: [this.delegation],
      }),
      'configuration',
      regions,
    );
  }
}

import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubOrganizationAdminAccount } from '@cdktf/provider-aws/lib/securityhub-organization-admin-account';
import { SecurityhubOrganizationConfiguration } from '@cdktf/provider-aws/lib/securityhub-organization-configuration';
import { Construct } from 'constructs';

export interface SecurityHubOrganizationProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  readonly region: string;
  readonly adminAccountId: string;
  /** Security Hub in the administrator account in this region, enabled before the delegation. */
  readonly adminHub: SecurityhubAccount;
  /** Whether accounts that join the organization later get Security Hub by themselves. */
  readonly autoEnable: boolean;
}

/**
 * One region's delegation of Security Hub administration and its organization configuration, in
 * local configuration. Central configuration (configuration policies from the home region) would
 * require auto-enable off and a policy for every account; local configuration keeps auto-enable,
 * which covers accounts that join the organization later, while the account list is enrolled wave
 * by wave (see SecurityHubMembersStack).
 */
export class SecurityHubOrganization extends Construct {
  readonly delegation: SecurityhubOrganizationAdminAccount;
  readonly configuration: SecurityhubOrganizationConfiguration;

  constructor(scope: Construct, id: string, props: SecurityHubOrganizationProps) {
    super(scope, id);
    const { region } = props;
    // Security Hub is enabled in the administrator first: designating an account that does not have
    // it yet can enable it there, and the admin stack's own SecurityhubAccount would then fail with
    // "Account is already subscribed to Security Hub".
    this.delegation = new SecurityhubOrganizationAdminAccount(this, 'delegation', {
      provider: props.managementProvider,
      region,
      adminAccountId: props.adminAccountId,
      dependsOn: [props.adminHub],
    });
    this.configuration = new SecurityhubOrganizationConfiguration(this, 'configuration', {
      provider: props.adminProvider,
      region,
      autoEnable: props.autoEnable,
      // DEFAULT would enable AWS's default standards in every new account; the standards of this
      // deployment are the admin account's, chosen in securityHub.standards.
      autoEnableStandards: 'NONE',
      organizationConfiguration: { configurationType: 'LOCAL' },
      dependsOn: [this.delegation],
    });
  }
}

import type { Construct } from 'constructs';
import { BehaviorGraphs, DetectiveOrganization } from '../modules/detective';
import { DetectiveMemberships } from '../modules/detective-membership';
import { OrganizationPrerequisites, TRUSTED_SERVICES } from '../modules/organization-prerequisites';
import { OrgStack, type OrgStackProps } from './org-stack';

/**
 * Detective administration: the admin account's behavior graph in every region (Detective builds on
 * its GuardDuty findings, so this stack follows the admin stack), and in organizations mode the
 * management account's delegation and the organization configuration per region.
 */
export class DetectiveStack extends OrgStack {
  /** The administrator's behavior graph ARN by region. */
  readonly graphArns: Readonly<Record<string, string>>;

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const adminProvider = this.provider(config.accounts.admin);
    const graphs = new BehaviorGraphs(this, 'graphs', { provider: adminProvider, regions: config.regions, existingGraphArns: config.detective.existingGraphs });
    this.graphArns = Object.fromEntries(config.regions.map((region) => [region, graphs.graphArn(region)]));
    if (config.mode === 'organizations') {
      const organization = new DetectiveOrganization(this, 'organization', {
        managementProvider: this.provider(config.accounts.management),
        adminProvider,
        regions: config.regions,
        adminAccountId: config.accounts.admin,
        graphs,
        autoEnable: config.detective.autoEnable ?? true,
      });
      // Checked here, after this stack's delegations, which are what give Detective trusted access.
      new OrganizationPrerequisites(this, 'prerequisites', {
        managementProvider: this.provider(config.accounts.management),
        trustedServices: [TRUSTED_SERVICES.detective],
        after: [organization.delegation],
        organizationId: config.organizationId,
      });
    }
  }
}

export interface DetectiveMembersStackProps extends OrgStackProps {
  /** The administrator's behavior graph ARN by region (from the detective stack). */
  readonly graphArns: Readonly<Record<string, string>>;
}

/** One wave (or part of a wave) of member accounts enrolled in the behavior graph in every region. */
export class DetectiveMembersStack extends OrgStack {
  constructor(scope: Construct, props: DetectiveMembersStackProps) {
    super(scope, props);
    const { config, planned } = props;
    new DetectiveMemberships(this, 'memberships', {
      members: planned.members,
      regions: config.regions,
      adminProvider: this.provider(config.accounts.admin),
      graphArns: this.readOnce('behavior-graph-arns', props.graphArns),
      administratorAccountId: config.accounts.admin,
      ...(config.mode === 'invitations' ? { memberProvider: (accountId: string) => this.provider(accountId) } : {}),
    });
  }
}

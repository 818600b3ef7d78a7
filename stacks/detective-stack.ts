import type { Construct } from 'constructs';
import type { DetectiveOrganizationAdminAccount } from '@cdktf/provider-aws/lib/detective-organization-admin-account';
import { BehaviorGraph, DetectiveOrganization } from '../modules/detective';
import { OrganizationPrerequisites, TRUSTED_SERVICES } from '../modules/organization-prerequisites';
import { DetectiveMembership } from '../modules/detective-membership';
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
    const graphArns: Record<string, string> = {};
    const delegations: DetectiveOrganizationAdminAccount[] = [];
    for (const region of config.regions) {
      const graph = new BehaviorGraph(this, `graph-${region}`, {
        provider: adminProvider,
        region,
        existingGraphArn: config.detective.existingGraphs[region],
      });
      graphArns[region] = graph.graphArn;
      if (config.mode === 'organizations') {
        const organization = new DetectiveOrganization(this, `organization-${region}`, {
          managementProvider: this.provider(config.accounts.management),
          adminProvider,
          region,
          adminAccountId: config.accounts.admin,
          graph,
          autoEnable: config.detective.autoEnable ?? true,
        });
        delegations.push(organization.delegation);
      }
    }
    this.graphArns = graphArns;
    // Checked here, after this stack's delegations, which are what give Detective trusted access.
    if (config.mode === 'organizations') {
      new OrganizationPrerequisites(this, 'prerequisites', {
        managementProvider: this.provider(config.accounts.management),
        trustedServices: [TRUSTED_SERVICES.detective],
        after: delegations,
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
    const adminProvider = this.provider(config.accounts.admin);
    const graphArns = this.readOnce('behavior-graph', props.graphArns);
    for (const member of planned.members) {
      new DetectiveMembership(this, `member-${member.id}`, {
        member,
        adminProvider,
        graphArns,
        administratorAccountId: config.accounts.admin,
        ...(config.mode === 'invitations' ? { memberProvider: this.provider(member.id) } : {}),
      });
    }
  }
}

import { DetectiveGraph } from '@cdktf/provider-aws/lib/detective-graph';
import { DetectiveOrganizationAdminAccount } from '@cdktf/provider-aws/lib/detective-organization-admin-account';
import { DetectiveOrganizationConfiguration } from '@cdktf/provider-aws/lib/detective-organization-configuration';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

export interface BehaviorGraphProps {
  /** Provider of the Detective administrator account. */
  readonly provider: AwsProvider;
  readonly region: string;
  /**
   * ARN of the graph this account already has in this region: it is imported, because an account
   * administers at most one behavior graph per region and creating another fails.
   * @default a new graph is created
   */
  readonly existingGraphArn?: string;
}

/** The administrator's Detective behavior graph in one region: Detective enabled in that account. */
export class BehaviorGraph extends Construct {
  readonly graph: DetectiveGraph;
  /** For the organization configuration and the memberships. */
  readonly graphArn: string;

  constructor(scope: Construct, id: string, props: BehaviorGraphProps) {
    super(scope, id);
    this.graph = new DetectiveGraph(this, 'graph', { provider: props.provider, region: props.region });
    // The graph is identified by its ARN, which names its region.
    if (props.existingGraphArn) this.graph.importFrom(props.existingGraphArn, props.provider);
    this.graphArn = this.graph.graphArn;
  }
}

export interface DetectiveOrganizationProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  readonly region: string;
  readonly adminAccountId: string;
  /** The administrator's graph in this region, which becomes the organization behavior graph. */
  readonly graph: BehaviorGraph;
  /** Whether accounts that join the organization later become members by themselves. */
  readonly autoEnable: boolean;
}

/**
 * One region's delegation of Detective administration and its organization configuration.
 * Designating an administrator that has no graph makes Detective create one in that account, which
 * Terraform would not know and the admin's own graph would then collide with (one graph per account
 * and region). So the graph comes first, created here or imported from `detective.existingGraphs`,
 * and the delegation adopts it as the organization behavior graph.
 */
export class DetectiveOrganization extends Construct {
  readonly delegation: DetectiveOrganizationAdminAccount;
  readonly configuration: DetectiveOrganizationConfiguration;

  constructor(scope: Construct, id: string, props: DetectiveOrganizationProps) {
    super(scope, id);
    const { region } = props;
    this.delegation = new DetectiveOrganizationAdminAccount(this, 'delegation', {
      provider: props.managementProvider,
      region,
      accountId: props.adminAccountId,
      dependsOn: [props.graph.graph],
    });
    // Auto-enable reaches accounts that join the organization from now on, never those already in
    // it: the account list is enrolled wave by wave (see DetectiveMembersStack).
    this.configuration = new DetectiveOrganizationConfiguration(this, 'configuration', {
      provider: props.adminProvider,
      region,
      graphArn: props.graph.graphArn,
      autoEnable: props.autoEnable,
      dependsOn: [this.delegation],
    });
  }
}

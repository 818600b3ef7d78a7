import { DetectiveGraph } from '@cdktf/provider-aws/lib/detective-graph';
import { DetectiveOrganizationAdminAccount } from '@cdktf/provider-aws/lib/detective-organization-admin-account';
import { DetectiveOrganizationConfiguration } from '@cdktf/provider-aws/lib/detective-organization-configuration';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { eachReference, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';

export interface BehaviorGraphsProps {
  /** Provider of the Detective administrator account. */
  readonly provider: AwsProvider;
  /** One graph in each. */
  readonly regions: readonly string[];
  /**
   * ARNs of the graphs this account already has, by region: imported, because an account administers
   * at most one behavior graph per region and creating another fails.
   * @default every graph is created
   */
  readonly existingGraphArns?: Readonly<Record<string, string>>;
}

/**
 * The administrator's Detective behavior graph in every region (`aws_detective_graph.graph["<region>"]`):
 * Detective enabled in that account.
 */
export class BehaviorGraphs extends Construct {
  readonly graph: DetectiveGraph;

  constructor(scope: Construct, id: string, props: BehaviorGraphsProps) {
    super(scope, id);
    const regions = Instances.byRegion(props.regions);
    this.graph = KeyedBlocks.add(new DetectiveGraph(this, 'graph', { forEach: regions, provider: props.provider, region: regions.value('region') }), 'graph', regions);
    // A graph is identified by its ARN, which names its region.
    for (const [region, arn] of Object.entries(props.existingGraphArns ?? {})) {
      if (regions.has(region)) KeyedBlocks.importInto(this.graph, region, arn);
    }
  }

  /** The graph ARN in one region, usable from any stack (the memberships). */
  graphArn(region: string): string {
    return instanceReference(this.graph, region, 'graph_arn');
  }
}

export interface DetectiveOrganizationProps {
  /** Provider of the organization's management account, which designates the administrator. */
  readonly managementProvider: AwsProvider;
  /** Provider of the delegated administrator account, which owns the organization configuration. */
  readonly adminProvider: AwsProvider;
  /** Administration is delegated, and the organization configured, in each. */
  readonly regions: readonly string[];
  readonly adminAccountId: string;
  /** The administrator's graphs, which become the organization behavior graphs. */
  readonly graphs: BehaviorGraphs;
  /** Whether accounts that join the organization later become members by themselves. */
  readonly autoEnable: boolean;
}

/**
 * The delegation of Detective administration and its organization configuration in every region
 * (`aws_detective_organization_admin_account.delegation["<region>"]`,
 * `aws_detective_organization_configuration.configuration["<region>"]`). Designating an administrator
 * that has no graph makes Detective create one in that account, which Terraform would not know and
 * the admin's own graph would then collide with (one graph per account and region). So the graphs
 * come first, created here or imported from `detective.existingGraphs`, and the delegation adopts
 * them as the organization behavior graphs.
 */
export class DetectiveOrganization extends Construct {
  readonly delegation: DetectiveOrganizationAdminAccount;
  readonly configuration: DetectiveOrganizationConfiguration;

  constructor(scope: Construct, id: string, props: DetectiveOrganizationProps) {
    super(scope, id);
    const regions = Instances.byRegion(props.regions);
    this.delegation = KeyedBlocks.add(
      new DetectiveOrganizationAdminAccount(this, 'delegation', {
        forEach: regions,
        provider: props.managementProvider,
        region: regions.value('region'),
        accountId: props.adminAccountId,
        dependsOn: [props.graphs.graph],
      }),
      'delegation',
      regions,
    );
    // Auto-enable reaches accounts that join the organization from now on, never those already in
    // it: the account list is enrolled wave by wave (see DetectiveMembersStack).
    this.configuration = KeyedBlocks.add(
      new DetectiveOrganizationConfiguration(this, 'configuration', {
        forEach: regions,
        provider: props.adminProvider,
        region: regions.value('region'),
        graphArn: eachReference(props.graphs.graph, 'each.key', 'graph_arn'),
        autoEnable: props.autoEnable,
        dependsOn: [this.delegation],
      }),
      'configuration',
      regions,
    );
  }
}

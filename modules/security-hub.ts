import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubFindingAggregator } from '@cdktf/provider-aws/lib/securityhub-finding-aggregator';
import { SecurityhubProductSubscription } from '@cdktf/provider-aws/lib/securityhub-product-subscription';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import { Instances, KeyedBlocks } from '../lib/terraform/instances';
import { aggregatorLinking, guardDutyProductArn, standardArn, type SecurityHubStandard } from '../lib/aws/security-hub';

export interface SecurityHubProps {
  /** Provider of the account Security Hub is enabled in. */
  readonly provider: AwsProvider;
  /** Block name: `hub` for the administrator's, `member_<account>` for an invited member's. */
  readonly name: string;
  /** Security Hub is enabled in each. */
  readonly regions: readonly string[];
  /**
   * Standards to subscribe to in this account, in every region (`standard["<region>/<standard>"]`).
   * @default none
   */
  readonly standards?: readonly SecurityHubStandard[];
  /**
   * Subscribe to the GuardDuty integration explicitly (`guardduty["<region>"]`), so it is part of the
   * state and cannot be switched off unnoticed.
   * @default false
   */
  readonly guardDutyIntegration?: boolean;
}

/**
 * Security Hub enabled in one account, in every region (`aws_securityhub_account.<name>["<region>"]`),
 * with the chosen standards and nothing else.
 */
export class SecurityHub extends Construct {
  readonly hub: SecurityhubAccount;

  constructor(scope: Construct, id: string, props: SecurityHubProps) {
    super(scope, id);
    const { provider } = props;
    const regions = Instances.byRegion(props.regions);
    this.hub = KeyedBlocks.add(
      new SecurityhubAccount(this, 'hub', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        // The provider's default turns on AWS's default standards; only the configured ones are wanted.
        enableDefaultStandards: false,
      }),
      props.name,
      regions,
    );
    if (props.guardDutyIntegration) {
      const products = Instances.of(props.regions, (region) => region, (region) => ({ region, product_arn: guardDutyProductArn(region) }));
      KeyedBlocks.add(
        new SecurityhubProductSubscription(this, 'guardduty', {
          forEach: products,
          provider,
          region: products.value('region'),
          productArn: products.value('product_arn'),
          dependsOn: [this.hub],
        }),
        'guardduty',
        products,
      );
    }
    const standards = props.standards ?? [];
    if (standards.length > 0) {
      const subscriptions = Instances.of(
        props.regions.flatMap((region) => standards.map((standard) => ({ region, standard }))),
        ({ region, standard }) => instanceKey(region, standard),
        ({ region, standard }) => ({ region, standards_arn: standardArn(standard, region) }),
      );
      KeyedBlocks.add(
        new SecurityhubStandardsSubscription(this, 'standard', {
          forEach: subscriptions,
          provider,
          region: subscriptions.value('region'),
          standardsArn: subscriptions.value('standards_arn'),
          dependsOn: [this.hub],
        }),
        'standard',
        subscriptions,
      );
    }
  }
}

export interface FindingAggregatorProps {
  /** Provider of the Security Hub administrator account. */
  readonly provider: AwsProvider;
  /** The aggregation region. */
  readonly homeRegion: string;
  /** Every region of the deployment; all but the home region are linked to it. */
  readonly regions: readonly string[];
  /** Security Hub in every linked region: the aggregator pulls nothing from a region where it is off. */
  readonly hubs: readonly ITerraformDependable[];
}

/** Cross-region aggregation: findings of every region of the deployment, seen in the home region. */
export class FindingAggregator extends Construct {
  readonly aggregator: SecurityhubFindingAggregator;

  constructor(scope: Construct, id: string, props: FindingAggregatorProps) {
    super(scope, id);
    this.aggregator = new SecurityhubFindingAggregator(this, 'aggregator', {
      provider: props.provider,
      region: props.homeRegion,
      ...aggregatorLinking(props.regions, props.homeRegion),
      dependsOn: [...props.hubs],
    });
  }
}

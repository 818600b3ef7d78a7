import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityhubAccount } from '@cdktf/provider-aws/lib/securityhub-account';
import { SecurityhubFindingAggregator } from '@cdktf/provider-aws/lib/securityhub-finding-aggregator';
import { SecurityhubProductSubscription } from '@cdktf/provider-aws/lib/securityhub-product-subscription';
import { SecurityhubStandardsSubscription } from '@cdktf/provider-aws/lib/securityhub-standards-subscription';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { aggregatorLinking, guardDutyProductArn, standardArn, type SecurityHubStandard } from '../lib/security-hub';

export interface SecurityHubProps {
  /** Provider of the account Security Hub is enabled in. */
  readonly provider: AwsProvider;
  readonly region: string;
  /**
   * Standards to subscribe to in this account and region.
   * @default none
   */
  readonly standards?: readonly SecurityHubStandard[];
  /**
   * Subscribe to the GuardDuty integration explicitly, so it is part of the state and cannot be
   * switched off unnoticed.
   * @default false
   */
  readonly guardDutyIntegration?: boolean;
}

/** Security Hub enabled in one account and region, with the chosen standards and nothing else. */
export class SecurityHub extends Construct {
  readonly hub: SecurityhubAccount;

  constructor(scope: Construct, id: string, props: SecurityHubProps) {
    super(scope, id);
    const { provider, region } = props;
    this.hub = new SecurityhubAccount(this, 'hub', {
      provider,
      region,
      // The provider's default turns on AWS's default standards; only the configured ones are wanted.
      enableDefaultStandards: false,
    });
    if (props.guardDutyIntegration) {
      new SecurityhubProductSubscription(this, 'guardduty', {
        provider,
        region,
        productArn: guardDutyProductArn(region),
        dependsOn: [this.hub],
      });
    }
    for (const standard of props.standards ?? []) {
      new SecurityhubStandardsSubscription(this, `standard-${standard.replace(/[/.]/g, '-')}`, {
        provider,
        region,
        standardsArn: standardArn(standard, region),
        dependsOn: [this.hub],
      });
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

import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import { eachNestedBlock, eachReference, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';
import { requireFeatureProviders } from '../lib/terraform/newer-provider';
import { featureSettings, type DetectorFeature } from '../lib/guardduty/protection';

export interface DetectorsProps {
  /** Provider of the account that owns the detectors. */
  readonly provider: AwsProvider;
  /** Block name: `detector` for the administrator's, `member_<account>` for an invited member's. */
  readonly name: string;
  /** One detector in each. */
  readonly regions: readonly string[];
  readonly findingPublishingFrequency: string;
  /**
   * The protection plans of each region, enabled or not (see `detectorFeatures`), each a keyed
   * instance (block `feature`, keyed `"<region>/<feature>"`).
   * @default none: the administrator sets an invited member's plans
   */
  readonly features?: (region: string) => readonly DetectorFeature[];
  /**
   * Detectors that already exist in this account, by region: imported, because GuardDuty allows one
   * detector per account and region and creating another fails.
   * @default every detector is created
   */
  readonly existingDetectorIds?: Readonly<Record<string, string>>;
}

/**
 * The GuardDuty detectors of one account, one per region (`aws_guardduty_detector.<name>["<region>"]`),
 * with their protection plans.
 */
export class Detectors extends Construct {
  readonly detector: GuarddutyDetector;
  readonly features?: GuarddutyDetectorFeature;

  constructor(scope: Construct, id: string, props: DetectorsProps) {
    super(scope, id);
    const { provider } = props;
    const regions = Instances.byRegion(props.regions);
    this.detector = KeyedBlocks.add(
      new GuarddutyDetector(this, 'detector', {
        forEach: regions,
        provider,
        region: regions.value('region'),
        enable: true,
        findingPublishingFrequency: props.findingPublishingFrequency,
      }),
      props.name,
      regions,
    );
    for (const [region, detectorId] of Object.entries(props.existingDetectorIds ?? {})) {
      // AWS provider 6 addresses a resource outside the provider's region as <id>@<region>.
      if (regions.has(region)) KeyedBlocks.importInto(this.detector, region, `${detectorId}@${region}`);
    }

    const planned = props.regions.flatMap((region) => (props.features?.(region) ?? []).map((feature) => ({ region, feature })));
    if (planned.length > 0) {
      requireFeatureProviders(this, planned.map(({ feature }) => feature));
      const features = Instances.of(
        planned,
        ({ region, feature }) => instanceKey(region, feature.name),
        ({ region, feature }) => {
          const { name, status, additionalConfiguration } = featureSettings(feature);
          return { region, name, status, additional_configuration: additionalConfiguration };
        },
      );
      this.features = KeyedBlocks.add(
        new GuarddutyDetectorFeature(this, 'feature', {
          forEach: features,
          provider,
          region: features.value('region'),
          detectorId: this.idAt('each.value.region'),
          name: features.value('name'),
          status: features.value('status'),
        }),
        'feature',
        features,
      );
      eachNestedBlock(this.features, 'additional_configuration', 'additional_configuration', ['name', 'status']);
    }
  }

  /** The detector id in one region, usable from any stack (lists, memberships, the export). */
  detectorId(region: string): string {
    return instanceReference(this.detector, region, 'id');
  }

  /** The detector id in the region a keyed instance of this stack names (`each.value.region`). */
  idAt(regionExpression: string): string {
    return eachReference(this.detector, regionExpression, 'id');
  }
}

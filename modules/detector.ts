import { GuarddutyDetector } from '@cdktf/provider-aws/lib/guardduty-detector';
import { GuarddutyDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-detector-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { featureSettings, type DetectorFeature } from '../lib/protection';

export interface DetectorProps {
  /** Provider of the account that owns the detector. */
  readonly provider: AwsProvider;
  readonly region: string;
  readonly findingPublishingFrequency: string;
  /**
   * Every protection plan, enabled or not (see `detectorFeatures`); empty where the administrator
   * sets a member's plans.
   */
  readonly features: readonly DetectorFeature[];
  /**
   * Id of a detector that already exists in this account and region: it is imported, because
   * GuardDuty allows one detector per account and region and creating another fails.
   * @default a new detector is created
   */
  readonly existingDetectorId?: string;
}

/** The GuardDuty detector of one account in one region, with its protection plans. */
export class Detector extends Construct {
  readonly detector: GuarddutyDetector;
  /** The detector id, for memberships, lists and the organization configuration. */
  readonly detectorId: string;

  constructor(scope: Construct, id: string, props: DetectorProps) {
    super(scope, id);
    const { provider, region } = props;
    this.detector = new GuarddutyDetector(this, 'detector', {
      provider,
      region,
      enable: true,
      findingPublishingFrequency: props.findingPublishingFrequency,
    });
    if (props.existingDetectorId) {
      // AWS provider 6 addresses a resource outside the provider's region as <id>@<region>.
      this.detector.importFrom(`${props.existingDetectorId}@${region}`, provider);
    }
    this.detectorId = this.detector.id;

    for (const feature of props.features) {
      new GuarddutyDetectorFeature(this, feature.name.toLowerCase(), {
        provider,
        region,
        detectorId: this.detectorId,
        ...featureSettings(feature),
      });
    }
  }
}

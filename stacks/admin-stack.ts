import type { Construct } from 'constructs';
import { detectorFeatures } from '../lib/protection';
import { Detector } from '../modules/detector';
import { OrgStack, type OrgStackProps } from './org-stack';

/**
 * The GuardDuty administrator account: its detector with every protection plan in every region
 * (imported where one exists already). Other stacks refer to its detector ids.
 */
export class AdminStack extends OrgStack {
  /** The administrator's detector id by region. */
  readonly detectorIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const provider = this.provider(config.accounts.admin);
    const features = detectorFeatures(config.protection);
    const existing = config.existingDetectors[config.accounts.admin] ?? {};
    const detectorIds: Record<string, string> = {};
    for (const region of config.regions) {
      const detector = new Detector(this, `detector-${region}`, {
        provider,
        region,
        findingPublishingFrequency: config.findingPublishingFrequency,
        features,
        existingDetectorId: existing[region],
      });
      detectorIds[region] = detector.detectorId;
    }
    this.detectorIds = detectorIds;
  }
}

import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { exportAccounts } from '../lib/config/export';
import type { ExportAccount } from '../lib/config/schema';
import { findingsBucketName, resourceName } from '../lib/plan/naming';
import { detectorFeatures } from '../lib/guardduty/protection';
import { CentralBus } from '../modules/central-bus';
import { RegionalDeadLetterQueues } from '../modules/dead-letter-queue';
import { Detectors } from '../modules/detector';
import { FindingForwarders } from '../modules/finding-forwarder';
import { FindingNotifications } from '../modules/finding-notifications';
import { FindingsExport } from '../modules/findings-export';
import { FindingsSinks } from '../modules/findings-sinks';
import { MalwareScanSettingsOfDetectors } from '../modules/malware-scan-settings';
import { OrgStack, type OrgStackProps } from './org-stack';

/**
 * The GuardDuty administrator account: its detector with every protection plan in every region
 * (imported where one exists already), and the findings flow: each region's default bus forwards to
 * one central bus in the home region, whose rules feed e-mail, the log group and the SIEM queue; each
 * detector also exports to one S3 bucket. Other stacks refer to its detector ids.
 */
export class AdminStack extends OrgStack {
  /** The administrator's detector id by region. */
  readonly detectorIds: Readonly<Record<string, string>>;
  /** ARN of the central findings bus (home region). */
  readonly centralBusArn: string;

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const admin = config.accounts.admin;
    const home = config.homeRegion;
    const provider = this.provider(admin);
    const detectors = new Detectors(this, 'detectors', {
      provider,
      name: 'detector',
      regions: config.regions,
      findingPublishingFrequency: config.findingPublishingFrequency,
      features: (region) => detectorFeatures(config.protection, region, 'administrator'),
      existingDetectorIds: config.existingDetectors[admin],
    });
    const detectorIds = Object.fromEntries(config.regions.map((region) => [region, detectors.detectorId(region)]));
    this.detectorIds = detectorIds;
    if (config.malwareScanSettings) {
      new MalwareScanSettingsOfDetectors(this, 'malware-scan-settings', {
        provider,
        regions: config.regions,
        detectorIdAt: (regionExpression) => detectors.idAt(regionExpression),
        settings: config.malwareScanSettings,
      });
    }

    const bus = new CentralBus(this, 'central-bus', {
      provider,
      region: home,
      accountId: admin,
      busName: resourceName(config, 'findings'),
      archiveRetentionDays: config.forwarding.archiveRetentionDays,
    });
    this.centralBusArn = bus.busArn;

    // EventBridge sends a target's undeliverable events only to a queue in the rule's own region.
    const queues = new RegionalDeadLetterQueues(this, 'findings-dlq', { provider, regions: config.regions, queueName: resourceName(config, 'findings-dlq'), name: 'findings_dlq' });
    const deadLetters = Object.fromEntries(config.regions.map((region) => [region, queues.at(region)]));
    new FindingForwarders(this, 'forwarders', {
      provider,
      ruleName: resourceName(config, 'findings-forward'),
      centralBusArn: bus.busArn,
      senderRoleArn: bus.senderRole.arn,
      deadLetterQueues: deadLetters,
      minSeverity: config.forwarding.minSeverity,
    });

    const notifications = new FindingNotifications(this, 'notifications', {
      provider,
      region: home,
      accountId: admin,
      busName: bus.busName,
      topicName: resourceName(config, 'findings-email'),
      emails: config.notifications.emails,
      minSeverity: config.notifications.minSeverity,
      deadLetterQueue: deadLetters[home],
    });
    const sinks = new FindingsSinks(this, 'sinks', {
      provider,
      region: home,
      accountId: admin,
      busName: bus.busName,
      baseName: resourceName(config, 'findings'),
      logRetentionDays: config.sinks.logRetentionDays,
      siemQueue: config.sinks.siemQueue,
      deadLetterQueue: deadLetters[home],
    });
    if (config.export.enabled) {
      const where = exportAccounts(config.export);
      const account = (role: ExportAccount) => {
        const id = role === 'admin' ? admin : config.accounts.logArchive;
        if (id === undefined) throw new Error('export in the log-archive account without accounts.logArchive (the configuration loader checks this)');
        return { provider: this.provider(id), accountId: id };
      };
      const bucketAccount = account(where.bucket);
      new FindingsExport(this, 'export', {
        detectors: { provider, accountId: admin },
        bucketAccount,
        keyAccount: account(where.key),
        region: home,
        bucketName: findingsBucketName(config),
        detectorIds,
        transitionDays: config.export.transitionDays,
        storageClass: config.export.storageClass,
        expirationDays: config.export.expirationDays,
        forceDestroy: config.export.forceDestroy,
        ...(config.export.prefix ? { prefix: config.export.prefix } : {}),
      });
    }

    new TerraformOutput(this, 'central-bus-arn', { value: bus.busArn, description: 'Central GuardDuty findings bus (home region)' });
    new TerraformOutput(this, 'findings-archive-arn', { value: bus.archive.arn, description: 'Archive of the central bus, for replays' });
    new TerraformOutput(this, 'findings-topic-arn', { value: notifications.topic.topicArn, description: 'SNS topic of the finding e-mails' });
    new TerraformOutput(this, 'findings-log-group', { value: sinks.logGroup.name, description: 'Log group with every finding as JSON' });
    if (sinks.siemQueue) {
      new TerraformOutput(this, 'siem-queue-url', { value: sinks.siemQueue.url, description: 'SQS queue a SIEM polls for findings' });
    }
  }
}

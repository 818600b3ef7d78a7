import { Fn } from 'cdktf';
import type { Construct } from 'constructs';
import type { ListFile } from '../lib/config/load';
import { entityListObjectKey } from '../lib/guardduty/entity-lists';
import { contentHash, listContent, listObjectKey, type ListKind } from '../lib/guardduty/lists';
import { listBucketName } from '../lib/plan/naming';
import { EntityLists } from '../modules/entity-lists';
import { ListBucket } from '../modules/list-bucket';
import { SuppressionFilters } from '../modules/suppression-filters';
import { ThreatIntelSets, type ListLocation } from '../modules/threat-intel';
import { OrgStack, type OrgStackProps } from './org-stack';

export interface ThreatIntelStackProps extends OrgStackProps {
  /** The administrator's detector id by region (from the admin stack). */
  readonly adminDetectorIds: Readonly<Record<string, string>>;
  /**
   * The simulation's malicious Elastic IP (from the simulation stack), added to the first threat list
   * so that the lab's scenarios raise their findings without anyone editing a file.
   * @default the lists hold only what their files say
   */
  readonly maliciousIp?: string;
}

/**
 * Shared threat intelligence, owned by the GuardDuty administrator: the list files in one bucket in
 * the home region, the threat lists and trusted IP list on the administrator's detector in every
 * region, and the suppression filters. Members inherit all of it. Its own state, so a list edit is a
 * small plan: one new object, and the location of that list in each region.
 */
export class ThreatIntelStack extends OrgStack {
  constructor(scope: Construct, props: ThreatIntelStackProps) {
    super(scope, props);
    const { config } = props;
    const provider = this.provider(config.accounts.admin);
    const regions = config.regions;
    const detectorIds = this.readOnce('admin-detector-ids', props.adminDetectorIds);

    const entityLists = config.threatEntitySets.length > 0 || config.trustedEntitySet !== undefined;
    const lists = config.threatLists.length > 0 || config.trustedIpList !== undefined || entityLists;
    if (lists) {
      const bucket = new ListBucket(this, 'list-bucket', {
        provider,
        region: config.homeRegion,
        bucketName: listBucketName(config),
      });
      const upload = (kind: ListKind, list: ListFile, extra?: string): ListLocation => {
        const entries = list.entries.map((entry) => entry.text);
        // With an address known only at apply time, Terraform hashes the content, so the key still
        // changes exactly when the content does.
        const content = listContent(extra === undefined ? entries : [...entries, extra]);
        const hash = extra === undefined ? contentHash(content) : Fn.sha256(content);
        const { location } = bucket.upload(`${kind}-${list.name}`, listObjectKey(kind, list.name, hash), content);
        return { name: list.name, location };
      };
      new ThreatIntelSets(this, 'lists', {
        provider,
        regions,
        detectorIds,
        threatLists: config.threatLists.map((list, index) => upload('threat', list, index === 0 ? props.maliciousIp : undefined)),
        ...(config.trustedIpList ? { trustedIpList: upload('trusted', config.trustedIpList) } : {}),
      });
      if (entityLists) {
        // Entity lists are files of their own: a list name may be both an IP list's and an entity list's.
        const uploadEntities = (kind: ListKind, list: ListFile): ListLocation => {
          const content = listContent(list.entries.map((entry) => entry.text));
          const { location } = bucket.upload(`entity-${kind}-${list.name}`, entityListObjectKey(kind, list.name, contentHash(content)), content);
          return { name: list.name, location };
        };
        new EntityLists(this, 'entity-lists', {
          provider: (region) => this.awsccProvider(config.accounts.admin, region),
          regions,
          detectorIds,
          bucketOwner: config.accounts.admin,
          threatEntitySets: config.threatEntitySets.map((list) => uploadEntities('threat', list)),
          ...(config.trustedEntitySet ? { trustedEntitySet: uploadEntities('trusted', config.trustedEntitySet) } : {}),
          tags: this.defaultTags,
        });
      }
    }

    if (config.filters.length > 0) {
      new SuppressionFilters(this, 'filters', { provider, regions, detectorIds, filters: config.filters });
    }
  }
}

import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { EntitySet, type AwsccProvider, type AwsccTag, type EntitySetType } from '../lib/terraform/awscc';
import { expression, Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';
import type { ListLocation } from './threat-intel';

/** The key of the trusted entity set in each region: fixed, so renaming the set updates it in place. */
export const TRUSTED_ENTITY_SET_KEY = 'trusted';

export interface EntityListsProps {
  /** The administrator's awscc provider in a region: only the administrator manages entity lists. */
  readonly provider: (region: string) => AwsccProvider;
  /** The lists are set on the administrator's detector in each. */
  readonly regions: readonly string[];
  /** The administrator's detector id by region. */
  readonly detectorIds: ByRegion;
  /** The account that owns the list bucket (GuardDuty checks it before reading). */
  readonly bucketOwner: string;
  readonly threatEntitySets: readonly ListLocation[];
  /** @default no trusted entity set */
  readonly trustedEntitySet?: ListLocation;
  /** awscc has no default tags: every set carries these. */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * Threat entity sets and the trusted entity set on the administrator's detector in every region,
 * members inheriting them. awscc has no per-resource region, so each region is its own block with
 * its own provider: `awscc_guardduty_threat_entity_set.<region>["<list>"]`,
 * `awscc_guardduty_trusted_entity_set.<region>["trusted"]`. Threat sets are keyed by name, so adding
 * or removing one moves no other; the trusted set by a fixed key, because GuardDuty holds one at a
 * time and a replacement would have to create the new one before the old one is gone.
 */
export class EntityLists extends Construct {
  readonly threatEntitySets: Readonly<Record<string, EntitySet>> = {};
  readonly trustedEntitySets: Readonly<Record<string, EntitySet>> = {};

  constructor(scope: Construct, id: string, props: EntityListsProps) {
    super(scope, id);
    const tags: AwsccTag[] = Object.entries(props.tags).map(([key, value]) => ({ key, value }));
    // The locations refer to the uploaded objects: Terraform expressions, read from one local map of
    // this stack (instance values are plain data).
    const locations = new TerraformLocal(
      this,
      'locations',
      Object.fromEntries([
        ...props.threatEntitySets.map((list) => [`threat/${list.name}`, list.location]),
        ...(props.trustedEntitySet ? [[`trusted/${TRUSTED_ENTITY_SET_KEY}`, props.trustedEntitySet.location]] : []),
      ]),
    );
    locations.overrideLogicalId('entity_list_locations');
    const add = (type: EntitySetType, region: string, kind: 'threat' | 'trusted', lists: readonly [string, ListLocation][]): EntitySet => {
      const instances = Instances.of(lists, ([key]) => key, ([key, list]) => ({ name: list.name, location_key: `${kind}/${key}` }));
      return KeyedBlocks.add(
        new EntitySet(this, `${type}-${region}`, type, {
          provider: props.provider(region),
          forEach: instances,
          format: 'TXT',
          location: expression(`local.${locations.friendlyUniqueId}[each.value.location_key]`),
          activate: true,
          detectorId: props.detectorIds.at(JSON.stringify(region)),
          expectedBucketOwner: props.bucketOwner,
          name: instances.value('name'),
          tags,
        }),
        region,
        instances,
      );
    };
    const threat: Record<string, EntitySet> = {};
    const trusted: Record<string, EntitySet> = {};
    for (const region of props.regions) {
      if (props.threatEntitySets.length > 0) {
        threat[region] = add('awscc_guardduty_threat_entity_set', region, 'threat', props.threatEntitySets.map((list) => [list.name, list]));
      }
      if (props.trustedEntitySet) trusted[region] = add('awscc_guardduty_trusted_entity_set', region, 'trusted', [[TRUSTED_ENTITY_SET_KEY, props.trustedEntitySet]]);
    }
    this.threatEntitySets = threat;
    this.trustedEntitySets = trusted;
  }
}

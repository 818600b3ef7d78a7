import { GuarddutyIpset } from '@cdktf/provider-aws/lib/guardduty-ipset';
import { GuarddutyThreatintelset } from '@cdktf/provider-aws/lib/guardduty-threatintelset';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformLocal } from 'cdktf';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import { expression, Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';

/** A list as GuardDuty takes it: a name and the S3 location of a plain-text file. */
export interface ListLocation {
  readonly name: string;
  readonly location: string;
}

export interface ThreatIntelSetsProps {
  /** Provider of the GuardDuty administrator account: only it can own lists, and members inherit them. */
  readonly provider: AwsProvider;
  /** The lists are set on the administrator's detector in each. */
  readonly regions: readonly string[];
  /** The administrator's detector id by region. */
  readonly detectorIds: ByRegion;
  /** At most six (GuardDuty's limit per account and region). */
  readonly threatLists: readonly ListLocation[];
  /** @default no trusted IP list */
  readonly trustedIpList?: ListLocation;
}

/**
 * Active threat lists and the trusted IP list on the administrator's detector in every region
 * (`aws_guardduty_threatintelset.threat_list["<region>/<list>"]`, `aws_guardduty_ipset.trusted_ip_list["<region>"]`).
 * Keys come from list names, so adding or removing a list does not move the others.
 */
export class ThreatIntelSets extends Construct {
  readonly threatLists?: GuarddutyThreatintelset;
  readonly trustedIpList?: GuarddutyIpset;

  constructor(scope: Construct, id: string, props: ThreatIntelSetsProps) {
    super(scope, id);
    const { provider, trustedIpList } = props;
    if (props.threatLists.length > 0) {
      const locations = new TerraformLocal(this, 'locations', Object.fromEntries(props.threatLists.map((list) => [list.name, list.location])));
      locations.overrideLogicalId('threat_list_locations');
      const lists = Instances.of(
        props.regions.flatMap((region) => props.threatLists.map((list) => ({ region, name: list.name }))),
        ({ region, name }) => instanceKey(region, name),
        ({ region, name }) => ({ region, name }),
      );
      this.threatLists = KeyedBlocks.add(
        new GuarddutyThreatintelset(this, 'threat-list', {
          forEach: lists,
          provider,
          region: lists.value('region'),
          detectorId: props.detectorIds.at('each.value.region'),
          name: lists.value('name'),
          format: 'TXT',
          location: expression(`local.${locations.friendlyUniqueId}[each.value.name]`),
          activate: true,
        }),
        'threat_list',
        lists,
      );
    }
    if (trustedIpList) {
      const regions = Instances.byRegion(props.regions);
      this.trustedIpList = KeyedBlocks.add(
        new GuarddutyIpset(this, 'trusted-ip-list', {
          forEach: regions,
          provider,
          region: regions.value('region'),
          detectorId: props.detectorIds.at('each.value.region'),
          name: trustedIpList.name,
          format: 'TXT',
          location: trustedIpList.location,
          activate: true,
        }),
        'trusted_ip_list',
        regions,
      );
    }
  }
}

import { GuarddutyFilter } from '@cdktf/provider-aws/lib/guardduty-filter';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { blockName } from '../lib/terraform/addresses';
import type { Filter } from '../lib/config/schema';
import { criterionBlocks, filterRanks } from '../lib/guardduty/filters';
import { Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';

export interface SuppressionFiltersProps {
  /** Provider of the GuardDuty administrator account; its filters apply to every member's findings. */
  readonly provider: AwsProvider;
  /** Every filter is set on the administrator's detector in each. */
  readonly regions: readonly string[];
  /** The administrator's detector id by region. */
  readonly detectorIds: ByRegion;
  /** Validated filters (names unique, ranks 1..N once each, or left out for the position). */
  readonly filters: readonly Filter[];
}

/**
 * The configuration's suppression filters on the administrator's detector in every region: one block
 * per filter, keyed by region (`aws_guardduty_filter.filter_<name>["<region>"]`). GuardDuty rejects a
 * rank past the filters that exist, so each filter waits for the one ranked before it, which only
 * blocks can do (Terraform orders blocks, not the instances of one).
 */
export class SuppressionFilters extends Construct {
  /** By rank. */
  readonly filters: GuarddutyFilter[] = [];

  constructor(scope: Construct, id: string, props: SuppressionFiltersProps) {
    super(scope, id);
    const ranks = filterRanks(props.filters);
    const byRank = props.filters.map((filter, index) => ({ filter, rank: ranks[index] })).sort((a, b) => a.rank - b.rank);
    const regions = Instances.byRegion(props.regions);
    let previous: GuarddutyFilter | undefined;
    for (const { filter, rank } of byRank) {
      const resource: GuarddutyFilter = KeyedBlocks.add(
        new GuarddutyFilter(this, filter.name, {
          forEach: regions,
          provider: props.provider,
          region: regions.value('region'),
          detectorId: props.detectorIds.at('each.value.region'),
          name: filter.name,
          ...(filter.description ? { description: filter.description } : {}),
          action: filter.action,
          rank,
          findingCriteria: { criterion: criterionBlocks(filter.criteria) },
          ...(previous ? { dependsOn: [previous] } : {}),
        }),
        blockName('filter_', filter.name),
        regions,
      );
      this.filters.push(resource);
      previous = resource;
    }
  }
}

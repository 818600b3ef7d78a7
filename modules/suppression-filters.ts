import { GuarddutyFilter } from '@cdktf/provider-aws/lib/guardduty-filter';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Filter } from '../lib/config/schema';
import { criterionBlocks, filterRanks } from '../lib/filters';

export interface SuppressionFiltersProps {
  /** Provider of the GuardDuty administrator account; its filters apply to every member's findings. */
  readonly provider: AwsProvider;
  /** The administrator's detector id by region: every filter is set on each of them. */
  readonly detectorIds: Readonly<Record<string, string>>;
  /** Validated filters (names unique, ranks 1..N once each, or left out for the position). */
  readonly filters: readonly Filter[];
}

/** The configuration's suppression filters on the administrator's detector in every region. */
export class SuppressionFilters extends Construct {
  readonly filters: GuarddutyFilter[] = [];

  constructor(scope: Construct, id: string, props: SuppressionFiltersProps) {
    super(scope, id);
    const ranks = filterRanks(props.filters);
    const byRank = props.filters.map((filter, index) => ({ filter, rank: ranks[index] })).sort((a, b) => a.rank - b.rank);
    for (const [region, detectorId] of Object.entries(props.detectorIds)) {
      // GuardDuty rejects a rank past the filters that exist, so each filter waits for the one ranked
      // before it.
      let previous: GuarddutyFilter | undefined;
      for (const { filter, rank } of byRank) {
        const resource: GuarddutyFilter = new GuarddutyFilter(this, `${region}-${filter.name}`, {
          provider: props.provider,
          region,
          detectorId,
          name: filter.name,
          ...(filter.description ? { description: filter.description } : {}),
          action: filter.action,
          rank,
          findingCriteria: { criterion: criterionBlocks(filter.criteria) },
          ...(previous ? { dependsOn: [previous] } : {}),
        });
        this.filters.push(resource);
        previous = resource;
      }
    }
  }
}

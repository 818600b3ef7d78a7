import { GuarddutyIpset } from '@cdktf/provider-aws/lib/guardduty-ipset';
import { GuarddutyThreatintelset } from '@cdktf/provider-aws/lib/guardduty-threatintelset';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';

/** A list as GuardDuty takes it: a name and the S3 location of a plain-text file. */
export interface ListLocation {
  readonly name: string;
  readonly location: string;
}

export interface ThreatIntelSetsProps {
  /** Provider of the GuardDuty administrator account: only it can own lists, and members inherit them. */
  readonly provider: AwsProvider;
  /** The administrator's detector id by region: the lists are set on each of them. */
  readonly detectorIds: Readonly<Record<string, string>>;
  /** At most six (GuardDuty's limit per account and region). */
  readonly threatLists: readonly ListLocation[];
  /** @default no trusted IP list */
  readonly trustedIpList?: ListLocation;
}

/** Active threat lists and the trusted IP list on the administrator's detector in every region. */
export class ThreatIntelSets extends Construct {
  readonly threatIntelSets: GuarddutyThreatintelset[] = [];
  readonly ipSets: GuarddutyIpset[] = [];

  constructor(scope: Construct, id: string, props: ThreatIntelSetsProps) {
    super(scope, id);
    const { provider, trustedIpList } = props;
    for (const [region, detectorId] of Object.entries(props.detectorIds)) {
      // Ids come from list names, so adding or removing a list does not move the others.
      for (const list of props.threatLists) {
        this.threatIntelSets.push(
          new GuarddutyThreatintelset(this, `${region}-threat-${list.name}`, {
            provider,
            region,
            detectorId,
            name: list.name,
            format: 'TXT',
            location: list.location,
            activate: true,
          }),
        );
      }
      if (trustedIpList) {
        this.ipSets.push(
          new GuarddutyIpset(this, `${region}-trusted`, {
            provider,
            region,
            detectorId,
            name: trustedIpList.name,
            format: 'TXT',
            location: trustedIpList.location,
            activate: true,
          }),
        );
      }
    }
  }
}

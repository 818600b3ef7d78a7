import { DetectiveInvitationAccepter } from '@cdktf/provider-aws/lib/detective-invitation-accepter';
import { DetectiveMember } from '@cdktf/provider-aws/lib/detective-member';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { accountRegionKey } from '../lib/terraform/addresses';
import type { Member } from '../lib/config/load';
import { Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';

export interface DetectiveMembershipsProps {
  /** The accounts enrolled, each in every region. */
  readonly members: readonly Member[];
  readonly regions: readonly string[];
  /** Provider of the Detective administrator account. */
  readonly adminProvider: AwsProvider;
  /** The administrator's behavior graph ARN by region. */
  readonly graphArns: ByRegion;
  readonly administratorAccountId: string;
  /**
   * Provider of each member account, which accepts its invitations; only accounts outside the
   * organization (invitations mode) are invited.
   * @default organization accounts, enabled without invitation
   */
  readonly memberProvider?: (accountId: string) => AwsProvider;
}

/**
 * Member accounts in the administrator's behavior graph in every region
 * (`aws_detective_member.member["<account>/<region>"]`). Organization accounts are enabled by the
 * membership alone; other accounts are invited (without the e-mail) and accept
 * (`aws_detective_invitation_accepter.member_<account>["<region>"]`: a provider per account, so a block
 * per account).
 */
export class DetectiveMemberships extends Construct {
  readonly memberships: DetectiveMember;

  constructor(scope: Construct, id: string, props: DetectiveMembershipsProps) {
    super(scope, id);
    const instances = Instances.of(
      props.members.flatMap((member) => props.regions.map((region) => ({ member, region }))),
      ({ member, region }) => accountRegionKey(member.id, region),
      ({ member, region }) => ({ account_id: member.id, region, email: member.email }),
    );
    this.memberships = KeyedBlocks.add(
      new DetectiveMember(this, 'member', {
        forEach: instances,
        provider: props.adminProvider,
        region: instances.value('region'),
        graphArn: props.graphArns.at('each.value.region'),
        accountId: instances.value('account_id'),
        emailAddress: instances.value('email'),
        disableEmailNotification: true,
        message: `Amazon Detective administration by account ${props.administratorAccountId}`,
      }),
      'member',
      instances,
    );
    const { memberProvider } = props;
    if (!memberProvider) return;
    const regions = Instances.byRegion(props.regions);
    for (const member of props.members) {
      KeyedBlocks.add(
        new DetectiveInvitationAccepter(this, `acceptance-${member.id}`, {
          forEach: regions,
          provider: memberProvider(member.id),
          region: regions.value('region'),
          graphArn: props.graphArns.at('each.value.region'),
          dependsOn: [this.memberships],
        }),
        `member_${member.id}`,
        regions,
      );
    }
  }
}

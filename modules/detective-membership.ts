import { DetectiveInvitationAccepter } from '@cdktf/provider-aws/lib/detective-invitation-accepter';
import { DetectiveMember } from '@cdktf/provider-aws/lib/detective-member';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Member } from '../lib/config/load';

export interface DetectiveMembershipProps {
  readonly member: Member;
  /** Provider of the Detective administrator account. */
  readonly adminProvider: AwsProvider;
  /** The administrator's behavior graph ARN by region: the member is enrolled in every one of them. */
  readonly graphArns: Readonly<Record<string, string>>;
  readonly administratorAccountId: string;
  /**
   * Provider of the member account, which accepts the invitation; only accounts outside the
   * organization (invitations mode) are invited.
   * @default an organization account, enabled without invitation
   */
  readonly memberProvider?: AwsProvider;
}

/**
 * A member account in the administrator's behavior graph in every region. Organization accounts are
 * enabled by the membership alone; other accounts are invited (without the e-mail) and accept.
 */
export class DetectiveMembership extends Construct {
  readonly memberships: DetectiveMember[] = [];

  constructor(scope: Construct, id: string, props: DetectiveMembershipProps) {
    super(scope, id);
    for (const [region, graphArn] of Object.entries(props.graphArns)) {
      const membership = new DetectiveMember(this, region, {
        provider: props.adminProvider,
        region,
        graphArn,
        accountId: props.member.id,
        emailAddress: props.member.email,
        disableEmailNotification: true,
        message: `Amazon Detective administration by account ${props.administratorAccountId}`,
      });
      this.memberships.push(membership);
      if (props.memberProvider) {
        new DetectiveInvitationAccepter(this, `${region}-acceptance`, {
          provider: props.memberProvider,
          region,
          graphArn,
          dependsOn: [membership],
        });
      }
    }
  }
}

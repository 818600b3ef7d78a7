import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityhubInviteAccepter } from '@cdktf/provider-aws/lib/securityhub-invite-accepter';
import { SecurityhubMember } from '@cdktf/provider-aws/lib/securityhub-member';
import { Construct } from 'constructs';
import type { Member } from '../lib/config/load';
import { SecurityHub } from './security-hub';

interface SecurityHubMembershipBaseProps {
  readonly member: Member;
  /** Provider of the Security Hub administrator account. */
  readonly adminProvider: AwsProvider;
  /** Every region the member is enrolled in. */
  readonly regions: readonly string[];
}

/**
 * An organization account enrolled in Security Hub in every region. For organization accounts the
 * membership enables Security Hub in the account: no invitation. Auto-enable covers only accounts
 * that join the organization later, so the accounts already in it are enrolled here.
 */
export class SecurityHubOrganizationMembership extends Construct {
  readonly memberships: SecurityhubMember[] = [];

  constructor(scope: Construct, id: string, props: SecurityHubMembershipBaseProps) {
    super(scope, id);
    for (const region of props.regions) {
      this.memberships.push(
        new SecurityhubMember(this, region, {
          provider: props.adminProvider,
          region,
          accountId: props.member.id,
          invite: false,
        }),
      );
    }
  }
}

export interface SecurityHubInvitationMembershipProps extends SecurityHubMembershipBaseProps {
  /** Provider of the member account, which enables Security Hub and accepts the invitation. */
  readonly memberProvider: AwsProvider;
  readonly administratorAccountId: string;
}

/**
 * An account outside the organization: Security Hub enabled in it (an invitation can only be
 * accepted by an account that has it), the administrator's invitation, and the acceptance, in every
 * region. Security Hub turns on its AWS-service integrations, GuardDuty's included, by itself.
 */
export class SecurityHubInvitationMembership extends Construct {
  constructor(scope: Construct, id: string, props: SecurityHubInvitationMembershipProps) {
    super(scope, id);
    for (const region of props.regions) {
      const regional = new Construct(this, region);
      const hub = new SecurityHub(regional, 'security-hub', { provider: props.memberProvider, region });
      const invitation = new SecurityhubMember(regional, 'invitation', {
        provider: props.adminProvider,
        region,
        accountId: props.member.id,
        email: props.member.email,
        invite: true,
        dependsOn: [hub.hub],
      });
      new SecurityhubInviteAccepter(regional, 'acceptance', {
        provider: props.memberProvider,
        region,
        masterId: props.administratorAccountId,
        dependsOn: [invitation],
      });
    }
  }
}

import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SecurityhubInviteAccepter } from '@cdktf/provider-aws/lib/securityhub-invite-accepter';
import { SecurityhubMember } from '@cdktf/provider-aws/lib/securityhub-member';
import { Construct } from 'constructs';
import { accountRegionKey } from '../lib/terraform/addresses';
import type { Member } from '../lib/config/load';
import { Instances, KeyedBlocks } from '../lib/terraform/instances';
import { SecurityHub } from './security-hub';

interface SecurityHubMembershipsBaseProps {
  /** The accounts enrolled, each in every region. */
  readonly members: readonly Member[];
  readonly regions: readonly string[];
  /** Provider of the Security Hub administrator account. */
  readonly adminProvider: AwsProvider;
}

/** One instance per member account and region, keyed `"<account>/<region>"`. */
function accountRegions(members: readonly Member[], regions: readonly string[], withEmail: boolean) {
  return Instances.of(
    members.flatMap((member) => regions.map((region) => ({ member, region }))),
    ({ member, region }) => accountRegionKey(member.id, region),
    ({ member, region }) => ({ account_id: member.id, region, ...(withEmail ? { email: member.email } : {}) }),
  );
}

/**
 * Organization accounts enrolled in Security Hub in every region
 * (`aws_securityhub_member.member["<account>/<region>"]`). For organization accounts the membership
 * enables Security Hub in the account: no invitation. Auto-enable covers only accounts that join the
 * organization later, so the accounts already in it are enrolled here.
 */
export class SecurityHubOrganizationMemberships extends Construct {
  readonly memberships: SecurityhubMember;

  constructor(scope: Construct, id: string, props: SecurityHubMembershipsBaseProps) {
    super(scope, id);
    const instances = accountRegions(props.members, props.regions, false);
    this.memberships = KeyedBlocks.add(
      new SecurityhubMember(this, 'member', {
        forEach: instances,
        provider: props.adminProvider,
        region: instances.value('region'),
        accountId: instances.value('account_id'),
        invite: false,
      }),
      'member',
      instances,
    );
  }
}

export interface SecurityHubInvitationMembershipsProps extends SecurityHubMembershipsBaseProps {
  /** Provider of each member account, which enables Security Hub and accepts the invitations. */
  readonly memberProvider: (accountId: string) => AwsProvider;
  readonly administratorAccountId: string;
}

/**
 * Accounts outside the organization, in every region: Security Hub enabled in each account (an
 * invitation can only be accepted by an account that has it) and its acceptance
 * (`aws_securityhub_account.member_<account>["<region>"]`, `aws_securityhub_invite_accepter.member_<account>`),
 * and the administrator's invitations (`aws_securityhub_member.invitation["<account>/<region>"]`).
 * Security Hub turns on its AWS-service integrations, GuardDuty's included, by itself.
 */
export class SecurityHubInvitationMemberships extends Construct {
  readonly invitations: SecurityhubMember;

  constructor(scope: Construct, id: string, props: SecurityHubInvitationMembershipsProps) {
    super(scope, id);
    const hubs = props.members.map(
      (member) => new SecurityHub(this, `hub-${member.id}`, { provider: props.memberProvider(member.id), name: `member_${member.id}`, regions: props.regions }),
    );
    const instances = accountRegions(props.members, props.regions, true);
    this.invitations = KeyedBlocks.add(
      new SecurityhubMember(this, 'invitation', {
        forEach: instances,
        provider: props.adminProvider,
        region: instances.value('region'),
        accountId: instances.value('account_id'),
        email: instances.value('email'),
        invite: true,
        dependsOn: hubs.map((hub) => hub.hub),
      }),
      'invitation',
      instances,
    );
    const regions = Instances.byRegion(props.regions);
    for (const member of props.members) {
      KeyedBlocks.add(
        new SecurityhubInviteAccepter(this, `acceptance-${member.id}`, {
          forEach: regions,
          provider: props.memberProvider(member.id),
          region: regions.value('region'),
          masterId: props.administratorAccountId,
          dependsOn: [this.invitations],
        }),
        `member_${member.id}`,
        regions,
      );
    }
  }
}

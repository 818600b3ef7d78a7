import { GuarddutyInviteAccepter } from '@cdktf/provider-aws/lib/guardduty-invite-accepter';
import { GuarddutyMember } from '@cdktf/provider-aws/lib/guardduty-member';
import { GuarddutyMemberDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-member-detector-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Member } from '../lib/config/load';
import { featureSettings, type DetectorFeature } from '../lib/protection';
import { Detector } from './detector';

interface MembershipBaseProps {
  readonly member: Member;
  /** Provider of the GuardDuty administrator account. */
  readonly adminProvider: AwsProvider;
  /** The administrator's detector id by region: the member is enrolled in every one of them. */
  readonly adminDetectorIds: Readonly<Record<string, string>>;
}

/**
 * An organization account enrolled as a member in every region. For accounts of the organization,
 * creating the member enables GuardDuty in it: no invitation, no e-mail.
 */
export class OrganizationMembership extends Construct {
  readonly memberships: GuarddutyMember[] = [];

  constructor(scope: Construct, id: string, props: MembershipBaseProps) {
    super(scope, id);
    for (const [region, detectorId] of Object.entries(props.adminDetectorIds)) {
      this.memberships.push(
        new GuarddutyMember(this, region, {
          provider: props.adminProvider,
          region,
          detectorId,
          accountId: props.member.id,
          email: props.member.email,
          invite: false,
        }),
      );
    }
  }
}

export interface InvitationMembershipProps extends MembershipBaseProps {
  /** Provider of the member account, which owns its detector and accepts the invitation. */
  readonly memberProvider: AwsProvider;
  readonly administratorAccountId: string;
  readonly findingPublishingFrequency: string;
  readonly features: readonly DetectorFeature[];
  /** The member's existing detectors by region, imported rather than created. */
  readonly existingDetectorIds?: Readonly<Record<string, string>>;
}

/**
 * An account outside the organization (or managed by invitation): its own detector in every region,
 * the administrator's invitation (without the e-mail), the member's acceptance, and then the
 * protection plans, set by the administrator as for organization members. Ordered so that one
 * deploy completes.
 */
export class InvitationMembership extends Construct {
  constructor(scope: Construct, id: string, props: InvitationMembershipProps) {
    super(scope, id);
    for (const [region, adminDetectorId] of Object.entries(props.adminDetectorIds)) {
      const regional = new Construct(this, region);
      const detector = new Detector(regional, 'detector', {
        provider: props.memberProvider,
        region,
        findingPublishingFrequency: props.findingPublishingFrequency,
        features: [],
        existingDetectorId: props.existingDetectorIds?.[region],
      });
      const invitation = new GuarddutyMember(regional, 'invitation', {
        provider: props.adminProvider,
        region,
        detectorId: adminDetectorId,
        accountId: props.member.id,
        email: props.member.email,
        invite: true,
        disableEmailNotification: true,
        invitationMessage: `GuardDuty administration by account ${props.administratorAccountId}`,
        dependsOn: [detector.detector],
      });
      const acceptance = new GuarddutyInviteAccepter(regional, 'acceptance', {
        provider: props.memberProvider,
        region,
        detectorId: detector.detectorId,
        masterAccountId: props.administratorAccountId,
        dependsOn: [invitation],
      });
      for (const feature of props.features) {
        new GuarddutyMemberDetectorFeature(regional, feature.name.toLowerCase(), {
          provider: props.adminProvider,
          region,
          detectorId: adminDetectorId,
          accountId: props.member.id,
          ...featureSettings(feature),
          dependsOn: [acceptance],
        });
      }
    }
  }
}

import { GuarddutyInviteAccepter } from '@cdktf/provider-aws/lib/guardduty-invite-accepter';
import { GuarddutyMember, type GuarddutyMemberConfig } from '@cdktf/provider-aws/lib/guardduty-member';
import { GuarddutyMemberDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-member-detector-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { instanceKey } from '../lib/terraform/addresses';
import type { Member } from '../lib/config/load';
import { eachNestedBlock, eachReference, Instances, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';
import { requireFeatureProviders } from '../lib/terraform/newer-provider';
import { featureSettings, type DetectorFeature } from '../lib/guardduty/protection';
import { Detectors } from './detector';

export interface MembershipsBaseProps {
  /** The accounts enrolled, each in every region. */
  readonly members: readonly Member[];
  readonly regions: readonly string[];
  /** Provider of the GuardDuty administrator account. */
  readonly adminProvider: AwsProvider;
  /** The administrator's detector id by region. */
  readonly adminDetectorIds: ByRegion;
}

/**
 * The administrator's memberships of these members in every region: a block per member account
 * (`aws_guardduty_member.<name>_<account>["<region>"]`), so that an account can leave a stack whole
 * (a `removed` block names a block, never an instance); `settings` says how each is enrolled.
 */
function memberships(
  scope: Construct,
  name: string,
  props: MembershipsBaseProps,
  settings: (member: Member) => Pick<GuarddutyMemberConfig, 'invite' | 'disableEmailNotification' | 'invitationMessage' | 'dependsOn'>,
): GuarddutyMember[] {
  const regions = Instances.byRegion(props.regions);
  return props.members.map((member) =>
    KeyedBlocks.add(
      new GuarddutyMember(scope, `${name}-${member.id}`, {
        forEach: regions,
        provider: props.adminProvider,
        region: regions.value('region'),
        detectorId: props.adminDetectorIds.at('each.value.region'),
        accountId: member.id,
        email: member.email,
        ...settings(member),
      }),
      memberBlockName(name, member.id),
      regions,
    ),
  );
}

/** `<name>_<account>`: the block of one member account. */
export function memberBlockName(name: string, accountId: string): string {
  return `${name}_${accountId}`;
}

/**
 * Organization accounts enrolled as members in every region (`aws_guardduty_member.member_<account>["<region>"]`).
 * For accounts of the organization, creating the member enables GuardDuty in it: no invitation, no
 * e-mail.
 */
export class OrganizationMemberships extends Construct {
  readonly memberships: readonly GuarddutyMember[];

  constructor(scope: Construct, id: string, props: MembershipsBaseProps) {
    super(scope, id);
    this.memberships = memberships(this, 'member', props, () => ({ invite: false }));
  }
}

export interface InvitationMembershipsProps extends MembershipsBaseProps {
  /** Provider of each member account, which owns its detectors and accepts the invitations. */
  readonly memberProvider: (accountId: string) => AwsProvider;
  readonly administratorAccountId: string;
  readonly findingPublishingFrequency: string;
  /** The protection plans the members stack sets for each member in a region (`memberStackFeatures`). */
  readonly features: (region: string) => readonly DetectorFeature[];
  /** Detectors that already exist, by account and region: imported rather than created. */
  readonly existingDetectorIds?: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * Accounts outside the organization (or managed by invitation), in every region, each account in
 * blocks of its own keyed by region: its detectors and its acceptance through its own provider
 * (`aws_guardduty_detector.member_<account>["<region>"]`, `aws_guardduty_invite_accepter.member_<account>`),
 * the administrator's invitation (without the e-mail) and then the member's protection plans
 * (`aws_guardduty_member.invitation_<account>["<region>"]`,
 * `aws_guardduty_member_detector_feature.feature_<account>["<region>/<feature>"]`). Ordered so that one
 * deploy completes: an account's detectors before its invitations, those before its acceptances, and
 * those before its plans.
 */
export class InvitationMemberships extends Construct {
  readonly invitations: readonly GuarddutyMember[];

  constructor(scope: Construct, id: string, props: InvitationMembershipsProps) {
    super(scope, id);
    const detectors = new Map(
      props.members.map((member) => [
        member.id,
        new Detectors(this, `detectors-${member.id}`, {
          provider: props.memberProvider(member.id),
          name: memberBlockName('member', member.id),
          regions: props.regions,
          findingPublishingFrequency: props.findingPublishingFrequency,
          existingDetectorIds: props.existingDetectorIds?.[member.id],
        }),
      ]),
    );

    this.invitations = memberships(this, 'invitation', props, (member) => ({
      invite: true,
      disableEmailNotification: true,
      invitationMessage: `GuardDuty administration by account ${props.administratorAccountId}`,
      dependsOn: [(detectors.get(member.id) as Detectors).detector],
    }));

    const regions = Instances.byRegion(props.regions);
    const acceptances = new Map(
      props.members.map((member, index) => [
        member.id,
        KeyedBlocks.add(
          new GuarddutyInviteAccepter(this, `acceptance-${member.id}`, {
            forEach: regions,
            provider: props.memberProvider(member.id),
            region: regions.value('region'),
            detectorId: eachReference((detectors.get(member.id) as Detectors).detector, 'each.key', 'id'),
            masterAccountId: props.administratorAccountId,
            dependsOn: [this.invitations[index]],
          }),
          memberBlockName('member', member.id),
          regions,
        ),
      ]),
    );

    new MemberPlans(this, 'plans', { ...props, after: (accountId) => [acceptances.get(accountId) as GuarddutyInviteAccepter] });
  }
}

export interface MemberPlansProps extends MembershipsBaseProps {
  /** The members' protection plans in each region (`memberStackFeatures`). */
  readonly features: (region: string) => readonly DetectorFeature[];
  /** What must exist before an account's plans can be set: its membership (and acceptance). @default nothing */
  readonly after?: (accountId: string) => readonly ITerraformDependable[];
}

/**
 * The protection plans the administrator sets for each member in every region, a block per member
 * account (`aws_guardduty_member_detector_feature.feature_<account>["<region>/<feature>"]`,
 * UpdateMemberDetectors as the Security Reference Architecture does): for invited members, and for
 * organization members enrolled explicitly (autoEnable NEW or NONE), whom the organization
 * configuration does not reach.
 */
export class MemberPlans extends Construct {
  readonly features: readonly GuarddutyMemberDetectorFeature[] = [];

  constructor(scope: Construct, id: string, props: MemberPlansProps) {
    super(scope, id);
    const planned = props.regions.flatMap((region) => props.features(region).map((feature) => ({ region, feature })));
    if (planned.length === 0) return;
    requireFeatureProviders(this, planned.map(({ feature }) => feature));
    // The same instances for every account: a member's plans are the same as any other's.
    const features = Instances.of(
      planned,
      ({ region, feature }) => instanceKey(region, feature.name),
      ({ region, feature }) => {
        const { name, status, additionalConfiguration } = featureSettings(feature);
        return { region, name, status, additional_configuration: additionalConfiguration };
      },
    );
    this.features = props.members.map((member) => {
      const after = props.after?.(member.id) ?? [];
      const block = KeyedBlocks.add(
        new GuarddutyMemberDetectorFeature(this, `feature-${member.id}`, {
          forEach: features,
          provider: props.adminProvider,
          region: features.value('region'),
          detectorId: props.adminDetectorIds.at('each.value.region'),
          accountId: member.id,
          name: features.value('name'),
          status: features.value('status'),
          ...(after.length > 0 ? { dependsOn: [...after] } : {}),
        }),
        memberBlockName('feature', member.id),
        features,
      );
      eachNestedBlock(block, 'additional_configuration', 'additional_configuration', ['name', 'status']);
      return block;
    });
  }
}

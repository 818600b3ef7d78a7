import { GuarddutyInviteAccepter } from '@cdktf/provider-aws/lib/guardduty-invite-accepter';
import { GuarddutyMember, type GuarddutyMemberConfig } from '@cdktf/provider-aws/lib/guardduty-member';
import { GuarddutyMemberDetectorFeature } from '@cdktf/provider-aws/lib/guardduty-member-detector-feature';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { accountRegionKey, instanceKey } from '../lib/terraform/addresses';
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

/** One instance per member account and region, keyed `"<account>/<region>"`. */
function accountRegions(members: readonly Member[], regions: readonly string[]) {
  return Instances.of(
    members.flatMap((member) => regions.map((region) => ({ member, region }))),
    ({ member, region }) => accountRegionKey(member.id, region),
    ({ member, region }) => ({ account_id: member.id, region, email: member.email }),
  );
}

/**
 * The administrator's memberships of these members in every region, one `aws_guardduty_member` block
 * named `name`; `settings` says how they are enrolled.
 */
function memberships(
  scope: Construct,
  name: string,
  props: MembershipsBaseProps,
  settings: Pick<GuarddutyMemberConfig, 'invite' | 'disableEmailNotification' | 'invitationMessage' | 'dependsOn'>,
): GuarddutyMember {
  const instances = accountRegions(props.members, props.regions);
  return KeyedBlocks.add(
    new GuarddutyMember(scope, name, {
      forEach: instances,
      provider: props.adminProvider,
      region: instances.value('region'),
      detectorId: props.adminDetectorIds.at('each.value.region'),
      accountId: instances.value('account_id'),
      email: instances.value('email'),
      ...settings,
    }),
    name,
    instances,
  );
}

/**
 * Organization accounts enrolled as members in every region (`aws_guardduty_member.member["<account>/<region>"]`).
 * For accounts of the organization, creating the member enables GuardDuty in it: no invitation, no
 * e-mail.
 */
export class OrganizationMemberships extends Construct {
  readonly memberships: GuarddutyMember;

  constructor(scope: Construct, id: string, props: MembershipsBaseProps) {
    super(scope, id);
    this.memberships = memberships(this, 'member', props, { invite: false });
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
 * Accounts outside the organization (or managed by invitation), in every region: each account's own
 * detectors and its acceptance (`aws_guardduty_detector.member_<account>["<region>"]`,
 * `aws_guardduty_invite_accepter.member_<account>`: a provider per account, so a block per account),
 * and the administrator's invitations (without the e-mail) and then the members' protection plans
 * (`aws_guardduty_member.invitation["<account>/<region>"]`,
 * `aws_guardduty_member_detector_feature.feature["<account>/<region>/<feature>"]`). Ordered so that one
 * deploy completes: every detector before the invitations, the invitations before the acceptances,
 * and those before the plans.
 */
export class InvitationMemberships extends Construct {
  readonly invitations: GuarddutyMember;

  constructor(scope: Construct, id: string, props: InvitationMembershipsProps) {
    super(scope, id);
    const detectors = props.members.map(
      (member) =>
        new Detectors(this, `detectors-${member.id}`, {
          provider: props.memberProvider(member.id),
          name: `member_${member.id}`,
          regions: props.regions,
          findingPublishingFrequency: props.findingPublishingFrequency,
          existingDetectorIds: props.existingDetectorIds?.[member.id],
        }),
    );

    this.invitations = memberships(this, 'invitation', props, {
      invite: true,
      disableEmailNotification: true,
      invitationMessage: `GuardDuty administration by account ${props.administratorAccountId}`,
      dependsOn: detectors.map((detector) => detector.detector),
    });

    const regions = Instances.of(props.regions, (region) => region, (region) => ({ region }));
    const acceptances = props.members.map((member, index) =>
      KeyedBlocks.add(
        new GuarddutyInviteAccepter(this, `acceptance-${member.id}`, {
          forEach: regions,
          provider: props.memberProvider(member.id),
          region: regions.value('region'),
          detectorId: eachReference(detectors[index].detector, 'each.key', 'id'),
          masterAccountId: props.administratorAccountId,
          dependsOn: [this.invitations],
        }),
        `member_${member.id}`,
        regions,
      ),
    );

    new MemberPlans(this, 'plans', { ...props, after: acceptances });
  }
}

export interface MemberPlansProps extends MembershipsBaseProps {
  /** The members' protection plans in each region (`memberStackFeatures`). */
  readonly features: (region: string) => readonly DetectorFeature[];
  /** What must exist before the plans can be set: the memberships (and acceptances). @default nothing */
  readonly after?: readonly ITerraformDependable[];
}

/**
 * The protection plans the administrator sets for each member in every region
 * (`aws_guardduty_member_detector_feature.feature["<account>/<region>/<feature>"]`, UpdateMemberDetectors
 * as the Security Reference Architecture does): for invited members, and for organization members
 * enrolled explicitly (autoEnable NEW or NONE), whom the organization configuration does not reach.
 */
export class MemberPlans extends Construct {
  readonly features?: GuarddutyMemberDetectorFeature;

  constructor(scope: Construct, id: string, props: MemberPlansProps) {
    super(scope, id);
    const planned = props.regions.flatMap((region) => props.features(region).map((feature) => ({ region, feature })));
    if (planned.length === 0) return;
    requireFeatureProviders(this, planned.map(({ feature }) => feature));
    const features = Instances.of(
      props.members.flatMap((member) => planned.map(({ region, feature }) => ({ member, region, feature }))),
      ({ member, region, feature }) => instanceKey(member.id, region, feature.name),
      ({ member, region, feature }) => {
        const { name, status, additionalConfiguration } = featureSettings(feature);
        return { account_id: member.id, region, name, status, additional_configuration: additionalConfiguration };
      },
    );
    this.features = KeyedBlocks.add(
      new GuarddutyMemberDetectorFeature(this, 'feature', {
        forEach: features,
        provider: props.adminProvider,
        region: features.value('region'),
        detectorId: props.adminDetectorIds.at('each.value.region'),
        accountId: features.value('account_id'),
        name: features.value('name'),
        status: features.value('status'),
        ...(props.after && props.after.length > 0 ? { dependsOn: [...props.after] } : {}),
      }),
      'feature',
      features,
    );
    eachNestedBlock(this.features, 'additional_configuration', 'additional_configuration', ['name', 'status']);
  }
}

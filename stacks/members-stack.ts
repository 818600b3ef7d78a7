import type { Construct } from 'constructs';
import { memberStackFeatures } from '../lib/plan/member-plans';
import { InvitationMemberships, MemberPlans, OrganizationMemberships } from '../modules/membership';
import type { Layout } from '../lib/terraform/previous-layout';
import { OrgStack, type OrgStackProps } from './org-stack';

export interface MembersStackProps extends OrgStackProps {
  /** The administrator's detector id by region (from the admin stack). */
  readonly adminDetectorIds: Readonly<Record<string, string>>;
}

/**
 * One wave (or part of a wave) of member accounts, enrolled in every region. Each wave is its own
 * state, so adding an account to the list changes only its wave's plan.
 */
export class MembersStack extends OrgStack {
  constructor(scope: Construct, props: MembersStackProps) {
    super(scope, props);
    const { config, planned } = props;
    const base = {
      members: planned.members,
      regions: config.regions,
      adminProvider: this.provider(config.accounts.admin),
      adminDetectorIds: this.readOnce('admin-detector-ids', props.adminDetectorIds),
    };
    if (config.mode === 'organizations') {
      new OrganizationMemberships(this, 'memberships', base);
    } else {
      new InvitationMemberships(this, 'memberships', {
        ...base,
        memberProvider: (accountId) => this.provider(accountId),
        administratorAccountId: config.accounts.admin,
        findingPublishingFrequency: config.findingPublishingFrequency,
        features: (region) => memberStackFeatures(config, region, 'members'),
        existingDetectorIds: config.existingDetectors,
      });
    }
  }
}

/**
 * The protection plans the administrator sets for the members of one wave (or part) that their members
 * stacks do not hold, after the stacks that enroll them (lib/plan/stacks.ts says why apart).
 */
export class MemberPlansStack extends OrgStack {
  constructor(scope: Construct, props: MembersStackProps) {
    super(scope, props);
    const { config, planned } = props;
    new MemberPlans(this, 'plans', {
      members: planned.members,
      regions: config.regions,
      adminProvider: this.provider(config.accounts.admin),
      adminDetectorIds: this.readOnce('admin-detector-ids', props.adminDetectorIds),
      features: (region) => memberStackFeatures(config, region, 'member-plans'),
    });
  }

  // New with issue 14, in the shared layout: no hashed address to move from.
  protected override get previousLayouts(): readonly Layout[] {
    return ['shared'];
  }
}

import type { Construct } from 'constructs';
import { detectorFeatures } from '../lib/protection';
import { InvitationMembership, OrganizationMembership } from '../modules/membership';
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
    const adminProvider = this.provider(config.accounts.admin);
    const features = detectorFeatures(config.protection);
    const adminDetectorIds = this.readOnce('admin-detector', props.adminDetectorIds);
    for (const member of planned.members) {
      const id = `member-${member.id}`;
      if (config.mode === 'organizations') {
        new OrganizationMembership(this, id, { member, adminProvider, adminDetectorIds });
      } else {
        new InvitationMembership(this, id, {
          member,
          adminProvider,
          adminDetectorIds,
          memberProvider: this.provider(member.id),
          administratorAccountId: config.accounts.admin,
          findingPublishingFrequency: config.findingPublishingFrequency,
          features,
          existingDetectorIds: config.existingDetectors[member.id],
        });
      }
    }
  }
}

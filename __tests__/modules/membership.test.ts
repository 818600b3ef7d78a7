import { synthApp, testConfig } from '../helpers/synth';

describe('organization membership', () => {
  const synth = synthApp(testConfig());

  it('enrolls each wave member in every region from the admin account, without invitation', () => {
    const memberships = Object.values(synth.resources('members-wave-2', 'aws_guardduty_member'));
    expect(memberships.map((member) => [member.account_id, member.region]).sort()).toEqual([
      ['555555555503', 'eu-west-1'],
      ['555555555503', 'us-east-1'],
      ['555555555503', 'us-west-2'],
      ['555555555504', 'eu-west-1'],
      ['555555555504', 'us-east-1'],
      ['555555555504', 'us-west-2'],
    ]);
    for (const member of memberships) {
      expect(member).toMatchObject({ invite: false, provider: 'aws' });
      expect(member.detector_id).toBe(`\${local.admin-detector-ids["${member.region}"]}`);
    }
    // A block per member account, so that one account can leave the stack whole.
    expect(Object.keys(synth.blocks('members-wave-2', 'aws_guardduty_member'))).toEqual(['member_555555555503', 'member_555555555504']);
    expect(Object.keys(synth.resources('members-wave-2', 'aws_guardduty_member'))).toContain('member_555555555503["eu-west-1"]');
    expect(memberships.find((member) => member.account_id === '555555555503').email).toBe('aws-prod-web@example.com');
    expect(synth.stack('members-wave-2').provider.aws).toHaveLength(1);
    expect(synth.stack('members-wave-2').provider.aws[0].allowed_account_ids).toEqual(['222222222222']);
  });

  it('deploys after the organization configuration and the previous wave', () => {
    expect(synth.manifest.stacks['members-wave-1'].dependencies).toEqual(expect.arrayContaining(['organization', 'admin']));
    expect(synth.manifest.stacks['members-wave-2'].dependencies).toEqual(expect.arrayContaining(['members-wave-1']));
  });
});

describe('invitation membership', () => {
  const existing = 'b1b2c3d4e5f60718293a4b5c6d7e8f90';
  const synth = synthApp(testConfig({ mode: 'invitations', existingDetectors: { '555555555503': { 'eu-west-1': existing } } }));
  const stack = synth.stack('members-wave-2');

  it('gives each member a provider pinned to its account, and keeps the admin one', () => {
    expect(stack.provider.aws.map((provider: any) => [provider.alias, provider.allowed_account_ids[0], provider.assume_role[0].role_arn])).toEqual([
      [undefined, '222222222222', 'arn:aws:iam::222222222222:role/OrganizationAccountAccessRole'],
      ['member-555555555503', '555555555503', 'arn:aws:iam::555555555503:role/OrganizationAccountAccessRole'],
      ['member-555555555504', '555555555504', 'arn:aws:iam::555555555504:role/OrganizationAccountAccessRole'],
    ]);
  });

  it('creates the member detector, invites without e-mail, and accepts, in that order, per region', () => {
    const detectors = synth.resources('members-wave-2', 'aws_guardduty_detector');
    const invitations = synth.resources('members-wave-2', 'aws_guardduty_member');
    const acceptances = synth.resources('members-wave-2', 'aws_guardduty_invite_accepter');
    expect(Object.keys(detectors)).toHaveLength(6);
    expect(Object.keys(invitations)).toHaveLength(6);
    expect(Object.keys(acceptances)).toHaveLength(6);
    expect(Object.keys(detectors)).toContain('member_555555555503["eu-west-1"]');
    expect(Object.keys(acceptances)).toContain('member_555555555504["us-east-1"]');
    for (const [name, invitation] of Object.entries(invitations)) {
      expect(name).toBe(`invitation_${invitation.account_id}["${invitation.region}"]`);
      expect(invitation).toMatchObject({ invite: true, disable_email_notification: true, provider: 'aws' });
      // The member's detector exists before its invitation goes out.
      expect(invitation.depends_on).toEqual([`aws_guardduty_detector.member_${invitation.account_id}`]);
      const detector = detectors[`member_${invitation.account_id}["${invitation.region}"]`];
      expect(detector).toMatchObject({ provider: `aws.member-${invitation.account_id}`, region: invitation.region });
      const acceptance = acceptances[`member_${invitation.account_id}["${invitation.region}"]`];
      expect(acceptance).toMatchObject({
        master_account_id: '222222222222',
        region: invitation.region,
        provider: `aws.member-${invitation.account_id}`,
        detector_id: `\${aws_guardduty_detector.member_${invitation.account_id}["${invitation.region}"].id}`,
        depends_on: [`aws_guardduty_member.invitation_${invitation.account_id}`],
      });
    }
  });

  it('sets the protection plans from the administrator once the invitation is accepted', () => {
    const features = Object.values(synth.resources('members-wave-2', 'aws_guardduty_member_detector_feature'));
    expect(features).toHaveLength(2 * 3 * 6);
    for (const feature of features) {
      expect(feature.provider).toBe('aws');
      expect(feature.depends_on).toEqual([`aws_guardduty_invite_accepter.member_${feature.account_id}`]);
    }
    expect(Object.keys(synth.resources('members-wave-2', 'aws_guardduty_member_detector_feature'))).toContain('feature_555555555503["eu-west-1/RUNTIME_MONITORING"]');
    // The member's own detector carries no feature resources of its own.
    expect(synth.resources('members-wave-2', 'aws_guardduty_detector_feature')).toEqual({});
  });

  it("imports a member's existing detector in its region", () => {
    expect(stack.import).toEqual([{ id: `${existing}@eu-west-1`, provider: 'aws.member-555555555503', to: 'aws_guardduty_detector.member_555555555503["eu-west-1"]' }]);
  });
});

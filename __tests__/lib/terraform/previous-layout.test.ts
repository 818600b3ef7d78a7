import { previousAddress, previousAddresses } from '../../../lib/terraform/previous-layout';
import { previousLayout } from '../../helpers/layout';

const at = (type: string, name: string, key: string, value: Record<string, unknown>, args: Record<string, unknown> = {}) =>
  previousAddress({ type, name, key, value, arguments: args });

describe('previous layout', () => {
  it('names each keyed instance by the address cdktf gave it before, as synthesized then', () => {
    const invitations = previousLayout('invitations');
    const organizations = previousLayout('organizations');
    const has = (layout: typeof invitations, stack: string, address: string | undefined) => {
      const [type, name] = (address ?? '').split('.');
      return layout[stack]?.resource[type]?.[name] !== undefined;
    };
    expect(has(invitations, 'admin', at('aws_guardduty_detector', 'detector', 'eu-west-1', { region: 'eu-west-1' }))).toBe(true);
    expect(has(invitations, 'members-wave-1', at('aws_guardduty_detector', 'member_444444444444', 'us-west-2', { region: 'us-west-2' }))).toBe(true);
    expect(has(invitations, 'members-wave-1', at('aws_guardduty_invite_accepter', 'member_333333333333', 'eu-west-1', { region: 'eu-west-1' }))).toBe(true);
    expect(
      has(invitations, 'members-wave-1', at('aws_guardduty_member_detector_feature', 'feature_333333333333', 'eu-west-1/RUNTIME_MONITORING', { region: 'eu-west-1', name: 'RUNTIME_MONITORING' })),
    ).toBe(true);
    expect(has(invitations, 'members-wave-1', at('aws_guardduty_member', 'invitation_444444444444', 'us-west-2', { region: 'us-west-2' }))).toBe(true);
    expect(has(organizations, 'members-wave-1', at('aws_guardduty_member', 'member_444444444444', 'eu-west-1', { region: 'eu-west-1' }))).toBe(true);
    expect(has(invitations, 'threat-intel', at('aws_guardduty_filter', 'filter_noop_port_probe_0', 'us-west-2', { region: 'us-west-2' }, { name: 'noop.port_probe' }))).toBe(true);
    expect(has(invitations, 'detective-wave-2', at('aws_detective_invitation_accepter', 'member_555555555501', 'eu-west-1', { region: 'eu-west-1' }))).toBe(true);
    expect(
      has(
        organizations,
        'security-hub',
        at('aws_securityhub_standards_subscription', 'standard', 'eu-west-1/cis-aws-foundations-benchmark/v/1.2.0', { region: 'eu-west-1' }),
      ),
    ).toBe(true);
    expect(has(organizations, 'organization', at('aws_guardduty_organization_configuration_feature', 'feature', 'x', { region: 'us-west-2', name: 'S3_DATA_EVENTS' }))).toBe(true);
  });

  it('gives no past to a protection plan added since, nor to a block it does not know', () => {
    expect(at('aws_guardduty_detector_feature', 'feature', 'us-east-1/AI_PROTECTION', { region: 'us-east-1', name: 'AI_PROTECTION' })).toBeUndefined();
    expect(at('aws_guardduty_detector_feature', 'feature', 'us-east-1/S3_DATA_EVENTS', { region: 'us-east-1', name: 'S3_DATA_EVENTS' })).toMatch(
      /^aws_guardduty_detector_feature\.detector-us-east-1_s3_data_events_[0-9A-F]{8}$/,
    );
    expect(at('aws_s3_bucket', 'bucket', 'x', {})).toBeUndefined();
  });

  it("chains a member's block to where the shared layout kept it, after the hashed address", () => {
    const chain = (type: string, name: string, key: string, value: Record<string, unknown>, layouts?: ('hashed' | 'shared')[]) =>
      previousAddresses({ type, name, arguments: {} }, layouts)?.(key, value);
    expect(chain('aws_guardduty_member', 'member_444444444444', 'eu-west-1', { region: 'eu-west-1' })).toEqual([
      expect.stringMatching(/^aws_guardduty_member\.member-444444444444_eu-west-1_[0-9A-F]{8}$/),
      'aws_guardduty_member.member["444444444444/eu-west-1"]',
    ]);
    expect(chain('aws_guardduty_member', 'invitation_444444444444', 'eu-west-1', { region: 'eu-west-1' }, ['shared'])).toEqual(['aws_guardduty_member.invitation["444444444444/eu-west-1"]']);
    // A plan the hashed layout did not have starts in the shared one (a member-plans stack).
    expect(chain('aws_guardduty_member_detector_feature', 'feature_444444444444', 'eu-west-1/AI_PROTECTION', { region: 'eu-west-1', name: 'AI_PROTECTION' })).toEqual([
      'aws_guardduty_member_detector_feature.feature["444444444444/eu-west-1/AI_PROTECTION"]',
    ]);
    // Blocks that were never shared keep their one move; blocks of other services are not members'.
    expect(chain('aws_guardduty_detector', 'member_444444444444', 'eu-west-1', { region: 'eu-west-1' })).toHaveLength(1);
    expect(chain('aws_securityhub_member', 'member', '444444444444/eu-west-1', { region: 'eu-west-1', account_id: '444444444444' })).toHaveLength(1);
    expect(chain('aws_guardduty_member', 'member_444444444444', 'eu-west-1', { region: 'eu-west-1' }, [])).toBeUndefined();
  });
});

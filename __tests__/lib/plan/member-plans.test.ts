import { memberStackFeatureCount, memberStackFeatures } from '../../../lib/plan/member-plans';
import { testConfig } from '../../helpers/synth';

const names = (features: readonly { name: string }[]) => features.map((feature) => feature.name);

describe('the stacks that hold members\' protection plans', () => {
  it("keeps an invited member's first-release plans in its members stack, every other member plan in a member-plans stack", () => {
    const data = { protection: { aiProtection: true, aiAnalyst: true }, providerVersion: '6.56.0' };
    const invitations = testConfig({ ...data, mode: 'invitations' });
    const first = ['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING'];
    expect(names(memberStackFeatures(invitations, 'us-east-1', 'members'))).toEqual(first);
    expect(names(memberStackFeatures(invitations, 'us-east-1', 'member-plans'))).toEqual(['AI_PROTECTION']);
    // The members stack's budget does not move with the plans switched on.
    expect(memberStackFeatureCount(invitations, 'members')).toBe(memberStackFeatureCount(testConfig({ mode: 'invitations' }), 'members'));
    expect(memberStackFeatureCount(testConfig({ mode: 'invitations' }), 'member-plans')).toBe(0);
    const organizations = testConfig(data);
    expect(names(memberStackFeatures(organizations, 'us-east-1', 'members'))).toEqual([]);
    expect(names(memberStackFeatures(organizations, 'us-east-1', 'member-plans'))).toEqual([...first, 'AI_PROTECTION']);
    expect(memberStackFeatureCount(organizations, 'member-plans')).toBe(7);
  });
});

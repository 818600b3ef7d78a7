import { loadConfig } from '../../lib/config/load';
import { planStacks } from '../../lib/plan/stacks';
import { REPO_ROOT, synthApp } from '../helpers/synth';

/**
 * `__tests__/fixtures/everything-on/org.json` (beside its members file and lists) switches on
 * everything issue 14 added (log-archive export, Malware Protection for S3 in three kinds of account,
 * the management account listed for enrollment, every protection plan and setting, plans excluded in
 * a region) beside Security Hub and Detective, and every remediation option (exemptions, the service
 * control policy): the configuration that tfvalidate is run on.
 */
describe('the everything-on fixture', () => {
  const config = loadConfig('__tests__/fixtures/everything-on/org.json', { cwd: REPO_ROOT });

  it('is a valid configuration that plans every kind of stack', () => {
    const kinds = new Set(planStacks(config).stacks.map((stack) => stack.kind));
    expect([...kinds].sort()).toEqual([
      'admin', 'detective', 'detective-members', 'malware-protection', 'member-plans', 'members', 'organization', 'remediation', 'remediation-scp',
      'security-hub', 'security-hub-members', 'simulation', 'threat-intel',
    ]);
  });

  it('synthesizes with the management account checked, the export in the log archive, and a plan per bucket', () => {
    const synth = synthApp(config);
    expect(Object.keys(synth.stack('organization').data.aws_iam_roles)).toHaveLength(1);
    expect(synth.stack('admin').provider.aws.map((provider: Record<string, any>) => provider.allowed_account_ids[0])).toEqual(['222222222222', '999999999999']);
    const plans = ['111111111111', '444444444444', '777777777777'].flatMap((account) =>
      Object.values(synth.resources(`malware-protection-${account}`, 'aws_guardduty_malware_protection_plan')),
    );
    expect(plans).toHaveLength(4);
    expect(synth.stack('malware-protection-111111111111').provider.aws[0].assume_role[0].role_arn).toBe('arn:aws:iam::111111111111:role/GuardDutyDeployment');
  });

  it('writes every plan and setting of the API model, each where it belongs', () => {
    const synth = synthApp(config);
    const names = (stack: string, type: string) => [...new Set(Object.values(synth.resources(stack, type)).map((feature) => feature.name))].sort();
    const memberPlans = ['AI_PROTECTION', 'EBS_MALWARE_PROTECTION', 'EKS_AUDIT_LOGS', 'LAMBDA_NETWORK_LOGS', 'RDS_LOGIN_EVENTS', 'RUNTIME_MONITORING', 'S3_DATA_EVENTS'];
    expect(names('admin', 'aws_guardduty_detector_feature')).toEqual(['AI_ANALYST', ...memberPlans].sort());
    expect(names('organization', 'aws_guardduty_organization_configuration_feature')).toEqual(memberPlans);
    expect(names('member-plans-wave-1', 'aws_guardduty_member_detector_feature')).toEqual(memberPlans);
    const settings = Object.values(synth.resources('member-plans-wave-1', 'aws_guardduty_member_detector_feature'))
      .flatMap((feature) => feature.additional_configuration.map((setting: { name: string }) => setting.name));
    expect([...new Set(settings)].sort()).toEqual(['EC2_AGENT_MANAGEMENT', 'ECS_FARGATE_AGENT_MANAGEMENT', 'EKS_ADDON_MANAGEMENT', 'RDS_DATA_RISK']);
  });
});

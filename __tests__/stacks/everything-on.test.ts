import { loadConfig } from '../../lib/config/load';
import { planStacks } from '../../lib/plan';
import { REPO_ROOT, synthApp } from '../helpers/synth';

/**
 * `__tests__/fixtures/everything-on/org.json` (beside its members file and lists) switches on
 * everything issue 14 added (log-archive export, Malware Protection for S3 in three kinds of account,
 * the management account listed for enrollment) beside Security Hub and Detective: the
 * configuration that tfvalidate is run on.
 */
describe('the everything-on fixture', () => {
  const config = loadConfig('__tests__/fixtures/everything-on/org.json', { cwd: REPO_ROOT });

  it('is a valid configuration that plans every kind of stack', () => {
    const kinds = new Set(planStacks(config).stacks.map((stack) => stack.kind));
    expect([...kinds].sort()).toEqual([
      'admin', 'detective', 'detective-members', 'malware-protection', 'members', 'organization', 'remediation',
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
});

import { aggregatorLinking, guardDutyProductArn, SECURITY_HUB_STANDARDS, standardArn } from '../../../lib/aws/security-hub';

describe('Security Hub ARNs', () => {
  it('builds regional standards ARNs, and the global ruleset ARN for CIS 1.2.0', () => {
    expect(standardArn('aws-foundational-security-best-practices/v/1.0.0', 'eu-west-1')).toBe(
      'arn:aws:securityhub:eu-west-1::standards/aws-foundational-security-best-practices/v/1.0.0',
    );
    expect(standardArn('cis-aws-foundations-benchmark/v/1.2.0', 'eu-west-1')).toBe('arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0');
    expect(standardArn('cis-aws-foundations-benchmark/v/3.0.0', 'us-east-1')).toBe('arn:aws:securityhub:us-east-1::standards/cis-aws-foundations-benchmark/v/3.0.0');
  });

  it('names every standard as <id>/v/<version>', () => {
    for (const standard of SECURITY_HUB_STANDARDS) expect(standard).toMatch(/^[a-z0-9-]+\/v\/\d+\.\d+\.\d+$/);
  });

  it('points the GuardDuty integration at the region it runs in', () => {
    expect(guardDutyProductArn('ap-south-1')).toBe('arn:aws:securityhub:ap-south-1::product/aws/guardduty');
  });

  it('links every region but the home region, or none when there is only the home region', () => {
    expect(aggregatorLinking(['us-east-1', 'us-west-2', 'eu-west-1'], 'us-west-2')).toEqual({ linkingMode: 'SPECIFIED_REGIONS', specifiedRegions: ['us-east-1', 'eu-west-1'] });
    expect(aggregatorLinking(['us-west-2'], 'us-west-2')).toEqual({ linkingMode: 'NO_REGIONS' });
  });
});

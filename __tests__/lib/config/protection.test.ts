import { problemsAfter } from '../../helpers/config';
import { testConfig } from '../../helpers/synth';

describe('protection', () => {
  it('keeps the plain switches of the first release valid', () => {
    expect(problemsAfter((d) => (d.protection = { s3: false, eksAuditLogs: true, ebsMalware: false, rdsLogin: true, lambdaNetwork: false, runtimeMonitoring: false }))).toEqual([]);
  });

  it('takes the object form, with excluded regions and each agent on its own', () => {
    const config = testConfig({
      protection: {
        s3: { excludeRegions: ['eu-west-1'] },
        runtimeMonitoring: { enabled: true, eksAddon: false, ecsFargateAgent: true, ec2Agent: false },
        aiProtection: { excludeRegions: ['us-east-1', 'eu-west-1'] },
        aiAnalyst: true,
      },
      providerVersion: '6.56.0',
    });
    expect(config.protection.s3).toEqual({ enabled: true, excludeRegions: ['eu-west-1'] });
    expect(config.protection.runtimeMonitoring).toEqual({ enabled: true, excludeRegions: [], eksAddon: false, ecsFargateAgent: true, ec2Agent: false });
    expect(config.protection.ebsMalware).toBe(true);
    // A plan of a newer provider stays unmanaged unless configured.
    expect(testConfig().protection.aiProtection).toBeUndefined();
  });

  it('names each bad field, all at once', () => {
    expect(
      problemsAfter((d) => {
        d.protection = {
          s3: { excludeRegions: ['ap-south-1', 'us-east-1', 'us-east-1'] },
          runtimeMonitoring: { enabled: false, ec2Agent: true },
          rdsLogin: 'yes',
          lambdaNetwork: { enabled: true, dataActivity: true },
        };
      }),
    ).toEqual([
      'org.json: protection.rdsLogin: must be true, false or { enabled, excludeRegions, dataActivity }; got "yes"',
      'org.json: protection.lambdaNetwork.dataActivity: unknown key; allowed here: enabled, excludeRegions',
      'org.json: protection.s3.excludeRegions[0]: "ap-south-1" is not in regions (us-west-2, us-east-1, eu-west-1)',
      'org.json: protection.s3.excludeRegions[2]: "us-east-1" is listed twice',
      'org.json: protection.runtimeMonitoring.ec2Agent: is true, but the plan is switched off (protection.runtimeMonitoring.enabled is false): GuardDuty applies a plan\'s settings only while the plan is on',
    ]);
  });

  it('refuses the AI analyst where none of the regions offers it', () => {
    expect(
      problemsAfter((d) => {
        d.providerVersion = '6.56.0';
        d.protection = { aiAnalyst: { excludeRegions: ['us-west-2', 'us-east-1', 'eu-west-1'] } };
      }),
    ).toEqual([
      'org.json: protection.aiAnalyst: is on, but GuardDuty Investigation (AI_ANALYST) is offered only in us-east-1, us-east-2, us-west-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, eu-west-3, eu-north-1, ap-northeast-1, and none of them is a region it would be set in',
    ]);
    expect(problemsAfter((d) => { d.providerVersion = '6.56.0'; d.protection = { aiAnalyst: false, aiProtection: true }; })).toEqual([]);
  });

  it('refuses a pinned provider older than the AI plans', () => {
    expect(problemsAfter((d) => { d.providerVersion = '6.55.0'; d.protection = { aiProtection: true }; })).toEqual([
      'org.json: providerVersion: must be 6.56.0 or newer: this configuration uses the GuardDuty features AI_PROTECTION and AI_ANALYST (protection.aiProtection, protection.aiAnalyst); got "6.55.0"',
    ]);
  });

  it('asks for a pinned provider before it writes RDS_DATA_RISK, whose first provider release is unverified', () => {
    expect(problemsAfter((d) => (d.protection = { rdsLogin: { dataActivity: true } }))).toEqual([
      'org.json: protection.rdsLogin.dataActivity: needs providerVersion pinned to a hashicorp/aws release you have checked accepts RDS_DATA_RISK (6.57.0 or newer): the provider checks the name against its AWS SDK, and which release first carries it is not verified',
    ]);
    expect(problemsAfter((d) => { d.providerVersion = '6.56.0'; d.protection = { rdsLogin: { dataActivity: false } }; })).toEqual([
      expect.stringMatching(/^org\.json: providerVersion: must be 6\.57\.0 or newer: this configuration uses the RDS Protection setting RDS_DATA_RISK/),
    ]);
    expect(problemsAfter((d) => { d.providerVersion = '6.66.0'; d.protection = { rdsLogin: { dataActivity: true } }; })).toEqual([]);
  });
});

import { parseConfig } from '../../../lib/config/load';
import { problemsAfter } from '../../helpers/config';
import { EXAMPLE_DIR, exampleData } from '../../helpers/synth';

// Functions, so that a test changing what it was given changes nothing for the next one.
const GOV = () => ({ homeRegion: 'us-gov-west-1', regions: ['us-gov-west-1', 'us-gov-east-1'] });
const CHINA = () => ({ homeRegion: 'cn-north-1', regions: ['cn-north-1', 'cn-northwest-1'], protection: { runtimeMonitoring: false } });

describe('partition of a configuration', () => {
  it('accepts GovCloud and China regions', () => {
    expect(parseConfig({ ...exampleData(), ...GOV() }, { file: 'org.json', cwd: EXAMPLE_DIR }).regions).toEqual(GOV().regions);
    expect(parseConfig({ ...exampleData(), ...CHINA() }, { file: 'org.json', cwd: EXAMPLE_DIR }).homeRegion).toBe('cn-north-1');
  });

  it('names every region outside the home region partition, all at once', () => {
    expect(
      problemsAfter((data) => {
        Object.assign(data, GOV());
        data.regions.push('us-east-1');
        data.backend = { type: 's3', bucket: 'state', region: 'cn-north-1' };
        data.malwareProtection = { s3: [{ account: '444444444444', region: 'eu-west-1', bucket: 'uploads' }] };
      }),
    ).toEqual([
      'org.json: regions[2]: "us-east-1" is in AWS (commercial) (aws), but homeRegion "us-gov-west-1" is in AWS GovCloud (US) (aws-us-gov): one configuration deploys to one partition, whose accounts and credentials reach no other',
      'org.json: malwareProtection.s3[0].region: "eu-west-1" is in AWS (commercial) (aws), but homeRegion "us-gov-west-1" is in AWS GovCloud (US) (aws-us-gov): one configuration deploys to one partition, whose accounts and credentials reach no other',
      'org.json: backend.region: "cn-north-1" is in AWS China (aws-cn), but homeRegion "us-gov-west-1" is in AWS GovCloud (US) (aws-us-gov): one configuration deploys to one partition, whose accounts and credentials reach no other',
    ]);
  });

  it('names region keys and ARNs of another partition', () => {
    const problems = problemsAfter((data) => {
      Object.assign(data, CHINA());
      data.existingDelegations = ['cn-north-1'];
      data.detective = { enabled: true, existingGraphs: { 'cn-north-1': 'arn:aws:detective:cn-north-1:222222222222:graph:0123456789abcdef0123456789abcdef' } };
      data.malwareProtection = { s3: [{ account: '444444444444', region: 'cn-north-1', bucket: 'uploads', kmsKeyArn: 'arn:aws-us-gov:kms:cn-north-1:444444444444:key/k-1' }] };
    });
    expect(problems).toEqual([
      'org.json: detective.existingGraphs.cn-north-1: the ARN "arn:aws:detective:cn-north-1:222222222222:graph:0123456789abcdef0123456789abcdef" is in AWS (commercial) (aws), but homeRegion "cn-north-1" is in AWS China (aws-cn): one configuration deploys to one partition, whose accounts and credentials reach no other',
      'org.json: malwareProtection.s3[0].kmsKeyArn: the ARN "arn:aws-us-gov:kms:cn-north-1:444444444444:key/k-1" is in AWS GovCloud (US) (aws-us-gov), but homeRegion "cn-north-1" is in AWS China (aws-cn): one configuration deploys to one partition, whose accounts and credentials reach no other',
    ]);
  });

  it('refuses regions of the isolated partitions', () => {
    expect(problemsAfter((data) => Object.assign(data, { regions: ['us-west-2', 'us-iso-east-1'], additionalRegions: ['us-iso-east-1'] }))).toEqual([
      'org.json: regions[1]: "us-iso-east-1" is in an isolated partition, which this product does not deploy to (it supports aws, aws-us-gov, aws-cn)',
      'org.json: additionalRegions[0]: "us-iso-east-1" is in an isolated partition, which this product does not deploy to (it supports aws, aws-us-gov, aws-cn)',
    ]);
  });

  it('refuses runtime monitoring in China, which does not offer it', () => {
    expect(problemsAfter((data) => Object.assign(data, { ...CHINA(), protection: {} }))).toEqual([
      'org.json: protection.runtimeMonitoring: is not offered in AWS China (aws-cn): GuardDuty Runtime Monitoring is not supported in the China Regions ("Getting Started with Amazon Web Services in China", Amazon GuardDuty); set it to false',
    ]);
    expect(problemsAfter((data) => Object.assign(data, GOV(), { protection: { runtimeMonitoring: true } }))).toEqual([]);
    // The object form of the plan (issue 14: agents one by one) is the same plan.
    expect(problemsAfter((data) => Object.assign(data, { ...CHINA(), protection: { runtimeMonitoring: { ec2Agent: false } } }))).toEqual([
      expect.stringMatching(/^org\.json: protection\.runtimeMonitoring: is not offered in AWS China/),
    ]);
    expect(problemsAfter((data) => Object.assign(data, { ...CHINA(), protection: { runtimeMonitoring: { enabled: false } } }))).toEqual([]);
  });
});

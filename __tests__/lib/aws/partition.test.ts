import {
  arn,
  bucketArn,
  iamArn,
  organizationsRegion,
  partitionOf,
  partitionOfArn,
  regionalServicePrincipal,
  serviceEndpoint,
  servicePrincipal,
} from '../../../lib/aws/partition';

describe('partitions', () => {
  it.each([
    ['us-east-1', 'aws'],
    ['eu-west-1', 'aws'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-gov-east-1', 'aws-us-gov'],
    ['cn-north-1', 'aws-cn'],
    ['cn-northwest-1', 'aws-cn'],
    ['us-iso-east-1', undefined],
    ['us-isob-east-1', undefined],
    ['eu-isoe-west-1', undefined],
  ])('puts %s in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('reads the partition of an ARN, and none from a foreign one', () => {
    expect(partitionOfArn('arn:aws-cn:kms:cn-north-1:111111111111:key/k')).toBe('aws-cn');
    expect(partitionOfArn('arn:aws-us-gov:iam::111111111111:root')).toBe('aws-us-gov');
    expect(partitionOfArn('arn:aws:iam::111111111111:root')).toBe('aws');
    expect(partitionOfArn('arn:aws-iso:iam::111111111111:root')).toBeUndefined();
    expect(partitionOfArn('alias/key')).toBeUndefined();
  });

  it('builds ARNs in the partition of the region', () => {
    expect(arn('us-gov-east-1', 'guardduty', '*', '222222222222', 'detector/*')).toBe('arn:aws-us-gov:guardduty:*:222222222222:detector/*');
    expect(arn('cn-north-1', 'logs', 'cn-north-1', '222222222222', 'log-group:/aws/events/x')).toBe('arn:aws-cn:logs:cn-north-1:222222222222:log-group:/aws/events/x');
    expect(iamArn('us-west-2', '111111111111', 'role/Deploy')).toBe('arn:aws:iam::111111111111:role/Deploy');
    expect(iamArn('cn-northwest-1', '111111111111', 'root')).toBe('arn:aws-cn:iam::111111111111:root');
    expect(bucketArn('us-gov-west-1', 'acme-uploads')).toBe('arn:aws-us-gov:s3:::acme-uploads');
  });

  it('refuses a region of an isolated partition (the loader has refused it already)', () => {
    expect(() => iamArn('us-iso-east-1', '111111111111', 'root')).toThrow('region us-iso-east-1 is in a partition this product does not support');
  });

  it('gives amazonaws.com.cn principals in China to codedeploy, elasticmapreduce and logs only', () => {
    expect(['codedeploy', 'elasticmapreduce', 'logs', 'events', 'delivery.logs', 'guardduty', 'malware-protection-plan.guardduty'].map((service) => servicePrincipal(service, 'cn-north-1'))).toEqual([
      'codedeploy.amazonaws.com.cn',
      'elasticmapreduce.amazonaws.com.cn',
      'logs.amazonaws.com.cn',
      'events.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'guardduty.amazonaws.com',
      'malware-protection-plan.guardduty.amazonaws.com',
    ]);
    expect(servicePrincipal('logs', 'us-gov-west-1')).toBe('logs.amazonaws.com');
    expect(servicePrincipal('logs', 'us-east-1')).toBe('logs.amazonaws.com');
  });

  it('puts the region inside regional principals, with the same suffix rule', () => {
    expect(regionalServicePrincipal('logs', 'us-west-2')).toBe('logs.us-west-2.amazonaws.com');
    expect(regionalServicePrincipal('logs', 'us-gov-east-1')).toBe('logs.us-gov-east-1.amazonaws.com');
    expect(regionalServicePrincipal('logs', 'cn-northwest-1')).toBe('logs.cn-northwest-1.amazonaws.com.cn');
    expect(regionalServicePrincipal('events', 'cn-northwest-1')).toBe('events.cn-northwest-1.amazonaws.com');
  });

  it('names endpoints with the partition DNS suffix', () => {
    expect(serviceEndpoint('s3', 'eu-west-1')).toBe('s3.eu-west-1.amazonaws.com');
    expect(serviceEndpoint('s3', 'us-gov-west-1')).toBe('s3.us-gov-west-1.amazonaws.com');
    expect(serviceEndpoint('s3', 'cn-north-1')).toBe('s3.cn-north-1.amazonaws.com.cn');
  });

  it('calls Organizations in the region its partition serves it from', () => {
    expect(organizationsRegion('eu-west-1')).toBe('us-east-1');
    expect(organizationsRegion('us-gov-east-1')).toBe('us-gov-west-1');
    expect(organizationsRegion('cn-north-1')).toBe('cn-northwest-1');
  });
});

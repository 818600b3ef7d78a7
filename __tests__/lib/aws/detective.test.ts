import { detectiveProfileUrl, parseGraphArn } from '../../../lib/aws/detective';

describe('Detective', () => {
  it('links to the finding profile of a GuardDuty finding, on its own observed times by default', () => {
    expect(detectiveProfileUrl('us-west-2', { findingId: '60baffd3f9042e38640f2300d5c5a631' })).toBe(
      'https://console.aws.amazon.com/detective/home?region=us-west-2#findings/GuardDuty/60baffd3f9042e38640f2300d5c5a631',
    );
  });

  it('links to an entity profile with a scope time in epoch seconds', () => {
    expect(detectiveProfileUrl('us-east-1', { entityType: 'IpAddress', entityId: '192.168.1.1' }, { start: 1552867200, end: 1552910400 })).toBe(
      'https://console.aws.amazon.com/detective/home?region=us-east-1#entities/IpAddress/192.168.1.1?scopeStart=1552867200&scopeEnd=1552910400',
    );
    expect(detectiveProfileUrl('us-east-1', { entityType: 'Ec2Instance', entityId: 'i-0123456789abcdef0' }, { start: 1552867200 })).toBe(
      'https://console.aws.amazon.com/detective/home?region=us-east-1#entities/Ec2Instance/i-0123456789abcdef0?scopeStart=1552867200',
    );
  });

  it('escapes entity ids that are not URL-safe, such as user agents', () => {
    expect(detectiveProfileUrl('us-east-1', { entityType: 'UserAgent', entityId: 'aws-cli/2.15 Python/3.11' })).toBe(
      'https://console.aws.amazon.com/detective/home?region=us-east-1#entities/UserAgent/aws-cli%2F2.15%20Python%2F3.11',
    );
  });

  it('reads the region and account of a graph ARN, and rejects anything else', () => {
    expect(parseGraphArn('arn:aws:detective:us-east-1:123456789012:graph:0123456789abcdef0123456789abcdef')).toEqual({ region: 'us-east-1', accountId: '123456789012' });
    expect(parseGraphArn('arn:aws:detective:us-east-1:123456789012:graph:XYZ')).toBeUndefined();
    expect(parseGraphArn('arn:aws:guardduty:us-east-1:123456789012:detector/abc')).toBeUndefined();
  });
});

import {
  FINDING_DETAIL_TYPE,
  FINDING_SOURCE,
  findingPattern,
  namedResourceTypes,
  RESOURCE_MESSAGES,
  resourceMessagePattern,
  resourceMessageTransformer,
  isAttackSequence,
} from '../../../lib/guardduty/findings';
import { matchesPattern, renderInputTransformer } from '../../helpers/eventbridge';
import { findingEvent } from '../../helpers/fixtures';

/** Every finding fixture of the findings flow: name -> [resource type, severity]. */
const FIXTURES: Record<string, [string, number]> = {
  'ec2-malicious-ip-caller-custom': ['Instance', 5],
  'ec2-port-probe-low-severity': ['Instance', 2],
  'iam-user-malicious-ip-caller-custom': ['AccessKey', 5],
  'iam-user-recon-malicious-ip-caller-custom': ['AccessKey', 5],
  'instance-credential-exfiltration-outside-aws': ['AccessKey', 8],
  'instance-credential-exfiltration-inside-aws': ['AccessKey', 8],
  's3-bucket-public-access': ['S3Bucket', 2],
  'kubernetes-anonymous-access': ['EKSCluster', 8],
  'lambda-command-and-control': ['Lambda', 8],
  'attack-sequence-iam-compromised-credentials': ['AttackSequence', 9],
  'attack-sequence-s3-compromised-data': ['AttackSequence', 9],
  'attack-sequence-eks-compromised-cluster': ['AttackSequence', 9],
  'attack-sequence-ecs-compromised-cluster': ['AttackSequence', 9],
  'attack-sequence-ec2-compromised-instance-group': ['AttackSequence', 9],
};
const NAMES = Object.keys(FIXTURES);

function message(key: string) {
  const found = RESOURCE_MESSAGES.find((candidate) => candidate.key === key);
  if (!found) throw new Error(`no message ${key}`);
  return found;
}

describe('finding fixtures', () => {
  it.each(NAMES)('%s is a finding in the EventBridge shape (camelCase detail)', (name) => {
    const event = findingEvent(name);
    expect(event.source).toBe(FINDING_SOURCE);
    expect(event['detail-type']).toBe(FINDING_DETAIL_TYPE);
    expect(event.detail).toEqual(expect.objectContaining({ schemaVersion: '2.0', id: expect.any(String), accountId: expect.stringMatching(/^\d{12}$/) }));
    expect(event.detail.Id).toBeUndefined();
    expect([event.detail.resource.resourceType, event.detail.severity]).toEqual(FIXTURES[name]);
  });
});

describe('attack sequence fixtures', () => {
  const SEQUENCES = NAMES.filter((name) => FIXTURES[name][0] === 'AttackSequence');

  it('are one of each attack sequence type GuardDuty documents', () => {
    expect(SEQUENCES.map((name) => findingEvent(name).detail.type).sort()).toEqual([
      'AttackSequence:EC2/CompromisedInstanceGroup',
      'AttackSequence:ECS/CompromisedCluster',
      'AttackSequence:EKS/CompromisedCluster',
      'AttackSequence:IAM/CompromisedCredentials',
      'AttackSequence:S3/CompromisedData',
    ]);
    for (const name of SEQUENCES) expect(isAttackSequence(findingEvent(name).detail.type)).toBe(true);
    for (const name of NAMES.filter((candidate) => !SEQUENCES.includes(candidate))) expect(isAttackSequence(findingEvent(name).detail.type)).toBe(false);
  });

  it.each(SEQUENCES)('%s has the sequence where GuardDuty puts it: service.detection.sequence, signals in the API model shape', (name) => {
    const { service, resource } = findingEvent(name).detail;
    expect(resource).toEqual({ resourceType: 'AttackSequence' });
    expect(service.featureName).toBe('Correlation');
    const { sequence } = service.detection;
    expect(Object.keys(sequence).sort()).toEqual(['actors', 'description', 'endpoints', 'resources', 'sequenceIndicators', 'signals', 'uid']);
    expect(sequence.signals.length).toBeGreaterThanOrEqual(1);
    for (const signal of sequence.signals) {
      expect(signal).toEqual(expect.objectContaining({ uid: expect.any(String), name: expect.any(String), count: expect.any(Number), firstSeenAt: expect.any(String), lastSeenAt: expect.any(String) }));
      expect(['CLOUD_TRAIL', 'DNS_LOGS', 'EKS_AUDIT_LOGS', 'FINDING', 'FLOW_LOGS', 'RUNTIME_MONITORING', 'S3_DATA_EVENTS']).toContain(signal.type);
    }
    for (const entry of sequence.resources) expect(entry).toEqual(expect.objectContaining({ uid: expect.any(String), resourceType: expect.stringMatching(/^[A-Z0-9_]+$/) }));
  });
});

describe('findingPattern', () => {
  it('matches every GuardDuty finding and nothing else when not narrowed', () => {
    const pattern = findingPattern();
    expect(pattern).toEqual({ source: ['aws.guardduty'], 'detail-type': ['GuardDuty Finding'] });
    for (const name of NAMES) expect(matchesPattern(pattern, findingEvent(name))).toBe(true);
    const securityHub = { ...findingEvent('ec2-malicious-ip-caller-custom'), source: 'aws.securityhub' };
    const malwareScan = { ...findingEvent('ec2-malicious-ip-caller-custom'), 'detail-type': 'GuardDuty Malware Protection Object Scan Result' };
    expect(matchesPattern(pattern, securityHub)).toBe(false);
    expect(matchesPattern(pattern, malwareScan)).toBe(false);
  });

  it('keeps findings at or above the minimum severity only', () => {
    const pattern = findingPattern({ minSeverity: 5 });
    expect(pattern.detail).toEqual({ severity: [{ numeric: ['>=', 5] }] });
    const matched = NAMES.filter((name) => matchesPattern(pattern, findingEvent(name)));
    expect(matched).toEqual(NAMES.filter((name) => FIXTURES[name][1] >= 5));
    expect(matched).not.toContain('ec2-port-probe-low-severity');
    expect(matched).not.toContain('s3-bucket-public-access');
  });

  it('leaves severity out at 0, so a finding without one still matches', () => {
    expect(findingPattern({ minSeverity: 0 })).toEqual(findingPattern());
  });

  it('refuses both a resource list and an exclusion list', () => {
    expect(() => findingPattern({ resourceTypes: ['Instance'], exceptResourceTypes: ['S3Bucket'] })).toThrow(/not both/);
  });
});

describe('resource messages', () => {
  it('route each finding to exactly one message, the one for its resource type', () => {
    for (const name of NAMES) {
      const event = findingEvent(name);
      const keys = RESOURCE_MESSAGES.filter((candidate) => matchesPattern(resourceMessagePattern(candidate, 0), event)).map((m) => m.key);
      const expected = { Instance: 'instance', AccessKey: 'access-key', S3Bucket: 's3-bucket', EKSCluster: 'eks-cluster', AttackSequence: 'attack-sequence' }[FIXTURES[name][0]] ?? 'other';
      expect([name, keys]).toEqual([name, [expected]]);
    }
  });

  it('send nothing below the e-mail severity', () => {
    const low = findingEvent('ec2-port-probe-low-severity');
    expect(matchesPattern(resourceMessagePattern(message('instance'), 4), low)).toBe(false);
    expect(matchesPattern(resourceMessagePattern(message('instance'), 4), findingEvent('ec2-malicious-ip-caller-custom'))).toBe(true);
    expect(matchesPattern(resourceMessagePattern(message('s3-bucket'), 4), findingEvent('s3-bucket-public-access'))).toBe(false);
    expect(matchesPattern(resourceMessagePattern(message('s3-bucket'), 2), findingEvent('s3-bucket-public-access'))).toBe(true);
  });

  it('name the catch-all exclusions after every other message', () => {
    expect(namedResourceTypes()).toEqual(['Instance', 'AccessKey', 'S3Bucket', 'EKSCluster', 'AttackSequence']);
    expect(resourceMessagePattern(message('other'), 0).detail).toEqual({ resource: { resourceType: [{ 'anything-but': ['Instance', 'AccessKey', 'S3Bucket', 'EKSCluster', 'AttackSequence'] }] } });
  });

  it.each([
    [
      'instance',
      'ec2-malicious-ip-caller-custom',
      'GuardDuty Finding | ID:a8c7f1e2d3b4a5c6d7e8f9a0b1c2d3e4: severity 5 UnauthorizedAccess:EC2/MaliciousIPCaller.Custom in account 333333333333 (us-west-2) on EC2 instance i-0a1b2c3d4e5f60718: EC2 instance i-0a1b2c3d4e5f60718 is communicating outbound with a custom threat list IP address.',
    ],
    [
      'access-key',
      'instance-credential-exfiltration-outside-aws',
      'GuardDuty Finding | ID:d4f6b8c0e2a4d6f8b0c2e4a6d8f0b2c4: severity 8 UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS in account 333333333333 (us-west-2) on AssumedRole GuardDuty-Example-EC2-Compromised (access key ASIAEXAMPLEEXFILTRATED): Credentials for instance role GuardDuty-Example-EC2-Compromised used from external IP address.',
    ],
    [
      'access-key',
      'iam-user-malicious-ip-caller-custom',
      'GuardDuty Finding | ID:b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2: severity 5 UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom in account 333333333333 (us-west-2) on IAMUser GuardDuty-Example-Compromised-Simulated (access key AKIAEXAMPLESIMULATED): API GetParameters was invoked from an IP address on a custom threat list.',
    ],
    [
      's3-bucket',
      's3-bucket-public-access',
      'GuardDuty Finding | ID:7cc2a1b3d4e5f60718293a4b5c6d7e8f: severity 2 Policy:S3/BucketBlockPublicAccessDisabled in account 444444444444 (us-east-1) on S3 bucket shared-services-reports: Amazon S3 Block Public Access was disabled for S3 bucket shared-services-reports.',
    ],
    [
      'eks-cluster',
      'kubernetes-anonymous-access',
      'GuardDuty Finding | ID:4a9d8c7b6e5f40312a1b0c9d8e7f6a5b: severity 8 Policy:Kubernetes/AnonymousAccessGranted in account 444444444444 (eu-west-1) on EKS cluster platform-prod (Kubernetes user kubernetes-admin): The system:anonymous user was granted API permission on EKS cluster platform-prod.',
    ],
    [
      'other',
      'lambda-command-and-control',
      'GuardDuty Finding | ID:6b5a4c3d2e1f00918273645546372819: severity 8 Backdoor:Lambda/C&CActivity.B in account 444444444444 (us-west-2) on Lambda resource: Lambda function report-builder is querying an IP address that is associated with a known command and control server.',
    ],
    [
      'attack-sequence',
      'attack-sequence-s3-compromised-data',
      'GuardDuty Finding | ID:b174b38d16e34da0a4c66012083bd8f7: severity 9 AttackSequence:S3/CompromisedData in account 444444444444 (eu-west-1) on attack sequence b2e8f4d3-8c2e-4d6f-a01b-2c3d4e5f6071 (first signals: s3:ListBuckets; cloudtrail:StopLogging; s3:PutBucketPublicAccessBlock. First resources: customer-exports, billing-archive, analytics-etl. No automatic remediation: an attack sequence names no single resource to act on): Potential data compromise of one or more S3 buckets involving a sequence of actions associated with IAMUser/analytics-etl.',
    ],
    [
      'attack-sequence',
      'attack-sequence-iam-compromised-credentials',
      'GuardDuty Finding | ID:8c258d654378414b9bc26f61a93eb816: severity 9 AttackSequence:IAM/CompromisedCredentials in account 444444444444 (us-east-1) on attack sequence a1f7e3c2-7b1d-4c5e-9f0a-1b2c3d4e5f60 (first signals: iam:CreateRole; iam:AttachRolePolicy; Stealth:IAMUser/CloudTrailLoggingDisabled. First resources: ci-deployer, , . No automatic remediation: an attack sequence names no single resource to act on): Potential credential compromise of IAMUser/ci-deployer indicated by a sequence of actions.',
    ],
    [
      'instance',
      'ec2-port-probe-low-severity',
      'GuardDuty Finding | ID:1f2e3d4c5b6a79880a1b2c3d4e5f6071: severity 2 Recon:EC2/PortProbeUnprotectedPort in account 333333333333 (us-west-2) on EC2 instance i-0f1e2d3c4b5a69788: Unprotected port on EC2 instance i-0f1e2d3c4b5a69788 is being probed.',
    ],
  ])('%s message reads as one line for %s', (key, fixture, text) => {
    const rendered = renderInputTransformer(resourceMessageTransformer(message(key)), findingEvent(fixture));
    expect(JSON.parse(rendered)).toBe(text);
  });

  it('use the finding’s own account and region, not those of the bus that delivered it', () => {
    const event = findingEvent('kubernetes-anonymous-access');
    expect(event.account).not.toBe(event.detail.accountId);
    const text = JSON.parse(renderInputTransformer(resourceMessageTransformer(message('eks-cluster')), event));
    expect(text).toContain('in account 444444444444 (eu-west-1)');
    expect(text).not.toContain(event.account);
  });
});

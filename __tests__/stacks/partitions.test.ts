import { loadConfig } from '../../lib/config/load';
import { planStacks } from '../../lib/plan/stacks';
import { REPO_ROOT, synthApp } from '../helpers/synth';

/**
 * `__tests__/fixtures/govcloud` and `__tests__/fixtures/china` are the everything-on fixture moved to
 * a GovCloud and a China home region (China without runtime monitoring, which it does not offer):
 * every kind of stack, synthesized, must name its own partition in every ARN and use the
 * partition's service principals and endpoints, and nothing of the commercial partition.
 */
const EVERY_KIND = [
  'admin', 'detective', 'detective-members', 'malware-protection', 'member-plans', 'members', 'organization', 'remediation', 'remediation-scp',
  'security-hub', 'security-hub-members', 'simulation', 'threat-intel',
];

describe.each([
  {
    fixture: 'govcloud',
    partition: 'aws-us-gov',
    home: 'us-gov-west-1',
    // No service of ours has a `.com.cn` principal outside China; the kms:ViaService endpoint is S3's
    // in the bucket's region.
    names: [
      'delivery.logs.amazonaws.com', 'detective.amazonaws.com', 'ec2.amazonaws.com', 'events.amazonaws.com', 'guardduty.amazonaws.com',
      'lambda.amazonaws.com', 'logs.us-gov-west-1.amazonaws.com', 'malware-protection-plan.guardduty.amazonaws.com',
      'malware-protection.guardduty.amazonaws.com', 's3.us-gov-west-1.amazonaws.com', 'securityhub.amazonaws.com',
    ],
  },
  {
    fixture: 'china',
    partition: 'aws-cn',
    home: 'cn-north-1',
    // CloudWatch Logs is one of the three services whose China principal ends in .com.cn; endpoints
    // (kms:ViaService) take the partition's DNS suffix.
    names: [
      'delivery.logs.amazonaws.com', 'detective.amazonaws.com', 'ec2.amazonaws.com', 'events.amazonaws.com', 'guardduty.amazonaws.com',
      'lambda.amazonaws.com', 'logs.cn-north-1.amazonaws.com.cn', 'malware-protection-plan.guardduty.amazonaws.com',
      'malware-protection.guardduty.amazonaws.com', 's3.cn-north-1.amazonaws.com.cn', 'securityhub.amazonaws.com',
    ],
  },
])('the $fixture fixture', ({ fixture, partition, home, names }) => {
  const config = loadConfig(`__tests__/fixtures/${fixture}/org.json`, { cwd: REPO_ROOT });
  const synth = synthApp(config);
  const texts = synth.stackIds.map((id) => [id, JSON.stringify(synth.stack(id))] as const);

  it('plans every kind of stack the everything-on fixture plans', () => {
    expect([...new Set(planStacks(config).stacks.map((stack) => stack.kind))].sort()).toEqual(EVERY_KIND);
  });

  it(`writes every ARN in ${partition}, none in the commercial partition`, () => {
    for (const [id, text] of texts) {
      expect({ id, commercial: text.match(/arn:aws:[^"]*/g) ?? [] }).toEqual({ id, commercial: [] });
      const partitions = new Set([...text.matchAll(/arn:([a-z-]+):/g)].map((match) => match[1]));
      expect({ id, partitions: [...partitions] }).toEqual({ id, partitions: partitions.size === 0 ? [] : [partition] });
    }
    const all = texts.map(([, text]) => text).join('\n');
    expect(all).toContain(`arn:${partition}:iam::222222222222:role/OrganizationAccountAccessRole`);
    expect(all).toContain(`arn:${partition}:securityhub:${home}::product/aws/guardduty`);
  });

  it('names exactly the service principals and endpoints of its partition', () => {
    const found = new Set(texts.flatMap(([, text]) => text.match(/[a-z0-9.-]+\.amazonaws\.com(\.cn)?/g) ?? []));
    expect([...found].sort()).toEqual(names);
  });

  it('reads lists from their S3 URI, not the commercial s3.amazonaws.com host', () => {
    const locations = synth.stack('threat-intel').locals.threat_list_locations;
    expect(Object.values(locations)).toEqual([expect.stringMatching(/^s3:\/\/\$\{aws_s3_object\.list-bucket_threat-Example-Threat-List_[0-9A-F]+\.bucket\}\/\$\{aws_s3_object\./)]);
    const trusted = Object.values(synth.resources('threat-intel', 'aws_guardduty_ipset')).map((set: Record<string, any>) => set.location);
    expect(trusted).toEqual(config.regions.map(() => expect.stringMatching(/^s3:\/\/\$\{aws_s3_object\.list-bucket_trusted-Trusted_/)));
  });
});

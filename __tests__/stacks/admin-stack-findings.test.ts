import { matchesPattern, renderInputTransformer } from '../helpers/eventbridge';
import { findingEvent } from '../helpers/fixtures';
import { synthApp, testConfig, type Synthesized } from '../helpers/synth';

/**
 * The findings flow of the admin stack, read back from the synthesized Terraform JSON: every rule's
 * pattern and every input transformer is evaluated against the finding fixtures.
 */

const ADMIN = '222222222222';
const HOME = 'us-west-2';
const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const FIXTURES = [
  'ec2-malicious-ip-caller-custom',
  'ec2-port-probe-low-severity',
  'iam-user-malicious-ip-caller-custom',
  'iam-user-recon-malicious-ip-caller-custom',
  'instance-credential-exfiltration-outside-aws',
  'instance-credential-exfiltration-inside-aws',
  's3-bucket-public-access',
  'kubernetes-anonymous-access',
  'lambda-command-and-control',
  'attack-sequence-iam-compromised-credentials',
  'attack-sequence-s3-compromised-data',
  'attack-sequence-eks-compromised-cluster',
  'attack-sequence-ecs-compromised-cluster',
  'attack-sequence-ec2-compromised-instance-group',
];
const ATTACK_SEQUENCES = FIXTURES.filter((name) => name.startsWith('attack-sequence-'));

type Resource = Record<string, any>;

function all(synth: Synthesized, type: string): Resource[] {
  return Object.values(synth.resources('admin', type));
}

/** The Terraform address `${type.name.attr}` a token refers to. */
function ref(synth: Synthesized, type: string, where: (resource: Resource) => boolean, attribute: string): string {
  const entries = Object.entries(synth.resources('admin', type)).filter(([, resource]) => where(resource));
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return `\${${type}.${entries[0][0]}.${attribute}}`;
}

/** A value read through one of the stack's local maps (`${local.name["key"]}`), or the value itself. */
function throughLocals(synth: Synthesized, value: string): string {
  const local = /^\$\{local\.([A-Za-z0-9_-]+)\["([^"]+)"\]\}$/.exec(value);
  return local ? synth.stack('admin').locals[local[1]][local[2]] : value;
}

function rulesByName(synth: Synthesized): Record<string, Resource> {
  return Object.fromEntries(all(synth, 'aws_cloudwatch_event_rule').map((rule) => [`${rule.name}@${rule.region}`, rule]));
}

function matching(rule: Resource): string[] {
  return FIXTURES.filter((name) => matchesPattern(rule.event_pattern, findingEvent(name)));
}

/**
 * A policy's statements. Terraform reads `${...}` in the policy text as an expression, in which an
 * instance key keeps its quotes (`forwarder["us-east-1"]`); they are escaped here to parse the rest as JSON.
 */
function statements(policy: string): Resource[] {
  return JSON.parse(policy.replace(/\$\{[^{}]*\}/g, (expression) => expression.replace(/"/g, '\\"'))).Statement;
}

describe('admin stack findings flow, example configuration', () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthApp(testConfig());
  });

  it('has one forwarder per region on the default bus, each targeting the central bus in the home region through the sender role', () => {
    const bus = ref(synth, 'aws_cloudwatch_event_bus', () => true, 'arn');
    const role = ref(synth, 'aws_iam_role', (r) => r.name === 'acme-findings-forwarder', 'arn');
    const forwarders = all(synth, 'aws_cloudwatch_event_rule').filter((rule) => rule.name === 'acme-findings-forward');
    expect(forwarders.map((rule) => rule.region).sort()).toEqual([...REGIONS].sort());
    for (const rule of forwarders) expect(rule.event_bus_name).toBe('default');

    const targets = all(synth, 'aws_cloudwatch_event_target').filter((target) => target.target_id === 'central-bus');
    expect(targets.map((target) => target.region).sort()).toEqual([...REGIONS].sort());
    for (const target of targets) {
      expect(target).toMatchObject({ arn: bus, role_arn: role, event_bus_name: 'default' });
      expect(target.input_transformer).toBeUndefined();
      expect(target.input).toBeUndefined();
      expect(target.input_path).toBeUndefined();
    }
    const [centralBus] = all(synth, 'aws_cloudwatch_event_bus');
    expect(centralBus).toMatchObject({ name: 'acme-findings', region: HOME });
  });

  it('forwards every GuardDuty finding and nothing else', () => {
    for (const rule of all(synth, 'aws_cloudwatch_event_rule').filter((r) => r.name === 'acme-findings-forward')) {
      expect(matching(rule)).toEqual(FIXTURES);
      expect(matchesPattern(rule.event_pattern, { ...findingEvent('s3-bucket-public-access'), source: 'aws.securityhub' })).toBe(false);
    }
  });

  it('gives the sender role nothing but PutEvents on the central bus, assumable by EventBridge for this account only', () => {
    const [role] = all(synth, 'aws_iam_role');
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'aws:SourceAccount': ADMIN } } },
    ]);
    const [policy] = all(synth, 'aws_iam_role_policy');
    expect(statements(policy.policy)).toEqual([{ Effect: 'Allow', Action: 'events:PutEvents', Resource: ref(synth, 'aws_cloudwatch_event_bus', () => true, 'arn') }]);
    expect(all(synth, 'aws_iam_role_policy_attachment')).toEqual([]);
  });

  it('admits no other account on the central bus: every forwarder runs in the admin account', () => {
    expect(all(synth, 'aws_cloudwatch_event_permission')).toEqual([]);
    expect(all(synth, 'aws_cloudwatch_event_bus_policy')).toEqual([]);
    // The forwarders' targets are the bus, through the admin account's own sender role.
    const role = ref(synth, 'aws_iam_role', (resource) => resource.name === 'acme-findings-forwarder', 'arn');
    for (const target of all(synth, 'aws_cloudwatch_event_target').filter((target) => target.target_id === 'central-bus')) expect(target.role_arn).toBe(role);
  });

  it('archives every finding on the central bus for a year by default', () => {
    const [archive] = all(synth, 'aws_cloudwatch_event_archive');
    expect(archive).toMatchObject({ region: HOME, retention_days: 365, event_source_arn: ref(synth, 'aws_cloudwatch_event_bus', () => true, 'arn') });
    expect(matching(archive)).toEqual(FIXTURES);
  });

  it('e-mails findings of severity 4 and above, one rule per resource kind on the central bus, each finding once', () => {
    const busName = ref(synth, 'aws_cloudwatch_event_bus', () => true, 'name');
    const rules = rulesByName(synth);
    const email = ['instance', 'access-key', 's3-bucket', 'eks-cluster', 'attack-sequence', 'other'].map((key) => rules[`acme-findings-email-${key}@${HOME}`]);
    for (const rule of email) expect(rule.event_bus_name).toBe(busName);
    expect(email.map(matching)).toEqual([
      ['ec2-malicious-ip-caller-custom'],
      ['iam-user-malicious-ip-caller-custom', 'iam-user-recon-malicious-ip-caller-custom', 'instance-credential-exfiltration-outside-aws', 'instance-credential-exfiltration-inside-aws'],
      [],
      ['kubernetes-anonymous-access'],
      ATTACK_SEQUENCES,
      ['lambda-command-and-control'],
    ]);
  });

  it('renders each e-mail target’s input transformer into the readable line', () => {
    const topic = ref(synth, 'aws_sns_topic', () => true, 'arn');
    const targets = all(synth, 'aws_cloudwatch_event_target').filter((target) => target.arn === topic);
    expect(targets).toHaveLength(6);
    const rules = Object.entries(synth.resources('admin', 'aws_cloudwatch_event_rule'));
    const sent: string[] = [];
    for (const target of targets) {
      const [, rule] = rules.find(([name]) => target.rule === `\${aws_cloudwatch_event_rule.${name}.name}`)!;
      for (const name of matching(rule)) sent.push(JSON.parse(renderInputTransformer(target.input_transformer, findingEvent(name))));
    }
    expect(sent).toHaveLength(12);
    for (const text of sent) expect(text).toMatch(/^GuardDuty Finding \| ID:[0-9a-f]{32}: severity \d+(\.\d+)? \S+ in account \d{12} \([a-z0-9-]+\) on .+: .+$/);
    expect(sent).toContain(
      'GuardDuty Finding | ID:4a9d8c7b6e5f40312a1b0c9d8e7f6a5b: severity 8 Policy:Kubernetes/AnonymousAccessGranted in account 444444444444 (eu-west-1) on EKS cluster platform-prod (Kubernetes user kubernetes-admin): The system:anonymous user was granted API permission on EKS cluster platform-prod.',
    );
  });

  it('encrypts the topic with a customer key EventBridge may use, lets only the e-mail rules publish, and subscribes the addresses', () => {
    const [topic] = all(synth, 'aws_sns_topic');
    expect(topic).toMatchObject({ name: 'acme-findings-email', region: HOME });
    const topicKey = ref(synth, 'aws_kms_key', (key) => key.description.includes('SNS'), 'arn');
    expect(topic.kms_master_key_id).toBe(topicKey);
    const key = all(synth, 'aws_kms_key').find((candidate) => candidate.description.includes('SNS'))!;
    expect(statements(key.policy)).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ADMIN}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'PublishersEncrypt', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: ['kms:GenerateDataKey*', 'kms:Decrypt'], Resource: '*' },
    ]);
    const [topicPolicy] = all(synth, 'aws_sns_topic_policy');
    const [publish] = statements(topicPolicy.policy);
    const emailRules = Object.entries(synth.resources('admin', 'aws_cloudwatch_event_rule'))
      .filter(([, rule]) => rule.name.startsWith('acme-findings-email-'))
      .map(([name]) => `\${aws_cloudwatch_event_rule.${name}.arn}`);
    expect(publish.Condition.ArnEquals['aws:SourceArn'].sort()).toEqual(emailRules.sort());
    expect(statements(topicPolicy.policy)).toHaveLength(1);
    expect(all(synth, 'aws_sns_topic_subscription').map((s) => [s.protocol, s.endpoint])).toEqual([['email', 'secops@example.com']]);
  });

  it('e-mails each attack sequence once, naming the sequence, its first signals and resources, and that nothing is remediated', () => {
    const rules = rulesByName(synth);
    const rule = rules[`acme-findings-email-attack-sequence@${HOME}`];
    const [name] = Object.entries(synth.resources('admin', 'aws_cloudwatch_event_rule')).find(([, candidate]) => candidate === rule)!;
    const target = all(synth, 'aws_cloudwatch_event_target').find((candidate) => candidate.rule === `\${aws_cloudwatch_event_rule.${name}.name}`)!;
    for (const fixture of ATTACK_SEQUENCES) {
      const event = findingEvent(fixture);
      const text = JSON.parse(renderInputTransformer(target.input_transformer, event)) as string;
      const { sequence } = event.detail.service.detection;
      expect(text).toContain(`${event.detail.type} in account ${event.detail.accountId} (${event.detail.region}) on attack sequence ${sequence.uid} (first signals: ${sequence.signals.slice(0, 3).map((signal: any) => signal.name).join('; ')}`);
      expect(text).toContain(`First resources: ${sequence.resources[0].name}`);
      expect(text).toContain('No automatic remediation: an attack sequence names no single resource to act on');
      expect(text.endsWith(`: ${event.detail.title}`)).toBe(true);
    }
  });

  it('sends every finding unchanged to the log group and the SIEM queue', () => {
    const rules = rulesByName(synth);
    const sinks = rules[`acme-findings-sinks@${HOME}`];
    expect(matching(sinks)).toEqual(FIXTURES);
    const [logGroup] = all(synth, 'aws_cloudwatch_log_group');
    const logKey = ref(synth, 'aws_kms_key', (key) => key.description.includes('/aws/events/acme-findings'), 'arn');
    expect(logGroup).toMatchObject({ name: '/aws/events/acme-findings', retention_in_days: 365, region: HOME, kms_key_id: logKey });
    const logArn = ref(synth, 'aws_cloudwatch_log_group', () => true, 'arn');
    const siemArn = ref(synth, 'aws_sqs_queue', (queue) => queue.name === 'acme-findings-siem', 'arn');
    const targets = all(synth, 'aws_cloudwatch_event_target').filter((target) => [logArn, siemArn].includes(target.arn));
    expect(targets.map((target) => target.target_id).sort()).toEqual(['log-group', 'siem-queue']);
    for (const target of targets) {
      expect(target.input_transformer).toBeUndefined();
      expect(target.role_arn).toBeUndefined();
    }
    const [logPolicy] = all(synth, 'aws_cloudwatch_log_resource_policy');
    expect(statements(logPolicy.policy_document)).toEqual([
      {
        Sid: 'EventBridgeWritesFindings',
        Effect: 'Allow',
        Principal: { Service: ['events.amazonaws.com', 'delivery.logs.amazonaws.com'] },
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `${logArn}:*`,
        Condition: { ArnEquals: { 'aws:SourceArn': ref(synth, 'aws_cloudwatch_event_rule', (rule) => rule.name === 'acme-findings-sinks', 'arn') }, StringEquals: { 'aws:SourceAccount': ADMIN } },
      },
    ]);
  });

  it('encrypts the findings log group with a key CloudWatch Logs may use for that group of this account only', () => {
    const [key] = all(synth, 'aws_kms_key').filter((candidate) => candidate.description.includes('/aws/events/acme-findings'));
    expect(statements(key.policy)[1]).toEqual({
      Sid: 'LogsEncryptTheseGroups',
      Effect: 'Allow',
      Principal: { Service: `logs.${HOME}.amazonaws.com` },
      Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      Resource: '*',
      Condition: { ArnEquals: { 'kms:EncryptionContext:aws:logs:arn': `arn:aws:logs:${HOME}:${ADMIN}:log-group:/aws/events/acme-findings` } },
    });
  });

  it('encrypts the SIEM queue, gives it its own dead-letter queue, and lets only the sinks rule send to it', () => {
    const queues = Object.fromEntries(all(synth, 'aws_sqs_queue').filter((q) => q.region === HOME).map((q) => [q.name, q]));
    expect(queues['acme-findings-siem']).toMatchObject({ sqs_managed_sse_enabled: true });
    expect(JSON.parse(queues['acme-findings-siem'].redrive_policy)).toEqual({
      deadLetterTargetArn: ref(synth, 'aws_sqs_queue', (q) => q.name === 'acme-findings-siem-dlq', 'arn'),
      maxReceiveCount: 5,
    });
    expect(queues['acme-findings-siem-dlq']).toMatchObject({ sqs_managed_sse_enabled: true });
    const siemUrl = ref(synth, 'aws_sqs_queue', (q) => q.name === 'acme-findings-siem', 'url');
    const policy = all(synth, 'aws_sqs_queue_policy').find((p) => p.queue_url === siemUrl)!;
    expect(statements(policy.policy)).toEqual([
      expect.objectContaining({
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Condition: { ArnEquals: { 'aws:SourceArn': ref(synth, 'aws_cloudwatch_event_rule', (r) => r.name === 'acme-findings-sinks', 'arn') } },
      }),
    ]);
  });

  it('keys each region’s forwarding rule and target by region', () => {
    const forwarders = (type: string) => Object.keys(synth.resources('admin', type)).filter((address) => address.startsWith('forwarder'));
    const expected = REGIONS.map((region) => `forwarder["${region}"]`).sort();
    expect(forwarders('aws_cloudwatch_event_rule').sort()).toEqual(expected);
    expect(forwarders('aws_cloudwatch_event_target').sort()).toEqual(expected);
  });

  it('gives every target a retry policy and a dead-letter queue in its own region that lets its rule send', () => {
    const targets = all(synth, 'aws_cloudwatch_event_target');
    expect(targets).toHaveLength(REGIONS.length + 6 + 2);
    const dlqs = Object.entries(synth.resources('admin', 'aws_sqs_queue')).filter(([, queue]) => queue.name === 'acme-findings-dlq');
    expect(dlqs.map(([, queue]) => queue.region).sort()).toEqual([...REGIONS].sort());
    for (const target of targets) {
      expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 });
      const [dlqName, dlq] = dlqs.find(([name]) => throughLocals(synth, target.dead_letter_config.arn) === `\${aws_sqs_queue.${name}.arn}`)!;
      expect(dlq.region).toBe(target.region);
      const policy = all(synth, 'aws_sqs_queue_policy').find((p) => p.queue_url === `\${aws_sqs_queue.${dlqName}.url}`)!;
      const ruleArn = target.rule.replace(/\.name\}$/, '.arn}');
      const allowed = [statements(throughLocals(synth, policy.policy))[0].Condition.ArnEquals['aws:SourceArn']].flat();
      expect(allowed).toContain(ruleArn);
    }
  });

  it('exports findings from every region’s detector to one KMS-encrypted bucket in the home region', () => {
    const destinations = all(synth, 'aws_guardduty_publishing_destination');
    expect(destinations.map((d) => d.region).sort()).toEqual([...REGIONS].sort());
    const bucketArn = ref(synth, 'aws_s3_bucket', () => true, 'arn');
    const exportKey = ref(synth, 'aws_kms_key', (key) => key.description.includes('exported'), 'arn');
    for (const destination of destinations) {
      expect(destination).toMatchObject({ destination_type: 'S3', destination_arn: bucketArn, kms_key_arn: exportKey });
      expect(throughLocals(synth, destination.detector_id)).toBe(ref(synth, 'aws_guardduty_detector', (d) => d.region === destination.region, 'id'));
      expect(destination.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_s3_bucket_policy\./)]));
    }
    const [bucket] = all(synth, 'aws_s3_bucket');
    expect(bucket).toMatchObject({ bucket: `acme-findings-${ADMIN}-${HOME}`, region: HOME });
  });

  it('lets only this account’s GuardDuty use the export key, to generate data keys', () => {
    const key = all(synth, 'aws_kms_key').find((candidate) => candidate.description.includes('exported'))!;
    expect(key).toMatchObject({ region: HOME, enable_key_rotation: true });
    expect(statements(key.policy)).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ADMIN}:root` }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'GuardDutyEncryptsFindings',
        Effect: 'Allow',
        Principal: { Service: 'guardduty.amazonaws.com' },
        Action: 'kms:GenerateDataKey',
        Resource: '*',
        Condition: { StringEquals: { 'aws:SourceAccount': ADMIN }, ArnLike: { 'aws:SourceArn': `arn:aws:guardduty:*:${ADMIN}:detector/*` } },
      },
    ]);
  });

  it('protects the export bucket: public access blocked, TLS only, GuardDuty with its key only, colder storage after 90 days', () => {
    const bucketArn = ref(synth, 'aws_s3_bucket', () => true, 'arn');
    const exportKey = ref(synth, 'aws_kms_key', (key) => key.description.includes('exported'), 'arn');
    const [block] = all(synth, 'aws_s3_bucket_public_access_block');
    expect(block).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
    const [policy] = all(synth, 'aws_s3_bucket_policy');
    const bySid = Object.fromEntries(statements(policy.policy).map((statement) => [statement.Sid, statement]));
    expect(Object.keys(bySid)).toEqual(['DenyInsecureTransport', 'GuardDutyLocatesBucket', 'GuardDutyWritesFindings', 'DenyUnencryptedFindings', 'DenyOtherKeys']);
    expect(bySid.DenyInsecureTransport).toMatchObject({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const scoped = { StringEquals: { 'aws:SourceAccount': ADMIN }, ArnLike: { 'aws:SourceArn': `arn:aws:guardduty:*:${ADMIN}:detector/*` } };
    expect(bySid.GuardDutyLocatesBucket).toMatchObject({ Action: 's3:GetBucketLocation', Resource: bucketArn, Condition: scoped });
    expect(bySid.GuardDutyWritesFindings).toMatchObject({ Action: 's3:PutObject', Resource: `${bucketArn}/*`, Condition: scoped });
    expect(bySid.DenyOtherKeys.Condition).toEqual({ StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': exportKey } });
    const [encryption] = all(synth, 'aws_s3_bucket_server_side_encryption_configuration');
    expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: 'aws:kms', kms_master_key_id: exportKey });
    const [lifecycle] = all(synth, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule).toEqual([
      expect.objectContaining({ status: 'Enabled', transition: [{ days: 90, storage_class: 'GLACIER' }] }),
    ]);
    expect(lifecycle.rule[0].expiration).toBeUndefined();
  });
});

describe('admin stack findings flow, configured', () => {
  it('admits no other account on the central bus in invitations mode either', () => {
    const synth = synthApp(testConfig({ mode: 'invitations', organizationId: undefined }));
    expect(all(synth, 'aws_cloudwatch_event_permission')).toEqual([]);
    expect(all(synth, 'aws_cloudwatch_event_bus_policy')).toEqual([]);
  });

  it('applies the configured severities, retention, transition and expiry', () => {
    const synth = synthApp(
      testConfig({
        forwarding: { minSeverity: 7, archiveRetentionDays: 30 },
        notifications: { emails: ['a@example.com'], minSeverity: 2 },
        sinks: { logRetentionDays: 90, siemQueue: false },
        export: { transitionDays: 30, storageClass: 'DEEP_ARCHIVE', expirationDays: 400 },
      }),
    );
    const forwarders = all(synth, 'aws_cloudwatch_event_rule').filter((rule) => rule.name === 'acme-findings-forward');
    for (const rule of forwarders) {
      expect(matching(rule)).toEqual(['instance-credential-exfiltration-outside-aws', 'instance-credential-exfiltration-inside-aws', 'kubernetes-anonymous-access', 'lambda-command-and-control', ...ATTACK_SEQUENCES]);
    }
    const rules = rulesByName(synth);
    expect(matching(rules[`acme-findings-email-s3-bucket@${HOME}`])).toEqual(['s3-bucket-public-access']);
    expect(matching(rules[`acme-findings-email-instance@${HOME}`])).toEqual(['ec2-malicious-ip-caller-custom', 'ec2-port-probe-low-severity']);
    expect(all(synth, 'aws_cloudwatch_event_archive')[0].retention_days).toBe(30);
    expect(all(synth, 'aws_cloudwatch_log_group')[0].retention_in_days).toBe(90);
    expect(all(synth, 'aws_sqs_queue').map((q) => q.name)).not.toContain('acme-findings-siem');
    const [lifecycle] = all(synth, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule[0]).toMatchObject({ transition: [{ days: 30, storage_class: 'DEEP_ARCHIVE' }], expiration: [{ days: 400 }] });
  });

  it('creates no export when it is switched off', () => {
    const synth = synthApp(testConfig({ export: { enabled: false } }));
    expect(all(synth, 'aws_guardduty_publishing_destination')).toEqual([]);
    expect(all(synth, 'aws_s3_bucket')).toEqual([]);
    // The topic's key and the findings log group's key remain; the export's is gone.
    expect(all(synth, 'aws_kms_key').map((key) => key.description)).toEqual(['Encrypts SNS topic acme-findings-email', 'Encrypts the CloudWatch Logs groups /aws/events/acme-findings']);
  });
});

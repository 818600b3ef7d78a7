import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { matchesPattern, renderInputTransformer } from '../helpers/eventbridge';
import { findingEvent } from '../helpers/fixtures';
import { withLocals } from '../helpers/locals';
import { synthApp as synthRaw, testConfig, type Synthesized } from '../helpers/synth';

/** The app, with what its keyed blocks read from local maps in place. */
const synthApp = (config: Parameters<typeof synthRaw>[0]) => withLocals(synthRaw(config));

const STACK = 'sandbox-remediation';
const SANDBOX = '333333333333';
const FIXTURES = readdirSync(path.join(__dirname, '..', 'fixtures', 'findings')).map((file) => file.replace(/\.json$/, ''));

type Resources = Record<string, any>;
const values = (resources: Resources) => Object.values(resources) as Record<string, any>[];
const byName = (resources: Resources, field: string, name: string) => {
  const found = values(resources).find((resource) => resource[field] === name);
  if (!found) throw new Error(`no resource with ${field} ${name}`);
  return found;
};
const keyOf = (resources: Resources, resource: Record<string, any>) => Object.entries(resources).find(([, value]) => value === resource)![0];
/**
 * A JSON document whose strings hold Terraform references to keyed instances
 * (`"${aws_x.y["us-west-2/k"].arn}"`: Terraform reads the quotes as part of the reference), parsed
 * with those inner quotes as `'`; `reference` writes an expected reference the same way.
 */
const parsed = (text: string) => JSON.parse(text.replace(/\$\{[^{}]*\}/g, (reference) => reference.replace(/"/g, "'")));
const reference = (text: string) => text.replace(/"/g, "'");

// One synth per configuration: the app is large and bundling is done once per process.
let standard: Synthesized;
let everything: Synthesized;
beforeAll(() => {
  standard = synthApp(testConfig());
  everything = synthApp(
    testConfig({
      remediation: { mode: 'dry-run', regions: 'all', deactivateAccessKeys: true, rolePathPrefix: '/workloads/', roleNamePrefix: 'app-', emails: ['ir@example.com'] },
    }),
  );
});

describe('RemediationStack rules', () => {
  const rules = () => standard.resources(STACK, 'aws_cloudwatch_event_rule');

  it('creates the lab rules (and the alarm rule) on the default bus of the home region only', () => {
    expect(values(rules()).map((rule) => [rule.name, rule.region, rule.event_bus_name]).sort()).toEqual([
      ['GuardDuty-Event-EC2-MaliciousIPCaller', 'us-west-2', undefined],
      ['GuardDuty-Event-IAMUser-InstanceCredentialExfiltration', 'us-west-2', undefined],
      ['GuardDuty-Event-IAMUser-MaliciousIPCaller', 'us-west-2', undefined],
      ['acme-remediation-alarms', 'us-west-2', undefined],
      ['acme-remediation-sweep', 'us-west-2', undefined],
    ]);
  });

  it.each([
    ['GuardDuty-Event-EC2-MaliciousIPCaller', ['ec2-malicious-ip-caller-custom']],
    ['GuardDuty-Event-IAMUser-MaliciousIPCaller', ['iam-user-malicious-ip-caller-custom', 'iam-user-recon-malicious-ip-caller-custom']],
    ['GuardDuty-Event-IAMUser-InstanceCredentialExfiltration', ['instance-credential-exfiltration-inside-aws', 'instance-credential-exfiltration-outside-aws']],
  ])('%s matches exactly its findings among every fixture', (name, expected) => {
    const pattern = JSON.parse(byName(rules(), 'name', name).event_pattern);

    expect(FIXTURES.filter((fixture) => matchesPattern(pattern, findingEvent(fixture))).sort()).toEqual(expected);
  });

  it.each([
    ['GuardDuty-Event-EC2-MaliciousIPCaller', 'ec2-malicious-ip-caller-custom'],
    ['GuardDuty-Event-IAMUser-MaliciousIPCaller', 'iam-user-malicious-ip-caller-custom'],
    ['GuardDuty-Event-IAMUser-InstanceCredentialExfiltration', 'instance-credential-exfiltration-outside-aws'],
  ])('%s never matches a GuardDuty sample finding, and matches one that says sample: false', (name, fixture) => {
    const pattern = JSON.parse(byName(rules(), 'name', name).event_pattern);
    const sample = findingEvent(fixture);
    sample.detail.service.additionalInfo = { sample: true };
    const notSample = findingEvent(fixture);
    notSample.detail.service.additionalInfo = { sample: false };
    const noInfo = findingEvent(fixture);
    delete noInfo.detail.service.additionalInfo;

    expect(pattern.detail.service).toEqual({ additionalInfo: { sample: [false, { exists: false }] } });
    expect(matchesPattern(pattern, sample)).toBe(false);
    expect(matchesPattern(pattern, notSample)).toBe(true);
    expect(matchesPattern(pattern, noInfo)).toBe(true);
  });

  it('matches the older exfiltration type without suffix, and no finding of another account', () => {
    const exfiltration = JSON.parse(byName(rules(), 'name', 'GuardDuty-Event-IAMUser-InstanceCredentialExfiltration').event_pattern);
    const older = findingEvent('instance-credential-exfiltration-outside-aws');
    older.detail.type = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration';
    const foreign = findingEvent('instance-credential-exfiltration-outside-aws');
    foreign.account = '444444444444';

    expect(matchesPattern(exfiltration, older)).toBe(true);
    expect(matchesPattern(exfiltration, foreign)).toBe(false);
    expect(exfiltration.account).toEqual([SANDBOX]);
  });
});

describe('RemediationStack targets', () => {
  const targets = () => standard.resources(STACK, 'aws_cloudwatch_event_target');
  const ruleKey = (name: string) => keyOf(standard.resources(STACK, 'aws_cloudwatch_event_rule'), byName(standard.resources(STACK, 'aws_cloudwatch_event_rule'), 'name', name));
  const targetsOf = (name: string) => values(targets()).filter((target) => target.rule === `\${aws_cloudwatch_event_rule.${ruleKey(name)}.name}`);
  const lambdaKey = (functionName: string) => keyOf(standard.resources(STACK, 'aws_lambda_function'), byName(standard.resources(STACK, 'aws_lambda_function'), 'function_name', functionName));

  it('sends each lab rule to its Lambda and to the topic; the IAM user rule only to the topic by default', () => {
    const topic = '${aws_sns_topic.topic-us-west-2_topic_D8EFC07E.arn}';
    expect(targetsOf('GuardDuty-Event-EC2-MaliciousIPCaller').map((target) => [target.target_id, target.arn])).toEqual([
      ['email', topic],
      ['isolate-instance', `\${aws_lambda_function.${lambdaKey('acme-isolate-instance')}.arn}`],
    ]);
    expect(targetsOf('GuardDuty-Event-IAMUser-MaliciousIPCaller').map((target) => [target.target_id, target.arn])).toEqual([['email', topic]]);
    expect(targetsOf('GuardDuty-Event-IAMUser-InstanceCredentialExfiltration').map((target) => [target.target_id, target.arn])).toEqual([
      ['email', topic],
      ['revoke-role-sessions', `\${aws_lambda_function.${lambdaKey('acme-revoke-role-sessions')}.arn}`],
    ]);
  });

  it('gives every target a retry policy and the dead-letter queue', () => {
    const queue = '${aws_sqs_queue.dead-letters-us-west-2_queue_853290EF.arn}';
    for (const target of values(targets())) {
      expect(target.dead_letter_config.arn).toBe(queue);
      expect(target.retry_policy).toEqual({ maximum_event_age_in_seconds: 86400, maximum_retry_attempts: 185 });
    }
  });

  it.each([
    ['GuardDuty-Event-EC2-MaliciousIPCaller', 'ec2-malicious-ip-caller-custom', '"GuardDuty Finding | ID:a8c7f1e2d3b4a5c6d7e8f9a0b1c2d3e4: The EC2 instance i-0a1b2c3d4e5f60718 may be compromised and should be investigated"'],
    [
      'GuardDuty-Event-IAMUser-MaliciousIPCaller',
      'iam-user-recon-malicious-ip-caller-custom',
      '"GuardDuty Finding | ID:c3e5a7b9d1f3c5e7a9b1d3f5c7e9a1b3: The IAM user GuardDuty-Example-Compromised-Simulated (access key AKIAEXAMPLESIMULATED) called ListUsers from 198.51.100.77, an IP address on a threat list that you uploaded; the user may be compromised and should be investigated"',
    ],
    [
      'GuardDuty-Event-IAMUser-InstanceCredentialExfiltration',
      'instance-credential-exfiltration-outside-aws',
      '"GuardDuty Finding | ID:d4f6b8c0e2a4d6f8b0c2e4a6d8f0b2c4: The credentials of the instance role GuardDuty-Example-EC2-Compromised (EC2 instance i-0b2c3d4e5f6071829) were used from 192.0.2.145; they may be compromised and should be investigated"',
    ],
  ])('%s e-mails in the lab wording', (name, fixture, expected) => {
    const email = targetsOf(name).find((target) => target.target_id === 'email')!;

    expect(renderInputTransformer(email.input_transformer, findingEvent(fixture))).toBe(expected);
  });

  it('lets exactly these rules invoke the functions', () => {
    const permissions = values(standard.resources(STACK, 'aws_lambda_permission'));
    expect(permissions.map((permission) => [permission.function_name, permission.principal, permission.source_arn, permission.source_account])).toEqual([
      [`\${aws_lambda_function.${lambdaKey('acme-isolate-instance')}.function_name}`, 'events.amazonaws.com', `\${aws_cloudwatch_event_rule.${ruleKey('GuardDuty-Event-EC2-MaliciousIPCaller')}.arn}`, SANDBOX],
      [
        `\${aws_lambda_function.${lambdaKey('acme-revoke-role-sessions')}.function_name}`,
        'events.amazonaws.com',
        `\${aws_cloudwatch_event_rule.${ruleKey('GuardDuty-Event-IAMUser-InstanceCredentialExfiltration')}.arn}`,
        SANDBOX,
      ],
      [`\${aws_lambda_function.${lambdaKey('acme-sweep-isolations')}.function_name}`, 'events.amazonaws.com', `\${aws_cloudwatch_event_rule.${ruleKey('acme-remediation-sweep')}.arn}`, SANDBOX],
    ]);
  });

  it('lets every rule publish to the topic (the sweep schedule e-mails nothing) and send dead letters, and nothing else', () => {
    const ruleArns = Object.keys(standard.resources(STACK, 'aws_cloudwatch_event_rule')).map((key) => reference(`\${aws_cloudwatch_event_rule.${key}.arn}`));
    const sweepRule = reference(`\${aws_cloudwatch_event_rule.${ruleKey('acme-remediation-sweep')}.arn}`);
    const topicPolicy = parsed(values(standard.resources(STACK, 'aws_sns_topic_policy'))[0].policy);
    const queuePolicy = parsed(values(standard.resources(STACK, 'aws_sqs_queue_policy'))[0].policy);

    expect(topicPolicy.Statement).toHaveLength(1);
    expect(topicPolicy.Statement[0]).toMatchObject({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } });
    expect(topicPolicy.Statement[0].Condition.ArnEquals['aws:SourceArn'].sort()).toEqual(ruleArns.filter((arn) => arn !== sweepRule).sort());
    expect(topicPolicy.Statement[0].Condition.StringEquals).toEqual({ 'aws:SourceAccount': SANDBOX });
    expect(queuePolicy.Statement[0].Condition.ArnEquals['aws:SourceArn'].sort()).toEqual(ruleArns.sort());
  });
});

describe('RemediationStack functions', () => {
  const functions = () => standard.resources(STACK, 'aws_lambda_function');

  it('runs each function on Node.js 24, arm64, from its reproducible bundle, in auto mode', () => {
    for (const fn of values(functions())) {
      expect(fn).toMatchObject({ runtime: 'nodejs24.x', architectures: ['arm64'], handler: 'index.handler', timeout: 60, memory_size: 256, region: 'us-west-2' });
      expect(fn.filename).toMatch(/^assets\/lambda-code-[0-9a-f]{16}\/[0-9a-f]{64}\/(isolate-instance|revoke-role-sessions|sweep-isolations)-[0-9a-f]{16}\.zip$/);
      expect(fn.environment.variables.MODE).toBe('auto');
    }
    expect(values(functions()).map((fn) => fn.function_name)).toEqual(['acme-isolate-instance', 'acme-sweep-isolations', 'acme-revoke-role-sessions']);
  });

  it('gives the same code hash in two synths, and the hash is the zip asset hash', () => {
    const again = synthApp(testConfig()).resources(STACK, 'aws_lambda_function');
    const zipHash = (fn: Record<string, any>) => /\/([0-9a-f]{64})\//.exec(fn.filename)![1];

    expect(values(again).map((fn) => fn.source_code_hash)).toEqual(values(functions()).map((fn) => fn.source_code_hash));
    for (const fn of values(functions())) {
      expect(Buffer.from(fn.source_code_hash, 'base64').toString('hex')).toBe(zipHash(fn));
    }
  });

  it('gives the revocation function its scope: never the deployment roles, nor any region\'s remediation roles; no exemption tag without the SCP', () => {
    expect(byName(functions(), 'function_name', 'acme-revoke-role-sessions').environment.variables).toEqual({
      MODE: 'auto',
      TOPIC_ARN: '${aws_sns_topic.topic-us-west-2_topic_D8EFC07E.arn}',
      ROLE_PATH_PREFIX: '/',
      ROLE_NAME_PREFIX: '',
      PROTECTED_ROLE_NAMES: 'OrganizationAccountAccessRole,GuardDutyDeployment,acme-isolate-instance-*,acme-revoke-role-sessions-*,acme-deactivate-access-key-*,acme-sweep-isolations-*',
    });
  });

  it('gives every function the configuration exemptions, and the exemption tag only with the service control policy', () => {
    const synth = synthApp(
      testConfig({
        remediation: {
          deactivateAccessKeys: true,
          exemptions: { instances: ['i-0123456789abcdef0'], roles: ['BreakGlassInstanceRole'], users: ['svc-batch'], accounts: ['444444444444'] },
          serviceControlPolicy: { enabled: true },
        },
      }),
    );
    const env = (name: string) => byName(synth.resources(STACK, 'aws_lambda_function'), 'function_name', name).environment.variables;
    for (const name of ['acme-isolate-instance', 'acme-sweep-isolations']) expect(env(name)).toMatchObject({ EXEMPT_TAG: 'GuardDutyRemediationExempt', EXEMPT_ACCOUNTS: '444444444444', EXEMPT_INSTANCES: 'i-0123456789abcdef0' });
    expect(env('acme-revoke-role-sessions')).toMatchObject({ EXEMPT_TAG: 'GuardDutyRemediationExempt', EXEMPT_ROLES: 'BreakGlassInstanceRole' });
    expect(env('acme-deactivate-access-key')).toMatchObject({ EXEMPT_TAG: 'GuardDutyRemediationExempt', EXEMPT_USERS: 'svc-batch' });
    for (const fn of values(functions())) expect(fn.environment.variables).not.toHaveProperty('EXEMPT_TAG');
  });

  it('runs the sweep every five minutes from its own schedule, with the isolation\'s group names', () => {
    const schedule = byName(standard.resources(STACK, 'aws_cloudwatch_event_rule'), 'name', 'acme-remediation-sweep');
    expect(schedule).toMatchObject({ schedule_expression: 'rate(5 minutes)', region: 'us-west-2' });
    expect(schedule).not.toHaveProperty('event_pattern');
    expect(byName(functions(), 'function_name', 'acme-sweep-isolations').environment.variables).toEqual(
      byName(functions(), 'function_name', 'acme-isolate-instance').environment.variables,
    );
  });

  it('adds remediation.protectedRoles, and the S3 state role of the sandbox account, to the protected roles', () => {
    const synth = synthApp(
      testConfig({
        remediation: { protectedRoles: ['BreakGlass', 'incident-response-*'] },
        backend: { type: 's3', bucket: 'acme-state', region: 'us-west-2', roleArn: `arn:aws:iam::${SANDBOX}:role/pipelines/terraform-state` },
      }),
    );
    const revocation = byName(synth.resources(STACK, 'aws_lambda_function'), 'function_name', 'acme-revoke-role-sessions');
    expect(revocation.environment.variables.PROTECTED_ROLE_NAMES.split(',')).toEqual([
      'OrganizationAccountAccessRole',
      'GuardDutyDeployment',
      'terraform-state',
      'acme-isolate-instance-*',
      'acme-revoke-role-sessions-*',
      'acme-deactivate-access-key-*',
      'acme-sweep-isolations-*',
      'BreakGlass',
      'incident-response-*',
    ]);
  });

  it('reserves 5 concurrent executions for each function by default, the configured number, or none', () => {
    expect(values(functions()).map((fn) => fn.reserved_concurrent_executions)).toEqual([5, 5, 5]);
    const two = synthApp(testConfig({ remediation: { reservedConcurrency: 2 } })).resources(STACK, 'aws_lambda_function');
    expect(values(two).map((fn) => fn.reserved_concurrent_executions)).toEqual([2, 2, 2]);
    const none = synthApp(testConfig({ remediation: { reservedConcurrency: 'none' } })).resources(STACK, 'aws_lambda_function');
    for (const fn of values(none)) expect(fn).not.toHaveProperty('reserved_concurrent_executions');
  });

  it('encrypts every function log group with a key of its region that CloudWatch Logs may use for those groups only', () => {
    for (const synth of [standard, everything]) {
      const groups = values(synth.resources(STACK, 'aws_cloudwatch_log_group'));
      const keys = synth.resources(STACK, 'aws_kms_key');
      for (const group of groups) {
        const keyName = /^\$\{aws_kms_key\.([\w-]+)\.arn\}$/.exec(group.kms_key_id)![1];
        const key = keys[keyName];
        expect(key.region).toBe(group.region);
        const logs = JSON.parse(key.policy).Statement.find((statement: Record<string, any>) => statement.Sid === 'LogsEncryptTheseGroups');
        expect(logs.Principal).toEqual({ Service: `logs.${group.region}.amazonaws.com` });
        expect([logs.Condition.ArnEquals['kms:EncryptionContext:aws:logs:arn']].flat()).toContain(`arn:aws:logs:${group.region}:${SANDBOX}:log-group:${group.name}`);
      }
      expect(groups.length).toBeGreaterThan(0);
    }
  });

  it('retries a failed invocation twice, then sends the event to the dead-letter queue', () => {
    for (const config of values(standard.resources(STACK, 'aws_lambda_function_event_invoke_config'))) {
      expect(config).toMatchObject({
        maximum_retry_attempts: 2,
        maximum_event_age_in_seconds: 21600,
        destination_config: { on_failure: { destination: '${aws_sqs_queue.dead-letters-us-west-2_queue_853290EF.arn}' } },
      });
    }
  });

  it('gives each function its own log group with retention, and no permission to create log groups', () => {
    expect(values(standard.resources(STACK, 'aws_cloudwatch_log_group')).map((group) => [group.name, group.retention_in_days])).toEqual([
      ['/aws/lambda/acme-isolate-instance', 365],
      ['/aws/lambda/acme-sweep-isolations', 365],
      ['/aws/lambda/acme-revoke-role-sessions', 365],
    ]);
    const logKeys = Object.keys(standard.resources(STACK, 'aws_cloudwatch_log_group'));
    values(standard.resources(STACK, 'aws_iam_role_policy')).forEach((policy, index) => {
      const statements = parsed(policy.policy).Statement;
      expect(statements[0]).toEqual({
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: reference(`\${aws_cloudwatch_log_group.${logKeys[index]}.arn}:log-stream:*`),
      });
      expect(JSON.stringify(statements)).not.toContain('logs:CreateLogGroup');
    });
    expect(standard.resources(STACK, 'aws_iam_role_policy_attachment')).toEqual({});
    expect(JSON.stringify(standard.stack(STACK))).not.toContain('AWSLambdaBasicExecutionRole');
  });
});

describe('RemediationStack IAM', () => {
  const statementsOf = (synth: Synthesized, role: string) =>
    parsed(values(synth.resources(STACK, 'aws_iam_role_policy')).find((policy) => policy.role.includes(role))!.policy).Statement as Record<string, any>[];
  const allStatements = (synth: Synthesized) => values(synth.resources(STACK, 'aws_iam_role_policy')).flatMap((policy) => parsed(policy.policy).Statement as Record<string, any>[]);

  it.each([
    ['standard', () => standard],
    ['everything on', () => everything],
  ])('has no wildcard action, and Resource "*" only for the region-limited EC2 reads (%s)', (_name, synth) => {
    for (const statement of allStatements(synth())) {
      for (const action of [statement.Action].flat()) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
      if ([statement.Resource].flat().includes('*')) {
        expect(statement).toEqual({
          Sid: 'ReadInstancesInterfacesGroups',
          Effect: 'Allow',
          Action: ['ec2:DescribeInstances', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSnapshots'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': expect.stringMatching(/^[a-z]{2}-[a-z]+-\d$/) } },
        });
      }
    }
  });

  it('lets the isolation give rules only to transition groups and move interfaces only into remediation groups; termination protection only', () => {
    const statements = statementsOf(standard, 'isolate-instance');
    const sg = 'arn:aws:ec2:us-west-2:333333333333:security-group/*';

    expect(statements).toContainEqual({
      Sid: 'OpenTransitionGroups',
      Effect: 'Allow',
      Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupEgress'],
      Resource: sg,
      Condition: { StringEquals: { 'aws:ResourceTag/GuardDutyRemediation': 'untrack' } },
    });
    expect(statements).toContainEqual({
      Sid: 'IntoRemediationGroupsOnly',
      Effect: 'Allow',
      Action: 'ec2:ModifyNetworkInterfaceAttribute',
      Resource: sg,
      Condition: { StringEquals: { 'aws:ResourceTag/GuardDutyRemediation': ['forensic', 'untrack'] } },
    });
    expect(statements).toContainEqual({
      Sid: 'ProtectFromTermination',
      Effect: 'Allow',
      Action: 'ec2:ModifyInstanceAttribute',
      Resource: 'arn:aws:ec2:us-west-2:333333333333:instance/*',
      Condition: { StringEquals: { 'ec2:Attribute': 'disableApiTermination' } },
    });
    // No exemption tag without the service control policy, and no listed instance: no deny.
    expect(statements.filter((statement) => statement.Effect === 'Deny')).toEqual([]);
    expect(statements.filter((statement) => [statement.Action].flat().some((action: string) => action.startsWith('iam:')))).toEqual([]);
  });

  it('never lets a role touch what the configuration exempts, nor a tagged resource where the SCP reserves the tag', () => {
    const synth = synthApp(
      testConfig({
        remediation: {
          deactivateAccessKeys: true,
          exemptions: { instances: ['i-0123456789abcdef0'], roles: ['BreakGlassInstanceRole', `arn:aws:iam::${SANDBOX}:role/ops/db`], users: ['svc-batch'] },
          serviceControlPolicy: { enabled: true },
        },
      }),
    );
    const denies = (role: string) => statementsOf(synth, role).filter((statement) => statement.Effect === 'Deny');
    const tagged = { Null: { 'aws:ResourceTag/GuardDutyRemediationExempt': 'false' } };
    const evidence = ['ec2:ModifyInstanceAttribute', 'ec2:CreateTags', 'ec2:CreateSnapshots', 'ec2:ModifyNetworkInterfaceAttribute'];
    expect(denies('isolate-instance')).toEqual([
      { Sid: 'NeverTouchExemptInstances', Effect: 'Deny', Action: evidence, Resource: ['arn:aws:ec2:us-west-2:333333333333:instance/i-0123456789abcdef0'] },
      { Sid: 'NeverTouchTaggedExemptInstances', Effect: 'Deny', Action: evidence, Resource: 'arn:aws:ec2:us-west-2:333333333333:instance/*', Condition: tagged },
    ]);
    expect(denies('sweep-isolations').map((statement) => [statement.Sid, statement.Action])).toEqual([
      ['NeverTouchExemptInstances', ['ec2:ModifyNetworkInterfaceAttribute']],
      ['NeverTouchTaggedExemptInstances', ['ec2:ModifyNetworkInterfaceAttribute']],
    ]);
    expect(denies('revoke-role-sessions')[0].Resource).toEqual(
      expect.arrayContaining([`arn:aws:iam::${SANDBOX}:role/BreakGlassInstanceRole`, `arn:aws:iam::${SANDBOX}:role/*/BreakGlassInstanceRole`, `arn:aws:iam::${SANDBOX}:role/ops/db`]),
    );
    expect(denies('deactivate-access-key')[0]).toEqual({
      Sid: 'NeverTouchExemptUsers',
      Effect: 'Deny',
      Action: ['iam:UpdateAccessKey', 'iam:TagUser'],
      Resource: [`arn:aws:iam::${SANDBOX}:user/svc-batch`, `arn:aws:iam::${SANDBOX}:user/*/svc-batch`],
    });
  });

  it('lets the revocation create policies only under the reserved path and attach only those, on roles in scope; no iam:PutRolePolicy', () => {
    const attach = (synth: Synthesized) => statementsOf(synth, 'revoke-role-sessions').filter((statement) => [statement.Action].flat().includes('iam:AttachRolePolicy'));

    expect(attach(standard)).toEqual([
      {
        Sid: 'AttachOnlyReservedPathPolicies',
        Effect: 'Allow',
        Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
        Resource: ['arn:aws:iam::333333333333:role/*'],
        Condition: { ArnLike: { 'iam:PolicyARN': 'arn:aws:iam::333333333333:policy/guardduty-remediation/*' } },
      },
      {
        Sid: 'NeverTouchReservedProtectedOrExemptRoles',
        Effect: 'Deny',
        Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:TagRole'],
        Resource: [
          'arn:aws:iam::333333333333:role/aws-service-role/*',
          'arn:aws:iam::333333333333:role/aws-reserved/*',
          'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole',
          'arn:aws:iam::333333333333:role/*/OrganizationAccountAccessRole',
          'arn:aws:iam::333333333333:role/GuardDutyDeployment',
          'arn:aws:iam::333333333333:role/*/GuardDutyDeployment',
          'arn:aws:iam::333333333333:role/acme-isolate-instance-*',
          'arn:aws:iam::333333333333:role/*/acme-isolate-instance-*',
          'arn:aws:iam::333333333333:role/acme-revoke-role-sessions-*',
          'arn:aws:iam::333333333333:role/*/acme-revoke-role-sessions-*',
          'arn:aws:iam::333333333333:role/acme-deactivate-access-key-*',
          'arn:aws:iam::333333333333:role/*/acme-deactivate-access-key-*',
          'arn:aws:iam::333333333333:role/acme-sweep-isolations-*',
          'arn:aws:iam::333333333333:role/*/acme-sweep-isolations-*',
        ],
      },
    ]);
    expect(attach(everything)[0].Resource).toEqual(['arn:aws:iam::333333333333:role/workloads/app-*', 'arn:aws:iam::333333333333:role/workloads/*/app-*']);
    expect(statementsOf(standard, 'revoke-role-sessions')).toContainEqual({
      Sid: 'CreateRevocationPolicies',
      Effect: 'Allow',
      Action: 'iam:CreatePolicy',
      Resource: 'arn:aws:iam::333333333333:policy/guardduty-remediation/RevokeOldSessions-*',
    });
    expect(JSON.stringify(allStatements(everything))).not.toContain('iam:PutRolePolicy');
  });

  it('reads any role (so out-of-scope roles are refused, not failed), lists policies only in scope, reads policies only under the reserved path, deletes only revocations', () => {
    const reads = statementsOf(everything, 'revoke-role-sessions').filter((statement) => /^iam:(Get|List)/.test([statement.Action].flat()[0]));
    expect(reads.map((statement) => [statement.Action, statement.Resource])).toEqual([
      ['iam:GetRole', 'arn:aws:iam::333333333333:role/*'],
      ['iam:ListAttachedRolePolicies', ['arn:aws:iam::333333333333:role/workloads/app-*', 'arn:aws:iam::333333333333:role/workloads/*/app-*']],
      [['iam:GetPolicy', 'iam:GetPolicyVersion'], 'arn:aws:iam::333333333333:policy/guardduty-remediation/*'],
      [['iam:ListPolicyVersions', 'iam:DeletePolicy'], 'arn:aws:iam::333333333333:policy/guardduty-remediation/RevokeOldSessions-*'],
    ]);
    expect(JSON.stringify(allStatements(everything))).not.toContain('iam:DeletePolicyVersion');
  });

  it('scopes publishing to the remediation topic and its key', () => {
    const key = keyOf(standard.resources(STACK, 'aws_kms_key'), byName(standard.resources(STACK, 'aws_kms_key'), 'description', 'Encrypts SNS topic acme-remediation'));
    for (const role of ['isolate-instance', 'sweep-isolations', 'revoke-role-sessions']) {
      expect(statementsOf(standard, role)).toEqual(
        expect.arrayContaining([
          { Sid: 'PublishRemediationNotices', Effect: 'Allow', Action: 'sns:Publish', Resource: '${aws_sns_topic.topic-us-west-2_topic_D8EFC07E.arn}' },
          { Sid: 'EncryptNotices', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: `\${aws_kms_key.${key}.arn}` },
          { Sid: 'SendFailedEvents', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '${aws_sqs_queue.dead-letters-us-west-2_queue_853290EF.arn}' },
        ]),
      );
    }
  });
});

describe('RemediationStack alarms', () => {
  const alarms = () => standard.resources(STACK, 'aws_cloudwatch_metric_alarm');

  it('alarms on function errors, rejected events and dead letters', () => {
    expect(values(alarms()).map((alarm) => [alarm.alarm_name, alarm.namespace, alarm.metric_name, alarm.threshold, alarm.comparison_operator]).sort()).toEqual([
      ['acme-isolate-instance-errors', 'AWS/Lambda', 'Errors', 0, 'GreaterThanThreshold'],
      ['acme-isolate-instance-rejected-events', 'GuardDutyRemediation', 'acme-isolate-instance-rejected-events', 0, 'GreaterThanThreshold'],
      ['acme-remediation-dead-letters', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', 0, 'GreaterThanThreshold'],
      ['acme-revoke-role-sessions-errors', 'AWS/Lambda', 'Errors', 0, 'GreaterThanThreshold'],
      ['acme-revoke-role-sessions-rejected-events', 'GuardDutyRemediation', 'acme-revoke-role-sessions-rejected-events', 0, 'GreaterThanThreshold'],
      ['acme-sweep-isolations-errors', 'AWS/Lambda', 'Errors', 0, 'GreaterThanThreshold'],
      ['acme-sweep-isolations-rejected-events', 'GuardDutyRemediation', 'acme-sweep-isolations-rejected-events', 0, 'GreaterThanThreshold'],
    ]);
    expect(values(standard.resources(STACK, 'aws_cloudwatch_log_metric_filter')).map((filter) => filter.pattern)).toEqual(Array(3).fill('{ $.outcome = "rejected" }'));
  });

  it('e-mails the topic when any of them enters ALARM', () => {
    const rules = standard.resources(STACK, 'aws_cloudwatch_event_rule');
    const rule = byName(rules, 'name', 'acme-remediation-alarms');
    const pattern = parsed(rule.event_pattern);
    const alarmArns = Object.keys(alarms()).map((key) => reference(`\${aws_cloudwatch_metric_alarm.${key}.arn}`));
    const event = {
      version: '0',
      id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: SANDBOX,
      time: '2026-11-22T05:00:00Z',
      region: 'us-west-2',
      resources: [alarmArns.find((arn) => arn.includes("remediation_errors['us-west-2/isolate-instance']"))],
      detail: {
        alarmName: 'acme-isolate-instance-errors',
        state: { value: 'ALARM', reason: 'Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).' },
        previousState: { value: 'OK' },
        configuration: { description: 'acme-isolate-instance failed; the event is retried and then lands in the dead-letter queue.' },
      },
    };
    const email = values(standard.resources(STACK, 'aws_cloudwatch_event_target')).find((target) => target.rule.includes(keyOf(rules, rule)))!;

    expect([...pattern.resources].sort()).toEqual(alarmArns.sort());
    expect(matchesPattern(pattern, event)).toBe(true);
    expect(matchesPattern(pattern, { ...event, detail: { ...event.detail, state: { value: 'OK' } } })).toBe(false);
    expect(renderInputTransformer(email.input_transformer, event)).toBe(
      '"GuardDuty Remediation alarm acme-isolate-instance-errors: acme-isolate-instance failed; the event is retried and then lands in the dead-letter queue. (Threshold Crossed: 1 datapoint [1.0] was greater than the threshold (0.0).)"',
    );
  });
});

describe('RemediationStack options', () => {
  it('deploys the functions and rules in every region with regions "all", in dry-run mode', () => {
    const functions = values(everything.resources(STACK, 'aws_lambda_function'));
    expect(functions.map((fn) => `${fn.region} ${fn.function_name} ${fn.environment.variables.MODE}`).sort()).toEqual(
      ['eu-west-1', 'us-east-1', 'us-west-2'].flatMap((region) =>
        ['acme-deactivate-access-key', 'acme-isolate-instance', 'acme-revoke-role-sessions', 'acme-sweep-isolations'].map((name) => `${region} ${name} dry-run`),
      ).sort(),
    );
    expect(values(everything.resources(STACK, 'aws_cloudwatch_event_rule')).filter((rule) => rule.name === 'GuardDuty-Event-EC2-MaliciousIPCaller').map((rule) => rule.region).sort()).toEqual([
      'eu-west-1',
      'us-east-1',
      'us-west-2',
    ]);
    // One asset per bundle, however many regions use it.
    expect(new Set(functions.map((fn) => fn.filename)).size).toBe(4);
  });

  it('sends IAM user findings to the deactivation function when configured', () => {
    const targets = values(everything.resources(STACK, 'aws_cloudwatch_event_target')).filter((target) => target.target_id === 'deactivate-access-key');
    expect(targets).toHaveLength(3);
    for (const target of targets) expect(target.rule).toMatch(/iam-user-malicious-ip-caller/);
  });

  it('subscribes remediation.emails instead of notifications.emails when given', () => {
    expect(values(standard.resources(STACK, 'aws_sns_topic_subscription')).map((s) => s.endpoint)).toEqual(['secops@example.com']);
    expect([...new Set(values(everything.resources(STACK, 'aws_sns_topic_subscription')).map((s) => s.endpoint))]).toEqual(['ir@example.com']);
  });

  it('deploys no remediation stack when the mode is off', () => {
    expect(synthApp(testConfig({ remediation: { mode: 'off' } })).stackIds).not.toContain(STACK);
  });
});

describe('bundles', () => {
  it('are zips whose hash matches the asset file and holds one index.js', () => {
    const fn = values(standard.resources(STACK, 'aws_lambda_function'))[0];
    const zip = readFileSync(path.join(tmpdir(), 'guardduty-lambda-bundles', path.basename(fn.filename)));
    expect(createHash('sha256').update(zip).digest('base64')).toBe(fn.source_code_hash);
    expect(zip.subarray(0, 4).toString('hex')).toBe('504b0304');
    expect(zip.includes(Buffer.from('index.js'))).toBe(true);
  });
});

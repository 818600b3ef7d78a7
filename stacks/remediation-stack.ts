import * as path from 'node:path';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformLocal } from 'cdktf';
import type { Construct } from 'constructs';
import type { OrgConfig } from '../lib/config/load';
import { TARGET_RETRY_POLICY } from '../lib/guardduty/findings';
import { instanceKey } from '../lib/terraform/addresses';
import { eachReference, expression, instanceReference, Instances, KeyedBlocks } from '../lib/terraform/instances';
import { isolationGroupNames, resourceName } from '../lib/plan/naming';
import { iamArn } from '../lib/aws/partition';
import type { PolicyStatement } from '../lib/aws/policy';
import { deactivationStatements, isolationStatements, revocationStatements, sweepStatements, type FunctionScope } from '../lib/remediation/policies';
import {
  ALARM_EMAIL,
  alarmPattern,
  EC2_MALICIOUS_IP_CALLER_RULE,
  IAM_USER_MALICIOUS_IP_CALLER_RULE,
  INSTANCE_CREDENTIAL_EXFILTRATION_RULE,
  remediationPattern,
  type RemediationRule,
} from '../lib/remediation/rules';
import { DeadLetterQueue } from '../modules/dead-letter-queue';
import { LogKey } from '../modules/log-key';
import { NotificationTopic } from '../modules/notification-topic';
import { functionLogGroupName, RemediationFunctions, type RemediationFunctionSpec } from '../modules/remediation-function';
import { OrgStack, type OrgStackProps } from './org-stack';

const FUNCTIONS_DIR = path.resolve(__dirname, '..', 'functions');
/** The handlers in functions/, by file name; also the last part of each function's name. */
export const FUNCTION_KEYS = ['isolate-instance', 'revoke-role-sessions', 'deactivate-access-key', 'sweep-isolations'] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];
/** How often the sweep runs: a few minutes, so an isolation a failed run left is finished soon after Lambda's retries. */
export const SWEEP_SCHEDULE = 'rate(5 minutes)';

/** The remediation's functions this configuration deploys, in every remediation region. */
export function deployedFunctions(config: Pick<OrgConfig, 'remediation'>): FunctionKey[] {
  return FUNCTION_KEYS.filter((key) => key !== 'deactivate-access-key' || config.remediation.deactivateAccessKeys);
}

/** The regions the remediation runs in. */
export function remediationRegions(config: Pick<OrgConfig, 'remediation' | 'regions' | 'homeRegion'>): readonly string[] {
  return config.remediation.regions === 'all' ? config.regions : [config.homeRegion];
}

/** The execution role of a function in a region (roles are global, the function exists once per region). */
export function functionRoleName(config: Pick<OrgConfig, 'name'>, key: FunctionKey, region: string): string {
  return `${resourceName(config, key)}-${region}`;
}

/** The exemption tag, where the deployment's service control policy reserves it; otherwise not honoured. */
export function honouredExemptTag(config: Pick<OrgConfig, 'remediation'>): string | undefined {
  return config.remediation.serviceControlPolicy.enabled ? config.remediation.exemptTag : undefined;
}

/**
 * The sandbox account's automatic remediation, per region (the home region, or every region with
 * `remediation.regions: "all"`; EventBridge rules can only target Lambdas and topics of their own
 * region): the lab's three rules on the default bus, the isolation and revocation Lambdas (and the
 * optional access-key deactivation), an encrypted topic for the e-mails, a dead-letter queue, and
 * alarms that reach the same topic.
 *
 * Alarms reach the topic through an EventBridge rule on their state change rather than as alarm
 * actions: the shared topic's policy admits EventBridge rules, and the rule words the e-mail.
 *
 * The functions' log groups are encrypted with a key of their own per region, and each function has
 * reserved concurrency (`remediation.reservedConcurrency`), so other functions of the sandbox
 * account cannot starve it.
 */
export class RemediationStack extends OrgStack {
  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props);
    const { config } = props;
    const accountId = config.accounts.sandbox;
    const provider = this.provider(accountId);
    const parts = remediationRegions(config).map((region) => this.addRegion(provider, accountId, region));
    const reservedConcurrency = config.remediation.reservedConcurrency === 'none' ? undefined : config.remediation.reservedConcurrency;
    const functions = new RemediationFunctions(this, 'functions', { provider, accountId, functions: parts.flatMap((part) => part.specs), reservedConcurrency });
    this.addRulesAndAlarms(provider, accountId, parts, functions);
    functions.writePermissions();
  }

  /** A region's topic, dead-letter queue and functions: what its rules and alarms refer to. */
  private addRegion(provider: AwsProvider, accountId: string, region: string): RegionParts {
    const { config } = this;
    const remediation = config.remediation;
    const mode = remediation.mode === 'dry-run' ? 'dry-run' : 'auto';
    const id = (name: string) => `${name}-${region}`;

    const topic = new NotificationTopic(this, id('topic'), {
      provider,
      region,
      accountId,
      topicName: resourceName(config, 'remediation'),
      displayName: 'GuardDuty Remediation',
      emails: remediation.emails ?? config.notifications.emails,
    });
    const deadLetters = new DeadLetterQueue(this, id('dead-letters'), { provider, region, queueName: resourceName(config, 'remediation-dead-letters') });

    const exemptTag = honouredExemptTag(config);
    const exemptions = remediation.exemptions;
    const functionScope: FunctionScope = { accountId, region, topicArn: topic.topicArn, topicKeyArn: topic.key.arn, ...(exemptTag ? { exemptTag } : {}) };
    const common = {
      MODE: mode,
      TOPIC_ARN: topic.topicArn,
      ...(exemptTag ? { EXEMPT_TAG: exemptTag } : {}),
      ...(exemptions.accounts.length > 0 ? { EXEMPT_ACCOUNTS: exemptions.accounts.join(',') } : {}),
    };
    const functionName = (name: string) => resourceName(config, name);
    const deployed = deployedFunctions(config);
    const logKey = new LogKey(this, id('log-key'), {
      provider,
      region,
      accountId,
      aliasName: resourceName(config, 'remediation-logs'),
      logGroupNames: deployed.map((key) => functionLogGroupName(functionName(key))),
    });
    const make = (key: FunctionKey, description: string, statements: PolicyStatement[], environment: Record<string, string>): RemediationFunctionSpec => ({
      key,
      region,
      functionName: functionName(key),
      description,
      entry: path.join(FUNCTIONS_DIR, `${key}.ts`),
      statements,
      environment: { ...common, ...environment },
      deadLetterQueueArn: deadLetters.queueArn,
      logKeyArn: logKey.keyArn,
    });

    // The same names the simulation stack gives the groups it creates (and removes) in its VPC.
    const groups = isolationGroupNames(config);
    const networkScope = { ...functionScope, exemptInstanceIds: exemptions.instances };
    const network = {
      FORENSIC_GROUP_NAME: groups.forensic,
      TRANSITION_GROUP_PREFIX: groups.transition,
      ...(exemptions.instances.length > 0 ? { EXEMPT_INSTANCES: exemptions.instances.join(',') } : {}),
    };
    const isolation = make('isolate-instance', 'Isolates an EC2 instance GuardDuty saw talking to a threat-list IP', isolationStatements(networkScope), network);
    const sweep = make('sweep-isolations', 'Finishes isolations a failed run left: closes stale transition groups, moves pending interfaces', sweepStatements(networkScope), network);
    const protectedRoleNames = protectedRoles(config, functionName);
    const revocation = make(
      'revoke-role-sessions',
      'Revokes the sessions of an instance role whose credentials GuardDuty saw used elsewhere',
      revocationStatements({ ...functionScope, rolePathPrefix: remediation.rolePathPrefix, roleNamePrefix: remediation.roleNamePrefix, protectedRoleNames, exemptRoles: exemptions.roles }),
      {
        ROLE_PATH_PREFIX: remediation.rolePathPrefix,
        ROLE_NAME_PREFIX: remediation.roleNamePrefix,
        PROTECTED_ROLE_NAMES: protectedRoleNames.join(','),
        ...(exemptions.roles.length > 0 ? { EXEMPT_ROLES: exemptions.roles.join(',') } : {}),
      },
    );
    const deactivation = remediation.deactivateAccessKeys
      ? make(
          'deactivate-access-key',
          'Deactivates an IAM user access key GuardDuty saw used from a threat-list IP',
          deactivationStatements({ ...functionScope, exemptUserNames: exemptions.users }),
          exemptions.users.length > 0 ? { EXEMPT_USERS: exemptions.users.join(',') } : {},
        )
      : undefined;

    return { region, topic, deadLetters, specs: [isolation, sweep, revocation, ...(deactivation ? [deactivation] : [])] };
  }

  /**
   * The rules, their targets and the dead-letter alarm of every region, written once each with
   * `for_each` keyed by region, rule and target (`aws_cloudwatch_event_rule.remediation["us-west-2/ec2-malicious-ip-caller"]`),
   * so that a region added or removed adds or removes its instances and moves no other. What an
   * instance refers to in its region (topic, queue, function) is read from one local map each.
   */
  private addRulesAndAlarms(provider: AwsProvider, accountId: string, parts: readonly RegionParts[], functions: RemediationFunctions): void {
    const { config } = this;
    const byRegion = Instances.of(parts, (part) => part.region, (part) => ({ region: part.region }));
    const topics = this.readOnce('remediation_topics', Object.fromEntries(parts.map((part) => [part.region, part.topic.topicArn])));
    const queues = this.readOnce('remediation_dead_letter_queues', Object.fromEntries(parts.map((part) => [part.region, part.deadLetters.queueArn])));
    const queueNames = this.readOnce('remediation_dead_letter_queue_names', Object.fromEntries(parts.map((part) => [part.region, part.deadLetters.queue.name])));
    const functionArns = new TerraformLocal(
      this,
      'remediation_function_arns',
      Object.fromEntries(parts.flatMap((part) => part.specs.map((spec) => [instanceKey(part.region, spec.key), functions.functionArn(part.region, spec.key)]))),
    );
    const functionArn = (keyExpression: string) => expression(`local.${functionArns.friendlyUniqueId}[${keyExpression}]`);

    const deadLetterAlarm = KeyedBlocks.add(
      new CloudwatchMetricAlarm(this, 'dead-letters-alarm', {
        forEach: byRegion,
        provider,
        region: byRegion.value('region'),
        alarmName: resourceName(config, 'remediation-dead-letters'),
        alarmDescription: 'A remediation event could not be delivered or kept failing; it waits in the dead-letter queue',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: queueNames.at('each.value.region') },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
      }),
      'remediation_dead_letters',
      byRegion,
    );

    // The lab's rules and the alarm rule, each e-mailing the topic; the lab's invoking their function.
    const specs = parts.flatMap((part) => {
      const lab = ([EC2_MALICIOUS_IP_CALLER_RULE, IAM_USER_MALICIOUS_IP_CALLER_RULE, INSTANCE_CREDENTIAL_EXFILTRATION_RULE] as const).map((definition) => ({
        part,
        rule: definition.key as string,
        name: definition.name,
        description: definition.description,
        pattern: JSON.stringify(remediationPattern(definition, accountId)),
        email: definition.email,
        targets: part.specs.filter((spec) => RULE_TARGETS[definition.key] === spec.key).map((spec) => spec.key as FunctionKey),
      }));
      const alarms = [...part.specs.flatMap((spec) => functions.alarmArns(part.region, spec.key)), instanceReference(deadLetterAlarm, part.region, 'arn')];
      const alarmRule = {
        part,
        rule: 'alarms',
        name: resourceName(config, 'remediation-alarms'),
        description: 'Remediation alarms entering ALARM: e-mail the remediation topic',
        pattern: JSON.stringify(alarmPattern(alarms)),
        email: ALARM_EMAIL,
        targets: [] as FunctionKey[],
      };
      return [...lab, alarmRule];
    });
    const ruleKey = (spec: (typeof specs)[number]) => instanceKey(spec.part.region, spec.rule);
    const ruleInstances = Instances.of(specs, ruleKey, (spec) => ({ region: spec.part.region, rule: spec.rule, name: spec.name, description: spec.description }));
    const patterns = new TerraformLocal(this, 'remediation_rule_patterns', Object.fromEntries(specs.map((spec) => [ruleKey(spec), spec.pattern])));
    const rules = KeyedBlocks.add(
      new CloudwatchEventRule(this, 'rules', {
        forEach: ruleInstances,
        provider,
        region: ruleInstances.value('region'),
        name: ruleInstances.value('name'),
        description: ruleInstances.value('description'),
        eventPattern: expression(`local.${patterns.friendlyUniqueId}[each.key]`),
      }),
      'remediation',
      ruleInstances,
    );
    const emails = Instances.of(specs, ruleKey, (spec) => ({ region: spec.part.region, rule: spec.rule, input_paths: spec.email.inputPaths, input_template: spec.email.inputTemplate }));
    KeyedBlocks.add(
      new CloudwatchEventTarget(this, 'email-targets', {
        forEach: emails,
        provider,
        region: emails.value('region'),
        rule: eachReference(rules, 'each.key', 'name'),
        targetId: 'email',
        arn: topics.at('each.value.region'),
        inputTransformer: { inputPaths: expression('each.value.input_paths') as unknown as Record<string, string>, inputTemplate: emails.value('input_template') },
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: queues.at('each.value.region') },
      }),
      'remediation_email',
      emails,
    );
    const invocations = specs.flatMap((spec) => spec.targets.map((target) => ({ spec, target })));
    const functionTargets = Instances.of(
      invocations,
      ({ spec, target }) => instanceKey(spec.part.region, spec.rule, target),
      ({ spec, target }) => ({ region: spec.part.region, rule: spec.rule, rule_key: ruleKey(spec), target_id: target, function_key: instanceKey(spec.part.region, target) }),
    );
    KeyedBlocks.add(
      new CloudwatchEventTarget(this, 'function-targets', {
        forEach: functionTargets,
        provider,
        region: functionTargets.value('region'),
        rule: eachReference(rules, 'each.value.rule_key', 'name'),
        targetId: functionTargets.value('target_id'),
        arn: functionArn('each.value.function_key'),
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: queues.at('each.value.region') },
      }),
      'remediation',
      functionTargets,
    );
    for (const spec of specs) {
      const arn = instanceReference(rules, ruleKey(spec), 'arn');
      spec.part.topic.allowRule(arn);
      spec.part.deadLetters.allowRule(arn);
      for (const target of spec.targets) functions.allowRule(spec.part.region, target, spec.rule, arn);
    }

    // The sweep, on a schedule of its own in every region; its failures alarm like the other functions'.
    const sweeps = Instances.of(parts, (part) => part.region, (part) => ({ region: part.region, function_key: instanceKey(part.region, 'sweep-isolations') }));
    const schedules = KeyedBlocks.add(
      new CloudwatchEventRule(this, 'sweep-schedules', {
        forEach: sweeps,
        provider,
        region: sweeps.value('region'),
        name: resourceName(config, 'remediation-sweep'),
        description: 'Every few minutes: finish isolations a failed run left',
        scheduleExpression: SWEEP_SCHEDULE,
      }),
      'remediation_sweep',
      sweeps,
    );
    KeyedBlocks.add(
      new CloudwatchEventTarget(this, 'sweep-targets', {
        forEach: sweeps,
        provider,
        region: sweeps.value('region'),
        rule: eachReference(schedules, 'each.key', 'name'),
        targetId: 'sweep-isolations',
        arn: functionArn('each.value.function_key'),
        retryPolicy: TARGET_RETRY_POLICY,
        deadLetterConfig: { arn: queues.at('each.value.region') },
      }),
      'remediation_sweep',
      sweeps,
    );
    for (const part of parts) {
      const arn = instanceReference(schedules, part.region, 'arn');
      functions.allowRule(part.region, 'sweep-isolations', 'sweep-schedule', arn);
      part.deadLetters.allowRule(arn);
    }
  }
}

/** The function each lab rule invokes, where it is deployed. */
const RULE_TARGETS: Readonly<Record<RemediationRule['key'], FunctionKey>> = {
  'ec2-malicious-ip-caller': 'isolate-instance',
  'iam-user-malicious-ip-caller': 'deactivate-access-key',
  'instance-credential-exfiltration': 'revoke-role-sessions',
};

interface RegionParts {
  readonly region: string;
  readonly topic: NotificationTopic;
  readonly deadLetters: DeadLetterQueue;
  /** The functions of the region, in order. */
  readonly specs: readonly RemediationFunctionSpec[];
}

/**
 * Roles the revocation never touches, whatever their trust or path: the deployment roles (revoking
 * them would lock out the pipeline), the remediation's own roles in every region (`<function>-*`,
 * whichever regions run it), and `remediation.protectedRoles` (break-glass roles, say).
 */
export function protectedRoles(config: OrgConfig, functionName: (key: string) => string): string[] {
  const stateRole = config.backend.type === 's3' ? config.backend.roleArn : undefined;
  const stateRoleName = stateRole?.startsWith(iamArn(config.homeRegion, config.accounts.sandbox, 'role/')) ? stateRole.split('/').at(-1) : undefined;
  return [
    ...new Set([
      config.roleName,
      config.managementRoleName,
      ...(stateRoleName ? [stateRoleName] : []),
      ...FUNCTION_KEYS.map((key) => `${functionName(key)}-*`),
      ...config.remediation.protectedRoles,
    ]),
  ];
}

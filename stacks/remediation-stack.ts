import * as path from 'node:path';
import { CloudwatchEventRule } from '@cdktf/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktf/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { OrgConfig } from '../lib/config/load';
import { TARGET_RETRY_POLICY, type InputTransformer } from '../lib/guardduty/findings';
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
import { functionLogGroupName, RemediationFunction } from '../modules/remediation-function';
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
    for (const region of remediationRegions(config)) this.addRegion(provider, accountId, region);
  }

  private addRegion(provider: AwsProvider, accountId: string, region: string): void {
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
    const reservedConcurrency = remediation.reservedConcurrency === 'none' ? undefined : remediation.reservedConcurrency;
    const make = (key: FunctionKey, description: string, statements: PolicyStatement[], environment: Record<string, string>) =>
      new RemediationFunction(this, id(key), {
        provider,
        region,
        accountId,
        functionName: functionName(key),
        description,
        entry: path.join(FUNCTIONS_DIR, `${key}.ts`),
        statements,
        environment: { ...common, ...environment },
        deadLetterQueueArn: deadLetters.queueArn,
        logKeyArn: logKey.keyArn,
        reservedConcurrency,
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

    const rule = (definition: RemediationRule, targets: [FunctionKey, RemediationFunction][]) => {
      const eventRule = new CloudwatchEventRule(this, id(definition.key), {
        provider,
        region,
        name: definition.name,
        description: definition.description,
        eventPattern: JSON.stringify(remediationPattern(definition, accountId)),
      });
      topic.allowRule(eventRule.arn);
      deadLetters.allowRule(eventRule.arn);
      this.emailTarget(provider, region, id(`${definition.key}-email`), eventRule, topic, deadLetters, definition.email);
      for (const [key, target] of targets) {
        target.allowRule(definition.key, eventRule.arn);
        new CloudwatchEventTarget(this, id(`${definition.key}-${key}`), {
          provider,
          region,
          rule: eventRule.name,
          targetId: key,
          arn: target.function.arn,
          retryPolicy: TARGET_RETRY_POLICY,
          deadLetterConfig: { arn: deadLetters.queueArn },
        });
      }
    };
    rule(EC2_MALICIOUS_IP_CALLER_RULE, [['isolate-instance', isolation]]);
    rule(IAM_USER_MALICIOUS_IP_CALLER_RULE, deactivation ? [['deactivate-access-key', deactivation]] : []);
    rule(INSTANCE_CREDENTIAL_EXFILTRATION_RULE, [['revoke-role-sessions', revocation]]);

    // The sweep, on a schedule; its failures alarm like the other functions'.
    const schedule = new CloudwatchEventRule(this, id('sweep-schedule'), {
      provider,
      region,
      name: resourceName(config, 'remediation-sweep'),
      description: 'Every few minutes: finish isolations a failed run left',
      scheduleExpression: SWEEP_SCHEDULE,
    });
    sweep.allowRule('sweep-schedule', schedule.arn);
    deadLetters.allowRule(schedule.arn);
    new CloudwatchEventTarget(this, id('sweep-schedule-sweep-isolations'), {
      provider,
      region,
      rule: schedule.name,
      targetId: 'sweep-isolations',
      arn: sweep.function.arn,
      retryPolicy: TARGET_RETRY_POLICY,
      deadLetterConfig: { arn: deadLetters.queueArn },
    });

    const deadLetterAlarm = new CloudwatchMetricAlarm(this, id('dead-letters-alarm'), {
      provider,
      region,
      alarmName: resourceName(config, 'remediation-dead-letters'),
      alarmDescription: 'A remediation event could not be delivered or kept failing; it waits in the dead-letter queue',
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: deadLetters.queue.name },
      statistic: 'Maximum',
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    });
    const alarms = [...[isolation, sweep, revocation, deactivation].flatMap((fn) => fn?.alarms ?? []), deadLetterAlarm];
    const alarmRule = new CloudwatchEventRule(this, id('alarms'), {
      provider,
      region,
      name: resourceName(config, 'remediation-alarms'),
      description: 'Remediation alarms entering ALARM: e-mail the remediation topic',
      eventPattern: JSON.stringify(alarmPattern(alarms.map((alarm) => alarm.arn))),
    });
    topic.allowRule(alarmRule.arn);
    deadLetters.allowRule(alarmRule.arn);
    this.emailTarget(provider, region, id('alarms-email'), alarmRule, topic, deadLetters, ALARM_EMAIL);
  }

  private emailTarget(
    provider: AwsProvider,
    region: string,
    id: string,
    rule: CloudwatchEventRule,
    topic: NotificationTopic,
    deadLetters: DeadLetterQueue,
    email: InputTransformer,
  ): void {
    new CloudwatchEventTarget(this, id, {
      provider,
      region,
      rule: rule.name,
      targetId: 'email',
      arn: topic.topicArn,
      inputTransformer: { inputPaths: email.inputPaths, inputTemplate: email.inputTemplate },
      retryPolicy: TARGET_RETRY_POLICY,
      deadLetterConfig: { arn: deadLetters.queueArn },
    });
  }
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

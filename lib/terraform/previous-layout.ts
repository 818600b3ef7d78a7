import { cdktfLogicalId, instanceAddress } from './addresses';

/**
 * Where each keyed resource instance lived in earlier layouts, so that a stack ships `moved` blocks
 * from those addresses to the instance's own and an upgrade moves state instead of destroying a
 * detector (and its findings) or a membership. Checked against synthesized fixtures of each layout
 * (__tests__/stacks/moved.test.ts).
 *
 * - `hashed` (up to commit d3f9baa): one resource per account and region, named by cdktf from its
 *   construct path below the stack, such as `aws_guardduty_member.member-333333333333_eu-west-1_6056AEBD`
 *   for the path `member-333333333333/eu-west-1`.
 * - `shared` (until issue 24): the members' blocks shared by every account of a stack,
 *   `aws_guardduty_member.member["333333333333/eu-west-1"]`. Issue 24 gave each member account blocks
 *   of its own (`aws_guardduty_member.member_333333333333["eu-west-1"]`), because only a whole block can
 *   leave a state without being destroyed (a `removed` block names no instance key), which an account
 *   moved to another stack needs.
 *
 * An instance that moved twice gets a chain (hashed to shared, shared to its own address): Terraform
 * follows chained `moved` blocks, and two blocks moving different addresses to one would be ambiguous.
 */
export type Layout = 'hashed' | 'shared';

/** Every earlier layout, oldest first. */
export const LAYOUTS: readonly Layout[] = ['hashed', 'shared'];

/** A keyed block, as the previous layout's paths need it. */
export interface KeyedBlockInfo {
  readonly type: string;
  /** The block name (`member`, `member_333333333333`). */
  readonly name: string;
  /** The block's own arguments, shared by its instances (a filter's `name`). */
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** One instance of a keyed block. */
export interface KeyedInstance extends KeyedBlockInfo {
  readonly key: string;
  /** The instance's values (`region`, `account_id`, `name`...). */
  readonly value: Readonly<Record<string, unknown>>;
}

type PreviousPath = (instance: KeyedInstance, account: string) => readonly string[];

const text = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error(`previous layout: expected a string, got ${JSON.stringify(value)}`);
  return value;
};
const region = (instance: KeyedInstance) => text(instance.value.region);
const accountId = (instance: KeyedInstance) => text(instance.value.account_id);
/** The protection plans of that layout, named by their lower-cased feature name; a plan added since has no past. */
const PREVIOUS_FEATURES = new Set(['S3_DATA_EVENTS', 'EKS_AUDIT_LOGS', 'EBS_MALWARE_PROTECTION', 'RDS_LOGIN_EVENTS', 'LAMBDA_NETWORK_LOGS', 'RUNTIME_MONITORING']);
const feature = (instance: KeyedInstance) => text(instance.value.name).toLowerCase();
const isFeature = (type: string) => type.endsWith('_feature');
/** A remediation function's construct of that layout, `<function>-<region>`. */
const remediationFunction = (instance: KeyedInstance) => `${text(instance.value.function)}-${region(instance)}`;

/** The hashed layout, by `<type>.<block name>`; `*` stands for the account id of a block per member account (`member_<account>`). */
const PATHS: Readonly<Record<string, PreviousPath>> = {
  // admin stack
  'aws_guardduty_detector.detector': (i) => [`detector-${region(i)}`, 'detector'],
  'aws_guardduty_detector_feature.feature': (i) => [`detector-${region(i)}`, feature(i)],
  'aws_cloudwatch_event_rule.forwarder': (i) => [`forwarder-${region(i)}`, 'rule'],
  'aws_cloudwatch_event_target.forwarder': (i) => [`forwarder-${region(i)}`, 'central-bus'],
  // keyed at issue 24, hashed until then
  'aws_sqs_queue.findings_dlq': (i) => [`findings-dlq-${region(i)}`, 'queue'],
  'aws_sqs_queue_policy.findings_dlq': (i) => [`findings-dlq-${region(i)}`, 'policy'],
  'aws_guardduty_publishing_destination.export': (i) => ['export', `destination-${region(i)}`],
  // organization stack
  'aws_guardduty_organization_admin_account.delegation': (i) => [`organization-${region(i)}`, 'delegation'],
  'aws_guardduty_organization_configuration.configuration': (i) => [`organization-${region(i)}`, 'configuration'],
  'aws_guardduty_organization_configuration_feature.feature': (i) => [`organization-${region(i)}`, feature(i)],
  // members stacks
  'aws_guardduty_member.member_*': (i, account) => [`member-${account}`, region(i)],
  'aws_guardduty_detector.member_*': (i, account) => [`member-${account}`, region(i), 'detector', 'detector'],
  'aws_guardduty_member.invitation_*': (i, account) => [`member-${account}`, region(i), 'invitation'],
  'aws_guardduty_invite_accepter.member_*': (i, account) => [`member-${account}`, region(i), 'acceptance'],
  'aws_guardduty_member_detector_feature.feature_*': (i, account) => [`member-${account}`, region(i), feature(i)],
  // threat-intel stack
  'aws_guardduty_threatintelset.threat_list': (i) => ['lists', `${region(i)}-threat-${text(i.value.name)}`],
  'aws_guardduty_ipset.trusted_ip_list': (i) => ['lists', `${region(i)}-trusted`],
  'aws_guardduty_filter.filter_*': (i) => ['filters', `${region(i)}-${text(i.arguments.name)}`],
  // security-hub stacks
  'aws_securityhub_account.hub': (i) => [`security-hub-${region(i)}`, 'hub'],
  'aws_securityhub_product_subscription.guardduty': (i) => [`security-hub-${region(i)}`, 'guardduty'],
  'aws_securityhub_standards_subscription.standard': (i) => [
    `security-hub-${region(i)}`,
    `standard-${i.key.slice(region(i).length + 1).replace(/[/.]/g, '-')}`,
  ],
  'aws_securityhub_organization_admin_account.delegation': (i) => [`organization-${region(i)}`, 'delegation'],
  'aws_securityhub_organization_configuration.configuration': (i) => [`organization-${region(i)}`, 'configuration'],
  'aws_securityhub_member.member': (i) => [`member-${accountId(i)}`, region(i)],
  'aws_securityhub_account.member_*': (i, account) => [`member-${account}`, region(i), 'security-hub', 'hub'],
  'aws_securityhub_member.invitation': (i) => [`member-${accountId(i)}`, region(i), 'invitation'],
  'aws_securityhub_invite_accepter.member_*': (i, account) => [`member-${account}`, region(i), 'acceptance'],
  // detective stacks
  'aws_detective_graph.graph': (i) => [`graph-${region(i)}`, 'graph'],
  'aws_detective_organization_admin_account.delegation': (i) => [`organization-${region(i)}`, 'delegation'],
  'aws_detective_organization_configuration.configuration': (i) => [`organization-${region(i)}`, 'configuration'],
  'aws_detective_member.member': (i) => [`member-${accountId(i)}`, region(i)],
  'aws_detective_invitation_accepter.member_*': (i, account) => [`member-${account}`, `${region(i)}-acceptance`],
  // sandbox-remediation stack: its rules, targets and dead-letter alarm were one resource per region
  // until they were keyed (issue 22), named by their construct id (the sweep's were never released;
  // a moved block from an address no state holds changes nothing)
  'aws_cloudwatch_event_rule.remediation': (i) => [`${text(i.value.rule)}-${region(i)}`],
  'aws_cloudwatch_event_rule.remediation_sweep': (i) => [`sweep-schedule-${region(i)}`],
  'aws_cloudwatch_event_target.remediation_email': (i) => [`${text(i.value.rule)}-email-${region(i)}`],
  'aws_cloudwatch_event_target.remediation': (i) => [`${text(i.value.rule)}-${text(i.value.target_id)}-${region(i)}`],
  'aws_cloudwatch_event_target.remediation_sweep': (i) => [`sweep-schedule-sweep-isolations-${region(i)}`],
  'aws_cloudwatch_metric_alarm.remediation_dead_letters': (i) => [`dead-letters-alarm-${region(i)}`],
  'aws_cloudwatch_log_group.remediation': (i) => [remediationFunction(i), 'logs'],
  'aws_iam_role.remediation': (i) => [remediationFunction(i), 'role'],
  'aws_iam_role_policy.remediation': (i) => [remediationFunction(i), 'policy'],
  'aws_lambda_function.remediation': (i) => [remediationFunction(i), 'function'],
  'aws_lambda_function_event_invoke_config.remediation': (i) => [remediationFunction(i), 'async'],
  'aws_cloudwatch_metric_alarm.remediation_errors': (i) => [remediationFunction(i), 'errors-alarm'],
  'aws_cloudwatch_metric_alarm.remediation_rejected': (i) => [remediationFunction(i), 'rejected-alarm'],
  'aws_cloudwatch_log_metric_filter.remediation_rejected': (i) => [remediationFunction(i), 'rejected-filter'],
  'aws_lambda_permission.remediation': (i) => [remediationFunction(i), `invoke-${text(i.value.rule)}`],
};

/**
 * The blocks of one member account that the shared layout kept in a block of every account, by
 * `<type>.<block name prefix>`: that block's name. Their keys there began with the account.
 */
const SHARED: Readonly<Record<string, string>> = {
  'aws_guardduty_member.member': 'member',
  'aws_guardduty_member.invitation': 'invitation',
  'aws_guardduty_member_detector_feature.feature': 'feature',
};

/** Where an instance was in each earlier layout (oldest first), given its block; empty where it had no past. */
export type PreviousAddresses = (key: string, value: Readonly<Record<string, unknown>>) => readonly string[];

/**
 * The addresses a keyed block's instances had in the given earlier layouts, oldest first, leaving out
 * any that is the instance's own address still; undefined for a block that had no past in them.
 */
export function previousAddresses(block: KeyedBlockInfo, layouts: readonly Layout[] = LAYOUTS): PreviousAddresses | undefined {
  const perAccount = /^(member|invitation|feature|filter)_(.+)$/.exec(block.name);
  const account = perAccount?.[2] ?? '';
  const hashedPath = layouts.includes('hashed') ? (PATHS[`${block.type}.${block.name}`] ?? (perAccount ? PATHS[`${block.type}.${perAccount[1]}_*`] : undefined)) : undefined;
  const shared = layouts.includes('shared') && perAccount && /^\d{12}$/.test(account) ? SHARED[`${block.type}.${perAccount[1]}`] : undefined;
  if (!hashedPath && !shared) return undefined;
  const features = isFeature(block.type);
  return (key, value) => {
    const chain: string[] = [];
    if (hashedPath && !(features && !PREVIOUS_FEATURES.has(text(value.name)))) {
      const instance: KeyedInstance = { type: block.type, name: block.name, arguments: block.arguments, key, value };
      chain.push(`${block.type}.${cdktfLogicalId(hashedPath(instance, account))}`);
    }
    if (shared) chain.push(instanceAddress(block.type, shared, `${account}/${key}`));
    return chain;
  };
}

/** The address the instance had in the earliest layout that had it, or undefined for an instance that had none. */
export function previousAddress(instance: KeyedInstance, layouts: readonly Layout[] = LAYOUTS): string | undefined {
  return previousAddresses(instance, layouts)?.(instance.key, instance.value)[0];
}

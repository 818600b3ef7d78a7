/**
 * Writes the roles templates of examples/deployment-roles from the types the configurations
 * synthesize (./synthesized.ts) and the IAM actions of each type (./actions.ts):
 *
 * - `account-roles.yaml`: the deployment role and the read-only role of one account, with the
 *   policies of the parts it plays (admin, sandbox, log archive, member), chosen by its account id;
 * - `organization-roles.yaml`: deployed once in the management account, the management account's
 *   own two roles and a service-managed StackSet that puts `account-roles.yaml` into every account
 *   of the chosen OUs, now and whenever an account joins them.
 *
 * Run after a change to the stacks' resource types or to ./actions.ts:
 * `npx tsx scripts/deployment-roles/template.ts` (the test of the templates fails until then).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { rolePolicies, type Statement } from './policies';
import { synthesizedTypes, type AccountRole } from './synthesized';

const yaml: { safeDump(value: unknown, options?: Record<string, unknown>): string } = require('js-yaml');

/** IAM's size limit of a managed policy (characters without white space), less room for the parameters' values. */
const POLICY_BUDGET = 5800;
/** The sessions every command and provider of the product opens: `guardduty-<name>`, `guardduty-verify-<name>`, ... */
const SESSION_NAMES = 'guardduty-*';

type Cfn = Record<string, unknown>;
const ref = (name: string): Cfn => ({ Ref: name });
const sub = (text: string): Cfn | string => (text.includes('${') ? { 'Fn::Sub': text } : text);

export interface PolicyPart {
  readonly role: AccountRole;
  /** The CloudFormation condition that attaches it, or none: every account. */
  readonly condition?: string;
  /** Resource types of that part. */
  readonly types: readonly string[];
  /** Whether the part also grants what verify and discover call in that role. */
  readonly commandReads: boolean;
}

const MODE_CONDITIONS = { organizations: 'Organizations', invitations: 'Invitations' } as const;

/**
 * The parts of one account role: what it holds in both modes (with the commands' reads), and what
 * only one mode adds, each under the role's condition and the mode's.
 */
function partsOf(types: Map<string, Set<string>>, role: AccountRole, condition?: string): { parts: PolicyPart[]; conditions: Record<string, Cfn> } {
  const of = (mode: string) => [...(types.get(`${role}/${mode}`) ?? [])].sort();
  const [organizations, invitations] = [of('organizations'), of('invitations')];
  const both = organizations.filter((type) => invitations.includes(type));
  const parts: PolicyPart[] = [{ role, condition, types: both, commandReads: true }];
  const conditions: Record<string, Cfn> = {};
  for (const [mode, list] of [['organizations', organizations], ['invitations', invitations]] as const) {
    const only = list.filter((type) => !both.includes(type));
    if (only.length === 0) continue;
    const modeCondition = MODE_CONDITIONS[mode];
    const name = condition ? `${condition}And${modeCondition}` : modeCondition;
    if (condition) conditions[name] = { 'Fn::And': [{ Condition: condition }, { Condition: modeCondition }] };
    parts.push({ role, condition: name, types: only, commandReads: false });
  }
  return { parts, conditions };
}

function chunks(statements: Statement[]): Statement[][] {
  const out: Statement[][] = [[]];
  for (const statement of statements) {
    const size = (list: Statement[]) => JSON.stringify({ Version: '2012-10-17', Statement: list }).length;
    if (size([...out[out.length - 1], statement]) > POLICY_BUDGET) out.push([]);
    out[out.length - 1].push(statement);
  }
  return out.filter((list) => list.length > 0);
}

const documentOf = (statements: Statement[]): Cfn => ({
  Version: '2012-10-17',
  Statement: statements.map(({ Resource, ...rest }) => ({ ...rest, Resource: Resource.map(sub) })),
});

const capitalized = (text: string) => text[0].toUpperCase() + text.slice(1);

/** The two roles and their managed policies, one set of policies per part, each under its condition. */
async function roles(parts: readonly PolicyPart[], prefix: string): Promise<Record<string, Cfn>> {
  const resources: Record<string, Cfn> = {
    [`${prefix}DeploymentRole`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: ref('DeploymentRoleName'),
        Description: sub('Deploys the GuardDuty stacks of ${DeploymentName} (roleName / managementRoleName)'),
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: trust('DeployerArns', 'apply'),
        Tags: [{ Key: 'GuardDutyDeployment', Value: ref('DeploymentName') }],
      },
    },
    [`${prefix}ReadOnlyRole`]: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: ref('ReadOnlyRoleName'),
        Description: sub('Plans and verifies the GuardDuty stacks of ${DeploymentName}: reads what they manage, nothing else'),
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: trust('ReaderArns', 'plan'),
        Tags: [{ Key: 'GuardDutyDeployment', Value: ref('DeploymentName') }],
      },
    },
    // The deployment may manage roles named after it: never its own two.
    [`${prefix}ProtectTheRoles`]: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: 'The deployment role cannot change itself or the read-only role',
        Roles: [ref(`${prefix}DeploymentRole`)],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'NotTheseRoles',
              Effect: 'Deny',
              Action: [
                'iam:AttachRolePolicy',
                'iam:DeleteRole',
                'iam:DeleteRolePermissionsBoundary',
                'iam:DeleteRolePolicy',
                'iam:DetachRolePolicy',
                'iam:PutRolePermissionsBoundary',
                'iam:PutRolePolicy',
                'iam:TagRole',
                'iam:UntagRole',
                'iam:UpdateAssumeRolePolicy',
                'iam:UpdateRole',
                'iam:UpdateRoleDescription',
              ],
              Resource: [sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${DeploymentRoleName}'), sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${ReadOnlyRoleName}')],
            },
          ],
        },
      },
    },
  };
  for (const part of parts) {
    const policies = await rolePolicies(part.role, part.types, part.commandReads);
    const mode = part.condition?.endsWith('Invitations') ? 'Invited' : part.condition?.endsWith('Organizations') ? 'Organizations' : '';
    const name = `${prefix}${capitalized(part.role)}${mode}`;
    if (policies.deploy.length === 0) continue;
    for (const [kind, statements, role] of [
      ['Deploy', policies.deploy, `${prefix}DeploymentRole`],
      ['Read', policies.readOnly, `${prefix}ReadOnlyRole`],
    ] as const) {
      chunks(statements).forEach((list, index) => {
        resources[`${name}${kind}${index + 1}`] = {
          Type: 'AWS::IAM::ManagedPolicy',
          ...(part.condition ? { Condition: part.condition } : {}),
          Properties: {
            Description: `${kind === 'Deploy' ? 'Deploys' : 'Reads'} what the stacks hold in the ${part.role} account${mode ? ` (${mode === 'Invited' ? 'invitations' : 'organizations'} mode)` : ''}`,
            Roles: [ref(role)],
            PolicyDocument: documentOf(list),
          },
        };
      });
    }
  }
  return resources;
}

function trust(principals: string, phase: RunPhase): Cfn {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ThePipelineRolesOnly',
        Effect: 'Allow',
        Principal: { AWS: ref(principals) },
        Action: 'sts:AssumeRole',
        Condition: { StringLike: { 'sts:RoleSessionName': SESSION_NAMES } },
      },
      { 'Fn::If': ['HcpTerraform', hcpTrust(phase), ref('AWS::NoValue')] },
    ],
  };
}

/** HCP Terraform's run phases: a plan (speculative or not) is `plan`, an apply `apply`. */
type RunPhase = 'plan' | 'apply';

/** The host of HCP Terraform's tokens: the IAM OIDC provider's URL, and the prefix of the claims' condition keys (literal in a policy). */
export const HCP_HOST = 'app.terraform.io';
/** The audience HCP Terraform's AWS dynamic credentials ask for unless the workspace sets TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE. */
export const HCP_AUDIENCE = 'aws.workload.identity';

/**
 * Trust for HCP Terraform's dynamic provider credentials: a token of the account's own OIDC provider
 * for app.terraform.io, with the audience above, whose subject is one of the listed workspaces in
 * the given run phase, compared exactly (StringEquals: a `*` in a value is a `*`). CloudFormation
 * cannot put a parameter into each item of a list, so the workspaces come as their subjects without
 * the phase (`organization:<org>:project:<project>:workspace:<name>`, what workspaces.sh prints) and
 * the phase is joined on here: the deployment role is the apply's only, the read-only role the plan's.
 */
function hcpTrust(phase: RunPhase): Cfn {
  const suffix = `:run_phase:${phase}`;
  return {
    Sid: phase === 'apply' ? 'HcpTerraformAppliesOnly' : 'HcpTerraformPlansOnly',
    Effect: 'Allow',
    // The provider's own ARN when this stack creates it, so that the role waits for it.
    Principal: { Federated: { 'Fn::If': ['CreateHcpOidcProvider', ref('HcpTerraformOidcProvider'), sub(`arn:\${AWS::Partition}:iam::\${AWS::AccountId}:oidc-provider/${HCP_HOST}`)] } },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: {
      StringEquals: {
        [`${HCP_HOST}:aud`]: HCP_AUDIENCE,
        [`${HCP_HOST}:sub`]: { 'Fn::Split': [',', { 'Fn::Join': ['', [{ 'Fn::Join': [`${suffix},`, ref('HcpWorkspaces')] }, suffix]] }] },
      },
    },
  };
}

/** The workspaces' subjects without the phase: organization and project names, then the workspace's. */
const HCP_SUBJECT = 'organization:[A-Za-z0-9_-]{1,40}:project:[A-Za-z0-9 _-]{1,40}:workspace:[A-Za-z0-9_-]{1,90}';

const PARAMETERS: Record<string, Cfn> = {
  DeploymentName: {
    Type: 'String',
    AllowedPattern: '^[a-z][a-z0-9-]{1,19}$',
    Description: "The configuration's name: the stacks name their buckets, queues, topics, functions and roles <name>-...",
  },
  DeploymentRoleName: { Type: 'String', Default: 'GuardDutyDeployment', AllowedPattern: '^[\\w+=,.@-]{1,64}$', Description: 'roleName and managementRoleName in the configuration' },
  ReadOnlyRoleName: { Type: 'String', Default: 'GuardDutyReadOnly', AllowedPattern: '^[\\w+=,.@-]{1,64}$', Description: 'The role of pull-request plans and verify --role' },
  DeployerArns: { Type: 'CommaDelimitedList', Description: 'Roles that may assume the deployment role: the pipeline deploy role (and the HCP Terraform apply role)' },
  ReaderArns: { Type: 'CommaDelimitedList', Description: 'Roles that may assume the read-only role: the pull-request plan role, the deploy role (verify), the HCP Terraform plan role' },
  AdminAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$', Description: 'accounts.admin' },
  SandboxAccountId: { Type: 'String', AllowedPattern: '^\\d{12}$', Description: 'accounts.sandbox' },
  LogArchiveAccountId: { Type: 'String', Default: '', AllowedPattern: '^(\\d{12})?$', Description: 'accounts.logArchive, if the export bucket lives there' },
  Mode: { Type: 'String', Default: 'organizations', AllowedValues: ['organizations', 'invitations'], Description: 'mode' },
  HcpWorkspaces: {
    Type: 'CommaDelimitedList',
    Default: '',
    // Checked whole and item by item alike: nothing but exact subjects, no run phase, no wildcard.
    AllowedPattern: `^(${HCP_SUBJECT})?(,${HCP_SUBJECT})*$`,
    Description:
      'HCP Terraform dynamic credentials (backend.dynamicCredentials): organization:<org>:project:<project>:workspace:<name> of each workspace, as examples/hcp-terraform/workspaces.sh prints them; their applies may assume the deployment role, their plans the read-only role. Empty: no HCP Terraform trust',
  },
  HcpOidcProvider: {
    Type: 'String',
    Default: 'existing',
    AllowedValues: ['existing', 'create'],
    Description: `With HcpWorkspaces: create the IAM OIDC provider for ${HCP_HOST} (audience ${HCP_AUDIENCE}) in the account, or use the one it has`,
  },
};

/** The account's IAM OIDC provider for HCP Terraform, when asked for (one per account and host). */
const HCP_OIDC_PROVIDER: Record<string, Cfn> = {
  HcpTerraformOidcProvider: {
    Type: 'AWS::IAM::OIDCProvider',
    Condition: 'CreateHcpOidcProvider',
    Properties: { Url: `https://${HCP_HOST}`, ClientIdList: [HCP_AUDIENCE] },
  },
};

const HEADER = (what: string) => `# Generated by scripts/deployment-roles/template.ts from the stacks' resource types; do not edit.
# ${what}
# examples/deployment-roles/README.md says how to deploy it and what each policy is for.
`;

export async function templates(): Promise<{ account: Cfn; organization: Cfn }> {
  const types = synthesizedTypes();
  const member = partsOf(types, 'member');
  const admin = partsOf(types, 'admin', 'IsAdmin');
  const sandbox = partsOf(types, 'sandbox', 'IsSandbox');
  const logArchive = partsOf(types, 'logArchive', 'IsLogArchive');
  const management = partsOf(types, 'management');
  const modes = {
    Organizations: { 'Fn::Equals': [ref('Mode'), 'organizations'] },
    Invitations: { 'Fn::Equals': [ref('Mode'), 'invitations'] },
    HcpTerraform: { 'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': [',', ref('HcpWorkspaces')] }, ''] }] },
    CreateHcpOidcProvider: { 'Fn::And': [{ Condition: 'HcpTerraform' }, { 'Fn::Equals': [ref('HcpOidcProvider'), 'create'] }] },
  };
  const account: Cfn = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'GuardDuty organization deployment: the deployment role and the read-only role of one account',
    Parameters: PARAMETERS,
    Conditions: {
      ...modes,
      IsAdmin: { 'Fn::Equals': [ref('AWS::AccountId'), ref('AdminAccountId')] },
      IsSandbox: { 'Fn::Equals': [ref('AWS::AccountId'), ref('SandboxAccountId')] },
      IsLogArchive: { 'Fn::Equals': [ref('AWS::AccountId'), ref('LogArchiveAccountId')] },
      ...admin.conditions,
      ...sandbox.conditions,
      ...logArchive.conditions,
    },
    Resources: { ...(await roles([...member.parts, ...admin.parts, ...sandbox.parts, ...logArchive.parts], '')), ...HCP_OIDC_PROVIDER },
  };
  const parameterValue = (name: string) => (PARAMETERS[name].Type === 'CommaDelimitedList' ? { 'Fn::Join': [',', ref(name)] } : ref(name));
  const organization: Cfn = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: "GuardDuty organization deployment: the management account's roles, and every other account's through a StackSet",
    Parameters: {
      ...PARAMETERS,
      OrganizationalUnitIds: { Type: 'CommaDelimitedList', Description: 'The OUs (or the root, r-...) whose accounts get the roles, now and when they join' },
    },
    Conditions: modes,
    Resources: {
      ...(await roles([...management.parts, ...member.parts], 'Management')),
      ...HCP_OIDC_PROVIDER,
      AccountRoles: {
        Type: 'AWS::CloudFormation::StackSet',
        Properties: {
          StackSetName: sub('${DeploymentName}-guardduty-roles'),
          Description: 'The GuardDuty deployment role and read-only role of every account (examples/deployment-roles/account-roles.yaml)',
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
          ManagedExecution: { Active: true },
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          OperationPreferences: { FailureToleranceCount: 0, MaxConcurrentPercentage: 25, RegionConcurrencyType: 'PARALLEL' },
          Parameters: Object.keys(PARAMETERS).map((name) => ({ ParameterKey: name, ParameterValue: parameterValue(name) })),
          // IAM is global: one instance per account, in the region this stack is deployed in.
          StackInstancesGroup: [{ DeploymentTargets: { OrganizationalUnitIds: ref('OrganizationalUnitIds') }, Regions: [ref('AWS::Region')] }],
          TemplateBody: JSON.stringify(account),
        },
      },
    },
  };
  return { account, organization };
}

export const FOLDER = path.resolve(__dirname, '../../examples/deployment-roles');

export function render(template: Cfn, what: string): string {
  return HEADER(what) + yaml.safeDump(template, { lineWidth: 160, noRefs: true, sortKeys: false });
}

if (require.main === module) {
  void templates().then(({ account, organization }) => {
    writeFileSync(path.join(FOLDER, 'account-roles.yaml'), render(account, 'The deployment role and the read-only role of one account.'));
    writeFileSync(
      path.join(FOLDER, 'organization-roles.yaml'),
      render(organization, "The management account's roles, and a service-managed StackSet that puts account-roles.yaml into every account of the OUs."),
    );
  });
}

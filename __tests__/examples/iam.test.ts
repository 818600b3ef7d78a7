import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSynthesized } from '../../cli/common/synthesized';
import { buildApp } from '../../stacks/app';
import { loadConfig } from '../../lib/config/load';
import { REPO_ROOT } from '../helpers/synth';

const FOLDER = path.join(REPO_ROOT, 'examples/iam');
type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource?: string | string[]; Principal?: Record<string, string>; Condition?: Record<string, Record<string, unknown>> };
const policy = (file: string) => JSON.parse(readFileSync(path.join(FOLDER, file), 'utf8')) as { Version: string; Statement: Statement[] };
const actions = (statement: Statement) => [statement.Action].flat();
const OIDC = 'arn:aws:iam::<pipeline-account>:oidc-provider/token.actions.githubusercontent.com';

/** The IAM service of each resource type the stacks use: a new type fails here until the read-only role can read it. */
const SERVICE_BY_PREFIX: [RegExp, string][] = [
  [/^aws_cloudwatch_event_/, 'events'],
  [/^aws_cloudwatch_log_/, 'logs'],
  [/^aws_cloudwatch_metric_alarm$/, 'cloudwatch'],
  [/^aws_guardduty_/, 'guardduty'],
  [/^aws_securityhub_/, 'securityhub'],
  [/^aws_detective_/, 'detective'],
  [/^aws_iam_/, 'iam'],
  [/^aws_kms_/, 'kms'],
  [/^aws_s3_/, 's3'],
  [/^aws_sns_/, 'sns'],
  [/^aws_sqs_/, 'sqs'],
  [/^aws_lambda_/, 'lambda'],
  [/^aws_organizations_/, 'organizations'],
  [/^aws_dynamodb_/, 'dynamodb'],
  [/^aws_ssm_/, 'ssm'],
  [/^aws_(vpc|subnet|internet_gateway|route|route_table|route_table_association|security_group|instance|eip|eip_association)$/, 'ec2'],
];

describe('IAM example: the pipeline roles', () => {
  it('ships every role as valid policy documents', () => {
    expect(readdirSync(FOLDER).filter((file) => file.endsWith('.json')).sort()).toEqual(expect.arrayContaining([
      'deploy-role.permissions.json',
      'deploy-role.trust.json',
      'pull-request-plan-role.permissions.json',
      'pull-request-plan-role.trust.json',
      'read-only-role.permissions.json',
      'read-only-role.trust.json',
    ]));
    for (const file of readdirSync(FOLDER).filter((name) => name.endsWith('.json'))) {
      const document = policy(file);
      expect(document.Version).toBe('2012-10-17');
      for (const statement of document.Statement) expect(statement.Effect).toBe('Allow');
    }
  });

  it('trusts pull requests of the repository for the plan role, the protected environment only for the deploy role', () => {
    const trust = (file: string, subject: string) =>
      expect(policy(file).Statement).toEqual([
        expect.objectContaining({
          Principal: { Federated: OIDC },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: { StringEquals: { 'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com', 'token.actions.githubusercontent.com:sub': subject } },
        }),
      ]);
    trust('pull-request-plan-role.trust.json', 'repo:<github-owner>/<github-repo>:pull_request');
    trust('deploy-role.trust.json', 'repo:<github-owner>/<github-repo>:environment:guardduty-production');
    // The deploy role too: verify reads through the read-only role after each deploy step.
    expect(policy('read-only-role.trust.json').Statement).toEqual([
      expect.objectContaining({
        Principal: { AWS: ['arn:aws:iam::<pipeline-account>:role/guardduty-pull-request-plan', 'arn:aws:iam::<pipeline-account>:role/guardduty-deploy'] },
        Action: 'sts:AssumeRole',
      }),
    ]);
    expect(readFileSync(path.join(REPO_ROOT, 'examples/github-actions/guardduty-step.yml'), 'utf8')).toContain('environment: guardduty-production');
  });

  it('lets the plan role only assume the read-only roles and read the states, never lock or write them', () => {
    const statements = policy('pull-request-plan-role.permissions.json').Statement;
    expect(statements.flatMap(actions).sort()).toEqual(['kms:Decrypt', 's3:GetObject', 's3:ListBucket', 'sts:AssumeRole']);
    expect(statements.find((statement) => actions(statement).includes('sts:AssumeRole'))?.Resource).toBe('arn:aws:iam::*:role/<read-only-role>');
  });

  it('lets the read-only role read, and only read, every kind of resource the stacks manage', () => {
    const statements = policy('read-only-role.permissions.json').Statement;
    const all = statements.flatMap(actions);
    for (const action of all) expect(action).toMatch(/^[a-z0-9-]+:(Get|List|Describe)[A-Za-z]*\*?$/);
    // S3 and the table's items only where the deployment keeps them.
    const s3 = statements.find((statement) => actions(statement).some((action) => action.startsWith('s3:')));
    expect(s3?.Resource).toEqual(['arn:aws:s3:::<name>-*', 'arn:aws:s3:::<name>-*/*']);
    expect(statements.find((statement) => actions(statement).includes('dynamodb:GetItem'))?.Resource).toBe('arn:aws:dynamodb:*:*:table/GuardDuty-Example-Customer-DB');

    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-iam-'));
    // Every stack kind and service on: Security Hub, Detective, Malware Protection for S3, the log-archive export.
    const config = loadConfig('__tests__/fixtures/everything-on/org.json', { cwd: REPO_ROOT });
    buildApp(config, { outdir }).synth();
    const types = new Set([...readSynthesized(outdir).stacks.values()].flatMap((stack) => Object.keys(stack.resource ?? {})));
    const services = new Set(all.map((action) => action.split(':')[0]));
    for (const type of types) {
      const service = SERVICE_BY_PREFIX.find(([pattern]) => pattern.test(type))?.[1];
      expect(`${type}: ${service && services.has(service) ? 'readable' : `no read-only actions for ${service ?? 'an unknown service'}`}`).toBe(`${type}: readable`);
    }
  });

  it('lets the read-only role make every call verify makes (one read-only role for plans and verify)', () => {
    const allowed = policy('read-only-role.permissions.json').Statement.filter((statement) => statement.Resource === '*').flatMap(actions);
    const matches = (action: string) => allowed.some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action));
    const verify = JSON.parse(readFileSync(path.join(FOLDER, 'verify-read-only.json'), 'utf8')) as { Statement: Statement[] };
    const calls = verify.Statement.flatMap(actions);
    expect(calls.length).toBeGreaterThan(20);
    for (const action of calls) expect(`${action}: ${matches(action)}`).toBe(`${action}: true`);
    expect(matches('guardduty:CreateMembers')).toBe(false);
  });

  it('lets the deploy role assume the deployment roles and use the states, nothing else', () => {
    const statements = policy('deploy-role.permissions.json').Statement;
    expect(statements.flatMap(actions).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 's3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject', 'sts:AssumeRole']);
    expect(statements.find((statement) => actions(statement).includes('sts:AssumeRole'))?.Resource).toEqual([
      'arn:aws:iam::*:role/<role-name>',
      'arn:aws:iam::<management-account>:role/<management-role-name>',
      'arn:aws:iam::*:role/<read-only-role>',
    ]);
    for (const statement of statements.filter((s) => actions(s).some((action) => action.startsWith('s3:') && action !== 's3:ListBucket'))) {
      expect(statement.Resource).toBe('arn:aws:s3:::<state-bucket>/<state-key-prefix>/*');
    }
  });
});

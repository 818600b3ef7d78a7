import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { planStacks } from '../../lib/plan/stacks';
import { problemsAfter } from '../helpers/config';
import { REPO_ROOT, synthApp, testConfig, type Synthesized } from '../helpers/synth';

const ADMIN = '222222222222';
const LOG_ARCHIVE = '999999999999';
const HOME = 'us-west-2';
const DETECTORS = { StringEquals: { 'aws:SourceAccount': ADMIN }, ArnLike: { 'aws:SourceArn': `arn:aws:guardduty:*:${ADMIN}:detector/*` } };

type Resource = Record<string, any>;

function only(synth: Synthesized, type: string): [string, Resource] {
  const entries = Object.entries(synth.resources('admin', type));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
}

function exportKey(synth: Synthesized): [string, Resource] {
  const entries = Object.entries(synth.resources('admin', 'aws_kms_key')).filter(([, key]) => key.description.includes('exported'));
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
}

function withLogArchive(exportSettings: Record<string, unknown>, mode = 'organizations') {
  const base = testConfig();
  return testConfig({
    mode,
    ...(mode === 'invitations' ? { organizationId: undefined } : {}),
    accounts: { ...base.accounts, logArchive: LOG_ARCHIVE },
    export: { bucketAccount: 'logArchive', ...exportSettings },
  });
}

describe('findings export, evidence kept', () => {
  it.each(['organizations', 'invitations'])('versions the bucket and refuses to destroy it or its key by default (%s mode)', (mode) => {
    const synth = synthApp(testConfig({ mode, ...(mode === 'invitations' ? { organizationId: undefined } : {}) }));
    const [bucketName, bucket] = only(synth, 'aws_s3_bucket');
    expect(bucket).toMatchObject({ bucket: `acme-findings-${ADMIN}-${HOME}`, force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(exportKey(synth)[1].lifecycle).toEqual({ prevent_destroy: true });
    const [versioningName, versioning] = only(synth, 'aws_s3_bucket_versioning');
    expect(versioning).toMatchObject({ bucket: `\${aws_s3_bucket.${bucketName}.id}`, versioning_configuration: { status: 'Enabled' }, region: HOME });
    const [, lifecycle] = only(synth, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule[0].noncurrent_version_transition).toEqual([{ noncurrent_days: 90, storage_class: 'GLACIER' }]);
    expect(lifecycle.rule[0].noncurrent_version_expiration).toBeUndefined();
    expect(lifecycle.depends_on).toEqual([`aws_s3_bucket_versioning.${versioningName}`]);
  });

  it('lets cdktf destroy delete the findings with export.forceDestroy', () => {
    const synth = synthApp(testConfig({ export: { forceDestroy: true, expirationDays: 400 } }));
    const [, bucket] = only(synth, 'aws_s3_bucket');
    expect(bucket.force_destroy).toBe(true);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: false });
    expect(exportKey(synth)[1].lifecycle).toEqual({ prevent_destroy: false });
    const [, lifecycle] = only(synth, 'aws_s3_bucket_lifecycle_configuration');
    expect(lifecycle.rule[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 400 }]);
  });
});

describe('findings export to a log-archive account', () => {
  it('gives the admin stack a provider pinned to the log-archive account only when the export uses it', () => {
    expect(planStacks(testConfig()).stacks[0].accounts).toEqual([{ role: 'admin', id: ADMIN }]);
    const admin = planStacks(withLogArchive({})).stacks.find((stack) => stack.id === 'admin')!;
    expect(admin.accounts).toEqual([{ role: 'admin', id: ADMIN }, { role: 'log-archive', id: LOG_ARCHIVE }]);
    expect(admin.description).toContain('S3 export to the log-archive account');
    const unused = testConfig({ accounts: { ...testConfig().accounts, logArchive: LOG_ARCHIVE } });
    expect(planStacks(unused).stacks[0].accounts).toHaveLength(1);
  });

  it.each(['organizations', 'invitations'])('keeps bucket and key in the log archive, writable only by the administrator’s detectors (%s mode)', (mode) => {
    const synth = synthApp(withLogArchive({}, mode));
    const providers = synth.stack('admin').provider.aws;
    expect(providers.find((p: Resource) => p.alias === 'log-archive')).toMatchObject({
      allowed_account_ids: [LOG_ARCHIVE],
      assume_role: [{ role_arn: `arn:aws:iam::${LOG_ARCHIVE}:role/OrganizationAccountAccessRole` }],
    });
    const [bucketName, bucket] = only(synth, 'aws_s3_bucket');
    expect(bucket).toMatchObject({ bucket: `acme-findings-${LOG_ARCHIVE}-${HOME}`, provider: 'aws.log-archive' });
    const [keyName, key] = exportKey(synth);
    expect(key.provider).toBe('aws.log-archive');
    expect(JSON.parse(key.policy).Statement).toEqual([
      { Sid: 'AccountAdministers', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` }, Action: 'kms:*', Resource: '*' },
      { Sid: 'GuardDutyEncryptsFindings', Effect: 'Allow', Principal: { Service: 'guardduty.amazonaws.com' }, Action: 'kms:GenerateDataKey', Resource: '*', Condition: DETECTORS },
    ]);
    for (const type of ['aws_s3_bucket_policy', 'aws_s3_bucket_versioning', 'aws_s3_bucket_public_access_block', 'aws_s3_bucket_server_side_encryption_configuration', 'aws_s3_bucket_lifecycle_configuration', 'aws_s3_bucket_ownership_controls']) {
      expect([type, only(synth, type)[1].provider]).toEqual([type, 'aws.log-archive']);
    }
    const policy = JSON.parse(only(synth, 'aws_s3_bucket_policy')[1].policy).Statement;
    const writes = policy.find((statement: Resource) => statement.Sid === 'GuardDutyWritesFindings');
    expect(writes).toMatchObject({ Resource: `\${aws_s3_bucket.${bucketName}.arn}/*`, Condition: DETECTORS });
    const destinations = Object.values(synth.resources('admin', 'aws_guardduty_publishing_destination'));
    expect(destinations).toHaveLength(3);
    for (const destination of destinations) {
      expect(destination.provider).toBe('aws'); // the admin account's provider
      expect(destination).toMatchObject({ destination_arn: `\${aws_s3_bucket.${bucketName}.arn}`, kms_key_arn: `\${aws_kms_key.${keyName}.arn}` });
    }
  });

  it('keeps the key with the administrator on request, and lets the log archive decrypt only', () => {
    const synth = synthApp(withLogArchive({ keyAccount: 'admin' }));
    const [, key] = exportKey(synth);
    expect(key.provider).toBe('aws');
    const statements = JSON.parse(key.policy).Statement;
    expect(statements.map((statement: Resource) => statement.Sid)).toEqual(['AccountAdministers', 'GuardDutyEncryptsFindings', 'BucketAccountReadsFindings']);
    expect(statements[0].Principal).toEqual({ AWS: `arn:aws:iam::${ADMIN}:root` });
    expect(statements[2]).toEqual({ Sid: 'BucketAccountReadsFindings', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${LOG_ARCHIVE}:root` }, Action: 'kms:Decrypt', Resource: '*' });
    expect(only(synth, 'aws_s3_bucket')[1].provider).toBe('aws.log-archive');
  });

  it.each([
    ['the bucket in an unset log archive', (d: Record<string, any>) => (d.export = { bucketAccount: 'logArchive' }), /^org\.json: export\.bucketAccount: is "logArchive", but accounts\.logArchive is not set/],
    ['the key in an unset log archive', (d: Record<string, any>) => (d.export = { keyAccount: 'logArchive' }), /^org\.json: export\.keyAccount: is "logArchive", but accounts\.logArchive is not set/],
    ['the admin account as log archive', (d: Record<string, any>) => (d.accounts.logArchive = ADMIN), /^org\.json: accounts\.logArchive: must not be the admin account \(222222222222\)/],
    ['the management account as log archive', (d: Record<string, any>) => (d.accounts.logArchive = d.accounts.management), /^org\.json: accounts\.logArchive: must not be the management account/],
    ['an unknown account role', (d: Record<string, any>) => (d.export = { bucketAccount: 'audit' }), /^org\.json: export\.bucketAccount: must be one of admin, logArchive; got "audit"$/],
  ])('refuses %s, naming the field', (_title, change, expected) => {
    expect(problemsAfter(change)).toEqual([expect.stringMatching(expected)]);
  });
});

describe('findings export, retirement as documented', () => {
  it('names in docs/rollout.md the addresses of the bucket and key that are kept', () => {
    const docs = readFileSync(path.join(REPO_ROOT, 'docs/rollout.md'), 'utf8');
    const synth = synthApp(testConfig());
    const command = `terraform -chdir=cdktf.out/stacks/admin state rm aws_s3_bucket.${only(synth, 'aws_s3_bucket')[0]} aws_kms_key.${exportKey(synth)[0]}`;
    expect(docs).toContain(`${command}\n`);
  });
});

describe('findings export under a folder (export.prefix)', () => {
  it('creates the folder marker first, in the bucket account, and publishes every region under the folder', () => {
    const synth = synthApp(withLogArchive({ prefix: 'guardduty/findings' }));
    const [bucketName] = only(synth, 'aws_s3_bucket');
    const [markerName, marker] = only(synth, 'aws_s3_object');
    expect(marker).toMatchObject({ bucket: `\${aws_s3_bucket.${bucketName}.bucket}`, key: 'guardduty/findings/', content: '', region: HOME, provider: 'aws.log-archive' });
    const destinations = Object.values(synth.resources('admin', 'aws_guardduty_publishing_destination'));
    expect(destinations).toHaveLength(3);
    for (const destination of destinations) {
      expect(destination.destination_arn).toBe(`\${aws_s3_bucket.${bucketName}.arn}/guardduty/findings`);
      expect(destination.depends_on).toContain(`aws_s3_object.${markerName}`);
    }
  });

  it('writes no marker without a prefix, and refuses a prefix with a slash at either end', () => {
    expect(synthApp(testConfig()).resources('admin', 'aws_s3_object')).toEqual({});
    expect(problemsAfter((data) => (data.export = { prefix: '/guardduty/' }))).toEqual([
      `org.json: export.prefix: must be a folder of the bucket without "/" at either end (letters, digits and !_.*'()-, folders separated by "/"); got "/guardduty/"`,
    ]);
  });
});

import { problemsAfter } from '../../helpers/config';

/**
 * Backend settings reach S3 keys, the revocation function's environment, HCP Terraform API URLs and
 * review.md: each is refused, by its field, unless it is what its service accepts.
 */

const s3 = (settings: Record<string, unknown>) =>
  problemsAfter((data) => {
    data.backend = { type: 's3', bucket: 'acme-terraform-state', region: 'us-west-2', ...settings };
  });
const cloud = (settings: Record<string, unknown>) =>
  problemsAfter((data) => {
    data.backend = { type: 'cloud', organization: 'acme', ...settings };
  });

describe('backend s3', () => {
  it('accepts a state bucket, key prefix, role and key as AWS names them', () => {
    expect(s3({})).toEqual([]);
    expect(s3({ keyPrefix: 'security/guardduty/', roleArn: 'arn:aws:iam::333333333333:role/platform/terraform-state', kmsKeyId: 'arn:aws:kms:us-west-2:444444444444:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0' })).toEqual([]);
    expect(s3({ kmsKeyId: 'alias/terraform-state' })).toEqual([]);
    expect(s3({ kmsKeyId: 'mrk-1234abcd12ab34cd56ef1234567890ab' })).toEqual([]);
  });

  it.each([
    ['bucket', 'Acme_State', "org.json: backend.bucket: must be an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit; got \"Acme_State\""],
    ['bucket', 'acme..state', 'org.json: backend.bucket: must be an S3 bucket name, which has no two adjacent periods; got "acme..state"'],
    ['bucket', '192.168.5.4', 'org.json: backend.bucket: must be an S3 bucket name, which is not formatted as an IP address; got "192.168.5.4"'],
    ['bucket', 'xn--acme-state', 'org.json: backend.bucket: must be an S3 bucket name, which does not start with "xn--" (reserved by S3); got "xn--acme-state"'],
    ['bucket', 'acme-state-s3alias', 'org.json: backend.bucket: must be an S3 bucket name, which does not end with "-s3alias" (reserved by S3); got "acme-state-s3alias"'],
    [
      'keyPrefix',
      '../../other-team',
      `org.json: backend.keyPrefix: must be 1-960 characters: parts of letters, digits, '.', '_' or '-' separated by single '/' (no leading '/', no "." or ".." part), as it starts every state file's S3 key; got "../../other-team"`,
    ],
    ['keyPrefix', '/guardduty', expect.stringMatching(/^org\.json: backend\.keyPrefix: must be 1-960 characters: .*; got "\/guardduty"$/)],
    ['keyPrefix', '', expect.stringMatching(/^org\.json: backend\.keyPrefix: must be 1-960 characters: .*; got ""$/)],
    ['keyPrefix', 'state files', expect.stringMatching(/^org\.json: backend\.keyPrefix: must be 1-960 characters: .*; got "state files"$/)],
    [
      'roleArn',
      'terraform-state',
      'org.json: backend.roleArn: must be an IAM role ARN, like "arn:aws:iam::123456789012:role/terraform-state": the role Terraform assumes for the state; got "terraform-state"',
    ],
    [
      'roleArn',
      'arn:aws:iam::333333333333:role/ops team',
      'org.json: backend.roleArn: must be an IAM role ARN whose role name is 1-64 letters, digits and +=,.@_- (like "arn:aws:iam::123456789012:role/terraform-state"): the role Terraform assumes for the state; got "arn:aws:iam::333333333333:role/ops team"',
    ],
    ['roleArn', 'arn:aws:iam::333333333333:user/terraform', expect.stringMatching(/^org\.json: backend\.roleArn: must be an IAM role ARN, like /)],
    [
      'kmsKeyId',
      'arn:aws:kms:us-east-1:444444444444:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
      "org.json: backend.kmsKeyId: is a key in us-east-1, but the bucket is in us-west-2: S3 encrypts with keys of the bucket's own region; got \"arn:aws:kms:us-east-1:444444444444:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0\"",
    ],
    ['kmsKeyId', 'my key', 'org.json: backend.kmsKeyId: must be a KMS key id, key ARN, alias name ("alias/<name>") or alias ARN; got "my key"'],
  ])('refuses %s %j', (field, value, message) => {
    expect(s3({ [field]: value })).toEqual([message]);
  });

  it("refuses a role whose name the revocation function could not read, before it reaches the function's environment", () => {
    // The state role, when in the sandbox account, is protected by name: PROTECTED_ROLE_NAMES.
    expect(s3({ roleArn: 'arn:aws:iam::333333333333:role/' })).toEqual([
      'org.json: backend.roleArn: must be an IAM role ARN whose role name is 1-64 letters, digits and +=,.@_- (like "arn:aws:iam::123456789012:role/terraform-state"): the role Terraform assumes for the state; got "arn:aws:iam::333333333333:role/"',
    ]);
  });
});

describe('backend cloud', () => {
  it('accepts HCP Terraform names and a host', () => {
    expect(cloud({})).toEqual([]);
    expect(cloud({ workspacePrefix: '', hostname: 'tfe.example.com:8443' })).toEqual([]);
  });

  it.each([
    [
      'workspacePrefix',
      '../../x',
      "org.json: backend.workspacePrefix: must be at most 50 letters, digits, '_' or '-': with each stack id it makes a workspace name, which HCP Terraform's API URLs carry; got \"../../x\"",
    ],
    ['workspacePrefix', 'g'.repeat(51), expect.stringMatching(/^org\.json: backend\.workspacePrefix: must be at most 50 letters/)],
    ['organization', 'acme/other', "org.json: backend.organization: must be an HCP Terraform organization name: letters, digits, '_' or '-' (it goes into API URLs); got \"acme/other\""],
    ['hostname', 'https://tfe.example.com/', 'org.json: backend.hostname: must be a host name like "app.terraform.io", with an optional ":port" (no scheme, no path); got "https://tfe.example.com/"'],
  ])('refuses %s %j', (field, value, message) => {
    expect(cloud({ [field]: value })).toEqual([message]);
  });
});

describe('backend.dynamicCredentials', () => {
  it('is a setting of the cloud backend: true or false', () => {
    expect(cloud({ dynamicCredentials: true })).toEqual([]);
    expect(cloud({ dynamicCredentials: false })).toEqual([]);
    expect(cloud({ dynamicCredentials: 'yes' })).toEqual(['org.json: backend.dynamicCredentials: must be true or false; got "yes"']);
  });

  it('is refused with any other backend, which has no HCP Terraform run to give credentials', () => {
    expect(s3({ dynamicCredentials: true })).toEqual(['org.json: backend.dynamicCredentials: only with backend.type "cloud"; here it is "s3"']);
    expect(problemsAfter((data) => (data.backend = { type: 'local', dynamicCredentials: true }))).toEqual([
      'org.json: backend.dynamicCredentials: only with backend.type "cloud"; here it is "local"',
    ]);
  });
});

describe('keys of another backend type', () => {
  it('names the type they belong to instead of suggesting the key itself', () => {
    expect(s3({ organization: 'acme' })).toEqual(['org.json: backend.organization: only with backend.type "cloud"; here it is "s3"']);
    expect(cloud({ bucket: 'acme-terraform-state' })).toEqual(['org.json: backend.bucket: only with backend.type "s3"; here it is "cloud"']);
    expect(cloud({ path: 'state' })).toEqual(['org.json: backend.path: only with backend.type "local"; here it is "cloud"']);
    // A key no type has still gets the closest one of this type.
    expect(cloud({ workspacePrefx: 'gd-' })).toEqual(['org.json: backend.workspacePrefx: unknown key; did you mean "workspacePrefix"?']);
  });
});

describe('backend local', () => {
  it('refuses a folder with control characters', () => {
    expect(problemsAfter((data) => (data.backend = { type: 'local', path: 'state\n# Approved' }))).toEqual([
      'org.json: backend.path: must be a folder path without control characters; got "state\\n# Approved"',
    ]);
  });
});

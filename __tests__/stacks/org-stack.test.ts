import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { AccountProvider } from '../../stacks/org-stack';
import { REPO_ROOT, synthApp, testConfig } from '../helpers/synth';

describe('every stack', () => {
  it('pins each provider to its account, assumes the deployment role, and tags everything', () => {
    const synth = synthApp(testConfig());
    for (const id of synth.stackIds) {
      for (const provider of synth.stack(id).provider.aws) {
        const [account] = provider.allowed_account_ids;
        expect(account).toMatch(/^\d{12}$/);
        expect(provider.assume_role[0].role_arn).toMatch(new RegExp(`^arn:aws:iam::${account}:role/`));
        expect(provider.region).toBe('us-west-2');
        expect(provider.default_tags[0].tags).toEqual({ CostCenter: 'security', GuardDutyDeployment: 'acme', ManagedBy: 'cdktf', Stack: id });
      }
    }
  });

  it.each(['organizations', 'invitations'])('puts every regional resource of every stack in an explicit region (%s mode)', (mode) => {
    const synth = synthApp(testConfig({ mode, securityHub: { enabled: true }, detective: { enabled: true } }));
    const regions = ['us-west-2', 'us-east-1', 'eu-west-1'];
    let checked = 0;
    for (const id of synth.stackIds) {
      for (const type of Object.keys(synth.stack(id).resource ?? {})) {
        // IAM is global: AWS provider 6 gives its resources no region argument.
        if (type.startsWith('aws_iam_')) continue;
        for (const resource of Object.values(synth.resources(id, type))) {
          expect([type, regions.includes(resource.region)]).toEqual([type, true]);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('backend', () => {
  it('keeps local state in one folder, a file per stack, by a relative path (the same JSON on every machine)', () => {
    const synth = synthApp(testConfig());
    const statePath = (id: string, relative: string) => {
      expect(path.isAbsolute(relative)).toBe(false);
      // Terraform resolves it from the stack's working directory.
      return path.resolve(synth.outdir, 'stacks', id, relative);
    };
    const wave = synth.stack('members-wave-1').terraform.backend.local.path;
    expect(statePath('members-wave-1', wave)).toBe(path.join(REPO_ROOT, 'terraform-state', 'members-wave-1.tfstate'));
    const admin = synth.stack('organization').data.terraform_remote_state['cross-stack-reference-input-admin'].config.path;
    expect(statePath('organization', admin)).toBe(path.join(REPO_ROOT, 'terraform-state', 'admin.tfstate'));
  });

  it('uses an S3 key per stack, encrypted, with S3 lock files', () => {
    const synth = synthApp(testConfig({ backend: { type: 's3', bucket: 'acme-tf-state', region: 'us-east-1', keyPrefix: 'guardduty/prod/' } }));
    expect(synth.stack('admin').terraform.backend.s3).toEqual({
      bucket: 'acme-tf-state',
      key: 'guardduty/prod/admin.tfstate',
      region: 'us-east-1',
      encrypt: true,
      use_lockfile: true,
    });
  });

  it('uses an HCP Terraform workspace per stack', () => {
    const synth = synthApp(testConfig({ backend: { type: 'cloud', organization: 'acme', workspacePrefix: 'gd-' } }));
    expect(synth.stack('members-wave-2').terraform.cloud).toEqual({ organization: 'acme', workspaces: { name: 'gd-members-wave-2' } });
  });
});

describe('AccountProvider', () => {
  it('synthesizes exactly what AwsProvider does for the arguments an account provider takes', () => {
    const config = {
      alias: 'member-333333333333',
      region: 'us-west-2',
      allowedAccountIds: ['333333333333'],
      assumeRole: [{ roleArn: 'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole', sessionName: 'guardduty-acme' }],
      defaultTags: [{ tags: { ManagedBy: 'cdktf', Stack: 'members-wave-1' } }],
    };
    const synthesized = (make: (stack: TerraformStack) => void) => {
      const stack = new TerraformStack(Testing.app(), 'stack');
      make(stack);
      return JSON.parse(Testing.synth(stack)).provider;
    };
    const lean = synthesized((stack) => new AccountProvider(stack, 'aws', config));
    expect(lean).toEqual(synthesized((stack) => new AwsProvider(stack, 'aws', config)));
    expect(lean.aws[0]).toEqual({
      alias: 'member-333333333333',
      region: 'us-west-2',
      allowed_account_ids: ['333333333333'],
      assume_role: [{ role_arn: 'arn:aws:iam::333333333333:role/OrganizationAccountAccessRole', session_name: 'guardduty-acme' }],
      default_tags: [{ tags: { ManagedBy: 'cdktf', Stack: 'members-wave-1' } }],
    });
  });
});

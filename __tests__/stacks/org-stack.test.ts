import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { parseConfig } from '../../lib/config/load';
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

describe('backend.dynamicCredentials', () => {
  const cloud = { type: 'cloud', organization: 'acme', workspacePrefix: 'gd-' };

  const everythingOn = () => {
    const file = path.join(REPO_ROOT, '__tests__/fixtures/everything-on/org.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    return parseConfig({ ...data, backend: { ...cloud, dynamicCredentials: true } }, { file, cwd: REPO_ROOT });
  };

  it.each([
    ['the example', () => testConfig({ backend: { ...cloud, dynamicCredentials: true } })],
    ['everything-on', everythingOn],
  ])('gives every provider of %s the shared config file HCP Terraform writes for its account, tagged by the provider name, and no role to assume', (_, config) => {
    const synth = synthApp(config());
    for (const id of synth.stackIds) {
      const stack = synth.stack(id);
      const providers: Record<string, any>[] = stack.provider.aws;
      expect(providers.length).toBeGreaterThan(0);
      for (const provider of providers) {
        const [account] = provider.allowed_account_ids;
        expect(account).toMatch(/^\d{12}$/);
        expect(provider.assume_role).toBeUndefined();
        expect(provider.shared_config_files).toHaveLength(1);
        expect(provider.shared_config_files[0]).toMatch(/^\$\{var\.tfc_aws_dynamic_credentials\.aliases\["(admin|management|sandbox|log_archive|bucket_owner|member_\d{12})"\]\.shared_config_file\}$/);
      }
      const used = providers.map((provider) => /aliases\["([^"]+)"\]/.exec(provider.shared_config_files[0])![1]);
      expect(new Set(used).size).toBe(providers.length);
      // awscc providers of an account share its tag.
      for (const provider of stack.provider.awscc ?? []) {
        expect(provider.assume_role).toBeUndefined();
        expect(used.map((tag) => `\${var.tfc_aws_dynamic_credentials.aliases["${tag}"].shared_config_file}`)).toContain(provider.shared_config_files[0]);
      }
      const variable = stack.variable.tfc_aws_dynamic_credentials;
      expect(variable.type).toBe('object({default=optional(object({shared_config_file=string})), aliases=map(object({shared_config_file=string}))})');
      expect(variable.validation).toHaveLength(1);
      expect(variable.validation[0].condition).toBe(`\${alltrue([for tag in ${JSON.stringify(used)} : contains(keys(var.tfc_aws_dynamic_credentials.aliases), tag)])}`);
    }
    const wave = synth.stack('members-wave-1').provider.aws;
    expect(wave.map((provider: Record<string, any>) => [provider.alias, provider.allowed_account_ids, provider.shared_config_files])).toEqual([
      [undefined, ['222222222222'], ['${var.tfc_aws_dynamic_credentials.aliases["admin"].shared_config_file}']],
    ]);
  });

  it('changes nothing without the option: every provider assumes the deployment role and no stack declares the variable', () => {
    for (const backend of [cloud, { ...cloud, dynamicCredentials: false }]) {
      const synth = synthApp(testConfig({ backend }));
      for (const id of synth.stackIds) {
        expect(synth.stack(id).variable).toBeUndefined();
        for (const provider of synth.stack(id).provider.aws) {
          expect(provider.shared_config_files).toBeUndefined();
          expect(provider.assume_role).toEqual([{ role_arn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//), session_name: 'guardduty-acme' }]);
        }
      }
    }
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
    const { assumeRole: _, ...rest } = config;
    const dynamic = { ...rest, sharedConfigFiles: ['${var.tfc_aws_dynamic_credentials.aliases["member_333333333333"].shared_config_file}'] };
    const withFile = synthesized((stack) => new AccountProvider(stack, 'aws', dynamic));
    expect(withFile).toEqual(synthesized((stack) => new AwsProvider(stack, 'aws', dynamic)));
    expect(withFile.aws[0].shared_config_files).toEqual(dynamic.sharedConfigFiles);
    expect(withFile.aws[0].assume_role).toBeUndefined();
  });
});

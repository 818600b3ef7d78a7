import * as path from 'node:path';
import { AwsProvider, awsProviderAssumeRoleToTerraform, awsProviderDefaultTagsToTerraform, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';
import { App, CloudBackend, listMapper, LocalBackend, NamedCloudWorkspace, S3Backend, stringToTerraform, TerraformLocal, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { OrgConfig } from '../lib/config/load';
import { expression, KeyedBlocks, type ByRegion } from '../lib/terraform/instances';
import { protectElements, restoreLiteralText } from '../lib/terraform/literal-text';
import { constrainProvider } from '../lib/terraform/newer-provider';
import { AwsccProvider } from '../lib/terraform/awscc';
import { credentialTag, dynamicCredentials, type ProviderCredentials } from '../lib/terraform/dynamic-credentials';
import { iamArn } from '../lib/aws/partition';
import type { PlannedStack, StackAccount } from '../lib/plan/stacks';
import { LAYOUTS, previousAddresses, type Layout } from '../lib/terraform/previous-layout';
import { JsonStackSynthesizer, prepareStack, stackJson } from '../lib/terraform/stack-synthesizer';

export interface OrgStackProps {
  readonly config: OrgConfig;
  readonly planned: PlannedStack;
}

/** Folder of the local state files, relative to the project root, when `backend.path` is not set. */
export const DEFAULT_STATE_FOLDER = 'terraform-state';

/**
 * A stack of the plan: one Terraform state, with its backend and one AWS provider per account it
 * touches. Every provider assumes the deployment role in its account (or, with
 * `backend.dynamicCredentials`, takes HCP Terraform's credentials for that account) and is pinned to
 * it with `allowedAccountIds`, so a plan can never land in the wrong account.
 */
export class OrgStack extends TerraformStack {
  readonly config: OrgConfig;
  readonly planned: PlannedStack;
  private readonly providers = new Map<string, AwsProvider>();
  private readonly awsccProviders = new Map<string, AwsccProvider>();
  private readonly keyed: KeyedBlocks;
  private readonly credentials: AccountCredentials;

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props.planned.id);
    this.config = props.config;
    this.planned = props.planned;
    this.keyed = KeyedBlocks.enable(this);
    this.synthesizer = new JsonStackSynthesizer(this);
    configureBackend(this, props.config, props.planned.id);
    constrainProvider(this, props.config);
    this.credentials = accountCredentials(this, props.config, props.planned.accounts);
    props.planned.accounts.forEach((account, index) => {
      this.providers.set(account.id, accountProvider(this, props.config, account, index === 0, this.credentials(account, props.config.homeRegion)));
    });
  }

  /**
   * Values from another stack by region, read once into one local map of this stack
   * (`local.<name>["us-east-1"]`), which keyed instances index with their region.
   */
  protected readOnce(name: string, byRegion: Readonly<Record<string, string>>): ByRegion {
    const local = new TerraformLocal(this, name, byRegion);
    return { at: (regionExpression) => expression(`local.${local.friendlyUniqueId}[${regionExpression}]`) };
  }

  /** cdktf's, without resolving the account providers, which are built from configuration text alone. */
  override prepareStack(): void {
    prepareStack(this, (element) => element instanceof AccountProvider);
  }

  /**
   * The stack's Terraform JSON: cdktf's (lib/terraform/stack-synthesizer.ts), with the keyed blocks' `for_each`
   * maps and a `moved` block from each instance's address in the previous layout
   * (lib/terraform/previous-layout.ts) written in.
   *
   * Configuration text is data: every literal string of the elements reaches the JSON with `${` and
   * `%{` escaped, whatever element or field it is in (lib/terraform/literal-text.ts says where and why here);
   * the instance maps, written after, are escaped as they are declared (lib/terraform/instances.ts). Only the
   * JSON needs it: cdktf's earlier preparing pass over the elements just collects references.
   */
  override toTerraform(): any {
    protectElements(this);
    const tf = restoreLiteralText(stackJson(this));
    const layouts = this.previousLayouts;
    this.keyed.writeInto(tf, layouts.length > 0 ? (block) => previousAddresses(block, layouts) : undefined);
    return tf;
  }

  /** The earlier layouts this kind of stack existed in, so its instances may have moved since. */
  protected get previousLayouts(): readonly Layout[] {
    return LAYOUTS;
  }

  /** The provider of an account the plan gave this stack; anything else is a programming error. */
  provider(accountId: string): AwsProvider {
    const provider = this.providers.get(accountId);
    if (!provider) throw new Error(`stack ${this.planned.id} has no provider for account ${accountId}`);
    return provider;
  }

  /**
   * The `hashicorp/awscc` provider of an account the plan gave this stack, in one region (awscc has
   * no per-resource region), created on first use: the same credentials as the account's AWS provider.
   */
  awsccProvider(accountId: string, region: string): AwsccProvider {
    const key = `${accountId}/${region}`;
    let provider = this.awsccProviders.get(key);
    if (!provider) {
      const account = this.planned.accounts.find((candidate) => candidate.id === accountId);
      if (!account) throw new Error(`stack ${this.planned.id} has no provider for account ${accountId}`);
      const { name } = accountRole(this.config, account);
      provider = new AwsccProvider(this, `awscc-${name}-${region}`, { alias: `${name}-${region}`, region, credentials: this.credentials(account, region) });
      this.awsccProviders.set(key, provider);
    }
    return provider;
  }

  /** The tags every resource of this stack carries (the AWS providers' default tags). */
  get defaultTags(): Readonly<Record<string, string>> {
    return stackTags(this.config, this.node.id);
  }
}

/** An account's role in provider names and the IAM role the deployment assumes there. */
function accountRole(config: OrgConfig, account: StackAccount): { name: string; roleName: string } {
  return {
    name: account.role === 'member' ? `member-${account.id}` : account.role,
    roleName: account.role === 'management' ? config.managementRoleName : config.roleName,
  };
}

function stackTags(config: OrgConfig, stackId: string): Record<string, string> {
  return { ManagedBy: 'cdktf', GuardDutyDeployment: config.name, Stack: stackId, ...config.tags };
}

function sessionName(config: OrgConfig): string {
  return `guardduty-${config.name}`;
}

/** The credentials of an account's providers; `region` gives the partition of the role's ARN. */
type AccountCredentials = (account: StackAccount, region: string) => ProviderCredentials;

/**
 * The one place an account's providers (its AWS provider, and its awscc provider in each region) get
 * their credentials. By default they assume the deployment role of the account. With
 * `backend.dynamicCredentials`, HCP Terraform gives each run phase its own credentials for each
 * account, tagged by the account's provider name: a plan takes the read-only role, an apply the
 * deployment role, neither assumes anything from there (examples/hcp-terraform).
 */
function accountCredentials(stack: TerraformStack, config: OrgConfig, accounts: readonly StackAccount[]): AccountCredentials {
  const backend = config.backend;
  const tagOf = (account: StackAccount) => credentialTag(accountRole(config, account).name);
  if (backend.type === 'cloud' && backend.dynamicCredentials) {
    const sharedConfigFile = dynamicCredentials(stack, accounts.map(tagOf));
    return (account) => ({ sharedConfigFile: sharedConfigFile(tagOf(account)) });
  }
  return (account, region) => ({
    assumeRole: { roleArn: iamArn(region, account.id, `role/${accountRole(config, account).roleName}`), sessionName: sessionName(config) },
  });
}

/** The arguments an account's provider takes: the only ones AccountProvider writes. */
export type AccountProviderConfig = Pick<AwsProviderConfig, 'alias' | 'region' | 'allowedAccountIds' | 'assumeRole' | 'sharedConfigFiles' | 'defaultTags'>;

/**
 * An AWS provider that synthesizes only the arguments `accountProvider` sets. AwsProvider converts
 * every one of its forty-odd arguments, and cdktf then walks them all, two or three times per synth: at
 * a thousand invited accounts (a provider per member account in each of three wave stacks) that was
 * 0.18 ms per provider per pass, most of the work of the wave stacks. The output is the same
 * (tested against AwsProvider's).
 */
export class AccountProvider extends AwsProvider {
  constructor(scope: Construct, id: string, config: AccountProviderConfig) {
    super(scope, id, config);
  }

  protected override synthesizeAttributes(): { [name: string]: any } {
    return {
      alias: this.alias,
      region: this.region,
      allowed_account_ids: this.allowedAccountIds,
      assume_role: listMapper(awsProviderAssumeRoleToTerraform, true)(this.assumeRole),
      shared_config_files: listMapper(stringToTerraform, false)(this.sharedConfigFiles),
      default_tags: listMapper(awsProviderDefaultTagsToTerraform, true)(this.defaultTags),
    };
  }
}

function accountProvider(stack: TerraformStack, config: OrgConfig, account: StackAccount, primary: boolean, credentials: ProviderCredentials): AwsProvider {
  const { name } = accountRole(config, account);
  return new AccountProvider(stack, `aws-${name}`, {
    // The stack's own account is the default provider; others need an alias to be addressable.
    ...(primary ? {} : { alias: name }),
    region: config.homeRegion,
    allowedAccountIds: [account.id],
    ...(credentials.assumeRole ? { assumeRole: [credentials.assumeRole] } : { sharedConfigFiles: [credentials.sharedConfigFile] }),
    defaultTags: [{ tags: { ...stackTags(config, stack.node.id) } }],
  });
}

function configureBackend(stack: TerraformStack, config: OrgConfig, stackId: string): void {
  const backend = config.backend;
  switch (backend.type) {
    case 'local': {
      // Terraform runs in <outdir>/stacks/<id>; a relative path keeps the synthesized JSON the same on
      // every machine (cdktf's default is an absolute path).
      const workingDirectory = path.join(App.of(stack).outdir, 'stacks', stackId);
      const stateFile = path.join(config.baseDir, backend.path ?? DEFAULT_STATE_FOLDER, `${stackId}.tfstate`);
      new LocalBackend(stack, { path: path.relative(path.resolve(config.baseDir, workingDirectory), stateFile) });
      return;
    }
    case 's3': {
      const s3 = new S3Backend(stack, {
        bucket: backend.bucket,
        region: backend.region,
        key: `${backend.keyPrefix.replace(/\/+$/, '')}/${stackId}.tfstate`,
        encrypt: true,
        ...(backend.kmsKeyId ? { kmsKeyId: backend.kmsKeyId } : {}),
        ...(backend.roleArn ? { assumeRole: { roleArn: backend.roleArn } } : {}),
      });
      // S3-native locking (Terraform 1.10+); cdktf 0.21 predates the typed option.
      s3.addOverride('use_lockfile', true);
      return;
    }
    case 'cloud':
      new CloudBackend(stack, {
        organization: backend.organization,
        ...(backend.hostname ? { hostname: backend.hostname } : {}),
        workspaces: new NamedCloudWorkspace(`${backend.workspacePrefix}${stackId}`),
      });
      return;
  }
}

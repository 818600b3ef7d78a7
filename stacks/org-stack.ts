import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TerraformLocal, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { OrgConfig } from '../lib/config/load';
import { protectElements, restoreLiteralText } from '../lib/literal-text';
import { constrainProvider } from '../lib/newer-provider';
import type { PlannedStack, StackAccount } from '../lib/plan';

export interface OrgStackProps {
  readonly config: OrgConfig;
  readonly planned: PlannedStack;
}

/** Folder of the local state files, relative to the project root, when `backend.path` is not set. */
export const DEFAULT_STATE_FOLDER = 'terraform-state';

/**
 * A stack of the plan: one Terraform state, with its backend and one AWS provider per account it
 * touches. Every provider assumes the deployment role in its account and is pinned to it with
 * `allowedAccountIds`, so a plan can never land in the wrong account.
 */
export class OrgStack extends TerraformStack {
  readonly config: OrgConfig;
  readonly planned: PlannedStack;
  private readonly providers = new Map<string, AwsProvider>();

  constructor(scope: Construct, props: OrgStackProps) {
    super(scope, props.planned.id);
    this.config = props.config;
    this.planned = props.planned;
    configureBackend(this, props.config, props.planned.id);
    constrainProvider(this, props.config);
    props.planned.accounts.forEach((account, index) => {
      this.providers.set(account.id, accountProvider(this, props.config, account, index === 0));
    });
  }

  /**
   * Values from another stack (by region), read once into locals of this stack. Each use of a
   * cross-stack reference is resolved on its own, which costs seconds across a thousand memberships;
   * a local is resolved once.
   */
  protected readOnce(name: string, byRegion: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    return Object.fromEntries(Object.entries(byRegion).map(([region, value]) => [region, new TerraformLocal(this, `${name}-${region}`, value).asString]));
  }

  // Configuration text is data: every literal string reaches the JSON with `${` and `%{` escaped,
  // whatever element or field it is in (lib/literal-text.ts says where and why here). Only the
  // JSON needs it: cdktf's earlier preparing pass over the elements just collects references.
  override toTerraform(): any {
    protectElements(this);
    return restoreLiteralText(super.toTerraform());
  }

  /** The provider of an account the plan gave this stack; anything else is a programming error. */
  provider(accountId: string): AwsProvider {
    const provider = this.providers.get(accountId);
    if (!provider) throw new Error(`stack ${this.planned.id} has no provider for account ${accountId}`);
    return provider;
  }
}

function accountProvider(stack: TerraformStack, config: OrgConfig, account: StackAccount, primary: boolean): AwsProvider {
  const roleName = account.role === 'management' ? config.managementRoleName : config.roleName;
  const name = account.role === 'member' ? `member-${account.id}` : account.role;
  return new AwsProvider(stack, `aws-${name}`, {
    // The stack's own account is the default provider; others need an alias to be addressable.
    ...(primary ? {} : { alias: name }),
    region: config.homeRegion,
    allowedAccountIds: [account.id],
    assumeRole: [{ roleArn: `arn:aws:iam::${account.id}:role/${roleName}`, sessionName: `guardduty-${config.name}` }],
    defaultTags: [{ tags: { ManagedBy: 'cdktf', GuardDutyDeployment: config.name, Stack: stack.node.id, ...config.tags } }],
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

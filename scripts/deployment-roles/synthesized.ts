import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readSynthesized, type StackJson } from '../../cli/common/synthesized';
import { parseConfig, type OrgConfig } from '../../lib/config/load';
import { buildApp } from '../../stacks/app';

/**
 * What the deployment roles must be able to manage, read off synthesized stacks: every Terraform
 * resource and data source type, by the part an account plays. The roles template
 * (examples/deployment-roles) is generated from this and ./actions.ts, and its test reads it again.
 */

/** The part an account plays for a resource: the role its deployment role needs a policy for. */
export type AccountRole = 'management' | 'admin' | 'sandbox' | 'logArchive' | 'member';
export const ACCOUNT_ROLES: readonly AccountRole[] = ['management', 'admin', 'sandbox', 'logArchive', 'member'];

/** The configurations the roles are derived from: together they synthesize every kind of stack in both modes and every partition. */
export const CONFIGURATIONS: readonly { readonly file: string; readonly overrides?: Readonly<Record<string, unknown>>; readonly withoutServiceControlPolicy?: boolean }[] = [
  { file: 'config/org.json' },
  { file: 'config/production.example.json' },
  { file: '__tests__/fixtures/everything-on/org.json' },
  // Invitations mode: no service control policy, which needs AWS Organizations.
  { file: '__tests__/fixtures/everything-on/org.json', overrides: { mode: 'invitations' }, withoutServiceControlPolicy: true },
  // A Security Hub standard, which everything-on leaves out.
  { file: '__tests__/fixtures/everything-on/org.json', overrides: { securityHub: { enabled: true, standards: ['aws-foundational-security-best-practices/v/1.0.0'] } } },
  { file: '__tests__/fixtures/govcloud/org.json' },
  { file: '__tests__/fixtures/china/org.json' },
];

const REPO_ROOT = path.resolve(__dirname, '../..');

export function loadConfiguration(entry: (typeof CONFIGURATIONS)[number]): OrgConfig {
  const data = JSON.parse(readFileSync(path.join(REPO_ROOT, entry.file), 'utf8'));
  if (entry.withoutServiceControlPolicy) delete data.remediation?.serviceControlPolicy;
  return parseConfig({ ...data, ...entry.overrides }, { file: path.join(REPO_ROOT, entry.file), cwd: REPO_ROOT });
}

/** Types that are no AWS resource: Terraform's own (`terraform_remote_state` reads another stack's state). */
const NOT_AWS = new Set(['data.terraform_remote_state']);

/** Synthesizes a configuration into a temporary folder, and reads every stack's JSON back. */
export function synthesize(config: OrgConfig): Map<string, StackJson> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-roles-'));
  try {
    buildApp(config, { outdir }).synth();
    return new Map(readSynthesized(outdir).stacks);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The account role of each provider of a stack (`aws`, `aws.<alias>`). A provider's account decides
 * it, except where the account acts as a member: a `member-<id>` provider (invited members, Security
 * Hub and Detective members) and the Malware Protection stacks of bucket owners, whatever else that
 * account is.
 */
export function providerRoles(config: OrgConfig, stackId: string, stack: StackJson): Map<string, { role: AccountRole; account: string; region: string }> {
  const { management, admin, sandbox, logArchive } = config.accounts;
  const roleOf = (account: string): AccountRole =>
    account === admin ? 'admin' : account === sandbox ? 'sandbox' : account === management ? 'management' : account === logArchive ? 'logArchive' : 'member';
  const providers = new Map<string, { role: AccountRole; account: string; region: string }>();
  // awscc has no allowed_account_ids: its account is the one of the role it assumes.
  for (const [name, list] of [['aws', stack.provider?.aws ?? []], ['awscc', stack.provider?.awscc ?? []]] as const) {
    for (const provider of list) {
      const account: string = provider.allowed_account_ids?.[0] ?? /^arn:[^:]+:iam::(\d{12}):/.exec(provider.assume_role?.role_arn ?? '')?.[1];
      if (!account) throw new Error(`stack ${stackId}: provider ${name}.${provider.alias} names no account`);
      const member = stackId.startsWith('malware-protection-') || String(provider.alias ?? '').startsWith('member-');
      providers.set(provider.alias ? `${name}.${provider.alias}` : name, { role: member ? 'member' : roleOf(account), account, region: provider.region });
    }
  }
  return providers;
}

/** `<type>` for resources and `data.<type>` for data sources, by account role. */
export function typesByAccountRole(config: OrgConfig, stacks: ReadonlyMap<string, StackJson> = synthesize(config)): Map<AccountRole, Set<string>> {
  const byRole = new Map<AccountRole, Set<string>>();
  for (const [id, stack] of stacks) {
    const providers = providerRoles(config, id, stack);
    for (const [kind, prefix] of [['resource', ''], ['data', 'data.']] as const) {
      for (const [type, blocks] of Object.entries<Record<string, { provider?: string }>>(stack[kind] ?? {})) {
        if (NOT_AWS.has(`${prefix}${type}`)) continue;
        for (const block of Object.values(blocks)) {
          const provider = providers.get(block.provider ?? 'aws');
          if (!provider) throw new Error(`stack ${id}: ${type} uses provider ${block.provider}, which the stack does not configure`);
          if (!byRole.has(provider.role)) byRole.set(provider.role, new Set());
          byRole.get(provider.role)!.add(`${prefix}${type}`);
        }
      }
    }
  }
  return byRole;
}

/** The union over every configuration of CONFIGURATIONS, by account role and mode. */
export function synthesizedTypes(synthesized: readonly { config: OrgConfig; stacks: ReadonlyMap<string, StackJson> }[] = synthesizeAll()): Map<string, Set<string>> {
  const all = new Map<string, Set<string>>();
  for (const { config, stacks } of synthesized) {
    for (const [role, types] of typesByAccountRole(config, stacks)) {
      const key = `${role}/${config.mode}`;
      if (!all.has(key)) all.set(key, new Set());
      for (const type of types) all.get(key)!.add(type);
    }
  }
  return all;
}

/** Every configuration of CONFIGURATIONS, synthesized. */
export function synthesizeAll(): { config: OrgConfig; stacks: Map<string, StackJson> }[] {
  return CONFIGURATIONS.map((entry) => {
    const config = loadConfiguration(entry);
    return { config, stacks: synthesize(config) };
  });
}

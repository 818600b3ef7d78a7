import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { runRollout } from '../../cli/rollout/main';
import { parseTemplate } from '../helpers/cloudformation';
import { REPO_ROOT, synthApp } from '../helpers/synth';

const EXAMPLE_CONFIG = 'examples/hcp-terraform/org.json';
const SCRIPT = path.join(REPO_ROOT, 'examples/hcp-terraform/workspaces.sh');

/** A stand-in for curl that logs each call and answers like the HCP Terraform API. */
const FAKE_CURL = `#!/usr/bin/env bash
method= url= data=
while [ $# -gt 0 ]; do
  case "$1" in
    -X) method="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    -H) shift 2 ;;
    http*) url="$1"; shift ;;
    *) shift ;;
  esac
done
printf '%s %s %s\\n' "$method" "$url" "$data" >> "$CURL_LOG"
case "$method $url" in
  "GET "*/organizations/*/workspaces/*)
    if [ -n "$EXISTING" ]; then echo "{\\"data\\":{\\"id\\":\\"ws-\${url##*/}\\"}}"; else echo '{"errors":[{"status":"404"}]}'; exit 22; fi ;;
  "POST "*/organizations/*/workspaces)
    echo "{\\"data\\":{\\"id\\":\\"ws-$(jq -r .data.attributes.name <<<"$data")\\"}}" ;;
  "GET "*/vars)
    if [ -n "$EXISTING" ]; then echo '{"data":[{"id":"var-1","attributes":{"key":"TFC_AWS_PROVIDER_AUTH","category":"env"}},{"id":"var-2","attributes":{"key":"TFC_AWS_RUN_ROLE_ARN","category":"env"}},{"id":"var-3","attributes":{"key":"TFC_AWS_PLAN_ROLE_ARN_member_999999999999","category":"env"}},{"id":"var-4","attributes":{"key":"TF_LOG","category":"env"}}]}'; else echo '{"data":[]}'; fi ;;
  *) echo '{}' ;;
esac
`;

type RolloutJson = { steps: { stacks: { id: string; dependsOn: string[]; state: { workspace: string } }[] }[] };

async function rolloutJson(): Promise<RolloutJson> {
  const out: string[] = [];
  const err: string[] = [];
  const cwd = process.cwd();
  process.chdir(REPO_ROOT);
  try {
    expect(await runRollout(['plan', '--json'], { env: { ORG_CONFIG: EXAMPLE_CONFIG }, stdout: { write: (text) => out.push(text) }, stderr: { write: (text) => err.push(text) } })).toBe(0);
  } finally {
    process.chdir(cwd);
  }
  // stderr only names the configuration; stdout is the JSON.
  expect(err.join('')).toBe(`configuration: ${EXAMPLE_CONFIG} (from ORG_CONFIG)\n`);
  return JSON.parse(out.join(''));
}

async function runWorkspaces(existing: boolean, files: { rollout?: RolloutJson; config?: unknown; env?: Record<string, string> } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-hcp-'));
  mkdirSync(path.join(dir, 'bin'));
  writeFileSync(path.join(dir, 'bin/curl'), FAKE_CURL);
  chmodSync(path.join(dir, 'bin/curl'), 0o755);
  const rollout = files.rollout ?? (await rolloutJson());
  writeFileSync(path.join(dir, 'rollout.json'), JSON.stringify(rollout));
  if (files.config) writeFileSync(path.join(dir, 'org.json'), JSON.stringify(files.config));
  const log = path.join(dir, 'curl.log');
  writeFileSync(log, '');
  const run = spawnSync('bash', ['--noprofile', '--norc', SCRIPT, path.join(dir, 'rollout.json')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
      TFE_TOKEN: 'token',
      GUARDDUTY_RUN_ROLE_ARN: 'arn:aws:iam::111111111111:role/hcp-runs',
      ORG_CONFIG: files.config ? path.join(dir, 'org.json') : EXAMPLE_CONFIG,
      CURL_LOG: log,
      ...(existing ? { EXISTING: '1' } : {}),
      ...files.env,
    },
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  return { run, calls, rollout, stacks: rollout.steps.flatMap((step) => step.stacks) };
}

const API = 'https://app.terraform.io/api/v2';

describe('HCP Terraform example', () => {
  it('ships a valid configuration with one workspace per stack', async () => {
    const config = loadConfig(EXAMPLE_CONFIG, { cwd: REPO_ROOT });
    expect(config.backend).toEqual({ type: 'cloud', organization: 'acme-security', workspacePrefix: 'guardduty-', dynamicCredentials: true });
    // The roles examples/deployment-roles creates.
    expect([config.roleName, config.managementRoleName]).toEqual(['GuardDutyDeployment', 'GuardDutyDeployment']);
    const stacks = (await rolloutJson()).steps.flatMap((step) => step.stacks);
    expect(stacks.map((stack) => stack.state.workspace)).toEqual(stacks.map((stack) => `guardduty-${stack.id}`));
  });

  it('creates every workspace with the dynamic AWS credentials of each account its stack touches, and shares each state only with its dependants', async () => {
    const { run, calls, stacks } = await runWorkspaces(false);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // What the synthesized stacks read: each provider's tag, and the account it is pinned to.
    const synth = synthApp(loadConfig(EXAMPLE_CONFIG, { cwd: REPO_ROOT }));
    let variables = 0;
    for (const stack of stacks) {
      const workspace = `guardduty-${stack.id}`;
      const create = calls.find((call) => call.startsWith(`POST ${API}/organizations/acme-security/workspaces {`) && call.includes(`"name":"${workspace}"`));
      expect(create).toContain('"execution-mode":"remote","auto-apply":false,"terraform-version":"1.10.5","global-remote-state":false');
      const set = calls.filter((call) => call.startsWith(`POST ${API}/workspaces/ws-${workspace}/vars `)).map((call) => JSON.parse(call.slice(call.indexOf('{'))).data.attributes);
      const expected = synth.stack(stack.id).provider.aws.flatMap((provider: Record<string, any>) => {
        const tag = /aliases\["(\w+)"\]/.exec(provider.shared_config_files[0])![1];
        const [account] = provider.allowed_account_ids;
        return [
          { key: `TFC_AWS_PROVIDER_AUTH_${tag}`, value: 'true', category: 'env', sensitive: false },
          { key: `TFC_AWS_PLAN_ROLE_ARN_${tag}`, value: `arn:aws:iam::${account}:role/GuardDutyReadOnly`, category: 'env', sensitive: false },
          { key: `TFC_AWS_APPLY_ROLE_ARN_${tag}`, value: `arn:aws:iam::${account}:role/GuardDutyDeployment`, category: 'env', sensitive: false },
        ];
      });
      expect(set).toEqual(expected);
      variables += set.length;

      const dependants = stacks.filter((other) => other.dependsOn.includes(stack.id)).map((other) => `ws-guardduty-${other.id}`);
      const sharing = calls.find((call) => call.startsWith(`PATCH ${API}/workspaces/ws-${workspace}/relationships/remote-state-consumers `));
      if (dependants.length === 0) expect(sharing).toBeUndefined();
      else expect(JSON.parse((sharing as string).slice((sharing as string).indexOf('{'))).data.map((entry: { id: string }) => entry.id).sort()).toEqual(dependants.sort());
    }
    // The organization stack touches the management account and the admin account: two configurations.
    expect(calls.filter((call) => call.startsWith(`POST ${API}/workspaces/ws-guardduty-organization/vars `)).map((call) => JSON.parse(call.slice(call.indexOf('{'))).data.attributes.key)).toEqual([
      'TFC_AWS_PROVIDER_AUTH_management', 'TFC_AWS_PLAN_ROLE_ARN_management', 'TFC_AWS_APPLY_ROLE_ARN_management',
      'TFC_AWS_PROVIDER_AUTH_admin', 'TFC_AWS_PLAN_ROLE_ARN_admin', 'TFC_AWS_APPLY_ROLE_ARN_admin',
    ]);
    expect(variables).toBeGreaterThanOrEqual(stacks.length * 3);
    // The admin stack's outputs feed the organization and members stacks.
    expect(calls.some((call) => call.startsWith(`PATCH ${API}/workspaces/ws-guardduty-admin/relationships/remote-state-consumers `) && call.includes('ws-guardduty-members-wave-1'))).toBe(true);
    // The workspaces for the roles templates' HcpWorkspaces, in the form its AllowedPattern takes.
    const line = run.stdout.split('\n').find((text) => text.startsWith('HcpWorkspaces='))!;
    const subjects = line.slice('HcpWorkspaces='.length);
    expect(subjects.split(',')).toEqual(stacks.map((stack) => `organization:acme-security:project:Default Project:workspace:guardduty-${stack.id}`));
    const template = parseTemplate(readFileSync(path.join(REPO_ROOT, 'examples/deployment-roles/account-roles.yaml'), 'utf8'));
    expect(new RegExp(String((template.Parameters!.HcpWorkspaces as { AllowedPattern: string }).AllowedPattern)).test(subjects)).toBe(true);
  });

  it('takes the management account\'s apply role from managementRoleName, and the plan role from GUARDDUTY_READ_ONLY_ROLE_NAME', async () => {
    const config = { ...JSON.parse(readFileSync(path.join(REPO_ROOT, EXAMPLE_CONFIG), 'utf8')), roleName: 'Deploy', managementRoleName: 'DeployManagement' };
    const { run, calls } = await runWorkspaces(false, { config, env: { GUARDDUTY_READ_ONLY_ROLE_NAME: 'Plan' } });
    expect(run.status).toBe(0);
    const values = Object.fromEntries(
      calls.filter((call) => call.startsWith(`POST ${API}/workspaces/ws-guardduty-organization/vars `)).map((call) => JSON.parse(call.slice(call.indexOf('{'))).data.attributes).map((v: { key: string; value: string }) => [v.key, v.value]),
    );
    expect(values).toMatchObject({
      TFC_AWS_APPLY_ROLE_ARN_management: 'arn:aws:iam::111111111111:role/DeployManagement',
      TFC_AWS_PLAN_ROLE_ARN_management: 'arn:aws:iam::111111111111:role/Plan',
      TFC_AWS_APPLY_ROLE_ARN_admin: 'arn:aws:iam::222222222222:role/Deploy',
    });
  });

  it('without backend.dynamicCredentials gives every run the one role GUARDDUTY_RUN_ROLE_ARN names, and requires it', async () => {
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, EXAMPLE_CONFIG), 'utf8'));
    config.backend.dynamicCredentials = false;
    const { run, calls, stacks } = await runWorkspaces(false, { config });
    expect(run.status).toBe(0);
    for (const stack of stacks) {
      const variables = calls.filter((call) => call.startsWith(`POST ${API}/workspaces/ws-guardduty-${stack.id}/vars `));
      expect(variables.map((call) => JSON.parse(call.slice(call.indexOf('{'))).data.attributes)).toEqual([
        { key: 'TFC_AWS_PROVIDER_AUTH', value: 'true', category: 'env', sensitive: false },
        { key: 'TFC_AWS_RUN_ROLE_ARN', value: 'arn:aws:iam::111111111111:role/hcp-runs', category: 'env', sensitive: false },
      ]);
    }
    expect(run.stdout).not.toContain('HcpWorkspaces=');
    const without = await runWorkspaces(false, { config, env: { GUARDDUTY_RUN_ROLE_ARN: '' } });
    expect(without.run.status).not.toBe(0);
    expect(without.run.stderr).toContain('set GUARDDUTY_RUN_ROLE_ARN');
  });

  it('percent-encodes the organization and workspace names it puts into API URLs', async () => {
    // Files the configuration's checks never saw: the script reads them as they are.
    const rollout: RolloutJson = { steps: [{ stacks: [{ id: 'admin', dependsOn: [], state: { workspace: '../../x' } }] }] };
    const { run, calls } = await runWorkspaces(false, { rollout, config: { backend: { type: 'cloud', organization: 'acme sec/..' } } });
    expect(run.status).toBe(0);
    expect(calls.slice(0, 2).map((call) => call.split(' ').slice(0, 2).join(' '))).toEqual([
      `GET ${API}/organizations/acme%20sec%2F../workspaces/..%2F..%2Fx`,
      `POST ${API}/organizations/acme%20sec%2F../workspaces`,
    ]);
  });

  it('updates workspaces and variables that already exist instead of creating twins', async () => {
    const config = JSON.parse(readFileSync(path.join(REPO_ROOT, EXAMPLE_CONFIG), 'utf8'));
    config.backend.dynamicCredentials = false;
    const { run, calls, stacks } = await runWorkspaces(true, { config });
    expect(run.status).toBe(0);
    expect(calls.filter((call) => call.startsWith(`POST ${API}/organizations/`))).toEqual([]);
    expect(calls.filter((call) => call.startsWith(`PATCH ${API}/workspaces/ws-guardduty-admin {`))).toHaveLength(1);
    expect(calls.filter((call) => /^PATCH \S+\/vars\/var-1 /.test(call))).toHaveLength(stacks.length);
    expect(calls.filter((call) => /^PATCH \S+\/vars\/var-2 /.test(call))).toHaveLength(stacks.length);
    expect(calls.filter((call) => /^POST \S+\/vars /.test(call))).toEqual([]);
    // An account's credentials the stack no longer has; the workspace's other variables stay.
    expect(calls.filter((call) => call.startsWith('DELETE ')).map((call) => call.split(' ')[1])).toEqual(stacks.map((stack) => `${API}/workspaces/ws-guardduty-${stack.id}/vars/var-3`));
    expect(run.stdout).toContain('updated guardduty-admin (admin)');
  });

  it('takes away the one-role credentials when the workspaces switch to dynamic credentials per account', async () => {
    const { run, calls, stacks } = await runWorkspaces(true);
    expect(run.status).toBe(0);
    expect(calls.filter((call) => call.startsWith('DELETE ')).map((call) => call.split(' ')[1]).sort()).toEqual(
      stacks.flatMap((stack) => ['var-1', 'var-2', 'var-3'].map((id) => `${API}/workspaces/ws-guardduty-${stack.id}/vars/${id}`)).sort(),
    );
    expect(run.stdout).toContain('removed TFC_AWS_RUN_ROLE_ARN from guardduty-admin');
  });
});

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { runRollout } from '../../cli/rollout/main';
import { REPO_ROOT } from '../helpers/synth';

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
    if [ -n "$EXISTING" ]; then echo '{"data":[{"id":"var-1","attributes":{"key":"TFC_AWS_PROVIDER_AUTH"}}]}'; else echo '{"data":[]}'; fi ;;
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

async function runWorkspaces(existing: boolean, files: { rollout?: RolloutJson; config?: unknown } = {}) {
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
    },
  });
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  return { run, calls, rollout, stacks: rollout.steps.flatMap((step) => step.stacks) };
}

const API = 'https://app.terraform.io/api/v2';

describe('HCP Terraform example', () => {
  it('ships a valid configuration with one workspace per stack', async () => {
    const config = loadConfig(EXAMPLE_CONFIG, { cwd: REPO_ROOT });
    expect(config.backend).toEqual({ type: 'cloud', organization: 'acme-security', workspacePrefix: 'guardduty-' });
    const stacks = (await rolloutJson()).steps.flatMap((step) => step.stacks);
    expect(stacks.map((stack) => stack.state.workspace)).toEqual(stacks.map((stack) => `guardduty-${stack.id}`));
  });

  it('creates every workspace with dynamic AWS credentials, and shares each state only with its dependants', async () => {
    const { run, calls, stacks } = await runWorkspaces(false);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const stack of stacks) {
      const workspace = `guardduty-${stack.id}`;
      const create = calls.find((call) => call.startsWith(`POST ${API}/organizations/acme-security/workspaces {`) && call.includes(`"name":"${workspace}"`));
      expect(create).toContain('"execution-mode":"remote","auto-apply":false,"terraform-version":"1.10.5","global-remote-state":false');
      const variables = calls.filter((call) => call.startsWith(`POST ${API}/workspaces/ws-${workspace}/vars `));
      expect(variables.map((call) => JSON.parse(call.slice(call.indexOf('{'))).data.attributes)).toEqual([
        { key: 'TFC_AWS_PROVIDER_AUTH', value: 'true', category: 'env', sensitive: false },
        { key: 'TFC_AWS_RUN_ROLE_ARN', value: 'arn:aws:iam::111111111111:role/hcp-runs', category: 'env', sensitive: false },
      ]);

      const dependants = stacks.filter((other) => other.dependsOn.includes(stack.id)).map((other) => `ws-guardduty-${other.id}`);
      const sharing = calls.find((call) => call.startsWith(`PATCH ${API}/workspaces/ws-${workspace}/relationships/remote-state-consumers `));
      if (dependants.length === 0) expect(sharing).toBeUndefined();
      else expect(JSON.parse((sharing as string).slice((sharing as string).indexOf('{'))).data.map((entry: { id: string }) => entry.id).sort()).toEqual(dependants.sort());
    }
    // The admin stack's outputs feed the organization and members stacks.
    expect(calls.some((call) => call.startsWith(`PATCH ${API}/workspaces/ws-guardduty-admin/relationships/remote-state-consumers `) && call.includes('ws-guardduty-members-wave-1'))).toBe(true);
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
    const { run, calls, stacks } = await runWorkspaces(true);
    expect(run.status).toBe(0);
    expect(calls.filter((call) => call.startsWith(`POST ${API}/organizations/`))).toEqual([]);
    expect(calls.filter((call) => call.startsWith(`PATCH ${API}/workspaces/ws-guardduty-admin {`))).toHaveLength(1);
    expect(calls.filter((call) => /^PATCH \S+\/vars\/var-1 /.test(call))).toHaveLength(stacks.length);
    expect(calls.filter((call) => /^POST \S+\/vars /.test(call))).toHaveLength(stacks.length);
    expect(run.stdout).toContain('updated guardduty-admin (admin)');
  });
});

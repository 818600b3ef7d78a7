import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { usageText } from '../../../cli/common/command';
import { ROLLOUT_COMMAND, runRollout } from '../../../cli/rollout/main';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';
import { cliCommand } from '../../../lib/terraform/flavor';

/** `cdktf`, or `cdktn` where CDK Terrain is installed. */
const CLI = cliCommand();

/**
 * Runs the command in `cwd`. Without `file`, `config` goes into a fresh folder with the example's
 * files beside it; with `file`, `config` is written there unless it is null (the file is there already).
 */
async function run(argv: string[], config: unknown = exampleData(), cwd = REPO_ROOT, file?: string) {
  if (file === undefined) file = writeExample(mkdtempSync(path.join(tmpdir(), 'gd-rollout-cli-')), config);
  else if (config !== null) writeFileSync(path.resolve(cwd, file), JSON.stringify(config, null, 2));
  const out: string[] = [];
  const err: string[] = [];
  const before = process.cwd();
  process.chdir(cwd);
  try {
    const code = await runRollout(argv, { env: { ORG_CONFIG: file }, stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => err.push(text) } });
    // Every command that reads the configuration names it first (cli/common/command.ts, tested there).
    const named = `configuration: ${file} (from ORG_CONFIG)\n`;
    const text = err.join('');
    return { code, out: out.join(''), err: text.startsWith(named) ? text.slice(named.length) : text, named: text.startsWith(named), file };
  } finally {
    process.chdir(before);
  }
}

/**
 * The app run in another folder, as `npm run synth` there would: its configuration and cdktf.out are
 * the folder's. tsx is given this project's tsconfig, whose paths resolve `cdktf` to the installed
 * flavor (CDK Terrain's packages where only they are installed).
 */
function synthIn(project: string, file: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'main.ts')], {
    cwd: project,
    env: { ...process.env, ORG_CONFIG: file, CDKTF_OUTDIR: path.join(project, 'cdktf.out'), TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.json') },
    encoding: 'utf8',
  });
}

describe('npm run rollout', () => {
  it('prints the deploy steps as JSON for pipelines, with counts, folders and commands', async () => {
    const result = await run(['plan', '--json', '--parallelism', '2']);
    expect(result.named).toBe(true);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rollout = JSON.parse(result.out);
    expect(rollout).toMatchObject({ name: 'acme', mode: 'organizations', direction: 'deploy' });
    expect(rollout.steps[0].stacks[0]).toMatchObject({ id: 'admin', kind: 'admin', resources: expect.any(Number), directory: 'cdktf.out/stacks/admin', planArguments: [], enrolls: [] });
    expect(rollout.steps[0].stacks[0].state).toEqual({ type: 'local', location: 'terraform-state/admin.tfstate' });
    expect(rollout.steps[0].commands).toHaveLength(1);
    expect(rollout.steps[0].commands[0].command).toMatch(new RegExp(`^npx ${CLI} deploy admin( [a-z0-9-]+)* --auto-approve --parallelism 2$`));
    expect(rollout.steps[0].commands[0].argv.slice(0, 3)).toEqual(['npx', CLI, 'deploy']);
  });

  it('says which member accounts each step enrolls, in organizations mode too; with autoEnable ALL no stack claims any', async () => {
    const rollout = JSON.parse((await run(['plan', '--json'])).out);
    const stacks = rollout.steps.flatMap((step: { stacks: unknown[] }) => step.stacks);
    const wave1 = stacks.find((stack: { id: string }) => stack.id === 'members-wave-1');
    expect(wave1.accounts).toEqual([{ role: 'admin', id: '222222222222' }]);
    expect(wave1.enrolls).toEqual([
      { id: '333333333333', name: 'sandbox' },
      { id: '444444444444', name: 'shared-services' },
      { id: '555555555501', name: 'dev' },
      { id: '555555555502', name: 'staging' },
    ]);
    // Long lines wrap at 120 characters: read the text with its blanks as one.
    const plan = (await run(['plan'])).out.replace(/\s+/g, ' ');
    for (const line of (await run(['plan'])).out.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect(plan).toContain('enrolls 4 member accounts: 333333333333 (sandbox), 444444444444 (shared-services), 555555555501 (dev), 555555555502 (staging) ');
    expect(plan).toContain('sets the protection plans of 4 member accounts: 333333333333 (sandbox), 444444444444 (shared-services), 555555555501 (dev), 555555555502 (staging) ');

    const data = exampleData();
    data.autoEnable = 'ALL';
    const all = JSON.parse((await run(['plan', '--json'], data)).out);
    const allStacks = all.steps.flatMap((step: { stacks: unknown[] }) => step.stacks);
    expect(allStacks.map((stack: { id: string }) => stack.id)).not.toContain('members-wave-1');
    expect(allStacks.filter((stack: { enrolls: unknown[] }) => stack.enrolls.length > 0)).toEqual([]);
  });

  it('names the HCP Terraform workspace of every stack, for setting the workspaces up', async () => {
    const data = exampleData();
    data.backend = { type: 'cloud', organization: 'acme-sec', workspacePrefix: 'gd-' };
    const rollout = JSON.parse((await run(['plan', '--json'], data)).out);
    const stacks = rollout.steps.flatMap((step: { stacks: unknown[] }) => step.stacks);
    expect(stacks.length).toBeGreaterThan(3);
    for (const stack of stacks) {
      expect(stack.state).toEqual({ type: 'cloud', location: `app.terraform.io / acme-sec / workspace gd-${stack.id}`, workspace: `gd-${stack.id}` });
    }
  });

  it('prints the retirement steps in words, with plan arguments that destroy', async () => {
    const result = await run(['destroy-plan']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^Destroy order for acme \(organizations mode\): \d+ stacks in \d+ steps\n/);
    expect(result.out.indexOf(`$ npx ${CLI} destroy members-wave-1`)).toBeLessThan(result.out.indexOf(`$ npx ${CLI} destroy organization`));
    expect(result.out.indexOf(`$ npx ${CLI} destroy organization`)).toBeLessThan(result.out.indexOf(`$ npx ${CLI} destroy admin`));
    const json = JSON.parse((await run(['destroy-plan', '--json'])).out);
    for (const stack of json.steps.flatMap((step: { stacks: unknown[] }) => step.stacks)) expect(stack.planArguments).toEqual(['-destroy']);
  });

  it('reports every configuration problem once and exits 1, with nothing on stdout', async () => {
    const data = exampleData();
    data.regions = ['us-west-2', 'mars-1'];
    const result = await run(['plan'], data);
    expect(result.code).toBe(1);
    expect(result.err.match(/problems? in the configuration/g)).toHaveLength(1);
    expect(result.err).toContain(`${result.file}: regions[1]: unknown region "mars-1"`);
    expect(result.out).toBe('');
  });

  it('prints its usage on --help and -h with exit 0; names a wrong command, option or value with the usage, exit 2', async () => {
    for (const help of [['--help'], ['plan', '-h']]) {
      expect(await run(help)).toMatchObject({ code: 0, out: `${usageText(ROLLOUT_COMMAND)}\n`, err: '' });
    }
    const usage = `\n\n${usageText(ROLLOUT_COMMAND)}\n`;
    expect(await run(['deploy'])).toMatchObject({ code: 2, out: '', err: `unknown command "deploy" (one of plan, destroy-plan)${usage}` });
    expect(await run([])).toMatchObject({ code: 2, err: `missing command (one of plan, destroy-plan)${usage}` });
    expect(await run(['plan', '--parallelism', 'x'])).toMatchObject({ code: 2, err: `option --parallelism needs a positive whole number; got "x"${usage}` });
    expect(await run(['plan', '--yes'])).toMatchObject({ code: 2, err: `unknown option "--yes"${usage}` });
    expect(await run(['plan', 'extra'])).toMatchObject({ code: 2, err: `unexpected argument "extra"${usage}` });
    expect(await run(['destroy-plan', '--since', 'x'])).toMatchObject({ code: 2, err: `--since goes with plan only: a retirement destroys everything${usage}` });
    expect(await run(['plan', '--since', 'no-such-thing-anywhere'])).toMatchObject({ code: 2, err: `--since no-such-thing-anywhere: neither a synthesized output folder nor a git commit${usage}` });
  });

  it('--since a git commit: synthesizes that commit\'s configuration into cdktf.out/previous and orders its removals first', async () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'gd-rollout-git-'));
    cpSync(path.join(REPO_ROOT, 'config'), path.join(repo, 'config'), { recursive: true });
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(result.stderr);
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'first');
    const data = exampleData();
    data.regions = ['us-west-2', 'us-east-1'];
    writeFileSync(path.join(repo, 'config/org.json'), JSON.stringify(data));

    const result = await run(['plan', '--since', 'HEAD', '--json'], null, repo, 'config/org.json');
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const rollout = JSON.parse(result.out);
    expect(rollout.since).toMatch(/^HEAD \([0-9a-f]{12}\)$/);
    const removals = rollout.steps.filter((step: { phase: string }) => step.phase === 'remove').map((step: { stacks: { id: string }[] }) => step.stacks.map((stack) => stack.id));
    expect(removals).toEqual([['member-plans-wave-2', 'threat-intel'], ['member-plans-wave-1', 'members-wave-2'], ['members-wave-1'], ['organization'], ['admin']]);
    expect(JSON.parse(readFileSync(path.join(repo, 'cdktf.out/previous/manifest.json'), 'utf8')).stacks.admin).toBeDefined();
    // The previous synth reads this project's state files, not the unpacked commit's.
    const backend = JSON.parse(readFileSync(path.join(repo, 'cdktf.out/previous/stacks/admin/cdk.tf.json'), 'utf8')).terraform.backend.local.path;
    expect(path.resolve(repo, 'cdktf.out/previous/stacks/admin', backend)).toBe(path.join(repo, 'terraform-state/admin.tfstate'));
  });

  it('--since a folder: compares with it as it is; refuses cdktf.out itself, which synth rewrites', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'gd-rollout-folder-'));
    cpSync(path.join(REPO_ROOT, 'config'), path.join(project, 'config'), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'));
    expect(synthIn(project, 'config/org.json').status).toBe(0);
    expect((await run(['plan', '--since', 'cdktf.out'], null, project, 'config/org.json')).err).toMatch(/^--since cdktf.out: that is the output npm run synth empties and rewrites .*cp -r cdktf.out cdktf.out.previous/);
    cpSync(path.join(project, 'cdktf.out'), path.join(project, 'cdktf.out.previous'), { recursive: true });
    const data = exampleData();
    // Wave 2 (both CSV accounts of it) leaves: its stack is only in the previous output.
    data.members = [...data.members, { id: '555555555501', email: 'aws-dev@example.com', wave: 1 }];
    data.membersFile = undefined;
    const result = await run(['plan', '--since', 'cdktf.out.previous', '--json'], data, project, 'config/org.json');
    expect(result.err).toBe('');
    const rollout = JSON.parse(result.out);
    expect(rollout).toMatchObject({ since: 'cdktf.out.previous', outputDir: 'cdktf.out.rollout', fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The stacks wave 2 leaves are retired from the rollout's own folder, which holds what was measured.
    const commands = rollout.steps.flatMap((step: { commands: { command: string }[] }) => step.commands.map((command) => command.command));
    expect(commands).toContain('terraform -chdir=cdktf.out.rollout/stacks/members-wave-2 apply -input=false -auto-approve');
    for (const command of commands) expect(command).toMatch(/(--output cdktf\.out\.rollout --skip-synth$)|(-chdir=cdktf\.out\.rollout\/stacks\/)/);
    const retired = JSON.parse(readFileSync(path.join(project, 'cdktf.out.rollout/stacks/members-wave-2/cdk.tf.json'), 'utf8'));
    expect(Object.keys(retired).sort()).toEqual(['//', 'provider', 'terraform']);
    // Its local state is the one the previous output kept, read from the rollout's folder.
    expect(path.resolve(project, 'cdktf.out.rollout/stacks/members-wave-2', retired.terraform.backend.local.path)).toBe(path.join(project, 'terraform-state/members-wave-2.tfstate'));
    const manifest = JSON.parse(readFileSync(path.join(project, 'cdktf.out.rollout/manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks)).not.toContain('members-wave-2');
    // The review of what was measured, with what changes since the previous synth.
    const review = readFileSync(path.join(project, 'cdktf.out.rollout/review.md'), 'utf8');
    expect(review).toMatch(/^# Review: GuardDuty deployment "acme"/);
    expect(review).toContain('## Changes since cdktf.out.previous\n');
    expect(review).toMatch(/\n\| \d+ \| remove \| members-wave-2 \| 6 account \(555555555503, 555555555504\) \| {2}\| {2}\| {2}\| {2}\|\n/);
    expect((await run(['plan', '--since', 'cdktf.out.rollout'], null, project, 'config/org.json')).err).toMatch(/^--since cdktf.out.rollout: that is the folder this command writes/);
    mkdirSync(path.join(project, 'empty'));
    expect((await run(['plan', '--since', 'empty'], null, project, 'config/org.json')).err).toMatch(/^--since empty: no manifest.json in that folder/);
    expect(existsSync(path.join(project, 'cdktf.out/previous'))).toBe(false);
  });

  it('--skip-synth: refuses when cdktf.out is not, byte for byte, the synth of the configuration', async () => {
    const project = mkdtempSync(path.join(tmpdir(), 'gd-rollout-skip-'));
    cpSync(path.join(REPO_ROOT, 'config'), path.join(project, 'config'), { recursive: true });
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(project, 'node_modules'));
    const synth = (file: string) => synthIn(project, file);
    expect((await run(['plan', '--skip-synth'], null, project, 'config/org.json')).err).toMatch(/^--skip-synth: the commands would apply cdktf.out as it is, but it is not the synth of config\/org.json:\n {2}- cdktf.out\/manifest.json is missing\n/);
    expect(synth('config/org.json').status).toBe(0);
    const same = await run(['plan', '--skip-synth'], null, project, 'config/org.json');
    expect(same).toMatchObject({ code: 0, err: '' });
    expect(same.out).toContain(`$ npx ${CLI} deploy admin`);
    // Another configuration's synth in cdktf.out (the demo while ORG_CONFIG names the team's): refused.
    const other = exampleData();
    other.regions = ['us-west-2', 'us-east-1'];
    writeFileSync(path.join(project, 'config/other.json'), JSON.stringify(other));
    const refused = await run(['plan', '--skip-synth'], null, project, 'config/other.json');
    expect(refused.code).toBe(1);
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/^--skip-synth: the commands would apply cdktf.out as it is, but it is not the synth of config\/other.json:\n {2}- stack admin: differs\n/);
    // Nothing of the measurement is left behind.
    expect(readdirSync(project).filter((name) => name.startsWith('.rollout-measure-'))).toEqual([]);
  });
});

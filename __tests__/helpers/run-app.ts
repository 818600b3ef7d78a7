import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT, writeExample } from './synth';

/**
 * Runs the app as `cdktf synth` does: a process with ORG_CONFIG and CDKTF_OUTDIR set, the
 * configuration written to a fresh folder (or `dir`, where list files of the test may live) beside
 * the example's members file and lists.
 */
export function runApp(config: unknown, dir = mkdtempSync(path.join(tmpdir(), 'gd-main-'))) {
  const configFile = writeExample(dir, config);
  const outdir = path.join(dir, 'cdktf.out');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ORG_CONFIG: configFile, CDKTF_OUTDIR: outdir },
    encoding: 'utf8',
  });
  return { ...result, outdir, configFile };
}

import { readdirSync, rmdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The output folder of a synth. A failed synth must leave nothing there that looks deployable: a
 * pipeline that ignores the exit code would otherwise plan or deploy the stacks of an earlier run.
 * The app removes what a synth writes before it starts and again when it fails; the stacks'
 * working folders stay (Terraform keeps its providers in `.terraform` there), without their
 * configuration, so `terraform plan` there stops at "No configuration files" and `cdktf deploy`
 * at the missing manifest. Only the names a synth writes are removed, whatever the folder is.
 */

/** Where the app writes: what cdktf's App chooses (`CDKTF_OUTDIR`, which cdktf-cli sets, or `cdktf.out`). */
export function synthOutdir(env: NodeJS.ProcessEnv = process.env): string {
  return env.CDKTF_OUTDIR && env.CDKTF_OUTDIR !== '' ? env.CDKTF_OUTDIR : 'cdktf.out';
}

/** Written by a synth at the top of the output folder: cdktf's manifest and the review. */
const SYNTH_FILES = ['manifest.json', 'review.md'];
/** Written by a synth in each stack's folder: its configuration (JSON, or HCL) and the Lambda zips. */
const STACK_FILES = ['cdk.tf.json', 'cdk.tf', 'assets'];

export function removeSynthOutput(outdir: string): void {
  for (const name of SYNTH_FILES) rmSync(path.join(outdir, name), { force: true });
  const stacks = path.join(outdir, 'stacks');
  for (const id of folders(stacks)) {
    for (const name of STACK_FILES) rmSync(path.join(stacks, id, name), { recursive: true, force: true });
    removeIfEmpty(path.join(stacks, id));
  }
  removeIfEmpty(stacks);
  removeIfEmpty(outdir);
}

function folders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

function removeIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // Not empty (Terraform's own files), or not there: either way nothing deployable is left.
  }
}

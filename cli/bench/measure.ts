import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** One whole-process run: wall time as the caller waits for it, and the peak resident set size. */
export interface ProcessRun {
  readonly wallMs: number;
  /** Bytes; the largest single process of the run (GNU time and VmHWM both count that way). */
  readonly peakRssBytes: number;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** A run still going after this long is killed and reported as failed. @default 6 minutes */
  readonly timeoutMs?: number;
}

export type RssProbe = 'gnu-time' | 'proc-status';

/**
 * GNU time reports the peak of the largest descendant (`wait4` rusage), so a launcher process
 * (npx, ts-node's child) does not hide the app. Without it, VmHWM of the spawned process is polled,
 * which sees that process only.
 */
export function rssProbe(): RssProbe {
  if (existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0) return 'gnu-time';
  if (existsSync('/proc/self/status')) return 'proc-status';
  throw new Error('no way to measure peak memory here: neither /usr/bin/time nor /proc');
}

/** Process groups of the runs under way, so an interrupted benchmark can end them. */
const running = new Set<number>();

/** Ends every run under way (their process groups); for the benchmark's own SIGINT handler. */
export function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function runMeasured(command: string, args: readonly string[], options: RunOptions, probe: RssProbe): Promise<ProcessRun> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'gd-bench-run-'));
  const timeFile = path.join(scratch, 'rss');
  const [file, argv] = probe === 'gnu-time' ? ['/usr/bin/time', ['-o', timeFile, '-f', '%M', command, ...args]] : [command, [...args]];
  try {
    const started = performance.now();
    // Its own process group, so a timeout ends the app and not only the wrapper around it.
    const child = spawn(file, argv, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) running.add(child.pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, options.timeoutMs ?? 6 * 60_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    let polledKb = 0;
    const poll =
      probe === 'proc-status'
        ? setInterval(() => {
            try {
              const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
              if (match) polledKb = Math.max(polledKb, Number(match[1]));
            } catch {
              // The process ended between two polls.
            }
          }, 10)
        : undefined;
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
    const wallMs = performance.now() - started;
    clearTimeout(timer);
    if (child.pid !== undefined) running.delete(child.pid);
    if (poll) clearInterval(poll);
    if (timedOut) return { wallMs, peakRssBytes: 0, exitCode: 124, stdout, stderr: `${stderr}\nkilled after ${Math.round(wallMs / 1000)} s` };
    const kb = probe === 'gnu-time' ? Number(/(\d+)\s*$/.exec(readFileSync(timeFile, 'utf8'))?.[1] ?? 0) : polledKb;
    return { wallMs, peakRssBytes: kb * 1024, exitCode, stdout, stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

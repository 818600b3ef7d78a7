/**
 * Progress of a scan: a bar redrawn in place on a terminal, one plain line per item in CI logs (where
 * carriage returns turn a bar into thousands of lines).
 */

export interface Progress {
  start(total: number): void;
  /** One item done, with a short note on what was found. */
  tick(label: string): void;
  done(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/**
 * A bar only on an interactive terminal: not in CI (`CI=true`), not with `NO_COLOR` set (no-color.org:
 * any non-empty value), not when stderr is a file or a pipe.
 */
export function useBar(stream: ProgressStream, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return Boolean(stream.isTTY) && !ci && !noColor;
}

export function createProgress(stream: ProgressStream, env: NodeJS.ProcessEnv, what = 'discover'): Progress {
  return useBar(stream, env) ? new BarProgress(stream, what) : new LineProgress(stream, what);
}

class LineProgress implements Progress {
  private total = 0;
  private count = 0;
  constructor(private readonly stream: ProgressStream, private readonly what: string) {}
  start(total: number): void {
    this.total = total;
    this.stream.write(`${this.what}: ${total} checks\n`);
  }
  tick(label: string): void {
    this.count++;
    this.stream.write(`${this.what}: [${this.count}/${this.total}] ${label}\n`);
  }
  done(): void {
    this.stream.write(`${this.what}: done\n`);
  }
}

class BarProgress implements Progress {
  private total = 0;
  private count = 0;
  constructor(private readonly stream: ProgressStream, private readonly what: string) {}
  start(total: number): void {
    this.total = total;
    this.draw('');
  }
  tick(label: string): void {
    this.count++;
    this.draw(label);
  }
  done(): void {
    this.stream.write('\n');
  }
  private draw(label: string): void {
    const width = 30;
    const filled = this.total === 0 ? width : Math.round((this.count / this.total) * width);
    const line = `${this.what} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.count}/${this.total} ${label}`;
    const columns = this.stream.columns ?? 100;
    // \x1b[K clears what a longer previous label left behind.
    this.stream.write(`\r${line.slice(0, Math.max(20, columns - 1))}\x1b[K`);
  }
}

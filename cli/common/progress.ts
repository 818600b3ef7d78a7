import { interactive, type OutputStream } from './command';

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

/** A bar only on a person's terminal (see `interactive`): plain lines in CI, with NO_COLOR, into a file or a pipe. */
export function createProgress(stream: OutputStream, env: NodeJS.ProcessEnv, what = 'discover'): Progress {
  return interactive(stream, env) ? new BarProgress(stream, what) : new LineProgress(stream, what);
}

class LineProgress implements Progress {
  private total = 0;
  private count = 0;
  constructor(private readonly stream: OutputStream, private readonly what: string) {}
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
  constructor(private readonly stream: OutputStream, private readonly what: string) {}
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

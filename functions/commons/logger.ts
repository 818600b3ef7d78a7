/**
 * One structured logger for every remediation function: one JSON object per line, so CloudWatch Logs
 * Insights can query the fields and a metric filter can count outcomes. Written to stdout directly
 * (not console.log) so the Lambda runtime adds no text prefix in front of the JSON.
 */
export type Level = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
export type Fields = Readonly<Record<string, unknown>>;
/** Where finished lines go; tests pass an array's push. */
export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

export class Logger {
  constructor(
    private readonly sink: LogSink = stdoutSink,
    private readonly keys: Fields = {},
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** A logger whose lines also carry `keys` (per invocation: request id, finding id, resource). */
  child(keys: Fields): Logger {
    return new Logger(this.sink, { ...this.keys, ...keys }, this.clock);
  }

  debug(message: string, fields: Fields = {}): void {
    this.write('DEBUG', message, fields);
  }

  info(message: string, fields: Fields = {}): void {
    this.write('INFO', message, fields);
  }

  warn(message: string, fields: Fields = {}): void {
    this.write('WARN', message, fields);
  }

  error(message: string, fields: Fields = {}): void {
    this.write('ERROR', message, fields);
  }

  private write(level: Level, message: string, fields: Fields): void {
    this.sink(JSON.stringify({ level, timestamp: this.clock().toISOString(), message, ...this.keys, ...fields }, errorReplacer));
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

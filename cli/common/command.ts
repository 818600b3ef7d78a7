import { configFileFromEnv, loadConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/problems';

/**
 * What every command of the product does the same way: options parsed by one parser, `--help`/`-h`
 * printing the usage on stdout with exit 0, a wrong option or argument named on stderr above the usage
 * with exit 2, a configuration problem reported once with exit 1, output on stdout and diagnostics on
 * stderr. The process itself is wired in `runMain`, so tests run a command in-process.
 */

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CommandIo {
  readonly env: NodeJS.ProcessEnv;
  /** What the command produces: JSON, a plan, a map. */
  readonly stdout: OutputStream;
  /** Diagnostics: progress, reports, problems. */
  readonly stderr: OutputStream;
}

export interface OptionSpec {
  /** `--out`. */
  readonly name: `--${string}`;
  /** Placeholder of the option's value (`FILE`, `N`); an option without one is a switch. */
  readonly value?: string;
  readonly description: string;
}

export interface CommandSpec {
  /** How it is run: `npm run --silent rollout -- <plan|destroy-plan> [options]`. */
  readonly synopsis: string;
  /** What it does, in a few lines. */
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  /** More to know, after the options (exit codes, environment). */
  readonly notes?: string;
  /**
   * Exit code of a failure: a configuration problem, a `CommandFailure`, an unexpected error. A command
   * whose 1 already means something (verify: a difference) takes another.
   * @default 1
   */
  readonly failureExitCode?: number;
}

export interface ParsedArguments {
  readonly positionals: readonly string[];
  /** Switches as `true`, options with a value as their text; only options that were given. */
  readonly options: Readonly<Record<string, string | true>>;
}

/** A wrong command line: printed above the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure the command explains in one line: printed as it is, exit 1. */
export class CommandFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandFailure';
  }
}

export const HELP_OPTION: OptionSpec = { name: '--help', description: 'print this help and exit (also -h)' };

export function usageText(spec: CommandSpec): string {
  const options = [...spec.options, HELP_OPTION];
  const labels = options.map((option) => (option.value ? `${option.name} ${option.value}` : option.name));
  const width = Math.max(...labels.map((label) => label.length));
  const lines = [`usage: ${spec.synopsis}`, '', spec.summary, '', 'options:'];
  const indent = ' '.repeat(width + 4);
  options.forEach((option, index) => lines.push(`  ${labels[index].padEnd(width)}  ${option.description.split('\n').join(`\n${indent}`)}`));
  if (spec.notes) lines.push('', spec.notes);
  return lines.join('\n');
}

/**
 * `--name value`, `--name=value`, switches, and positionals; `--` ends the options. Returns `help` when
 * `--help`/`-h` is anywhere before `--`, so help wins over any other mistake on the line.
 */
export function parseArguments(argv: readonly string[], spec: Pick<CommandSpec, 'options'>): ParsedArguments | 'help' {
  const byName = new Map(spec.options.map((option) => [option.name, option]));
  const end = argv.indexOf('--');
  const before = end === -1 ? argv : argv.slice(0, end);
  if (before.some((argument) => argument === '--help' || argument === '-h')) return 'help';

  const positionals: string[] = [];
  const options: Record<string, string | true> = {};
  for (let index = 0; index < before.length; index++) {
    const argument = before[index];
    if (!argument.startsWith('-') || argument === '-') {
      positionals.push(argument);
      continue;
    }
    const equals = argument.indexOf('=');
    const name = equals === -1 ? argument : argument.slice(0, equals);
    const option = byName.get(name as OptionSpec['name']);
    if (!option) throw new UsageError(`unknown option ${JSON.stringify(name)}`);
    if (name in options) throw new UsageError(`option ${name} given twice`);
    if (!option.value) {
      if (equals !== -1) throw new UsageError(`option ${name} takes no value`);
      options[name] = true;
      continue;
    }
    const value = equals !== -1 ? argument.slice(equals + 1) : before[++index];
    if (value === undefined || value === '' || (equals === -1 && value.startsWith('--'))) {
      throw new UsageError(`option ${name} needs a value (${name} ${option.value})`);
    }
    options[name] = value;
  }
  if (end !== -1) positionals.push(...argv.slice(end + 1));
  return { positionals, options };
}

/** The value of a numeric option: a whole number of at least 1. */
export function positiveInteger(name: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text)) throw new UsageError(`option ${name} needs a positive whole number; got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * Runs one command: help, usage errors, configuration problems and failures explained in one line are
 * handled here, once for every command; anything else the command throws propagates.
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  io: CommandIo,
  command: (args: ParsedArguments) => number | Promise<number>,
): Promise<number> {
  try {
    const args = parseArguments(argv, spec);
    if (args === 'help') {
      io.stdout.write(`${usageText(spec)}\n`);
      return 0;
    }
    return await command(args);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n\n${usageText(spec)}\n`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof CommandFailure) {
      io.stderr.write(`${error.message}\n`);
      return spec.failureExitCode ?? 1;
    }
    throw error;
  }
}

/**
 * Where a command's configuration comes from, in one line for stderr: the file, and whether
 * `ORG_CONFIG` named it or it is the default, so that a log always says which configuration a
 * command ran on (a shell that still exports another team's `ORG_CONFIG` shows at once).
 */
export function configurationLine(env: NodeJS.ProcessEnv): string {
  const file = configFileFromEnv(env);
  const source = file === env.ORG_CONFIG ? 'from ORG_CONFIG' : 'the default; ORG_CONFIG names another';
  return `configuration: ${file} (${source})`;
}

/** Loads the command's configuration (`ORG_CONFIG` or the default), after naming it on stderr. */
export function commandConfig(io: Pick<CommandIo, 'env' | 'stderr'>): OrgConfig {
  io.stderr.write(`${configurationLine(io.env)}\n`);
  return loadConfig(configFileFromEnv(io.env));
}

/** A positional argument that must be one of `choices`. */
export function choice<T extends string>(what: string, value: string | undefined, choices: readonly T[]): T {
  if (value === undefined) throw new UsageError(`missing ${what} (one of ${choices.join(', ')})`);
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`unknown ${what} ${JSON.stringify(value)} (one of ${choices.join(', ')})`);
  return value as T;
}

/** Refuses positional arguments beyond the `allowed` first ones. */
export function noMorePositionals(args: ParsedArguments, allowed = 0): void {
  const extra = args.positionals.slice(allowed);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
}

/**
 * Whether a stream is a person's terminal that may get a redrawn bar or colour: not when it is a file
 * or a pipe, in CI (`CI` set to anything but `false`/`0`), with `NO_COLOR` set (no-color.org), or on a
 * dumb terminal.
 */
export function interactive(stream: Pick<OutputStream, 'isTTY'>, env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  return Boolean(stream.isTTY) && !ci && !noColor && env.TERM !== 'dumb';
}

/**
 * The command as a process: real streams and environment, the exit code set (not forced, so output
 * drains), and an unexpected failure reported as one line on stderr (the stack with `DEBUG` set).
 */
export function runMain(run: (argv: readonly string[], io: CommandIo) => number | Promise<number>, spec?: Pick<CommandSpec, 'failureExitCode'>): void {
  const io: CommandIo = { env: process.env, stdout: process.stdout, stderr: process.stderr };
  Promise.resolve()
    .then(() => run(process.argv.slice(2), io))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (error: unknown) => {
        const text = error instanceof Error ? (process.env.DEBUG ? (error.stack ?? error.message) : `${error.name}: ${error.message}`) : String(error);
        process.stderr.write(`${text}\n`);
        process.exitCode = spec?.failureExitCode ?? 1;
      },
    );
}

/**
 * One argument as a POSIX shell reads it: as it is when it has no character the shell treats
 * specially, otherwise in single quotes. Printed commands then run as printed.
 */
export function shellQuote(argument: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

import { spawnSync } from 'node:child_process';
import {
  choice,
  commandConfig,
  configurationLine,
  interactive,
  noMorePositionals,
  parseArguments,
  positiveInteger,
  runCommand,
  shellCommand,
  shellQuote,
  UsageError,
  usageText,
  type CommandSpec,
} from '../../../cli/common/command';
import { ConfigError } from '../../../lib/problems';
import { REPO_ROOT } from '../../helpers/synth';

const SPEC: CommandSpec = {
  synopsis: 'npm run example -- [options]',
  summary: 'Does an example thing.',
  options: [
    { name: '--json', description: 'machine-readable output' },
    { name: '--out', value: 'FILE', description: 'write to FILE' },
  ],
  notes: 'Exit codes: 0 done, 1 failed, 2 wrong command line.',
};

function io() {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    io: { env: {}, stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) } },
  };
}

describe('command line', () => {
  it('parses switches, options with a value in both spellings, and positionals; -- ends the options', () => {
    expect(parseArguments(['plan', '--json', '--out', 'a.json'], SPEC)).toEqual({ positionals: ['plan'], options: { '--json': true, '--out': 'a.json' } });
    expect(parseArguments(['--out=b.json', 'x'], SPEC)).toEqual({ positionals: ['x'], options: { '--out': 'b.json' } });
    expect(parseArguments(['--json', '--', '--out', '-h'], SPEC)).toEqual({ positionals: ['--out', '-h'], options: { '--json': true } });
  });

  it('answers help for --help or -h wherever it is, even beside a mistake', () => {
    expect(parseArguments(['--bogus', '-h'], SPEC)).toBe('help');
    expect(parseArguments(['plan', '--help'], SPEC)).toBe('help');
  });

  it('names what is wrong: an unknown option, a missing or unexpected value, an option twice', () => {
    const wrong = (argv: string[]) => () => parseArguments(argv, SPEC);
    expect(wrong(['--yes'])).toThrow(new UsageError('unknown option "--yes"'));
    expect(wrong(['--yes=1'])).toThrow(new UsageError('unknown option "--yes"'));
    expect(wrong(['-x'])).toThrow(new UsageError('unknown option "-x"'));
    expect(wrong(['--out'])).toThrow(new UsageError('option --out needs a value (--out FILE)'));
    expect(wrong(['--out', '--json'])).toThrow(new UsageError('option --out needs a value (--out FILE)'));
    expect(wrong(['--json=yes'])).toThrow(new UsageError('option --json takes no value'));
    expect(wrong(['--json', '--json'])).toThrow(new UsageError('option --json given twice'));
    expect(() => positiveInteger('--concurrency', '0')).toThrow(new UsageError('option --concurrency needs a positive whole number; got "0"'));
    expect(positiveInteger('--concurrency', '12')).toBe(12);
    expect(() => choice('command', undefined, ['plan', 'destroy-plan'])).toThrow(new UsageError('missing command (one of plan, destroy-plan)'));
    expect(() => choice('command', 'deploy', ['plan', 'destroy-plan'])).toThrow(new UsageError('unknown command "deploy" (one of plan, destroy-plan)'));
    expect(() => noMorePositionals({ positionals: ['plan', 'extra'], options: {} }, 1)).toThrow(new UsageError('unexpected argument "extra"'));
  });

  it('writes a usage with every option, --help included, aligned', () => {
    expect(usageText(SPEC)).toBe(
      [
        'usage: npm run example -- [options]',
        '',
        'Does an example thing.',
        '',
        'options:',
        '  --json      machine-readable output',
        '  --out FILE  write to FILE',
        '  --help      print this help and exit (also -h)',
        '',
        'Exit codes: 0 done, 1 failed, 2 wrong command line.',
      ].join('\n'),
    );
  });

  it('runs a command: help on stdout with 0, a usage error on stderr with 2, a configuration problem once with 1', async () => {
    const help = io();
    expect(await runCommand(SPEC, ['-h'], help.io, () => 5)).toBe(0);
    expect(help.stdout.join('')).toBe(`${usageText(SPEC)}\n`);
    expect(help.stderr).toEqual([]);

    const wrong = io();
    expect(await runCommand(SPEC, ['--yes'], wrong.io, () => 5)).toBe(2);
    expect(wrong.stdout).toEqual([]);
    expect(wrong.stderr.join('')).toBe(`unknown option "--yes"\n\n${usageText(SPEC)}\n`);

    const config = io();
    const problem = new ConfigError([{ file: 'org.json', path: 'regions[0]', message: 'unknown region "mars-1"' }]);
    expect(await runCommand(SPEC, [], config.io, () => { throw problem; })).toBe(1);
    expect(config.stderr).toEqual([`${problem.message}\n`]);

    const ran = io();
    expect(await runCommand(SPEC, ['x', '--json'], ran.io, (args) => (args.options['--json'] === true && args.positionals[0] === 'x' ? 7 : 0))).toBe(7);
    await expect(runCommand(SPEC, [], ran.io, () => { throw new Error('boom'); })).rejects.toThrow('boom');
  });

  it('is interactive only on a terminal, outside CI, without NO_COLOR, on a terminal that is not dumb', () => {
    const tty = { isTTY: true };
    expect(interactive(tty, {})).toBe(true);
    expect(interactive(tty, { CI: 'false' })).toBe(true);
    expect(interactive(tty, { CI: '0' })).toBe(true);
    expect(interactive(tty, { NO_COLOR: '' })).toBe(true);
    expect(interactive(tty, { CI: 'true' })).toBe(false);
    expect(interactive(tty, { CI: '1' })).toBe(false);
    expect(interactive(tty, { NO_COLOR: '1' })).toBe(false);
    expect(interactive(tty, { TERM: 'dumb' })).toBe(false);
    expect(interactive({ isTTY: false }, {})).toBe(false);
    expect(interactive({}, {})).toBe(false);
  });

  it('quotes for the shell only what needs it', () => {
    expect(shellQuote('members-wave-1')).toBe('members-wave-1');
    expect(shellQuote('-chdir=cdktf.out/stacks/admin')).toBe('-chdir=cdktf.out/stacks/admin');
    expect(shellQuote('-target=aws_guardduty_member.member["444444444444/eu-west-1"]')).toBe(`'-target=aws_guardduty_member.member["444444444444/eu-west-1"]'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('')).toBe(`''`);
    expect(shellCommand(['npx', 'cdktf', 'deploy', 'a b'])).toBe(`npx cdktf deploy 'a b'`);
    // What a shell makes of the printed command is the argument list it was printed from.
    const argv = ['-target=aws_x.y["1/eu-west-1"]', "it's", 'a b', '$HOME', '`x`', '', '*', 'plain'];
    const shell = spawnSync('sh', ['-c', `printf '%s\\n' ${shellCommand(argv)}`], { encoding: 'utf8' });
    expect(shell.stdout).toBe(argv.map((arg) => `${arg}\n`).join(''));
  });

  it('names the configuration it loads on stderr, and where the name came from, before loading it', () => {
    expect(configurationLine({})).toBe('configuration: config/org.json (the default; ORG_CONFIG names another)');
    expect(configurationLine({ ORG_CONFIG: ' ' })).toBe('configuration: config/org.json (the default; ORG_CONFIG names another)');
    expect(configurationLine({ ORG_CONFIG: 'config/production.example.json' })).toBe('configuration: config/production.example.json (from ORG_CONFIG)');
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);
    try {
      const loaded = io();
      expect(commandConfig({ env: { ORG_CONFIG: 'config/production.example.json' }, stderr: loaded.io.stderr }).name).toBe('guardduty');
      expect(loaded.stderr).toEqual(['configuration: config/production.example.json (from ORG_CONFIG)\n']);
      // Named even when it cannot be read, so the log says which file was missing.
      const missing = io();
      expect(() => commandConfig({ env: { ORG_CONFIG: 'config/no-such.json' }, stderr: missing.io.stderr })).toThrow(ConfigError);
      expect(missing.stderr).toEqual(['configuration: config/no-such.json (from ORG_CONFIG)\n']);
    } finally {
      process.chdir(cwd);
    }
  });
});

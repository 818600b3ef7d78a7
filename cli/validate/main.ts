import type { OrgConfig } from '../../lib/config/load';
import { deploySteps, enrollsMembersExplicitly, planStacks } from '../../lib/plan/stacks';
import { plural } from '../common/words';
import { commandConfig, noMorePositionals, runCommand, runMain, type CommandIo, type CommandSpec } from '../common/command';

/**
 * `npm run validate`: the configuration and every file it names (members CSV, list files) checked by
 * the same loader `cdktf synth` uses, without building or writing a stack. It loads neither cdktf nor
 * the provider bindings, so it is quick enough for a pre-commit hook or an editor's save.
 */

export const VALIDATE_COMMAND: CommandSpec = {
  synopsis: 'npm run --silent validate',
  summary: `Checks the configuration and the files it names, as cdktf synth would, without synthesizing: every
problem at once on stderr, naming the file and the field (or file:line). On success, one line on stdout
says what would be deployed.`,
  options: [],
  notes: 'The configuration is ORG_CONFIG or config/org.json. Exit codes: 0 valid; 1 problems found; 2 a wrong command line.',
};

export function runValidate(argv: readonly string[], io: CommandIo): Promise<number> {
  return runCommand(VALIDATE_COMMAND, argv, io, (args) => {
    noMorePositionals(args);
    const config = commandConfig(io);
    io.stdout.write(`${summary(config)}\n`);
    return 0;
  });
}

/** One line: the file, and what a synth of it would deploy. */
export function summary(config: OrgConfig): string {
  const plan = planStacks(config);
  const steps = deploySteps(plan).length;
  const waves = new Set(config.members.map((member) => member.wave)).size;
  const members =
    config.mode === 'organizations' && !enrollsMembersExplicitly(config)
      ? `every account of the organization (autoEnable ALL), ${plural(config.members.length, 'listed member account')}`
      : `${plural(config.members.length, 'member account')} in ${plural(waves, 'wave')}`;
  return (
    `${config.configFile}: valid. "${config.name}", ${config.mode} mode, ${plural(config.regions.length, 'region')}, ${members}; ` +
    `${plural(plan.stacks.length, 'stack')} in ${plural(steps, 'deploy step')}.`
  );
}

if (require.main === module) runMain(runValidate);

import { writeFileSync } from 'node:fs';
import { STSClient } from '@aws-sdk/client-sts';
import type { OrgConfig } from '../../lib/config/load';
import { discover, existingDetectors, findings, formatDiscovery, type DiscoveryClients } from './discover';
import { assumeRoleClients } from '../common/clients';
import { commandConfig, noMorePositionals, positiveInteger, runCommand, runMain, type CommandIo, type CommandSpec } from '../common/command';
import { callerIdentity } from '../common/credentials';
import { createProgress } from '../common/progress';
import type { RetryOptions } from '../common/retry';

export const DISCOVER_COMMAND: CommandSpec = {
  synopsis: 'npm run --silent discover -- [options]',
  summary: `Assumes the deployment role in every listed account (admin, sandbox, members; the management account
for the organization's delegation) and reads GuardDuty in every configured region. Writes the
existingDetectors map as JSON to stdout (or FILE), and progress and a report to stderr.`,
  options: [
    { name: '--out', value: 'FILE', description: 'write the existingDetectors map to FILE instead of stdout' },
    { name: '--concurrency', value: 'N', description: 'how many account/region checks run at once (default 8)' },
  ],
  notes: `The configuration is ORG_CONFIG or config/org.json. Exit codes: 0 everything was read; 1 no working
credentials, a configuration problem, or an account or region that could not be read (then nothing is
written: the map would be missing what could not be read); 2 a wrong command line.`,
};

export interface DiscoverIo extends CommandIo {
  /** @default the deployment role assumed in each account, from `sts` */
  readonly clients?: (config: OrgConfig) => DiscoveryClients;
  /** The process's own credentials: checked first, then used to assume the roles. @default an STS client in the home region */
  readonly sts?: (config: OrgConfig) => STSClient;
  readonly retry?: RetryOptions;
}

export function runDiscover(argv: readonly string[], io: DiscoverIo): Promise<number> {
  return runCommand(DISCOVER_COMMAND, argv, io, async (args) => {
    noMorePositionals(args);
    const out = args.options['--out'] as string | undefined;
    const concurrencyText = args.options['--concurrency'] as string | undefined;
    const concurrency = concurrencyText === undefined ? 8 : positiveInteger('--concurrency', concurrencyText);
    const config = commandConfig(io);

    const sts = io.sts ? io.sts(config) : new STSClient({ region: config.homeRegion });
    io.stderr.write(`discover: as ${await callerIdentity(sts)}\n`);
    const clients = io.clients ? io.clients(config) : assumeRoleClients(config, { sts, command: 'discover' });
    const discovery = await discover(config, clients, { concurrency, progress: createProgress(io.stderr, io.env), retry: io.retry });
    io.stderr.write(`${formatDiscovery(config, discovery)}\n`);

    const unreadable = findings(config, discovery).unreadable.length + (discovery.delegatedAdministratorsError ? 1 : 0);
    if (unreadable > 0) {
      io.stderr.write(`discover: ${unreadable} check${unreadable === 1 ? '' : 's'} could not be read; ${out ? `${out} not written` : 'no map printed'}\n`);
      return 1;
    }
    const map = `${JSON.stringify(existingDetectors(config, discovery), null, 2)}\n`;
    if (out) writeFileSync(out, map);
    else io.stdout.write(map);
    return 0;
  });
}

if (require.main === module) runMain(runDiscover);

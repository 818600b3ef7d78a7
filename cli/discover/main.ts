import { writeFileSync } from 'node:fs';
import { configFileFromEnv, loadConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/config/problems';
import { assumeRoleClients } from '../common/clients';
import { discover, type DiscoveryClients, existingDetectors, findings, formatDiscovery } from './discover';
import { createProgress, type ProgressStream } from '../common/progress';
import type { RetryOptions } from '../common/retry';

const USAGE = `usage: npm run discover -- [--out FILE] [--concurrency N]

Assumes the deployment role in every listed account (admin, sandbox, members; the management account
for the organization's delegation) and reads GuardDuty in every configured region. Writes the
existingDetectors map as JSON to stdout (or FILE) and a report to stderr. Exits 1 when an account or
region could not be read.

  --out FILE        write the existingDetectors map to FILE instead of stdout
  --concurrency N   how many account/region checks run at once (default 8)`;

export interface DiscoverIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  /** Progress and the report. */
  readonly stderr: ProgressStream;
  /** @default the deployment role assumed in each account */
  readonly clients?: (config: OrgConfig) => DiscoveryClients;
  readonly retry?: RetryOptions;
}

export async function runDiscover(argv: readonly string[], io: DiscoverIo): Promise<number> {
  let out: string | undefined;
  let concurrency = 8;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    if (argument === '--out' && argv[index + 1]) out = argv[++index];
    else if (argument === '--concurrency' && /^[1-9]\d*$/.test(argv[index + 1] ?? '')) concurrency = Number(argv[++index]);
    else {
      io.stderr.write(`unknown or incomplete option ${JSON.stringify(argument)}\n\n${USAGE}\n`);
      return 2;
    }
  }
  let config: OrgConfig;
  try {
    config = loadConfig(configFileFromEnv(io.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
  const clients = io.clients ? io.clients(config) : assumeRoleClients(config, { command: 'discover' });
  const discovery = await discover(config, clients, { concurrency, progress: createProgress(io.stderr, io.env), retry: io.retry });
  const map = `${JSON.stringify(existingDetectors(config, discovery), null, 2)}\n`;
  if (out) writeFileSync(out, map);
  else io.stdout(map);
  io.stderr.write(`${formatDiscovery(config, discovery)}\n`);
  return findings(config, discovery).unreadable.length > 0 ? 1 : 0;
}

if (require.main === module) {
  runDiscover(process.argv.slice(2), { env: process.env, stdout: (text) => process.stdout.write(text), stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

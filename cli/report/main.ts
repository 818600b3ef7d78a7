import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import type { OrgConfig } from '../../lib/config/load';
import { REGION_NAME_PATTERN } from '../../lib/aws/regions';
import { assumeRoleClients, type AccountClients } from '../common/clients';
import { commandConfig, noMorePositionals, positiveInteger, runCommand, runMain, UsageError, type CommandIo, type CommandSpec } from '../common/command';
import { callerIdentity, credentialsFailure } from '../common/credentials';
import { createProgress } from '../common/progress';
import type { RetryOptions } from '../common/retry';
import { collectReport } from './collect';
import { costChartSvg, formatMarkdown, formatText, summarizeReport } from './format';

export const REPORT_COMMAND: CommandSpec = {
  synopsis: 'npm run --silent report -- [options]',
  summary: `What GuardDuty costs and covers, read-only from the administrator: per account and plan, the last
30 days' usage cost (GetUsageStatistics) and a month's projection, runtime coverage of EKS, ECS and EC2
(ListCoverage), and the plans that still bill where the configuration no longer has them (a region or
an account that left it). The report on stdout, progress on stderr.`,
  options: [
    { name: '--json', description: 'the report as JSON on stdout' },
    { name: '--markdown', value: 'FILE', description: 'also write a Markdown page to FILE, with its chart in FILE without .md plus .svg' },
    {
      name: '--regions',
      value: 'REGION,REGION',
      description: 'regions read besides the configured ones (default: the standard regions of the partition, to find what still bills outside the configuration)',
    },
    { name: '--concurrency', value: 'N', description: 'how many reads run at once (default 8)' },
    { name: '--role', value: 'NAME', description: 'assume this role in the admin account (a read-only role, see examples/iam); default roleName' },
  ],
  notes: `The configuration is ORG_CONFIG or config/org.json. The same credentials as verify. Exit codes: 0 the
report is complete; 2 something could not be read (it is left out of the totals and listed), a
configuration problem, or a wrong command line.`,
  failureExitCode: 2,
};

export interface ReportIo extends CommandIo {
  /** @default a role assumed in the admin account */
  readonly clients?: (config: OrgConfig, roleName: string | undefined) => Pick<AccountClients, 'guardduty'>;
  /** Who the credentials are; throws without usable credentials. @default STS GetCallerIdentity */
  readonly identity?: (config: OrgConfig) => Promise<string>;
  readonly retry?: RetryOptions;
}

export function runReport(argv: readonly string[], io: ReportIo): Promise<number> {
  return runCommand(REPORT_COMMAND, argv, io, async (args) => {
    noMorePositionals(args);
    const option = (name: string) => args.options[name] as string | undefined;
    const concurrency = option('--concurrency') === undefined ? 8 : positiveInteger('--concurrency', option('--concurrency') as string);
    const role = option('--role');
    if (role !== undefined && !/^[\w+=,.@-]{1,64}$/.test(role)) throw new UsageError(`option --role needs an IAM role name; got ${JSON.stringify(role)}`);
    const regions = option('--regions')?.split(',').filter(Boolean);
    const badRegion = regions?.find((region) => !REGION_NAME_PATTERN.test(region));
    if (badRegion !== undefined) throw new UsageError(`option --regions needs region names separated by commas; got ${JSON.stringify(badRegion)}`);
    const markdown = option('--markdown');
    if (markdown !== undefined && !markdown.endsWith('.md')) throw new UsageError(`option --markdown needs a file name ending in .md; got ${JSON.stringify(markdown)}`);

    const config = commandConfig(io);
    const identity = io.identity ?? ((own: OrgConfig) => callerIdentity(new STSClient({ region: own.homeRegion })));
    const who = await identity(config).catch((error: unknown) => {
      throw credentialsFailure(error);
    });
    io.stderr.write(`report: reading as ${who}\n`);
    const clients = io.clients ? io.clients(config, role) : assumeRoleClients(config, { command: 'report', roleName: role });
    const report = await collectReport(config, clients, {
      concurrency,
      progress: createProgress(io.stderr, io.env, 'report'),
      retry: io.retry,
      ...(regions ? { alsoRegions: regions } : {}),
    });
    const names = new Map([[config.accounts.admin, 'GuardDuty administrator'], ...config.members.flatMap((member) => (member.name ? [[member.id, member.name] as const] : []))]);
    const summary = summarizeReport(report, names);
    if (markdown !== undefined) {
      const chart = `${markdown.slice(0, -'.md'.length)}.svg`;
      writeFileSync(chart, costChartSvg(summary));
      writeFileSync(markdown, formatMarkdown(report, summary, path.basename(chart)));
      io.stderr.write(`report: wrote ${markdown} and ${chart}\n`);
    }
    const code = report.unreadable.length > 0 ? 2 : 0;
    io.stdout.write(args.options['--json'] ? `${JSON.stringify({ ...report, summary, exitCode: code }, null, 2)}\n` : `${formatText(report, summary)}\n`);
    return code;
  });
}

if (require.main === module) runMain(runReport, REPORT_COMMAND);

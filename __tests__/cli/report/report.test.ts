import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { collectReport, coverageRows } from '../../../cli/report/collect';
import { emptyAdministrator, fakeClients, member, usage, type FakeAdministrator } from '../../../cli/report/fake-usage';
import { costChartSvg, niceStep, projectMonthly, summarizeReport } from '../../../cli/report/format';
import { runReport } from '../../../cli/report/main';
import { parseConfig, type OrgConfig } from '../../../lib/config/load';
import { exampleData, REPO_ROOT, writeExample } from '../../helpers/synth';

/**
 * `report` against GuardDuty answering in the API's shape through the real SDK clients, pages
 * included: cost per account and plan, coverage, and what still bills outside the configuration.
 */

const ADMIN = '222222222222';
const SANDBOX = '333333333333';
const SHARED = '444444444444';
const STRANGER = '888888888888';
const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const REMOVED = 'ap-south-1';
const detector = (region: string) => `d${Buffer.from(region).toString('hex')}`.padEnd(32, '0').slice(0, 32);

let dir: string;
let file: string;
let config: OrgConfig;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-report-'));
  // lambdaNetwork off: its usage still billed in a configured region is "plan off in the configuration".
  const data = { ...exampleData(), protection: { ...exampleData().protection, lambdaNetwork: false } };
  file = writeExample(dir, data);
  config = parseConfig(data, { file, cwd: REPO_ROOT });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The admin detector in the three configured regions and in one that left the configuration; the
 * sandbox and shared-services accounts enrolled, and a stranger the configuration does not list.
 */
function world(): FakeAdministrator {
  const w = emptyAdministrator();
  for (const region of [...REGIONS, REMOVED]) {
    w.detectors.set(region, detector(region));
    w.members.set(region, [member(SANDBOX, ADMIN, detector(region)), member(SHARED, ADMIN, detector(region)), { ...member('555555555501', ADMIN, detector(region)), RelationshipStatus: 'Removed' }]);
  }
  w.members.get('us-east-1')?.push(member(STRANGER, ADMIN, detector('us-east-1')));
  // Five features for the admin in us-west-2: two pages of usage (three a page).
  w.usage.set(`${ADMIN}/us-west-2`, [usage('CLOUD_TRAIL', 10), usage('DNS_LOGS', 5), usage('FLOW_LOGS', 15), usage('S3_DATA_EVENTS', 20.5), usage('EKS_RUNTIME_MONITORING', 8)]);
  w.usage.set(`${SANDBOX}/us-west-2`, [usage('CLOUD_TRAIL', 1.25), usage('LAMBDA_NETWORK_LOGS', 0.75)]);
  w.usage.set(`${SHARED}/us-east-1`, [usage('CLOUD_TRAIL', 3), usage('FARGATE_RUNTIME_MONITORING', 4), usage('EC2_RUNTIME_MONITORING', 6), usage('RDS_LOGIN_EVENTS', 2)]);
  w.usage.set(`${STRANGER}/us-east-1`, [usage('CLOUD_TRAIL', 7)]);
  w.usage.set(`${SHARED}/${REMOVED}`, [usage('FLOW_LOGS', 9), usage('S3_DATA_EVENTS', 1)]);
  // 60 EKS clusters in us-east-1: two pages of coverage (50 a page).
  w.coverage.set(
    'us-east-1',
    Array.from({ length: 60 }, (_, index) => ({
      ResourceId: `cluster-${index}`,
      DetectorId: detector('us-east-1'),
      AccountId: index < 40 ? SHARED : SANDBOX,
      CoverageStatus: index % 4 === 0 ? 'UNHEALTHY' : 'HEALTHY',
      ...(index % 4 === 0 ? { Issue: 'Agent not reporting' } : {}),
      ResourceDetails: { ResourceType: 'EKS', EksClusterDetails: { ClusterName: `cluster-${index}`, CompatibleNodes: 3, CoveredNodes: index % 4 === 0 ? 1 : 3 } },
      UpdatedAt: new Date('2026-12-01T00:00:00Z'),
    })),
  );
  w.notEnabled.add('me-south-1');
  return w;
}

describe('collectReport', () => {
  it('reads the cost of every enrolled account per region and plan, following every page', async () => {
    const w = world();
    const report = await collectReport(config, fakeClients(w), { alsoRegions: [REMOVED, 'me-south-1'], retry: { sleep: async () => undefined } });
    expect(report.regions).toEqual([...REGIONS, REMOVED, 'me-south-1']);
    const cost = (account: string, region: string) => report.costs.find((row) => row.account === account && row.region === region);
    expect(cost(ADMIN, 'us-west-2')).toEqual({ account: ADMIN, region: 'us-west-2', byPlan: { foundational: 30, s3: 20.5, runtimeMonitoring: 8 }, total: 58.5 });
    expect(cost(SHARED, 'us-east-1')).toEqual({ account: SHARED, region: 'us-east-1', byPlan: { foundational: 3, runtimeMonitoring: 10, rdsLogin: 2 }, total: 15 });
    expect(cost(SHARED, REMOVED)).toEqual({ account: SHARED, region: REMOVED, byPlan: { foundational: 9, s3: 1 }, total: 10 });
    // A removed member is not read; an account without usage in an unconfigured region is left out.
    expect(report.costs.some((row) => row.account === '555555555501')).toBe(false);
    expect(cost(ADMIN, REMOVED)).toBeUndefined();
    expect(cost(ADMIN, 'eu-west-1')).toEqual({ account: ADMIN, region: 'eu-west-1', byPlan: {}, total: 0 });
    // Two pages of usage for the admin in us-west-2 and for shared-services in us-east-1 (5 and 4 features,
    // 3 a page); one call per account and region otherwise.
    expect(w.calls.filter((call) => call === 'GetUsageStatistics us-west-2')).toHaveLength(4);
    expect(w.calls.filter((call) => call.startsWith('GetUsageStatistics'))).toHaveLength(4 + 5 + 3 + 3);
    // A region the accounts never enabled is no error.
    expect(report.unreadable).toEqual([]);
  });

  it('counts runtime coverage per account and resource type over every page', async () => {
    const w = world();
    const report = await collectReport(config, fakeClients(w), { alsoRegions: [] });
    expect(w.calls.filter((call) => call === 'ListCoverage us-east-1')).toHaveLength(2);
    expect(report.coverage).toEqual([
      { account: SHARED, region: 'us-east-1', resourceType: 'EKS', healthy: 30, unhealthy: 10, nodesNotCovered: 20, issues: { 'Agent not reporting': 10 } },
      { account: SANDBOX, region: 'us-east-1', resourceType: 'EKS', healthy: 15, unhealthy: 5, nodesNotCovered: 10, issues: { 'Agent not reporting': 5 } },
    ]);
  });

  it('names what still bills outside the configuration: a region that left, an account it does not list, a plan it switched off', async () => {
    const report = await collectReport(config, fakeClients(world()), { alsoRegions: [REMOVED] });
    expect(report.stillOn).toEqual([
      { account: SANDBOX, region: 'us-west-2', plan: 'lambdaNetwork', cost: 0.75, why: 'plan off in the configuration' },
      { account: STRANGER, region: 'us-east-1', plan: 'foundational', cost: 7, why: 'account not in the configuration' },
      { account: SHARED, region: REMOVED, plan: 'foundational', cost: 9, why: 'region not in the configuration' },
      { account: SHARED, region: REMOVED, plan: 's3', cost: 1, why: 'region not in the configuration' },
    ]);
  });

  it('reports what it could not read, and no detector in a configured region, instead of a smaller total', async () => {
    const w = world();
    w.detectors.delete('eu-west-1');
    const clients = fakeClients(w);
    const failing = {
      guardduty: (account: string, region: string) => {
        const client = clients.guardduty(account, region);
        if (region !== 'us-east-1') return client;
        const send = client.send.bind(client);
        client.send = (async (command: any) => {
          if (command.constructor.name === 'GetUsageStatisticsCommand' && command.input.UsageCriteria.AccountIds[0] === SHARED) {
            throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
          }
          return send(command);
        }) as typeof client.send;
        return client;
      },
    };
    const report = await collectReport(config, failing, { alsoRegions: [], retry: { sleep: async () => undefined } });
    expect(report.unreadable).toEqual([
      { account: ADMIN, region: 'eu-west-1', what: 'ListDetectors', error: 'no detector in a configured region' },
      { account: SHARED, region: 'us-east-1', what: 'GetUsageStatistics', error: 'AccessDeniedException: User is not authorized' },
    ]);
  });
});

describe('coverageRows', () => {
  it('takes ECS and EC2 resources too, and an unhealthy one without a reason', () => {
    expect(
      coverageRows('us-east-1', [
        { AccountId: SHARED, CoverageStatus: 'HEALTHY', ResourceDetails: { ResourceType: 'EC2' } },
        { AccountId: SHARED, CoverageStatus: 'UNHEALTHY', ResourceDetails: { ResourceType: 'EC2' } },
        { AccountId: SHARED, CoverageStatus: 'HEALTHY', ResourceDetails: { ResourceType: 'ECS' } },
      ]),
    ).toEqual([
      { account: SHARED, region: 'us-east-1', resourceType: 'EC2', healthy: 1, unhealthy: 1, nodesNotCovered: 0, issues: { 'no reason given': 1 } },
      { account: SHARED, region: 'us-east-1', resourceType: 'ECS', healthy: 1, unhealthy: 0, nodesNotCovered: 0, issues: {} },
    ]);
  });
});

describe('the report as people read it', () => {
  it('sums per account and plan, projects a month, and ranks accounts by cost', async () => {
    const report = await collectReport(config, fakeClients(world()), { alsoRegions: [REMOVED] });
    const summary = summarizeReport(report, new Map([[SHARED, 'shared-services']]));
    expect(summary.total).toBeCloseTo(58.5 + 2 + 15 + 7 + 10, 10);
    expect(summary.projectedMonthly).toBeCloseTo((92.5 / 30) * (365 / 12), 10);
    expect(projectMonthly(30)).toBeCloseTo(30.416666, 5);
    expect(summary.plans).toEqual(['foundational', 's3', 'rdsLogin', 'lambdaNetwork', 'runtimeMonitoring']);
    expect(summary.accounts.map((row) => [row.account, row.name, row.total])).toEqual([
      [ADMIN, undefined, 58.5],
      [SHARED, 'shared-services', 25],
      [STRANGER, undefined, 7],
      [SANDBOX, undefined, 2],
    ]);
    expect(summary.coverage.map((row) => [row.account, row.percent])).toEqual([
      [SANDBOX, 75],
      [SHARED, 75],
    ]);
    expect(summary.stillOnTotal).toBe(17.75);
  });

  it('draws every plan of the most expensive accounts in an SVG, with text escaped', async () => {
    const report = await collectReport(config, fakeClients(world()), { alsoRegions: [REMOVED] });
    const svg = costChartSvg(summarizeReport(report, new Map([[SHARED, 'R&D <shared>']])));
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('R&amp;D &lt;shared&gt; (444444444444)');
    expect(svg).not.toContain('R&D <shared>');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(3 + 4 + 1 + 2);
    for (const plan of ['foundational', 's3', 'rdsLogin', 'lambdaNetwork', 'runtimeMonitoring']) expect(svg).toContain(`>${plan}: $`);
    // The axis ticks at round amounts: the largest bar is $58.50, so $0 to $60 in steps of $20.
    expect(niceStep(58.5 / 5)).toBe(20);
    expect([niceStep(96.5), niceStep(0.3), niceStep(2500)]).toEqual([100, 0.5, 2500]);
    expect(svg.match(/text-anchor="middle" fill="#444444">([^<]*)</g)?.map((text) => text.slice(text.indexOf('>') + 1, -1))).toEqual(['$0', '$20', '$40', '$60']);
    // Balanced: every element opened is closed.
    expect(svg.match(/<(rect|text|line|title)\b/g)?.length).toBe(svg.match(/<\/(rect|text|title)>|\/>/g)?.length);
  });
});

describe('npm run report', () => {
  async function run(argv: string[], change: (w: FakeAdministrator) => void = () => undefined) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const w = world();
    change(w);
    const code = await runReport(argv, {
      env: { ORG_CONFIG: file, CI: 'true' },
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { isTTY: false, write: (text: string) => stderr.push(text) },
      identity: async () => 'arn:aws:sts::999999999999:assumed-role/pipeline/run-1',
      clients: () => fakeClients(w),
      retry: { sleep: async () => undefined },
    });
    return { code, stdout: stdout.join(''), stderr: stderr.join('') };
  }

  it('prints the table, says which configuration and credentials it used, and exits 0', async () => {
    const { code, stdout, stderr } = await run(['--regions', REMOVED]);
    expect(code).toBe(0);
    expect(stderr).toContain(`configuration: ${file} (from ORG_CONFIG)\n`);
    expect(stderr).toContain('report: reading as arn:aws:sts::999999999999:assumed-role/pipeline/run-1\n');
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('GuardDuty cost and coverage of acme: the last 30 days (GetUsageStatistics), 4 regions read');
    expect(lines[1]).toBe('Total $92.50; projected $93.78 a month');
    expect(lines.slice(5, 10)).toEqual([
      '  account       name                     foundational      s3  rdsLogin  lambdaNetwork  runtimeMonitoring   total  a month',
      '  222222222222  GuardDuty administrator        $30.00  $20.50     $0.00          $0.00              $8.00  $58.50   $59.31',
      '  444444444444  shared-services                $12.00   $1.00     $2.00          $0.00             $10.00  $25.00   $25.35',
      '  888888888888                                  $7.00   $0.00     $0.00          $0.00              $0.00   $7.00    $7.10',
      '  333333333333  sandbox                         $1.25   $0.00     $0.00          $0.75              $0.00   $2.00    $2.03',
    ]);
    expect(stdout).toContain('Still on and billing outside the configuration: $17.75 in the last 30 days');
    expect(stdout).toContain('  444444444444  ap-south-1  s3             $1.00  region not in the configuration');
  });

  it('prints one JSON document with --json, and writes the Markdown page with its chart', async () => {
    const page = path.join(dir, 'cost.md');
    const { code, stdout } = await run(['--json', '--markdown', page, '--regions', REMOVED]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json.summary.total).toBeCloseTo(92.5, 10);
    expect(json.stillOn).toHaveLength(4);
    const markdown = readFileSync(page, 'utf8');
    expect(markdown).toContain('![Cost by plan of the 4 most expensive accounts, last 30 days](cost.svg)');
    expect(markdown).toContain('| 444444444444 | shared-services | $12.00 | $1.00 | $2.00 | $0.00 | $10.00 | $25.00 | $25.35 |');
    expect(readFileSync(path.join(dir, 'cost.svg'), 'utf8')).toContain('<svg');
  });

  it('exits 2 when something could not be read, and refuses bad options', async () => {
    expect((await run(['--regions', REMOVED], (w) => w.detectors.delete('eu-west-1'))).code).toBe(2);
    const bad = await run(['--regions', 'mars']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('option --regions needs region names separated by commas; got "mars"');
    expect((await run(['--markdown', 'page.html'])).stderr).toContain('option --markdown needs a file name ending in .md');
  });
});

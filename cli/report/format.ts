import { BILLED_PLANS, DAYS_PER_MONTH, USAGE_DAYS } from '../../lib/guardduty/usage';
import type { CostReport, CoverageRow } from './collect';

/**
 * The report as a budget owner reads it: per account and plan, the last 30 days and a month's
 * projection; runtime coverage per account; what still bills outside the configuration. Text for the
 * terminal, JSON for machines, a Markdown page with an SVG chart for people. Pure.
 */

export interface AccountCost {
  readonly account: string;
  readonly name?: string;
  readonly byPlan: Readonly<Record<string, number>>;
  readonly total: number;
  readonly projectedMonthly: number;
}

export interface AccountCoverage {
  readonly account: string;
  readonly healthy: number;
  readonly unhealthy: number;
  readonly nodesNotCovered: number;
  /** Healthy share of the resources GuardDuty assesses, in percent; undefined without any. */
  readonly percent?: number;
}

export interface ReportSummary {
  readonly total: number;
  readonly projectedMonthly: number;
  readonly byPlan: Readonly<Record<string, number>>;
  readonly plans: readonly string[];
  readonly accounts: readonly AccountCost[];
  readonly coverage: readonly AccountCoverage[];
  readonly stillOnTotal: number;
}

/** A month's cost from the last 30 days'. */
export function projectMonthly(last30Days: number): number {
  return (last30Days / USAGE_DAYS) * DAYS_PER_MONTH;
}

export function summarizeReport(report: CostReport, names: ReadonlyMap<string, string> = new Map()): ReportSummary {
  const accounts = new Map<string, Record<string, number>>();
  const byPlan: Record<string, number> = {};
  for (const row of report.costs) {
    const plans = accounts.get(row.account) ?? {};
    for (const [plan, cost] of Object.entries(row.byPlan)) {
      plans[plan] = (plans[plan] ?? 0) + cost;
      byPlan[plan] = (byPlan[plan] ?? 0) + cost;
    }
    accounts.set(row.account, plans);
  }
  const total = sum(Object.values(byPlan));
  const plans = [...BILLED_PLANS.filter((plan) => plan in byPlan), ...Object.keys(byPlan).filter((plan) => !(BILLED_PLANS as readonly string[]).includes(plan)).sort()];
  const costs = [...accounts.entries()]
    .map(([account, plansOf]) => {
      const accountTotal = sum(Object.values(plansOf));
      return { account, ...(names.has(account) ? { name: names.get(account) } : {}), byPlan: plansOf, total: accountTotal, projectedMonthly: projectMonthly(accountTotal) };
    })
    .sort((a, b) => b.total - a.total || a.account.localeCompare(b.account));
  return {
    total,
    projectedMonthly: projectMonthly(total),
    byPlan,
    plans,
    accounts: costs,
    coverage: coverageByAccount(report.coverage),
    stillOnTotal: sum(report.stillOn.map((entry) => entry.cost)),
  };
}

export function coverageByAccount(rows: readonly CoverageRow[]): AccountCoverage[] {
  const byAccount = new Map<string, { healthy: number; unhealthy: number; nodesNotCovered: number }>();
  for (const row of rows) {
    const entry = byAccount.get(row.account) ?? { healthy: 0, unhealthy: 0, nodesNotCovered: 0 };
    entry.healthy += row.healthy;
    entry.unhealthy += row.unhealthy;
    entry.nodesNotCovered += row.nodesNotCovered;
    byAccount.set(row.account, entry);
  }
  return [...byAccount.entries()]
    .map(([account, entry]) => {
      const assessed = entry.healthy + entry.unhealthy;
      return { account, ...entry, ...(assessed > 0 ? { percent: (100 * entry.healthy) / assessed } : {}) };
    })
    .sort((a, b) => (a.percent ?? 101) - (b.percent ?? 101) || a.account.localeCompare(b.account));
}

const usd = (amount: number) => `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
const percentText = (percent: number | undefined) => (percent === undefined ? '-' : `${percent.toFixed(1)}%`);

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: (column: number) => boolean): string[] {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (rightAligned(column) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The terminal report. */
export function formatText(report: CostReport, summary: ReportSummary): string {
  const lines = [
    `GuardDuty cost and coverage of ${report.name}: the last ${report.days} days (GetUsageStatistics), ${report.regions.length} regions read`,
    `Total ${usd(summary.total)}; projected ${usd(summary.projectedMonthly)} a month`,
    `By plan: ${summary.plans.map((plan) => `${plan} ${usd(summary.byPlan[plan])}`).join(', ') || 'no usage'}`,
    '',
    'Cost by account (USD, last 30 days)',
    ...table(
      ['account', 'name', ...summary.plans, 'total', 'a month'],
      summary.accounts.map((row) => [row.account, row.name ?? '', ...summary.plans.map((plan) => usd(row.byPlan[plan] ?? 0)), usd(row.total), usd(row.projectedMonthly)]),
      (column) => column >= 2,
    ).map((line) => `  ${line}`),
  ];
  lines.push('', 'Runtime coverage (ListCoverage: EKS clusters, ECS clusters, EC2 instances)');
  if (summary.coverage.length === 0) lines.push('  no resource runs or needs the runtime agent');
  else
    lines.push(
      ...table(
        ['account', 'healthy', 'unhealthy', 'EKS nodes not covered', 'coverage'],
        summary.coverage.map((row) => [row.account, String(row.healthy), String(row.unhealthy), String(row.nodesNotCovered), percentText(row.percent)]),
        (column) => column >= 1,
      ).map((line) => `  ${line}`),
    );
  if (report.stillOn.length > 0) {
    lines.push('', `Still on and billing outside the configuration: ${usd(summary.stillOnTotal)} in the last 30 days (set the plan false, or disable GuardDuty there: docs/report.md)`);
    lines.push(
      ...table(
        ['account', 'region', 'plan', 'cost', 'why'],
        report.stillOn.map((entry) => [entry.account, entry.region, entry.plan, usd(entry.cost), entry.why]),
        (column) => column === 3,
      ).map((line) => `  ${line}`),
    );
  }
  if (report.unreadable.length > 0) {
    lines.push('', 'Could not be read (the totals leave these out):', ...report.unreadable.map((entry) => `  - ${entry.account} ${entry.region} ${entry.what}: ${entry.error}`));
  }
  return lines.join('\n');
}

/** Markdown text of configuration-given names: no character Markdown would read. */
function markdownText(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, (character) => `\\${character}`);
}

/** The Markdown page; `chart` is the file name of the SVG beside it. */
export function formatMarkdown(report: CostReport, summary: ReportSummary, chart: string): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const lines = [
    `# GuardDuty cost and coverage: ${markdownText(report.name)}`,
    '',
    `The last ${report.days} days of usage, as GuardDuty reports it to its administrator (GetUsageStatistics), in ${report.regions.length} regions. ` +
      `**Total ${usd(summary.total)}**, projected **${usd(summary.projectedMonthly)} a month** (the last 30 days over an average month of ${DAYS_PER_MONTH.toFixed(2)} days).`,
    '',
    `![Cost by plan of the ${Math.min(15, summary.accounts.length)} most expensive accounts, last 30 days](${chart})`,
    '',
    '## By plan',
    '',
    row(['plan', 'last 30 days', 'a month', 'share']),
    row(['---', '---:', '---:', '---:']),
    ...summary.plans.map((plan) => row([plan, usd(summary.byPlan[plan]), usd(projectMonthly(summary.byPlan[plan])), `${((100 * summary.byPlan[plan]) / (summary.total || 1)).toFixed(1)}%`])),
    '',
    '## By account',
    '',
    row(['account', 'name', ...summary.plans, 'total', 'a month']),
    row(['---', '---', ...summary.plans.map(() => '---:'), '---:', '---:']),
    ...summary.accounts.map((entry) => row([entry.account, markdownText(entry.name ?? ''), ...summary.plans.map((plan) => usd(entry.byPlan[plan] ?? 0)), usd(entry.total), usd(entry.projectedMonthly)])),
    '',
    '## Runtime coverage',
    '',
  ];
  if (summary.coverage.length === 0) lines.push('No resource runs or needs the runtime agent.');
  else
    lines.push(
      row(['account', 'healthy', 'unhealthy', 'EKS nodes not covered', 'coverage']),
      row(['---', '---:', '---:', '---:', '---:']),
      ...summary.coverage.map((entry) => row([entry.account, String(entry.healthy), String(entry.unhealthy), String(entry.nodesNotCovered), percentText(entry.percent)])),
    );
  if (report.stillOn.length > 0) {
    lines.push(
      '',
      '## Still on outside the configuration',
      '',
      `These bill although the configuration no longer has them on: ${usd(summary.stillOnTotal)} in the last 30 days.`,
      '',
      row(['account', 'region', 'plan', 'cost', 'why']),
      row(['---', '---', '---', '---:', '---']),
      ...report.stillOn.map((entry) => row([entry.account, entry.region, entry.plan, usd(entry.cost), entry.why])),
    );
  }
  if (report.unreadable.length > 0) lines.push('', '## Not read', '', ...report.unreadable.map((entry) => `- ${entry.account} ${entry.region} ${entry.what}: ${markdownText(entry.error)}`));
  return `${lines.join('\n')}\n`;
}

/** One color per plan, distinguishable in print and for common color blindness (Okabe-Ito). */
const COLORS = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#000000', '#999999'];

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (character) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[character] as string);
}

/** A round step for an axis: 1, 2, 2.5 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 2.5, 5, 10].map((factor) => factor * power).find((step) => step >= raw) as number;
}

/** A horizontal stacked bar chart: the most expensive accounts, each bar split by plan, with a legend and a dollar axis. */
export function costChartSvg(summary: ReportSummary, top = 15): string {
  const accounts = summary.accounts.slice(0, top);
  const width = 900;
  const left = 250;
  const right = 110;
  const barHeight = 22;
  const gap = 8;
  const top0 = 70;
  const legendRows = Math.ceil(summary.plans.length / 4);
  const height = top0 + accounts.length * (barHeight + gap) + 40 + legendRows * 22 + 10;
  const step = niceStep(Math.max(...accounts.map((account) => account.total), 0.01) / 5);
  const max = step * Math.ceil(Math.max(...accounts.map((account) => account.total), 0.01) / step);
  const scale = (width - left - right) / max;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="28" font-size="18" font-weight="bold">GuardDuty cost by account and plan, last 30 days (USD)</text>`,
    `<text x="20" y="50" fill="#444444">Total ${xml(usd(summary.total))}; projected ${xml(usd(summary.projectedMonthly))} a month. The ${accounts.length} most expensive of ${summary.accounts.length} accounts.</text>`,
  ];
  // Axis: ticks at round amounts.
  const axisY = top0 + accounts.length * (barHeight + gap);
  for (let tick = 0; tick * step <= max + step / 1000; tick++) {
    const value = tick * step;
    const x = left + value * scale;
    parts.push(`<line x1="${x.toFixed(1)}" y1="${top0 - 4}" x2="${x.toFixed(1)}" y2="${axisY}" stroke="#dddddd"/>`);
    const tickText = step >= 1 ? `$${value.toLocaleString('en-US', { maximumFractionDigits: 0 })}` : usd(value);
    parts.push(`<text x="${x.toFixed(1)}" y="${axisY + 16}" text-anchor="middle" fill="#444444">${xml(tickText)}</text>`);
  }
  accounts.forEach((account, index) => {
    const y = top0 + index * (barHeight + gap);
    const label = account.name ? `${account.name} (${account.account})` : account.account;
    parts.push(`<text x="${left - 8}" y="${y + barHeight / 2 + 4}" text-anchor="end">${xml(label.length > 34 ? `${label.slice(0, 33)}…` : label)}</text>`);
    let x = left;
    summary.plans.forEach((plan, planIndex) => {
      const cost = account.byPlan[plan] ?? 0;
      if (cost <= 0) return;
      const w = cost * scale;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(w, 0.5).toFixed(1)}" height="${barHeight}" fill="${COLORS[planIndex % COLORS.length]}"><title>${xml(`${label}: ${plan} ${usd(cost)}`)}</title></rect>`);
      x += w;
    });
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + barHeight / 2 + 4}" fill="#222222">${xml(usd(account.total))}</text>`);
  });
  const legendY = axisY + 40;
  summary.plans.forEach((plan, planIndex) => {
    const x = 20 + (planIndex % 4) * 215;
    const y = legendY + Math.floor(planIndex / 4) * 22;
    parts.push(`<rect x="${x}" y="${y - 11}" width="14" height="14" fill="${COLORS[planIndex % COLORS.length]}"/>`);
    parts.push(`<text x="${x + 20}" y="${y}">${xml(`${plan}: ${usd(summary.byPlan[plan])}`)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

import { classify, errorText } from '../common/aws-errors';

/**
 * What verify found: one row per thing compared (a detector's feature, a member in a region, a
 * rule), grouped into checks, each row OK, FAIL or UNREADABLE. Pure: rows in, text or JSON out.
 */

export const CHECKS = {
  'delegated-administrator': 'GuardDuty delegated administrator',
  'organization-configuration': 'GuardDuty organization configuration',
  detector: 'GuardDuty detectors of the admin account',
  member: 'GuardDuty members',
  'member-features': "GuardDuty members' protection plans",
  'ip-list': 'Threat lists and trusted IP list',
  filter: 'Suppression filters',
  'publishing-destination': 'Findings export (publishing destinations)',
  'event-rule': 'EventBridge rules',
  function: 'Lambda functions',
  'security-hub': 'Security Hub',
  'security-hub-member': 'Security Hub members',
  detective: 'Detective',
  'detective-member': 'Detective members',
  'runtime-coverage': 'Runtime coverage (a warning: below runtimeCoverage.warnBelowPercent, the exit code is unchanged)',
} as const;

export type CheckName = keyof typeof CHECKS;
/** WARN: worth a look, not a difference from the configuration (runtime coverage); it does not change the exit code. */
export type Result = 'OK' | 'WARN' | 'FAIL' | 'UNREADABLE';

export interface VerifyRow {
  readonly check: CheckName;
  /** The stack that deploys what the row compares. */
  readonly stack: string;
  readonly account: string;
  /** `global` for Organizations. */
  readonly region: string;
  /** What in particular: a feature, a member account, a list or rule name. */
  readonly subject: string;
  readonly expected: string;
  readonly found: string;
  readonly result: Result;
  /** The AWS error of an UNREADABLE row. */
  readonly error?: string;
}

/** Where a row belongs: its check, stack, account and region. */
export type RowBase = Pick<VerifyRow, 'check' | 'stack' | 'account' | 'region'>;

/** A comparison: OK when found is expected (or when `ok` says so, for values with more than one good answer). */
export function compared(base: RowBase, subject: string, expected: string, found: string, ok = expected === found): VerifyRow {
  return { ...base, subject, expected, found, result: ok ? 'OK' : 'FAIL' };
}

/** A read that failed: never a silent "none". */
export function unreadable(base: RowBase, subject: string, expected: string, error: unknown): VerifyRow {
  const reason = { 'access-denied': 'access denied', 'region-not-enabled': 'region not enabled for the account', error: 'error', ok: 'error' }[classify(error)];
  return { ...base, subject, expected, found: `could not read: ${reason}`, result: 'UNREADABLE', error: errorText(error) };
}

export interface Summary {
  readonly checks: number;
  readonly ok: number;
  readonly fail: number;
  readonly unreadable: number;
}

export function summarize(rows: readonly VerifyRow[]): Summary {
  const count = (result: Result) => rows.filter((row) => row.result === result).length;
  return { checks: rows.length, ok: count('OK'), fail: count('FAIL'), unreadable: count('UNREADABLE') };
}

/** 0 everything conforms, 1 a difference, 2 something could not be read (the verdict is incomplete). */
export function exitCode(summary: Summary): 0 | 1 | 2 {
  if (summary.unreadable > 0) return 2;
  return summary.fail > 0 ? 1 : 0;
}

export interface VerifyReport {
  readonly name: string;
  readonly mode: string;
  /** The stacks verified, in deploy order. */
  readonly stacks: readonly string[];
  /** Selected stacks with nothing of their own to compare (the simulation, say). */
  readonly stacksWithoutChecks: readonly string[];
  /** Resources of the stacks whose name or place is known only at apply time, so they were not read. */
  readonly unverifiable: readonly string[];
  readonly step?: number;
  readonly summary: Summary;
  readonly rows: readonly VerifyRow[];
}

export function summaryLine(summary: Summary): string {
  const verdict = summary.unreadable > 0 ? 'INCOMPLETE' : summary.fail > 0 ? 'DIFFERENT' : 'CONFORMS';
  return `${verdict}: ${summary.checks} checks, ${summary.ok} OK, ${summary.fail} FAIL, ${summary.unreadable} could not be read`;
}

export interface FormatOptions {
  /** Show OK rows too. @default only rows that are not OK */
  readonly all?: boolean;
}

/** A table per check, then the summary line. */
export function formatReport(report: VerifyReport, options: FormatOptions = {}): string {
  const scope = report.step === undefined ? `${report.stacks.length} stacks` : `step ${report.step}: ${report.stacks.join(', ')}`;
  const lines = [`verify ${report.name} (${report.mode} mode), ${scope}`];
  for (const check of Object.keys(CHECKS) as CheckName[]) {
    const rows = report.rows.filter((row) => row.check === check);
    if (rows.length === 0) continue;
    const summary = summarize(rows);
    const shown = options.all ? rows : rows.filter((row) => row.result !== 'OK');
    const hidden = rows.length - shown.length;
    lines.push('', `${CHECKS[check]}: ${summary.checks} checked, ${summary.ok} OK, ${summary.fail} FAIL, ${summary.unreadable} could not be read${hidden > 0 && shown.length > 0 ? ` (OK rows hidden; --all shows them)` : ''}`);
    if (shown.length > 0) lines.push(...table(shown));
  }
  if (report.stacksWithoutChecks.length > 0) lines.push('', `Nothing to compare in: ${report.stacksWithoutChecks.join(', ')}`);
  if (report.unverifiable.length > 0) lines.push('', 'Not verifiable (name or place known only at apply time):', ...report.unverifiable.map((item) => `  - ${item}`));
  const errors = [...new Set(report.rows.filter((row) => row.error).map((row) => row.error as string))];
  if (errors.length > 0) lines.push('', 'Errors:', ...errors.map((error) => `  - ${error}`));
  lines.push('', summaryLine(report.summary));
  return lines.join('\n');
}

const COLUMNS = ['account', 'region', 'subject', 'expected', 'found', 'result'] as const;

function table(rows: readonly VerifyRow[]): string[] {
  const widths = COLUMNS.map((column) => Math.max(column.length, ...rows.map((row) => row[column].length)));
  const line = (cells: readonly string[]) => `  ${cells.map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]))).join('  ')}`;
  return [line(COLUMNS), ...rows.map((row) => line(COLUMNS.map((column) => row[column])))];
}

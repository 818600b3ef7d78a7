import { z } from 'zod';
import type { Problem } from '../problems';
import { closestName } from '../aws/regions';
import { FILTER_FIELDS, TIMESTAMP_FIELDS } from './filter-fields';
import { conditionEffect, fieldFacts, OPERATORS, takesBounds, type Comparison, type Operator } from './filter-narrowing';

/**
 * GuardDuty suppression-filter criteria as the configuration writes them, in GuardDuty's own shape
 * (`{ "<finding field>": { "<operator>": value } }`), and their translation into the Terraform
 * provider's `finding_criteria.criterion` blocks.
 */

/** Criteria attributes per filter, and values per equals/not-equals condition (GuardDuty console limits). */
export const MAX_CRITERIA_PER_FILTER = 50;
export const MAX_VALUES_PER_CONDITION = 50;
/** Saved filters per account per region (GuardDuty quotas). */
export const MAX_FILTERS_PER_REGION = 100;

/**
 * The provider's criterion block field each operator fills. GuardDuty accepts the short names
 * (deprecated, used by the lab and CloudFormation) and the long ones; both are accepted here.
 */
const LIST_OPERATORS = pick(['eq', 'equals', 'neq', 'notEquals'] as const);
const BOUND_OPERATORS = pick(['gt', 'greaterThan', 'gte', 'greaterThanOrEqual', 'lt', 'lessThan', 'lte', 'lessThanOrEqual'] as const);
type ListOperator = keyof typeof LIST_OPERATORS;
type BoundOperator = keyof typeof BOUND_OPERATORS;

function pick<const K extends readonly Operator[]>(operators: K): { readonly [O in K[number]]: (typeof OPERATORS)[O] } {
  return Object.fromEntries(operators.map((operator) => [operator, OPERATORS[operator]])) as { readonly [O in K[number]]: (typeof OPERATORS)[O] };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const FIELD_SET = new Set(FILTER_FIELDS);
const TIMESTAMP_SET = new Set(TIMESTAMP_FIELDS);

const values = z
  .array(z.union([z.string(), z.number()]), { error: 'must be a list of values, like ["123456789012"]' })
  .min(1, { error: 'must list at least one value' })
  .max(MAX_VALUES_PER_CONDITION, { error: `GuardDuty takes at most ${MAX_VALUES_PER_CONDITION} values a condition` });

const bound = z.union([z.number(), z.string()], { error: 'must be a whole number, or an RFC 3339 timestamp for a time field' });

const conditionShape = {
  ...(Object.fromEntries(Object.keys(LIST_OPERATORS).map((operator) => [operator, values.optional()])) as Record<ListOperator, z.ZodOptional<typeof values>>),
  ...(Object.fromEntries(Object.keys(BOUND_OPERATORS).map((operator) => [operator, bound.optional()])) as Record<BoundOperator, z.ZodOptional<typeof bound>>),
};

const condition = z
  .strictObject(conditionShape, {
    error: (issue) =>
      issue.code === 'invalid_type'
        ? `must be an object of operator to value, like { "eq": [...] } or { "lt": 4 }; operators: ${Object.keys(conditionShape).join(', ')}`
        : undefined,
  })
  // Only for an empty object: an unknown operator is already reported, and stripped before this runs.
  .refine((operators) => Object.keys(operators).length > 0, {
    error: 'must have at least one operator, like "eq" or "lt"',
    when: (payload) => payload.issues.length === 0,
  });

export type Condition = z.output<typeof condition>;
export type Criteria = Record<string, Condition>;

/** Filter criteria: known finding fields, known operators, values of the right kind. */
export const criteriaSchema = z
  .record(z.string(), condition, { error: 'must be an object of finding field to condition, like { "severity": { "lt": 4 } }' })
  .superRefine((criteria, ctx) => {
    const fields = Object.keys(criteria);
    if (fields.length === 0) ctx.addIssue({ code: 'custom', message: 'must name at least one finding field' });
    if (fields.length > MAX_CRITERIA_PER_FILTER) {
      ctx.addIssue({ code: 'custom', message: `${fields.length} fields; GuardDuty takes at most ${MAX_CRITERIA_PER_FILTER} a filter` });
    }
    for (const [field, conditions] of Object.entries(criteria)) {
      if (!FIELD_SET.has(field)) {
        const suggestion = closestName(field, FILTER_FIELDS);
        ctx.addIssue({
          code: 'custom',
          path: [field],
          message: suggestion
            ? `unknown finding field; did you mean "${suggestion}"?`
            : 'unknown finding field; see "FindingCriteria" in the GuardDuty API reference for the fields a filter can use',
        });
        continue;
      }
      const used = Object.keys(conditions) as (ListOperator | BoundOperator)[];
      const seen = new Map<string, string>();
      for (const operator of used) {
        const target = operatorTarget(operator);
        const earlier = seen.get(target);
        if (earlier) ctx.addIssue({ code: 'custom', path: [field, operator], message: `is the same condition as "${earlier}"; keep one` });
        seen.set(target, operator);
        if (operator in BOUND_OPERATORS) {
          const problem = boundProblem(field, operator, conditions[operator as BoundOperator]!);
          if (problem) ctx.addIssue({ code: 'custom', path: [field, operator], message: problem });
        }
      }
    }
  });

function operatorTarget(operator: ListOperator | BoundOperator): Comparison {
  return OPERATORS[operator];
}

function boundProblem(field: string, operator: string, value: number | string): string | undefined {
  const kind = fieldFacts(field).kind;
  if (!takesBounds(kind)) {
    const holds = kind === 'boolean' || kind === 'archived' ? 'true or false' : 'text';
    return `compares numbers and times only, and ${field} holds ${holds}; use "eq" or "neq" with the values, or remove "${operator}"`;
  }
  const timestamp = TIMESTAMP_SET.has(field);
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) ? undefined : `must be a whole number (GuardDuty compares integers); got ${value}`;
  }
  if (!timestamp) return `must be a number; got ${JSON.stringify(value)}`;
  if (!RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
    return `must be an RFC 3339 timestamp like "2026-01-31T00:00:00Z", or epoch milliseconds; got ${JSON.stringify(value)}`;
  }
  return undefined;
}

/** One `finding_criteria.criterion` block of the provider's `aws_guardduty_filter`. */
export interface CriterionBlock {
  readonly field: string;
  readonly equalTo?: string[];
  readonly notEquals?: string[];
  readonly greaterThan?: string;
  readonly greaterThanOrEqual?: string;
  readonly lessThan?: string;
  readonly lessThanOrEqual?: string;
}

/** Validated criteria as the provider's criterion blocks, one per field, in the order written. */
export function criterionBlocks(criteria: Criteria): CriterionBlock[] {
  return Object.entries(criteria).map(([field, conditions]) => {
    const block: { -readonly [K in keyof CriterionBlock]: CriterionBlock[K] } = { field };
    for (const [operator, value] of Object.entries(conditions)) {
      if (Array.isArray(value)) block[LIST_OPERATORS[operator as ListOperator]] = value.map(String);
      else if (value !== undefined) block[BOUND_OPERATORS[operator as BoundOperator]] = boundValue(field, value);
    }
    return block;
  });
}

/**
 * The provider parses `updatedAt` bounds as RFC 3339 and every other bound as an integer, so time
 * fields are converted to whichever of the two the provider reads.
 */
function boundValue(field: string, value: number | string): string {
  if (field === 'updatedAt') return typeof value === 'number' ? new Date(value).toISOString() : value;
  return typeof value === 'number' ? String(value) : String(Date.parse(value));
}

/** GuardDuty severities run from 1.0 to 10.0; 7.0 and above is high (7.0-8.9) or critical (9.0-10.0). */
const SEVERITY_RANGE = { lowest: 1, highest: 10, high: 7 } as const;

/** What an `ARCHIVE` filter archives when it archives too much, and how to acknowledge it. */
export interface ArchiveBreadth {
  readonly acknowledgement: 'archive-all-findings' | 'archive-high-severity' | 'archive-whole-account';
  /** Completes "archives ...", like `every finding of account 333333333333`. */
  readonly archives: string;
  /**
   * The conditions on what happened that narrow nothing, each with why (`confidence gte 0: no
   * confidence is below 0`); empty when the criteria name only accounts, regions and severities.
   */
  readonly unnarrowed: readonly string[];
}

/**
 * Whether criteria archive every finding, every finding of whole accounts, or findings of severity
 * 7 and above without saying which activity: none of them is then sent to EventBridge, e-mail,
 * remediation, Security Hub or the export. One condition that narrows (lib/guardduty/filter-narrowing.ts:
 * a finding type, a resource, an activity) lets the filter pass; so do filters that archive only low
 * and medium severities. `now` (epoch milliseconds) decides whether a time bound is past.
 */
export function archiveBreadth(criteria: Criteria, now: number = Date.now()): ArchiveBreadth | undefined {
  let accounts: string[] | undefined;
  let detectors: string[] | undefined;
  let regions: string[] | undefined;
  const unnarrowed: string[] = [];
  const severity: { min: number; minOpen: boolean; max: number; maxOpen: boolean; values?: number[] } = {
    min: -Infinity,
    minOpen: false,
    max: Infinity,
    maxOpen: false,
  };
  for (const [field, conditions] of Object.entries(criteria)) {
    for (const [operator, value] of Object.entries(conditions)) {
      if (value === undefined) continue;
      const effect = conditionEffect(field, operator as Operator, value, now);
      if ('narrows' in effect) {
        if (effect.narrows) return undefined;
        unnarrowed.push(`${field} ${operator} ${JSON.stringify(value)}: ${effect.reason}`);
        continue;
      }
      const target = operatorTarget(operator as ListOperator | BoundOperator);
      const listed = () => (value as (string | number)[]).map(String);
      if (effect.scope === 'severity') {
        const bound = typeof value === 'number' ? value : Number(value);
        if (target === 'equalTo') severity.values = (value as (string | number)[]).map(Number);
        else if (target === 'greaterThan' || target === 'greaterThanOrEqual') Object.assign(severity, { min: bound, minOpen: target === 'greaterThan' });
        else Object.assign(severity, { max: bound, maxOpen: target === 'lessThan' });
      } else if (effect.scope === 'account') {
        accounts = listed();
      } else if (effect.scope === 'detector') {
        detectors = listed();
      } else {
        regions = listed();
      }
    }
  }
  const admits = (level: number) =>
    (severity.minOpen ? level > severity.min : level >= severity.min) &&
    (severity.maxOpen ? level < severity.max : level <= severity.max) &&
    (severity.values === undefined || severity.values.includes(level));
  // Severities have one decimal: the highest a bound admits is 0.1 below an open one.
  const highest = severity.values
    ? Math.max(...severity.values.filter(admits))
    : Math.min(SEVERITY_RANGE.highest, severity.maxOpen ? severity.max - 0.1 : severity.max);
  const lowest = Math.max(SEVERITY_RANGE.lowest, severity.minOpen ? severity.min + 0.1 : severity.min);
  if (highest < SEVERITY_RANGE.high || highest < lowest) return undefined;

  const everySeverity = severity.values === undefined && admits(SEVERITY_RANGE.lowest) && admits(SEVERITY_RANGE.highest);
  const plural = (what: string, items: readonly string[]) => ` of ${what}${items.length === 1 ? '' : 's'} ${items.join(', ')}`;
  const where = [
    accounts ? plural('account', accounts) : '',
    detectors ? plural('detector', detectors) : '',
    regions ? ` in ${regions.join(', ')}` : '',
  ].join('');
  if (!everySeverity) return { acknowledgement: 'archive-high-severity', archives: `every finding with ${severityText(severity)}${where}`, unnarrowed };
  if (accounts || detectors) return { acknowledgement: 'archive-whole-account', archives: `every finding${where}`, unnarrowed };
  return { acknowledgement: 'archive-all-findings', archives: `every finding${where}`, unnarrowed };
}

function severityText(severity: { min: number; minOpen: boolean; max: number; maxOpen: boolean; values?: number[] }): string {
  if (severity.values) return `severity ${severity.values.join(' or ')}`;
  const parts: string[] = [];
  if (severity.min !== -Infinity) parts.push(`${severity.minOpen ? '>' : '>='} ${severity.min}`);
  if (severity.max !== Infinity) parts.push(`${severity.maxOpen ? '<' : '<='} ${severity.max}`);
  return `severity ${parts.join(' and ')}`;
}

/** Each filter's rank: as configured, or else its position in the list. */
export function filterRanks(filters: readonly { readonly rank?: number }[]): number[] {
  return filters.map((filter, index) => filter.rank ?? index + 1);
}

/** The fields of a filter that `filterProblems` checks. */
export interface CheckedFilter {
  readonly name: string;
  readonly rank?: number;
  readonly action?: string;
  readonly criteria?: Criteria;
  readonly acknowledge?: readonly string[];
}

/**
 * Checks across filters. GuardDuty names filters uniquely per detector and rejects ranks that are
 * not 1..N without gaps ("rank is out-of-bounds"). An `ARCHIVE` filter that archives every finding,
 * every finding of an account or every high-severity finding is refused unless acknowledged;
 * `now` (epoch milliseconds) decides whether a time bound is past.
 */
export function filterProblems(filters: readonly CheckedFilter[], file: string, now: number = Date.now()): Problem[] {
  const problems: Problem[] = [];
  filters.forEach((filter, index) => {
    const breadth = filter.action === 'ARCHIVE' && filter.criteria ? archiveBreadth(filter.criteria, now) : undefined;
    if (!breadth || filter.acknowledge?.includes(breadth.acknowledgement)) return;
    const why =
      breadth.unnarrowed.length === 0
        ? 'no condition on the finding type, resource or activity'
        : `no condition narrows it to a finding type, resource or activity: ${breadth.unnarrowed.join('; ')}`;
    problems.push({
      file,
      path: `filters[${index}].criteria`,
      message:
        `archives ${breadth.archives}, whatever happened (${why}): ` +
        'GuardDuty archives those findings as they are created, so no e-mail, remediation, Security Hub or export ever sees them; ' +
        `narrow the criteria, or if this is on purpose add "acknowledge": ["${breadth.acknowledgement}"] to filters[${index}]`,
    });
  });
  if (filters.length > MAX_FILTERS_PER_REGION) {
    problems.push({ file, path: 'filters', message: `${filters.length} filters; GuardDuty takes at most ${MAX_FILTERS_PER_REGION} per account and region` });
  }
  const names = new Set<string>();
  const rankedAt = new Map<number, number>();
  const ranks = filterRanks(filters);
  filters.forEach((filter, index) => {
    if (names.has(filter.name)) problems.push({ file, path: `filters[${index}].name`, message: `${JSON.stringify(filter.name)} is used twice` });
    names.add(filter.name);
    const rank = ranks[index];
    const at = filter.rank === undefined ? `filters[${index}]` : `filters[${index}].rank`;
    const implicit = filter.rank === undefined ? ' (its position, as it has no rank)' : '';
    const earlier = rankedAt.get(rank);
    if (earlier !== undefined) {
      problems.push({ file, path: at, message: `rank ${rank}${implicit} is also the rank of filters[${earlier}]; GuardDuty wants each of 1..${filters.length} once` });
    } else if (rank > filters.length) {
      problems.push({ file, path: at, message: `rank ${rank} is past the number of filters (${filters.length}); GuardDuty wants ranks 1..${filters.length} without gaps` });
    }
    rankedAt.set(rank, rankedAt.get(rank) ?? index);
  });
  return problems;
}

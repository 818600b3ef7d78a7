import { z } from 'zod';
import type { Problem } from './config/problems';
import { closestName } from './config/regions';
import { FILTER_FIELDS, TIMESTAMP_FIELDS } from './filter-fields';

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
const LIST_OPERATORS = { eq: 'equalTo', equals: 'equalTo', neq: 'notEquals', notEquals: 'notEquals' } as const;
const BOUND_OPERATORS = {
  gt: 'greaterThan',
  greaterThan: 'greaterThan',
  gte: 'greaterThanOrEqual',
  greaterThanOrEqual: 'greaterThanOrEqual',
  lt: 'lessThan',
  lessThan: 'lessThan',
  lte: 'lessThanOrEqual',
  lessThanOrEqual: 'lessThanOrEqual',
} as const;
type ListOperator = keyof typeof LIST_OPERATORS;
type BoundOperator = keyof typeof BOUND_OPERATORS;

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
          const problem = boundProblem(field, conditions[operator as BoundOperator]!);
          if (problem) ctx.addIssue({ code: 'custom', path: [field, operator], message: problem });
        }
      }
    }
  });

function operatorTarget(operator: ListOperator | BoundOperator): string {
  return operator in LIST_OPERATORS ? LIST_OPERATORS[operator as ListOperator] : BOUND_OPERATORS[operator as BoundOperator];
}

function boundProblem(field: string, value: number | string): string | undefined {
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

/** Each filter's rank: as configured, or else its position in the list. */
export function filterRanks(filters: readonly { readonly rank?: number }[]): number[] {
  return filters.map((filter, index) => filter.rank ?? index + 1);
}

/**
 * Checks across filters. GuardDuty names filters uniquely per detector and rejects ranks that are
 * not 1..N without gaps ("rank is out-of-bounds").
 */
export function filterProblems(filters: readonly { readonly name: string; readonly rank?: number }[], file: string): Problem[] {
  const problems: Problem[] = [];
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

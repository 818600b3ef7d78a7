import * as guardduty from '@aws-sdk/client-guardduty';
import { criteriaSchema, filterProblems } from '../../../lib/guardduty/filters';
import { FILTER_FIELDS, TIMESTAMP_FIELDS } from '../../../lib/guardduty/filter-fields';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fieldFacts, fieldsByKind, NARROWING_TABLE, OPERATORS, type Comparison, type FieldKind, type Operator } from '../../../lib/guardduty/filter-narrowing';
import { REPO_ROOT } from '../../helpers/synth';
import { formatProblem } from '../../../lib/problems';

/**
 * The narrowing table over every field GuardDuty filters on and every operator the configuration
 * takes: for each, a criterion that narrows is accepted, and one that does not is refused with its
 * whole message (and accepted once acknowledged). The expectations are written here, by kind, not
 * read back from the table.
 */

const NOW = Date.parse('2026-12-01T00:00:00Z');
const PAST = '2020-01-01T00:00:00Z';
const FUTURE = '2099-01-01T00:00:00Z';
const EXCLUSION = 'an exclusion: every finding without the listed values is still archived, every new finding type included';

type Value = number | string | (number | string)[];
/** A criterion that narrows nothing: its value, what the filter then archives, the acknowledgement and why (when the condition is not on where or how severe). */
interface Unnarrowed {
  readonly value: Value;
  readonly archives: string;
  readonly acknowledgement: string;
  readonly reason?: string;
}
interface Examples {
  readonly narrows?: Value;
  readonly refused?: Unnarrowed;
  /** A bound on a field that holds text or true/false: not a condition GuardDuty can apply. */
  readonly invalid?: string;
}

const everything = (value: Value, reason: string): Unnarrowed => ({ value, archives: 'every finding', acknowledgement: 'archive-all-findings', reason });

/** Ranges the test knows, for the numeric fields named in the issue and the user guide. */
function numberRange(field: string): { min: number; max: number } {
  if (/port$/i.test(field)) return { min: 0, max: 65_535 };
  if (field.endsWith('.lat')) return { min: -90, max: 90 };
  if (field.endsWith('.lon')) return { min: -180, max: 180 };
  if (field.endsWith('.statusCode')) return { min: 100, max: 599 };
  if (field.endsWith('.ianaProtocolNumber')) return { min: 0, max: 255 };
  return { min: 0, max: Infinity };
}

function examples(field: string, operator: Operator): Examples {
  const comparison = OPERATORS[operator];
  const kind = fieldFacts(field).kind;
  const lower = comparison === 'greaterThan' || comparison === 'greaterThanOrEqual';
  const strict = comparison === 'greaterThan' || comparison === 'lessThan';
  if (comparison === 'notEquals') {
    return { refused: everything(kind === 'severity' ? [8] : ['x'], EXCLUSION) };
  }
  const bounds = comparison !== 'equalTo';
  if (bounds && ['text', 'boolean', 'archived', 'constant', 'account', 'detector', 'region'].includes(kind)) {
    const holds = kind === 'boolean' || kind === 'archived' ? 'true or false' : 'text';
    return { invalid: `compares numbers and times only, and ${field} holds ${holds}; use "eq" or "neq" with the values, or remove "${operator}"` };
  }
  switch (kind) {
    case 'account':
      return { refused: { value: ['444444444444'], archives: 'every finding of account 444444444444', acknowledgement: 'archive-whole-account' } };
    case 'detector':
      return { refused: { value: ['12abc34d567e8fa901bc2d34e56789f0'], archives: 'every finding of detector 12abc34d567e8fa901bc2d34e56789f0', acknowledgement: 'archive-whole-account' } };
    case 'region':
      return { refused: { value: ['us-east-1'], archives: 'every finding in us-east-1', acknowledgement: 'archive-all-findings' } };
    case 'constant': {
      const reason = {
        partition: 'one configuration deploys to one partition, so every finding is in it',
        schemaVersion: 'every finding has the same schema version',
        'service.serviceName': 'every finding is GuardDuty\'s ("guardduty")',
      }[field] as string;
      return { refused: everything(['x'], reason) };
    }
    case 'archived':
      return { narrows: ['true'], refused: everything(['false'], 'GuardDuty creates every finding unarchived') };
    case 'boolean':
      return { narrows: ['true'], refused: everything(['true', 'false'], 'it lists both true and false') };
    case 'text':
      return { narrows: ['x'] };
    case 'severity': {
      const high = (value: Value, archives: string): Unnarrowed => ({ value, archives, acknowledgement: 'archive-high-severity' });
      const all = (value: Value): Unnarrowed => ({ value, archives: 'every finding', acknowledgement: 'archive-all-findings' });
      return {
        equalTo: { narrows: [2, 5], refused: high([2, 8], 'every finding with severity 2 or 8') },
        greaterThan: { narrows: 10, refused: all(0) },
        greaterThanOrEqual: { narrows: 11, refused: all(1) },
        lessThan: { narrows: 7, refused: all(11) },
        lessThanOrEqual: { narrows: 6, refused: high(7, 'every finding with severity <= 7') },
      }[comparison];
    }
    case 'finding-time':
      if (!bounds) return { narrows: ['1764547200000'] };
      if (lower) return { refused: everything(PAST, 'new findings carry the current time, which passes any lower bound') };
      return { narrows: PAST, refused: everything(FUTURE, 'it admits every finding until 2099-01-01T00:00:00.000Z') };
    case 'resource-time':
      if (!bounds) return { narrows: ['1764547200000'] };
      if (lower) return { narrows: PAST, refused: everything(strict ? -1 : 0, 'no time is before 1970-01-01 (Unix time 0)') };
      return { narrows: PAST, refused: everything(FUTURE, 'every resource and process so far is older than 2099-01-01T00:00:00.000Z') };
    case 'number': {
      if (!bounds) return { narrows: ['7'] };
      const { min, max } = numberRange(field);
      if (lower) {
        return { narrows: strict ? min : min + 1, refused: everything(strict ? min - 1 : min, `no ${field} is below ${min}`) };
      }
      // Counts have no highest value: every upper bound leaves larger counts out.
      if (max === Infinity) return { narrows: 1000 };
      return { narrows: strict ? max : max - 1, refused: everything(strict ? max + 1 : max, `no ${field} is above ${max}`) };
    }
  }
}

const message = (refused: Unnarrowed, field: string, operator: Operator) => {
  const why = refused.reason
    ? `no condition narrows it to a finding type, resource or activity: ${field} ${operator} ${JSON.stringify(refused.value)}: ${refused.reason}`
    : 'no condition on the finding type, resource or activity';
  return (
    `org.json: filters[0].criteria: archives ${refused.archives}, whatever happened (${why}): ` +
    'GuardDuty archives those findings as they are created, so no e-mail, remediation, Security Hub or export ever sees them; ' +
    `narrow the criteria, or if this is on purpose add "acknowledge": ["${refused.acknowledgement}"] to filters[0]`
  );
};

/** What the configuration says of one ARCHIVE filter with this single condition. */
function check(field: string, operator: Operator, value: Value, acknowledge?: string): string[] {
  const parsed = criteriaSchema.safeParse({ [field]: { [operator]: value } });
  if (!parsed.success) return parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const filter = { name: 'under-test', action: 'ARCHIVE', criteria: parsed.data, ...(acknowledge ? { acknowledge: [acknowledge] } : {}) };
  return filterProblems([filter], 'org.json', NOW).map(formatProblem);
}

describe('the narrowing table, over every filter field and operator', () => {
  it.each(Object.keys(OPERATORS) as Operator[])('%s: accepts a condition that narrows, refuses one that does not', (operator) => {
    const wrong: string[] = [];
    let narrowing = 0;
    let refused = 0;
    for (const field of FILTER_FIELDS) {
      const example = examples(field, operator);
      const expect = (what: string, found: string[], wanted: string[]) => {
        if (JSON.stringify(found) !== JSON.stringify(wanted)) wrong.push(`${field} ${operator} (${what}): ${JSON.stringify(found)} instead of ${JSON.stringify(wanted)}`);
      };
      if (example.invalid) {
        expect('invalid', check(field, operator, 5), [`${field}.${operator}: ${example.invalid}`]);
        continue;
      }
      if (example.narrows !== undefined) {
        narrowing++;
        expect('narrows', check(field, operator, example.narrows), []);
      }
      if (example.refused) {
        refused++;
        expect('refused', check(field, operator, example.refused.value), [message(example.refused, field, operator)]);
        expect('acknowledged', check(field, operator, example.refused.value, example.refused.acknowledgement), []);
      }
    }
    expect(wrong).toEqual([]);
    // Every field has an example of one or the other (a bound on text has neither: it is invalid).
    expect(narrowing + refused).toBeGreaterThan(0);
  });

  it('covers the cases of the issue and the lead', () => {
    const first = (field: string, operator: Operator, value: Value) => check(field, operator, value)[0] ?? 'accepted';
    expect(first('updatedAt', 'lt', FUTURE)).toMatch(/^org\.json: filters\[0\]\.criteria: archives every finding, whatever happened \(no condition narrows it to a finding type, resource or activity: updatedAt lt "2099-01-01T00:00:00Z": it admits every finding until 2099-01-01T00:00:00\.000Z\)/);
    expect(first('service.archived', 'eq', ['false'])).toMatch(/service\.archived eq \["false"\]: GuardDuty creates every finding unarchived\)/);
    expect(first('confidence', 'gte', 0)).toMatch(/confidence gte 0: no confidence is below 0\)/);
    expect(first('severity', 'gte', 1)).toMatch(/archives every finding, whatever happened \(no condition on the finding type, resource or activity\)/);
    expect(first('type', 'neq', ['Backdoor:EC2/C&CActivity.B!DNS'])).toMatch(/type neq \["Backdoor:EC2\/C&CActivity\.B!DNS"\]: an exclusion/);
    expect(first('resource.instanceDetails.launchTime', 'gte', PAST)).toBe('accepted');
    expect(first('service.action.networkConnectionAction.remotePortDetails.port', 'lte', 65_535)).toMatch(/no service\.action\.networkConnectionAction\.remotePortDetails\.port is above 65535\)/);
  });

  it('takes a condition that narrows beside ones that do not', () => {
    const parsed = criteriaSchema.parse({ updatedAt: { lt: FUTURE }, 'service.archived': { eq: ['false'] }, type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] } });
    expect(filterProblems([{ name: 'port-probes', action: 'ARCHIVE', criteria: parsed }], 'org.json', NOW)).toEqual([]);
  });

  it('lists every condition that narrows nothing in the refusal', () => {
    const parsed = criteriaSchema.parse({ updatedAt: { lt: FUTURE }, 'service.archived': { eq: ['false'] }, confidence: { gte: 0 } });
    expect(filterProblems([{ name: 'all', action: 'ARCHIVE', criteria: parsed }], 'org.json', NOW).map(formatProblem)).toEqual([
      'org.json: filters[0].criteria: archives every finding, whatever happened (no condition narrows it to a finding type, resource or activity: ' +
        'updatedAt lt "2099-01-01T00:00:00Z": it admits every finding until 2099-01-01T00:00:00.000Z; ' +
        'service.archived eq ["false"]: GuardDuty creates every finding unarchived; confidence gte 0: no confidence is below 0): ' +
        'GuardDuty archives those findings as they are created, so no e-mail, remediation, Security Hub or export ever sees them; ' +
        'narrow the criteria, or if this is on purpose add "acknowledge": ["archive-all-findings"] to filters[0]',
    ]);
  });
});

describe('the kinds of the fields', () => {
  it('gives every field one kind, and the times the API model documents a time kind', () => {
    const kinds = fieldsByKind();
    expect([...kinds.values()].flat().sort()).toEqual([...FILTER_FIELDS].sort());
    for (const field of TIMESTAMP_FIELDS) expect([field, fieldFacts(field).kind]).toEqual([field, expect.stringMatching(/^(finding|resource)-time$/)]);
    expect(kinds.get('constant')).toEqual(['partition', 'schemaVersion', 'service.serviceName']);
    expect(kinds.get('finding-time')).toEqual(expect.arrayContaining(['createdAt', 'updatedAt', 'service.eventFirstSeen', 'service.eventLastSeen']));
  });

  it("agrees with the API model's types wherever the model types a filter field", () => {
    const typed = modelTypes();
    // The model types about half the fields; the rest (service.additionalInfo, CloudTrail's user identity) are documents.
    expect(typed.size).toBeGreaterThan(150);
    const expected: Record<string, FieldKind[]> = { number: ['number', 'severity'], boolean: ['boolean', 'archived'] };
    const disagree = [...typed].filter(([field, type]) => type in expected && !expected[type].includes(fieldFacts(field).kind));
    expect(disagree).toEqual([]);
    const numbers = [...typed].filter(([, type]) => type === 'number').map(([field]) => field);
    expect(numbers).toEqual(expect.arrayContaining(['confidence', 'service.count', 'service.action.networkConnectionAction.remotePortDetails.port']));
    // Text in the model is text here, unless the field list documents it as a time.
    const textAsNumber = [...typed].filter(([field, type]) => type === 'text' && !TIMESTAMP_FIELDS.includes(field) && ['number', 'boolean'].includes(fieldFacts(field).kind));
    expect(textAsNumber).toEqual([]);
  });
});

describe('the narrowing table in the documentation', () => {
  it('is the table lib/guardduty/filter-narrowing.ts holds, with the number of fields of each kind', () => {
    const comparisons: Comparison[] = ['equalTo', 'notEquals', 'greaterThan', 'greaterThanOrEqual', 'lessThan', 'lessThanOrEqual'];
    const kinds = fieldsByKind();
    const table = [
      '| fields (how many) | `eq`, `equals` | `neq`, `notEquals` | `gt`, `greaterThan` | `gte`, `greaterThanOrEqual` | `lt`, `lessThan` | `lte`, `lessThanOrEqual` |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...Object.entries(NARROWING_TABLE).map(([kind, row]) => `| ${row.fields} (${kinds.get(kind as FieldKind)?.length ?? 0}) | ${comparisons.map((comparison) => row.rules[comparison]).join(' | ')} |`),
    ].join('\n');
    if (process.env.NARROWING_PRINT) writeFileSync(process.env.NARROWING_PRINT, `${table}\n`);
    expect(readFileSync(path.join(REPO_ROOT, 'docs/threat-intel.md'), 'utf8')).toContain(`${table}\n`);
  });
});

/** The type the API model's Finding shape gives each filter field it reaches: text, number or boolean. */
function modelTypes(): Map<string, 'text' | 'number' | 'boolean' | 'other'> {
  const deref = (schema: any): any => (typeof schema === 'function' ? schema() : schema);
  const unlist = (schema: any): any => {
    let current = deref(schema);
    while (Array.isArray(current) && current[0] === 1) current = deref(current[4]);
    return current;
  };
  const member = (structure: any, name: string): any => {
    const shape = unlist(structure);
    if (!Array.isArray(shape) || shape[0] !== 3) return undefined;
    const index = (shape[5] as any[]).findIndex((schema, position) => {
      const traits = Array.isArray(schema) ? schema[1] : undefined;
      return (traits?.jsonName ?? `${shape[4][position][0].toLowerCase()}${shape[4][position].slice(1)}`) === name;
    });
    if (index < 0) return undefined;
    const schema = shape[5][index];
    return Array.isArray(schema) ? schema[0] : schema;
  };
  const types = new Map<string, 'text' | 'number' | 'boolean' | 'other'>();
  for (const field of FILTER_FIELDS) {
    let schema: any = (guardduty as any).Finding$;
    for (const part of field.split('.')) schema = schema === undefined ? undefined : member(schema, part);
    const leaf = unlist(schema);
    if (leaf === undefined) continue;
    types.set(field, leaf === 0 || (Array.isArray(leaf) && leaf[0] === 0) ? 'text' : leaf === 1 ? 'number' : leaf === 2 ? 'boolean' : 'other');
  }
  return types;
}

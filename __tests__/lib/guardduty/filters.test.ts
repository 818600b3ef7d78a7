import { ConfigError } from '../../../lib/problems';
import { archiveBreadth, criterionBlocks, filterProblems, filterRanks, type Criteria } from '../../../lib/guardduty/filters';
import { FILTER_FIELDS, TIMESTAMP_FIELDS } from '../../../lib/guardduty/filter-fields';
import { testConfig } from '../../helpers/synth';

/** The messages a configuration with these filters fails with. */
function filterErrors(filters: unknown): string[] {
  try {
    testConfig({ filters });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    throw error;
  }
  return [];
}

const filter = (criteria: unknown, extra: Record<string, unknown> = {}) => ({ name: 'archive-noise', action: 'ARCHIVE', criteria, ...extra });

describe('filter criteria in the configuration', () => {
  it('accepts the shipped example and GuardDuty fields with every operator spelling', () => {
    expect(testConfig().filters[0].criteria).toEqual({ accountId: { eq: ['333333333333'] }, severity: { lt: 4 } });
    expect(
      filterErrors([
        filter({
          type: { neq: ['Recon:EC2/PortProbeUnprotectedPort'] },
          'resource.instanceDetails.tags.key': { equals: ['scanner'] },
          'service.additionalInfo.threatListName': { notEquals: ['Example-Threat-List'] },
          severity: { gte: 2, lessThanOrEqual: 5 },
          confidence: { greaterThan: 1, lessThan: 9 },
          'service.eventLastSeen': { gt: '2026-01-01T00:00:00Z', lte: 1800000000000 },
          updatedAt: { greaterThanOrEqual: '2026-01-01T00:00:00.000+02:00' },
        }),
      ]),
    ).toEqual([]);
  });

  it.each([
    ['an unknown field close to a known one', { accountid: { eq: ['1'] } }, 'filters[0].criteria.accountid: unknown finding field; did you mean "accountId"?'],
    [
      'an unknown field far from any',
      { colour: { eq: ['red'] } },
      'filters[0].criteria.colour: unknown finding field; see "FindingCriteria" in the GuardDuty API reference for the fields a filter can use',
    ],
    ['an unknown operator close to a known one', { severity: { lessthan: 4 } }, 'filters[0].criteria.severity.lessthan: unknown key; did you mean "lessThan"?'],
    [
      'an operator the provider cannot write',
      { type: { matches: ['Recon:*'] } },
      'filters[0].criteria.type.matches: unknown key; allowed here: eq, equals, neq, notEquals, gt, greaterThan, gte, greaterThanOrEqual, lt, lessThan, lte, lessThanOrEqual',
    ],
    ['a condition without operator', { region: {} }, 'filters[0].criteria.region: must have at least one operator, like "eq" or "lt"'],
    [
      'a bare value instead of a condition',
      { severity: 4 },
      'filters[0].criteria.severity: must be an object of operator to value, like { "eq": [...] } or { "lt": 4 }; operators: eq, equals, neq, notEquals, gt, greaterThan, gte, greaterThanOrEqual, lt, lessThan, lte, lessThanOrEqual',
    ],
    ['a single value for eq', { accountId: { eq: '333333333333' } }, 'filters[0].criteria.accountId.eq: must be a list of values, like ["123456789012"]'],
    ['an empty eq list', { accountId: { eq: [] } }, 'filters[0].criteria.accountId.eq: must list at least one value'],
    ['51 values', { accountId: { eq: Array.from({ length: 51 }, (_, i) => String(i)) } }, 'filters[0].criteria.accountId.eq: GuardDuty takes at most 50 values a condition'],
    ['a fraction', { severity: { lt: 4.5 } }, 'filters[0].criteria.severity.lt: must be a whole number (GuardDuty compares integers); got 4.5'],
    ['a text bound on a number field', { severity: { gte: 'high' } }, 'filters[0].criteria.severity.gte: must be a number; got "high"'],
    [
      'a bound on a text field',
      { type: { gt: 5 } },
      'filters[0].criteria.type.gt: compares numbers and times only, and type holds text; use "eq" or "neq" with the values, or remove "gt"',
    ],
    [
      'a bound on a true-or-false field',
      { 'service.archived': { lte: 0 } },
      'filters[0].criteria.service.archived.lte: compares numbers and times only, and service.archived holds true or false; use "eq" or "neq" with the values, or remove "lte"',
    ],
    [
      'a bad timestamp',
      { updatedAt: { gt: 'yesterday' } },
      'filters[0].criteria.updatedAt.gt: must be an RFC 3339 timestamp like "2026-01-31T00:00:00Z", or epoch milliseconds; got "yesterday"',
    ],
    ['both spellings of one condition', { severity: { lt: 4, lessThan: 5 } }, 'filters[0].criteria.severity.lessThan: is the same condition as "lt"; keep one'],
    ['no criteria', {}, 'filters[0].criteria: must name at least one finding field'],
    [
      '51 criteria',
      Object.fromEntries(FILTER_FIELDS.filter((field) => !TIMESTAMP_FIELDS.includes(field)).slice(0, 51).map((field) => [field, { eq: ['x'] }])),
      'filters[0].criteria: 51 fields; GuardDuty takes at most 50 a filter',
    ],
  ])('reports %s by its field path', (_, criteria, message) => {
    expect(filterErrors([filter(criteria)])).toEqual([message]);
  });

  it('reports every problem of every filter at once', () => {
    expect(filterErrors([filter({ severity: { lt: 4.5 } }), filter({ accountid: { eq: ['1'] }, region: {} }, { name: 'second' })])).toEqual([
      'filters[0].criteria.severity.lt: must be a whole number (GuardDuty compares integers); got 4.5',
      'filters[1].criteria.region: must have at least one operator, like "eq" or "lt"',
      'filters[1].criteria.accountid: unknown finding field; did you mean "accountId"?',
    ]);
  });

  it.each([
    ['a bad action', { action: 'DELETE' }, 'filters[0].action: must be one of ARCHIVE, NOOP; got "DELETE"'],
    ['a rank of 0', { rank: 0 }, 'filters[0].rank: must be a whole number from 1'],
    ['a fractional rank', { rank: 1.5 }, 'filters[0].rank: must be a whole number from 1'],
  ])('reports %s', (_, extra, message) => {
    expect(filterErrors([filter({ severity: { lt: 4 } }, extra)])).toEqual([message]);
  });
});

describe('filters across the list', () => {
  const named = (name: string, rank?: number) => filter({ severity: { lt: 4 } }, { name, ...(rank === undefined ? {} : { rank }) });

  it('ranks filters by position when no rank is given, and keeps given ranks', () => {
    expect(filterRanks([{}, {}, {}])).toEqual([1, 2, 3]);
    expect(filterRanks([{ rank: 2 }, { rank: 1 }])).toEqual([2, 1]);
    expect(filterErrors([named('first', 2), named('second', 1)])).toEqual([]);
  });

  it.each([
    ['a name used twice', [named('same'), named('same')], ['filters[1].name: "same" is used twice']],
    ['a rank used twice', [named('first', 1), named('second', 1)], ['filters[1].rank: rank 1 is also the rank of filters[0]; GuardDuty wants each of 1..2 once']],
    [
      'a position taken by an explicit rank',
      [named('first', 2), named('second')],
      ['filters[1]: rank 2 (its position, as it has no rank) is also the rank of filters[0]; GuardDuty wants each of 1..2 once'],
    ],
    ['a gap in the ranks', [named('first', 1), named('second', 3)], ['filters[1].rank: rank 3 is past the number of filters (2); GuardDuty wants ranks 1..2 without gaps']],
  ])('reports %s', (_, filters, messages) => {
    expect(filterErrors(filters)).toEqual(messages);
  });

  it('enforces 100 filters per account and region', () => {
    const filters = (count: number) => Array.from({ length: count }, (_, i) => ({ name: `f-${i}`, rank: i + 1 }));
    expect(filterProblems(filters(100), 'org.json')).toEqual([]);
    expect(filterProblems(filters(101), 'org.json')).toEqual([{ file: 'org.json', path: 'filters', message: '101 filters; GuardDuty takes at most 100 per account and region' }]);
  });
});

describe('criterionBlocks', () => {
  it('writes one provider criterion block per field, with the provider names and text values', () => {
    expect(criterionBlocks({ accountId: { eq: ['333333333333'] }, severity: { lt: 4, gte: 1 }, type: { neq: ['A', 'B'] } })).toEqual([
      { field: 'accountId', equalTo: ['333333333333'] },
      { field: 'severity', lessThan: '4', greaterThanOrEqual: '1' },
      { field: 'type', notEquals: ['A', 'B'] },
    ]);
  });

  it('maps the long operator names to the same blocks and numbers in lists to text', () => {
    expect(criterionBlocks({ severity: { equals: [7, 8], notEquals: ['9'], greaterThan: 1, lessThanOrEqual: 8 } })).toEqual([
      { field: 'severity', equalTo: ['7', '8'], notEquals: ['9'], greaterThan: '1', lessThanOrEqual: '8' },
    ]);
  });

  it('writes updatedAt bounds as RFC 3339 and other time bounds as epoch milliseconds, as the provider reads them', () => {
    expect(
      criterionBlocks({
        updatedAt: { gt: '2026-01-01T00:00:00Z', lt: Date.UTC(2026, 1, 1) },
        'service.eventLastSeen': { gte: '2026-01-01T00:00:00Z', lte: 1767225600000 },
      }),
    ).toEqual([
      { field: 'updatedAt', greaterThan: '2026-01-01T00:00:00Z', lessThan: '2026-02-01T00:00:00.000Z' },
      { field: 'service.eventLastSeen', greaterThanOrEqual: '1767225600000', lessThanOrEqual: '1767225600000' },
    ]);
  });
});

describe('the generated field list', () => {
  it('holds the fields of the lab and of the example configuration', () => {
    for (const field of ['accountId', 'severity', 'type', 'updatedAt', 'resource.instanceDetails.instanceId', 'service.additionalInfo.threatListName']) {
      expect(FILTER_FIELDS).toContain(field);
    }
    expect(TIMESTAMP_FIELDS).toContain('updatedAt');
    expect(TIMESTAMP_FIELDS).not.toContain('severity');
  });
});

describe('archiveBreadth', () => {
  const EXCLUSION = 'an exclusion: every finding without the listed values is still archived, every new finding type included';
  it.each<[string, Criteria, ReturnType<typeof archiveBreadth>]>([
    ['no severity bound', { accountId: { eq: ['333333333333'] } }, { acknowledgement: 'archive-whole-account', archives: 'every finding of account 333333333333', unnarrowed: [] }],
    ['a bound that lets every severity through', { accountId: { eq: ['1', '2'] }, severity: { gte: 0 } }, { acknowledgement: 'archive-whole-account', archives: 'every finding of accounts 1, 2', unnarrowed: [] }],
    ['severity only', { severity: { gte: 1 } }, { acknowledgement: 'archive-all-findings', archives: 'every finding', unnarrowed: [] }],
    [
      'only exclusions',
      { type: { neq: ['Recon:EC2/PortProbeUnprotectedPort'] } },
      { acknowledgement: 'archive-all-findings', archives: 'every finding', unnarrowed: [`type neq ["Recon:EC2/PortProbeUnprotectedPort"]: ${EXCLUSION}`] },
    ],
    [
      'a time lower bound',
      { updatedAt: { gte: '2020-01-01T00:00:00Z' } },
      { acknowledgement: 'archive-all-findings', archives: 'every finding', unnarrowed: ['updatedAt gte "2020-01-01T00:00:00Z": new findings carry the current time, which passes any lower bound'] },
    ],
    [
      'a region',
      { region: { eq: ['us-east-1'] }, partition: { eq: ['aws'] } },
      { acknowledgement: 'archive-all-findings', archives: 'every finding in us-east-1', unnarrowed: ['partition eq ["aws"]: one configuration deploys to one partition, so every finding is in it'] },
    ],
    [
      'a detector',
      { 'service.detectorId': { eq: ['12abc34d567e8fa901bc2d34e56789f0'] } },
      { acknowledgement: 'archive-whole-account', archives: 'every finding of detector 12abc34d567e8fa901bc2d34e56789f0', unnarrowed: [] },
    ],
    ['high severities', { severity: { gte: 7 } }, { acknowledgement: 'archive-high-severity', archives: 'every finding with severity >= 7', unnarrowed: [] }],
    ['high severities of an account', { accountId: { eq: ['1'] }, severity: { gt: 6 } }, { acknowledgement: 'archive-high-severity', archives: 'every finding with severity > 6 of account 1', unnarrowed: [] }],
    ['an upper bound that reaches 7', { severity: { lte: 7 } }, { acknowledgement: 'archive-high-severity', archives: 'every finding with severity <= 7', unnarrowed: [] }],
    ['listed severities with a high one', { severity: { eq: [2, 8] } }, { acknowledgement: 'archive-high-severity', archives: 'every finding with severity 2 or 8', unnarrowed: [] }],
    [
      'an excluded severity',
      { severity: { neq: [8] } },
      { acknowledgement: 'archive-all-findings', archives: 'every finding', unnarrowed: [`severity neq [8]: ${EXCLUSION}`] },
    ],
  ])('refuses an ARCHIVE filter by %s', (_title, criteria, expected) => {
    expect(archiveBreadth(criteria)).toEqual(expected);
  });

  it.each<[string, Criteria]>([
    ['the example: low severities of the sandbox', { accountId: { eq: ['333333333333'] }, severity: { lt: 4 } }],
    ['low and medium severities everywhere', { severity: { lt: 7 } }],
    ['a finding type', { type: { eq: ['Recon:EC2/PortProbeUnprotectedPort'] } }],
    ['a resource', { accountId: { eq: ['1'] }, 'resource.instanceDetails.instanceId': { eq: ['i-0123456789abcdef0'] } }],
    ['findings updated before a date', { updatedAt: { lt: '2020-01-01T00:00:00Z' } }],
    ['severities past the scale', { severity: { gt: 10 } }],
    ['listed low severities', { severity: { eq: [2, 5] } }],
  ])('lets %s through', (_title, criteria) => {
    expect(archiveBreadth(criteria)).toBeUndefined();
  });
});

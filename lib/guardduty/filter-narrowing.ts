import { FILTER_FIELDS, TIMESTAMP_FIELDS } from './filter-fields';

/**
 * Which filter conditions narrow an `ARCHIVE` filter, per finding field and operator. A filter
 * archives every finding unless one of its conditions excludes some finding GuardDuty raises from
 * now on; a condition that every new finding meets (a lower bound on when it was created,
 * `service.archived` false, `confidence` >= 0) or that only excludes (`neq`) narrows nothing.
 *
 * The fields are GuardDuty's own (FILTER_FIELDS and TIMESTAMP_FIELDS, generated from the API
 * model's FindingCriteria); each is given a kind below, and the kind decides per operator. The
 * account, detector, region and severity say where or how severe, not what happened: filters.ts
 * weighs them (`archiveBreadth`).
 */

/** What a finding field holds, as far as narrowing is concerned. */
export type FieldKind =
  /** Where a finding comes from: `eq` names whole accounts, detectors or regions. */
  | 'account'
  | 'detector'
  | 'region'
  | 'severity'
  /** The same on every finding of a deployment (its partition, the schema version, the service). */
  | 'constant'
  | 'archived'
  /** A finding's own time: new findings carry the current time. */
  | 'finding-time'
  /** The time of a resource or process the finding is about: in the past. */
  | 'resource-time'
  | 'number'
  | 'boolean'
  | 'text';

export interface FieldFacts {
  readonly kind: FieldKind;
  /** Numbers: the values the field can hold (inclusive; `Infinity` when unbounded). */
  readonly range?: { readonly min: number; readonly max: number };
  /** Constants: what every finding holds. */
  readonly every?: string;
}

/** The operator spellings the configuration accepts, by what they compare (the provider's block fields). */
export const OPERATORS = {
  eq: 'equalTo',
  equals: 'equalTo',
  neq: 'notEquals',
  notEquals: 'notEquals',
  gt: 'greaterThan',
  greaterThan: 'greaterThan',
  gte: 'greaterThanOrEqual',
  greaterThanOrEqual: 'greaterThanOrEqual',
  lt: 'lessThan',
  lessThan: 'lessThan',
  lte: 'lessThanOrEqual',
  lessThanOrEqual: 'lessThanOrEqual',
} as const;
export type Operator = keyof typeof OPERATORS;
export type Comparison = (typeof OPERATORS)[Operator];

const CONSTANTS: Readonly<Record<string, string>> = {
  partition: 'one configuration deploys to one partition, so every finding is in it',
  schemaVersion: 'every finding has the same schema version',
  'service.serviceName': 'every finding is GuardDuty\'s ("guardduty")',
};

/** A finding's own times: GuardDuty sets them when it creates, updates or scans, so new findings carry the current time. */
const FINDING_TIMES = new Set([
  'createdAt',
  'updatedAt',
  'service.eventFirstSeen',
  'service.eventLastSeen',
  'service.ebsVolumeScanDetails.scanStartedAt',
  'service.ebsVolumeScanDetails.scanCompletedAt',
  'service.detection.sequence.signals.createdAt',
  'service.detection.sequence.signals.updatedAt',
  'service.detection.sequence.signals.firstSeenAt',
  'service.detection.sequence.signals.lastSeenAt',
  'service.runtimeDetails.context.modifiedAt',
]);

const PORT = { min: 0, max: 65_535 };
const NOT_NEGATIVE = { min: 0, max: Infinity };

/**
 * Numeric fields by the last part of their name, with the values they hold. The API model types
 * most of them as numbers (the test checks every field it types); `service.additionalInfo` and the
 * attack-sequence fields it leaves untyped are named here from the user guide's finding details.
 */
const NUMBERS: readonly { readonly name: RegExp; readonly range: { min: number; max: number } }[] = [
  { name: /(^|\.)(port|localPort|remotePort|scannedPort)$/, range: PORT },
  { name: /\.lat$/, range: { min: -90, max: 90 } },
  { name: /\.lon$/, range: { min: -180, max: 180 } },
  // An HTTP status code.
  { name: /\.statusCode$/, range: { min: 100, max: 599 } },
  { name: /\.ianaProtocolNumber$/, range: { min: 0, max: 255 } },
  // Scores, counts, sizes, byte and packet totals, process and user ids: none is negative.
  {
    name: /(^confidence|\.signals\.severity|[cC]ount|\.files|\.volumes|\.totalGb|InGB|Bytes(In|Out)?|\.packets(In|Out)|\.averagePacketSize(In|Out)|\.(pid|euid|userId|namespacePid)|\.autonomousSystem\.number)$/,
    range: NOT_NEGATIVE,
  },
];

/** Fields that hold true or false. */
const BOOLEANS =
  /\.(allowPrivilegeEscalation|privileged|hostNetwork|hostIpc|hostPid|affiliated|blocked|allowed|shortened|publiclyAccessible|iamDatabaseAuthenticationEnabled|blockPublicAcls|blockPublicPolicy|ignorePublicAcls|restrictPublicBuckets|allowsPublicReadAccess|allowsPublicWriteAccess|sample|mfaAuthenticated)$/;

const TIMESTAMPS = new Set(TIMESTAMP_FIELDS);

/** The kind of a finding field GuardDuty filters on (FILTER_FIELDS); `text` for anything else. */
export function fieldFacts(field: string): FieldFacts {
  switch (field) {
    case 'accountId':
      return { kind: 'account' };
    case 'service.detectorId':
      return { kind: 'detector' };
    case 'region':
      return { kind: 'region' };
    case 'severity':
      return { kind: 'severity' };
    case 'service.archived':
      return { kind: 'archived' };
  }
  if (field in CONSTANTS) return { kind: 'constant', every: CONSTANTS[field] };
  if (TIMESTAMPS.has(field)) return { kind: FINDING_TIMES.has(field) ? 'finding-time' : 'resource-time' };
  const number = NUMBERS.find((entry) => entry.name.test(field));
  if (number) return { kind: 'number', range: number.range };
  if (BOOLEANS.test(field)) return { kind: 'boolean' };
  return { kind: 'text' };
}

/** Every field GuardDuty filters on, by kind (for the table in docs/threat-intel.md and its test). */
export function fieldsByKind(): ReadonlyMap<FieldKind, readonly string[]> {
  const byKind = new Map<FieldKind, string[]>();
  for (const field of FILTER_FIELDS) {
    const kind = fieldFacts(field).kind;
    byKind.set(kind, [...(byKind.get(kind) ?? []), field]);
  }
  return byKind;
}

/** Whether a field can be compared with `gt`/`gte`/`lt`/`lte`: numbers and times only. */
export function takesBounds(kind: FieldKind): boolean {
  return kind === 'severity' || kind === 'number' || kind === 'finding-time' || kind === 'resource-time';
}

/**
 * What one condition does to an `ARCHIVE` filter:
 * - `narrows`: it excludes some finding GuardDuty raises from now on (the filter then archives only
 *   what it describes);
 * - `scope`: it says where findings come from or how severe they are, which filters.ts weighs;
 * - otherwise it narrows nothing, and `reason` says why.
 */
export type ConditionEffect = { readonly narrows: true } | { readonly scope: FieldKind } | { readonly narrows: false; readonly reason: string };

/**
 * The narrowing table, one row per kind and comparison: whether a condition narrows, or on what it
 * depends. `docs/threat-intel.md` prints it; `conditionEffect` applies it to a value.
 */
export const NARROWING_TABLE: Readonly<Record<FieldKind, Readonly<Record<Comparison, string>>>> = {
  account: scopeRow('the accounts listed: whole accounts are archived (acknowledgement archive-whole-account)'),
  detector: scopeRow('the detectors listed: whole accounts in a region are archived (acknowledgement archive-whole-account)'),
  region: scopeRow('the regions listed: every finding there is archived (acknowledgement archive-all-findings)'),
  severity: {
    equalTo: 'narrows when every listed severity is below 7; a listed 7 or above archives high-severity findings (archive-high-severity)',
    notEquals: 'never: an exclusion archives every other severity',
    greaterThan: 'narrows only past the scale (10 and above); otherwise high severities are archived (archive-high-severity, or archive-all-findings below 1)',
    greaterThanOrEqual: 'narrows only past the scale (above 10): `severity >= 1` admits every finding',
    lessThan: 'narrows when the bound is 7 or below: only low and medium findings are archived',
    lessThanOrEqual: 'narrows when the bound is below 7',
  },
  constant: fixedRow('never: every finding of the deployment has the same value, so the condition keeps all or none'),
  archived: {
    equalTo: 'narrows with "true" only (already archived findings); "false" admits every new finding, as GuardDuty creates them unarchived',
    notEquals: 'never: an exclusion ("neq true" is "eq false")',
    ...noBounds(),
  },
  'finding-time': {
    equalTo: 'narrows: only findings of that exact millisecond',
    notEquals: 'never: an exclusion',
    greaterThan: 'never: new findings carry the current time, which passes any lower bound sooner or later',
    greaterThanOrEqual: 'never: as greaterThan',
    lessThan: 'narrows when the bound is in the past (only older findings); one in the future admits every new finding until then',
    lessThanOrEqual: 'narrows when the bound is in the past',
  },
  'resource-time': {
    equalTo: 'narrows: only resources or processes of that exact millisecond',
    notEquals: 'never: an exclusion',
    greaterThan: 'narrows when the bound is after 1970-01-01 (Unix time 0): older resources are left out',
    greaterThanOrEqual: 'narrows when the bound is after 1970-01-01',
    lessThan: 'narrows when the bound is in the past (resources created since are left out); one in the future admits them all',
    lessThanOrEqual: 'narrows when the bound is in the past',
  },
  number: {
    equalTo: 'narrows: only the listed values',
    notEquals: 'never: an exclusion',
    greaterThan: "narrows when the bound is at or above the field's lowest value (0 for scores and counts, -90/-180 for latitude/longitude)",
    greaterThanOrEqual: "narrows when the bound is above the field's lowest value: `confidence >= 0` admits every finding",
    lessThan: "narrows when the bound is at or below the field's highest value (65535 for ports, 90/180 for coordinates; counts have none)",
    lessThanOrEqual: "narrows when the bound is below the field's highest value",
  },
  boolean: {
    equalTo: 'narrows with one of true and false; both admit every finding that has the field',
    notEquals: 'never: an exclusion',
    ...noBounds(),
  },
  text: {
    equalTo: 'narrows: only findings with one of the listed values',
    notEquals: 'never: an exclusion archives every finding without the listed values, every new finding type included',
    ...noBounds(),
  },
};

function scopeRow(equalTo: string): Record<Comparison, string> {
  return { equalTo: `never on its own: ${equalTo}`, notEquals: 'never: an exclusion', ...noBounds() };
}

function fixedRow(text: string): Record<Comparison, string> {
  return { equalTo: text, notEquals: text, ...noBounds() };
}

function noBounds(): Record<'greaterThan' | 'greaterThanOrEqual' | 'lessThan' | 'lessThanOrEqual', string> {
  const refused = 'refused: bounds compare numbers and times only';
  return { greaterThan: refused, greaterThanOrEqual: refused, lessThan: refused, lessThanOrEqual: refused };
}

const EXCLUSION = 'an exclusion: every finding without the listed values is still archived, every new finding type included';

/** A bound as milliseconds since 1970 (time fields) or as the number written. */
function boundNumber(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/** What one condition (a field, an operator, its value) does to an ARCHIVE filter; `now` in epoch milliseconds. */
export function conditionEffect(field: string, operator: Operator, value: number | string | readonly (number | string)[], now: number): ConditionEffect {
  const facts = fieldFacts(field);
  const comparison = OPERATORS[operator];
  if (facts.kind === 'account' || facts.kind === 'detector' || facts.kind === 'region' || facts.kind === 'severity') {
    return comparison === 'notEquals' ? { narrows: false, reason: EXCLUSION } : { scope: facts.kind };
  }
  if (comparison === 'notEquals') return { narrows: false, reason: EXCLUSION };
  if (facts.kind === 'constant') return { narrows: false, reason: facts.every as string };
  const listed = Array.isArray(value) ? value.map((item) => String(item).toLowerCase()) : [];
  if (facts.kind === 'archived') {
    return listed.every((item) => item === 'true') ? { narrows: true } : { narrows: false, reason: 'GuardDuty creates every finding unarchived' };
  }
  if (facts.kind === 'boolean') {
    return listed.includes('true') && listed.includes('false') ? { narrows: false, reason: 'it lists both true and false' } : { narrows: true };
  }
  if (comparison === 'equalTo' || Array.isArray(value)) return { narrows: true };
  const bound = boundNumber(value as number | string);
  const lower = comparison === 'greaterThan' || comparison === 'greaterThanOrEqual';
  const strict = comparison === 'greaterThan' || comparison === 'lessThan';
  if (facts.kind === 'finding-time') {
    if (lower) return { narrows: false, reason: 'new findings carry the current time, which passes any lower bound' };
    const excludesNow = strict ? bound <= now : bound < now;
    return excludesNow ? { narrows: true } : { narrows: false, reason: `it admits every finding until ${new Date(bound).toISOString()}` };
  }
  if (facts.kind === 'resource-time') {
    if (lower) return (strict ? bound >= 0 : bound > 0) ? { narrows: true } : { narrows: false, reason: 'no time is before 1970-01-01 (Unix time 0)' };
    return (strict ? bound <= now : bound < now) ? { narrows: true } : { narrows: false, reason: `every resource and process so far is older than ${new Date(bound).toISOString()}` };
  }
  const range = facts.range ?? NOT_NEGATIVE;
  if (lower) return (strict ? bound >= range.min : bound > range.min) ? { narrows: true } : { narrows: false, reason: `no ${field} is below ${range.min}` };
  return (strict ? bound <= range.max : bound < range.max) ? { narrows: true } : { narrows: false, reason: `no ${field} is above ${range.max}` };
}

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

const EXCLUDES = 'never: an exclusion archives every finding without the listed values, new finding types included';
const NO_BOUNDS_RULE = 'refused: bounds compare numbers and times only';
const NO_BOUNDS = { greaterThan: NO_BOUNDS_RULE, greaterThanOrEqual: NO_BOUNDS_RULE, lessThan: NO_BOUNDS_RULE, lessThanOrEqual: NO_BOUNDS_RULE } as const;

/** One row of the narrowing table: which fields, and per comparison whether a condition narrows. */
export interface NarrowingRow {
  /** The fields of the kind, as docs/threat-intel.md names them. */
  readonly fields: string;
  readonly rules: Readonly<Record<Comparison, string>>;
}

/**
 * The narrowing table, one row per kind and comparison: whether a condition narrows, or on what it
 * depends. docs/threat-intel.md prints it (a test keeps the two the same); `conditionEffect` applies it
 * to a value.
 */
export const NARROWING_TABLE: Readonly<Record<FieldKind, NarrowingRow>> = {
  text: {
    fields: 'text: `type`, names, ids, addresses, `service.action.*` ...',
    rules: { equalTo: 'narrows: only findings with a listed value', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  boolean: {
    fields: 'true or false: `*.blocked`, `*.privileged`, `*.publiclyAccessible` ...',
    rules: { equalTo: 'narrows with one of `true` and `false`; both narrow nothing', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  archived: {
    fields: '`service.archived`',
    rules: { equalTo: 'narrows with `true` only: GuardDuty creates every finding unarchived', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  constant: {
    fields: 'the same on every finding: `partition`, `schemaVersion`, `service.serviceName`',
    rules: { equalTo: 'never: the condition keeps all findings or none', notEquals: 'never', ...NO_BOUNDS },
  },
  account: {
    fields: '`accountId`',
    rules: { equalTo: 'never on its own: whole accounts (archive-whole-account)', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  detector: {
    fields: '`service.detectorId`',
    rules: { equalTo: 'never on its own: whole accounts in a region (archive-whole-account)', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  region: {
    fields: '`region`',
    rules: { equalTo: 'never on its own: every finding of the regions (archive-all-findings)', notEquals: EXCLUDES, ...NO_BOUNDS },
  },
  severity: {
    fields: '`severity`',
    rules: {
      equalTo: 'narrows when every value is below 7 (archive-high-severity otherwise)',
      notEquals: EXCLUDES,
      greaterThan: 'only past the scale (10 and above)',
      greaterThanOrEqual: 'only past the scale (above 10): `severity >= 1` admits all',
      lessThan: 'narrows when the bound is 7 or below',
      lessThanOrEqual: 'narrows when the bound is below 7',
    },
  },
  number: {
    fields: 'numbers: `confidence`, counts, ports (0-65535), latitude (-90-90), longitude (-180-180), HTTP status (100-599) ...',
    rules: {
      equalTo: 'narrows',
      notEquals: EXCLUDES,
      greaterThan: "narrows when the bound is at or above the field's lowest value",
      greaterThanOrEqual: "narrows when the bound is above the field's lowest value: `confidence >= 0` admits all",
      lessThan: "narrows when the bound is at or below the field's highest value (counts have none)",
      lessThanOrEqual: "narrows when the bound is below the field's highest value (counts have none)",
    },
  },
  'finding-time': {
    fields: "a finding's own time: `createdAt`, `updatedAt`, `service.eventFirstSeen`, `service.eventLastSeen`, scan and signal times",
    rules: {
      equalTo: 'narrows',
      notEquals: EXCLUDES,
      greaterThan: 'never: new findings carry the current time',
      greaterThanOrEqual: 'never: new findings carry the current time',
      lessThan: 'narrows when the bound is past; `updatedAt < 2099-01-01` admits every finding until then',
      lessThanOrEqual: 'narrows when the bound is past',
    },
  },
  'resource-time': {
    fields: "a resource's or process's time: `resource.instanceDetails.launchTime`, a resource's `createdAt`, a process's `startTime` ...",
    rules: {
      equalTo: 'narrows',
      notEquals: EXCLUDES,
      greaterThan: 'narrows when the bound is 1970-01-01 (Unix time 0) or later',
      greaterThanOrEqual: 'narrows when the bound is after 1970-01-01',
      lessThan: 'narrows when the bound is past',
      lessThanOrEqual: 'narrows when the bound is past',
    },
  },
};

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

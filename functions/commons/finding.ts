import * as z from 'zod/mini';
// The English messages only: `z.locales.en` would pull every locale into the bundle.
import en from 'zod/v4/locales/en.cjs';

// zod/mini carries no messages of its own; English ones keep rejected-event log lines readable.
z.config(en());

/**
 * A GuardDuty finding as EventBridge delivers it to a rule target: the EventBridge envelope with the
 * finding in `detail`, in camelCase (the GetFindings API's PascalCase shape is not what arrives).
 * Parsed at the boundary so a malformed event becomes one `InvalidEvent` naming every bad field,
 * not a TypeError deep inside a remediation step. Objects are not strict: GuardDuty adds fields.
 * zod/mini (functions, not methods) because it tree-shakes: the classic API put about 450 KB of
 * zod into every bundle.
 */

const accountId = z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit account id'));
const region = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be a region name'));
const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp' });

const networkInterface = z.object({
  networkInterfaceId: z.optional(z.string().check(z.regex(/^eni-[0-9a-f]+$/, 'must be a network interface id'))),
  vpcId: z.optional(z.string()),
  subnetId: z.optional(z.string()),
  securityGroups: z.optional(z.array(z.object({ groupId: z.string(), groupName: z.optional(z.string()) }))),
});

export const instanceDetails = z.object({
  instanceId: z.string().check(z.regex(/^i-[0-9a-f]{8,17}$/, 'must be an EC2 instance id')),
  networkInterfaces: z.optional(z.array(networkInterface)),
  tags: z.optional(z.array(z.object({ key: z.string(), value: z.string() }))),
});

export const accessKeyDetails = z.object({
  accessKeyId: z.optional(z.string()),
  principalId: z.optional(z.string()),
  userType: z.optional(z.string()),
  userName: z.string().check(z.minLength(1, 'must name the user or role')),
});

export const findingDetail = z.object({
  schemaVersion: z.string(),
  accountId,
  region,
  partition: z.string().check(z.minLength(1)),
  id: z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a finding id')),
  arn: z.string().check(z.startsWith('arn:', 'must be the finding ARN')),
  type: z.string().check(z.minLength(1)),
  severity: z.number(),
  createdAt: timestamp,
  updatedAt: timestamp,
  title: z.optional(z.string()),
  description: z.optional(z.string()),
  resource: z.object({
    resourceType: z.string(),
    instanceDetails: z.optional(instanceDetails),
    accessKeyDetails: z.optional(accessKeyDetails),
  }),
  service: z.object({
    action: z.optional(z.record(z.string(), z.unknown())),
    eventLastSeen: z.optional(timestamp),
    archived: z.optional(z.boolean()),
    additionalInfo: z.optional(z.record(z.string(), z.unknown())),
  }),
});

export const findingEvent = z.object({
  version: z.string(),
  id: z.string().check(z.minLength(1)),
  'detail-type': z.literal('GuardDuty Finding', { error: 'must be "GuardDuty Finding"' }),
  source: z.literal('aws.guardduty', { error: 'must be "aws.guardduty"' }),
  account: accountId,
  time: timestamp,
  region,
  resources: z.array(z.string()),
  detail: findingDetail,
});

export type FindingEvent = z.output<typeof findingEvent>;
export type Finding = FindingEvent['detail'];

/** Narrows a parsed event with a further schema on its detail (the fields one remediation needs). */
export function withDetail<T extends z.ZodMiniType>(detail: T) {
  return z.extend(findingEvent, { detail });
}

/** The detail with its resource narrowed (the resource fields one remediation needs). */
export function withResource<T extends z.core.$ZodLooseShape>(resource: T) {
  return withDetail(z.extend(findingDetail, { resource: z.extend(findingDetail.shape.resource, resource) }));
}

/** `detail.resource.instanceDetails.instanceId` -> readable path for log lines. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('').replace(/^\./, '') || '(event)';
}

/**
 * Whether an event is one of GuardDuty's sample findings (CreateSampleFindings, or "Generate sample
 * findings" in the console): `detail.service.additionalInfo.sample` is true, either as a field or
 * inside the JSON text of `additionalInfo.value` (the shape newer findings use for additional
 * information). Read from the raw event, before any schema: a sample's made-up values need not pass
 * the schema, and a sample must be skipped, not rejected into the alarm.
 */
export function isSampleFinding(event: unknown): boolean {
  const info = field(field(field(event, 'detail'), 'service'), 'additionalInfo');
  if (field(info, 'sample') === true) return true;
  const value = field(info, 'value');
  if (typeof value !== 'string' || !value.includes('sample')) return false;
  try {
    return field(JSON.parse(value), 'sample') === true;
  } catch {
    return false;
  }
}

/** `detail.id` and `detail.type` of a raw event when they are strings, for the log lines of any outcome. */
export function findingLogKeys(event: unknown): { findingId?: string; findingType?: string } {
  const detail = field(event, 'detail');
  const id = field(detail, 'id');
  const type = field(detail, 'type');
  return { ...(typeof id === 'string' ? { findingId: id } : {}), ...(typeof type === 'string' ? { findingType: type } : {}) };
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

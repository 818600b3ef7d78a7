import { z } from 'zod';

/**
 * A GuardDuty finding as EventBridge delivers it to a rule target: the EventBridge envelope with the
 * finding in `detail`, in camelCase (the GetFindings API's PascalCase shape is not what arrives).
 * Parsed at the boundary so a malformed event becomes one `InvalidEvent` naming every bad field,
 * not a TypeError deep inside a remediation step. Objects are not strict: GuardDuty adds fields.
 */

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit account id');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be a region name');
const timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 timestamp' });

const networkInterface = z.object({
  networkInterfaceId: z.string().regex(/^eni-[0-9a-f]+$/, 'must be a network interface id').optional(),
  vpcId: z.string().optional(),
  subnetId: z.string().optional(),
  securityGroups: z.array(z.object({ groupId: z.string(), groupName: z.string().optional() })).optional(),
});

export const instanceDetails = z.object({
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'must be an EC2 instance id'),
  networkInterfaces: z.array(networkInterface).optional(),
  tags: z.array(z.object({ key: z.string(), value: z.string() })).optional(),
});

export const accessKeyDetails = z.object({
  accessKeyId: z.string().optional(),
  principalId: z.string().optional(),
  userType: z.string().optional(),
  userName: z.string().min(1, 'must name the user or role'),
});

export const findingDetail = z.object({
  schemaVersion: z.string(),
  accountId,
  region,
  partition: z.string().min(1),
  id: z.string().regex(/^[A-Za-z0-9]{1,64}$/, 'must be a finding id'),
  arn: z.string().startsWith('arn:', 'must be the finding ARN'),
  type: z.string().min(1),
  severity: z.number(),
  createdAt: timestamp,
  updatedAt: timestamp,
  title: z.string().optional(),
  description: z.string().optional(),
  resource: z.object({
    resourceType: z.string(),
    instanceDetails: instanceDetails.optional(),
    accessKeyDetails: accessKeyDetails.optional(),
  }),
  service: z.object({
    action: z.record(z.string(), z.unknown()).optional(),
    eventLastSeen: timestamp.optional(),
    archived: z.boolean().optional(),
  }),
});

export const findingEvent = z.object({
  version: z.string(),
  id: z.string().min(1),
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
export function withDetail<T extends z.ZodType>(detail: T) {
  return findingEvent.extend({ detail: detail });
}

/** `detail.resource.instanceDetails.instanceId` -> readable path for log lines. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `.${String(segment)}`)).join('').replace(/^\./, '') || '(event)';
}

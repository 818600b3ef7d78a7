import { z } from 'zod';

/**
 * The shape of the configuration file (DESIGN.md section 4). Every object is strict, so a misspelled
 * key is an error rather than a silently ignored setting. Checks that need more than one field
 * (roles, duplicates, files, regions) live in `load.ts`.
 */

const ACCOUNT_ID = /^\d{12}$/;

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => `must be one of ${values.join(', ')}; got ${JSON.stringify(issue.input)}`,
  });
}

export const accountId = z
  .string({ error: (issue) => `must be a 12-digit AWS account id written as a string (in quotes); got ${JSON.stringify(issue.input)}` })
  .regex(ACCOUNT_ID, { error: (issue) => `must be a 12-digit AWS account id; got ${JSON.stringify(issue.input)}` });

export const email = z.email({ error: (issue) => `must be an e-mail address; got ${JSON.stringify(issue.input)}` });

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}, not empty` });

export const wave = z
  .number({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` })
  .int({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` })
  .positive({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` });

const flag = z.boolean({ error: (issue) => `must be true or false; got ${JSON.stringify(issue.input)}` });

export const MODES = ['organizations', 'invitations'] as const;
export const AUTO_ENABLE = ['ALL', 'NEW', 'NONE'] as const;
export const PUBLISHING_FREQUENCIES = ['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'] as const;
export const REMEDIATION_MODES = ['auto', 'dry-run', 'off'] as const;
export const BACKEND_TYPES = ['local', 's3', 'cloud'] as const;
export const FILTER_ACTIONS = ['ARCHIVE', 'NOOP'] as const;

export const memberSchema = z.strictObject({
  id: accountId,
  email,
  name: text('a short account name').optional(),
  wave: wave.default(1),
});

const listFile = z.strictObject({
  name: z
    .string({ error: 'must be a list name' })
    .regex(/^[A-Za-z0-9_.-]{1,300}$/, { error: (issue) => `must be 1-300 letters, digits, '.', '_' or '-'; got ${JSON.stringify(issue.input)}` }),
  file: text('the path of the list file'),
});

const protection = z.strictObject({
  s3: flag.default(true),
  eksAuditLogs: flag.default(true),
  ebsMalware: flag.default(true),
  rdsLogin: flag.default(true),
  lambdaNetwork: flag.default(true),
  runtimeMonitoring: flag.default(true),
});

const filter = z.strictObject({
  name: z
    .string({ error: 'must be a filter name' })
    .regex(/^[A-Za-z0-9_.-]{3,64}$/, { error: (issue) => `must be 3-64 letters, digits, '.', '_' or '-'; got ${JSON.stringify(issue.input)}` }),
  description: z.string().max(512).optional(),
  action: oneOf(FILTER_ACTIONS),
  rank: z.number().int().min(1).max(100).optional(),
  criteria: z.record(z.string(), z.record(z.string(), z.unknown()), { error: 'must be an object of field name to condition' }),
});

const backend = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('local'), path: text('a folder for the state files').optional() }),
    z.strictObject({
      type: z.literal('s3'),
      bucket: text('the state bucket name'),
      region: text('the state bucket region'),
      keyPrefix: z.string().default('guardduty'),
      kmsKeyId: text('a KMS key id or ARN').optional(),
      roleArn: text('the ARN of a role to assume for state access').optional(),
    }),
    z.strictObject({
      type: z.literal('cloud'),
      organization: text('the HCP Terraform organization'),
      workspacePrefix: z.string().default('guardduty-'),
      hostname: text('the HCP Terraform host name').optional(),
    }),
  ],
  { error: (issue) => `must be one of ${BACKEND_TYPES.join(', ')}; got ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type)}` },
);

export const configSchema = z.strictObject({
  name: z
    .string({ error: 'must be a short name' })
    .regex(/^[a-z][a-z0-9-]{1,19}$/, {
      error: (issue) => `must be 2-20 lowercase letters, digits or '-', starting with a letter (it goes into bucket names); got ${JSON.stringify(issue.input)}`,
    }),
  mode: oneOf(MODES),
  homeRegion: text('a region name'),
  regions: z.array(text('a region name'), { error: 'must be a list of region names' }).min(1, { error: 'must list at least one region' }),
  additionalRegions: z.array(text('a region name')).default([]),
  roleName: z
    .string({ error: 'must be an IAM role name' })
    .regex(/^[\w+=,.@-]{1,64}$/, { error: (issue) => `must be an IAM role name (1-64 of letters, digits and +=,.@_-); got ${JSON.stringify(issue.input)}` }),
  managementRoleName: z
    .string()
    .regex(/^[\w+=,.@-]{1,64}$/, { error: (issue) => `must be an IAM role name; got ${JSON.stringify(issue.input)}` })
    .optional(),
  accounts: z.strictObject({ management: accountId, admin: accountId, sandbox: accountId }),
  members: z.array(memberSchema, { error: 'must be a list of { id, email, name?, wave? }' }).default([]),
  membersFile: text('the path of a CSV file').optional(),
  autoEnable: oneOf(AUTO_ENABLE).default('ALL'),
  findingPublishingFrequency: oneOf(PUBLISHING_FREQUENCIES).default('FIFTEEN_MINUTES'),
  protection: protection.default({ s3: true, eksAuditLogs: true, ebsMalware: true, rdsLogin: true, lambdaNetwork: true, runtimeMonitoring: true }),
  existingDetectors: z.record(z.string(), z.record(z.string(), z.string(), { error: 'must map region to detector id' }), { error: 'must map account id to { region: detector id }' }).default({}),
  threatLists: z.array(listFile).default([]),
  trustedIpList: listFile.optional(),
  filters: z.array(filter).default([]),
  notifications: z.strictObject({ emails: z.array(email).default([]) }).default({ emails: [] }),
  remediation: z.strictObject({ mode: oneOf(REMEDIATION_MODES).default('auto') }).default({ mode: 'auto' }),
  simulation: z.strictObject({ enabled: flag.default(false) }).default({ enabled: false }),
  backend: backend.default({ type: 'local' }),
  tags: z.record(z.string(), z.string({ error: 'tag values must be strings' })).default({}),
});

/** The configuration file as written, with defaults applied. */
export type RawConfig = z.output<typeof configSchema>;
export type Protection = RawConfig['protection'];
export type Backend = RawConfig['backend'];
export type Filter = RawConfig['filters'][number];
export type Mode = (typeof MODES)[number];
export type AutoEnable = (typeof AUTO_ENABLE)[number];

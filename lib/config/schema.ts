import { z } from 'zod';
import { s3BucketNameProblem } from '../aws/names';
import { SECURITY_HUB_STANDARDS } from '../aws/security-hub';
import { criteriaSchema } from '../guardduty/filters';
import { AUTO_ENABLE, type PlanKey } from '../guardduty/protection';

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

/** An 11-digit id is a 12-digit one whose leading zero a spreadsheet (or a JSON number) dropped. */
function droppedZero(input: unknown): string {
  const digits = String(input);
  return /^\d{11}$/.test(digits) ? ` (11 digits: a spreadsheet drops a leading zero; format the column as text and write "0${digits}")` : '';
}

export const accountId = z
  .string({ error: (issue) => `must be a 12-digit AWS account id written as a string (in quotes); got ${JSON.stringify(issue.input)}${droppedZero(issue.input)}` })
  .regex(ACCOUNT_ID, { error: (issue) => `must be a 12-digit AWS account id; got ${JSON.stringify(issue.input)}${droppedZero(issue.input)}` });

export const email = z.email({ error: (issue) => `must be an e-mail address; got ${JSON.stringify(issue.input)}` });

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}, not empty` });

export const wave = z
  .number({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` })
  .int({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` })
  .positive({ error: (issue) => `must be a positive whole number; got ${JSON.stringify(issue.input)}` });

const flag = z.boolean({ error: (issue) => `must be true or false; got ${JSON.stringify(issue.input)}` });

export const MODES = ['organizations', 'invitations'] as const;
export const PUBLISHING_FREQUENCIES = ['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'] as const;
export const REMEDIATION_MODES = ['auto', 'dry-run', 'off'] as const;
export const REMEDIATION_REGIONS = ['home', 'all'] as const;
export const BACKEND_TYPES = ['local', 's3', 'cloud'] as const;
export const FILTER_ACTIONS = ['ARCHIVE', 'NOOP'] as const;

/** GuardDuty severities: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0; 0 means all. */
const severity = z
  .number({ error: (issue) => `must be a GuardDuty severity from 0 to 10 (low 1, medium 4, high 7, critical 9; 0 = every finding); got ${JSON.stringify(issue.input)}` })
  .min(0, { error: (issue) => `must be a GuardDuty severity from 0 to 10; got ${JSON.stringify(issue.input)}` })
  .max(10, { error: (issue) => `must be a GuardDuty severity from 0 to 10; got ${JSON.stringify(issue.input)}` });

const days = z
  .number({ error: (issue) => `must be a whole number of days, at least 1; got ${JSON.stringify(issue.input)}` })
  .int({ error: (issue) => `must be a whole number of days, at least 1; got ${JSON.stringify(issue.input)}` })
  .min(1, { error: (issue) => `must be a whole number of days, at least 1; got ${JSON.stringify(issue.input)}` });

/** EventBridge archives keep events this many days; 0 keeps them forever. */
const archiveRetentionDays = z
  .number({ error: (issue) => `must be a whole number of days (0 = keep forever); got ${JSON.stringify(issue.input)}` })
  .int({ error: (issue) => `must be a whole number of days (0 = keep forever); got ${JSON.stringify(issue.input)}` })
  .min(0, { error: (issue) => `must be a whole number of days (0 = keep forever); got ${JSON.stringify(issue.input)}` });

/** The retention periods CloudWatch Logs accepts (0 = never expire). */
export const LOG_RETENTION_DAYS = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const logRetentionDays = z
  .number({ error: (issue) => `must be one of ${LOG_RETENTION_DAYS.join(', ')} (0 = never expire); got ${JSON.stringify(issue.input)}` })
  .refine((value) => (LOG_RETENTION_DAYS as readonly number[]).includes(value), {
    error: (issue) => `must be one of ${LOG_RETENTION_DAYS.join(', ')} (0 = never expire); got ${JSON.stringify(issue.input)}`,
  });

/** Storage classes the findings export moves to after `export.transitionDays`. */
export const EXPORT_STORAGE_CLASSES = ['STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER_IR', 'GLACIER', 'DEEP_ARCHIVE'] as const;
/** Accounts the findings export bucket and its key can live in, by their key under `accounts`. */
export const EXPORT_ACCOUNTS = ['admin', 'logArchive'] as const;

// Security Hub and Detective (issue 9). `autoEnable` has no default: it applies to organizations mode
// only, and load.ts reports it when it is set in invitations mode instead of ignoring it.
const securityHub = z.strictObject({
  enabled: flag.default(false),
  standards: z.array(oneOf(SECURITY_HUB_STANDARDS), { error: `must be a list of standards, from: ${SECURITY_HUB_STANDARDS.join(', ')}` }).default([]),
  autoEnable: flag.optional(),
}, { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "enabled": true or false, "standards"?: [...], "autoEnable"?: true or false }' : undefined) });

const detective = z.strictObject({
  enabled: flag.default(false),
  autoEnable: flag.optional(),
  existingGraphs: z
    .record(z.string(), z.string({ error: 'must be a behavior graph ARN' }), { error: 'must map region to the ARN of the behavior graph the admin account already has there' })
    .default({}),
}, { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "enabled": true or false, "autoEnable"?: true or false, "existingGraphs"?: { region: graph ARN } }' : undefined) });

/** GuardDuty takes member e-mail addresses of at most 64 characters (CreateMembers, AccountDetail). */
export const memberEmail = email.max(64, { error: 'must be at most 64 characters (GuardDuty\'s limit for member e-mail addresses)' });

/**
 * Member names are printed in review documents (Markdown): printable, no Markdown syntax, at most
 * 50 characters as AWS account names.
 */
export const memberName = z
  .string({ error: 'must be a short account name' })
  .regex(/^[\p{L}\p{N}][\p{L}\p{M}\p{N} _.,()'&+@/:#-]{0,49}$/u, {
    error: (issue) => `must be 1-50 letters, digits, blanks or _.,()'&+@/:#-, starting with a letter or digit (it is printed in review documents); got ${JSON.stringify(issue.input)}`,
  });

export const memberSchema = z.strictObject({
  id: accountId,
  email: memberEmail,
  name: memberName.optional(),
  wave: wave.default(1),
});

/**
 * Settings that would silently switch detection off are refused (load.ts) unless the list or filter
 * acknowledges them on purpose: `"acknowledge": ["wide-trusted-range"]`.
 */
export const ACKNOWLEDGEMENTS = {
  threatList: ['reserved-threat-range'],
  trustedIpList: ['wide-trusted-range'],
  threatEntitySet: ['reserved-threat-range'],
  trustedEntitySet: ['wide-trusted-range'],
  filter: ['archive-all-findings', 'archive-high-severity', 'archive-whole-account'],
} as const;
export type Acknowledgement = (typeof ACKNOWLEDGEMENTS)[keyof typeof ACKNOWLEDGEMENTS][number];

function acknowledge<const T extends readonly [string, ...string[]]>(values: T) {
  return z.array(oneOf(values), { error: `must be a list of what is acknowledged, from: ${values.join(', ')}` }).optional();
}

// GuardDuty allows letters, digits, '-', '_' and blanks in list names; the name is also part of the
// list's S3 location (at most 300 characters), so blanks are left out and the length is kept short.
const listFileShape = {
  name: z
    .string({ error: 'must be a list name' })
    .regex(/^[A-Za-z0-9_-]{1,128}$/, { error: (issue) => `must be 1-128 letters, digits, '_' or '-'; got ${JSON.stringify(issue.input)}` }),
  file: text('the path of the list file'),
};
const listFile = z.strictObject(
  { ...listFileShape, acknowledge: acknowledge(ACKNOWLEDGEMENTS.threatList) },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "name": ..., "file": ... }' : undefined) },
);
const trustedIpList = z.strictObject({ ...listFileShape, acknowledge: acknowledge(ACKNOWLEDGEMENTS.trustedIpList) }, {
  error: (issue) =>
    issue.code === 'invalid_type' ? 'must be one { "name": ..., "file": ... }: GuardDuty takes one trusted IP list per account and region' : undefined,
});

// Entity lists, EC2 malware scan settings and runtime coverage (issue 27; lib/config/entity-lists.ts
// and lib/config/malware-scan.ts check what needs more than one field).
const threatEntitySet = z.strictObject(
  { ...listFileShape, acknowledge: acknowledge(ACKNOWLEDGEMENTS.threatEntitySet) },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "name": ..., "file": ... }' : undefined) },
);
const trustedEntitySet = z.strictObject({ ...listFileShape, acknowledge: acknowledge(ACKNOWLEDGEMENTS.trustedEntitySet) }, {
  error: (issue) =>
    issue.code === 'invalid_type' ? 'must be one { "name": ..., "file": ... }: GuardDuty takes one trusted entity set per account and region' : undefined,
});

/** An EC2 tag condition of GuardDuty-initiated malware scans (`ScanConditionPair`: key 1-128, value at most 256). */
const scanTag = z.strictObject(
  {
    key: z.string({ error: 'must be a tag key' }).min(1, { error: 'must be a tag key, not empty' }).max(128, { error: 'must be at most 128 characters' }),
    value: z.string({ error: 'must be a tag value' }).max(256, { error: 'must be at most 256 characters' }).optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "key": ..., "value"?: ... } (left without a value, any value of the key matches)' : undefined) },
);
const scanTags = z.array(scanTag, { error: 'must be a list of { "key", "value"? }' }).min(1, { error: 'must list at least one tag, or be left out' });

/** EC2 malware scan settings of the administrator's detector in every region (`UpdateMalwareScanSettings`). */
export const malwareScanSettingsSchema = z.strictObject(
  {
    snapshotRetention: flag.default(false),
    includeTags: scanTags.optional(),
    excludeTags: scanTags.optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "snapshotRetention"?, "includeTags"? or "excludeTags"? }' : undefined) },
);

/** The share of runtime coverage below which `verify` warns. */
const percent = z
  .number({ error: (issue) => `must be a percentage from 0 to 100; got ${JSON.stringify(issue.input)}` })
  .min(0, { error: (issue) => `must be a percentage from 0 to 100; got ${JSON.stringify(issue.input)}` })
  .max(100, { error: (issue) => `must be a percentage from 0 to 100; got ${JSON.stringify(issue.input)}` });
export const DEFAULT_RUNTIME_COVERAGE_PERCENT = 90;

/**
 * One protection plan: `true` / `false`, or an object that also leaves the plan off in listed regions
 * (`excludeRegions`, as Landing Zone Accelerator has it) and switches its additional configurations.
 */
function protectionPlan<const S extends Record<string, z.ZodType>>(settings: S) {
  const keys = ['enabled', 'excludeRegions', ...Object.keys(settings)].join(', ');
  return z.union(
    [
      flag,
      z.strictObject({
        enabled: flag.default(true),
        excludeRegions: z.array(text('a region name'), { error: 'must be a list of region names' }).default([]),
        ...settings,
      }),
    ],
    { error: (issue) => (issue.code === 'invalid_union' ? `must be true, false or { ${keys} }; got ${JSON.stringify(issue.input)}` : undefined) },
  );
}

// Every protection plan of GuardDuty's API model (lib/guardduty/protection.ts says what each protects). The six
// plans of the first release default to on; the newer ones are managed only when configured, so
// that a configuration that leaves them out needs no newer provider (lib/terraform/provider-version.ts).
export const protectionSchema = z.strictObject({
  s3: protectionPlan({}).default(true),
  eksAuditLogs: protectionPlan({}).default(true),
  ebsMalware: protectionPlan({}).default(true),
  rdsLogin: protectionPlan({ dataActivity: flag.optional() }).default(true),
  lambdaNetwork: protectionPlan({}).default(true),
  runtimeMonitoring: protectionPlan({ eksAddon: flag.optional(), ecsFargateAgent: flag.optional(), ec2Agent: flag.optional() }).default(true),
  aiProtection: protectionPlan({}).optional(),
  aiAnalyst: protectionPlan({}).optional(),
} satisfies Record<PlanKey, z.ZodType>);

/** GuardDuty takes at most 5 object prefixes per protected bucket. */
export const MAX_MALWARE_PREFIXES = 5;

// Malware Protection for S3 (issue 14): one protection plan per bucket, in the account that owns it.
const malwareProtectedBucket = z.strictObject(
  {
    account: accountId,
    region: text('a region name'),
    bucket: z
      .string({ error: 'must be an S3 bucket name' })
      .check((context) => {
        const problem = s3BucketNameProblem(context.value);
        if (problem) context.issues.push({ code: 'custom', message: `${problem}; got ${JSON.stringify(context.value)}`, input: context.value });
      }),
    prefixes: z
      .array(z.string({ error: 'must be an object key prefix' }).min(1, { error: 'must not be empty (leave prefixes out to scan the whole bucket)' }).max(1024, { error: 'must be at most 1024 characters' }), {
        error: 'must be a list of object key prefixes',
      })
      .min(1, { error: 'must list at least one prefix, or be left out to scan the whole bucket' })
      .max(MAX_MALWARE_PREFIXES, { error: `GuardDuty scans at most ${MAX_MALWARE_PREFIXES} prefixes per bucket` })
      .optional(),
    tagScannedObjects: flag.default(true),
    kmsKeyArn: z
      .string({ error: 'must be the ARN of the KMS key the bucket encrypts with' })
      .regex(/^arn:[a-z-]+:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, {
        error: (issue) => `must be a KMS key ARN such as "arn:aws:kms:us-east-1:123456789012:key/<key id>" (not an alias); got ${JSON.stringify(issue.input)}`,
      })
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be { "account", "region", "bucket", "prefixes"?, "tagScannedObjects"?, "kmsKeyArn"? }' : undefined) },
);

const filter = z.strictObject({
  name: z
    .string({ error: 'must be a filter name' })
    .regex(/^[A-Za-z0-9_.-]{3,64}$/, { error: (issue) => `must be 3-64 letters, digits, '.', '_' or '-'; got ${JSON.stringify(issue.input)}` }),
  description: z.string().max(512).optional(),
  action: oneOf(FILTER_ACTIONS),
  // GuardDuty wants ranks 1..N without gaps; left out, a filter's rank is its position in the list.
  rank: z
    .number({ error: 'must be a whole number from 1' })
    .int({ error: 'must be a whole number from 1' })
    .min(1, { error: 'must be a whole number from 1' })
    .optional(),
  criteria: criteriaSchema,
  acknowledge: acknowledge(ACKNOWLEDGEMENTS.filter),
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
      // Each account's provider takes HCP Terraform's dynamic credentials for that account (a plan role and an apply role), instead of assuming roleName.
      dynamicCredentials: flag.optional(),
    }),
  ],
  { error: (issue) => `must be one of ${BACKEND_TYPES.join(', ')}; got ${JSON.stringify((issue.input as { type?: unknown } | undefined)?.type)}` },
);

/**
 * Concurrent executions reserved for each remediation function: other functions of the sandbox account
 * cannot starve them, and a burst of findings cannot run up more than this many EC2 or IAM callers at
 * once (Lambda queues the rest of an asynchronous burst and retries throttled events for up to 6 hours).
 */
export const REMEDIATION_RESERVED_CONCURRENCY = 5;
const reservedConcurrencyError = (issue: { input?: unknown }) =>
  `must be a whole number from 1 to 1000, or "none" to use the account's unreserved concurrency; got ${JSON.stringify(issue.input)}`;

/** How many entries one exemption list may hold: each is a deny in a role policy (10,240 characters) and part of a function's environment (4 KB). */
export const MAX_EXEMPTIONS = 50;
const exemptionList = <T extends z.ZodType<string>>(item: T, what: string) =>
  z.array(item, { error: `must be a list of ${what}` }).max(MAX_EXEMPTIONS, { error: `at most ${MAX_EXEMPTIONS} ${what}` }).default([]);
const roleRef = z
  .string({ error: 'must be an IAM role name or ARN' })
  .regex(/^((arn:[\w-]+:iam::\d{12}:role\/([\w+=,.@-]+\/)*)[\w+=,.@-]{1,64}|[\w+=,.@-]{1,64})$/, {
    error: (issue) => `must be an IAM role name or a role ARN (arn:aws:iam::<account>:role/<path/>name); got ${JSON.stringify(issue.input)}`,
  });

/**
 * What the security team exempts from the automatic response (issue 22): configuration, not tags, so
 * no workload can exempt itself. The exemption tag counts too only where the product deploys the
 * service control policy that reserves it (`serviceControlPolicy`).
 */
const exemptions = z.strictObject({
  instances: exemptionList(z.string().regex(/^i-[0-9a-f]{8,17}$/, { error: (issue) => `must be an EC2 instance id (i-...); got ${JSON.stringify(issue.input)}` }), 'instance ids'),
  roles: exemptionList(roleRef, 'role names or ARNs'),
  users: exemptionList(z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: (issue) => `must be an IAM user name; got ${JSON.stringify(issue.input)}` }), 'user names'),
  accounts: exemptionList(accountId, 'account ids'),
});

/** Organizations SCP targets: an account, an organizational unit, or the root. */
const scpTarget = z
  .string({ error: 'must be an account id, an organizational unit id or the root id' })
  .regex(/^(\d{12}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/, {
    error: (issue) => `must be an account id (12 digits), an organizational unit id (ou-...) or the root id (r-...); got ${JSON.stringify(issue.input)}`,
  });

/**
 * The service control policy that reserves the remediation's tag keys and policy path for the
 * security team and the remediation roles (organizations mode; opt-in). With it, and only with it,
 * the exemption tag is honoured.
 */
const serviceControlPolicy = z.strictObject({
  enabled: flag.default(false),
  /** Where to attach it. @default the sandbox account */
  targets: z.array(scpTarget, { error: 'must be a list of account, organizational unit or root ids' }).min(1, { error: 'must name at least one target' }).optional(),
  /** The security team's roles in the sandbox account, which alone may set the exemption tag. */
  securityTeamRoles: z.array(roleRef, { error: 'must be a list of role names or ARNs' }).default([]),
});

/** The sandbox remediation (issue 5): what the Lambdas may touch, where they run, who hears of it. */
const remediation = z.strictObject({
  mode: oneOf(REMEDIATION_MODES).default('auto'),
  regions: oneOf(REMEDIATION_REGIONS).default('home'),
  rolePathPrefix: z
    .string({ error: 'must be an IAM path such as "/" or "/workloads/"' })
    .regex(/^\/([\w+=,.@-]+\/)*$/, { error: (issue) => `must be an IAM path that starts and ends with "/", such as "/" or "/workloads/"; got ${JSON.stringify(issue.input)}` })
    .default('/'),
  roleNamePrefix: z
    .string({ error: 'must be the start of IAM role names' })
    .regex(/^[\w+=,.@-]{0,63}$/, { error: (issue) => `must be the start of an IAM role name (letters, digits and +=,.@_-); got ${JSON.stringify(issue.input)}` })
    .default(''),
  exemptTag: z
    .string({ error: 'must be a tag key' })
    .regex(/^[\w .:/=+@-]{1,127}$/, { error: (issue) => `must be a tag key (1-127 letters, digits, spaces and _.:/=+-@); got ${JSON.stringify(issue.input)}` })
    .refine((key) => !key.toLowerCase().startsWith('aws:'), { error: 'must not start with "aws:" (reserved by AWS)' })
    .default('GuardDutyRemediationExempt'),
  deactivateAccessKeys: flag.default(false),
  emails: z.array(email).optional(),
  protectedRoles: z
    .array(
      z
        .string({ error: 'must be an IAM role name' })
        .regex(/^[\w+=,.@*-]{1,64}$/, { error: (issue) => `must be an IAM role name, where * matches any characters (1-64 of letters, digits, +=,.@_-*); got ${JSON.stringify(issue.input)}` }),
      { error: 'must be a list of IAM role names' },
    )
    .default([]),
  reservedConcurrency: z
    .union([z.number().int({ error: reservedConcurrencyError }).min(1, { error: reservedConcurrencyError }).max(1000, { error: reservedConcurrencyError }), z.literal('none')], {
      error: reservedConcurrencyError,
    })
    .default(REMEDIATION_RESERVED_CONCURRENCY),
  exemptions: exemptions.default({ instances: [], roles: [], users: [], accounts: [] }),
  serviceControlPolicy: serviceControlPolicy.default({ enabled: false, securityTeamRoles: [] }),
});
const REMEDIATION_DEFAULTS = {
  mode: 'auto',
  regions: 'home',
  rolePathPrefix: '/',
  roleNamePrefix: '',
  exemptTag: 'GuardDutyRemediationExempt',
  deactivateAccessKeys: false,
  reservedConcurrency: REMEDIATION_RESERVED_CONCURRENCY,
} as const;

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
  accounts: z.strictObject({ management: accountId, admin: accountId, sandbox: accountId, logArchive: accountId.optional() }),
  members: z.array(memberSchema, { error: 'must be a list of { id, email, name?, wave? }' }).default([]),
  membersFile: text('the path of a CSV file').optional(),
  autoEnable: oneOf(AUTO_ENABLE).default('ALL'),
  findingPublishingFrequency: oneOf(PUBLISHING_FREQUENCIES).default('FIFTEEN_MINUTES'),
  protection: protectionSchema.default({ s3: true, eksAuditLogs: true, ebsMalware: true, rdsLogin: true, lambdaNetwork: true, runtimeMonitoring: true }),
  existingDetectors: z.record(z.string(), z.record(z.string(), z.string(), { error: 'must map region to detector id' }), { error: 'must map account id to { region: detector id }' }).default({}),
  existingDelegations: z.array(text('a region name'), { error: 'must be a list of the regions where accounts.admin already is the delegated administrator' }).default([]),
  threatLists: z.array(listFile).default([]),
  trustedIpList: trustedIpList.optional(),
  threatEntitySets: z.array(threatEntitySet, { error: 'must be a list of { "name", "file" }' }).default([]),
  trustedEntitySet: trustedEntitySet.optional(),
  malwareScanSettings: malwareScanSettingsSchema.optional(),
  runtimeCoverage: z
    .strictObject({ warnBelowPercent: percent.default(DEFAULT_RUNTIME_COVERAGE_PERCENT) })
    .default({ warnBelowPercent: DEFAULT_RUNTIME_COVERAGE_PERCENT }),
  filters: z.array(filter).default([]),
  notifications: z
    .strictObject({ emails: z.array(email).default([]), minSeverity: severity.default(4) })
    .default({ emails: [], minSeverity: 4 }),
  organizationId: z
    .string({ error: 'must be the organization id, like "o-a1b2c3d4e5"' })
    .regex(/^o-[a-z0-9]{10,32}$/, { error: (issue) => `must be an organization id ("o-" and 10-32 lowercase letters or digits); got ${JSON.stringify(issue.input)}` })
    .optional(),
  forwarding: z
    .strictObject({ minSeverity: severity.default(0), archiveRetentionDays: archiveRetentionDays.default(365) })
    .default({ minSeverity: 0, archiveRetentionDays: 365 }),
  sinks: z
    .strictObject({ logRetentionDays: logRetentionDays.default(365), siemQueue: flag.default(true) })
    .default({ logRetentionDays: 365, siemQueue: true }),
  export: z
    .strictObject({
      enabled: flag.default(true),
      transitionDays: days.default(90),
      storageClass: oneOf(EXPORT_STORAGE_CLASSES).default('GLACIER'),
      expirationDays: days.optional(),
      bucketAccount: oneOf(EXPORT_ACCOUNTS).default('admin'),
      // Left out, the key lives with the bucket.
      keyAccount: oneOf(EXPORT_ACCOUNTS).optional(),
      forceDestroy: flag.default(false),
      // A folder of the bucket for GuardDuty's export (issue 27: its folder marker is created first).
      prefix: z
        .string({ error: 'must be a folder of the bucket, like "guardduty"' })
        .regex(/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/, {
          error: (issue) => `must be a folder of the bucket without "/" at either end (letters, digits and !_.*'()-, folders separated by "/"); got ${JSON.stringify(issue.input)}`,
        })
        .max(200, { error: 'must be at most 200 characters' })
        .optional(),
    })
    .default({ enabled: true, transitionDays: 90, storageClass: 'GLACIER', bucketAccount: 'admin', forceDestroy: false }),
  remediation: remediation.default(() => ({
    ...REMEDIATION_DEFAULTS,
    protectedRoles: [],
    exemptions: { instances: [], roles: [], users: [], accounts: [] },
    serviceControlPolicy: { enabled: false, securityTeamRoles: [] },
  })),
  simulation: z.strictObject({ enabled: flag.default(false) }).default({ enabled: false }),
  securityHub: securityHub.default({ enabled: false, standards: [] }),
  detective: detective.default({ enabled: false, existingGraphs: {} }),
  backend: backend.default({ type: 'local' }),
  tags: z.record(z.string(), z.string({ error: 'tag values must be strings' })).default({}),
  malwareProtection: z
    .strictObject({ s3: z.array(malwareProtectedBucket, { error: 'must be a list of { account, region, bucket, ... }' }).default([]) })
    .default({ s3: [] }),
  // Pins hashicorp/aws to one version instead of the range from lib/terraform/provider-version.ts.
  providerVersion: z
    .string({ error: 'must be a hashicorp/aws version such as "6.66.0"' })
    .regex(/^\d+\.\d+\.\d+$/, { error: (issue) => `must be one exact hashicorp/aws version such as "6.66.0"; got ${JSON.stringify(issue.input)}` })
    .optional(),
});

/** The configuration file as written, with defaults applied. */
export type RawConfig = z.output<typeof configSchema>;
export type Protection = RawConfig['protection'];
export type Backend = RawConfig['backend'];
export type Filter = RawConfig['filters'][number];
export type Mode = (typeof MODES)[number];
export type Remediation = RawConfig['remediation'];
export type ExportAccount = (typeof EXPORT_ACCOUNTS)[number];
export type MalwareProtectedBucket = RawConfig['malwareProtection']['s3'][number];
export type MalwareScanSettings = NonNullable<RawConfig['malwareScanSettings']>;

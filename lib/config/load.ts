import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { duplicateKeyProblems } from './duplicate-keys';
import { jsonSyntaxError } from './json-syntax';
import { configFolder, readConfiguredFile, shownPath, type ConfigFolder } from './files';
import { parseMembersCsv, type Member } from './members-csv';
import { checkBackend } from './backend';
import { checkExportAccounts } from './export';
import { checkInvestigation } from './investigation';
import { checkMalwareProtection } from './malware-protection';
import { checkMalwareScanSettings } from './malware-scan';
import { resolveEntityLists, type EntityListFile } from './entity-lists';
import { checkPartition } from './partition';
import { checkProtection } from './protection';
import { checkProviderVersion } from './provider';
import { ConfigError, fieldPath, type Problem } from '../problems';
import { closestName, KNOWN_REGIONS, REGION_NAME_PATTERN } from '../aws/regions';
import { accountId, configSchema, memberSchema, protectionSchema, type Mode, type RawConfig } from './schema';
import { reservedTextProblems } from './reserved-text';
import { silencingEntries, type ConfiguredList } from './silencing';
import { tagProblems } from './tags';
import { checkRemediation, remediationTagKeys } from './remediation';
import { filterProblems } from '../guardduty/filters';
import { LIST_LIMITS, parseList, trustedOverlapProblems, type ListKind, type NamedList } from '../guardduty/lists';

export type { Member } from './members-csv';

/** A list file named in the configuration: as messages name it, resolved, and parsed. */
export interface ListFile extends NamedList {
  /** Absolute path, inside the configuration's folder. */
  readonly path: string;
}

/** The validated configuration that the stack plan and the stacks are built from. */
export interface OrgConfig
  extends Readonly<Omit<RawConfig, 'members' | 'membersFile' | 'threatLists' | 'trustedIpList' | 'threatEntitySets' | 'trustedEntitySet' | 'managementRoleName'>> {
  /** Inline members first, then the CSV file's, in listing order (which decides how waves split). */
  readonly members: readonly Member[];
  readonly threatLists: readonly ListFile[];
  readonly trustedIpList?: ListFile;
  readonly threatEntitySets: readonly EntityListFile[];
  readonly trustedEntitySet?: EntityListFile;
  /** Role assumed in the management account (OrganizationAccountAccessRole does not exist there). */
  readonly managementRoleName: string;
  /** The configuration file as named in messages. */
  readonly configFile: string;
  /** The project folder, where cdktf runs: the local backend's state folder resolves against it. */
  readonly baseDir: string;
  /** The configuration file's folder (absolute): `membersFile` and list files resolve in it. */
  readonly configDir: string;
}

export const DEFAULT_CONFIG_FILE = 'config/org.json';

export function configFileFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.ORG_CONFIG && env.ORG_CONFIG.trim() !== '' ? env.ORG_CONFIG : DEFAULT_CONFIG_FILE;
}

export interface LoadOptions {
  /** The project folder, which a relative configuration path is relative to. @default process.cwd() */
  readonly cwd?: string;
}

/** Reads, parses and validates the configuration file; throws `ConfigError` listing every problem. */
export function loadConfig(file: string, options: LoadOptions = {}): OrgConfig {
  const cwd = options.cwd ?? process.cwd();
  const absolute = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError([{ file, message: `cannot read the configuration (${reason}); set ORG_CONFIG to its path or create ${DEFAULT_CONFIG_FILE}` }]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([jsonProblem(file, text, error as Error)]);
  }
  const duplicates = duplicateKeyProblems(text, file);
  let config: OrgConfig;
  try {
    config = parseConfig(data, { file, cwd });
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...duplicates, ...error.problems]);
    throw error;
  }
  if (duplicates.length > 0) throw new ConfigError(duplicates);
  return config;
}

export interface ParseOptions {
  /** The configuration file, as messages name it; `membersFile` and list files resolve in its folder. */
  readonly file: string;
  /** The project folder, which a relative `file` is relative to. @default process.cwd() */
  readonly cwd?: string;
}

/** Validates configuration data already in memory, as if read from `options.file`. */
export function parseConfig(data: unknown, options: ParseOptions): OrgConfig {
  const file = options.file;
  const baseDir = options.cwd ?? process.cwd();
  const folder = configFolder(file, baseDir);
  const problems: Problem[] = [];

  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(...issueProblems(file, issue, data));
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(problems);
  }
  // Cross-field checks run even when some fields are invalid, on the fields that are valid, so one
  // run reports everything.
  const fields: Fields = parsed.success ? parsed.data : validFields(data as Record<string, unknown>);
  const { members, complete } = collectMembers(fields, data as Record<string, unknown>, file, folder, problems);
  checkRegions(fields, file, problems);
  checkBackend(fields.backend, file, problems);
  checkPartition(fields, file, problems);
  checkAccounts(fields, members, complete, file, problems);
  checkExistingDetectors(fields, members, complete, file, problems);
  checkExistingDelegations(fields, file, problems);
  checkInvestigation({ ...fields, memberCount: members.length }, file, problems, data);
  const lists = resolveListFiles(fields, file, folder, problems);
  const entityLists = resolveEntityLists(fields, file, folder, problems);
  problems.push(...filterProblems(fields.filters ?? [], file));
  checkFindingsFlow(fields, file, problems);
  problems.push(...tagProblems(fields.tags ?? {}, file, remediationTagKeys(fields.remediation)));
  checkRemediation(fields, file, problems);
  problems.push(...reservedTextProblems(data, file));
  checkProtection(fields, file, problems);
  checkProviderVersion(fields, file, problems);
  checkExportAccounts(fields, file, problems);
  checkMalwareProtection(fields, file, problems);
  checkMalwareScanSettings(fields, file, problems);

  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const { membersFile: _membersFile, managementRoleName, trustedIpList: _trustedIpList, trustedEntitySet: _trustedEntitySet, ...rest } = parsed.data;
  return {
    ...rest,
    members,
    threatLists: lists.threatLists,
    ...(lists.trustedIpList ? { trustedIpList: lists.trustedIpList } : {}),
    threatEntitySets: entityLists.threatEntitySets,
    ...(entityLists.trustedEntitySet ? { trustedEntitySet: entityLists.trustedEntitySet } : {}),
    managementRoleName: managementRoleName ?? parsed.data.roleName,
    configFile: file,
    baseDir,
    configDir: folder.dir,
  };
}

/** The fields that are valid on their own; members keep their index so messages point at them. */
type Fields = Partial<Omit<RawConfig, 'accounts' | 'members'>> & {
  accounts?: Partial<RawConfig['accounts']>;
  members?: (RawConfig['members'][number] & { index?: number })[];
};

/** Each field that is valid on its own, so cross-field checks can still run beside schema errors. */
function validFields(data: Record<string, unknown>): Fields {
  const fields: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(configSchema.shape)) {
    const result = (schema as z.ZodType).safeParse(data[key]);
    if (result.success) fields[key] = result.data;
  }
  // One bad plan leaves the others checked (excluded regions, agents of a plan switched off).
  const protection = data.protection;
  if (fields.protection === undefined && typeof protection === 'object' && protection !== null) {
    const plans = Object.entries(protectionSchema.shape).flatMap(([key, schema]) => {
      const result = (schema as z.ZodType).safeParse((protection as Record<string, unknown>)[key]);
      return result.success && result.data !== undefined ? [[key, result.data]] : [];
    });
    fields.protection = Object.fromEntries(plans);
  }
  const accounts = data.accounts;
  if (fields.accounts === undefined && typeof accounts === 'object' && accounts !== null) {
    const valid = Object.entries(accounts).filter(([, id]) => accountId.safeParse(id).success);
    fields.accounts = Object.fromEntries(valid);
  }
  if (Array.isArray(data.members)) {
    fields.members = data.members.flatMap((entry, index) => {
      const member = memberSchema.safeParse(entry);
      return member.success ? [{ ...member.data, index }] : [];
    });
  }
  return fields as Fields;
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function issueProblems(file: string, issue: z.core.$ZodIssue, data: unknown): Problem[] {
  if (issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined) {
    return [{ file, path: fieldPath(issue.path), message: 'is required' }];
  }
  if (issue.code === 'unrecognized_keys') {
    const { allowed, elsewhere } = allowedKeys(issue.path, data);
    return issue.keys.map((key) => {
      const suggestion = closestName(key, allowed);
      return {
        file,
        path: fieldPath([...issue.path, key]),
        message: elsewhere(key) ?? (suggestion ? `unknown key; did you mean "${suggestion}"?` : `unknown key; allowed here: ${allowed.join(', ')}`),
      };
    });
  }
  if (issue.code === 'invalid_union' && fieldPath(issue.path) === 'backend') {
    return [{ file, path: 'backend.type', message: issue.message }];
  }
  return [{ file, path: issue.path.length ? fieldPath(issue.path) : undefined, message: issue.message }];
}

/**
 * The keys the schema accepts for the object at `segments`, for "did you mean" hints. Of a
 * discriminated union, those of the branch the value's discriminator chose; a key of another
 * branch gets a message of its own (`backend.organization` with `backend.type` "s3").
 */
function allowedKeys(segments: readonly PropertyKey[], data: unknown): { allowed: string[]; elsewhere: (key: string) => string | undefined } {
  const none = { allowed: [], elsewhere: () => undefined };
  let schema: unknown = configSchema;
  for (const segment of segments) {
    schema = unwrap(schema);
    if (typeof segment === 'number') schema = (schema as z.ZodArray<z.ZodType>).element;
    else if (schema instanceof z.ZodObject) schema = schema.shape[String(segment)];
    else if (schema instanceof z.ZodRecord) schema = schema.valueType;
    else return none;
  }
  schema = unwrap(schema);
  if (schema instanceof z.ZodObject) return { allowed: Object.keys(schema.shape), elsewhere: () => undefined };
  if (!(schema instanceof z.ZodUnion)) return none;
  // A union's object branches (a discriminated union's options; a protection plan's object form).
  const branches = schema.options.filter((option): option is z.ZodObject => option instanceof z.ZodObject);
  const all = [...new Set(branches.flatMap((branch) => Object.keys(branch.shape)))];
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return { allowed: all, elsewhere: () => undefined };
  const discriminator = schema.def.discriminator;
  const valueOf = (branch: z.ZodObject) => (branch.shape[discriminator] as z.ZodLiteral).value;
  const chosen = branches.find((branch) => valueOf(branch) === (valueAt(data, segments) as Record<string, unknown> | undefined)?.[discriminator]);
  if (!chosen) return { allowed: all, elsewhere: () => undefined };
  const field = fieldPath([...segments, discriminator]);
  return {
    allowed: Object.keys(chosen.shape),
    elsewhere: (key) => {
      const owners = branches.filter((branch) => branch !== chosen && key in branch.shape).map((branch) => JSON.stringify(valueOf(branch)));
      return owners.length > 0 ? `only with ${field} ${owners.join(' or ')}; here it is ${JSON.stringify(valueOf(chosen))}` : undefined;
    },
  };
}

function unwrap(schema: unknown): unknown {
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional) schema = schema.unwrap();
  return schema;
}

function jsonProblem(file: string, text: string, error: Error): Problem {
  const syntax = jsonSyntaxError(text);
  // JSON.parse and the scan agree on what JSON is; should they not, Node's message still says something.
  if (!syntax) return { file, message: `not valid JSON: ${error.message}` };
  return { file, line: syntax.line, message: `not valid JSON (column ${syntax.column}): ${syntax.message}` };
}

/**
 * The listed members that are valid, and whether that is every account listed: a check that concludes
 * from an account's absence (the sandbox not enrolled, say) would otherwise blame an account whose
 * entry has only a problem of its own, reported already.
 */
function collectMembers(
  fields: Fields,
  data: Record<string, unknown>,
  file: string,
  folder: ConfigFolder,
  problems: Problem[],
): { members: Member[]; complete: boolean } {
  const members: Member[] = (fields.members ?? []).map(({ index, ...member }, position) => ({
    ...member,
    source: `${file}: members[${index ?? position}]`,
  }));
  let complete = !Array.isArray(data.members) || members.length === data.members.length;
  if (data.membersFile !== undefined && fields.membersFile === undefined) complete = false;
  if (fields.membersFile !== undefined) {
    const text = readNamedFile(fields.membersFile, folder, file, 'membersFile', problems);
    if (text === undefined) complete = false;
    else {
      const fromCsv = parseMembersCsv(text, shownPath(fields.membersFile, folder));
      if (fromCsv.problems.length > 0) complete = false;
      problems.push(...fromCsv.problems);
      members.push(...fromCsv.members);
    }
  }
  return { members, complete };
}

/** Reads a file named by a configuration field; a file that may not be read is a problem on that field. */
function readNamedFile(written: string, folder: ConfigFolder, configFile: string, field: string, problems: Problem[]): string | undefined {
  const read = readConfiguredFile(written, folder);
  if ('text' in read) return read.text;
  problems.push({ file: configFile, path: field, message: read.refused });
  return undefined;
}

function checkRegions(fields: Fields, file: string, problems: Problem[]): void {
  const additional = fields.additionalRegions ?? [];
  additional.forEach((region, index) => {
    if (!REGION_NAME_PATTERN.test(region)) {
      problems.push({ file, path: `additionalRegions[${index}]`, message: `${JSON.stringify(region)} is not a region name (like "xx-east-1")` });
    } else if (KNOWN_REGIONS.includes(region)) {
      problems.push({ file, path: `additionalRegions[${index}]`, message: `${JSON.stringify(region)} is already known; list it in regions only` });
    }
  });
  const known = [...KNOWN_REGIONS, ...additional];
  const unknown = (region: string) => {
    const suggestion = closestName(region, known);
    return suggestion
      ? `unknown region ${JSON.stringify(region)}; did you mean "${suggestion}"?`
      : `unknown region ${JSON.stringify(region)}; if it is newer than this tool's region table, also list it in additionalRegions`;
  };
  const seen = new Set<string>();
  (fields.regions ?? []).forEach((region, index) => {
    if (!known.includes(region)) problems.push({ file, path: `regions[${index}]`, message: unknown(region) });
    else if (seen.has(region)) problems.push({ file, path: `regions[${index}]`, message: `${JSON.stringify(region)} is listed twice` });
    seen.add(region);
  });
  if (fields.homeRegion !== undefined) {
    if (!known.includes(fields.homeRegion)) problems.push({ file, path: 'homeRegion', message: unknown(fields.homeRegion) });
    else if (fields.regions && !fields.regions.includes(fields.homeRegion)) {
      problems.push({ file, path: 'homeRegion', message: `${JSON.stringify(fields.homeRegion)} must also be listed in regions (${fields.regions.join(', ')})` });
    }
  }
  if (fields.backend?.type === 's3' && !known.includes(fields.backend.region)) {
    problems.push({ file, path: 'backend.region', message: unknown(fields.backend.region) });
  }
}

/**
 * Member accounts of one GuardDuty administrator: 50,000 for the delegated administrator of an
 * organization (user guide, "Managing GuardDuty accounts with AWS Organizations"), 5,000 for one
 * that invites them (user guide, quotas: "Member accounts").
 */
export const MEMBER_QUOTA: Readonly<Record<Mode, number>> = { organizations: 50_000, invitations: 5_000 };

function checkAccounts(fields: Fields, members: readonly Member[], membersComplete: boolean, file: string, problems: Problem[]): void {
  const accounts = fields.accounts;
  if (accounts) {
    if (accounts.admin !== undefined && accounts.admin === accounts.management) {
      problems.push({ file, path: 'accounts.admin', message: `must not be the management account (${accounts.management}): GuardDuty administration is delegated to another account, usually security/audit` });
    }
    if (accounts.sandbox !== undefined && accounts.sandbox === accounts.management) {
      problems.push({ file, path: 'accounts.sandbox', message: `must not be the management account (${accounts.management}): the simulation and remediation need an account of their own` });
    }
    if (accounts.sandbox !== undefined && accounts.sandbox === accounts.admin) {
      problems.push({ file, path: 'accounts.sandbox', message: `must not be the admin account (${accounts.admin}): the simulation and remediation need an account of their own` });
    }
  }

  const firstSeen = new Map<string, Member>();
  for (const member of members) {
    const where = memberWhere(member, file);
    const earlier = firstSeen.get(member.id);
    if (earlier) {
      problems.push({ ...where, message: `account ${member.id} is listed twice (also at ${earlier.source})` });
      continue;
    }
    firstSeen.set(member.id, member);
    if (accounts && member.id === accounts.admin) {
      problems.push({ ...where, message: `account ${member.id} is the admin account (accounts.admin); the administrator cannot be its own member` });
    }
  }

  const quota = fields.mode === undefined ? undefined : MEMBER_QUOTA[fields.mode];
  if (quota !== undefined && firstSeen.size > quota) {
    problems.push({
      file,
      path: fields.membersFile === undefined ? 'members' : 'members, membersFile',
      message: `${firstSeen.size.toLocaleString('en-US')} member accounts; a GuardDuty administrator takes at most ${quota.toLocaleString('en-US')} in ${fields.mode} mode`,
    });
  }

  const sandboxMustBeListed =
    accounts?.sandbox !== undefined &&
    (fields.mode === 'invitations' || (fields.mode === 'organizations' && fields.autoEnable !== 'ALL')) &&
    (fields.simulation?.enabled || fields.remediation?.mode !== 'off');
  if (sandboxMustBeListed && membersComplete && accounts?.sandbox && !firstSeen.has(accounts.sandbox)) {
    const why = fields.mode === 'invitations' ? 'in invitations mode' : `with autoEnable ${fields.autoEnable}`;
    problems.push({
      file,
      path: 'accounts.sandbox',
      message: `${accounts.sandbox} is not enrolled ${why}: list it in members (or membersFile) so its findings reach the administrator`,
    });
  }
}

/** A member's location: a field path for inline members, file:line for CSV rows. */
function memberWhere(member: Member, configFile: string): Pick<Problem, 'file' | 'line' | 'path'> {
  const inline = /^(.*): (members\[\d+\])$/.exec(member.source);
  if (inline) return { file: configFile, path: `${inline[2]}.id` };
  const csv = /^(.*):(\d+)$/.exec(member.source);
  return csv ? { file: csv[1], line: Number(csv[2]), path: 'AccountId' } : { file: configFile };
}

function checkExistingDelegations(fields: Fields, file: string, problems: Problem[]): void {
  const delegations = fields.existingDelegations ?? [];
  if (delegations.length > 0 && fields.mode === 'invitations') {
    problems.push({ file, path: 'existingDelegations', message: 'applies to organizations mode only: in invitations mode nothing is delegated' });
    return;
  }
  const seen = new Set<string>();
  delegations.forEach((region, index) => {
    if (fields.regions && !fields.regions.includes(region)) {
      problems.push({ file, path: `existingDelegations[${index}]`, message: `${JSON.stringify(region)} is not in regions (${fields.regions.join(', ')})` });
    } else if (seen.has(region)) {
      problems.push({ file, path: `existingDelegations[${index}]`, message: `${JSON.stringify(region)} is listed twice` });
    }
    seen.add(region);
  });
}

function checkExistingDetectors(fields: Fields, members: readonly Member[], membersComplete: boolean, file: string, problems: Problem[]): void {
  const importable = new Set<string>();
  if (fields.accounts?.admin) importable.add(fields.accounts.admin);
  if (fields.mode === 'invitations') for (const member of members) importable.add(member.id);
  for (const [account, byRegion] of Object.entries(fields.existingDetectors ?? {})) {
    const at = `existingDetectors.${account}`;
    if (!/^\d{12}$/.test(account)) {
      problems.push({ file, path: at, message: 'must be a 12-digit account id' });
      continue;
    }
    if (!importable.has(account) && (membersComplete || fields.mode !== 'invitations')) {
      problems.push({
        file,
        path: at,
        message:
          fields.mode === 'invitations'
            ? 'is neither the admin account nor a listed member; only their detectors are managed here'
            : 'is not the admin account; in organizations mode only the admin detector is managed here (members are enabled by the organization)',
      });
    }
    for (const [region, detectorId] of Object.entries(byRegion)) {
      if (fields.regions && !fields.regions.includes(region)) {
        problems.push({ file, path: `${at}.${region}`, message: `region is not in regions (${fields.regions.join(', ')})` });
      }
      if (!/^[0-9a-f]{32}$/.test(detectorId)) {
        problems.push({ file, path: `${at}.${region}`, message: `must be a GuardDuty detector id (32 lowercase hex characters); got ${JSON.stringify(detectorId)}` });
      }
    }
  }
}

function resolveListFiles(
  fields: Fields,
  file: string,
  folder: ConfigFolder,
  problems: Problem[],
): { threatLists: ListFile[]; trustedIpList?: ListFile } {
  const resolve = (list: ConfiguredList, field: string, kind: ListKind, getsSimulationIp = false): ListFile => {
    const shown = shownPath(list.file, folder);
    const text = readNamedFile(list.file, folder, file, `${field}.file`, problems);
    const parsed = text === undefined ? undefined : parseList(text, shown, kind);
    if (parsed) problems.push(...parsed.problems);
    if (parsed && parsed.entries.length === 0 && !getsSimulationIp && parsed.problems.length === 0) {
      problems.push({ file: shown, message: 'lists no address or CIDR; add one, or remove the list from the configuration' });
    }
    if (parsed) problems.push(...silencingEntries(parsed.entries, kind, list, { shown, field, configFile: file }));
    return { name: list.name, file: shown, path: path.resolve(folder.dir, list.file), entries: parsed?.entries ?? [] };
  };
  const names = new Set<string>();
  const threatLists = (fields.threatLists ?? []).map((list, index) => {
    if (names.has(list.name)) problems.push({ file, path: `threatLists[${index}].name`, message: `${JSON.stringify(list.name)} is used twice` });
    names.add(list.name);
    // The simulation's malicious Elastic IP joins the first threat list (see ThreatIntelStack).
    return resolve(list, `threatLists[${index}]`, 'threat', index === 0 && fields.simulation?.enabled === true);
  });
  if (threatLists.length > LIST_LIMITS.threatLists) {
    problems.push({
      file,
      path: 'threatLists',
      message: `${threatLists.length} threat lists; GuardDuty takes at most ${LIST_LIMITS.threatLists} per account and region (merge some files)`,
    });
  }
  const trustedIpList = fields.trustedIpList ? resolve(fields.trustedIpList, 'trustedIpList', 'trusted') : undefined;
  problems.push(...trustedOverlapProblems(threatLists, trustedIpList));
  return { threatLists, ...(trustedIpList ? { trustedIpList } : {}) };
}

/**
 * The central bus admits the organization by its id (`aws:PrincipalOrgID`). The id is configured
 * rather than read with a data source: the plan shows it, no extra Organizations permission or call
 * is needed in the admin account, and a wrong or missing value fails here instead of at apply time.
 */
function checkFindingsFlow(fields: Fields, file: string, problems: Problem[]): void {
  if (fields.mode === 'organizations' && fields.organizationId === undefined && !('organizationId' in problemPaths(problems))) {
    problems.push({
      file,
      path: 'organizationId',
      message: 'is required in organizations mode: the central findings bus accepts events from this organization only (find it with `aws organizations describe-organization`)',
    });
  }
  const exported = fields.export;
  if (exported?.expirationDays !== undefined && exported.expirationDays <= exported.transitionDays) {
    problems.push({
      file,
      path: 'export.expirationDays',
      message: `must be more than export.transitionDays (${exported.transitionDays}): S3 expires objects only after they moved to ${exported.storageClass}`,
    });
  }
}

function problemPaths(problems: readonly Problem[]): Record<string, true> {
  return Object.fromEntries(problems.flatMap((problem) => (problem.path ? [[problem.path, true as const]] : [])));
}

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadConfig, parseConfig, type OrgConfig } from '../../lib/config/load';
import { ConfigError } from '../../lib/problems';
import { allStrings, templateParts } from '../helpers/templates';
import { REPO_ROOT, synthApp, testConfig } from '../helpers/synth';

/**
 * A configuration carrying Terraform template syntax in every string field that accepts it
 * synthesizes, and no string of the output interpolates anything that came from it.
 */

const CANARY = 'canary-7d1f';
const HOSTILE = `\${file("/tmp/${CANARY}")}%{ if true }${CANARY}%{ endif }`;

/** Everything switched on, and every optional text field filled in, so that each can carry template syntax. */
const FIXTURE_DIR = path.join(REPO_ROOT, '__tests__/fixtures/everything-on');
function fullExample(backend: Record<string, unknown>): Record<string, any> {
  const data = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'org.json'), 'utf8'));
  data.members[1].name = 'shared';
  data.remediation = { mode: 'auto', rolePathPrefix: '/', roleNamePrefix: 'app', exemptTag: 'Exempt', emails: ['r@example.com'] };
  data.securityHub = { enabled: true, standards: [] };
  data.detective = { enabled: true, existingGraphs: { 'us-west-2': 'arn:aws:detective:us-west-2:222222222222:graph:0123456789abcdef0123456789abcdef' } };
  data.existingDetectors = { '222222222222': { 'us-west-2': 'a'.repeat(32) } };
  data.filters[0].criteria.type = { neq: ['Recon:EC2/PortProbeUnprotectedPort'] };
  data.backend = backend;
  return data;
}

const accepted = (data: unknown) => {
  try {
    parseConfig(data, { file: 'org.json', cwd: FIXTURE_DIR });
    return true;
  } catch (error) {
    if (error instanceof ConfigError) return false;
    throw error;
  }
};

type Segment = string | number;

/** Where each string value and object key of the data is: `['filters', 0, 'description']`, and keys as `{ key: [...] }`. */
function textPlaces(value: unknown, at: Segment[] = []): { at: Segment[]; key: boolean }[] {
  if (typeof value === 'string') return [{ at, key: false }];
  if (Array.isArray(value)) return value.flatMap((item, index) => textPlaces(item, [...at, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [{ at: [...at, key], key: true }, ...textPlaces(item, [...at, key])]);
}

/** `data` with hostile text at one place (in the value, or in place of the key). */
function withHostile(data: Record<string, any>, place: { at: Segment[]; key: boolean }): Record<string, any> {
  const copy = structuredClone(data);
  const parent = place.at.slice(0, -1).reduce((node: any, segment) => node[segment], copy);
  const last = place.at[place.at.length - 1];
  if (!place.key) parent[last] = HOSTILE;
  else {
    parent[`${last as string}${HOSTILE}`] = parent[last];
    delete parent[last];
  }
  return copy;
}

/** Every field the loader lets template syntax into, found by trying each in turn, all of them at once. */
function hostileConfig(backend: Record<string, unknown>) {
  const base = fullExample(backend);
  expect(accepted(base)).toBe(true);
  const places = textPlaces(base).filter((place) => accepted(withHostile(base, place)));
  const data = places.reduceRight((hostile, place) => withHostile(hostile, place), base);
  return { data, fields: places.map((place) => `${place.key ? 'key of ' : ''}${place.at.join('.')}`) };
}

describe.each([
  ['an S3 backend', { type: 's3', bucket: 'state', region: 'us-west-2', keyPrefix: 'gd', kmsKeyId: 'alias/state', roleArn: 'arn:aws:iam::111111111111:role/state' }],
  ['an HCP Terraform backend', { type: 'cloud', organization: 'acme', workspacePrefix: 'gd-', hostname: 'tfe.example.com' }],
  ['a local backend', { type: 'local', path: 'state' }],
])('template syntax in every text field, with %s', (_title, backend) => {
  let fields: string[];
  let strings: string[];
  let remoteStates: any[];
  beforeAll(() => {
    const hostile = hostileConfig(backend);
    fields = hostile.fields;
    const synth = synthApp(parseConfig(hostile.data, { file: path.join(FIXTURE_DIR, 'org.json'), cwd: FIXTURE_DIR }));
    strings = synth.stackIds.flatMap((id) => allStrings(synth.stack(id)));
    remoteStates = synth.stackIds.flatMap((id) => Object.values(synth.stack(id).data?.terraform_remote_state ?? {}));
  });

  it('reaches many fields, free text among them', () => {
    expect(fields).toEqual(expect.arrayContaining(['filters.0.description', 'filters.0.criteria.type.neq.0']));
    // The S3 and HCP Terraform settings are names their services define (lib/config/backend.ts), which
    // hold no template syntax; the local backend's folder is free text.
    expect(fields.filter((field) => field.startsWith('backend.'))).toEqual(backend.type === 'local' ? ['backend.path'] : []);
  });

  it('synthesizes with the text escaped, and interpolates nothing from the configuration', () => {
    const parts = strings.flatMap(templateParts);
    expect(parts.length).toBeGreaterThan(100);
    expect(parts.filter((part) => part.includes(CANARY))).toEqual([]);
    expect(strings.filter((text) => text.includes(`$\${file("/tmp/${CANARY}")}%%{ if true }${CANARY}%%{ endif }`)).length).toBeGreaterThan(0);
    expect(strings.filter((text) => text.includes('\uE000'))).toEqual([]);
  });

  it("keeps cdktf's own expression in the remote states that cross-stack references read, and escapes their backend settings", () => {
    expect(remoteStates.length).toBeGreaterThan(3);
    for (const state of remoteStates) {
      if (backend.type !== 'cloud') expect(state.workspace).toBe('${terraform.workspace}');
      const settings = allStrings(state.config);
      expect(settings.flatMap(templateParts)).toEqual([]);
      if (backend.type === 'local') expect(settings.some((text) => text.includes(`$\${file("/tmp/${CANARY}")}%%{ if true }${CANARY}%%{ endif }`))).toBe(true);
    }
  });
});

describe('template syntax in text the loader refuses today, put straight into the typed configuration', () => {
  // What a looser check of tomorrow would let through still reaches the JSON as text.
  let strings: string[];
  beforeAll(() => {
    const config = testConfig({ mode: 'invitations', autoEnable: undefined, membersFile: undefined });
    const hostile: OrgConfig = {
      ...config,
      tags: { Owner: HOSTILE, [`Key${HOSTILE}`]: 'value' },
      members: config.members.map((member) => ({ ...member, name: HOSTILE, email: `${HOSTILE}@example.com` })),
      filters: config.filters.map((filter) => ({ ...filter, name: `filter-${HOSTILE}`, description: HOSTILE })),
      // The trusted list: the first threat list is hashed by Terraform (`Fn.sha256`), whose string
      // arguments cdktf quotes itself and which only ever gets validated addresses.
      trustedIpList: { ...config.trustedIpList!, entries: [...config.trustedIpList!.entries, { text: HOSTILE, line: 9, key: 'hostile' }] },
    };
    const synth = synthApp(hostile);
    strings = synth.stackIds.flatMap((id) => allStrings(synth.stack(id)));
  });

  it('escapes it in tags, member e-mails, filter names and list content alike', () => {
    const escaped = `$\${file("/tmp/${CANARY}")}%%{ if true }${CANARY}%%{ endif }`;
    expect(strings.filter((text) => text.includes(CANARY)).length).toBeGreaterThan(10);
    expect(strings.filter((text) => text.includes('{file(') && !text.includes('$${file('))).toEqual([]);
    expect(strings.flatMap(templateParts).filter((part) => part.includes(CANARY))).toEqual([]);
    for (const text of [`Key${escaped}`, `${escaped}@example.com`, `filter-${escaped}`]) expect(strings).toContain(text);
    expect(strings.some((text) => text.includes(`${escaped}\n`))).toBe(true);
  });
});

describe("the product's own text", () => {
  it.each([
    ['the shipped example', () => testConfig()],
    ['the everything-on fixture', () => loadConfig('__tests__/fixtures/everything-on/org.json', { cwd: REPO_ROOT })],
  ])('holds no template syntax in %s: Terraform expressions are cdktf tokens (Fn, Op, ref), never text', (_title, config) => {
    // A hand-written `${...}` would be escaped into text, and the expression lost.
    const synth = synthApp(config());
    const escaped = synth.stackIds.flatMap((id) => allStrings(synth.stack(id)).filter((text) => /\$\$\{|%%\{/.test(text)).map((text) => `${id}: ${text}`));
    expect(escaped).toEqual([]);
  });
});

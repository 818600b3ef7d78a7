import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { STACK_IDS } from '../../lib/plan/stacks';
import { synthApp, testConfig, type Synthesized } from '../helpers/synth';

const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const ADMIN = '222222222222';
const STACK = STACK_IDS.threatIntel;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-threat-intel-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a list file into the test folder (the configuration's) and returns its absolute path for the configuration. */
function listFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const values = (resources: Record<string, any>) => Object.values(resources);

/**
 * The admin detector's id in one region, as the stack reads it: from its local map of the admin stack's
 * outputs, which must name that region's detector.
 */
function adminDetectorRef(synth: Synthesized, region: string): string {
  const admin = synth.stack(STACK_IDS.admin);
  const [output] = Object.entries(admin.output).find(([, out]: [string, any]) => out.value === `\${aws_guardduty_detector.detector["${region}"].id}`)!;
  expect(synth.stack(STACK).locals['admin-detector-ids'][region]).toBe(`\${data.terraform_remote_state.cross-stack-reference-input-admin.outputs.${output}}`);
  return `\${local.admin-detector-ids["${region}"]}`;
}

function objectFor(synth: Synthesized, list: string): Record<string, any> {
  return values(synth.resources(STACK, 'aws_s3_object')).find((object) => object['//'].metadata.path.endsWith(`/${list}`));
}

describe('ThreatIntelStack', () => {
  describe('with the shipped example (simulation enabled)', () => {
    let synth: Synthesized;
    beforeAll(() => {
      synth = synthApp(testConfig());
    });

    it('is one stack in the admin account, with the admin provider pinned to it', () => {
      const [provider, ...others] = synth.stack(STACK).provider.aws;
      expect(others).toEqual([]);
      expect(provider.alias).toBeUndefined();
      expect(provider.allowed_account_ids).toEqual([ADMIN]);
      expect(provider.assume_role[0].role_arn).toBe(`arn:aws:iam::${ADMIN}:role/OrganizationAccountAccessRole`);
    });

    it('activates one threat list per region on the admin detector', () => {
      const sets = values(synth.resources(STACK, 'aws_guardduty_threatintelset'));
      expect(sets).toHaveLength(REGIONS.length);
      expect(Object.keys(synth.resources(STACK, 'aws_guardduty_threatintelset')).sort()).toEqual(
        REGIONS.map((region) => `threat_list["${region}/Example-Threat-List"]`).sort(),
      );
      const object = objectFor(synth, 'threat-Example-Threat-List');
      const objectName = object['//'].metadata.uniqueId;
      for (const region of REGIONS) {
        expect(sets.filter((set) => set.region === region)).toEqual([
          expect.objectContaining({
            provider: 'aws',
            region,
            detector_id: adminDetectorRef(synth, region),
            name: 'Example-Threat-List',
            format: 'TXT',
            activate: true,
            location: '${local.threat_list_locations["Example-Threat-List"]}',
          }),
        ]);
      }
      expect(synth.stack(STACK).locals.threat_list_locations).toEqual({
        'Example-Threat-List': `https://s3.amazonaws.com/\${aws_s3_object.${objectName}.bucket}/\${aws_s3_object.${objectName}.key}`,
      });
    });

    it('activates the trusted IP list once per region on the admin detector', () => {
      const ipSets = values(synth.resources(STACK, 'aws_guardduty_ipset'));
      expect(ipSets.map((set) => set.region).sort()).toEqual([...REGIONS].sort());
      expect(Object.keys(synth.resources(STACK, 'aws_guardduty_ipset')).sort()).toEqual(REGIONS.map((region) => `trusted_ip_list["${region}"]`).sort());
      const objectName = objectFor(synth, 'trusted-Trusted')['//'].metadata.uniqueId;
      for (const set of ipSets) {
        expect(set).toEqual(
          expect.objectContaining({
            provider: 'aws',
            detector_id: adminDetectorRef(synth, set.region),
            name: 'Trusted',
            format: 'TXT',
            activate: true,
            location: `https://s3.amazonaws.com/\${aws_s3_object.${objectName}.bucket}/\${aws_s3_object.${objectName}.key}`,
          }),
        );
      }
    });

    it('uploads the trusted list without comments under its content hash', () => {
      expect(objectFor(synth, 'trusted-Trusted')).toEqual(
        expect.objectContaining({
          region: 'us-west-2',
          content: '192.0.2.10\n',
          content_type: 'text/plain',
          key: `trusted/Trusted/${sha256('192.0.2.10\n')}.txt`,
          lifecycle: { create_before_destroy: true },
        }),
      );
    });

    it("adds the simulation's malicious Elastic IP to the first threat list, hashed by Terraform", () => {
      const simulation = synth.stack(STACK_IDS.simulation);
      const [output] = Object.entries(simulation.output).find(([name, out]: [string, any]) => name.startsWith('cross-stack-output-') && /^\$\{aws_eip\.[^.]+\.public_ip\}$/.test(out.value))!;
      const ip = `\${data.terraform_remote_state.cross-stack-reference-input-${STACK_IDS.simulation}.outputs.${output}}`;
      const object = objectFor(synth, 'threat-Example-Threat-List');
      expect(object.content).toBe(`198.51.100.23\n203.0.113.0/28\n${ip}\n`);
      expect(object.key).toBe(`threat/Example-Threat-List/\${sha256("198.51.100.23\\n203.0.113.0/28\\n${ip}\\n")}.txt`);
      expect(synth.stack(STACK).data.terraform_remote_state[`cross-stack-reference-input-${STACK_IDS.simulation}`]).toBeDefined();
      expect(synth.manifest.stacks[STACK].dependencies).toEqual(expect.arrayContaining([STACK_IDS.admin, STACK_IDS.simulation]));
    });

    it('synthesizes the suppression filter in every region on the admin detector', () => {
      const filters = values(synth.resources(STACK, 'aws_guardduty_filter'));
      expect(filters.map((filter) => filter.region).sort()).toEqual([...REGIONS].sort());
      expect(Object.keys(synth.resources(STACK, 'aws_guardduty_filter')).sort()).toEqual(
        REGIONS.map((region) => `filter_archive-low-severity-sandbox["${region}"]`).sort(),
      );
      for (const filter of filters) {
        expect(filter).toEqual({
          '//': expect.anything(),
          provider: 'aws',
          region: filter.region,
          detector_id: adminDetectorRef(synth, filter.region),
          name: 'archive-low-severity-sandbox',
          description: 'Low-severity findings of the sandbox account are noise',
          action: 'ARCHIVE',
          rank: 1,
          finding_criteria: {
            criterion: [
              { field: 'accountId', equals: ['333333333333'] },
              { field: 'severity', less_than: '4' },
            ],
          },
        });
      }
    });

    it('keeps the list files in a hardened, versioned, SSE-S3 bucket of the admin account in the home region', () => {
      const one = (type: string) => {
        const resources = values(synth.resources(STACK, type));
        expect(resources).toHaveLength(1);
        expect(resources[0].region).toBe('us-west-2');
        return resources[0];
      };
      const bucket = one('aws_s3_bucket');
      expect(bucket).toEqual(expect.objectContaining({ bucket: `acme-threat-lists-${ADMIN}-us-west-2`, force_destroy: true, provider: 'aws' }));
      const bucketRef = `\${aws_s3_bucket.${bucket['//'].metadata.uniqueId}`;
      expect(one('aws_s3_bucket_public_access_block')).toEqual(
        expect.objectContaining({
          bucket: `${bucketRef}.id}`,
          block_public_acls: true,
          block_public_policy: true,
          ignore_public_acls: true,
          restrict_public_buckets: true,
        }),
      );
      expect(one('aws_s3_bucket_ownership_controls').rule).toEqual({ object_ownership: 'BucketOwnerEnforced' });
      expect(one('aws_s3_bucket_versioning').versioning_configuration).toEqual({ status: 'Enabled' });
      expect(one('aws_s3_bucket_server_side_encryption_configuration').rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }]);
      expect(JSON.parse(one('aws_s3_bucket_policy').policy)).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [`${bucketRef}.arn}`, `${bucketRef}.arn}/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      });
      for (const object of values(synth.resources(STACK, 'aws_s3_object'))) expect(object.bucket).toBe(`${bucketRef}.id}`);
    });
  });

  describe('without the simulation', () => {
    const config = (lists: { name: string; text: string }[], overrides: Record<string, unknown> = {}) =>
      testConfig({
        simulation: { enabled: false },
        // Documentation addresses stand for real ones here.
        threatLists: lists.map((list) => ({ name: list.name, file: listFile(`${list.name}.txt`, list.text), acknowledge: ['reserved-threat-range'] })),
        ...overrides,
      }, dir);
    const keyOf = (text: string) => objectFor(synthApp(config([{ name: 'Feed', text }])), 'threat-Feed').key;

    it('uploads plain lists under a key hashed here, and refers to no simulation', () => {
      const synth = synthApp(config([{ name: 'Feed', text: '# feed\n198.51.100.23\n' }]));
      expect(objectFor(synth, 'threat-Feed')).toEqual(
        expect.objectContaining({ content: '198.51.100.23\n', key: `threat/Feed/${sha256('198.51.100.23\n')}.txt` }),
      );
      expect(synth.stackIds).not.toContain(STACK_IDS.simulation);
      expect(Object.keys(synth.stack(STACK).data.terraform_remote_state)).toEqual(['cross-stack-reference-input-admin']);
      expect(synth.manifest.stacks[STACK].dependencies).toEqual([STACK_IDS.admin]);
    });

    it('changes the object key when and only when the uploaded content changes', () => {
      const base = keyOf('198.51.100.23\n203.0.113.0/28\n');
      expect(keyOf('# reviewed 2026-11-22\n\n198.51.100.23   # C2\n203.0.113.0/28\n')).toBe(base);
      expect(keyOf('198.51.100.23\n203.0.113.0/28\n192.0.2.77\n')).not.toBe(base);
      expect(keyOf('198.51.100.23\n')).not.toBe(base);
    });

    it('sets every threat list in every region, each from its own file', () => {
      const synth = synthApp(config([
        { name: 'First', text: '198.51.100.1\n' },
        { name: 'Second', text: '198.51.100.2\n' },
      ]));
      const sets = values(synth.resources(STACK, 'aws_guardduty_threatintelset'));
      expect(sets).toHaveLength(2 * REGIONS.length);
      for (const region of REGIONS) expect(sets.filter((set) => set.region === region).map((set) => set.name).sort()).toEqual(['First', 'Second']);
      expect(objectFor(synth, 'threat-Second').content).toBe('198.51.100.2\n');
    });

    it('adds the Elastic IP to the first of several threat lists only', () => {
      const synth = synthApp(config([
        { name: 'First', text: '198.51.100.1\n' },
        { name: 'Second', text: '198.51.100.2\n' },
      ], { simulation: { enabled: true } }));
      expect(objectFor(synth, 'threat-First').content).toMatch(/^198\.51\.100\.1\n\$\{data\.terraform_remote_state\.[^}]+\}\n$/);
      expect(objectFor(synth, 'threat-Second')).toEqual(expect.objectContaining({ content: '198.51.100.2\n', key: `threat/Second/${sha256('198.51.100.2\n')}.txt` }));
    });

    it('chains filters in rank order in each region, so GuardDuty never sees a rank past the existing filters', () => {
      const criteria = { severity: { lt: 4 } };
      const synth = synthApp(config([], {
        trustedIpList: undefined,
        filters: [
          { name: 'second-by-rank', action: 'NOOP', rank: 2, criteria },
          { name: 'first-by-rank', action: 'ARCHIVE', rank: 1, criteria },
        ],
      }));
      const filters = synth.resources(STACK, 'aws_guardduty_filter');
      for (const region of REGIONS) {
        const first = filters[`filter_first-by-rank["${region}"]`];
        const second = filters[`filter_second-by-rank["${region}"]`];
        expect(first).toEqual(expect.objectContaining({ region, name: 'first-by-rank', rank: 1 }));
        expect(first.depends_on).toBeUndefined();
        expect(second).toEqual(expect.objectContaining({ region, name: 'second-by-rank', rank: 2, action: 'NOOP', depends_on: ['aws_guardduty_filter.filter_first-by-rank'] }));
      }
      // Filters alone need no bucket.
      expect(synth.resources(STACK, 'aws_s3_bucket')).toEqual({});
      expect(synth.resources(STACK, 'aws_guardduty_threatintelset')).toEqual({});
    });

    it('names each filter’s block after the filter, with a hash where the name holds a character Terraform names cannot', () => {
      const criteria = { severity: { lt: 4 } };
      const synth = synthApp(config([], { trustedIpList: undefined, filters: [{ name: 'noop.port_probe', action: 'NOOP', criteria }] }));
      expect(Object.keys(synth.blocks(STACK, 'aws_guardduty_filter'))).toEqual([`filter_noop_port_probe_${sha256('noop.port_probe').slice(0, 8)}`]);
    });

    it('is left out of the plan when there are no lists and no filters', () => {
      const synth = synthApp(config([], { trustedIpList: undefined, filters: [] }));
      expect(synth.stackIds).not.toContain(STACK);
    });
  });
});

import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { STACK_IDS } from '../../lib/plan/stacks';
import { AWSCC_CONSTRAINT, AwsccProvider } from '../../lib/terraform/awscc';
import { KeyedBlocks } from '../../lib/terraform/instances';
import { protectElements, restoreLiteralText } from '../../lib/terraform/literal-text';
import { EntityLists } from '../../modules/entity-lists';
import { schemaFixture, schemaProblems, type SchemaAttribute } from '../helpers/provider-schema';
import { synthApp, testConfig, type Synthesized } from '../helpers/synth';

/**
 * Entity lists in the threat-intel stack, on hashicorp/awscc. awscc is not installed here, so its
 * blocks are checked against the provider's schema as HashiCorp generates it (the fixture records the
 * version, the attributes, their types, which are required and their lengths).
 */

const SCHEMA = schemaFixture<{
  version: string;
  resources: Record<string, { attributes: Record<string, SchemaAttribute> }>;
  providerArguments: Record<string, SchemaAttribute>;
}>('awscc', 'schema-1.96.0.json');

const REGIONS = ['us-west-2', 'us-east-1', 'eu-west-1'];
const ADMIN = '222222222222';
const STACK = STACK_IDS.threatIntel;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('entity lists in the threat-intel stack', () => {
  let synth: Synthesized;
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'gd-entities-'));
      writeFileSync(path.join(dir, 'bad.txt'), '# known bad\nc2.example.org\n198.51.100.23\n');
      writeFileSync(path.join(dir, 'worse.txt'), 'pool.example.net\n');
      writeFileSync(path.join(dir, 'good.txt'), 'updates.example.com\n');
      synth = synthApp(
        testConfig(
          {
            threatEntitySets: [
              { name: 'Bad', file: 'bad.txt', acknowledge: ['reserved-threat-range'] },
              { name: 'Worse', file: 'worse.txt' },
            ],
            trustedEntitySet: { name: 'Good', file: 'good.txt' },
            tags: { CostCenter: 'security' },
          },
          dir,
        ),
      );
  });

  it('sets every threat entity set and the trusted one on the admin detector in every region, one awscc block per region', () => {
    const threat = synth.resources(STACK, 'awscc_guardduty_threat_entity_set');
    expect(Object.keys(threat).sort()).toEqual(REGIONS.flatMap((region) => [`${region}["Bad"]`, `${region}["Worse"]`]).sort());
    const trusted = synth.resources(STACK, 'awscc_guardduty_trusted_entity_set');
    expect(Object.keys(trusted).sort()).toEqual(REGIONS.map((region) => `${region}["trusted"]`).sort());
    for (const region of REGIONS) {
      for (const set of [threat[`${region}["Bad"]`], trusted[`${region}["trusted"]`]]) {
        expect(set).toMatchObject({
          provider: `awscc.admin-${region}`,
          format: 'TXT',
          activate: true,
          detector_id: `\${local.admin-detector-ids["${region}"]}`,
          expected_bucket_owner: ADMIN,
        });
        expect(set.region).toBeUndefined();
      }
      expect(trusted[`${region}["trusted"]`].name).toBe('Good');
    }
  });

  it('uploads each entity list under its own key that changes with its content, and points the sets at it', () => {
    const objects = Object.values(synth.resources(STACK, 'aws_s3_object'));
    const bad = objects.find((object) => object.key.startsWith('entity-threat/Bad/'))!;
    expect(bad.content).toBe('c2.example.org\n198.51.100.23\n');
    expect(bad.key).toBe(`entity-threat/Bad/${sha256('c2.example.org\n198.51.100.23\n')}.txt`);
    const good = objects.find((object) => object.key.startsWith('entity-trusted/Good/'))!;
    expect(good.content).toBe('updates.example.com\n');
    const locations = synth.stack(STACK).locals.entity_list_locations;
    const [badName] = Object.entries(synth.blocks(STACK, 'aws_s3_object')).find(([, object]) => object.key === bad.key)!;
    expect(locations['threat/Bad']).toBe(`https://s3.amazonaws.com/\${aws_s3_object.${badName}.bucket}/\${aws_s3_object.${badName}.key}`);
    const block = synth.blocks(STACK, 'awscc_guardduty_threat_entity_set')['us-east-1'];
    expect(block.location).toBe('${local.entity_list_locations[each.value.location_key]}');
    expect(block.for_each.Bad).toEqual({ name: 'Bad', location_key: 'threat/Bad' });
    expect(synth.blocks(STACK, 'awscc_guardduty_trusted_entity_set')['eu-west-1'].for_each).toEqual({ trusted: { name: 'Good', location_key: 'trusted/trusted' } });
    expect(Object.keys(locations).sort()).toEqual(['threat/Bad', 'threat/Worse', 'trusted/trusted']);
  });

  it('tags every set itself (awscc has no default tags)', () => {
    const set = synth.resources(STACK, 'awscc_guardduty_threat_entity_set')['eu-west-1["Worse"]'];
    expect(set.tags).toEqual([
      { key: 'ManagedBy', value: 'cdktf' },
      { key: 'GuardDutyDeployment', value: 'acme' },
      { key: 'Stack', value: STACK },
      { key: 'CostCenter', value: 'security' },
    ]);
  });

  it(`writes only arguments of the awscc ${SCHEMA.version} schema, every required one, with the right types and lengths`, () => {
    for (const type of ['awscc_guardduty_threat_entity_set', 'awscc_guardduty_trusted_entity_set']) {
      const instances = synth.resources(STACK, type);
      expect(Object.keys(instances).length).toBeGreaterThan(0);
      for (const [address, instance] of Object.entries(instances)) {
        expect(schemaProblems(instance, SCHEMA.resources[type].attributes, `${type}.${address}`)).toEqual([]);
      }
    }
  });

  it('configures one awscc provider per region in the admin account, assuming its deployment role, pinned as a range', () => {
    const stack = synth.stack(STACK);
    expect(stack.terraform.required_providers.awscc).toEqual({ source: 'hashicorp/awscc', version: AWSCC_CONSTRAINT });
    expect(AWSCC_CONSTRAINT).toBe('>= 1.53.0, < 2.0.0');
    expect(stack.provider.awscc).toEqual(
      REGIONS.map((region) => ({
        alias: `admin-${region}`,
        region,
        assume_role: { role_arn: `arn:aws:iam::${ADMIN}:role/OrganizationAccountAccessRole`, session_name: 'guardduty-acme' },
      })),
    );
    for (const provider of stack.provider.awscc) expect(schemaProblems(provider, SCHEMA.providerArguments, 'provider.awscc')).toEqual([]);
  });

  it('is the same in invitations mode: the administrator owns the lists, members inherit them', () => {
    const data = { threatEntitySets: [{ name: 'Worse', file: 'worse.txt' }], trustedEntitySet: { name: 'Good', file: 'good.txt' } };
    const invited = synthApp(testConfig({ ...data, mode: 'invitations', organizationId: undefined, autoEnable: undefined }, dir));
    expect(Object.keys(invited.resources(STACK, 'awscc_guardduty_threat_entity_set')).sort()).toEqual(REGIONS.map((region) => `${region}["Worse"]`).sort());
    expect(Object.keys(invited.resources(STACK, 'awscc_guardduty_trusted_entity_set')).sort()).toEqual(REGIONS.map((region) => `${region}["trusted"]`).sort());
    expect(invited.stack(STACK).provider.awscc.map((provider: any) => provider.assume_role.role_arn)).toEqual(REGIONS.map(() => `arn:aws:iam::${ADMIN}:role/OrganizationAccountAccessRole`));
  });

  it('gives every awscc provider the dynamic credentials of its account, as the aws provider has them, with backend.dynamicCredentials', () => {
    const data = { threatEntitySets: [{ name: 'Worse', file: 'worse.txt' }], backend: { type: 'cloud', organization: 'acme', dynamicCredentials: true } };
    const stack = synthApp(testConfig(data, dir)).stack(STACK);
    const file = '${var.tfc_aws_dynamic_credentials.aliases["admin"].shared_config_file}';
    expect(stack.provider.awscc).toEqual(REGIONS.map((region) => ({ alias: `admin-${region}`, region, shared_config_files: [file] })));
    expect(stack.provider.aws.map((provider: any) => provider.shared_config_files)).toEqual([[file]]);
    for (const provider of stack.provider.awscc) expect(schemaProblems(provider, SCHEMA.providerArguments, 'provider.awscc')).toEqual([]);
  });

  it('is absent, with its provider, when no entity list is configured', () => {
    const plain = synthApp(testConfig());
    expect(plain.stack(STACK).resource.awscc_guardduty_threat_entity_set).toBeUndefined();
    expect(plain.stack(STACK).resource.awscc_guardduty_trusted_entity_set).toBeUndefined();
    expect(plain.stack(STACK).provider.awscc).toBeUndefined();
    expect(plain.stack(STACK).terraform.required_providers.awscc).toBeUndefined();
  });
});

describe('the schema check', () => {
  it('finds unknown, read-only, missing and mistyped arguments', () => {
    const attributes = SCHEMA.resources.awscc_guardduty_threat_entity_set.attributes;
    expect(schemaProblems({ format: 'TXT', region: 'us-east-1', status: 'ACTIVE', activate: 'yes', tags: [{ key: '' }] }, attributes, 'set')).toEqual([
      'set.region: not an argument of the schema',
      'set.status: read-only in the schema',
      'set.activate: must be a bool',
      'set.tags[0].key: length 0 outside 1-128',
      'set.location: required, missing',
    ]);
  });
});

describe('entity lists and configuration text', () => {
  it('escape ${ and %{ in what they write, as every element of the stacks does', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'escaping');
    KeyedBlocks.enable(stack);
    new EntityLists(stack, 'lists', {
      provider: (region) => new AwsccProvider(stack, `awscc-${region}`, { alias: region, region, credentials: { assumeRole: { roleArn: 'arn:aws:iam::222222222222:role/r', sessionName: 's' } } }),
      regions: ['us-east-1'],
      detectorIds: { at: () => 'detector' },
      bucketOwner: ADMIN,
      threatEntitySets: [{ name: 'Bad', location: 'https://s3.amazonaws.com/b/${file("/etc/passwd")}' }],
      tags: { Owner: '%{ for x in y }' },
    });
    protectElements(stack);
    const json = restoreLiteralText(stack.toTerraform());
    KeyedBlocks.of(stack).writeInto(json);
    const block = json.resource.awscc_guardduty_threat_entity_set['us-east-1'];
    expect(json.locals.entity_list_locations).toEqual({ 'threat/Bad': 'https://s3.amazonaws.com/b/$${file("/etc/passwd")}' });
    expect(block.tags).toEqual([{ key: 'Owner', value: '%%{ for x in y }' }]);
    expect(app).toBeInstanceOf(App);
  });
});

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** scripts/tfvalidate-prepare.mjs leaves out awscc and the newer aws types, names each, and keeps everything else. */

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'tfvalidate-prepare.mjs');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gd-prepare-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function cdktfOut(stacks: Record<string, unknown>): string {
  const out = path.join(dir, 'cdktf.out');
  for (const [id, json] of Object.entries(stacks)) {
    mkdirSync(path.join(out, 'stacks', id), { recursive: true });
    writeFileSync(path.join(out, 'stacks', id, 'cdk.tf.json'), JSON.stringify(json));
  }
  writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ stacks: Object.fromEntries(Object.keys(stacks).map((id) => [id, { synthesizedStackPath: `stacks/${id}/cdk.tf.json` }])) }));
  return out;
}

const threatIntel = {
  terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '>= 6.0.0' }, awscc: { source: 'hashicorp/awscc', version: '>= 1.53.0, < 2.0.0' } } },
  provider: { aws: [{ region: 'us-west-2' }], awscc: [{ alias: 'admin-us-east-1', region: 'us-east-1' }] },
  resource: {
    aws_s3_object: { list: { bucket: 'b', key: 'k' } },
    awscc_guardduty_threat_entity_set: { 'us-east-1': { format: 'TXT' } },
  },
};
const admin = { resource: { aws_guardduty_detector: { detector: { enable: true } }, aws_guardduty_malware_scan_settings: { scan_settings: { detector_id: '${aws_guardduty_detector.detector["us-east-1"].id}' } } } };

it('copies the output without awscc and the newer aws types, printing each block it leaves out', () => {
  const out = cdktfOut({ 'threat-intel': threatIntel, admin, other: { resource: { aws_sqs_queue: { q: {} } } } });
  const to = path.join(dir, 'checkable');
  const printed = execFileSync(process.execPath, [SCRIPT, out, to], { encoding: 'utf8' });
  expect(printed.split('\n').filter(Boolean)).toEqual([
    'threat-intel: left out awscc_guardduty_threat_entity_set.us-east-1 (hashicorp/awscc is not installed here)',
    'threat-intel: left out provider.awscc.admin-us-east-1 (hashicorp/awscc is not installed here)',
    'threat-intel: left out terraform.required_providers.awscc (hashicorp/awscc is not installed here)',
    'admin: left out aws_guardduty_malware_scan_settings.scan_settings (newer than the installed provider; schema checked in __tests__/fixtures/aws/guardduty-malware-scan-settings.json)',
    '4 blocks left out; validate ' + to + ' with tfvalidate',
  ]);
  const read = (id: string) => JSON.parse(readFileSync(path.join(to, 'stacks', id, 'cdk.tf.json'), 'utf8'));
  expect(read('threat-intel')).toEqual({
    terraform: { required_providers: { aws: { source: 'hashicorp/aws', version: '>= 6.0.0' } } },
    provider: { aws: [{ region: 'us-west-2' }] },
    resource: { aws_s3_object: { list: { bucket: 'b', key: 'k' } } },
  });
  expect(read('admin')).toEqual({ resource: { aws_guardduty_detector: { detector: { enable: true } } } });
  expect(read('other')).toEqual({ resource: { aws_sqs_queue: { q: {} } } });
  // The original is untouched.
  expect(JSON.parse(readFileSync(path.join(out, 'stacks', 'threat-intel', 'cdk.tf.json'), 'utf8'))).toEqual(threatIntel);
});

it('refuses to write over a folder, and to leave a block referring to one it removed', () => {
  const out = cdktfOut({ admin });
  expect(() => execFileSync(process.execPath, [SCRIPT, out, out], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/exists already/);
  const dangling = cdktfOut({ admin: { resource: { ...admin.resource, aws_sqs_queue: { q: { name: '${aws_guardduty_malware_scan_settings.scan_settings["x"].id}' } } } } });
  expect(() => execFileSync(process.execPath, [SCRIPT, dangling, path.join(dir, 'x')], { encoding: 'utf8', stdio: 'pipe' })).toThrow(/refers to a removed one/);
});

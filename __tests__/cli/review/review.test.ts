import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OrgConfig } from '../../../lib/config/load';
import { codeSpan, markdownText, renderReview } from '../../../cli/review/review';
import { readSynthesized, resourceCounts, type SynthesizedApp } from '../../../cli/common/synthesized';
import { buildApp } from '../../../stacks/app';
import { REPO_ROOT, testConfig, writeExample } from '../../helpers/synth';
import { flavor } from '../../../lib/terraform/flavor';

const DETECTOR = '0123456789abcdef0123456789abcdef';

function synthesize(config: OrgConfig): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-review-test-'));
  try {
    buildApp(config, { outdir }).synth();
    return readSynthesized(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The lines of one stack's section of the report. */
function section(review: string, stackId: string): string {
  const start = review.indexOf(`\n## ${stackId}\n`);
  expect(start).toBeGreaterThan(0);
  const end = review.indexOf('\n## ', start + 1);
  return review.slice(start, end < 0 ? undefined : end);
}

describe('review report', () => {
  it('lists per stack its accounts, regions, state file and resource counts by type, as synthesized', () => {
    const config = testConfig();
    const app = synthesize(config);
    const review = renderReview(config, app);

    for (const [id, json] of app.stacks) {
      const text = section(review, id);
      const counts = resourceCounts(json);
      expect(text).toContain(`- resources: ${counts.total}\n`);
      for (const [type, count] of Object.entries(counts.byType)) expect(text).toContain(`| ${type} | ${count} |`);
      expect(text).toContain(`- state: local backend, terraform-state/${id}.tfstate\n`);
    }
    const organization = section(review, 'organization');
    expect(organization).toContain('- accounts: management 111111111111, admin 222222222222\n');
    expect(organization).toContain(`- regions: ${config.regions.join(', ')}\n`);
    expect(organization).toContain('- deploy step: 2 (after admin)\n');
    expect(section(review, 'members-wave-1')).toContain(
      '- enrolls 4 member accounts: 333333333333 (sandbox), 444444444444 (shared-services), 555555555501 (dev), 555555555502 (staging)\n',
    );
    // Organizations mode: the wave's only provider is the admin account's, and it enrolls its members.
    expect(review).toContain('| [members-wave-1](#members-wave-1) | 3 | admin 222222222222, enrolls 4 member accounts | ');
    expect(review).toContain('| [members-wave-2](#members-wave-2) | 4 | admin 222222222222, enrolls 2 member accounts | ');
    // The plans of those members are set in a stack of their own, which enrolls no one.
    expect(review).toContain('| [member-plans-wave-1](#member-plans-wave-1) | 4 | admin 222222222222, sets the protection plans of 4 member accounts | ');
    expect(section(review, 'member-plans-wave-1')).toContain(
      '- sets the protection plans of 4 member accounts: 333333333333 (sandbox), 444444444444 (shared-services), 555555555501 (dev), 555555555502 (staging)\n',
    );
  });

  it('with autoEnable ALL claims no wave for GuardDuty: the organization enrolls every account', () => {
    const config = testConfig({ autoEnable: 'ALL' });
    const review = renderReview(config, synthesize(config));
    expect(review).toContain('6 listed member accounts (GuardDuty enrolls every account of the organization itself: autoEnable ALL, so no stack enrolls them for GuardDuty)');
    expect(review).not.toContain('members-wave');
    expect(review).not.toMatch(/wave_\d/);
    expect(review).toContain('    wave_all["every account of the organization, enrolled by GuardDuty (autoEnable ALL)"]\n');
    expect(review).toContain('  wave_all ==>|findings| bus_admin\n');

    // Detective's waves still enroll the listed accounts in Detective, and say so.
    const detective = testConfig({ autoEnable: 'ALL', detective: { enabled: true } });
    const withDetective = renderReview(detective, synthesize(detective));
    expect(withDetective).toContain('| [detective-wave-1](#detective-wave-1) | 3 | admin 222222222222, enrolls 4 member accounts | ');
    expect(withDetective).toContain('  stack_detective_wave_1 -->|enrolls in Detective| wave_1\n');
    expect(withDetective).not.toContain('members-wave');
    expect(withDetective).not.toContain('wave_1 ==>|findings|');
  });

  it('names the keyed blocks of each stack with their first instance, and the moved blocks of the earlier layout', () => {
    const config = testConfig({ mode: 'invitations', autoEnable: undefined });
    const review = renderReview(config, synthesize(config));
    const wave = section(review, 'members-wave-1');
    expect(wave).toContain('| `aws_guardduty_member.invitation_<account>` | 12 (4 blocks, one per member account) | `aws_guardduty_member.invitation_333333333333["us-west-2"]` |');
    expect(wave).toContain('| `aws_guardduty_member_detector_feature.feature_<account>` | 72 (4 blocks, one per member account) | `aws_guardduty_member_detector_feature.feature_333333333333["us-west-2/S3_DATA_EVENTS"]` |');
    expect(wave).toContain(
      '| `aws_guardduty_detector.member_<account>` | 12 (4 blocks, one per member account) | `aws_guardduty_detector.member_333333333333["us-west-2"]` |',
    );
    expect(wave).toMatch(/Moved blocks: \d+, from the addresses earlier layouts gave these resources: .* \(such as `aws_guardduty_[a-z_]+\.member-\d{12}_[a-z0-9-]+_[A-Za-z0-9_-]+` to `aws_guardduty_[a-z_]+\.[a-z_0-9]+\[/);
    expect(section(review, 'admin')).toContain('| `aws_guardduty_detector_feature.feature` | 18 | `aws_guardduty_detector_feature.feature["us-west-2/S3_DATA_EVENTS"]` |');
  });

  it('lists the detectors adopted from existingDetectors as imports, by their Terraform address', () => {
    const config = testConfig({ existingDetectors: { '222222222222': { 'us-east-1': DETECTOR } } });
    const app = synthesize(config);
    const text = section(renderReview(config, app), 'admin');
    expect(text).toContain(`| \`aws_guardduty_detector.detector["us-east-1"]\` | \`${DETECTOR}@us-east-1\` |`);
    expect(text.match(/\| `[^`]+` \| `[^`]+@[a-z0-9-]+` \|/g)).toHaveLength(1);
    expect(section(renderReview(config, app), 'organization')).toContain('Imported resources: none');
  });

  it('names the S3 object or the HCP Terraform workspace that holds each state', () => {
    const s3 = testConfig({ backend: { type: 's3', bucket: 'acme-tfstate', region: 'us-west-2', keyPrefix: 'guardduty/prod/' } });
    expect(section(renderReview(s3, synthesize(s3)), 'members-wave-2')).toContain(
      '- state: s3 backend, s3://acme-tfstate/guardduty/prod/members-wave-2.tfstate (us-west-2)\n',
    );
    const cloud = testConfig({ backend: { type: 'cloud', organization: 'acme-sec', workspacePrefix: 'gd-' } });
    expect(section(renderReview(cloud, synthesize(cloud)), 'admin')).toContain('- state: cloud backend, app.terraform.io / acme-sec / workspace gd-admin\n');
  });

  it('prints configuration text as text: no link, image, HTML, emphasis or table border comes from it', () => {
    const config = testConfig({
      backend: { type: 'local', path: 'state/<img src=x onerror=alert(1)>|![x](p.png)*_www.example.com_*' },
      mode: 'invitations',
      membersFile: undefined,
      members: [
        { id: '333333333333', email: 'sandbox@example.com', name: 'sandbox_ops & qa (#1)', wave: 1 },
        { id: '444444444444', email: 'prod@example.com', wave: 1 },
      ],
    });
    const review = renderReview({ ...config, configFile: 'config/`org`.json' }, synthesize(config));
    const escapedPath = 'state/&lt;img src=x onerror=alert(1)&gt;\\|\\!\\[x\\](p.png)\\*\\_www\\.example.com\\_\\*';
    expect(review).toContain(`- state: local backend, ${escapedPath}/admin.tfstate\n`);
    expect(review).toContain(`| ${escapedPath}/admin.tfstate |\n`);
    expect(review).toContain('Configuration ``config/`org`.json``: invitations mode');
    expect(section(review, 'members-wave-1')).toContain('- enrolls 2 member accounts: 333333333333 (sandbox\\_ops &amp; qa (#1)), 444444444444\n');
    expect(review).toContain('subgraph account_333333333333["sandbox 333333333333"]');
    expect(review).not.toMatch(/<img|[^\\]\]\(p\.png|(^|[^\\])\*_www/);
  });

  it('escapes text for Markdown, and fences a code span around any backticks', () => {
    expect(markdownText('a|b *c* _d_ [e](f) <g> & `h` ~i~ !j \\k\nl')).toBe('a\\|b \\*c\\* \\_d\\_ \\[e\\](f) &lt;g&gt; &amp; \\`h\\` \\~i\\~ \\!j \\\\k l');
    expect(markdownText('see http://x.example and WWW.example.com, (ftp://y)')).toBe('see http\\://x.example and WWW\\.example.com, (ftp\\://y)');
    expect(codeSpan('org.json')).toBe('`org.json`');
    expect(codeSpan('a``b')).toBe('```a``b```');
    expect(codeSpan('`a')).toBe('`` `a ``');
  });

  it('draws accounts, stacks, deploy order and the findings flow from the configuration', () => {
    const config = testConfig({ mode: 'invitations', membersFile: undefined, notifications: { emails: ['a@example.com', 'b@example.com'] } });
    const app = synthesize(config);
    const review = renderReview(config, app);
    const mermaid = review.slice(review.indexOf('```mermaid\n'), review.indexOf('\n```', review.indexOf('```mermaid')));

    // Invitations mode: no organization stack, so the first wave is step 2; the members it enrolls are counted.
    expect(review).toContain('| [members-wave-1](#members-wave-1) | 2 | admin 222222222222, enrolls 2 member accounts | ');
    expect(section(review, 'members-wave-1')).toContain('- accounts: admin 222222222222, sandbox 333333333333, member shared-services 444444444444\n');
    expect(mermaid).toContain('subgraph account_222222222222["admin 222222222222"]');
    expect(mermaid).toContain('subgraph account_333333333333["sandbox 333333333333"]');
    expect(mermaid).toContain('    wave_1["wave 1: 2 accounts"]');
    expect(mermaid).not.toContain('wave_2');
    for (const [id, entry] of Object.entries(app.manifest.stacks)) {
      const total = resourceCounts(app.stacks.get(id) as Record<string, any>).total;
      expect(mermaid).toContain(`stack_${id.replace(/-/g, '_')}["stack ${id}: ${total} resource${total === 1 ? '' : 's'}"]`);
      for (const dependency of entry.dependencies) {
        expect(mermaid).toContain(`  stack_${dependency.replace(/-/g, '_')} -.->|deploys before| stack_${id.replace(/-/g, '_')}`);
      }
    }
    expect(mermaid).toContain('  wave_1 ==>|findings| bus_admin');
    expect(mermaid).toContain('  bus_admin ==>|every region forwards| home_us_west_2');
    expect(mermaid).toContain('  home_us_west_2 ==>|SNS e-mail| people_email["2 recipients"]');
    expect(mermaid).toContain('  bus_sandbox ==>|remediation rules, auto| stack_sandbox_remediation');
  });

  it('leaves out what the configuration turns off', () => {
    const config = testConfig({ remediation: { mode: 'off' }, simulation: { enabled: false }, notifications: { emails: [] } });
    const review = renderReview(config, synthesize(config));
    expect(review).not.toContain('remediation rules');
    expect(review).not.toContain('SNS e-mail');
    expect(review).not.toContain('## sandbox-');
  });

  it('is written next to the synthesized stacks by the app itself', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-review-main-'));
    const configFile = writeExample(dir);
    const outdir = path.join(dir, 'cdktf.out');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'main.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ORG_CONFIG: configFile, CDKTF_OUTDIR: outdir },
      encoding: 'utf8',
    });
    expect(run.stderr).toBe(`configuration: ${configFile} (from ORG_CONFIG)\n`);
    const review = readFileSync(path.join(outdir, 'review.md'), 'utf8');
    expect(review).toMatch(/^# Review: GuardDuty deployment "acme"\n/);
    expect(review).toContain('\n## admin\n');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('review report, provider', () => {
  it('shows the hashicorp/aws range every stack asks for, and why its floor is where it is', () => {
    const config = testConfig();
    const review = renderReview(config, synthesize(config));
    expect(review.split('\n')).toContain(
      `AWS provider: \`hashicorp/aws\` \`>= 6.19.0, < 7.0.0\` (floor 6.19.0 for the Lambda runtime nodejs24.x of the remediation functions; bindings generated from ${flavor().bindingsProviderVersion}).`,
    );
  });
});

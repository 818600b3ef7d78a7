import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { StackJson } from '../../../cli/common/synthesized';
import { accountMoves, adopt, adoptedDetectorsName, letGo, retirement } from '../../../cli/rollout/moves';
import type { OrgConfig } from '../../../lib/config/load';
import { exampleData, temporarySynths, testConfig } from '../../helpers/synth';

const { synthesize, folder } = temporarySynths('gd-moves-');


/** The example with its CSV members inline; `wave` moves 555555555502 (staging) to that wave. */
function example(mode: string, wave = 1): OrgConfig {
  const data = exampleData();
  data.mode = mode;
  data.members = [
    ...data.members,
    { id: '555555555501', email: 'aws-dev@example.com', wave: 1 },
    { id: '555555555502', email: 'aws-staging@example.com', wave },
    { id: '555555555503', email: 'aws-prod-web@example.com', wave: 2 },
  ];
  data.membersFile = undefined;
  return testConfig(data);
}

describe('member accounts that change stack', () => {
  it('finds the blocks of an account that moved to another wave, stack by stack, in both modes', () => {
    expect(accountMoves(synthesize(example('organizations')), synthesize(example('organizations', 2)))).toEqual([
      { account: '555555555502', from: 'member-plans-wave-1', to: 'member-plans-wave-2', blocks: ['aws_guardduty_member_detector_feature.feature_555555555502'] },
      { account: '555555555502', from: 'members-wave-1', to: 'members-wave-2', blocks: ['aws_guardduty_member.member_555555555502'] },
    ]);
    expect(accountMoves(synthesize(example('invitations')), synthesize(example('invitations', 2)))).toEqual([
      {
        account: '555555555502',
        from: 'members-wave-1',
        to: 'members-wave-2',
        blocks: [
          'aws_guardduty_detector.member_555555555502',
          'aws_guardduty_invite_accepter.member_555555555502',
          'aws_guardduty_member.invitation_555555555502',
          'aws_guardduty_member_detector_feature.feature_555555555502',
        ],
      },
    ]);
    // Nothing moves when nothing changes stack.
    expect(accountMoves(synthesize(example('invitations')), synthesize(example('invitations')))).toEqual([]);
  });

  describe('invitations mode', () => {
    const before = synthesize(example('invitations'));
    const after = synthesize(example('invitations', 2));
    const [move] = accountMoves(before, after);
    const left = letGo(after.stacks.get('members-wave-1') as StackJson, move.blocks, before.stacks.get('members-wave-1') as StackJson);
    const joined = adopt(after.stacks.get('members-wave-2') as StackJson, move.blocks);

    it('lets go of every block of the account where it was, keeping its provider for that (Terraform needs it even to forget)', () => {
      expect(left.removed).toEqual(move.blocks.map((from) => ({ from, lifecycle: { destroy: false } })));
      expect((after.stacks.get('members-wave-1') as StackJson).provider.aws.map((provider: StackJson) => provider.alias)).not.toContain('member-555555555502');
      const provider = left.provider.aws.find((candidate: StackJson) => candidate.alias === 'member-555555555502');
      expect(provider).toEqual((before.stacks.get('members-wave-1') as StackJson).provider.aws.find((candidate: StackJson) => candidate.alias === 'member-555555555502'));
      expect(provider.allowed_account_ids).toEqual(['555555555502']);
      // The resources of the stack are the new synth's: the account's blocks are gone from it.
      expect(left.resource).toBe((after.stacks.get('members-wave-1') as StackJson).resource);
    });

    it("imports the account's detector, invitation and acceptance where it goes, by the ids the provider reads them by; its plans are set again", () => {
      const regions = ['us-west-2', 'us-east-1', 'eu-west-1'];
      const source = adoptedDetectorsName('555555555502');
      expect(joined.import).toEqual([
        ...regions.map((region) => ({
          to: `aws_guardduty_detector.member_555555555502["${region}"]`,
          id: `\${data.aws_guardduty_detector.${source}["${region}"].id}@${region}`,
          provider: 'aws.member-555555555502',
        })),
        ...regions.map((region) => ({
          to: `aws_guardduty_invite_accepter.member_555555555502["${region}"]`,
          id: `\${data.aws_guardduty_detector.${source}["${region}"].id}@${region}`,
          provider: 'aws.member-555555555502',
        })),
        ...regions.map((region) => ({
          to: `aws_guardduty_member.invitation_555555555502["${region}"]`,
          id: `\${local.admin-detector-ids["${region}"]}:555555555502@${region}`,
          provider: 'aws',
        })),
      ]);
      // The member's own detector, read through its own provider in each region.
      expect(joined.data.aws_guardduty_detector[source]).toEqual({ for_each: { 'us-west-2': {}, 'us-east-1': {}, 'eu-west-1': {} }, provider: 'aws.member-555555555502', region: '${each.key}' });
      expect(joined.data.terraform_remote_state).toEqual((after.stacks.get('members-wave-2') as StackJson).data.terraform_remote_state);
    });
  });

  it('in organizations mode imports the membership by the administrator detector and the account', () => {
    const before = synthesize(example('organizations'));
    const after = synthesize(example('organizations', 2));
    const [plans, members] = accountMoves(before, after);
    expect(adopt(after.stacks.get('members-wave-2') as StackJson, members.blocks).import).toEqual(
      ['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => ({ to: `aws_guardduty_member.member_555555555502["${region}"]`, id: `\${local.admin-detector-ids["${region}"]}:555555555502@${region}`, provider: 'aws' })),
    );
    // A plan cannot be imported: created again where it goes (an update of the member's detector).
    expect(adopt(after.stacks.get('member-plans-wave-2') as StackJson, plans.blocks).import).toBeUndefined();
  });

  it('retires a stack only the previous synth has: its backend and providers, no resources, its local state read from the new folder', () => {
    const previous: StackJson = {
      '//': { metadata: {} },
      terraform: { backend: { local: { path: '../../../terraform-state/members-wave-2.tfstate' } }, required_providers: { aws: { source: 'aws' } } },
      provider: { aws: [{ region: 'us-west-2' }] },
      resource: { aws_guardduty_member: { member_555555555503: { for_each: { 'us-west-2': {} } } } },
      data: { terraform_remote_state: {} },
      locals: { x: 1 },
    };
    const json = retirement(previous, { workingDirectory: '/p/cdktf.out/previous/stacks/members-wave-2' }, { workingDirectory: '/p/cdktf.out.rollout/stacks/members-wave-2' });
    expect(json).toEqual({
      '//': { metadata: {} },
      terraform: { backend: { local: { path: '../../../cdktf.out/terraform-state/members-wave-2.tfstate' } }, required_providers: { aws: { source: 'aws' } } },
      provider: { aws: [{ region: 'us-west-2' }] },
    });
  });
});

const MIRROR = ['/opt/tf-plugins', process.env.TFVALIDATE_PLUGIN_DIR].find((dir) => dir && existsSync(path.join(dir, 'registry.terraform.io/hashicorp/aws')));
const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

// Terraform is the judge: a removed block lets go of an invited member's detector without AWS, but only with its provider.
(terraform && MIRROR ? describe : describe.skip)('letting go, with a real terraform and the AWS provider', () => {
  it('forgets the moved blocks, and needs the provider letGo keeps', () => {
    const dir = folder('gd-let-go-');
    const version = spawnSync('ls', [path.join(MIRROR as string, 'registry.terraform.io/hashicorp/aws')], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    writeFileSync(path.join(dir, 'rc'), `provider_installation {\n  filesystem_mirror { path = "${MIRROR}" }\n}\n`);
    const fake = { access_key: 'a', secret_key: 'b', skip_credentials_validation: true, skip_requesting_account_id: true, skip_metadata_api_check: true };
    const previous: StackJson = {
      terraform: { required_providers: { aws: { source: 'hashicorp/aws', version } } },
      provider: { aws: [{ region: 'us-east-1', ...fake }, { alias: 'member-444444444444', region: 'us-east-1', ...fake }] },
      resource: { aws_guardduty_detector: { member_444444444444: { provider: 'aws.member-444444444444', for_each: { 'us-east-1': {} }, enable: true } } },
    };
    const next: StackJson = { terraform: previous.terraform, provider: { aws: [previous.provider.aws[0]] } };
    writeFileSync(
      path.join(dir, 'terraform.tfstate'),
      JSON.stringify({
        version: 4,
        terraform_version: '1.11.4',
        serial: 1,
        lineage: '3b3c9e2a-1111-2222-3333-444455556666',
        outputs: {},
        resources: [
          {
            mode: 'managed',
            type: 'aws_guardduty_detector',
            name: 'member_444444444444',
            provider: 'provider["registry.terraform.io/hashicorp/aws"].member-444444444444',
            instances: [{ index_key: 'us-east-1', schema_version: 0, attributes: { id: 'abc123', enable: true, finding_publishing_frequency: 'SIX_HOURS', account_id: '444444444444', arn: 'arn:aws:guardduty:us-east-1:444444444444:detector/abc123', datasources: [], tags: {}, tags_all: {} }, sensitive_attributes: [] }],
          },
        ],
      }),
    );
    const run = (args: string[]) => spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, 'rc'), CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({ ...next, removed: [{ from: 'aws_guardduty_detector.member_444444444444', lifecycle: { destroy: false } }] }));
    expect(run(['init', '-input=false']).status).toBe(0);
    // Without the member's provider, even forgetting fails.
    expect(run(['plan', '-input=false', '-refresh=false', '-no-color']).stderr).toContain('Provider configuration not present');
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(letGo(next, ['aws_guardduty_detector.member_444444444444'], previous)));
    const plan = run(['plan', '-input=false', '-refresh=false', '-no-color', '-out=step.tfplan']);
    expect(plan.stdout).toContain('aws_guardduty_detector.member_444444444444["us-east-1"] will no longer be managed by Terraform, but will not be destroyed');
    expect(plan.stdout).toContain('Plan: 0 to add, 0 to change, 0 to destroy.');
    expect(run(['apply', '-input=false', 'step.tfplan']).status).toBe(0);
    expect(run(['state', 'list']).stdout.trim()).toBe('');
  });
});

import * as path from 'node:path';
import type { OrgConfig } from '../../../lib/config/load';
import { deploySteps, planStacks } from '../../../lib/plan/stacks';
import { shellCommand } from '../../../cli/common/command';
import type { SynthesizedApp } from '../../../cli/common/synthesized';
import { formatRollout, type Rollout, type RolloutStep } from '../../../cli/rollout/rollout';
import { prepareSince, sinceRollout, stackKind, withPrepared } from '../../../cli/rollout/since';
import { loadConfig } from '../../../lib/config/load';
import { renderReview, sinceSection } from '../../../cli/review/review';
import { exampleData, REPO_ROOT, temporarySynths, testConfig } from '../../helpers/synth';
import { cliCommand } from '../../../lib/terraform/flavor';

/** `cdktf`, or `cdktn` where CDK Terrain is installed. */
const CLI = cliCommand();

const { synthesize } = temporarySynths('gd-since-test-');


const NEW_MEMBER = { id: '666666666601', email: 'aws-new@example.com', name: 'new', wave: 1 };
/** The shipped example with its CSV members inline, so a test can move or drop one. */
function example(change: (data: Record<string, any>) => void = () => undefined): OrgConfig {
  const data = exampleData();
  data.members = [
    ...data.members,
    { id: '555555555501', email: 'aws-dev@example.com', name: 'dev', wave: 1 },
    { id: '555555555502', email: 'aws-staging@example.com', name: 'staging', wave: 1 },
    { id: '555555555503', email: 'aws-prod-web@example.com', name: 'prod-web', wave: 2 },
    { id: '555555555504', email: 'aws-prod-data@example.com', name: 'prod-data', wave: 2 },
  ];
  data.membersFile = undefined;
  change(data);
  return testConfig(data);
}

let before: SynthesizedApp;
beforeAll(() => {
  before = synthesize(example());
});

/** What `rollout plan --since` measures: the new synth with the cross-state moves and retired stacks written in. */
function rolloutFor(config: OrgConfig, previous: SynthesizedApp = before): Rollout {
  const app = synthesize(config);
  const prepared = prepareSince(previous, app, (id) => path.join(app.outdir, 'stacks', id));
  return sinceRollout(
    config,
    planStacks(config),
    { app: withPrepared(app, prepared), outputDir: 'cdktf.out.rollout', retired: prepared.retired, moves: prepared.moves },
    { label: 'previous', app: previous, outputDir: 'cdktf.out.previous' },
  );
}

const ids = (step: RolloutStep) => step.stacks.map((stack) => stack.id);
const phase = (rollout: Rollout, which: 'remove' | 'deploy') => rollout.steps.filter((step) => step.phase === which);
const stepOf = (rollout: Rollout, which: 'remove' | 'deploy', id: string) => phase(rollout, which).find((step) => ids(step).includes(id))?.step;
const removed = (rollout: Rollout, id: string) => rollout.steps.flatMap((step) => step.stacks).find((stack) => stack.id === id && stack.changes?.removed.length)?.changes?.removed ?? [];
const typeCounts = (addresses: readonly string[]) => addresses.reduce<Record<string, number>>((counts, address) => ({ ...counts, [address.split('.')[0]]: (counts[address.split('.')[0]] ?? 0) + 1 }), {});

describe('rollout plan --since: removals in retirement order, then the deploy order', () => {
  it('a region removed: members, then the organization configuration and delegation, then the detector; nothing else destroyed', () => {
    const rollout = rolloutFor(example((data) => (data.regions = ['us-west-2', 'us-east-1'])));
    const removals = phase(rollout, 'remove');
    // Each member's plans let go before its membership (member-plans stacks deploy after the members stacks).
    expect(removals.map(ids)).toEqual([['member-plans-wave-2', 'threat-intel'], ['member-plans-wave-1', 'members-wave-2'], ['members-wave-1'], ['organization'], ['admin']]);
    expect(removals.map((step) => step.step)).toEqual([1, 2, 3, 4, 5]);
    expect(typeCounts(removed(rollout, 'members-wave-1'))).toEqual({ aws_guardduty_member: 4 });
    expect(typeCounts(removed(rollout, 'members-wave-2'))).toEqual({ aws_guardduty_member: 2 });
    expect(typeCounts(removed(rollout, 'member-plans-wave-1'))).toEqual({ aws_guardduty_member_detector_feature: 4 * 6 });
    expect(typeCounts(removed(rollout, 'organization'))).toEqual({
      aws_guardduty_organization_admin_account: 1,
      aws_guardduty_organization_configuration: 1,
      aws_guardduty_organization_configuration_feature: 6,
    });
    expect(typeCounts(removed(rollout, 'admin'))).toMatchObject({ aws_guardduty_detector: 1, aws_guardduty_detector_feature: 6 });
    for (const stack of removals.flatMap((step) => step.stacks)) {
      for (const address of stack.changes?.removed ?? []) expect(`${stack.id}: ${address}`).toMatch(/eu-west-1/);
      // Nothing but removals in these stacks: each is deployed whole, with no -target.
      expect(stack.planArguments).toEqual([]);
    }
    expect(removals[0].commands.map((command) => command.command)).toEqual([
      `npx ${CLI} deploy member-plans-wave-2 threat-intel --auto-approve --ignore-missing-stack-dependencies --output cdktf.out.rollout --skip-synth`,
    ]);
    expect(removals.at(-1)?.commands.map((command) => command.command)).toEqual([`npx ${CLI} deploy admin --auto-approve --output cdktf.out.rollout --skip-synth`]);
    expect(removals[0].stacks.find((stack) => stack.id === 'member-plans-wave-2')?.removals).toEqual([{ kind: 'region', count: 2 * 6, names: ['eu-west-1'] }]);
    // The deploy phase has the stacks the removals did not deploy already, in deploy order.
    expect(phase(rollout, 'deploy').map(ids)).toEqual([['sandbox-remediation'], ['sandbox-simulation']]);
    expect(phase(rollout, 'deploy').flatMap((step) => step.stacks).map((stack) => stack.changes?.status)).toEqual(['unchanged', 'unchanged']);
  });

  it('an account removed: only its wave removes, its memberships in every region', () => {
    const rollout = rolloutFor(example((data) => (data.members = data.members.filter((member: { id: string }) => member.id !== '555555555504'))));
    const removals = phase(rollout, 'remove');
    expect(removals.map(ids)).toEqual([['member-plans-wave-2'], ['members-wave-2']]);
    expect(removed(rollout, 'members-wave-2').length).toBe(3);
    for (const address of removed(rollout, 'member-plans-wave-2')) expect(address).toMatch(/^aws_guardduty_member_detector_feature\.feature_555555555504\[/);
    expect(removals[1].stacks[0].removals).toEqual([{ kind: 'account', count: 3, names: ['555555555504'] }]);
    for (const address of removed(rollout, 'members-wave-2')) expect(address).toMatch(/^aws_guardduty_member\..*555555555504/);
    expect(removals[1].stacks[0].enrolls).toEqual([{ id: '555555555503', name: 'prod-web' }]);
    expect(phase(rollout, 'deploy').flatMap(ids)).not.toContain('members-wave-2');
    expect(phase(rollout, 'deploy').flatMap(ids).sort()).toEqual(['admin', 'member-plans-wave-1', 'members-wave-1', 'organization', 'sandbox-remediation', 'sandbox-simulation', 'threat-intel']);
  });

  it('an account moved to another wave: its old stacks let go of it first (removed blocks), its new ones import it; nothing destroyed', () => {
    const config = example((data) => (data.members.find((member: { id: string }) => member.id === '555555555502').wave = 2));
    const rollout = rolloutFor(config);
    expect(rollout.moves).toEqual([
      { account: '555555555502', from: 'member-plans-wave-1', to: 'member-plans-wave-2' },
      { account: '555555555502', from: 'members-wave-1', to: 'members-wave-2' },
    ]);
    expect(phase(rollout, 'remove').map(ids)).toEqual([['member-plans-wave-1'], ['members-wave-1']]);
    const stack = (id: string) => rollout.steps.flatMap((step) => step.stacks).find((candidate) => candidate.id === id);
    expect(stack('members-wave-1')?.changes).toMatchObject({ removed: [], forgotten: ['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => `aws_guardduty_member.member_555555555502["${region}"]`) });
    expect(stack('members-wave-1')?.removals).toEqual([{ kind: 'moved', count: 3, names: ['members-wave-2'] }]);
    expect(stack('member-plans-wave-1')?.changes).toMatchObject({ removed: [] });
    expect(stack('member-plans-wave-1')?.changes?.forgotten).toHaveLength(3 * 6);
    // Adopted where it goes: memberships imported, plans set again (a plan cannot be imported).
    const wave2 = phase(rollout, 'deploy').flatMap((step) => step.stacks).find((candidate) => candidate.id === 'members-wave-2');
    expect(wave2?.changes).toMatchObject({ added: [], imported: ['us-west-2', 'us-east-1', 'eu-west-1'].map((region) => `aws_guardduty_member.member_555555555502["${region}"]`) });
    expect(phase(rollout, 'deploy').flatMap((step) => step.stacks).find((candidate) => candidate.id === 'member-plans-wave-2')?.changes?.added).toHaveLength(3 * 6);
    expect(stepOf(rollout, 'remove', 'members-wave-1')).toBeLessThan(stepOf(rollout, 'deploy', 'members-wave-2') as number);
    expect(phase(rollout, 'deploy').flatMap(ids)).not.toContain('members-wave-1');
    // Nothing anywhere is destroyed.
    expect(rollout.steps.flatMap((step) => step.stacks).flatMap((candidate) => candidate.changes?.removed ?? [])).toEqual([]);
    expect(formatRollout(rollout).replace(/\s+/g, ' ')).toContain('1 member account change stack, moved by Terraform from one state to the other');
  });

  it("review.md of the rollout's folder says which blocks a stack lets go of, and which accounts change stack", () => {
    const config = example((data) => (data.members.find((member: { id: string }) => member.id === '555555555502').wave = 2));
    const app = synthesize(config);
    const prepared = prepareSince(before, app, (id) => path.join(app.outdir, 'stacks', id));
    const measured = withPrepared(app, prepared);
    const rollout = sinceRollout(config, planStacks(config), { app: measured, outputDir: 'cdktf.out.rollout', retired: prepared.retired, moves: prepared.moves }, { label: 'previous', app: before, outputDir: 'previous' });
    const review = renderReview(config, measured);
    expect(review).toContain('Let go of, not destroyed (`removed` blocks with `destroy = false`): `aws_guardduty_member.member_555555555502`. Another stack of this output imports them');
    expect(review).toContain('| `aws_guardduty_member.member_555555555502["us-west-2"]` | `${local.admin-detector-ids["us-west-2"]}:555555555502@us-west-2` |');
    const changes = sinceSection(rollout);
    expect(changes).toContain('| 555555555502 | members-wave-1 | members-wave-2 |\n');
    expect(changes).toMatch(/\| \d+ \| remove \| members-wave-1 \| {2}\| 3 \| {2}\| {2}\| {2}\|\n/);
    expect(changes).toMatch(/\| \d+ \| deploy \| members-wave-2 \| {2}\| {2}\| 3 \| {2}\| {2}\|\n/);
  });

  it('a protection plan switched off: set DISABLED in place, nothing destroyed, everything in deploy order', () => {
    const rollout = rolloutFor(example((data) => (data.protection = { ...data.protection, s3: false })));
    expect(phase(rollout, 'remove')).toEqual([]);
    const plan = planStacks(example());
    expect(phase(rollout, 'deploy').map(ids)).toEqual(deploySteps(plan).map((group) => group.map((stack) => stack.id)));
    const changed = (id: string) => phase(rollout, 'deploy').flatMap((step) => step.stacks).find((stack) => stack.id === id)?.changes;
    expect(changed('admin')).toMatchObject({ status: 'changed', added: [], removed: [] });
    expect(typeCounts(changed('admin')?.changed ?? [])).toEqual({ aws_guardduty_detector_feature: 3 });
    expect(typeCounts(changed('organization')?.changed ?? [])).toEqual({ aws_guardduty_organization_configuration_feature: 3 });
    expect(changed('members-wave-1')?.status).toBe('unchanged');
  });

  it('a region and an account added together: no removal step, the additions in deploy order', () => {
    const rollout = rolloutFor(
      example((data) => {
        data.regions = [...data.regions, 'eu-central-1'];
        data.members = [...data.members, NEW_MEMBER];
      }),
    );
    expect(phase(rollout, 'remove')).toEqual([]);
    expect(phase(rollout, 'deploy').map((step) => step.step)).toEqual([1, 2, 3, 4, 5]);
    const wave1 = phase(rollout, 'deploy').flatMap((step) => step.stacks).find((stack) => stack.id === 'members-wave-1');
    // The new account in all four regions, the four accounts already there in the new region.
    expect(wave1?.changes?.added).toHaveLength(4 + 4);
    expect(wave1?.changes?.removed).toEqual([]);
    expect(stepOf(rollout, 'deploy', 'admin')).toBeLessThan(stepOf(rollout, 'deploy', 'organization') as number);
    expect(stepOf(rollout, 'deploy', 'organization')).toBeLessThan(stepOf(rollout, 'deploy', 'members-wave-1') as number);
  });

  it('a region removed and an account added together: the wave is split, its removals alone first with -target', () => {
    const rollout = rolloutFor(
      example((data) => {
        data.regions = ['us-west-2', 'us-east-1'];
        data.members = [...data.members, NEW_MEMBER];
      }),
    );
    const split = phase(rollout, 'remove').find((step) => ids(step).includes('members-wave-1')) as RolloutStep;
    const stack = split.stacks[0];
    expect(stack.planArguments).toEqual(stack.changes?.removed.map((address) => `-target=${address}`));
    expect(stack.planArguments).toHaveLength(4);
    expect(split.commands.map((command) => command.argv)).toEqual([
      ['terraform', '-chdir=cdktf.out.rollout/stacks/members-wave-1', 'init', '-input=false'],
      ['terraform', '-chdir=cdktf.out.rollout/stacks/members-wave-1', 'apply', '-input=false', '-auto-approve', ...stack.planArguments],
    ]);
    expect(split.commands[1].command).toBe(shellCommand(split.commands[1].argv));
    // Then the whole wave again, in deploy order, to add the new account.
    const again = phase(rollout, 'deploy').flatMap((step) => step.stacks).find((s) => s.id === 'members-wave-1');
    expect(again?.planArguments).toEqual([]);
    expect(again?.changes?.added).toHaveLength(2);
    expect(formatRollout(rollout).replace(/\s+/g, ' ')).toContain('removes 4: 4 of region eu-west-1, no longer listed; this step does only that (-target), a later step deploys the rest (adds 2)');
  });

  it('a wave emptied: a stack only the previous synth has is retired from the rollout folder, first', () => {
    const rollout = rolloutFor(example((data) => (data.members = data.members.filter((member: { wave: number }) => member.wave !== 2))));
    const [plans, first] = phase(rollout, 'remove');
    expect(ids(plans)).toEqual(['member-plans-wave-2']);
    expect(plans.stacks[0]).toMatchObject({ directory: 'cdktf.out.rollout/stacks/member-plans-wave-2', planArguments: [], kind: 'member-plans' });
    expect(ids(first)).toEqual(['members-wave-2']);
    expect(first.stacks[0]).toMatchObject({ directory: 'cdktf.out.rollout/stacks/members-wave-2', planArguments: [], kind: 'members' });
    expect(first.stacks[0].changes?.status).toBe('removed');
    expect(first.stacks[0].changes?.removed).toHaveLength(2 * 3);
    expect(first.commands.map((command) => command.command)).toEqual([
      'terraform -chdir=cdktf.out.rollout/stacks/members-wave-2 init -input=false',
      'terraform -chdir=cdktf.out.rollout/stacks/members-wave-2 apply -input=false -auto-approve',
    ]);
    // Every command of the rollout applies its own folder.
    for (const command of rollout.steps.flatMap((step) => step.commands)) expect(command.command).toMatch(/cdktf\.out\.rollout( |\/)/);
  });
});

describe('stackKind', () => {
  it('knows the kind of every stack the plan makes, from its id alone (for stacks only a previous output has)', () => {
    const plan = planStacks(loadConfig('__tests__/fixtures/everything-on/org.json', { cwd: REPO_ROOT }));
    expect(new Set(plan.stacks.map((stack) => stack.kind)).size).toBeGreaterThanOrEqual(10);
    for (const stack of plan.stacks) expect(`${stack.id}: ${stackKind(stack.id)}`).toBe(`${stack.id}: ${stack.kind}`);
    expect(() => stackKind('something-else')).toThrow('stack something-else of the previous synth is not a stack this app makes');
  });
});

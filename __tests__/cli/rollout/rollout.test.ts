import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { OrgConfig } from '../../../lib/config/load';
import { planStacks } from '../../../lib/plan/stacks';
import { cdktfCommand, deployRollout, destroyRollout, formatRollout, manifestDisagreements, type Rollout, type StackCounts } from '../../../cli/rollout/rollout';
import { readSynthesized, resourceBlocks, resourceCounts, resourceInstances, type SynthesizedApp } from '../../../cli/common/synthesized';
import { buildApp } from '../../../stacks/app';
import { REPO_ROOT, exampleData, testConfig } from '../../helpers/synth';
import { cliCommand, flavor } from '../../../lib/terraform/flavor';

/** `cdktf`, or `cdktn` where CDK Terrain is installed. */
const CLI = cliCommand();

function synthesize(config: OrgConfig): SynthesizedApp {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-rollout-test-'));
  try {
    buildApp(config, { outdir }).synth();
    return readSynthesized(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function countsOf(app: SynthesizedApp): Map<string, StackCounts> {
  return new Map([...app.stacks].map(([id, stack]) => [id, resourceCounts(stack)]));
}

function stepOf(rollout: Rollout): Map<string, number> {
  return new Map(rollout.steps.flatMap((step) => step.stacks.map((stack) => [stack.id, step.step] as const)));
}

const manyWaves = () =>
  testConfig({
    autoEnable: 'NONE',
    membersFile: undefined,
    members: [
      { id: '333333333333', email: 'sandbox@example.com', wave: 1 },
      { id: '444444444444', email: 'a@example.com', wave: 1 },
      { id: '555555555555', email: 'b@example.com', wave: 2 },
      { id: '666666666666', email: 'c@example.com', wave: 3 },
    ],
  });

describe('deploy rollout', () => {
  it('puts every stack after everything cdktf says it depends on (manifest.json), in both modes', () => {
    const invitations = exampleData();
    invitations.mode = 'invitations';
    for (const config of [testConfig(), manyWaves(), testConfig(invitations)]) {
      const app = synthesize(config);
      const plan = planStacks(config);
      const rollout = deployRollout(config, plan, { manifest: app.manifest });
      const step = stepOf(rollout);

      expect([...step.keys()].sort()).toEqual(Object.keys(app.manifest.stacks).sort());
      for (const [id, entry] of Object.entries(app.manifest.stacks)) {
        for (const dependency of entry.dependencies) {
          expect(`${id} after ${dependency}: ${(step.get(dependency) as number) < (step.get(id) as number)}`).toBe(`${id} after ${dependency}: true`);
        }
      }
      expect(manifestDisagreements(plan, app.manifest)).toEqual([]);
      // dependsOn carries cdktf's dependencies too (cross-stack references), for remote state sharing.
      for (const stack of rollout.steps.flatMap((s) => s.stacks)) {
        expect([...stack.dependsOn].sort()).toEqual([...new Set([...(plan.stacks.find((p) => p.id === stack.id)?.dependsOn ?? []), ...app.manifest.stacks[stack.id].dependencies])].sort());
      }
    }
  });

  it('deploys the waves one after the other, and a step alone only with the flag that allows it', () => {
    const config = manyWaves();
    const rollout = deployRollout(config, planStacks(config));
    const step = stepOf(rollout);

    expect(step.get('admin')).toBe(1);
    expect(step.get('organization')).toBe(2);
    expect(step.get('members-wave-1')).toBe(3);
    expect(step.get('members-wave-2')).toBe(4);
    expect(step.get('members-wave-3')).toBe(5);
    expect(rollout.steps[0].commands.map((command) => command.command)).toEqual([`npx ${CLI} deploy ${rollout.steps[0].stacks.map((stack) => stack.id).join(' ')} --auto-approve`]);
    for (const later of rollout.steps.slice(1)) {
      expect(later.commands.map((command) => command.argv)).toEqual([['npx', CLI, 'deploy', ...later.stacks.map((stack) => stack.id), '--auto-approve', '--ignore-missing-stack-dependencies']]);
    }
  });

  it('describes each stack: accounts, regions, what it holds', () => {
    const config = testConfig({ mode: 'invitations', membersFile: undefined });
    const rollout = deployRollout(config, planStacks(config));
    const wave = rollout.steps.flatMap((step) => step.stacks).find((stack) => stack.id === 'members-wave-1');
    expect(wave).toMatchObject({
      kind: 'members',
      accounts: [
        { role: 'admin', id: '222222222222' },
        { role: 'member', id: '333333333333' },
        { role: 'member', id: '444444444444' },
      ],
      regions: ['us-west-2', 'us-east-1', 'eu-west-1'],
      description: 'wave 1: enrolls 2 member accounts in every region',
    });
    expect(formatRollout(rollout)).toContain('  members-wave-1       admin 222222222222 + 2 member accounts; us-west-2, us-east-1, eu-west-1');
  });

  it('adds --parallelism and --skip-synth to every command when asked, and rejects a parallelism below 1', () => {
    const config = testConfig();
    const rollout = deployRollout(config, planStacks(config), {}, { parallelism: 3, skipSynth: true });
    for (const step of rollout.steps) expect(step.commands[0].argv.slice(-3)).toEqual(['--parallelism', '3', '--skip-synth']);
    expect(() => cdktfCommand('deploy', ['admin'], false, { parallelism: 0 })).toThrow('parallelism must be a positive whole number; got 0');
  });

  it('counts exactly the resource instances the synthesized JSON holds, not its blocks', () => {
    const config = testConfig();
    const app = synthesize(config);
    const rollout = deployRollout(config, planStacks(config), { counts: countsOf(app), manifest: app.manifest });
    for (const stack of rollout.steps.flatMap((step) => step.stacks)) {
      const json = app.stacks.get(stack.id) as Record<string, any>;
      expect(`${stack.id}: ${stack.resources}`).toBe(`${stack.id}: ${resourceInstances(json).length}`);
    }
    // Keyed blocks: one block, an instance per region.
    expect(resourceBlocks(app.stacks.get('admin') as Record<string, any>).length).toBeLessThan(rollout.steps[0].stacks.find((stack) => stack.id === 'admin')?.resources as number);
    const admin = rollout.steps[0].stacks.find((stack) => stack.id === 'admin');
    expect(admin?.resourcesByType).toMatchObject({
      aws_guardduty_detector: config.regions.length,
      // The six plans of the test configuration in every region.
      aws_guardduty_detector_feature: config.regions.length * 6,
    });
  });

  it('reports a dependency cdktf found that the steps do not honour', () => {
    const config = testConfig();
    const plan = planStacks(config);
    const app = synthesize(config);
    const manifest = JSON.parse(JSON.stringify(app.manifest));
    manifest.stacks.admin.dependencies.push('members-wave-2');
    delete manifest.stacks['members-wave-1'];
    manifest.stacks.extra = { name: 'extra', dependencies: [], workingDirectory: 'stacks/extra', synthesizedStackPath: 'stacks/extra/cdk.tf.json' };

    expect(manifestDisagreements(plan, manifest)).toEqual([
      'extra: synthesized but not in the stack plan',
      'admin: cdktf deploys it after members-wave-2, which the plan does not put in an earlier step',
      'members-wave-1: in the stack plan but not synthesized',
    ]);
  });
});

describe('destroy rollout (retirement)', () => {
  it('destroys every stack before the stacks it depends on, as manifest.json records them', () => {
    const config = manyWaves();
    const app = synthesize(config);
    const rollout = destroyRollout(config, planStacks(config), { manifest: app.manifest });
    const step = stepOf(rollout);
    for (const [id, entry] of Object.entries(app.manifest.stacks)) {
      for (const dependency of entry.dependencies) {
        expect(`${id} before ${dependency}: ${(step.get(id) as number) < (step.get(dependency) as number)}`).toBe(`${id} before ${dependency}: true`);
      }
    }
  });

  it('removes members, then the organization configuration and delegation, then the detectors', () => {
    const config = manyWaves();
    const rollout = destroyRollout(config, planStacks(config));
    const step = stepOf(rollout);
    const kinds = new Map(rollout.steps.flatMap((s) => s.stacks.map((stack) => [stack.id, stack.kind])));
    const members = [...kinds].filter(([, kind]) => kind === 'members').map(([id]) => step.get(id) as number);
    expect(members).toHaveLength(3);
    expect(Math.max(...members)).toBeLessThan(step.get('organization') as number);
    expect(step.get('organization')).toBeLessThan(step.get('admin') as number);
    expect(step.get('members-wave-3')).toBeLessThan(step.get('members-wave-2') as number);

    // The last step has no dependants left, the first has nothing depending on it at all.
    expect(rollout.steps[0].commands[0].argv).not.toContain('--ignore-missing-stack-dependencies');
    for (const later of rollout.steps.slice(1)) expect(later.commands[0].argv).toContain('--ignore-missing-stack-dependencies');
    expect(rollout.steps.at(-1)?.commands[0].argv.slice(0, 3)).toEqual(['npx', CLI, 'destroy']);
  });

  it('inside the organization stack, Terraform removes the configuration before the delegation', () => {
    const config = testConfig();
    const app = synthesize(config);
    const organization = app.stacks.get('organization') as Record<string, any>;
    const delegations = organization.resource.aws_guardduty_organization_admin_account;
    const configurations = organization.resource.aws_guardduty_organization_configuration;
    const features = organization.resource.aws_guardduty_organization_configuration_feature;
    expect(Object.keys(organization.locals[/^\$\{local\.(.+)\}$/.exec(delegations.delegation.for_each)?.[1] as string]).sort()).toEqual([...config.regions].sort());
    expect(configurations.configuration.depends_on).toEqual(['aws_guardduty_organization_admin_account.delegation']);
    expect(features.feature.depends_on).toEqual(['aws_guardduty_organization_configuration.configuration']);
  });
});

describe('cdktf commands', () => {
  it(`uses only flags that the installed ${flavor().cliPackage} accepts on deploy and destroy`, () => {
    const cli = readFileSync(path.join(REPO_ROOT, 'node_modules', flavor().cliPackage, 'bundle/bin', `${CLI}.js`), 'utf8');
    const builderOf = (command: string) => {
      const start = cli.search(new RegExp(`command="${command} \\[stacks\\.+\\]"`));
      return start < 0 ? '' : cli.slice(start, cli.indexOf('showHelpOnFail', start));
    };
    const deploy = builderOf('deploy');
    const destroy = builderOf('destroy');
    expect(deploy.length).toBeGreaterThan(100);
    expect(destroy.length).toBeGreaterThan(100);
    const flags = (argv: string[]) => argv.filter((arg) => arg.startsWith('--')).map((arg) => arg.slice(2));
    for (const [direction, builder] of [['deploy', deploy], ['destroy', destroy]] as const) {
      for (const flag of flags(cdktfCommand(direction, ['a'], true, { parallelism: 2, skipSynth: true }))) {
        expect(`${direction} --${flag}: ${builder.includes(`.option("${flag}"`)}`).toBe(`${direction} --${flag}: true`);
      }
    }
  });
});

describe('resource counts', () => {
  it('expands literal count and for_each, and flags sizes only known at plan time', () => {
    const counts = resourceCounts({
      resource: {
        aws_a: { one: {}, three: { count: 3 } },
        aws_b: { listed: { for_each: ['x', 'y'] }, mapped: { for_each: { k: 1 } }, later: { for_each: '${var.x}' } },
      },
    });
    expect(counts).toEqual({ total: 8, byType: { aws_a: 4, aws_b: 4 }, dynamic: ['aws_b.later'] });
    expect(resourceBlocks({}).length).toBe(0);
  });
});

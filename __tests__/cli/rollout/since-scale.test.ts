import * as path from 'node:path';
import { instanceAttributes, resourceInstances, type SynthesizedApp } from '../../../cli/common/synthesized';
import type { Rollout } from '../../../cli/rollout/rollout';
import { prepareSince, sinceRollout, withPrepared } from '../../../cli/rollout/since';
import type { OrgConfig } from '../../../lib/config/load';
import { planStacks } from '../../../lib/plan/stacks';
import { scaleMembers, STANDARD_17 } from '../../helpers/plan';
import { temporarySynths, testConfig } from '../../helpers/synth';

/**
 * `rollout plan --since` at 300 accounts x 17 regions: a region taken out removes that region's
 * resource instances and nothing else, counted one by one against the previous synth, in retirement
 * order; an account moved to another wave is let go of and imported, nothing destroyed.
 */

jest.setTimeout(300_000);

const { synthesize } = temporarySynths('gd-since-scale-');

function data(mode: string, edit: (data: Record<string, any>) => void = () => undefined): OrgConfig {
  const value: Record<string, any> = { mode, regions: [...STANDARD_17], members: scaleMembers(), membersFile: undefined, autoEnable: mode === 'organizations' ? 'NEW' : undefined };
  edit(value);
  return testConfig(value);
}


function since(previous: SynthesizedApp, config: OrgConfig): Rollout {
  const app = synthesize(config);
  const prepared = prepareSince(previous, app, (id) => path.join(app.outdir, 'stacks', id));
  return sinceRollout(config, planStacks(config), { app: withPrepared(app, prepared), outputDir: 'cdktf.out.rollout', retired: prepared.retired, moves: prepared.moves }, { label: 'previous', app: previous, outputDir: 'previous' });
}

describe.each(['organizations', 'invitations'])('rollout plan --since at 300 accounts x 17 regions, %s mode', (mode) => {
  const previous = synthesize(data(mode));

  it("without one region, removes exactly that region's resource instances, in retirement order", () => {
    const rollout = since(previous, data(mode, (value) => (value.regions = STANDARD_17.filter((region) => region !== 'sa-east-1'))));
    // Every instance of the previous synth in sa-east-1, found by its own arguments.
    const expected = [...previous.stacks].flatMap(([id, json]) =>
      resourceInstances(json)
        .filter((instance) => instanceAttributes(instance).region === 'sa-east-1')
        .map((instance) => `${id} ${instance.address}`),
    );
    const stacks = rollout.steps.flatMap((step) => step.stacks);
    const removed = stacks.flatMap((stack) => (stack.changes?.removed ?? []).map((address) => `${stack.id} ${address}`));
    expect(removed.sort()).toEqual(expected.sort());
    expect(removed.length).toBeGreaterThan(300 * (mode === 'invitations' ? 9 : 1));
    expect(stacks.flatMap((stack) => [...(stack.changes?.forgotten ?? []), ...(stack.changes?.added ?? []), ...(stack.changes?.imported ?? []), ...(stack.changes?.changed ?? [])])).toEqual([]);
    expect(rollout.moves).toBeUndefined();
    // Each removing stack says so in one group: the region.
    for (const stack of stacks.filter((candidate) => candidate.changes?.removed.length)) {
      expect(stack.removals).toEqual([{ kind: 'region', count: stack.changes?.removed.length, names: ['sa-east-1'] }]);
    }
    // Retirement order: a stack removes only after every stack that depends on it has removed.
    const removal = rollout.steps.filter((step) => step.phase === 'remove');
    const stepOf = new Map(removal.flatMap((step) => step.stacks.map((stack) => [stack.id, step.step] as const)));
    for (const stack of removal.flatMap((step) => step.stacks)) {
      for (const dependency of stack.dependsOn.filter((id) => stepOf.has(id))) {
        expect(`${stack.id} before ${dependency}: ${(stepOf.get(stack.id) as number) < (stepOf.get(dependency) as number)}`).toBe(`${stack.id} before ${dependency}: true`);
      }
    }
    expect(removal.at(-1)?.stacks.map((stack) => stack.id)).toEqual(['admin']);
    if (mode === 'organizations') expect(removal.at(-2)?.stacks.map((stack) => stack.id)).toEqual(['organization']);
    // Lines stay short; long -target lists would be in a file (none here: the stacks are deployed whole).
    for (const command of rollout.steps.flatMap((step) => step.commands)) expect(command.argv.length).toBeLessThan(80);
  });

  it('an account moved to another wave: let go of in its old stacks and imported in its new ones; nothing destroyed', () => {
    const rollout = since(
      previous,
      data(mode, (value) => {
        const moving = value.members.filter((member: { wave: number }) => member.wave === 2).at(-1);
        value.members = [...value.members.filter((member: unknown) => member !== moving), { ...moving, wave: 3 }];
      }),
    );
    const stacks = rollout.steps.flatMap((step) => step.stacks);
    expect(stacks.flatMap((stack) => stack.changes?.removed ?? [])).toEqual([]);
    expect(new Set((rollout.moves ?? []).map((move) => move.account))).toEqual(new Set([String(200000000000 + 69)]));
    const forgotten = stacks.flatMap((stack) => stack.changes?.forgotten ?? []);
    const imported = stacks.flatMap((stack) => stack.changes?.imported ?? []);
    for (const address of [...forgotten, ...imported]) expect(address).toContain('_200000000069[');
    // Memberships (and an invited member's detectors and acceptances) are imported; plans are set again.
    expect(imported.length).toBe(17 * (mode === 'invitations' ? 3 : 1));
    expect(forgotten.length).toBe(17 * (mode === 'invitations' ? 3 + 6 : 1 + 6));
    const letGo = rollout.steps.filter((step) => step.phase === 'remove').flatMap((step) => step.stacks.map((stack) => stack.id));
    const adopt = rollout.steps.filter((step) => step.phase === 'deploy').flatMap((step) => step.stacks.filter((stack) => stack.changes?.imported.length).map((stack) => stack.id));
    expect(letGo.length).toBeGreaterThan(0);
    expect(adopt.length).toBeGreaterThan(0);
  });
});

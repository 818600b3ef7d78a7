import { benchConfigFiles } from '../../../cli/bench/config';
import { inlineForEachMaps, PLAN_TIME_CASES, renderPlanTime, stackShape, type PlanTimeRow } from '../../../cli/bench/plan-time';
import { ACCOUNTS_PER_STACK } from '../../../lib/plan/stacks';

describe('the plan-time curve of the benchmark', () => {
  it('measures stacks of one wave each, under the fixed number of accounts a stack holds', () => {
    for (const planCase of PLAN_TIME_CASES) {
      expect(planCase.waves.length).toBe(4);
      for (const size of planCase.waves) expect(size).toBeLessThanOrEqual(ACCOUNTS_PER_STACK[planCase.stack][planCase.mode]);
    }
  });

  it('writes the members of each wave as the sizes say', () => {
    const csv = benchConfigFiles({ mode: 'invitations', members: 6, waveSizes: [2, 4] }, '/b')['accounts.csv'].trim().split('\n').slice(1);
    expect(csv.map((line) => line.split(',')[3])).toEqual(['1', '1', '2', '2', '2', '2']);
    expect(() => benchConfigFiles({ mode: 'invitations', members: 5, waveSizes: [2, 4] }, '/b')).toThrow('wave sizes 2, 4 do not add up to 5 members');
  });

  it('counts instances, blocks, providers and moved blocks of a stack', () => {
    expect(
      stackShape({
        provider: { aws: [{}, { alias: 'member-1' }] },
        resource: { a: { x: { for_each: { r1: {}, r2: {} } }, y: {} }, b: { z: { for_each: {} } } },
        moved: [{ from: 'a', to: 'b' }],
      }),
    ).toEqual({ instances: 3, blocks: 3, providers: 2, moved: 1 });
    // A map the blocks read from a local counts its keys.
    expect(stackShape({ locals: { for_each_0123456789ab: { r1: {}, r2: {} } }, resource: { a: { x: { for_each: '${local.for_each_0123456789ab}' } } } }).instances).toBe(2);
  });

  it('writes each for_each map back into the blocks that name it, and keeps the other locals', () => {
    const map = { 'us-east-1': { region: 'us-east-1' } };
    const stack = {
      locals: { for_each_0123456789ab: map, admin_ids: { a: 'b' } },
      resource: { a: { x: { for_each: '${local.for_each_0123456789ab}', region: '${each.value.region}' }, y: { name: 'y' } }, b: { z: { for_each: '${local.for_each_0123456789ab}' } } },
      moved: [{ from: 'a', to: 'b' }],
    };
    expect(inlineForEachMaps(stack)).toEqual({
      locals: { admin_ids: { a: 'b' } },
      resource: { a: { x: { for_each: map, region: '${each.value.region}' }, y: { name: 'y' } }, b: { z: { for_each: map } } },
      moved: [{ from: 'a', to: 'b' }],
    });
    expect(inlineForEachMaps({ locals: { for_each_0123456789ab: map }, resource: { b: { z: { for_each: '${local.for_each_0123456789ab}' } } } })).toEqual({ resource: { b: { z: { for_each: map } } } });
  });

  it('renders the rows smallest first, with and without moved blocks, and with the maps inlined', () => {
    const row = (instances: number, withMoved: boolean, forEachMaps: 'locals' | 'inline' = 'locals'): PlanTimeRow => ({
      mode: 'invitations',
      stack: 'members-wave-1',
      accounts: 2,
      instances,
      blocks: 9,
      providers: 3,
      movedBlocks: 612,
      withMoved,
      forEachMaps,
      exitCode: 0,
      wallMs: 61_234,
      cpuMs: 42_000,
      loadBefore: '1.00, 0.50, 0.25',
    });
    const table = renderPlanTime([row(613, false), row(613, true, 'inline'), row(307, true), row(613, true)], 'machine').split('\n');
    expect(table.slice(6, 10)).toEqual([
      '| invitations | members-wave-1 | 2 | 307 | 9 | 3 | 612 | locals | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
      '| invitations | members-wave-1 | 2 | 613 | 9 | 3 | 612 | inline | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
      '| invitations | members-wave-1 | 2 | 613 | 9 | 3 | 612 | locals | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
      '| invitations | members-wave-1 | 2 | 613 | 9 | 3 | left out | locals | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
    ]);
    expect(table[10]).toBe('');
  });
});

import { benchConfigFiles } from '../../../cli/bench/config';
import { PLAN_TIME_CASES, renderPlanTime, stackShape, type PlanTimeRow } from '../../../cli/bench/plan-time';
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
  });

  it('renders the rows smallest first, with and without moved blocks', () => {
    const row = (instances: number, withMoved: boolean): PlanTimeRow => ({
      mode: 'invitations',
      stack: 'members-wave-1',
      accounts: 2,
      instances,
      blocks: 9,
      providers: 3,
      movedBlocks: 612,
      withMoved,
      exitCode: 0,
      wallMs: 61_234,
      cpuMs: 42_000,
      loadBefore: '1.00, 0.50, 0.25',
    });
    const table = renderPlanTime([row(613, false), row(307, true), row(613, true)], 'machine').split('\n');
    expect(table.slice(6, 9)).toEqual([
      '| invitations | members-wave-1 | 2 | 307 | 9 | 3 | 612 | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
      '| invitations | members-wave-1 | 2 | 613 | 9 | 3 | 612 | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
      '| invitations | members-wave-1 | 2 | 613 | 9 | 3 | left out | ok | 61.2 | 42.0 | 1.00, 0.50, 0.25 |',
    ]);
  });
});

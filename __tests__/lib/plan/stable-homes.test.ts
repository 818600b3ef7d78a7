import type { OrgConfig } from '../../../lib/config/load';
import {
  ACCOUNTS_PER_STACK,
  BUDGET_REGIONS,
  MAX_ACCOUNTS_PER_STACK,
  MAX_RESOURCES_PER_STACK,
  planStacks,
  resourcesPerMemberRegion,
  type WaveService,
} from '../../../lib/plan/stacks';
import { PLANS } from '../../../lib/guardduty/protection';
import { OPT_IN_REGIONS, STANDARD_REGIONS } from '../../../lib/aws/regions';
import { MODES } from '../../../lib/config/schema';
import { SCALE_WAVES, scaleMembers, STANDARD_17 } from '../../helpers/plan';
import { testConfig } from '../../helpers/synth';

/**
 * Stable homes (issue 24): once an account is in a stack, it stays there when regions, plans or other
 * accounts change. Measured where it matters, at 300 accounts in waves of 10, 60, 100 and 130 over the
 * 17 standard regions, in both modes (organizations with autoEnable NEW, so that members stacks and
 * member-plans stacks exist): for each day-2 change, the accounts whose stack changes, by kind of stack.
 */


type Data = Record<string, any>;

function scaleData(mode: string): Data {
  return {
    mode,
    regions: [...STANDARD_17],
    members: scaleMembers(),
    membersFile: undefined,
    ...(mode === 'organizations' ? { autoEnable: 'NEW' } : { autoEnable: undefined }),
    protection: { s3: true, eksAuditLogs: true, ebsMalware: true, rdsLogin: true, lambdaNetwork: true, runtimeMonitoring: true },
  };
}

/** `<kind> <account>` to the stack that holds it, for every wave stack. */
function homes(config: OrgConfig): Map<string, string> {
  const home = new Map<string, string>();
  for (const stack of planStacks(config).stacks) for (const member of stack.members) home.set(`${stack.kind} ${member.id}`, stack.id);
  return home;
}

/** Accounts in both configurations whose stack changed, by kind of stack. */
function moved(before: Data, after: Data): Record<string, string[]> {
  const a = homes(testConfig(before));
  const b = homes(testConfig(after));
  const byKind: Record<string, string[]> = {};
  for (const [key, stack] of a) {
    const now = b.get(key);
    if (now === undefined || now === stack) continue;
    const [kind, account] = key.split(' ');
    (byKind[kind] ??= []).push(account);
  }
  return byKind;
}

const change = (mode: string, edit: (data: Data) => void) => {
  const data = scaleData(mode);
  edit(data);
  return data;
};

describe.each(['organizations', 'invitations'])('stable homes at 300 accounts x 17 regions, %s mode', (mode) => {
  const base = scaleData(mode);

  it('the configuration has members stacks and member-plans stacks of several parts', () => {
    const stacks = planStacks(testConfig(base)).stacks;
    expect(stacks.filter((stack) => stack.kind === 'members').length).toBeGreaterThan(SCALE_WAVES.length);
    expect(stacks.reduce((sum, stack) => sum + (stack.kind === 'members' ? stack.members.length : 0), 0)).toBe(300);
    if (mode === 'organizations') expect(stacks.filter((stack) => stack.kind === 'member-plans').length).toBeGreaterThan(SCALE_WAVES.length);
  });

  it.each<[string, (data: Data) => void]>([
    ['one region less', (data) => (data.regions = STANDARD_17.filter((region) => region !== 'sa-east-1'))],
    ['two regions less', (data) => (data.regions = STANDARD_17.filter((region) => region !== 'sa-east-1' && region !== 'ca-central-1'))],
    [
      'a plan switched on',
      (data) => {
        data.protection.aiProtection = true;
        data.providerVersion = '6.56.0';
      },
    ],
    ['a plan switched off', (data) => (data.protection.runtimeMonitoring = false)],
    ['a plan no longer managed', (data) => delete data.protection.lambdaNetwork],
    ['five accounts added to the last wave', (data) => data.members.push(...Array.from({ length: 5 }, (_, i) => ({ id: String(300000000000 + i), email: `new${i}@example.com`, wave: 4 })))],
  ])('%s moves no account', (_name, edit) => {
    expect(moved(base, change(mode, edit))).toEqual({});
  });

  it('an account moved to another wave, its line moved to the end of the list: only that account changes stack', () => {
    const after = change(mode, (data) => {
      const lastOfWave2 = data.members.filter((member: Data) => member.wave === 2).at(-1);
      data.members = [...data.members.filter((member: Data) => member !== lastOfWave2), { ...lastOfWave2, wave: 3 }];
    });
    const accounts = new Set(Object.values(moved(base, after)).flat());
    expect([...accounts]).toEqual([String(200000000000 + 69)]);
  });

  it('an account moved from the middle of a wave: one account of each later part of that wave moves up a part too (the rollout moves them all with removed and import blocks)', () => {
    const after = change(mode, (data) => {
      const twentieth = data.members.filter((member: Data) => member.wave === 2)[20];
      data.members = [...data.members.filter((member: Data) => member !== twentieth), { ...twentieth, wave: 3 }];
    });
    const byKind = moved(base, after);
    const parts = (kind: string) => planStacks(testConfig(base)).stacks.filter((stack) => stack.kind === kind && stack.wave === 2);
    // Wave 2 holds 60 accounts: the moved one, and at each boundary of a later part, the account that moves up.
    for (const [kind, accounts] of Object.entries(byKind)) {
      const stacks = parts(kind);
      const partOfTwentieth = Math.floor(20 / stacks[0].members.length);
      expect(`${kind}: ${accounts.length}`).toBe(`${kind}: ${1 + stacks.length - 1 - partOfTwentieth}`);
    }
  });
});

describe('the fixed number of accounts a stack holds', () => {
  const everyPlan = Object.fromEntries(PLANS.map((plan) => [plan.key, true]));
  const worst = (mode: string): Pick<OrgConfig, 'mode' | 'protection' | 'regions'> => ({
    ...testConfig({ mode, autoEnable: mode === 'organizations' ? 'NEW' : undefined }),
    protection: everyPlan as OrgConfig['protection'],
    regions: [...STANDARD_REGIONS, ...OPT_IN_REGIONS],
  });

  it('depends on the mode alone, and the budget holds in the worst case: every region of the partition, every plan', () => {
    expect(STANDARD_REGIONS.length + OPT_IN_REGIONS.length).toBe(BUDGET_REGIONS);
    for (const service of Object.keys(ACCOUNTS_PER_STACK) as WaveService[]) {
      for (const mode of MODES) {
        const accounts = ACCOUNTS_PER_STACK[service][mode];
        expect(accounts).toBeLessThanOrEqual(MAX_ACCOUNTS_PER_STACK);
        const instances = accounts * resourcesPerMemberRegion(service, worst(mode)) * BUDGET_REGIONS;
        expect(`${service} ${mode}: ${instances <= MAX_RESOURCES_PER_STACK}`).toBe(`${service} ${mode}: true`);
      }
    }
  });

  it('is the cut the releases before made for the 17 standard regions and the first six plans, so such a deployment upgrades in place', () => {
    const firstRelease = { s3: true, eksAuditLogs: true, ebsMalware: true, rdsLogin: true, lambdaNetwork: true, runtimeMonitoring: true };
    for (const service of Object.keys(ACCOUNTS_PER_STACK) as WaveService[]) {
      for (const mode of MODES) {
        const config = { ...testConfig({ mode, autoEnable: mode === 'organizations' ? 'NEW' : undefined }), protection: firstRelease, regions: [...STANDARD_17] };
        // The formula of those releases: 2,000 resources a stack, at most 50 accounts.
        const before = Math.max(1, Math.min(50, Math.floor(2000 / (Math.max(1, resourcesPerMemberRegion(service, config)) * 17))));
        expect(`${service} ${mode}: ${ACCOUNTS_PER_STACK[service][mode]}`).toBe(`${service} ${mode}: ${before}`);
      }
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { instanceAttributes, readSynthesized, resourceInstances } from '../../cli/common/synthesized';
import { buildApp } from '../../stacks/app';
import { exampleData, testConfig } from '../helpers/synth';

/**
 * Adding or removing one account or one region must change only that account's or region's resources:
 * every other resource instance keeps its stack, its address and every argument, so a plan for such a
 * change shows nothing else (and no state moves between stacks). Compared instance by instance: a
 * keyed block's `for_each` map gains or loses the key, and nothing else of it changes. The one change allowed to a shared resource
 * is the account or region joining or leaving a list it holds (a finding aggregator's regions, say):
 * an in-place update that names nothing else.
 */

type Data = Record<string, any>;

/**
 * Every resource instance of every stack, as `<stack>/<address>` (`admin/aws_guardduty_detector.detector["us-east-1"]`)
 * to the arguments Terraform sees for it, and every moved block, as `<stack>/moved <from>` to its target.
 */
function resourcesOf(data: Data): Map<string, Record<string, unknown>> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'gd-stable-'));
  try {
    buildApp(testConfig(data), { outdir }).synth();
    const resources = new Map<string, Record<string, unknown>>();
    for (const [stackId, stack] of readSynthesized(outdir).stacks) {
      for (const instance of resourceInstances(stack)) resources.set(`${stackId}/${instance.address}`, instanceAttributes(instance));
      for (const move of stack.moved ?? []) resources.set(`${stackId}/moved ${move.from}`, { to: move.to });
    }
    return resources;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** A resource belongs to an account or region when its address or one of its values names it. */
function belongsTo(key: string, attributes: Record<string, unknown>, token: string): boolean {
  return key.includes(token) || JSON.stringify(attributes).includes(JSON.stringify(token));
}

/** The attributes without list entries that name the token: what must stay equal in a shared resource. */
function withoutToken(value: unknown, token: string): unknown {
  if (Array.isArray(value)) {
    return value.filter((entry) => !(typeof entry === 'string' && entry.includes(token))).map((entry) => withoutToken(entry, token));
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, withoutToken(entry, token)]));
  }
  return value;
}

/** What differs between two synths that is not the account's or region's own. */
function foreignChanges(before: Data, after: Data, token: string): { changes: string[]; ownChanges: number } {
  const a = resourcesOf(before);
  const b = resourcesOf(after);
  const changes: string[] = [];
  let ownChanges = 0;
  for (const [key, attributes] of a) {
    if (!b.has(key)) {
      if (belongsTo(key, attributes, token)) ownChanges++;
      else changes.push(`removed ${key}`);
    } else if (JSON.stringify(b.get(key)) !== JSON.stringify(attributes)) {
      if (JSON.stringify(withoutToken(b.get(key), token)) === JSON.stringify(withoutToken(attributes, token))) ownChanges++;
      else changes.push(`changed ${key}: ${JSON.stringify(attributes)} => ${JSON.stringify(b.get(key))}`);
    }
  }
  for (const [key, attributes] of b) {
    if (a.has(key)) continue;
    if (belongsTo(key, attributes, token)) ownChanges++;
    else changes.push(`added ${key}`);
  }
  return { changes, ownChanges };
}

const NEW_ACCOUNT = '777777777777';

const variants: [string, (data: Data) => Data][] = [
  ['organizations mode (explicit enrollment)', (data) => data],
  ['invitations mode', (data) => ({ ...data, mode: 'invitations', membersFile: undefined })],
  ['every optional stack (Security Hub, Detective)', (data) => ({ ...data, securityHub: { enabled: true, standards: [] }, detective: { enabled: true } })],
];

describe.each(variants)('stable addresses, %s', (_name, variant) => {
  const base = () => variant(exampleData());

  it('adding a region adds only that region’s resources', () => {
    const after = base();
    after.regions = [...after.regions, 'eu-central-1'];
    const { changes, ownChanges } = foreignChanges(base(), after, 'eu-central-1');
    expect(changes).toEqual([]);
    expect(ownChanges).toBeGreaterThan(0);
  });

  it('removing a region removes only that region’s resources', () => {
    const after = base();
    after.regions = after.regions.filter((region: string) => region !== 'us-east-1');
    const { changes, ownChanges } = foreignChanges(base(), after, 'us-east-1');
    expect(changes).toEqual([]);
    expect(ownChanges).toBeGreaterThan(0);
  });

  it('adding an account to a wave adds only that account’s resources', () => {
    const after = base();
    after.members = [{ id: NEW_ACCOUNT, email: 'new@example.com', wave: 1 }, ...after.members];
    const { changes, ownChanges } = foreignChanges(base(), after, NEW_ACCOUNT);
    expect(changes).toEqual([]);
    expect(ownChanges).toBeGreaterThanOrEqual(exampleData().regions.length);
  });

  it('removing an account removes only that account’s resources', () => {
    const after = base();
    after.members = after.members.filter((member: Data) => member.id !== '444444444444');
    const { changes, ownChanges } = foreignChanges(base(), after, '444444444444');
    expect(changes).toEqual([]);
    expect(ownChanges).toBeGreaterThanOrEqual(exampleData().regions.length);
  });
});

describe('stable addresses, a new wave', () => {
  it('an account in a new wave lands in a stack of its own and touches nothing else', () => {
    const before = exampleData();
    const after = exampleData();
    after.members = [...after.members, { id: NEW_ACCOUNT, email: 'new@example.com', wave: 9 }];
    const { changes, ownChanges } = foreignChanges(before, after, NEW_ACCOUNT);
    expect(changes).toEqual([]);
    // Per region, its membership and the chain of moved blocks from where the earlier layouts kept it
    // (hashed, then shared), and its six protection plans, each with the moved block from the shared
    // layout (member-plans stacks came after the hashed one).
    expect(ownChanges).toBe((1 + 2 + 6 + 6) * before.regions.length);
  });
});

describe('stable addresses, the comparison itself', () => {
  it('reports a change that is not the account’s or region’s own', () => {
    const after = exampleData();
    after.findingPublishingFrequency = 'ONE_HOUR';
    after.regions = [...after.regions, 'eu-central-1'];
    const { changes } = foreignChanges(exampleData(), after, 'eu-central-1');
    const detectors = changes.filter((change) => change.startsWith('changed admin/aws_guardduty_detector.detector['));
    expect(detectors).toHaveLength(exampleData().regions.length);
    expect(detectors[0]).toContain('"finding_publishing_frequency":"FIFTEEN_MINUTES"');
  });
});

describe('stable addresses, the stacks an added account touches', () => {
  /** The stacks with any resource added, removed or changed between two synths. */
  function changedStacks(before: Data, after: Data): string[] {
    const a = resourcesOf(before);
    const b = resourcesOf(after);
    const stacks = new Set<string>();
    for (const key of new Set([...a.keys(), ...b.keys()])) {
      if (JSON.stringify(a.get(key)) !== JSON.stringify(b.get(key))) stacks.add(key.split('/')[0]);
    }
    return [...stacks].sort();
  }

  // The central bus admits no other account (every forwarder runs in the admin account), so the admin
  // stack holds nothing per member: in invitations mode it used to gain one bus permission per account.
  const waveStacks: Record<string, string[]> = {
    'organizations mode (explicit enrollment)': ['member-plans-wave-1', 'members-wave-1'],
    'invitations mode': ['members-wave-1'],
    'every optional stack (Security Hub, Detective)': ['detective-wave-1', 'member-plans-wave-1', 'members-wave-1', 'security-hub-wave-1'],
  };

  it.each(variants)('in %s, adding an account to a wave changes only that wave’s stacks', (name, variant) => {
    const before = variant(exampleData());
    const after = variant(exampleData());
    after.members = [...after.members, { id: NEW_ACCOUNT, email: 'new@example.com', wave: 1 }];

    expect(changedStacks(before, after)).toEqual(waveStacks[name]);
  });
});

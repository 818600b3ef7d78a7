import { compareSynths, stableJson, type Synthesized } from '../../../cli/rollout/changes';

/** An app of stacks given as Terraform JSON, as if synthesized into `outdir`. */
function app(outdir: string, stacks: Record<string, Record<string, any>>): Synthesized {
  return {
    outdir,
    manifest: { stacks: Object.fromEntries(Object.keys(stacks).map((id) => [id, { name: id, dependencies: [], workingDirectory: `stacks/${id}`, synthesizedStackPath: `stacks/${id}/cdk.tf.json` }])) },
    stacks: new Map(Object.entries(stacks)),
  };
}

const member = (keys: Record<string, unknown>) => ({ aws_guardduty_member: { member: { for_each: keys, account_id: '${each.value.account}', region: '${each.value.region}' } } });

describe('compareSynths', () => {
  it('sees a key leaving a for_each block as one removed instance, and a new key as one added', () => {
    const before = app('/p/out', { wave: { resource: member({ 'a/r1': { account: 'a', region: 'r1' }, 'a/r2': { account: 'a', region: 'r2' } }) } });
    const after = app('/p/out', { wave: { resource: member({ 'a/r1': { account: 'a', region: 'r1' }, 'b/r1': { account: 'b', region: 'r1' } }) } });
    expect(compareSynths(before, after).get('wave')).toEqual({
      status: 'changed',
      added: ['aws_guardduty_member.member["b/r1"]'],
      imported: [],
      removed: ['aws_guardduty_member.member["a/r2"]'],
      changed: [],
      moved: [],
      forgotten: [],
      other: [],
      shrunk: [],
    });
  });

  it('sees a changed instance by its own for_each value or by the block, not by its neighbours', () => {
    const before = app('/p/out', { wave: { resource: member({ 'a/r1': { account: 'a', region: 'r1' }, 'a/r2': { account: 'a', region: 'r2' } }) } });
    const after = app('/p/out', { wave: { resource: member({ 'a/r1': { account: 'a', region: 'r1' }, 'a/r2': { account: 'a', region: 'r9' } }) } });
    expect(compareSynths(before, after).get('wave')?.changed).toEqual(['aws_guardduty_member.member["a/r2"]']);

    const disabled = app('/p/out', { wave: { resource: { aws_guardduty_member: { member: { ...member({ 'a/r1': {}, 'a/r2': {} }).aws_guardduty_member.member, disable_email_notification: true } } } } });
    const enabled = app('/p/out', { wave: { resource: { aws_guardduty_member: { member: { ...member({ 'a/r1': {}, 'a/r2': {} }).aws_guardduty_member.member } } } } });
    expect(compareSynths(enabled, disabled).get('wave')?.changed).toEqual(['aws_guardduty_member.member["a/r1"]', 'aws_guardduty_member.member["a/r2"]']);
  });

  it('honours moved blocks (instance and block level): no removal, no addition', () => {
    const before = app('/p/out', {
      admin: { resource: { aws_guardduty_detector: { 'detector-r1_detector_ABC': { region: 'r1', enable: true }, old: { for_each: { r2: {} }, enable: true } } } },
    });
    const after = app('/p/out', {
      admin: {
        resource: { aws_guardduty_detector: { detector: { for_each: { r1: {} }, enable: true }, renamed: { for_each: { r2: {} }, enable: true } } },
        moved: [
          { from: 'aws_guardduty_detector.detector-r1_detector_ABC', to: 'aws_guardduty_detector.detector["r1"]' },
          { from: 'aws_guardduty_detector.old', to: 'aws_guardduty_detector.renamed' },
        ],
      },
    });
    const change = compareSynths(before, after).get('admin');
    expect(change).toMatchObject({
      added: [],
      removed: [],
      moved: [
        { from: 'aws_guardduty_detector.detector-r1_detector_ABC', to: 'aws_guardduty_detector.detector["r1"]' },
        { from: 'aws_guardduty_detector.old["r2"]', to: 'aws_guardduty_detector.renamed["r2"]' },
      ],
    });
    // The moved instance's region attribute now comes from each.value; its configuration differs.
    expect(change?.changed).toEqual(['aws_guardduty_detector.detector["r1"]']);
  });

  it('compares a moved instance by what it ends up configured with: each.key and each.value replaced, cdktf metadata left out', () => {
    const before = app('/p/out', {
      wave: { resource: { aws_guardduty_member: { 'member-1_r1_ABC': { '//': { metadata: { path: 'wave/member-1_r1' } }, account_id: '1', region: 'r1', invite: true } } } },
    });
    const member = (attributes: Record<string, unknown>) => ({
      resource: { aws_guardduty_member: { member: { '//': { metadata: { path: 'wave/member' } }, for_each: { '1/r1': { account: '1', region: 'r1' } }, ...attributes } } },
      moved: [{ from: 'aws_guardduty_member.member-1_r1_ABC', to: 'aws_guardduty_member.member["1/r1"]' }],
    });
    const same = compareSynths(before, app('/p/out', { wave: member({ account_id: '${each.value.account}', region: '${each.value.region}', invite: true }) })).get('wave');
    expect(same).toMatchObject({ status: 'changed', moved: [{ from: 'aws_guardduty_member.member-1_r1_ABC', to: 'aws_guardduty_member.member["1/r1"]' }], changed: [], removed: [], added: [] });
    const different = compareSynths(before, app('/p/out', { wave: member({ account_id: '${each.value.account}', region: '${each.value.region}', invite: false }) })).get('wave');
    expect(different?.changed).toEqual(['aws_guardduty_member.member["1/r1"]']);
    // A reference it cannot replace keeps the instance's own value in the comparison.
    const opaque = compareSynths(before, app('/p/out', { wave: member({ account_id: '${lookup(each.value, "account")}', region: 'r1', invite: true }) })).get('wave');
    expect(opaque?.changed).toEqual(['aws_guardduty_member.member["1/r1"]']);
  });

  it('counts a removed block with destroy = false as forgotten, not removed', () => {
    const before = app('/p/out', { s: { resource: { aws_sns_topic: { t: { name: 'x' }, u: { name: 'y' } } } } });
    const after = app('/p/out', { s: { resource: { aws_sns_topic: { u: { name: 'y' } } }, removed: [{ from: 'aws_sns_topic.t', lifecycle: { destroy: false } }] } });
    expect(compareSynths(before, after).get('s')).toMatchObject({ removed: [], forgotten: ['aws_sns_topic.t'], status: 'changed' });
  });

  it('tells stacks only one side has, and unchanged stacks', () => {
    const s = { resource: { aws_sns_topic: { t: { name: 'x' } } } };
    const changes = compareSynths(app('/p/out', { kept: s, gone: s }), app('/p/out', { kept: s, fresh: s }));
    expect([...changes].map(([id, change]) => [id, change.status, change.added.length, change.removed.length])).toEqual([
      ['kept', 'unchanged', 0, 0],
      ['fresh', 'added', 1, 0],
      ['gone', 'removed', 0, 1],
    ]);
  });

  it('compares local state paths by where they lead, not as written from two output folders', () => {
    const stack = (path: string) => ({
      terraform: { backend: { local: { path: `${path}/terraform-state/a.tfstate` } } },
      data: { terraform_remote_state: { admin: { backend: 'local', config: { path: `${path}/terraform-state/admin.tfstate` } } } },
    });
    // /p/cdktf.out/stacks/a and /p/cdktf.out/previous/stacks/a both lead to /p/terraform-state.
    expect(compareSynths(app('/p/cdktf.out/previous', { a: stack('../../../..') }), app('/p/cdktf.out', { a: stack('../../..') })).get('a')?.status).toBe('unchanged');
    expect(compareSynths(app('/p/cdktf.out', { a: stack('../../../..') }), app('/p/cdktf.out', { a: stack('../../..') })).get('a')?.other).toEqual(['terraform', 'data']);
  });

  it('ignores the depends_on of a data source: it orders a read, which changes nothing', () => {
    const check = (dependsOn: string[], filter: string) => ({ data: { aws_organizations_organization: { check: { depends_on: dependsOn, filter } } } });
    const before = app('/p/out', { a: check(['aws_x.r1', 'aws_x.r2'], 'f') });
    expect(compareSynths(before, app('/p/out', { a: check(['aws_x.r1'], 'f') })).get('a')?.status).toBe('unchanged');
    expect(compareSynths(before, app('/p/out', { a: check(['aws_x.r1'], 'g') })).get('a')?.other).toEqual(['data']);
  });

  it('tells parts that only lost entries (outputs, locals of a removed region) from parts that changed', () => {
    const before = app('/p/out', { a: { output: { r1: { value: 1 }, r2: { value: 2 } }, locals: { x: 1 }, provider: { aws: [{ region: 'r1' }] } } });
    const after = app('/p/out', { a: { output: { r1: { value: 1 } }, locals: { x: 2 }, provider: { aws: [{ region: 'r1' }] } } });
    expect(compareSynths(before, after).get('a')).toMatchObject({ status: 'changed', shrunk: ['output'], other: ['locals'] });
  });

  it('writes JSON with sorted keys', () => {
    expect(stableJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

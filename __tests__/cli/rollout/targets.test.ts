import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compareSynths } from '../../../cli/rollout/changes';
import { targets } from '../../../cli/rollout/since';

const terraform = spawnSync('terraform', ['version'], { encoding: 'utf8' }).status === 0;

/** A stack shaped like a members wave: a for_each block keyed account/region, and a block of its own. */
const stack = (keys: string[], extra: boolean) => ({
  resource: {
    terraform_data: {
      member: { for_each: Object.fromEntries(keys.map((key) => [key, { key }])), input: '${each.value.key}' },
      ...(extra ? { single: { input: 'x' } } : {}),
    },
  },
});

function run(dir: string, args: string[]) {
  const result = spawnSync('terraform', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1' } });
  if (result.status !== 0) throw new Error(`terraform ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

// Terraform itself is the judge of what -target does with instances the configuration no longer has.
(terraform ? describe : describe.skip)('the -target arguments of a split step, with a real terraform', () => {
  it('destroy exactly the removed instances, and leave the additions for the next step', () => {
    const previous = stack(['a/r1', 'a/r2', 'b/r2'], true);
    const next = stack(['a/r1', 'c/r1'], false);
    const change = compareSynths(
      { outdir: '/x', manifest: { stacks: {} }, stacks: new Map([['s', previous]]) },
      { outdir: '/x', manifest: { stacks: {} }, stacks: new Map([['s', next]]) },
    ).get('s');
    const dir = mkdtempSync(path.join(tmpdir(), 'gd-targets-'));
    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(previous));
    run(dir, ['init', '-input=false']);
    run(dir, ['apply', '-input=false', '-auto-approve']);

    writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(next));
    const args = targets(change as NonNullable<typeof change>);
    expect(args).toEqual(['-target=terraform_data.member["a/r2"]', '-target=terraform_data.member["b/r2"]', '-target=terraform_data.single']);
    run(dir, ['plan', '-input=false', '-out=step.tfplan', ...args]);
    expect(run(dir, ['show', '-no-color', 'step.tfplan'])).toContain('Plan: 0 to add, 0 to change, 3 to destroy.');
    run(dir, ['apply', '-input=false', 'step.tfplan']);
    expect(run(dir, ['state', 'list']).trim().split('\n')).toEqual(['terraform_data.member["a/r1"]']);
    expect(run(dir, ['plan', '-input=false', '-no-color'])).toContain('Plan: 1 to add, 0 to change, 0 to destroy.');
  });
});

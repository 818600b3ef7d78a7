import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { largestStack, summarizeOutput } from '../../../cli/bench/output';

describe('synthesized output summary', () => {
  it('counts every resource instance of every type (each key of a keyed block), and no data sources', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'gd-bench-output-'));
    try {
      const stacks = {
        one: {
          data: { aws_caller_identity: { me: {} } },
          resource: { aws_guardduty_member: { a: {}, b: {}, c: {} }, aws_guardduty_detector: { detector: { for_each: { 'us-east-1': {}, 'eu-west-1': {} } } } },
        },
        two: {},
      };
      for (const [id, stack] of Object.entries(stacks)) {
        mkdirSync(path.join(outdir, 'stacks', id), { recursive: true });
        writeFileSync(path.join(outdir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(stack));
      }
      const manifest = { stacks: Object.fromEntries(Object.keys(stacks).map((id) => [id, { synthesizedStackPath: `stacks/${id}/cdk.tf.json` }])) };
      writeFileSync(path.join(outdir, 'manifest.json'), JSON.stringify(manifest));
      const summary = summarizeOutput(outdir);
      expect([...summary.resourcesByStack]).toEqual([['one', 5], ['two', 0]]);
      expect(summary.totalResources).toBe(5);
      expect(summary.largestStack).toEqual({ id: 'one', resources: 5 });
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('finds the stack with the most resources', () => {
    expect(largestStack(new Map([['admin', 240], ['members-wave-1', 612], ['organization', 34]]))).toEqual({ id: 'members-wave-1', resources: 612 });
  });
});

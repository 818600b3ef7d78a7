import { countResources, largestStack } from '../../../cli/bench/output';

describe('synthesized output summary', () => {
  it('counts every resource of every type, and no data sources', () => {
    const stack = {
      data: { aws_caller_identity: { me: {} } },
      resource: { aws_guardduty_member: { a: {}, b: {}, c: {} }, aws_guardduty_detector: { d: {} } },
    };
    expect(countResources(stack)).toBe(4);
    expect(countResources({})).toBe(0);
  });

  it('finds the stack with the most resources', () => {
    expect(largestStack(new Map([['admin', 240], ['members-wave-1', 612], ['organization', 34]]))).toEqual({ id: 'members-wave-1', resources: 612 });
  });
});

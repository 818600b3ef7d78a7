import type { PlannedStack } from '../../lib/plan/stacks';

/** The example's sandbox account as an inline member (it must be enrolled for the simulation). */
export const SANDBOX_MEMBER = { id: '333333333333', email: 'sandbox@example.com', wave: 1 };

/** `count` member accounts with ids 5000000000xx (from `offset`), all in `wave`. */
export function generatedMembers(count: number, wave = 1, offset = 0) {
  return Array.from({ length: count }, (_, index) => ({
    id: String(500000000000 + offset + index),
    email: `member${offset + index}@example.com`,
    wave,
  }));
}

export const stackIds = (stacks: readonly PlannedStack[]) => stacks.map((stack) => stack.id);

export function stackById(stacks: readonly PlannedStack[], id: string): PlannedStack {
  const stack = stacks.find((candidate) => candidate.id === id);
  if (!stack) throw new Error(`no stack ${id} in ${stackIds(stacks).join(', ')}`);
  return stack;
}

/** The 17 regions every account has without opting in. */
export const STANDARD_17 = ['us-west-2', 'us-east-1', 'us-east-2', 'us-west-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'ap-south-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ap-southeast-1', 'ap-southeast-2', 'ca-central-1', 'sa-east-1'];

/** The waves of the 300-account organization the day-2 tests use (issue 24): 10, 60, 100 and 130 accounts. */
export const SCALE_WAVES = [10, 60, 100, 130] as const;

/** 300 members in `SCALE_WAVES`, the sandbox first in wave 1, then ids 2000000000nn. */
export function scaleMembers(): { id: string; email: string; wave: number }[] {
  let n = 0;
  return SCALE_WAVES.flatMap((size, index) =>
    Array.from({ length: size }, () => {
      const id = n === 0 ? SANDBOX_MEMBER.id : String(200000000000 + n);
      n++;
      return { id, email: `aws-${id}@example.com`, wave: index + 1 };
    }),
  );
}

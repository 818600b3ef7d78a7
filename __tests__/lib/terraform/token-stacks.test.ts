import { Lazy } from 'cdktf';
import { skipTokenCreationStacks } from '../../../lib/terraform/token-stacks';

/** The creation stack cdktf records on a token. */
const creationStackOf = () => Lazy.anyValue({ produce: () => 1 }).creationStack;

describe('skipTokenCreationStacks', () => {
  it('leaves cdktf alone when GD_TOKEN_STACKS=1', () => {
    expect(skipTokenCreationStacks({ GD_TOKEN_STACKS: '1' })).toBe(false);
    expect(creationStackOf().length).toBeGreaterThan(0);
  });

  it('reaches token creation in the pinned cdktf version, so tokens record no stack', () => {
    expect(skipTokenCreationStacks({})).toBe(true);
    expect(creationStackOf()).toEqual([]);
  });
});

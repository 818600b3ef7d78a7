import { mapWithConcurrency } from '../../../cli/common/pool';

describe('mapWithConcurrency', () => {
  it('never has more than the limit in flight, and keeps the results in item order', async () => {
    let inFlight = 0;
    let most = 0;
    const release: (() => void)[] = [];
    const run = mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((resolve) => release.push(resolve));
      inFlight--;
      return item * 10;
    });
    // Release the calls one at a time, in reverse order of arrival when several wait.
    while (release.length > 0 || inFlight > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      release.pop()?.();
    }
    expect(await run).toEqual([10, 20, 30, 40, 50, 60, 70]);
    expect(most).toBe(3);
  });

  it('rejects a limit below 1', async () => {
    await expect(mapWithConcurrency([1], 0, async (x) => x)).rejects.toThrow('concurrency must be a positive whole number; got 0');
  });
});

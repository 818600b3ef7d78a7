import { formatBytes, formatRatio, median } from '../../../cli/bench/stats';

describe('benchmark statistics', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([7])).toBe(7);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('does not reorder the values it is given', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('refuses an empty list rather than inventing a value', () => {
    expect(() => median([])).toThrow(/no values/);
  });

  it('writes sizes in binary units and ratios with sensible precision', () => {
    expect(formatBytes(500)).toBe('500 B');
    expect(formatBytes(512 * 1024)).toBe('512.0 KB');
    expect(formatBytes(300 * 1024 ** 2)).toBe('300 MB');
    expect(formatBytes(2.5 * 1024 ** 3)).toBe('2.50 GB');
    expect(formatRatio(15, 2)).toBe('7.5x');
    expect(formatRatio(1500, 3)).toBe('500x');
    expect(formatRatio(1, 0)).toBe('n/a');
  });
});

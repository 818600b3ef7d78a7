import { createProgress } from '../../../cli/common/progress';

function stream(isTTY: boolean, columns = 120) {
  const written: string[] = [];
  return { written, isTTY, columns, write: (text: string) => written.push(text) };
}

describe('progress', () => {
  it('draws a bar in place on a terminal', () => {
    const out = stream(true);
    const progress = createProgress(out, {});
    progress.start(4);
    progress.tick('222222222222 us-west-2: no detector');
    progress.done();
    expect(out.written[1]).toBe(`\rdiscover [${'#'.repeat(8)}${'.'.repeat(22)}] 1/4 222222222222 us-west-2: no detector\x1b[K`);
    expect(out.written.slice(0, -1).join('')).not.toContain('\n');
    expect(out.written.at(-1)).toBe('\n');
  });

  it('cuts the bar line to the terminal width, so it never wraps', () => {
    const out = stream(true, 40);
    const progress = createProgress(out, {});
    progress.start(1);
    progress.tick('a long label that does not fit');
    expect(out.written[1]).toBe(`\r${`discover [${'#'.repeat(30)}] 1/1 a long label`.slice(0, 39)}\x1b[K`);
  });

  it('writes plain lines in CI, with NO_COLOR, on a dumb terminal, and when stderr is not a terminal', () => {
    for (const [tty, env] of [[true, { CI: 'true' }], [true, { NO_COLOR: '1' }], [true, { TERM: 'dumb' }], [false, {}]] as const) {
      const out = stream(tty);
      const progress = createProgress(out, env);
      progress.start(2);
      progress.tick('a');
      progress.tick('b');
      progress.done();
      expect(out.written).toEqual(['discover: 2 checks\n', 'discover: [1/2] a\n', 'discover: [2/2] b\n', 'discover: done\n']);
    }
  });
});

/**
 * A problem found in the user's input: which file, where in it (a field path or a line), and what is
 * wrong. Loading collects every problem before reporting, so one run shows the whole list.
 */
export interface Problem {
  readonly file: string;
  readonly line?: number;
  /** Field path such as `members[2].email`, or a CSV column name. */
  readonly path?: string;
  readonly message: string;
}

export function formatProblem(problem: Problem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return problem.path ? `${where}: ${problem.path}: ${problem.message}` : `${where}: ${problem.message}`;
}

/** Thrown by the loader with every problem it found. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in the configuration:\n` +
        problems.map((problem) => `  - ${formatProblem(problem)}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** `['members', 2, 'email']` -> `members[2].email` */
export function fieldPath(segments: readonly PropertyKey[]): string {
  return segments
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : `${index === 0 ? '' : '.'}${String(segment)}`))
    .join('');
}

/**
 * How a problem quotes a line or value of a file the configuration names: in full when it has the
 * shape the file should hold (`expected`: an address, an account id), else a short excerpt. A
 * configuration can name any file in its folder, and a line of a key or a tool's settings must
 * not reach a pipeline's log because it was named by mistake.
 */
export function inputExcerpt(text: string, expected: RegExp): string {
  if (expected.test(text)) return JSON.stringify(text);
  const shown = Math.min(4, Math.floor(text.length / 4));
  return `${JSON.stringify(`${text.slice(0, shown)}…`)} (${text.length} characters; the rest is not shown)`;
}

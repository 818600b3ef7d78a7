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

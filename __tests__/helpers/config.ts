import { parseConfig } from '../../lib/config/load';
import { ConfigError, formatProblem } from '../../lib/problems';
import { EXAMPLE_DIR, exampleData } from './synth';

/** Every problem the loader reports for this data, read as `org.json` in `cwd`, formatted as the user sees them. */
export function configProblems(data: unknown, cwd = EXAMPLE_DIR): string[] {
  try {
    parseConfig(data, { file: 'org.json', cwd });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

/** Every problem the loader reports for the example changed by `change`, formatted as the user sees them. */
export function problemsAfter(change: (data: Record<string, any>) => void): string[] {
  const data = exampleData();
  change(data);
  return configProblems(data);
}

import { parseConfig } from '../../lib/config/load';
import { ConfigError, formatProblem } from '../../lib/config/problems';
import { EXAMPLE_DIR, exampleData } from './synth';

/** Every problem the loader reports for the example changed by `change`, formatted as the user sees them. */
export function problemsAfter(change: (data: Record<string, any>) => void): string[] {
  const data = exampleData();
  change(data);
  try {
    parseConfig(data, { file: 'org.json', cwd: EXAMPLE_DIR });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
  return [];
}

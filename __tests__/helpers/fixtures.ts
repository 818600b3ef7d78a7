import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A GuardDuty finding as EventBridge delivers it (`detail` in camelCase), from
 * `__tests__/fixtures/findings/<name>.json`; a fresh copy each call, so tests may change it.
 */
export function findingEvent(name: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'findings', `${name}.json`), 'utf8'));
}

import { withLocalEntries } from '../../cli/common/synthesized';
import type { Synthesized } from './synth';

/**
 * A synthesized app whose resources read as Terraform reads them where a keyed block takes a whole
 * value from a local map by key (a policy, an environment, the region's topic): the entry in place of
 * `${local.<map>["<key>"]}` (cli/common/synthesized.ts, as verify reads them).
 */
export function withLocals(synth: Synthesized): Synthesized {
  const cache = new Map<string, Record<string, any>>();
  return {
    ...synth,
    resources: (id, type) => {
      const key = `${id}\0${type}`;
      let found = cache.get(key);
      if (!found) {
        found = withLocalEntries(synth.stack(id), synth.resources(id, type)) as Record<string, any>;
        cache.set(key, found);
      }
      return found;
    },
  };
}

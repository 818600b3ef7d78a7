import type { Synthesized } from './synth';

/**
 * A synthesized app whose resources read as Terraform reads them where they refer to local maps:
 * `${local.<map>["<key>"]}` replaced by the entry (a whole value by the entry itself, an object for a
 * map of objects). Keyed blocks read their instances' references (a policy, an environment, the
 * region's topic) from such maps.
 */
export function withLocals(synth: Synthesized): Synthesized {
  const cache = new Map<string, Record<string, any>>();
  return {
    ...synth,
    resources: (id, type) => {
      const key = `${id}\0${type}`;
      let found = cache.get(key);
      if (!found) {
        found = resolveLocals(synth.stack(id).locals ?? {}, synth.resources(id, type)) as Record<string, any>;
        cache.set(key, found);
      }
      return found;
    },
  };
}

const WHOLE = /^\$\{local\.([\w-]+)\["([^"]+)"\]\}$/;
const PART = /\$\{local\.([\w-]+)\["([^"]+)"\]\}/g;

export function resolveLocals(locals: Record<string, any>, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((entry) => resolveLocals(locals, entry));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, resolveLocals(locals, entry)]));
  if (typeof value !== 'string') return value;
  const whole = WHOLE.exec(value);
  if (whole && locals[whole[1]]?.[whole[2]] !== undefined) return resolveLocals(locals, locals[whole[1]][whole[2]]);
  return value.replace(PART, (text, name: string, key: string) => (typeof locals[name]?.[key] === 'string' ? locals[name][key] : text));
}

/**
 * EventBridge event-pattern matching and input-transformer rendering, as the service documents them,
 * so rule patterns and e-mail templates from the synthesized JSON can be checked against real finding
 * events here (no AWS account to call TestEventPattern on).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matchesPattern(pattern: Record<string, unknown> | string, event: unknown): boolean {
  const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as Record<string, unknown>) : pattern;
  return matchObject(parsed, event);
}

function matchObject(pattern: Record<string, unknown>, value: unknown): boolean {
  for (const [key, rule] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(rule as Record<string, unknown>[]).some((alternative) => matchObject(alternative, value))) return false;
      continue;
    }
    const field = isObject(value) ? value[key] : undefined;
    if (Array.isArray(rule)) {
      if (!matchField(rule, field)) return false;
    } else if (isObject(rule)) {
      // Patterns match paths: below a missing object every field is missing (so `exists: false` holds).
      if (!matchObject(rule, isObject(field) ? field : undefined)) return false;
    } else {
      throw new Error(`invalid pattern at ${key}: leaf values must be arrays`);
    }
  }
  return true;
}

function matchField(matchers: unknown[], field: unknown): boolean {
  const values = Array.isArray(field) ? field : field === undefined ? [] : [field];
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) return (values.length > 0) === matcher.exists;
    return values.some((value) => matchValue(matcher, value));
  });
}

function matchValue(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0];
  switch (operator) {
    case 'prefix':
      if (isObject(operand)) return typeof value === 'string' && value.toLowerCase().startsWith(String(operand['equals-ignore-case']).toLowerCase());
      return typeof value === 'string' && value.startsWith(operand as string);
    case 'suffix':
      if (isObject(operand)) return typeof value === 'string' && value.toLowerCase().endsWith(String(operand['equals-ignore-case']).toLowerCase());
      return typeof value === 'string' && value.endsWith(operand as string);
    case 'equals-ignore-case':
      return typeof value === 'string' && value.toLowerCase() === String(operand).toLowerCase();
    case 'wildcard':
      return typeof value === 'string' && wildcard(operand as string).test(value);
    case 'anything-but':
      if (Array.isArray(operand)) return !operand.includes(value);
      if (isObject(operand)) return !matchValue(operand, value);
      return value !== operand;
    case 'numeric':
      return typeof value === 'number' && numeric(operand as (string | number)[], value);
    default:
      throw new Error(`unsupported pattern operator ${operator}`);
  }
}

function numeric(conditions: (string | number)[], value: number): boolean {
  for (let i = 0; i < conditions.length; i += 2) {
    const bound = conditions[i + 1] as number;
    const ok = {
      '<': value < bound,
      '<=': value <= bound,
      '=': value === bound,
      '>': value > bound,
      '>=': value >= bound,
    }[conditions[i] as '<' | '<=' | '=' | '>' | '>='];
    if (!ok) return false;
  }
  return true;
}

function wildcard(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a `$.a.b[0].c` path from an event. */
export function readPath(event: unknown, jsonPath: string): unknown {
  if (jsonPath === '$') return event;
  const segments = jsonPath.replace(/^\$\.?/, '').match(/[^.[\]]+/g) ?? [];
  let current: unknown = event;
  for (const segment of segments) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isObject(current)) current = current[segment];
    else return undefined;
  }
  return current;
}

/**
 * Renders an input transformer: each `<name>` of the template is replaced by the value at its input
 * path. Inside a quoted string a value is inserted as text; elsewhere as JSON. Missing paths render
 * as an empty string inside quotes and `null` outside, as EventBridge does.
 */
export function renderInputTransformer(
  transformer: { input_paths?: Record<string, string>; input_template: string } | { inputPaths?: Record<string, string>; inputTemplate: string },
  event: unknown,
): string {
  const paths = ('input_paths' in transformer ? transformer.input_paths : 'inputPaths' in transformer ? transformer.inputPaths : undefined) ?? {};
  const template = 'input_template' in transformer ? transformer.input_template : transformer.inputTemplate;
  let output = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char === '\\' && inString) {
      output += char + template[i + 1];
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    if (char === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (/^[A-Za-z0-9_.-]+$/.test(name) && (name in paths || name === 'aws.events.event.json')) {
        const value = name === 'aws.events.event.json' ? event : readPath(event, paths[name]);
        output += inString ? textOf(value as Json) : JSON.stringify(value ?? null);
        i = end;
        continue;
      }
    }
    output += char;
  }
  return output;
}

function textOf(value: Json | undefined): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

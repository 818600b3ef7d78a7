import { fieldPath, type Problem } from '../problems';

/**
 * Keys given twice in one JSON object. `JSON.parse` silently keeps the last one, so a second
 * `"admin"` under `accounts` would quietly win over the first, which is what a reviewer read.
 *
 * A scan of the text, run only after `JSON.parse` accepted it: with the syntax known to be valid,
 * only strings (which may hold any bracket or quote) and nesting need following, which is shorter
 * and easier to check than a second JSON parser taken on as a dependency.
 */
export function duplicateKeyProblems(text: string, file: string): Problem[] {
  const problems: Problem[] = [];
  const open: Container[] = [];
  let line = 1;
  let index = 0;
  // The path segment the next value is at: a key in an object, the element index in an array.
  const nextSegment = (): PropertyKey[] => {
    const parent = open[open.length - 1];
    if (!parent) return [];
    return [...parent.path, parent.kind === 'object' ? (parent.key ?? '') : parent.count];
  };

  while (index < text.length) {
    const char = text[index];
    if (char === '\n') line++;
    if (char === '"') {
      const end = stringEnd(text, index);
      const value = JSON.parse(text.slice(index, end + 1)) as string;
      const parent = open[open.length - 1];
      if (parent?.kind === 'object' && parent.expectsKey) {
        const earlier = parent.keys.get(value);
        if (earlier !== undefined) {
          problems.push({
            file,
            line,
            path: fieldPath([...parent.path, value]),
            message: `is given twice in one object (first at line ${earlier}); JSON keeps only the last one, so remove one of them`,
          });
        } else {
          parent.keys.set(value, line);
        }
        parent.key = value;
        parent.expectsKey = false;
      }
      index = end + 1;
      continue;
    }
    if (char === '{' || char === '[') {
      const path = nextSegment();
      open.push(char === '{' ? { kind: 'object', path, keys: new Map(), expectsKey: true } : { kind: 'array', path, count: 0 });
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      const parent = open[open.length - 1];
      if (parent?.kind === 'object') parent.expectsKey = true;
      else if (parent?.kind === 'array') parent.count++;
    }
    index++;
  }
  return problems;
}

type Container =
  | { kind: 'object'; path: PropertyKey[]; keys: Map<string, number>; expectsKey: boolean; key?: string }
  | { kind: 'array'; path: PropertyKey[]; count: number };

/** Index of the quote that closes the string opening at `start`. */
function stringEnd(text: string, start: number): number {
  let index = start + 1;
  while (text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  return index;
}

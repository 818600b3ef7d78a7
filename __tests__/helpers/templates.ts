/**
 * Terraform templates as Terraform's parser reads them: `$${` and `%%{` are escapes, `${` and `%{`
 * start an interpolation or a directive.
 */

/** The interpolations and directives Terraform would evaluate in a string, with their bodies. */
export function templateParts(text: string): string[] {
  const parts: string[] = [];
  let index = 0;
  while (index < text.length) {
    if (text.startsWith('$${', index) || text.startsWith('%%{', index)) {
      index += 3;
    } else if (text.startsWith('${', index) || text.startsWith('%{', index)) {
      let depth = 0;
      let end = index + 1;
      for (; end < text.length; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}' && --depth === 0) break;
      }
      parts.push(text.slice(index, end + 1));
      index = end + 1;
    } else {
      index++;
    }
  }
  return parts;
}

/** Every string in a JSON value, keys included. */
export function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [key, ...allStrings(item)]);
}

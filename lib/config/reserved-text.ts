import { fieldPath, type Problem } from '../problems';

/**
 * Values the synthesizer would not take as text. cdktf stands for a reference with a marker inside
 * a string (`${TfToken[TOKEN.12]}`, and `#{TfToken[` / `&{TfToken[` for lists and maps) and with a
 * special floating-point number (printed like `-1.8881545897087968e+289`); written in the
 * configuration, either would come out of the synth as a Terraform reference instead of as text.
 * The synthesizer escapes every other text (lib/terraform/literal-text.ts); these it cannot tell from its own.
 */
export function reservedTextProblems(data: unknown, file: string): Problem[] {
  const problems: Problem[] = [];
  const visit = (value: unknown, at: PropertyKey[]) => {
    if (typeof value === 'string') {
      const reason = reservedInText(value);
      if (reason) problems.push({ file, path: fieldPath(at), message: reason });
    } else if (typeof value === 'number') {
      if (isTokenNumber(value)) problems.push({ file, path: fieldPath(at), message: `${value} is a number the synthesizer uses to stand for a reference; use another one` });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...at, index]));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const reason = reservedInText(key);
        if (reason) problems.push({ file, path: fieldPath([...at, key]), message: `the key ${reason}` });
        visit(item, [...at, key]);
      }
    }
  };
  visit(data, []);
  return problems;
}

const MARKER = /[$#&]\{TfToken\[/;
const NUMBER = /[-+]?\d+(?:\.\d+)?e[-+]?\d+/gi;

function reservedInText(text: string): string | undefined {
  const marker = MARKER.exec(text);
  if (marker) return `contains "${marker[0]}", the synthesizer's own marker for a reference; it cannot be written in configuration text`;
  for (const match of text.matchAll(NUMBER)) {
    if (isTokenNumber(Number(match[0]))) return `contains ${match[0]}, a number the synthesizer uses to stand for a reference; it cannot be written in configuration text`;
  }
  return undefined;
}

/** cdktf's number tokens: doubles whose top 16 bits are 0xFDFF (numbers) or 0xFBFF (number lists). */
function isTokenNumber(value: number): boolean {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const top = view.getUint16(0);
  return top === 0xfdff || top === 0xfbff;
}

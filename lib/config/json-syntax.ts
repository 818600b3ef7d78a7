/**
 * Where JSON text stops being JSON, and what was expected there. Run only after `JSON.parse` refused
 * the text: Node's own messages give no position for some errors ("Unexpected end of JSON input")
 * and quote the file's text for others, so the loader says it in its own words, by line and column.
 */

export interface JsonSyntaxError {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
  readonly message: string;
}

class Stop extends Error {
  constructor(
    readonly offset: number,
    readonly expected: string,
  ) {
    super(expected);
  }
}

const VALUE = 'a value (a string in double quotes, a number, true, false, null, an object or a list)';

export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let index = 0;
  const stop = (expected: string): never => {
    throw new Stop(index, expected);
  };
  const blank = () => {
    while (index < text.length && ' \t\n\r'.includes(text[index])) index++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, index)) index += word.length;
    else stop(VALUE);
  };
  const string = () => {
    index++;
    for (;;) {
      if (index >= text.length) stop('the closing \'"\' of the string');
      const char = text[index];
      if (char === '"') {
        index++;
        return;
      }
      if (char < ' ') stop('no line break or control character inside a string (write \\n or \\t)');
      if (char === '\\') {
        const escape = text[index + 1];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) stop('four hexadecimal digits after \\u');
          index += 6;
        } else if (escape !== undefined && '"\\/bfnrt'.includes(escape)) index += 2;
        else stop('an escape: \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hexadecimal digits');
        continue;
      }
      index++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(index));
    if (!match || match[0] === '-') stop('a number (digits, without a leading zero, "+" or a trailing ".")');
    index += (match as RegExpExecArray)[0].length;
    if (/[0-9.eE+-]/.test(text[index] ?? '')) stop('the end of the number');
  };
  const items = (close: string, item: () => void, after: string) => {
    index++;
    blank();
    if (text[index] === close) {
      index++;
      return;
    }
    for (;;) {
      item();
      blank();
      if (text[index] === ',') {
        index++;
        blank();
        if (text[index] === close) stop(`${close === '}' ? 'a property name' : 'a value'} after ','; JSON takes no comma before '${close}'`);
        continue;
      }
      if (text[index] === close) {
        index++;
        return;
      }
      stop(`',' or '${close}' after ${after}`);
    }
  };
  const value = (): void => {
    blank();
    const char = text[index];
    if (char === '{') {
      items(
        '}',
        () => {
          if (text[index] !== '"') stop('a property name in double quotes');
          string();
          blank();
          if (text[index] !== ':') stop("':' after the property name");
          index++;
          value();
        },
        'a property',
      );
    } else if (char === '[') items(']', value, 'an element of the list');
    else if (char === '"') string();
    else if (char === '-' || (char >= '0' && char <= '9')) number();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else if (char === '/' && (text[index + 1] === '/' || text[index + 1] === '*')) stop(`${VALUE}; JSON has no comments`);
    else stop(VALUE);
  };

  try {
    if (text.startsWith('\uFEFF')) stop('no byte order mark: save the file as UTF-8 without BOM');
    value();
    blank();
    if (index < text.length) stop('the end of the file after the configuration object');
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, error.offset);
    const line = before.split('\n').length;
    const column = error.offset - before.lastIndexOf('\n');
    const found = error.offset >= text.length ? 'the end of the file' : describe(text[error.offset]);
    return { line, column, message: `expected ${error.expected}; found ${found}` };
  }
}

function describe(char: string): string {
  if (char === '\n' || char === '\r') return 'a line break';
  if (char === '\t') return 'a tab';
  if (char < ' ' || char === '\u007f') return `the control character U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  return JSON.stringify(char);
}

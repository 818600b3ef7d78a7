import { parse } from 'csv-parse/sync';
import { accountId, memberEmail, memberName, wave } from './schema';
import { inputExcerpt, type Problem } from '../problems';

/** A member account as listed in the configuration or the CSV file. */
export interface Member {
  readonly id: string;
  readonly email: string;
  readonly name?: string;
  readonly wave: number;
  /** Where it was listed (`config/accounts.csv:4`, `config/org.json: members[0]`), for messages. */
  readonly source: string;
}

/**
 * Columns of the member list, as used by the widely shared GuardDuty multi-account scripts
 * (`AccountId,EmailAddress`), with the optional `Name` and `Wave` this product adds.
 */
export const CSV_COLUMNS = ['AccountId', 'EmailAddress', 'Name', 'Wave'] as const;

/** What a header may look like to be quoted in full: column names. */
const HEADER_SHAPE = /^[\p{L}\p{N} ,;_-]{0,200}$/u;
/** What a cell of a file without header may look like to be quoted in full: an account id or an e-mail address. */
const CELL_SHAPE = /^(\d{1,20}|[^\s@"]{1,64}@[^\s@"]{1,255})$/;

/** csv-parse's errors by code, said without the text it stopped at. */
const CSV_ERRORS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted value is never closed',
  CSV_INVALID_OPENING_QUOTE: 'a quote opens inside a value; quote whole values only',
  CSV_INVALID_CLOSING_QUOTE: 'a quoted value goes on after its closing quote',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'a quoted value goes on after its closing quote',
};

/** A message with the cell it quotes (as `got "..."`) shortened when the cell does not look like the user's own. */
function redacted(message: string, record: readonly string[]): string {
  return record.reduce((text, cell) => (cell === '' ? text : text.split(JSON.stringify(cell)).join(inputExcerpt(cell, CELL_SHAPE))), message);
}

/**
 * Parses a member list. The header is optional so the scripts' header-less files work as they are;
 * a header, when present, must name the columns in order.
 */
export function parseMembersCsv(text: string, file: string): { members: Member[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const members: Member[] = [];
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      relax_column_count: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const { lines: line, code } = error as { lines?: number; code?: string };
    // csv-parse's own message quotes the field it stopped at: a line of a file that may not be a CSV.
    return { members, problems: [{ file, line, message: `not a valid CSV file: ${CSV_ERRORS[code ?? ''] ?? `the CSV parser stopped (${code ?? 'no reason given'})`}` }] };
  }
  if (records.length === 0) {
    return { members, problems: [{ file, message: `is empty; expected a header ${CSV_COLUMNS.join(',')} and one account a line` }] };
  }

  let columns: string[] = ['AccountId', 'EmailAddress', 'Name', 'Wave'];
  const first = records[0];
  const withHeader = !/^\d+$/.test(first.record[0] ?? '');
  if (withHeader) {
    columns = first.record;
    const expected = CSV_COLUMNS.slice(0, Math.max(2, columns.length));
    if (columns.length > CSV_COLUMNS.length || columns.some((column, index) => column !== expected[index])) {
      const header = columns.join(',');
      // Spreadsheets in many locales save "CSV" with ';' between values.
      const semicolons = header.includes(';') ? "; the values are separated by ';' (a spreadsheet's regional setting): save the file with ',' between values" : '';
      problems.push({
        file,
        line: first.info.lines,
        message: `header must be AccountId,EmailAddress[,Name][,Wave]; got ${inputExcerpt(header, HEADER_SHAPE)}${semicolons}`,
      });
      return { members, problems };
    }
    records = records.slice(1);
  }
  // A file that has waves has one on every line: an empty cell would silently be wave 1, the canary
  // wave, and enrol that account first. Files without the column (the scripts' format) are all wave 1.
  const header = columns === first.record;
  const hasWaves = header ? columns.length === CSV_COLUMNS.length : records.some(({ record }) => record.length === CSV_COLUMNS.length);

  for (const { record, info } of records) {
    const line = info.lines;
    // Under the product's header a cell is the user's own; in a file without one it may be anything.
    const here = (path: string, message: string) => problems.push({ file, line, path, message: withHeader ? message : redacted(message, record) });
    if (record.length > columns.length) {
      problems.push({ file, line, message: `has ${record.length} values; expected at most ${columns.length} (${columns.join(',')})` });
      continue;
    }
    if (record.length === 1 && record[0].includes(';')) {
      problems.push({ file, line, message: "has its values separated by ';' (a spreadsheet's regional setting); save the file with ',' between values" });
      continue;
    }
    const [idText = '', emailText = '', nameText = '', waveText = ''] = record;
    let ok = true;
    const id = accountId.safeParse(idText);
    if (!id.success) {
      here('AccountId', idText === '' ? 'is required' : id.error.issues[0].message);
      ok = false;
    }
    const address = memberEmail.safeParse(emailText);
    if (!address.success) {
      here('EmailAddress', emailText === '' ? 'is required' : address.error.issues[0].message);
      ok = false;
    }
    const name = memberName.safeParse(nameText);
    if (nameText !== '' && !name.success) {
      here('Name', name.error.issues[0].message);
      ok = false;
    }
    let waveNumber = 1;
    if (waveText === '' && hasWaves) {
      here('Wave', 'is empty; every line of a file with a Wave column needs its wave (wave 1 is the first to be enrolled)');
      ok = false;
    } else if (waveText !== '') {
      const parsed = wave.safeParse(/^[+-]?\d+(\.\d+)?$/.test(waveText) ? Number(waveText) : waveText);
      if (parsed.success) waveNumber = parsed.data;
      else {
        here('Wave', parsed.error.issues[0].message);
        ok = false;
      }
    }
    if (ok) {
      members.push({
        id: idText,
        email: emailText,
        ...(nameText === '' ? {} : { name: nameText }),
        wave: waveNumber,
        source: `${file}:${line}`,
      });
    }
  }
  return { members, problems };
}

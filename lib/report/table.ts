/**
 * Plain tables: Markdown for notebooks and reports, CSV for results files.
 *
 * CSV follows RFC 4180 (comma separator, `"` quoting, `""` for a quote inside a quoted field).
 * `toCsv` quotes every string that `parseCsv` would otherwise read back as a number, boolean or
 * empty value, so `parseCsv(toCsv(rows))` gives the rows back with their types.
 */

export type Cell = string | number | boolean | null | undefined | readonly unknown[] | object;
export type Row = { readonly [key: string]: unknown };

/** A column: a key in the rows, or a key with a header label, decimals and alignment. */
export type ColumnSpec =
  | string
  | {
      key: string;
      label?: string;
      /** Decimals for non-integer numbers in this column (overrides the table's `digits`). */
      digits?: number;
      align?: 'left' | 'right' | 'center';
    };

export interface NormalizedColumn {
  key: string;
  label: string;
  digits?: number;
  align?: 'left' | 'right' | 'center';
}

export interface FormatOptions {
  /** Decimals for non-integer numbers (default 3). Integers are printed as they are. */
  digits?: number;
}

/** Columns as given, or the union of the rows' keys in first-seen order. */
export function normalizeColumns(
  rows: readonly Row[],
  columns?: readonly ColumnSpec[],
): NormalizedColumn[] {
  if (columns && columns.length > 0) {
    return columns.map((c) =>
      typeof c === 'string'
        ? { key: c, label: c }
        : { key: c.key, label: c.label ?? c.key, digits: c.digits, align: c.align },
    );
  }
  const seen = new Set<string>();
  const out: NormalizedColumn[] = [];
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (!seen.has(key)) {
        seen.add(key);
        out.push({ key, label: key });
      }
    }
  }
  return out;
}

/** Human-readable text for one value (used by Markdown and HTML tables). */
export function formatValue(value: unknown, digits = 3): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '∞' : '−∞';
    if (Number.isInteger(value)) return String(value);
    return value.toFixed(Math.max(0, Math.min(20, Math.floor(digits))));
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => formatValue(v, digits)).join(', ');
  return JSON.stringify(value);
}

/** True when every non-empty value of the column is a number (such columns align right). */
export function isNumericColumn(rows: readonly Row[], key: string): boolean {
  let any = false;
  for (const row of rows) {
    const v = row[key];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return false;
    any = true;
  }
  return any;
}

function escapeMarkdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/**
 * A GitHub-flavoured Markdown table.
 * Numbers: integers as they are, other numbers with `digits` decimals (default 3).
 */
export function toMarkdownTable(
  rows: readonly Row[],
  columns?: readonly ColumnSpec[],
  options: FormatOptions = {},
): string {
  const cols = normalizeColumns(rows, columns);
  if (cols.length === 0) return '';
  const digits = options.digits ?? 3;
  const header = '| ' + cols.map((c) => escapeMarkdownCell(c.label)).join(' | ') + ' |';
  const rule =
    '|' +
    cols
      .map((c) => {
        const align = c.align ?? (isNumericColumn(rows, c.key) ? 'right' : 'left');
        return align === 'right' ? ' ---: ' : align === 'center' ? ' :---: ' : ' --- ';
      })
      .join('|') +
    '|';
  const body = rows.map(
    (row) =>
      '| ' +
      cols.map((c) => escapeMarkdownCell(formatValue(row[c.key], c.digits ?? digits))).join(' | ') +
      ' |',
  );
  return [header, rule, ...body].join('\n');
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

export type CsvValue = string | number | boolean | null;
export type CsvRow = Record<string, CsvValue>;

const NUMBER_RE = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const SPECIAL_NUMBERS: Record<string, number> = {
  NaN: NaN,
  Infinity: Infinity,
  '+Infinity': Infinity,
  '-Infinity': -Infinity,
};

/** How an unquoted CSV field is read back by `parseCsv` (with type inference). */
function inferField(text: string): CsvValue {
  if (text === '') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER_RE.test(text)) return Number(text);
  if (text in SPECIAL_NUMBERS) return SPECIAL_NUMBERS[text];
  return text;
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  let mustQuote = false;
  if (typeof value === 'number') {
    text = String(value); // full precision; NaN / Infinity / -Infinity as words
  } else if (typeof value === 'boolean') {
    text = value ? 'true' : 'false';
  } else if (typeof value === 'string') {
    text = value;
    // A string that would be read back as something else keeps its quotes.
    mustQuote = inferField(value) !== value;
  } else if (value instanceof Date) {
    text = value.toISOString();
  } else {
    text = JSON.stringify(value);
  }
  if (mustQuote || /[",\r\n]/.test(text) || /^\s|\s$/.test(text)) {
    return '"' + text.replace(/"/g, '""') + '"';
  }
  return text;
}

/** CSV text with a header line; `\n` line endings; a trailing newline. */
export function toCsv(rows: readonly Row[], columns?: readonly ColumnSpec[]): string {
  const cols = normalizeColumns(rows, columns);
  const lines = [cols.map((c) => csvField(c.label)).join(',')];
  for (const row of rows) lines.push(cols.map((c) => csvField(row[c.key])).join(','));
  return lines.join('\n') + '\n';
}

export interface ParseCsvOptions {
  /**
   * Convert unquoted fields: numbers (incl. NaN/Infinity) to numbers, `true`/`false` to
   * booleans, empty to null. Quoted fields always stay strings. Default true.
   */
  infer?: boolean;
}

export interface ParsedCsv {
  columns: string[];
  rows: CsvRow[];
}

/** Parse CSV text (header line first). Throws on unterminated quotes or ragged rows. */
export function parseCsv(text: string, options: ParseCsvOptions = {}): ParsedCsv {
  const infer = options.infer ?? true;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const records: { fields: CsvValue[]; line: number; blank: boolean }[] = [];
  let fields: CsvValue[] = [];
  let field = '';
  let quoted = false;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const n = text.length;

  const endField = () => {
    fields.push(quoted ? field : infer ? inferField(field) : field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    const blank = fields.length === 0 && field === '' && !quoted;
    endField();
    records.push({ fields, line: recordLine, blank });
    fields = [];
  };

  while (i < n) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"') {
      if (field.length > 0) {
        throw new Error(`CSV line ${line}: a quote inside an unquoted field (${JSON.stringify(field + '"')})`);
      }
      inQuotes = true;
      quoted = true;
      i++;
      continue;
    }
    if (ch === ',') {
      endField();
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      endRecord();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (quoted) {
      throw new Error(`CSV line ${line}: unexpected character ${JSON.stringify(ch)} after a closing quote`);
    }
    field += ch;
    i++;
  }
  if (inQuotes) throw new Error(`CSV line ${recordLine}: unterminated quoted field`);
  if (field.length > 0 || quoted || fields.length > 0) endRecord();

  // Blank lines are skipped, except in a one-column table where they are empty values.
  const firstIndex = records.findIndex((r) => !r.blank);
  if (firstIndex < 0) return { columns: [], rows: [] };
  const columns = records[firstIndex].fields.map((f) => (f === null ? '' : String(f)));
  const rows: CsvRow[] = [];
  for (const rec of records.slice(firstIndex + 1)) {
    if (rec.blank && columns.length !== 1) continue;
    if (rec.fields.length !== columns.length) {
      throw new Error(
        `CSV line ${rec.line}: ${rec.fields.length} fields, but the header has ${columns.length}`,
      );
    }
    const row: CsvRow = {};
    columns.forEach((c, k) => {
      row[c] = rec.fields[k];
    });
    rows.push(row);
  }
  return { columns, rows };
}

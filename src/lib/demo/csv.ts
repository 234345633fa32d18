/**
 * Minimal RFC 4180 CSV: a field is quoted when it contains a comma, a double quote, CR or LF, and quotes
 * inside are doubled. Records end with LF (what pandas and most lab scripts write on Linux; RFC 4180
 * readers accept it). The parser accepts LF and CRLF and exists so tests can read our output back.
 */

/** A CSV cell: strings as they are, numbers pre-formatted by the caller, null/undefined → empty. */
export type CsvCell = string | number | boolean | null | undefined;

/** Quote one field if it needs it. */
export function csvField(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Serialise a header and rows. Every row must have as many cells as the header. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvField).join(',')];
  for (const r of rows) {
    if (r.length !== header.length) throw new Error(`CSV row has ${r.length} cells, header has ${header.length}`);
    lines.push(r.map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parse RFC 4180 text into rows of strings (header included). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

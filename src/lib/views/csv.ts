import { quoteIdent } from '../util/sql';
import type { SqlPort, ViewColumn } from './port';

/**
 * Creates table `name` from a `read_csv(…)` expression and stores zoned timestamps (`…Z`) as plain UTC
 * `TIMESTAMP`: TIMESTAMPTZ functions need the ICU extension, which the offline wasm build cannot load (stack.md
 * G1), and native DuckDB (which has ICU) must give the same types. The caller sets the session time zone to UTC.
 * Returns the table's columns and row count.
 */
export async function csvTable(port: SqlPort, name: string, readSql: string, label: string): Promise<{ columns: ViewColumn[]; rows: number }> {
  const ident = quoteIdent(name);
  try {
    if ((await port.relationKind(name)) === 'view') await port.drop(name);
    await port.exec(`CREATE OR REPLACE TABLE ${ident} AS SELECT * FROM ${readSql}`);
  } catch (e) {
    throw new Error(`Could not read ${label} as CSV: ${(e as Error).message}`);
  }
  let columns = await port.describe(ident);
  const zoned = columns.filter((c) => c.type === 'TIMESTAMP WITH TIME ZONE');
  if (zoned.length) {
    const replace = zoned.map((c) => `${quoteIdent(c.name)}::TIMESTAMP AS ${quoteIdent(c.name)}`).join(', ');
    await port.exec(`CREATE OR REPLACE TABLE ${ident} AS SELECT * REPLACE (${replace}) FROM ${ident}`);
    columns = await port.describe(ident);
  }
  const [{ n }] = await port.rows(`SELECT count(*)::DOUBLE AS n FROM ${ident}`);
  return { columns, rows: Number(n) };
}

/** DuckDB's CSV reader over one file (core, offline; the header row names the columns). */
export function readCsvSql(fileLiteral: string): string {
  return `read_csv(${fileLiteral}, header = true)`;
}

import { quoteIdent, quoteString } from '../../src/lib/util/sql';
import type { Engine } from './engine';
import type { TableInfo } from './types';

/**
 * Loads CSV bytes as table `name` with DuckDB's CSV sniffer (core, works offline). Timestamps with a zone
 * (`...Z`) are stored as plain UTC `TIMESTAMP`: TIMESTAMPTZ functions need the ICU extension, which the
 * offline build cannot load (stack.md G1).
 */
export async function loadCsv(
  engineP: Engine | Promise<Engine>,
  name: string,
  bytes: Uint8Array,
  label = `${name}.csv`,
): Promise<TableInfo> {
  const engine = await engineP;
  const vfsName = `/flywheel/csv_${name}.csv`;
  await engine.registerFile(vfsName, bytes);
  const ident = quoteIdent(name);
  try {
    if ((await engine.relationKind(name)) === 'view') await engine.drop(name);
    await engine.exec(`CREATE OR REPLACE TABLE ${ident} AS SELECT * FROM read_csv(${quoteString(vfsName)}, header = true)`);
  } catch (e) {
    throw new Error(`Could not read ${label} as CSV: ${(e as Error).message}`);
  }
  let columns = await engine.describe(ident);
  const zoned = columns.filter((c) => c.type === 'TIMESTAMP WITH TIME ZONE');
  if (zoned.length) {
    const replace = zoned.map((c) => `${quoteIdent(c.name)}::TIMESTAMP AS ${quoteIdent(c.name)}`).join(', ');
    await engine.exec(`CREATE OR REPLACE TABLE ${ident} AS SELECT * REPLACE (${replace}) FROM ${ident}`);
    columns = await engine.describe(ident);
  }
  const [{ n }] = await engine.rows(`SELECT count(*)::DOUBLE AS n FROM ${ident}`);
  return { name, kind: 'table', rows: Number(n), columns };
}

import { quoteString } from '../../src/lib/util/sql';
import { csvTable, readCsvSql } from '../../src/lib/views';
import type { Engine } from './engine';
import type { TableInfo } from './types';

/**
 * Loads CSV bytes as table `name` with DuckDB's CSV sniffer (core, works offline), through the shared view module's
 * {@link csvTable} (zoned timestamps become plain UTC `TIMESTAMP`, as on native DuckDB).
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
  const { columns, rows } = await csvTable(engine, name, readCsvSql(quoteString(vfsName)), label);
  return { name, kind: 'table', rows, columns };
}

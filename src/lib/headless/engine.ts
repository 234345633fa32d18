import type { ModelDbPort } from '../score/cell-run';
import type { LocalScore } from '../score/local';
import type { NotebookDb } from '../notebook/runner';
import type { CellData } from '../notebook/types';
import type { ModelCellRun } from '../notebook/runner';
import { ipcToResult } from '../db/arrow';
import { quoteIdent } from '../util/sql';

/** File formats a cell's whole result can be written in. */
export type ResultFormat = 'parquet' | 'arrow' | 'csv';

/** Which DuckDB runs the notebook. */
export type EngineName = 'wasm' | 'native';

/**
 * One engine behind the headless runner: the database the notebook runner talks to, with the sources already
 * opened and the canonical views built. The only part that differs between DuckDB-WASM and native DuckDB (and the
 * only part a distributed DuckDB service would replace).
 */
export interface HeadlessEngine {
  readonly name: EngineName;
  /** DuckDB's version string. */
  readonly version: string;
  readonly db: NotebookDb;
  /** What opening the sources noticed (counts that disagree with info.json, …). */
  readonly warnings: string[];
  /** Writes a materialised result to `file`. */
  writeResult(name: string, file: string, format: ResultFormat): Promise<void>;
  close(): Promise<void>;
}

/** Runs a model cell on an engine's model port: shared by both engines, as the app's own model cell is. */
export async function runModelOn(port: ModelDbPort, score: () => Promise<LocalScore>, page: NotebookDb['page'], cell: CellData, ctx: ModelCellRun) {
  const { runModelCell, ModelRunInfo } = await import('../score/cell-run');
  const data = await runModelCell(cell.name, cell.source, cell.model!, { db: port, score: await score(), sources: ctx.sources, id: ctx.id, opts: ctx.opts, onNote: ctx.onNote });
  const rows = await page(cell.name, 0, 200);
  const columns = data.tables[0].columns;
  return { output: { name: cell.name, columns, rowCount: data.tables[0].rows, rows, ms: data.ms }, info: new ModelRunInfo(data) };
}

/** The first `limit` rows of `name` at `offset`, as SQL both engines run. */
export function pageSql(name: string, offset: number, limit: number): string {
  return `SELECT * FROM ${quoteIdent(name)} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`;
}

export { ipcToResult };

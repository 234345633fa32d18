import { tableFromIPC } from 'apache-arrow';
import type { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';
import { CancelledError } from '../../src/lib/util/errors';
import type { Engine } from './engine';
import { describeWasmError } from './reader';

/** parquet-wasm's default batch of 1024 rows makes decoding ~2.7× slower (parquet-path.md, finding 4). */
export const BATCH_SIZE = 100_000;

/** Column names of a Parquet file, from its footer (no data pages read). */
export function parquetColumns(file: ParquetFile): string[] {
  const schema = tableFromIPC(file.schema().intoIPCStream()).schema;
  return schema.fields.map((f) => f.name);
}

/**
 * Leaf column paths (`observation.state.list.element`) for top-level column names. parquet-wasm selects columns
 * by dotted-path prefix, so asking for `action` also returns `action.joint_velocity`, `action.original` … (DROID
 * has eight `action.*` columns): leaf paths select exactly the columns asked for.
 */
export function leafColumns(file: ParquetFile, names: string[]): string[] {
  const want = new Set(names);
  const md = file.metadata();
  if (md.numRowGroups() === 0) return names;
  return md
    .rowGroup(0)
    .columns()
    .map((c) => c.columnPath())
    .filter((p) => want.has(p[0]))
    .map((p) => p.join('.'));
}

/** Options for {@link loadParquet}. */
export interface LoadParquetOptions {
  /** Append to the table instead of creating it. */
  append?: boolean;
  /** Only these columns are fetched and decoded (column pruning is the ~10× lever for wide files). */
  columns?: string[];
  signal?: AbortSignal;
  /** Called after each inserted row group with the rows inserted so far. */
  onRows?: (rows: number) => void;
  /** Label for error messages (the file's path). */
  label?: string;
}

/**
 * Streams a Parquet file into a DuckDB table one row group at a time, so memory stays bounded by one row group
 * and other queries can run between inserts. Returns the number of rows inserted.
 */
export async function loadParquet(engine: Engine, file: ParquetFile, table: string, opts: LoadParquetOptions = {}): Promise<number> {
  const meta = file.metadata();
  const groups = meta.numRowGroups();
  let rows = 0;
  let created = !!opts.append;
  for (let g = 0; g < groups; g++) {
    if (opts.signal?.aborted) throw new CancelledError('Loading cancelled');
    let ipc: Uint8Array;
    try {
      const t = await file.read({ rowGroups: [g], columns: opts.columns && leafColumns(file, opts.columns), batchSize: BATCH_SIZE });
      ipc = t.intoIPCStream();
      rows += meta.rowGroup(g).numRows();
    } catch (e) {
      throw new Error(`Could not read ${opts.label ?? 'Parquet file'} (row group ${g + 1} of ${groups}): ${describeWasmError(e)}`);
    }
    await engine.insertIpc(table, ipc, !created);
    created = true;
    opts.onRows?.(rows);
  }
  if (groups === 0 && !opts.append) {
    // An empty file still defines the table's columns.
    const t = await file.read({ columns: opts.columns, batchSize: BATCH_SIZE });
    await engine.insertIpc(table, t.intoIPCStream(), true);
  }
  return rows;
}

/**
 * Reads a (small) Parquet file into Arrow IPC streams, one per row group, without touching the database:
 * metadata files are read while DuckDB is still starting, and inserted once it is up.
 */
export async function readParquetIpc(file: ParquetFile, columns: string[] | undefined, label: string): Promise<Uint8Array[]> {
  const groups = file.metadata().numRowGroups();
  const out: Uint8Array[] = [];
  for (let g = 0; g < Math.max(1, groups); g++) {
    try {
      const t = await file.read({ rowGroups: groups ? [g] : undefined, columns: columns && leafColumns(file, columns), batchSize: BATCH_SIZE });
      out.push(t.intoIPCStream());
    } catch (e) {
      throw new Error(`Could not read ${label}: ${describeWasmError(e)}`);
    }
  }
  return out;
}

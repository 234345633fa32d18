import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import initParquet from 'parquet-wasm/esm/parquet_wasm.js';
import { Engine } from '../../../workers/db/engine';
import type { DuckBindings } from '../../../workers/db/bindings';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));

/**
 * The real DuckDB-WASM (the same wasm the browser runs, via its Node blocking bundle) behind the app's Engine,
 * with extension autoload off exactly as in the browser worker.
 */
export async function createNodeEngine(): Promise<{ engine: Engine; db: DuckBindings }> {
  // The blocking bundle is CJS-only and has no ESM entry (stack.md G7).
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const db = await duckdb.createDuckDB(
    {
      mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
      eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
    },
    new duckdb.VoidLogger(),
    duckdb.NODE_RUNTIME,
  );
  await db.instantiate();
  db.open({});
  const conn = db.connect();
  conn.query('SET autoinstall_known_extensions=false');
  conn.query('SET autoload_known_extensions=false');
  // As in the browser: SQL may read only the app's registered files, never arbitrary paths or URLs.
  conn.query(`SET allowed_directories=['/flywheel/']`);
  conn.query('SET enable_external_access=false');
  const id: number = (conn as { _conn: number })._conn;
  return { engine: new Engine(db as DuckBindings, id), db: db as DuckBindings };
}

let parquetReady: Promise<unknown> | null = null;

/** Initialises parquet-wasm's ESM build (the one the browser worker uses) from its wasm bytes. */
export function initParquetForNode(): Promise<unknown> {
  parquetReady ??= initParquet({
    module_or_path: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')),
  });
  return parquetReady;
}

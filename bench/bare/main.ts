/**
 * The floor for the app's cold start: a page that only starts DuckDB-WASM the way the app's worker does (same eh
 * bundle, autoload off) and runs one query. `window.__bare.ready` is ms from navigation start. Built by the
 * benchmark into bench/data/.bare-dist (see harness.ts).
 */
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';

type Bare = { ready: number; version: string; error?: string };
const w = window as unknown as { __bare?: Bare };

async function start(): Promise<void> {
  const db = new duckdb.AsyncDuckDB(new duckdb.VoidLogger(), new Worker(ehWorker));
  await db.instantiate(ehWasm);
  await db.open({});
  const conn = await db.connect();
  await conn.query('SET autoinstall_known_extensions=false');
  await conn.query('SET autoload_known_extensions=false');
  await conn.query('SELECT 1');
  const ready = performance.now();
  performance.mark('bare:db-ready');
  w.__bare = { ready, version: await db.getVersion() };
}

start().catch((e: unknown) => {
  w.__bare = { ready: NaN, version: '', error: String(e) };
});

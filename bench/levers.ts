/**
 * `npx tsx bench/levers.ts <dataset dir> [runs]`: A/B of loading levers on the app's own engine (DuckDB-WASM +
 * parquet-wasm in Node), interleaved in one process (A B B A …), medians. Prints one JSON object.
 * - `list`: today's path: parquet-wasm row group → Arrow IPC → insert (LIST<FLOAT> columns).
 * - `fixed`: the same IPC rewritten by `toFixedSize` (FixedSizeList → DuckDB FLOAT[n]) → insert.
 * - `fixedcast`: as `fixed`, but queried through a view that casts the arrays back to FLOAT[] (what `frames` shows).
 * Each variant loads the per-episode workload's columns of every row group into its own table, then runs the
 * per-episode query on it; the query's result must be the same for both.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { createNodeEngine, initParquetForNode } from '../src/lib/headless/node-engine.ts';
import { toFixedSize } from '../workers/db/fixed-vectors.ts';
import { BATCH_SIZE, leafColumns } from '../workers/db/parquet-load.ts';

const dir = path.resolve(process.argv[2] ?? 'bench/data/100k');
const runs = Number(process.argv[3] ?? 5);
const columns = ['episode_index', 'timestamp', 'observation.state', 'action'];
await initParquetForNode();
const { ParquetFile } = await import('parquet-wasm/esm/parquet_wasm.js');
const { engine } = await createNodeEngine();
const files = readdirSync(path.join(dir, 'data'), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.parquet'))
  .sort()
  .map((f) => path.join(dir, 'data', f));
const { openAsBlob } = await import('node:fs');
const opened = await Promise.all(files.map(async (f) => ParquetFile.fromFile(await openAsBlob(f))));
const now = () => performance.now();
const q = (t: string) =>
  `SELECT episode_index, count(*) AS n, avg("observation.state"[1]) AS m, max(timestamp) AS t, sum(action[2]) AS a, max(len(action)) AS w, sum(list_sum("observation.state")) AS s FROM ${t} GROUP BY episode_index ORDER BY episode_index`;

async function once(variant: 'list' | 'fixed' | 'fixedcast', table: string) {
  await engine.exec(`DROP TABLE IF EXISTS ${table}`);
  let decode = 0;
  let convert = 0;
  let insert = 0;
  let created = false;
  let rows = 0;
  for (const file of opened) {
    for (let g = 0; g < file.metadata().numRowGroups(); g++) {
      let t = now();
      let ipc = (await file.read({ rowGroups: [g], columns: leafColumns(file, columns), batchSize: BATCH_SIZE })).intoIPCStream();
      decode += now() - t;
      if (variant !== 'list') {
        t = now();
        ipc = toFixedSize(ipc).ipc;
        convert += now() - t;
      }
      t = now();
      await engine.insertIpc(table, ipc, !created);
      insert += now() - t;
      created = true;
      rows += file.metadata().rowGroup(g).numRows();
    }
  }
  let t = now();
  const rel = variant === 'fixedcast' ? `(SELECT * REPLACE ("observation.state"::FLOAT[] AS "observation.state", action::FLOAT[] AS action) FROM ${table})` : table;
  const result = tableFromIPC((await engine.query(q(rel))).ipc);
  const query = now() - t;
  const sum = result.toArray().reduce((s: number, r: { m: number | null; s: number | null }) => s + (r.m ?? 0) + (r.s ?? 0), 0);
  const type = String((await engine.rows(`SELECT data_type FROM duckdb_columns() WHERE table_name = '${table}' AND column_name = 'action'`))[0]?.data_type);
  await engine.exec(`DROP TABLE ${table}`);
  return { decode, convert, insert, query, total: decode + convert + insert + query, rows, groups: result.numRows, check: sum, type };
}

const out: Record<string, ReturnType<typeof once> extends Promise<infer R> ? R[] : never> = { list: [], fixed: [], fixedcast: [] };
await once('list', 'warm_list');
await once('fixed', 'warm_fixed');
const variants = (process.env.VARIANTS ?? 'list,fixed,fixedcast').split(',') as ('list' | 'fixed' | 'fixedcast')[];
for (let i = 0; i < runs; i++) {
  const order = i % 2 ? [...variants].reverse() : variants;
  for (const v of order) out[v].push(await once(v, `t_${v}`));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(
  Object.entries(out).filter(([, rs]) => rs.length).map(([k, rs]) => [k, Object.fromEntries((['decode', 'convert', 'insert', 'query', 'total'] as const).map((m) => [m, Math.round(med(rs.map((r) => r[m])))]))]),
);
console.log(JSON.stringify({ dataset: dir, rows: out.list[0].rows, runs, type: { list: out.list[0].type, fixed: out.fixed[0].type }, sameResult: variants.every((v) => out[v][0].check === out.list[0].check && out[v][0].groups === out.list[0].groups), check: variants.map((v) => out[v][0].check), median: summary }, null, 1));
process.exit(0);

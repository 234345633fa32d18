/**
 * `npx tsx bench/insert-ab.ts <data file.parquet> [reps]`: the insert alone, A/B. Row group 0's `observation.state` and
 * `action` are decoded once by parquet-wasm; then, interleaved, the Arrow IPC as LIST<FLOAT> (A, what `frames`
 * loads) and rewritten as FixedSizeList (B, workers/db/fixed-vectors.ts) are inserted into fresh DuckDB-WASM
 * tables, and a `sum(action[1])` query runs on each (and on B cast back to FLOAT[]). C: the same values as flat
 * FLOAT columns (`action_1` …), one per element, the "scalar columns behind a view" lever (insert cost only). Prints medians and minima
 * (on a shared, loaded machine the minimum is the steadier figure). One JSON line.
 */
import path from 'node:path';
import { openAsBlob } from 'node:fs';
import { createNodeEngine, initParquetForNode } from '../src/lib/headless/node-engine.ts';
import { toFixedSize } from '../workers/db/fixed-vectors.ts';
import { BATCH_SIZE, leafColumns } from '../workers/db/parquet-load.ts';
await initParquetForNode();
const { ParquetFile } = await import('parquet-wasm/esm/parquet_wasm.js');
const { engine } = await createNodeEngine();
const file = await ParquetFile.fromFile(await openAsBlob(path.resolve(process.argv[2])));
const cols = ['observation.state', 'action'];
const list = (await file.read({ rowGroups: [0], columns: leafColumns(file, cols), batchSize: BATCH_SIZE })).intoIPCStream();
const t0 = performance.now(); const fixed = toFixedSize(list).ipc; const conv = performance.now() - t0;
// C: one Float32 column per vector element (strided copy out of the list child).
const { tableFromIPC, tableToIPC, Table, makeVector } = await import('apache-arrow');
const lt = tableFromIPC(list);
const flatCols: Record<string, ReturnType<typeof makeVector>> = {};
for (const c of cols) {
  const d = lt.getChild(c)!.data[0];
  const off = d.valueOffsets as Int32Array;
  const w = off[1] - off[0];
  const vals = d.children[0].values as Float32Array;
  for (let j = 0; j < w; j++) {
    const out = new Float32Array(d.length);
    for (let r = 0; r < d.length; r++) out[r] = vals[off[r] + j];
    flatCols[`${c}_${j + 1}`] = makeVector(out);
  }
}
const flat = tableToIPC(new Table(flatCols), 'stream');
const res: Record<string, number[]> = { list: [], fixed: [], flat: [], q_list: [], q_fixed: [], q_cast: [] };
for (let i = 0; i < Number(process.argv[3] ?? 15); i++) {
  for (const v of i % 2 ? ['flat', 'fixed', 'list'] : ['list', 'fixed', 'flat']) {
    await engine.exec(`DROP TABLE IF EXISTS t_${v}`);
    const t = performance.now();
    await engine.insertIpc(`t_${v}`, v === 'list' ? list : v === 'fixed' ? fixed : flat, true);
    res[v].push(performance.now() - t);
  }
  for (const [k, rel] of [['q_list', 't_list'], ['q_fixed', 't_fixed'], ['q_cast', '(SELECT "observation.state"::FLOAT[] AS "observation.state", action::FLOAT[] AS action FROM t_fixed)']]) {
    const t = performance.now();
    await engine.rows(`SELECT sum(action[1]) a, avg("observation.state"[1]) s FROM ${rel}`);
    res[k].push(performance.now() - t);
  }
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(JSON.stringify({ rows: file.metadata().rowGroup(0).numRows(), ipcBytes: [list.length, fixed.length, flat.length], convertMs: Math.round(conv), median: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Math.round(med(v))])), min: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, Math.round(Math.min(...v))])) }));
process.exit(0);

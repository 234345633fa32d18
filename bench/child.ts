/**
 * One measured process of the benchmark: `node --import tsx bench/child.ts <job.json>`. Every run of a Node path is
 * a fresh process, so its first query of each workload is cold. Prints one `@@RESULT <json>` line.
 *
 * - `native`: DuckDB (`@duckdb/node-api`) with 1 or 2 threads, `read_parquet` straight from the files.
 * - `app`: the app's own Engine + FramesSource + LeRobot reader on the real DuckDB-WASM (its Node blocking bundle),
 *   the same code the browser's database worker runs, reading a local folder the way a picked folder is read.
 * - `floor`: reading the data files' bytes and copying memory.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { QuerySpec } from './workloads.ts';

/** What the parent asks a child to do. */
export interface ChildJob {
  kind: 'native' | 'app' | 'floor';
  threads?: number;
  /** Dataset root (has meta/, data/, deployment_log.csv). */
  dir: string;
  /** Absolute paths of the data files, in index order. */
  dataFiles: string[];
  fps: number;
  queries: QuerySpec[];
  /** Also re-run each query once (warm). */
  warm: boolean;
}

/** One workload's numbers in one process. */
export interface ChildMeasure {
  cold: number;
  warm?: number;
  /** Result rows (a cross-check that engines agree). */
  rows?: number;
  /** Floats copied into the Float32Array (windows). */
  floats?: number;
  /** App paths: ms spent making `frames` hold what the query needs (plan + read + decode + insert), cold run. */
  loadMs?: number;
  /** The app's own account of what it loaded for the query (compressed bytes from the footers). */
  load?: { columns: string[]; rowGroups: number; rows: number; bytes: number; reused: boolean } | null;
  error?: string;
}

export interface ChildResult {
  ok: boolean;
  error?: string;
  /** DuckDB's `version()` as the engine reports it. */
  engineVersion?: string;
  measures: Record<string, ChildMeasure>;
  /** Floors: file bytes read and memcpy size. */
  floor?: { readMs: number; readBytes: number; memcpyMs: number; memcpyBytes: number };
  maxRssMb: number;
  /** DuckDB's own memory accounting at the end (duckdb_memory()). */
  duckdbMemoryMb?: number;
}

const now = () => performance.now();

/** Interleaves float columns of a result into one Float32Array (row-major, one frame per row). */
function interleave(columns: ArrayLike<number>[], rows: number): Float32Array {
  const k = columns.length;
  const out = new Float32Array(rows * k);
  for (let c = 0; c < k; c++) {
    const col = columns[c];
    for (let r = 0; r < rows; r++) out[r * k + c] = col[r];
  }
  return out;
}

async function runNative(job: ChildJob): Promise<ChildResult> {
  const t0 = now();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(job.threads ?? 1) });
  const conn = await instance.connect();
  // DuckDB ≥ 1.3 caches Parquet bytes it read in its buffer pool; off, so each workload's first run reads its files
  // (the OS page cache stays warm for every engine alike).
  await conn.run('SET enable_external_file_cache = false');
  const version = String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0].v);
  const measures: Record<string, ChildMeasure> = { start: { cold: now() - t0 } };

  const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
  const t1 = now();
  await conn.run(`CREATE VIEW frames AS SELECT * FROM read_parquet([${job.dataFiles.map(lit).join(', ')}])`);
  await conn.run(`CREATE TABLE tasks AS SELECT * FROM read_parquet(${lit(path.join(job.dir, 'meta/tasks.parquet'))})`);
  await conn.run(
    `CREATE TABLE _episodes_meta AS SELECT COLUMNS(c -> NOT starts_with(c, 'stats/')) FROM read_parquet(${lit(path.join(job.dir, 'meta/episodes/*/*.parquet'))})`,
  );
  await conn.run(`CREATE TABLE deployments AS SELECT * FROM read_csv(${lit(path.join(job.dir, 'deployment_log.csv'))}, header = true)`);
  // As the app does (csv-load.ts): zoned timestamps become plain UTC TIMESTAMP.
  const zoned = (await conn.runAndReadAll(`SELECT column_name AS c FROM (DESCRIBE deployments) WHERE column_type = 'TIMESTAMP WITH TIME ZONE'`))
    .getRowObjectsJS()
    .map((r) => String(r.c));
  if (zoned.length) {
    await conn.run(`CREATE OR REPLACE TABLE deployments AS SELECT * REPLACE (${zoned.map((c) => `"${c}"::TIMESTAMP AS "${c}"`).join(', ')}) FROM deployments`);
  }
  // The app's own view definition, run on native DuckDB through a small adapter.
  const { buildEpisodesView } = await import('../workers/db/episodes-view.ts');
  const rowsOf = async (sql: string) => (await conn.runAndReadAll(sql)).getRowObjectsJS();
  const adapter = {
    exec: async (sql: string) => void (await conn.run(sql)),
    describe: async (rel: string) => (await rowsOf(`DESCRIBE ${rel}`)).map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
    relationKind: async (name: string) => {
      const r = await rowsOf(`SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ${lit(name)}`);
      return r.length ? (String(r[0].t).toUpperCase() === 'VIEW' ? 'view' : 'table') : null;
    },
    drop: async (name: string) => {
      const r = await rowsOf(`SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ${lit(name)}`);
      if (r.length) await conn.run(`DROP ${String(r[0].t).toUpperCase() === 'VIEW' ? 'VIEW' : 'TABLE'} "${name}"`);
    },
  };
  await buildEpisodesView(adapter as unknown as Parameters<typeof buildEpisodesView>[0], job.fps, 'deployments');
  await conn.runAndReadAll('SELECT count(*) FROM frames');
  measures.open = { cold: now() - t1 };

  const runOnce = async (q: QuerySpec): Promise<{ ms: number; rows: number; floats?: number }> => {
    const t = now();
    if (q.floatColumns) {
      const result = await conn.run(q.sql);
      const names = result.columnNames();
      const idx = q.floatColumns.map((c) => names.indexOf(c));
      const parts: Float32Array[] = [];
      let rows = 0;
      for (;;) {
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        const cols = idx.map((i) => {
          const v = chunk.getColumnVector(i);
          const a = new Float32Array(n);
          for (let r = 0; r < n; r++) a[r] = Number(v.getItem(r));
          return a;
        });
        parts.push(interleave(cols, n));
        rows += n;
      }
      const out = new Float32Array(rows * idx.length);
      let off = 0;
      for (const p of parts) {
        out.set(p, off);
        off += p.length;
      }
      return { ms: now() - t, rows, floats: out.length };
    }
    const reader = await conn.runAndReadAll(q.sql);
    return { ms: now() - t, rows: reader.currentRowCount };
  };
  for (const q of job.queries) {
    try {
      const r = await runOnce(q);
      measures[q.id] = { cold: r.ms, rows: r.rows, floats: r.floats };
    } catch (e) {
      measures[q.id] = { cold: NaN, error: String((e as Error).message ?? e) };
    }
  }
  if (job.warm) {
    for (const q of job.queries) {
      if (measures[q.id].error) continue;
      measures[q.id].warm = (await runOnce(q)).ms;
    }
  }
  const mem = (await conn.runAndReadAll('SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()')).getRowObjectsJS()[0].b;
  conn.closeSync();
  return { ok: true, engineVersion: version, measures, maxRssMb: process.resourceUsage().maxRSS / 1024, duckdbMemoryMb: Number(mem) / 1048576 };
}

async function runApp(job: ChildJob): Promise<ChildResult> {
  const t0 = now();
  const { createNodeEngine, initParquetForNode } = await import('../tests/unit/helpers/node-engine.ts');
  const { folderSource } = await import('../tests/unit/helpers/fs-source.ts');
  const { createReader } = await import('../workers/db/reader.ts');
  const { openLeRobot } = await import('../workers/db/lerobot.ts');
  const { FramesSource } = await import('../workers/db/frames-source.ts');
  const { loadCsv } = await import('../workers/db/csv-load.ts');
  const { buildEpisodesView } = await import('../workers/db/episodes-view.ts');
  const { tableFromIPC } = await import('apache-arrow');
  const tImported = now();
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const version = await engine.version();
  // Module loading is Node's business (the browser fetches and compiles its bundle instead): not counted.
  const measures: Record<string, ChildMeasure> = { start: { cold: now() - tImported } };
  void t0;

  const t1 = now();
  const reader = createReader(await folderSource(job.dir));
  const summary = await openLeRobot(engine, reader);
  const frames = await FramesSource.open(engine, reader, summary);
  await loadCsv(engine, 'deployments', readFileSync(path.join(job.dir, 'deployment_log.csv')), 'deployment_log.csv');
  await buildEpisodesView(engine, summary.info.fps, 'deployments');
  measures.open = { cold: now() - t1 };

  let id = 1;
  const runOnce = async (q: QuerySpec): Promise<{ ms: number; rows: number; floats?: number; load: ChildMeasure['load']; loadMs: number }> => {
    const t = now();
    // What the worker does for every cell (workspace/withFrames): plan, load the frames it needs, then run.
    const load = q.columns ? await frames.prepare(q.sql) : null;
    const loadMs = now() - t;
    if (q.floatColumns) {
      const { ipc } = await engine.query(q.sql, id++);
      const table = tableFromIPC(ipc);
      const cols = q.floatColumns.map((c) => table.getChild(c)!.toArray() as Float32Array);
      const out = interleave(cols, table.numRows);
      return { ms: now() - t, rows: table.numRows, floats: out.length, load, loadMs };
    }
    const r = await engine.runCell(`bench_${q.id.replaceAll('-', '_')}`, q.sql, id++);
    return { ms: now() - t, rows: r.rowCount, load, loadMs };
  };
  for (const q of job.queries) {
    try {
      const r = await runOnce(q);
      measures[q.id] = { cold: r.ms, rows: r.rows, floats: r.floats, load: r.load, loadMs: r.loadMs };
    } catch (e) {
      measures[q.id] = { cold: NaN, error: String((e as Error).message ?? e) };
    }
  }
  if (job.warm) {
    // After scan-all every column of every row group is loaded: each query reuses it (frames already in memory).
    for (const q of job.queries) {
      if (measures[q.id].error) continue;
      measures[q.id].warm = (await runOnce(q)).ms;
    }
  }
  const [{ b }] = await engine.rows('SELECT sum(memory_usage_bytes)::DOUBLE AS b FROM duckdb_memory()');
  return { ok: true, engineVersion: version, measures, maxRssMb: process.resourceUsage().maxRSS / 1024, duckdbMemoryMb: Number(b) / 1048576 };
}

function runFloor(job: ChildJob): ChildResult {
  let readBytes = 0;
  const t = now();
  for (const f of job.dataFiles) readBytes += readFileSync(f).length;
  const readMs = now() - t;
  const n = 256 * 1048576;
  const src = new Uint8Array(n).fill(7);
  const dst = new Uint8Array(n);
  dst.set(src); // touch every page once: the copy below measures bandwidth, not page faults
  let memcpyMs = Infinity;
  for (let i = 0; i < 3; i++) {
    const t2 = now();
    dst.set(src);
    memcpyMs = Math.min(memcpyMs, now() - t2);
  }
  return { ok: true, measures: {}, floor: { readMs, readBytes, memcpyMs, memcpyBytes: n }, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as ChildJob;
  for (const f of job.dataFiles) statSync(f);
  let result: ChildResult;
  try {
    result = job.kind === 'native' ? await runNative(job) : job.kind === 'app' ? await runApp(job) : runFloor(job);
  } catch (e) {
    result = { ok: false, error: String((e as Error).stack ?? e), measures: {}, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  process.stdout.write(`\n@@RESULT ${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (import.meta.url === `file://${process.argv[1]}`) void main();

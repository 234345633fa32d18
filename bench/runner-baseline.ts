/**
 * The per-episode summary hand-written on native DuckDB, the runner benchmark's baseline (bench/runner.ts):
 * `node --import tsx bench/runner-baseline.ts <dataset> <out.json> [threads]`. Reads the data file list from the
 * episode metadata, makes `frames` a view over them, materialises the query as a table (as a notebook cell is)
 * and writes it to Parquet (as the runner's --out does).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { PER_EPISODE_SQL } from './runner.ts';

const [dir, out, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 0);
const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const conn = await instance.connect();
const info = JSON.parse(readFileSync(path.join(dir, 'meta/info.json'), 'utf8'));
const files = (
  await conn.runAndReadAll(
    `SELECT DISTINCT "data/chunk_index" AS c, "data/file_index" AS f FROM read_parquet(${lit(path.join(dir, 'meta/episodes/*/*.parquet'))}) ORDER BY c, f`,
  )
)
  .getRowObjectsJS()
  .map((r) => path.join(dir, String(info.data_path).replace(/\{chunk_index:03d\}/, String(r.c).padStart(3, '0')).replace(/\{file_index:03d\}/, String(r.f).padStart(3, '0'))));
await conn.run(`CREATE VIEW frames AS SELECT * FROM read_parquet([${files.map(lit).join(', ')}])`);
const t0 = performance.now();
await conn.run(`CREATE TABLE per_episode AS ${PER_EPISODE_SQL}`);
const queryMs = performance.now() - t0;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-baseline-'));
await conn.run(`COPY per_episode TO ${lit(path.join(tmp, 'per_episode.parquet'))} (FORMAT parquet, COMPRESSION zstd)`);
rmSync(tmp, { recursive: true, force: true });
conn.closeSync();
writeFileSync(out, JSON.stringify({ queryMs, files: files.length, maxRssMb: process.resourceUsage().maxRSS / 1024 }));

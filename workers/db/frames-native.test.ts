import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource } from '../../tests/unit/helpers/fs-source';
import { createReader } from './reader';
import { openLeRobot } from './lerobot';
import { FramesSource } from './frames-source';
import type { Engine } from './engine';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');

/** Values as plain numbers/arrays so native and wasm results compare (BIGINT → number, NaN kept). */
function norm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'items' in (v as object)) return ((v as { items: unknown[] }).items).map(norm);
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === 'object' && Symbol.iterator in (v as object)) return [...(v as Iterable<unknown>)].map(norm);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : Math.abs(v) < 1e-300 ? 0 : Number(v.toPrecision(10));
  return v;
}
const normRows = (rows: Record<string, unknown>[]) => rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, norm(v)])));

/**
 * The demo's data (148k frames, 3 files) rewritten by native DuckDB so the vectors hold what users' files may: NaN
 * and NULL elements in `observation.state`, and `action` lists of varying length in the last file only. The app's
 * lazy `frames` (cold: loaded for each query; warm: already loaded) must give exactly native DuckDB's rows.
 */
describe('lazy frames give the same rows as native DuckDB (NaN, NULL elements, lists of varying length)', () => {
  let dir: string;
  let conn: DuckDBConnection;
  let engine: Engine;
  let frames: FramesSource;
  const files: string[] = [];
  const QUERIES = [
    // First, so each runs cold for the column it filters on, which no scan projects: filters an optimizer using the
    // empty planning table's statistics would drop (IS NOT NULL) or turn into an empty result (coalesce), and a
    // filter on a vector element (printed `array_extract(observation.state, 1)`).
    `SELECT count(*) AS n FROM frames WHERE action IS NOT NULL`,
    `SELECT count(*) AS n, count(DISTINCT episode_index) AS e FROM frames WHERE "observation.state"[1] BETWEEN -0.5 AND 0.5`,
    `SELECT count(*) AS n FROM frames WHERE coalesce(timestamp, 0) > 1`,
    `SELECT episode_index, count(*) AS n FROM frames WHERE action[2] > 0 AND timestamp BETWEEN 1 AND 2 GROUP BY 1 ORDER BY 1`,
    `SELECT count(*) AS n FROM frames WHERE list_sum(action) > 0`,
    `SELECT episode_index, count(*) AS n, avg("observation.state"[1]) AS m1, max(timestamp) AS t, sum(list_sum(action)) AS sa, max(len(action)) AS w, min(len("observation.state")) AS ws FROM frames GROUP BY 1 ORDER BY 1`,
    `SELECT sum(action[1])::DOUBLE AS s, count(*) AS n, count(*) FILTER (WHERE isnan("observation.state"[2])) AS nans, count("observation.state"[3]) AS nn FROM frames`,
    `SELECT index, "observation.state", action, list_max(action) AS mx FROM frames WHERE index % 997 = 0 OR index % 97 = 0 OR index % 53 = 0 ORDER BY index LIMIT 400`,
  ];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flywheel-fixed-'));
    cpSync(path.join(DEMO, 'meta'), path.join(dir, 'meta'), { recursive: true });
    cpSync(path.join(DEMO, 'data'), path.join(dir, 'data'), { recursive: true });
    const names = readdirSync(path.join(dir, 'data/chunk-000')).filter((f) => f.endsWith('.parquet')).sort();
    conn = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    for (const [i, name] of names.entries()) {
      const f = path.join(dir, 'data/chunk-000', name);
      const last = i === names.length - 1;
      await conn.run(`COPY (SELECT * REPLACE (
          CASE WHEN index % 97 = 0 THEN list_transform("observation.state", (x, j) -> CASE WHEN j = 2 THEN 'nan'::FLOAT ELSE x END)
               WHEN index % 89 = 0 THEN list_transform("observation.state", (x, j) -> CASE WHEN j = 3 THEN NULL ELSE x END)
               ELSE "observation.state" END AS "observation.state",
          ${last ? `CASE WHEN index % 53 = 0 THEN action[1:3] ELSE action END` : 'action'} AS action)
        FROM read_parquet('${f}') ORDER BY index) TO '${f}.new' (FORMAT parquet, ROW_GROUP_SIZE 32768)`);
      renameSync(`${f}.new`, f);
      files.push(f);
    }
    await conn.run(`CREATE VIEW frames AS SELECT * FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
    await initParquetForNode();
    ({ engine } = await createNodeEngine());
    const reader = createReader(await folderSource(dir));
    frames = await FramesSource.open(engine, reader, await openLeRobot(engine, reader));
  }, 120_000);

  afterAll(() => {
    conn?.closeSync();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('cold: each query loads its columns and matches native', async () => {
    for (const [i, sql] of QUERIES.entries()) {
      const load = await frames.prepare(sql);
      if (i === 0) expect(load?.reused).toBe(false);
      const native = (await conn.runAndReadAll(sql)).getRowObjectsJS();
      expect(normRows(await engine.rows(sql))).toEqual(normRows(native as Record<string, unknown>[]));
    }
    // `frames` shows the files' types.
    const types = Object.fromEntries((await engine.describe('frames')).map((c) => [c.name, c.type]));
    expect(types['observation.state']).toBe('FLOAT[]');
    expect(types.action).toBe('FLOAT[]');
  }, 120_000);

  it('warm: the same queries on loaded frames match native too', async () => {
    await frames.prepare(`SELECT index, "observation.state", action, timestamp, episode_index FROM frames`);
    for (const sql of QUERIES) {
      expect((await frames.prepare(sql))?.reused).toBe(true);
      const native = (await conn.runAndReadAll(sql)).getRowObjectsJS();
      expect(normRows(await engine.rows(sql))).toEqual(normRows(native as Record<string, unknown>[]));
    }
  }, 120_000);
});

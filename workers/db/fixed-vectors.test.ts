import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Field, Float32, List, Table, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource } from '../../tests/unit/helpers/fs-source';
import { toFixedSize } from './fixed-vectors';
import { createReader } from './reader';
import { openLeRobot } from './lerobot';
import { FramesSource } from './frames-source';
import type { Engine } from './engine';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');

function listIpc(rows: (number[] | null)[]): Uint8Array {
  const v = vectorFromArray(rows as never[], new List(new Field('item', new Float32(), true)));
  return tableToIPC(new Table({ v }), 'stream');
}

describe('toFixedSize', () => {
  it('turns lists of one length into FixedSizeList, keeping NaN and NULL elements', () => {
    const r = toFixedSize(listIpc([[1, NaN, 3], [4, 5, 6], [7, 8, 9]]));
    expect(r.fixed).toEqual({ v: 3 });
    const t = tableFromIPC(r.ipc);
    expect(String(t.schema.fields[0].type)).toMatch(/FixedSizeList\[3\]/);
    expect([...t.getChild('v')!].map((x) => [...(x as Iterable<number>)])).toEqual([[1, NaN, 3], [4, 5, 6], [7, 8, 9]]);
  });

  it('leaves lists of varying length and NULL lists alone, saying why', () => {
    expect(toFixedSize(listIpc([[1, 2], [3]])).general).toEqual({ v: 'lists of varying length' });
    const nulls = toFixedSize(listIpc([[1, 2], null]));
    expect(nulls.general).toEqual({ v: 'NULL lists' });
    expect(String(tableFromIPC(nulls.ipc).schema.fields[0].type)).toMatch(/^List/);
  });
});

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
 * The demo's data rewritten by native DuckDB so the vectors hold what users' files may: NaN and NULL elements in
 * `observation.state` (still fixed-size), and `action` lists of varying length in the last file only (so the
 * load starts on the fixed-size path and must switch that column to the general one mid-way).
 */
describe('frames with fixed-size vectors give the same rows as native DuckDB', () => {
  let dir: string;
  let conn: DuckDBConnection;
  let engine: Engine;
  let frames: FramesSource;
  const files: string[] = [];
  const QUERIES = [
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

  it('cold: each query loads its columns (state fixed-size, action switched to lists) and matches native', async () => {
    for (const [i, sql] of QUERIES.entries()) {
      const load = await frames.prepare(sql);
      if (i === 0) expect(load?.reused).toBe(false);
      expect(load?.vectors.fixed['observation.state']).toBe(8);
      if (load?.columns.includes('action')) expect(load.vectors.general.action).toBe('lists of varying length');
      const native = (await conn.runAndReadAll(sql)).getRowObjectsJS();
      expect(normRows(await engine.rows(sql))).toEqual(normRows(native as Record<string, unknown>[]));
    }
    // `frames` shows the files' types whatever the path.
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

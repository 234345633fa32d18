/**
 * Issue 14's "every warm query at 10M costs ~1.3 s in the tab": what a cell costs once its frames are loaded, counted
 * in statements rather than timed. The real runner, workspace and DuckDB-WASM (Node) over real Parquet (the demo,
 * and the G1 sample the project did not write): a warm cell runs its plan, its own query, a describe and a page,
 * and nothing else that reads the frames; the catalog refresh after a run never counts them; and the statements of
 * a warm cell do not grow with how much of `frames` is loaded.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource, SAMPLES } from './helpers/fs-source';
import { Workspace } from '../../workers/db/workspace';
import type { Engine } from '../../workers/db/engine';
import type { StatementRecord } from '../../workers/db/types';
import { ipcToResult, ipcToRows } from '../../src/lib/db/arrow';
import { NotebookRunner, type NotebookDb } from '../../src/lib/notebook/runner';
import type { NotebookDoc } from '../../src/lib/notebook/types';

/** The runner's database port over a Workspace, as DbClient serves it in the browser (lazy frames included). */
function workspaceDb(ws: Workspace): NotebookDb {
  let next = 1;
  return {
    nextId: () => next++,
    async runCell(name, sql, id, pageSize, opts) {
      const r = await ws.runCell(name, sql, id, pageSize, opts);
      return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToRows(r.firstPage), ms: r.ms, fetched: r.fetched };
    },
    async query(sql, id = next++, opts) {
      const r = await ws.query(sql, id, opts);
      return { ...ipcToResult(r.ipc), ms: r.ms, fetched: r.fetched };
    },
    cancel: (id) => ws.cancel(id),
    page: async (name, offset, limit) => ipcToRows(await ws.page(name, offset, limit)),
  };
}

/** Statements that read frame data: they name `frames` or its cache, except planning (EXPLAIN) and re-pointing the view. */
const readsFrames = (s: StatementRecord) =>
  s.kind === 'insert' || (/\bframes\b|_frames_cache|_frames_part/i.test(s.text) && !/^\s*(EXPLAIN\b|CREATE OR REPLACE VIEW frames\b)/i.test(s.text));

const DATASETS = [
  ['the demo (v3.0, 148k frames)', path.resolve(import.meta.dirname, '../../static/demo'), '"observation.state"[1]'],
  ['the G1 sample (v2.1, 26 joints, no log)', path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train'), '"observation.state"[26]'],
] as const;

describe('a warm cell runs only its own query over frames', () => {
  for (const [label, dir, element] of DATASETS) {
    describe(label, () => {
      let engine: Engine;
      let nb: NotebookRunner;
      let ws: Workspace;
      /** The statements run by `fn` (a run of cells, then the catalog refresh the app does after every run). */
      const record = async (fn: () => Promise<unknown>) => {
        const seen: StatementRecord[] = [];
        const stop = engine.onStatement((s) => seen.push(s));
        try {
          await fn();
        } finally {
          stop();
        }
        return seen;
      };
      const runWithCatalog = (id: string) => record(async () => {
        await nb.runCell(id);
        await ws.catalog();
      });

      beforeAll(async () => {
        await initParquetForNode();
        ({ engine } = await createNodeEngine());
        ws = new Workspace(engine);
        await ws.openDataset(await folderSource(dir));
        await ws.linkEpisodes();
        const doc: NotebookDoc = {
          version: 1,
          title: 'warm cells',
          sources: [],
          cells: [
            { id: 'per', kind: 'sql', name: 'per_episode', source: `SELECT episode_index, count(*) AS n, avg(${element}) AS m, max(timestamp) AS t FROM frames GROUP BY 1 ORDER BY 1` },
            { id: 'eps', kind: 'sql', name: 'by_task', source: `SELECT task, count(*) AS episodes, avg(duration_s) AS mean_s FROM episodes GROUP BY 1 ORDER BY 1` },
            { id: 'all', kind: 'sql', name: 'scan_all', source: `SELECT count(*) AS n, sum(list_sum("observation.state")) AS s, sum(list_sum(action)) AS a, sum(frame_index) AS f, sum(index) AS i, sum(episode_index) AS e, max(timestamp) AS t, max(task_index) AS k FROM frames` },
          ],
        };
        nb = new NotebookRunner(doc, workspaceDb(ws), { reservedNames: () => new Set(['episodes', 'frames', 'tasks']) });
      }, 180_000);

      it('cold, the cell loads its columns; warm, the same cell loads nothing and reads frames once', async () => {
        const cold = await runWithCatalog('per');
        expect(nb.runtime.per.status).toBe('done');
        expect(cold.filter((s) => s.kind === 'insert').length).toBeGreaterThan(0);
        const warm = await runWithCatalog('per');
        expect(nb.runtime.per.status).toBe('done');
        expect(nb.runtime.per.output?.rowCount).toBeGreaterThan(10);
        expect(warm.filter(readsFrames).map((s) => s.text)).toEqual([`CREATE OR REPLACE TABLE "per_episode" AS ${nb.doc.cells[0].source}`]);
        // The whole warm cell, statement by statement: the runner's schema for its capability checks, the plan (view
        // on the empty shape, statistics-based rewrites off, EXPLAIN, back on, view back on the cache), the query, describe with count, first page; then the
        // catalog's three lookups and one count per view whose size is not declared (`episodes`, never `frames`).
        const shape = warm.map((s) => s.text.replace(/\s+/g, ' '));
        expect(shape).toEqual([
          'SELECT table_name, column_name FROM information_schema.columns',
          expect.stringMatching(/^CREATE OR REPLACE VIEW frames AS SELECT \*/),
          "SET disabled_optimizers = 'statistics_propagation,empty_result_pullup'",
          expect.stringMatching(/^EXPLAIN \(FORMAT json\) SELECT episode_index/),
          'RESET disabled_optimizers',
          expect.stringMatching(/^CREATE OR REPLACE VIEW frames AS SELECT "/),
          expect.stringMatching(/^CREATE OR REPLACE TABLE "per_episode" AS/),
          expect.stringMatching(/^SELECT column_name, column_type, \(SELECT count\(\*\) FROM "per_episode"/),
          'SELECT * FROM "per_episode" LIMIT 200',
          expect.stringMatching(/FROM duckdb_tables\(\)/),
          expect.stringMatching(/FROM duckdb_views\(\)/),
          expect.stringMatching(/FROM duckdb_columns\(\)/),
          'SELECT count(*)::DOUBLE AS n FROM "episodes"',
        ]);
      }, 180_000);

      it('a cell over episodes names no frame table at all, warm or not', async () => {
        for (let i = 0; i < 2; i++) {
          const seen = await runWithCatalog('eps');
          expect(nb.runtime.eps.status).toBe('done');
          expect(seen.filter((s) => /frames/i.test(s.text))).toEqual([]);
        }
      }, 180_000);

      it('with every column loaded, a warm cell runs exactly the statements it ran with three', async () => {
        const before = (await runWithCatalog('per')).map((s) => s.text);
        const load = await runWithCatalog('all');
        expect(nb.runtime.all.status).toBe('done');
        expect(load.filter((s) => s.kind === 'insert').length).toBeGreaterThan(0);
        // The view now lists every column as loaded, so the re-pointing statement differs; the rest is identical.
        const after = (await runWithCatalog('per')).map((s) => s.text);
        const same = (xs: string[]) => xs.map((t) => (/^CREATE OR REPLACE VIEW frames AS SELECT "/.test(t) ? 'view on the cache' : t));
        expect(same(after)).toEqual(same(before));
        // And the catalog never counts frames, whatever is loaded: its row count is the dataset's, from the metadata.
        const catalog = await record(() => ws.catalog());
        expect(catalog.filter(readsFrames)).toEqual([]);
        const frames = (await ws.catalog()).find((t) => t.name === 'frames');
        const [{ n }] = ipcToResult((await ws.query('SELECT count(*)::DOUBLE AS n FROM frames', 99)).ipc).rows;
        expect(frames?.rows).toBe(Number(n));
      }, 180_000);
    });
  }
});

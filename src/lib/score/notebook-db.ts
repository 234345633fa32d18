/**
 * The app's notebook database with model cells: the database worker's client for everything SQL, plus `runModel`,
 * which feeds the input query's Arrow to the score worker and stores its results back in DuckDB. The score worker
 * (and ONNX Runtime) starts only when a model cell first runs.
 */
import type { CellOutput, DbClient } from '../db';
import type { SourceDecl } from '../ingest/source';
import type { ModelCellRun, NotebookDb } from '../notebook/runner';
import type { CellData } from '../notebook/types';
import { ScoreClient } from './client';
import { ModelRunInfo, runModelCell, type ModelDbPort, type TrainedModelCache } from './cell-run';
import { Database } from '../store/db';
import { KvStore } from '../store/kv';
import { modelFiles } from './model-files';
import type { ModelSpec } from './cell';
import type { DatasetStats } from './mapping';

/** Rows of the main table shown with a model cell's first page. */
const FIRST_PAGE = 200;

/**
 * Models trained in the tab, kept in this browser's IndexedDB (the app's `kv` store, one entry per recipe, columns
 * and data), so a reload or a re-run loads them instead of training again. Storage refused: train every run.
 */
export function browserTrainedCache(kv: KvStore = new KvStore(new Database())): TrainedModelCache {
  return {
    get: (key) => kv.get<{ name: string; bytes: Uint8Array }[]>(key),
    put: (key, files) => kv.set(key, files),
  };
}

/**
 * Runs `f`, retrying for a few seconds while the page is still creating the `annotations` table. Why: a new
 * notebook's database loads the reviews (which the `episodes` view reads) just after its sources, and a model cell
 * that queries `episodes` at once can get there first ("Table with name annotations does not exist!").
 */
async function afterAnnotations<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i >= 40 || !/Table with name annotations does not exist/.test(String((e as Error)?.message ?? e))) throw e;
      await new Promise((r) => setTimeout(r, 150));
    }
  }
}

/** The runner's database for `db`, running model cells with the page's score worker. */
export function withModels(db: DbClient, score: () => ScoreClient = () => ScoreClient.shared()): NotebookDb {
  /** Runs in progress: query id → the score job running now (null between jobs) and a cancelled flag. */
  const active = new Map<number, { job: number | null; cancelled: boolean }>();
  const trainedCache = typeof indexedDB === 'undefined' ? undefined : browserTrainedCache();
  const port: ModelDbPort = {
    async queryIpc(sql, id, opts) {
      // The database client returns rows; materialising and exporting keeps the bytes as Arrow end to end.
      const tmp = `__model_input_${id}`;
      try {
        await afterAnnotations(() => db.runCell(tmp, sql, id, 1, opts));
        return await db.exportResult(tmp, 'arrow');
      } finally {
        await db.query(`DROP TABLE IF EXISTS ${tmp}`).catch(() => undefined);
      }
    },
    rows: async (sql, id, opts) => (await afterAnnotations(() => db.query(sql, id, opts))).rows,
    async insertArrow(name, ipc) {
      await db.insertArrow(name, ipc);
    },
    datasetStats: (sources) => statsJson(sources, score()),
  };
  return {
    nextId: () => db.nextId(),
    runCell: (...a) => db.runCell(...a),
    query: (...a) => db.query(...a),
    page: (...a) => db.page(...a),
    exportResult: (...a) => db.exportResult(...a),
    async cancel(id) {
      const run = active.get(id);
      if (run) {
        run.cancelled = true;
        if (run.job !== null) await score().cancel(run.job);
      }
      return db.cancel(id);
    },
    async runModel(cell: CellData, ctx: ModelCellRun): Promise<{ output: CellOutput; info: ModelRunInfo }> {
      const run = { job: null as number | null, cancelled: false };
      active.set(ctx.id, run);
      try {
        // The cell is reactive state (proxies), which cannot cross to a worker: the spec is plain JSON, so copy it.
        const spec = JSON.parse(JSON.stringify(cell.model)) as ModelSpec;
        const data = await runModelCell(cell.name, cell.source, spec, {
          db: port,
          score: score(),
          sources: ctx.sources,
          id: ctx.id,
          opts: ctx.opts,
          files: modelFiles.get(cell.id),
          onNote: ctx.onNote,
          onJob: (job) => (run.job = job),
          cancelled: () => run.cancelled,
          trainedCache,
        });
        data.runtime = await score().info();
        const page = await db.page(cell.name, 0, FIRST_PAGE);
        const output: CellOutput = { name: cell.name, columns: data.tables[0].columns, rowCount: data.tables[0].rows, rows: page, ms: data.ms };
        return { output, info: new ModelRunInfo(data) };
      } finally {
        active.delete(ctx.id);
      }
    },
  };
}

/** The LeRobot source's `meta/stats.json`, fetched by the score worker (null when the source has no URL). */
async function statsJson(sources: SourceDecl[], score: ScoreClient): Promise<DatasetStats | null> {
  const src = sources.find((s) => s.kind === 'lerobot' && s.url);
  if (!src?.url) return null;
  return score.datasetStats(src.url);
}

/**
 * The headless runner on native DuckDB: DuckDB reads the dataset's Parquet and JSON itself, and the canonical
 * views come from the shared view module, so the notebook sees what it sees in the tab.
 */
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { NotebookDb } from '../notebook/runner';
import type { NotebookDoc } from '../notebook/types';
import type { ModelDbPort } from '../score/cell-run';
import { quoteString } from '../util/sql';
import { csvTable, linkEpisodes, readCsvSql } from '../views';
import { ipcToResult, pageSql, runModelOn, type HeadlessEngine } from './engine';
import { datasetRoot, readSource, readUrl, requireFolder, rootUrl } from './files';
import { NativeDb } from './native-db';
import { PROFILE_TABLE } from '../ingest/lerobot/profile';
import { referencedNames } from '../notebook/sql-scan';
import { mcapSpecs, openNativeMcap } from './mcap-sources';
import { openNativeDataset } from './native-open';
import type { EngineSetup } from './setup';

/** Opens the notebook's sources on native DuckDB and builds the canonical views. */
export async function openNativeEngine(doc: NotebookDoc, setup: EngineSetup): Promise<HeadlessEngine> {
  const lerobot = doc.sources.find((s) => s.kind === 'lerobot');
  const root = lerobot ? datasetRoot(setup.dataset ?? lerobot.url ?? '', setup.base) : undefined;
  const remote = !!root && /^https?:\/\//.test(root);
  if (root && !remote) await requireFolder(root);
  const ndb = await NativeDb.open({ threads: setup.threads, memoryLimit: setup.memoryLimit, extensions: remote ? ['httpfs'] : [] });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'flywheel-csv-'));
  try {
    const warnings: string[] = [];
    let logTable: string | undefined;
    const ds = root ? await openNativeDataset(ndb, root) : null;
    if (ds) warnings.push(...ds.warnings);
    for (const s of doc.sources) {
      if (s.kind === 'csv' && s.url) {
        // Small sheets: fetched here (no httpfs needed) and read by DuckDB's CSV reader, as the app does.
        const file = path.join(scratch, `${s.name}.csv`);
        await writeFile(file, await readSource(s, setup.base));
        await csvTable(ndb, s.name, readCsvSql(quoteString(file)), s.url);
        if (s.role === 'episode-log') logTable = s.name;
      }
    }
    // MCAP logs through the app's own reader (the same topic tables and episode mapping as in the tab).
    const mcap = doc.sources.filter((s) => s.kind === 'mcap');
    const logs = mcap.length && !ds ? await openNativeMcap(ndb, await mcapSpecs(mcap, setup.base), mcap[0].episodes, doc.sources.filter((s) => s.kind === 'csv').map((s) => s.name)) : null;
    if (mcap.length && ds) warnings.push('The notebook has both a dataset and MCAP sources; the MCAP sources are not opened (the dataset defines episodes and frames).');
    if (logs) warnings.push(...logs.warnings);
    const fps = ds?.info.fps ?? logs?.episodes.fps;
    if (fps) {
      await linkEpisodes(ndb, {
        fps,
        logTable,
        mapping: doc.outcome,
        frameColumns: async () => (ds ? ds.frameColumns : await ndb.describe('frames')),
        materialise: async (name, sql) => void (await ndb.runCell(name, sql, -1)),
      });
    }
    // `feature_stats` is built from the frames before the first query that names it, as the tab's worker does.
    let profiled = !ds;
    const ensureProfile = async (sql: string) => {
      if (profiled || !referencedNames(sql).has(PROFILE_TABLE)) return;
      await ndb.runCell(PROFILE_TABLE, ds!.profileSql, -1);
      profiled = true;
    };
    let next = 1;
    const rowsOf = async (sql: string, id?: number) => ipcToResult(await ndb.query(sql, id)).rows;
    const page: NotebookDb['page'] = (name, offset, limit) => rowsOf(pageSql(name, offset, limit));
    const port: ModelDbPort = {
      queryIpc: (sql, id, o) => ndb.query(sql, id, o.onProgress),
      rows: (sql, id) => rowsOf(sql, id),
      insertArrow: (name, ipc) => ndb.insertArrow(name, ipc),
      datasetStats: async () => (root ? JSON.parse(new TextDecoder().decode(await readUrl(new URL('meta/stats.json', rootUrl(root)).href))) : null),
    };
    const db: NotebookDb = {
      nextId: () => next++,
      async runCell(name, sql, id, pageSize, o) {
        await ensureProfile(sql);
        const r = await ndb.runCell(name, sql, id, pageSize, o?.onProgress);
        return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToResult(r.firstPage).rows, ms: r.ms };
      },
      async query(sql, id = next++, o) {
        await ensureProfile(sql);
        const t0 = performance.now();
        const r = ipcToResult(await ndb.query(sql, id, o?.onProgress));
        return { ...r, ms: performance.now() - t0 };
      },
      cancel: (id) => ndb.cancel(id),
      page,
      runModel: (cell, ctx) => runModelOn(port, setup.score, page, cell, ctx),
    };
    return {
      name: 'native',
      version: ndb.version,
      db,
      warnings,
      writeResult: (name, file, format) => ndb.writeResult(name, path.resolve(file), format),
      async close() {
        await ndb.close();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await ndb.close().catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    throw e;
  }
}

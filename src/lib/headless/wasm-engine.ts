/**
 * The headless runner on DuckDB-WASM: the same Workspace the browser's database worker runs (lazy frames read by
 * the app's own Parquet reader), in this process.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { NotebookDb } from '../notebook/runner';
import type { NotebookDoc } from '../notebook/types';
import type { ModelDbPort } from '../score/cell-run';
import { Workspace } from '../../../workers/db/workspace';
import { ipcToResult, runModelOn, type HeadlessEngine, type ResultFormat } from './engine';
import { readSource, readUrl, rootUrl, datasetRoot, sourceSpec } from './files';
import { guessEpisodes } from '../mcap';
import { mcapSpecs } from './mcap-sources';
import { createNodeEngine, initParquetForNode } from './node-engine';
import type { EngineSetup } from './setup';

/** Opens the notebook's sources on DuckDB-WASM and builds the canonical views. */
export async function openWasmEngine(doc: NotebookDoc, setup: EngineSetup): Promise<HeadlessEngine> {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  const warnings: string[] = [];
  let logTable: string | undefined;
  let root: string | undefined;
  for (const s of doc.sources) {
    if (s.kind === 'lerobot') {
      const where = setup.dataset ?? s.url ?? '';
      root = datasetRoot(where, setup.base);
      warnings.push(...(await ws.openDataset(await sourceSpec(where, setup.base))).warnings);
    } else if (s.kind === 'csv' && s.url) {
      await ws.loadCsv(s.name, await readSource(s, setup.base), s.url);
      if (s.role === 'episode-log') logTable = s.name;
    }
  }
  // MCAP logs, as the tab opens them: the workspace reads topics lazily, when a query first names them.
  const mcap = doc.sources.filter((s) => s.kind === 'mcap');
  if (mcap.length && root) warnings.push('The notebook has both a dataset and MCAP sources; the MCAP sources are not opened (the dataset defines episodes and frames).');
  else if (mcap.length) {
    const info = await ws.openMcap(await mcapSpecs(mcap, setup.base), doc.sources.filter((s) => s.kind === 'csv').map((s) => s.name));
    warnings.push(...info.problems, ...(await ws.mapMcapEpisodes(mcap[0].episodes ?? guessEpisodes(info.topics))).warnings);
  }
  if (root || mcap.length) await ws.linkEpisodes(logTable, doc.outcome);
  let next = 1;
  const page: NotebookDb['page'] = async (name, offset, limit) => ipcToResult(await ws.page(name, offset, limit)).rows;
  const port: ModelDbPort = {
    queryIpc: async (sql, id, o) => (await ws.query(sql, id, o)).ipc,
    rows: async (sql, id, o) => ipcToResult((await ws.query(sql, id, o)).ipc).rows,
    insertArrow: async (name, ipc) => void (await ws.insertArrow(name, ipc)),
    datasetStats: async () => (root ? JSON.parse(new TextDecoder().decode(await readUrl(new URL('meta/stats.json', rootUrl(root)).href))) : null),
  };
  const db: NotebookDb = {
    nextId: () => next++,
    async runCell(name, sql, id, pageSize, o) {
      const r = await ws.runCell(name, sql, id, pageSize, o);
      return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToResult(r.firstPage).rows, ms: r.ms, fetched: r.fetched };
    },
    async query(sql, id = next++, o) {
      const r = await ws.query(sql, id, o);
      return { ...ipcToResult(r.ipc), ms: r.ms, fetched: r.fetched };
    },
    cancel: (id) => ws.cancel(id),
    page,
    runModel: (cell, ctx) => runModelOn(port, setup.score, page, cell, ctx),
  };
  return {
    name: 'wasm',
    version: await engine.version(),
    db,
    warnings,
    // The whole result passes through this process: the wasm engine holds results in its heap anyway.
    async writeResult(name: string, file: string, format: ResultFormat) {
      await writeFile(path.resolve(file), await ws.exportResult(name, format));
    },
    close: async () => undefined,
  };
}

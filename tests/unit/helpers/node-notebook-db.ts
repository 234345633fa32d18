import { ipcToResult } from '../../../src/lib/db/arrow';
import type { NotebookDb } from '../../../src/lib/notebook/runner';
import type { Engine } from '../../../workers/db/engine';

/** The notebook runner's database port, served by the real engine in Node (what DbClient does in the browser). */
export function engineNotebookDb(engine: Engine): NotebookDb {
  let next = 1000;
  return {
    nextId: () => next++,
    async runCell(name, sql, id, pageSize) {
      const r = await engine.runCell(name, sql, id, pageSize);
      return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToResult(r.firstPage).rows, ms: r.ms };
    },
    async query(sql, id) {
      const r = await engine.query(sql, id);
      return { ...ipcToResult(r.ipc), ms: r.ms };
    },
    cancel: (id) => engine.cancel(id),
    async page(name, offset, limit) {
      const r = await engine.query(`SELECT * FROM "${name}" LIMIT ${limit} OFFSET ${offset}`);
      return ipcToResult(r.ipc).rows;
    },
  };
}

/**
 * A fresh DuckDB-WASM engine in Node with a small `episodes` table (120 episodes, every fourth a failure, policy
 * versions v1–v3), behind the runner's port: the set-up of the runner's own tests.
 */
export async function smallEpisodesDb(): Promise<NotebookDb> {
  const { createNodeEngine } = await import('./node-engine');
  const { engine } = await createNodeEngine();
  await engine.exec(`CREATE TABLE episodes AS SELECT range AS episode_index, CASE WHEN range % 4 = 0 THEN 'failure' ELSE 'success' END AS outcome, 'v' || (range % 3 + 1) AS policy_version FROM range(120)`);
  return engineNotebookDb(engine);
}

import { beforeAll, describe, expect, it } from 'vitest';
import { smallEpisodesDb } from '../../../tests/unit/helpers/node-notebook-db';
import { NotebookRunner, type NotebookDb } from './runner';
import type { NotebookDoc } from './types';

let db: NotebookDb;
beforeAll(async () => {
  db = await smallEpisodesDb();
});

function doc(): NotebookDoc {
  return {
    version: 1,
    title: 't',
    sources: [],
    cells: [
      { id: 'a', kind: 'sql', name: 'by_version', source: `SELECT policy_version, avg(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) AS success_rate, count(*) AS n FROM episodes GROUP BY ALL ORDER BY 1` },
      { id: 'b', kind: 'sql', name: 'broken', source: 'SELECT * FROM episodez' },
      { id: 'c', kind: 'sql', name: 'uses_broken', source: 'SELECT count(*) FROM broken' },
      { id: 'd', kind: 'sql', name: 'best', source: '-- the best version\nSELECT * FROM by_version ORDER BY success_rate DESC LIMIT 1;' },
      { id: 'e', kind: 'plot', name: 'chart', source: '', plot: { data: 'by_version', mark: 'barY', x: 'policy_version', y: 'success_rate' } },
      { id: 'f', kind: 'markdown', name: 'note', source: '# Notes' },
    ],
  };
}

describe('NotebookRunner on real DuckDB-WASM', () => {
  it('runs every cell, shows the SQL error in its cell and keeps going', async () => {
    const nb = new NotebookRunner(doc(), db, { reservedNames: () => new Set(['episodes']) });
    await nb.runAll();
    expect(nb.runtime.a.status).toBe('done');
    expect(nb.runtime.a.output?.rowCount).toBe(3);
    expect(nb.runtime.b.status).toBe('error');
    expect(nb.runtime.b.error).toMatch(/episodez/);
    expect(nb.runtime.c.status).toBe('error');
    expect(nb.runtime.c.error).toMatch(/uses "broken", which failed/);
    expect(nb.runtime.d.status).toBe('done');
    expect(nb.runtime.d.output?.rows).toHaveLength(1);
    expect(nb.runtime.e.status).toBe('done');
    expect(nb.runtime.e.output?.rows.map((r) => r.policy_version)).toEqual(['v1', 'v2', 'v3']);
  });

  it('re-runs what depends on an edited cell, and only that', async () => {
    const nb = new NotebookRunner(doc(), db);
    await nb.runAll();
    const before = { a: nb.runtime.a.runId, b: nb.runtime.b.runId, d: nb.runtime.d.runId, e: nb.runtime.e.runId };
    nb.doc.cells[0].source = `SELECT policy_version, 0.5 AS success_rate FROM episodes GROUP BY ALL`;
    await nb.runCell('a');
    expect(nb.runtime.a.error).toBeUndefined();
    expect(nb.runtime.a.runId).toBe(before.a + 1);
    expect(nb.runtime.d.runId).toBe(before.d + 1);
    expect(nb.runtime.e.runId).toBe(before.e + 1);
    expect(nb.runtime.b.runId).toBe(before.b);
    expect(nb.runtime.d.output?.rows[0].success_rate).toBe(0.5);
  });

  it('refuses a result name that would replace a data table', async () => {
    const d = doc();
    d.cells[0].name = 'episodes';
    const nb = new NotebookRunner(d, db, { reservedNames: () => new Set(['episodes']) });
    await nb.runCell('a');
    expect(nb.runtime.a.error).toMatch(/name of a data table/);
  });

  it('reports a reference to a cell further down instead of reading a stale result', async () => {
    const d = doc();
    d.cells.unshift({ id: 'z', kind: 'sql', name: 'early', source: 'SELECT * FROM best' });
    const nb = new NotebookRunner(d, db);
    await nb.runAll();
    expect(nb.runtime.z.error).toMatch(/defined further down/);
  });

  it('waits for a source table that is still loading', async () => {
    let release!: () => void;
    const loading = new Promise<void>((r) => (release = r));
    let ready = false;
    const nb = new NotebookRunner(doc(), db, { waitForTable: (n) => (n === 'episodes' && !ready ? loading : null) });
    const run = nb.runCell('a');
    await new Promise((r) => setTimeout(r, 20));
    expect(nb.runtime.a.status).toBe('waiting');
    ready = true;
    release();
    await run;
    expect(nb.runtime.a.status).toBe('done');
  });
});

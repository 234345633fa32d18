import { beforeAll, describe, expect, it } from 'vitest';
import { smallEpisodesDb } from '../../../tests/unit/helpers/node-notebook-db';
import { NotebookRunner, type NotebookDb } from './runner';
import { SAVED_ROW_LIMIT, canonicalJson, decodeValue, encodeValue, isSavedResults, resultsKey, saveCell } from './saved-results';
import type { NotebookDoc } from './types';

let db: NotebookDb;
beforeAll(async () => {
  db = await smallEpisodesDb();
});

function doc(): NotebookDoc {
  return {
    version: 1,
    title: 't',
    sources: [{ name: 'dataset', kind: 'lerobot', url: 'demo/' }],
    cells: [
      { id: 'a', kind: 'sql', name: 'by_version', source: `SELECT policy_version, avg(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) AS success_rate, count(*) AS n, max(episode_index)::HUGEINT AS big, DATE '2026-01-02' AS d FROM episodes GROUP BY ALL ORDER BY 1` },
      { id: 'b', kind: 'sql', name: 'every_episode', source: `SELECT * FROM episodes` },
      { id: 'e', kind: 'plot', name: 'chart', source: '', plot: { data: 'by_version', mark: 'barY', x: 'policy_version', y: 'success_rate' } },
    ],
  };
}

describe('saved results', () => {
  it('are keyed by what defines the results, not by key order or the title', () => {
    const d = doc();
    const same = { ...JSON.parse(JSON.stringify(d)), title: 'another title' };
    same.cells[0] = Object.fromEntries(Object.entries(same.cells[0]).reverse());
    expect(resultsKey(same)).toBe(resultsKey(d));
    const edited = doc();
    edited.cells[0].source += ' ';
    expect(resultsKey(edited)).not.toBe(resultsKey(d));
    const otherData = doc();
    otherData.sources[0].url = 'https://example.org/other/';
    expect(resultsKey(otherData)).not.toBe(resultsKey(d));
    expect(resultsKey(d)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('round-trip values JSON cannot hold', () => {
    const v = { n: 12345678901234567890n, d: new Date(86_400_000), f: [NaN, Infinity, -Infinity, 1.5], s: 'x', z: null, l: [[1, 2], []] };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(v)))) as typeof v;
    expect(back.n).toBe(12345678901234567890n);
    expect(back.d.getTime()).toBe(86_400_000);
    expect(back.f).toEqual([NaN, Infinity, -Infinity, 1.5]);
    expect(back.l).toEqual([[1, 2], []]);
    expect(canonicalJson({ b: 1, a: [undefined, 2] })).toBe('{"a":[null,2],"b":1}');
  });

  it('keep only small, complete results', () => {
    const cols = [{ name: 'x', type: 'INTEGER' }];
    expect(saveCell({ columns: cols, rowCount: 3, rows: [{ x: 1 }, { x: 2 }, { x: 3 }] })?.rowCount).toBe(3);
    expect(saveCell({ columns: cols, rowCount: 300, rows: [{ x: 1 }] })).toBeNull();
    expect(saveCell({ columns: cols, rowCount: 1, rows: [{ x: 1 }], truncated: true })).toBeNull();
    const many = Array.from({ length: SAVED_ROW_LIMIT + 1 }, (_, i) => ({ x: i }));
    expect(saveCell({ columns: cols, rowCount: many.length, rows: many })).toBeNull();
    expect(saveCell({ columns: cols, rowCount: 1, rows: [{ x: new Uint8Array(2) }] })).toBeNull();
    expect(isSavedResults({ key: 'k', savedAt: null, cells: { a: { columns: [], rowCount: 0, rows: [] } } })).toBe(true);
    expect(isSavedResults({ key: 'k', savedAt: 5, cells: {} })).toBe(false);
    expect(isSavedResults({ key: 'k', savedAt: null, cells: { a: { columns: [], rows: 'x' } } })).toBe(false);
  });

  it('a run saves its small results; the next open shows them as saved until its own run replaces them', async () => {
    const first = new NotebookRunner(doc(), db);
    await first.runAll();
    const saved = JSON.parse(JSON.stringify(first.snapshot('2026-12-01T00:00:00.000Z')));
    // every_episode has 120 rows, all read (page of 200): kept; the chart's data too.
    expect(Object.keys(saved.cells).sort()).toEqual(['a', 'b', 'e']);

    const next = new NotebookRunner(doc(), db);
    next.markWaiting('waiting for the data…');
    expect(next.seed(saved)).toBe(3);
    expect(next.runtime.a.status).toBe('waiting');
    expect(next.runtime.a.saved).toEqual({ at: '2026-12-01T00:00:00.000Z' });
    expect(next.runtime.a.output?.rows).toEqual(first.runtime.a.output?.rows);
    expect(next.runtime.a.output?.rows[0].big).toBe(first.runtime.a.output?.rows[0].big);
    expect(next.snapshot().cells).toEqual({}); // saved results are not saved again as if they were live
    await next.runAll();
    for (const id of ['a', 'b', 'e']) {
      expect(next.runtime[id].status).toBe('done');
      expect(next.runtime[id].saved).toBeUndefined();
    }

    // Another notebook's results are never shown.
    const other = doc();
    other.cells[0].source = `SELECT 1 AS x`;
    expect(new NotebookRunner(other, db).seed(saved)).toBe(0);
  });

  it('a saved result does not outlive a live run that fails', async () => {
    const first = new NotebookRunner(doc(), db);
    await first.runAll();
    const saved = first.snapshot();
    const broken = doc();
    const r = new NotebookRunner(broken, { ...db, runCell: async () => Promise.reject(new Error('the data changed')) });
    expect(r.seed(saved)).toBe(3);
    await r.runAll();
    expect(r.runtime.a.status).toBe('error');
    expect(r.runtime.a.output).toBeUndefined();
    expect(r.runtime.a.saved).toBeUndefined();
  });
});

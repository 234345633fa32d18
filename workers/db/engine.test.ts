import { describe, expect, it, beforeAll } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { createNodeEngine } from '../../tests/unit/helpers/node-engine';
import type { Engine } from './engine';
import { CancelledError } from '../../src/lib/util/errors';
import { ipcToRows } from '../../src/lib/db/arrow';

let engine: Engine;
beforeAll(async () => {
  ({ engine } = await createNodeEngine());
});

describe('Engine on real DuckDB-WASM', () => {
  it('returns a complete Arrow IPC stream across several record batches', async () => {
    const { ipc } = await engine.query('SELECT range AS i, range * 2 AS j FROM range(5000)');
    const t = tableFromIPC(ipc);
    expect(t.numRows).toBe(5000);
    expect(t.batches.length).toBeGreaterThan(1); // DuckDB streams 2048-row vectors
    expect(Number(t.getChild('j')!.get(4999))).toBe(9998);
  });

  it('materialises a cell as a named table that later SQL can query', async () => {
    const r = await engine.runCell('by_parity', 'SELECT range % 2 AS parity, count(*) AS n FROM range(11) GROUP BY ALL', 1);
    expect(r.rowCount).toBe(2);
    expect(r.columns.map((c) => c.name)).toEqual(['parity', 'n']);
    const rows = await engine.rows('SELECT n FROM by_parity ORDER BY parity');
    expect(rows).toEqual([{ n: 6 }, { n: 5 }]);
  });

  it('reports SQL errors with DuckDB\'s own message', async () => {
    await expect(engine.query('SELECT * FROM no_such_table')).rejects.toThrow(/no_such_table/);
    // and the connection stays usable afterwards
    expect(await engine.rows('SELECT 42 AS x')).toEqual([{ x: 42 }]);
  });

  it('drops a query cancelled before its turn', async () => {
    const slow = engine.query('SELECT sum(range) FROM range(2000000)', 10);
    const queued = engine.query('SELECT 1', 11);
    await engine.cancel(11);
    await slow;
    await expect(queued).rejects.toBeInstanceOf(CancelledError);
  });

  it('reads CSV with the core reader while extension autoload is off', async () => {
    await engine.registerFile('/flywheel/log.csv', new TextEncoder().encode('episode_id,outcome,notes\n1,success,"a, b"\n2,failure,\n'));
    const rows = ipcToRows((await engine.query(`SELECT * FROM read_csv('/flywheel/log.csv', header=true)`)).ipc);
    expect(rows).toEqual([
      { episode_id: 1, outcome: 'success', notes: 'a, b' },
      { episode_id: 2, outcome: 'failure', notes: null },
    ]);
  });

  it('lists tables and views with exact row counts, hiding internal _tables', async () => {
    await engine.exec('CREATE OR REPLACE TABLE cat_t AS SELECT range AS a FROM range(4321)');
    await engine.exec('CREATE OR REPLACE TABLE _hidden AS SELECT 1 AS x');
    await engine.exec('CREATE OR REPLACE VIEW cat_v AS SELECT * FROM cat_t WHERE a % 2 = 0');
    const cat = await engine.catalog();
    expect(cat.find((t) => t.name === 'cat_t')).toEqual({ name: 'cat_t', kind: 'table', rows: 4321, columns: [{ name: 'a', type: 'BIGINT' }] });
    expect(cat.find((t) => t.name === 'cat_v')?.rows).toBe(2161);
    expect(cat.find((t) => t.name === '_hidden')).toBeUndefined();
  });

  it('replaces a view with a cell result of the same name', async () => {
    await engine.exec('CREATE OR REPLACE VIEW was_view AS SELECT 1 AS x');
    const r = await engine.runCell('was_view', 'SELECT 2 AS y', 20);
    expect(r.columns).toEqual([{ name: 'y', type: 'INTEGER' }]);
    expect(await engine.relationKind('was_view')).toBe('table');
  });

  it('refuses files outside the app\'s own registered folder (SQL cannot read arbitrary paths or URLs)', async () => {
    await expect(engine.query(`SELECT * FROM read_csv('/etc/passwd')`)).rejects.toThrow(/disabled by configuration/);
    await expect(engine.query(`SELECT * FROM read_csv('https://example.org/x.csv')`)).rejects.toThrow(/disabled by configuration/);
  });

  it('fails fast (no network hang) when SQL needs the parquet extension', async () => {
    await expect(engine.query(`SELECT * FROM read_parquet('x.parquet')`)).rejects.toThrow(/parquet/i);
  });
});

/**
 * The benchmark's browser driver (bench/browser.ts) times the cell it names. Issue 14's "every warm query at 10M
 * costs ~1.3 s in the tab" was the driver re-running the last cell added (the all-columns scan) for every warm
 * workload, because a `.last()` locator is resolved again at each use; and a "cold" cell over frames could find
 * them loaded by the opening notebook. Here the driver runs four cells of different shapes on the demo, over a
 * cross-origin data server, and each warm run must be its own cell (its rows), fetch nothing, and each cold cell
 * over frames must fetch its columns.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import path from 'node:path';
import { runBrowser } from '../../bench/browser.ts';
import type { QuerySpec } from '../../bench/workloads.ts';
import { startServer, type RunningServer } from './serve.ts';

const appUrl = inject('appUrl');
const repoRoot = inject('repoRoot');
let data: RunningServer;
beforeAll(async () => {
  data = await startServer({ root: path.join(repoRoot, 'static'), cors: true });
});
afterAll(() => data?.close());

const QUERIES: QuerySpec[] = [
  { id: 'per-episode', sql: `SELECT episode_index, count(*) AS frames, avg("observation.state"[1]) AS m FROM frames GROUP BY 1 ORDER BY 1`, columns: ['episode_index', 'observation.state'], episodes: null },
  { id: 'failure-stats', sql: `SELECT policy_version, count(*) AS n FROM episodes WHERE policy_version IS NOT NULL GROUP BY 1 ORDER BY 1`, columns: null, episodes: null },
  { id: 'scan-1col', sql: `SELECT sum(action[1])::DOUBLE AS s, count(*) AS n FROM frames`, columns: ['action'], episodes: null },
  // Last, as in the benchmark: it loads every column the others read, so each warm run finds its frames loaded.
  { id: 'scan-all', sql: `SELECT count(*) AS n, sum(episode_index) AS e, sum(list_sum("observation.state")) AS s, sum(list_sum(action)) AS a FROM frames`, columns: ['episode_index', 'observation.state', 'action'], episodes: null },
];

describe('bench/browser.ts', () => {
  test('warm runs time their own cell and fetch nothing; cold cells over frames load them', async () => {
    const r = await runBrowser({ appUrl, datasetUrl: `${data.url}demo/`, logUrl: `${data.url}demo/deployment_log.csv`, server: data, queries: QUERIES, warm: true, timeoutMs: 240_000 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    const m = r.measures;
    // Three different shapes, so a warm run of another cell would show in its rows (the driver checks it too).
    expect(m['per-episode'].rows).toBeGreaterThan(100);
    expect(m['failure-stats'].rows).toBeGreaterThan(1);
    expect(m['failure-stats'].rows).toBeLessThan(20);
    expect(m['scan-1col'].rows).toBe(1);
    expect(m['scan-all'].rows).toBe(1);
    for (const q of QUERIES) {
      expect(m[q.id].status, q.id).toBe('done');
      expect(Number.isFinite(m[q.id].warm), q.id).toBe(true);
      expect(m[q.id].warmBytes, q.id).toBe(0);
    }
    // Cold: the scan of `action` runs after the per-episode cell loaded other columns, and after the opening
    // notebook (which reads the state and action vectors): it must still fetch its own column.
    expect(m['scan-1col'].reused).toBe(false);
    expect(m['scan-1col'].bytes).toBeGreaterThan(100_000);
    expect(m['per-episode'].bytes).toBeGreaterThan(100_000);
    expect(m['failure-stats'].bytes).toBe(0);
  }, 600_000);
});

/**
 * The same notebook on both engines: every job notebook and both model notebooks on the demo, and notebooks on the
 * real v2.1 G1 sample, run on DuckDB-WASM (the app's engine, lazy frames) and on native DuckDB (reading the Parquet
 * itself, views from the shared module), and every cell's whole result is compared: status, columns and types, row
 * count, rows (floating point to 1e-9 relative; in order where the SQL orders). Model cells score on the same ONNX
 * Runtime (web) on both sides, so any difference is the engines'; onnxruntime-node is compared separately, to
 * float32 tolerance.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANALYSIS_TEMPLATES } from '../../src/lib/analysis';
import { compareRuns, type CellRows } from '../../src/lib/headless/compare';
import { HeadlessSession, type HeadlessOptions } from '../../src/lib/headless/run';
import { exploreNotebook } from '../../src/lib/notebook/templates/explore';
import { healthNotebook } from '../../src/lib/notebook/templates/health';
import type { NotebookDoc } from '../../src/lib/notebook/types';
import { failureClusteringNotebook, trainedClusteringNotebook, trainedUncertaintyNotebook, uncertaintyNotebook } from '../../src/lib/score/templates';
import type { Schema } from '../../src/lib/contract';
import type { SourceDecl } from '../../src/lib/ingest/source';
import { fleetEpisodes } from '../fixtures/gen/mcap-fleet';
import { SAMPLES } from './helpers/fs-source';
import { schemaOf as readSchema } from './helpers/schema';

async function fullRun(doc: NotebookDoc, opts: HeadlessOptions): Promise<CellRows[]> {
  const s = await HeadlessSession.open(structuredClone(doc), opts);
  try {
    await s.run();
    return await s.fullResults();
  } finally {
    await s.close();
  }
}

async function bothEngines(doc: NotebookDoc, opts: HeadlessOptions = {}) {
  const wasm = await fullRun(doc, { ...opts, engine: 'wasm', ort: 'web' });
  const native = await fullRun(doc, { ...opts, engine: 'native', ort: 'web', threads: 2 });
  return { wasm, native };
}

// Generous limits: each notebook runs twice from cold on a shared 2-core machine (model cells score ~100k frames).
const DEMO: { id: string; doc: () => NotebookDoc; timeout: number }[] = [
  { id: 'health', doc: () => healthNotebook(), timeout: 180_000 },
  ...ANALYSIS_TEMPLATES.map((t) => ({ id: t.id, doc: () => t.build(), timeout: 180_000 })),
  { id: 'uncertainty (model)', doc: () => uncertaintyNotebook(), timeout: 600_000 },
  { id: 'failure clustering (model)', doc: () => failureClusteringNotebook(), timeout: 600_000 },
];

describe('the same notebook on DuckDB-WASM and native DuckDB (demo)', () => {
  for (const t of DEMO) {
    it(t.id, async () => {
      const { wasm, native } = await bothEngines(t.doc());
      expect(wasm.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
      expect(compareRuns(wasm, native)).toEqual([]);
      // Something was compared: every result cell has rows on both sides.
      expect(native.filter((c) => c.rows?.length).length).toBeGreaterThan(0);
    }, t.timeout);
  }
});

const G1 = path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train');

describe('the same notebook on both engines over the v2.1 G1 sample (26 joints, 30 fps, no log)', () => {
  it('explore notebook', async () => {
    const doc = exploreNotebook([{ name: 'dataset', kind: 'lerobot', url: G1 }]);
    const { wasm, native } = await bothEngines(doc);
    expect(wasm.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
    expect(compareRuns(wasm, native)).toEqual([]);
  }, 180_000);

  it('per-frame SQL over frames, tasks and episodes', async () => {
    const doc: NotebookDoc = {
      version: 1,
      title: 'G1 per-episode',
      sources: [{ name: 'dataset', kind: 'lerobot', url: G1 }],
      cells: [
        {
          id: 'a',
          kind: 'sql',
          name: 'per_episode',
          source: `SELECT f.episode_index, count(*) AS frames, avg(f."observation.state"[1]) AS mean_j1, max(f.action[26]) AS max_a26, e.duration_s, t.task
                   FROM frames f JOIN episodes e USING (episode_index) JOIN tasks t ON t.task_index = f.task_index
                   GROUP BY ALL ORDER BY f.episode_index`,
        },
        { id: 'b', kind: 'sql', name: 'shape', source: `SELECT column_name, column_type FROM (DESCRIBE frames) ORDER BY column_name` },
        { id: 'c', kind: 'sql', name: 'episode_meta', source: `SELECT * FROM episodes ORDER BY episode_index` },
      ],
    };
    const { wasm, native } = await bothEngines(doc);
    expect(wasm.map((c) => c.status)).toEqual(['done', 'done', 'done']);
    expect(wasm[0].rowCount).toBe(100);
    expect(compareRuns(wasm, native)).toEqual([]);
  }, 180_000);

  it('failure mining on the sample gives the same results and the same failing cells on both engines', async () => {
    const doc = ANALYSIS_TEMPLATES.find((t) => t.id === 'failure-mining')!.build([{ name: 'dataset', kind: 'lerobot', url: G1 }]);
    const { wasm, native } = await bothEngines(doc);
    expect(compareRuns(wasm, native)).toEqual([]);
  }, 180_000);
});

const G1_FULL: SourceDecl[] = [
  { name: 'dataset', kind: 'lerobot', url: G1 },
  { name: 'deployments', kind: 'csv', url: path.resolve(import.meta.dirname, '../fixtures/logs/v21_g1/deployment_log.csv'), role: 'episode-log' },
  { name: 'costs', kind: 'csv', url: path.resolve(import.meta.dirname, '../fixtures/logs/v21_g1/collection_costs.csv'), role: 'table' },
];

/** The open data's columns, as the sidebar reads them to fit a job's form. */
const schemaOf = (sources: SourceDecl[]) => readSchema(sources, { engine: 'native' });

describe('every job and model notebook on both engines over the v2.1 G1 sample with its log (forms fitted to it)', () => {
  const jobs = [{ id: 'health', build: (s: SourceDecl[], x: Schema) => healthNotebook(s, x) }, ...ANALYSIS_TEMPLATES];
  for (const t of jobs) {
    it(t.id, async () => {
      const { wasm, native } = await bothEngines(t.build(G1_FULL, await schemaOf(G1_FULL)));
      expect(wasm.filter((c) => !['done', 'disabled'].includes(c.status)).map((c) => c.name)).toEqual([]);
      expect(compareRuns(wasm, native)).toEqual([]);
      expect(native.filter((c) => c.rows?.length).length).toBeGreaterThan(0);
    }, 240_000);
  }
  // Models trained from the recipe on each engine's rows: the same seed and data give the same ONNX bytes.
  for (const [id, build] of [['uncertainty (trained)', trainedUncertaintyNotebook], ['failure clustering (trained)', trainedClusteringNotebook]] as const) {
    it(id, async () => {
      const { wasm, native } = await bothEngines(build(G1_FULL));
      expect(wasm.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
      // The models are float32: the normalisation statistics each engine sums in its own order can differ in the
      // last float64 bits, which can flip a float32 rounding (seen: 7e-8 relative in one score of 35,965).
      expect(compareRuns(wasm, native, 1e-5, 1e-6)).toEqual([]);
    }, 600_000);
  }
});

describe('model cells on onnxruntime-node', () => {
  it('score like ONNX Runtime Web to float32 precision', async () => {
    const web = await fullRun(uncertaintyNotebook(), { engine: 'native', ort: 'web' });
    const node = await fullRun(uncertaintyNotebook(), { engine: 'native', ort: 'node' });
    expect(node.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
    // Different kernels round float32 sums differently (~1e-6 relative; values near 0 differ absolutely); cells
    // downstream round to 4 digits and so may flip a last digit: the model cell itself is compared.
    const scores = (r: CellRows[]) => r.filter((c) => c.name === 'policy_scores');
    expect(scores(web)[0].rowCount).toBeGreaterThan(1000);
    expect(compareRuns(scores(web), scores(node), 1e-3, 1e-5)).toEqual([]);
  }, 600_000);
});

const FLEET_MCAP = path.resolve(import.meta.dirname, '../fixtures/mcap/fleet');

describe('MCAP logs on both engines, through the app\'s MCAP reader', () => {
  it('the health notebook over a folder of 24 MCAP deployment logs with their log and cost sheet', async () => {
    const doc = healthNotebook([
      { name: 'logs', kind: 'mcap', url: FLEET_MCAP },
      { name: 'deployments', kind: 'csv', url: path.join(FLEET_MCAP, 'deployment_log.csv'), role: 'episode-log' },
      { name: 'costs', kind: 'csv', url: path.join(FLEET_MCAP, 'collection_costs.csv'), role: 'table' },
    ]);
    // Topic tables and resampled frames too, not only the log's columns.
    doc.cells.push({
      id: 'topics',
      kind: 'sql',
      name: 'topic_rows',
      source: `SELECT (SELECT count(*) FROM joint_states) AS joint_states, (SELECT count(*) FROM mcap_files) AS files,
       (SELECT count(*) FROM frames) AS frames, (SELECT round(avg("observation.state"[1]), 9) FROM frames) AS mean_state_1`,
    });
    const { wasm, native } = await bothEngines(doc);
    expect(wasm.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
    expect(compareRuns(wasm, native)).toEqual([]);
    // The generator's outcomes: policy v1 has 8 deployments, 4 of them successes (as the tab shows, mcap.e2e).
    const v1 = native.find((c) => c.name === 'success_by_version')!.rows!.find((r) => r.policy_version === 'v1')!;
    expect(Number(v1.n)).toBe(8);
    expect(Number(v1.success_rate)).toBe(0.5);
    const topics = native.find((c) => c.name === 'topic_rows')!.rows![0];
    expect(Number(topics.joint_states)).toBe(fleetEpisodes().reduce((n, e) => n + e.steps, 0));
    expect(Number(topics.files)).toBe(24);
    expect(Number(topics.frames)).toBeGreaterThan(0);
  }, 300_000);

  it('a missing MCAP path fails naming it', async () => {
    const doc = healthNotebook([{ name: 'logs', kind: 'mcap', url: path.join(FLEET_MCAP, 'nope') }]);
    await expect(HeadlessSession.open(doc, { engine: 'native' })).rejects.toThrow(/nope does not exist/);
  });
});

describe('feature_stats on both engines', () => {
  it('is built when a query first names it (not at open), with the same rows', async () => {
    const doc: NotebookDoc = {
      version: 1,
      title: 'profile',
      sources: [{ name: 'dataset', kind: 'lerobot', url: G1 }],
      cells: [
        { id: 'a', kind: 'sql', name: 'before', source: `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'feature_stats'` },
        { id: 'b', kind: 'sql', name: 'profile', source: `SELECT * FROM feature_stats ORDER BY feature, element` },
      ],
    };
    const { wasm, native } = await bothEngines(doc);
    expect(native.map((c) => c.status)).toEqual(['done', 'done']);
    expect(Number(native[0].rows![0].n)).toBe(0);
    expect(native[1].rowCount).toBeGreaterThanOrEqual(52); // 26 joints of state and of action
    expect(compareRuns(wasm, native)).toEqual([]);
  }, 180_000);
});

/**
 * Query shapes over the lazy `frames` that once returned wrong rows in the tab (a column the plan reader missed was
 * NULL when the query ran) and their neighbours: filters on vector elements, on NULLs, through functions, joins,
 * semi-joins, windows, unions. Each runs as its own cell, cold or warm as the order leaves it, on both engines.
 */
describe('lazy frames give native DuckDB\'s answer on 38 query shapes (demo)', () => {
  it('every shape, both engines', async () => {
    const shapes = [
      "SELECT count(*) AS n FROM frames WHERE len(action) > 0",
      "SELECT count(*) AS n FROM frames WHERE action IS NOT NULL",
      "SELECT count(*) AS n FROM frames WHERE CAST(timestamp AS DOUBLE) > 1",
      "SELECT count(*) AS n FROM frames WHERE timestamp::DOUBLE > 1",
      "SELECT count(*) AS n FROM frames WHERE \"observation.state\"[1] + \"observation.state\"[2] > 0",
      "SELECT count(*) AS n FROM frames WHERE frame_index % 10 = 0",
      "SELECT count(*) AS n FROM frames WHERE coalesce(action[1], 0) > 0",
      "SELECT count(*) AS n FROM frames WHERE task_index IN (0, 1)",
      "SELECT count(*) AS n FROM frames WHERE NOT isnan(action[1])",
      "SELECT count(*) AS n FROM frames WHERE \"observation.state.panda_joint2\" > 0",
      "SELECT count(*) AS n FROM frames WHERE abs(action[3]) > 0.1",
      "SELECT count(*) AS n FROM frames WHERE action[1] > \"observation.state\"[1]",
      "SELECT count(*) AS n FROM frames WHERE list_max(action) > 0.5 OR timestamp < 0.5",
      "SELECT count(*) AS n FROM frames WHERE episode_index + 0 = 5",
      "SELECT count(*) AS n FROM frames WHERE \"index\" BETWEEN 100 AND 200",
      "SELECT count(*) AS n FROM frames WHERE action[-1] > 0",
      "SELECT count(*) AS n FROM frames WHERE list_contains(action, 0.0)",
      "SELECT count(*) AS n FROM frames f JOIN episodes e USING (episode_index) WHERE e.length > 150 AND f.action[1] > 0",
      "SELECT count(*) AS n FROM (SELECT * FROM frames WHERE episode_index < 50) WHERE \"observation.state\"[2] IS NOT NULL",
      "SELECT count(*) AS n FROM frames WHERE episode_index IN (SELECT episode_index FROM episodes WHERE length > 170) AND timestamp > 2",
      "SELECT round(sum(x), 3) AS n FROM (SELECT action[1] - lag(action[1]) OVER (PARTITION BY episode_index ORDER BY frame_index) AS x FROM frames)",
      "SELECT count(*) AS n FROM frames WHERE action[1] IS NULL",
      "SELECT count(*) AS n FROM frames WHERE NOT (action[1] > 0)",
      "SELECT count(*) AS n FROM frames WHERE CASE WHEN timestamp > 1 THEN action[2] > 0 ELSE false END",
      "SELECT count(*) AS n FROM frames WHERE \"observation.state\"[1] = \"observation.state\"[1]",
      "SELECT count(*) AS n FROM frames WHERE len(\"observation.state\") = 8 AND episode_index BETWEEN 10 AND 20",
      "WITH f AS (SELECT episode_index, max(action[1]) AS m FROM frames GROUP BY 1) SELECT count(*) AS n FROM f WHERE m > 0.5",
      "SELECT count(*) AS n FROM frames WHERE task_index = 0 AND action[1] BETWEEN -0.1 AND 0.1",
      "SELECT count(*) AS n FROM frames WHERE timestamp IS NULL",
      "SELECT count(*) AS n FROM frames WHERE frame_index = 0 AND \"index\" > 1000",
      "SELECT count(*) AS n FROM frames WHERE action[1] > 0 UNION ALL SELECT count(*) FROM frames WHERE action[1] <= 0",
      "SELECT count(*) AS n FROM frames WHERE list_sum(\"observation.state\") > 0 AND episode_index % 2 = 0",
      "SELECT count(*) AS n FROM frames WHERE episode_index = (SELECT max(episode_index) FROM episodes)",
      "SELECT count(*) AS n FROM frames WHERE \"observation.state\"[1] IN (SELECT \"observation.state\"[1] FROM frames WHERE episode_index = 3)",
      "SELECT count(*) AS n FROM frames WHERE action <> \"observation.state\"",
      "SELECT count(*) AS n FROM frames WHERE coalesce(timestamp, 0) > 1 AND coalesce(action[1], 0) < 0",
      "SELECT count(*) AS n FROM frames WHERE ifnull(action[2], -1) > 0",
      "SELECT count(*) AS n FROM frames WHERE greatest(action[1], action[2]) > 0.2",
    ];
    const doc: NotebookDoc = {
      version: 1,
      title: 'shapes',
      sources: [{ name: 'dataset', kind: 'lerobot', url: 'demo/' }, { name: 'deployments', kind: 'csv', url: 'demo/deployment_log.csv', role: 'episode-log' }],
      cells: shapes.map((source, i) => ({ id: `q${i}`, kind: 'sql' as const, name: `q${i}`, source })),
    };
    const { wasm, native } = await bothEngines(doc);
    expect(wasm.filter((c) => c.status !== 'done').map((c) => c.name)).toEqual([]);
    expect(compareRuns(wasm, native)).toEqual([]);
  }, 180_000);
});

/**
 * The flywheel-health notebook over a folder of MCAP deployment logs (tests/fixtures/mcap/fleet: one file per
 * episode, a deployment log CSV and a cost sheet), in Node on the real DuckDB-WASM: the logs map onto `episodes`
 * and `frames`, the log joins by episode_id, and every cell of the notebook runs with the values the generator
 * put in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ipcToRows } from '../../src/lib/db/arrow';
import { healthNotebook } from '../../src/lib/notebook/templates';
import { Workspace } from '../../workers/db/workspace';
import { fleetEpisodes } from '../fixtures/gen/mcap-fleet';
import { createNodeEngine } from './helpers/node-engine';

const DIR = path.resolve(import.meta.dirname, '../fixtures/mcap/fleet');
const files = readdirSync(DIR).filter((f) => f.endsWith('.mcap')).sort();
const episodes = fleetEpisodes();

let ws: Workspace;
const rows = async (sql: string) => ipcToRows((await ws.query(sql, 1)).ipc);

beforeAll(async () => {
  const { engine } = await createNodeEngine();
  ws = new Workspace(engine);
  await ws.openMcap(files.map((name) => ({ file: new Blob([readFileSync(path.join(DIR, name))]), name })), ['deployments', 'costs']);
  await ws.loadCsv('deployments', new Uint8Array(readFileSync(path.join(DIR, 'deployment_log.csv'))));
  await ws.loadCsv('costs', new Uint8Array(readFileSync(path.join(DIR, 'collection_costs.csv'))));
});

describe('episodes and frames from MCAP logs', () => {
  test('one file per episode: lengths at 10 Hz, tasks from the files\' metadata, state and action resampled', async () => {
    const r = await ws.mapMcapEpisodes({ split: { kind: 'file' }, state: [{ topic: '/joint_states', field: 'position' }], action: [{ topic: '/cmd', field: 'data' }], fps: 10 });
    expect(r.episodes).toBe(24);
    await ws.linkEpisodes('deployments');
    const eps = await rows(`SELECT episode_index, length, duration_s, task, outcome, policy_version FROM episodes ORDER BY episode_index`);
    expect(eps).toEqual(
      episodes.map((e) => {
        // Messages every 50 ms for `steps` steps (the /cmd one 1 ms later): the episode spans (steps-1)·50 ms + 1 ms.
        const spanNs = (e.steps - 1) * 50_000_000 + 1_000_000;
        const length = Math.floor(spanNs / 1e8) + 1;
        return { episode_index: e.episode, length, duration_s: length / 10, task: e.task, outcome: e.outcome, policy_version: e.policy };
      }),
    );
    const [{ n }] = await rows(`SELECT count(*)::INT AS n FROM frames`);
    expect(n).toBe(eps.reduce((s, e) => s + (e.length as number), 0));
    // Frame k of an episode is at k × 100 ms, so it holds the joint state of step 2k (sample and hold).
    const f = await rows(`SELECT frame_index, timestamp, "observation.state" AS s, action AS a FROM frames WHERE episode_index = 5 AND frame_index IN (0, 3) ORDER BY frame_index`);
    const e5 = episodes[5];
    const near = (xs: unknown, ys: number[]) => (xs as number[]).every((x, i) => Math.abs(x - ys[i]) < 1e-6);
    expect(f.map((x) => [x.frame_index, x.timestamp])).toEqual([[0, 0], [3, 0.30000001192092896]]);
    expect(near(f[1].s, [0, 1, 2, 3, 4, 5, 6].map((j) => e5.position(6, j)))).toBe(true);
    // The command at step 6 is logged 1 ms after frame 3's time: frame 3 still holds step 5's command.
    expect(near(f[1].a, [0, 1, 2, 3, 4, 5, 6].map((j) => e5.position(6, j)))).toBe(true);
    expect(near(f[0].s, [0, 1, 2, 3, 4, 5, 6].map((j) => e5.position(0, j)))).toBe(true);
    // No command was logged at or before frame 0's time (it comes 1 ms later): no action yet.
    expect(f[0].a).toBeNull();
  });

  test('episodes split by a marker topic and by time gaps give the same 24 episodes', async () => {
    const byMarker = await ws.mapMcapEpisodes({ split: { kind: 'marker', topic: '/episode' }, state: [], action: [], fps: 10 });
    expect(byMarker.episodes).toBe(24);
    expect((await rows(`SELECT tasks[1] AS task FROM _episodes_meta ORDER BY episode_index`)).map((r) => r.task)).toEqual(episodes.map((e) => e.task));
    const byGap = await ws.mapMcapEpisodes({ split: { kind: 'gap', topic: '/joint_states', seconds: 1 }, state: [], action: [], fps: 10 });
    expect(byGap.episodes).toBe(24);
  });
});

describe('the flywheel-health notebook', () => {
  test('every cell runs over the MCAP logs; success rates are the generator\'s', async () => {
    // State and action, as a LeRobot dataset's frames have them (notebooks may read either).
    await ws.mapMcapEpisodes({ split: { kind: 'file' }, state: [{ topic: '/joint_states', field: 'position' }], action: [{ topic: '/cmd', field: 'data' }], fps: 10 });
    await ws.linkEpisodes('deployments');
    const doc = healthNotebook([]);
    let id = 10;
    // Every SQL cell runs (a failing one throws with DuckDB's message and the cell's name in the stack).
    for (const cell of doc.cells.filter((c) => c.kind === 'sql')) await ws.runCell(cell.name, cell.source, id++);
    for (const name of ['success_by_version', 'failure_mix', 'collected_by_rotation', 'cost_per_success', 'cycle_time']) {
      expect((await rows(`SELECT count(*)::INT AS n FROM ${name}`))[0].n, name).toBeGreaterThan(0);
    }
    const s = await rows(`SELECT policy_version, n::INT AS n, success_rate FROM success_by_version ORDER BY rotation`);
    expect(s).toEqual(
      ['v1', 'v2', 'v3'].map((v) => {
        const eps = episodes.filter((e) => e.policy === v);
        return { policy_version: v, n: eps.length, success_rate: eps.filter((e) => e.outcome === 'success').length / eps.length };
      }),
    );
    const cycle = await rows(`SELECT rotation, cycle_days FROM cycle_time ORDER BY rotation`);
    // Rotations start two weeks apart; the last runs from its first episode to its last (7 × 20 minutes).
    expect(cycle.map((c) => c.cycle_days)).toEqual([14, 14, 0.1]);
    const cps = await rows(`SELECT rotation, cost_usd, successes::INT AS successes FROM cost_per_success ORDER BY rotation`);
    expect(cps).toEqual([
      { rotation: 1, cost_usd: 480, successes: 4 },
      { rotation: 2, cost_usd: 490, successes: 5 },
      { rotation: 3, cost_usd: 500, successes: 7 },
    ]);
  });
});

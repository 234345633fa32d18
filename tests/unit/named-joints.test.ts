import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource, SAMPLES } from './helpers/fs-source';
import { createReader } from '../../workers/db/reader';
import { openLeRobot } from '../../workers/db/lerobot';
import { FramesSource } from '../../workers/db/frames-source';
import { namedElements, pairedNames } from '../../src/lib/ingest/lerobot';

const G1 = path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train');
const DROID = path.resolve(import.meta.dirname, '../fixtures/datasets/droid_mini');

async function open(dir: string) {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const reader = createReader(await folderSource(dir));
  const summary = await openLeRobot(engine, reader);
  const frames = await FramesSource.open(engine, reader, summary);
  /** Runs `sql` as the app does: prepare frames for it, then query. */
  const rows = async (sql: string) => {
    await frames.prepare(sql);
    return engine.rows(sql);
  };
  return { engine, frames, summary, rows };
}

describe('named joints', () => {
  it('names every element of a vector with one unique name each, and skips what collides or does not fit', () => {
    const f = (key: string, shape: number[], names: string[] | null) => ({ key, shape, names, isNumeric: true, isVideo: false });
    const els = namedElements([f('observation.state', [3], ['a', 'b', 'c']), f('action', [3], ['a', 'b', 'c']), f('image', [2], ['h', 'h']), f('x', [2], ['only-one']), f('observation.state.b', [1], null)]);
    expect(els.map((e) => e.column)).toEqual(['observation.state.a', 'observation.state.c', 'action.a', 'action.b', 'action.c']);
    expect(els.find((e) => e.column === 'action.c')?.index).toBe(3);
    expect(pairedNames(els, 'observation.state', 'action')).toEqual(['a', 'c']);
  });

  it('queries the G1 sample (26 joints, nested names) by joint name, equal to indexing the vector', async () => {
    const { rows, frames } = await open(G1);
    const sql = `SELECT count(*)::INT AS n, sum(("observation.state.kLeftElbow" = "observation.state"[4])::INT)::INT AS same,
      avg("action.kRightHandThumbRotation")::DOUBLE AS a, avg(action[26])::DOUBLE AS b FROM frames WHERE episode_index = 5`;
    const need = await frames.plan(sql);
    // The planner still sees exactly the vectors read, and the one episode.
    expect(need?.columns.sort()).toEqual(['action', 'episode_index', 'observation.state']);
    expect(need?.episodes).toEqual([[5, 5]]);
    const [r] = await rows(sql);
    expect(r.n).toBeGreaterThan(0);
    expect(r.same).toBe(r.n);
    expect(r.a).toBeCloseTo(Number(r.b), 6);
    const cols = (await (await open(G1)).engine.describe('frames')).map((c) => c.name);
    expect(cols.filter((c) => c.startsWith('observation.state.'))).toHaveLength(26);
    expect(cols.filter((c) => c.startsWith('action.'))).toHaveLength(26);
  });

  it('filters on a named joint and reads only the vector column', async () => {
    const { rows, frames } = await open(G1);
    const sql = `SELECT episode_index, count(*)::INT AS n FROM frames WHERE "observation.state.kLeftElbow" > 0 GROUP BY 1 ORDER BY 1`;
    const need = await frames.plan(sql);
    expect(need?.columns.sort()).toEqual(['episode_index', 'observation.state']);
    const got = await rows(sql);
    const want = await rows(`SELECT episode_index, count(*)::INT AS n FROM frames WHERE "observation.state"[4] > 0 GROUP BY 1 ORDER BY 1`);
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(0);
  });

  it('queries the DROID-schema fixture by axis name without shadowing its real sub-feature columns', async () => {
    const { rows, engine } = await open(DROID);
    const cols = (await engine.describe('frames')).map((c) => c.name);
    for (const c of ['observation.state.joint_3', 'observation.state.gripper', 'action.cartesian_velocity.yaw', 'observation.state.gripper_position']) expect(cols).toContain(c);
    const [r] = await rows(`SELECT count(*)::INT AS n,
      sum(("observation.state.joint_3" = "observation.state.joint_position"[4])::INT)::INT AS same,
      sum(("observation.state.gripper" = "observation.state.gripper_position")::INT)::INT AS grip
      FROM frames WHERE episode_index = 1`);
    expect(r.n).toBeGreaterThan(0);
    expect(r.same).toBe(r.n);
    expect(r.grip).toBe(r.n);
  });
});

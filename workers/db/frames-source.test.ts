import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource, SAMPLES } from '../../tests/unit/helpers/fs-source';
import { createReader } from './reader';
import { openLeRobot, type DatasetSummary } from './lerobot';
import { FramesSource, BudgetError } from './frames-source';
import type { Engine } from './engine';

const DEMO = path.resolve(import.meta.dirname, '../../static/demo');

async function open(dir: string): Promise<{ engine: Engine; frames: FramesSource; summary: DatasetSummary }> {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const reader = createReader(await folderSource(dir));
  const summary = await openLeRobot(engine, reader);
  return { engine, frames: await FramesSource.open(engine, reader, summary), summary };
}

describe('FramesSource on the v3.0 demo (3 files, row groups of 32,768 frames)', () => {
  let engine: Engine;
  let frames: FramesSource;
  beforeAll(async () => {
    ({ engine, frames } = await open(DEMO));
  });

  it('plans a one-episode query: only the columns it reads, only episode 5', async () => {
    const need = await frames.plan('SELECT avg(timestamp) FROM frames WHERE episode_index = 5');
    expect(need?.columns.sort()).toEqual(['episode_index', 'timestamp']);
    expect(need?.episodes).toEqual([[5, 5]]);
    expect(await frames.plan('SELECT count(*) FROM tasks')).toBeNull();
  });

  it('loads only the row groups holding the episode and answers exactly', async () => {
    const load = await frames.prepare('SELECT count(*) AS n, max(frame_index) AS last FROM frames WHERE episode_index = 500');
    expect(load?.rowGroups).toBeLessThanOrEqual(2);
    expect(load?.rows).toBeLessThan(frames.totalFrames / 3);
    const [r] = await engine.rows('SELECT count(*) AS n, max(frame_index) AS last FROM frames WHERE episode_index = 500');
    const [m] = await engine.rows('SELECT length FROM _episodes_meta WHERE episode_index = 500');
    expect(r).toEqual({ n: m.length, last: Number(m.length) - 1 });
  });

  it('reuses loaded data when it covers the next query', async () => {
    const load = await frames.prepare('SELECT min(frame_index) FROM frames WHERE episode_index = 500');
    expect(load?.reused).toBe(true);
  });

  it('summarises every episode from only the columns needed, matching the metadata', async () => {
    const sql = `SELECT episode_index, count(*) AS n, avg("observation.state"[8]) AS grip FROM frames GROUP BY 1`;
    const load = await frames.prepare(sql);
    expect(load?.columns.sort()).toEqual(['episode_index', 'observation.state']);
    expect(load?.rows).toBe(frames.totalFrames);
    const bad = await engine.rows(`SELECT count(*) AS bad FROM (${sql}) s JOIN _episodes_meta m USING (episode_index) WHERE s.n <> m.length`);
    expect(bad).toEqual([{ bad: 0 }]);
    // Read without prepare(): columns the last query did not need are NULL, never stale data of other rows.
    const [{ a }] = await engine.rows('SELECT count(action) AS a FROM frames');
    expect(a).toBe(0);
  });

  it('asks before fetching more than the budget', async () => {
    await expect(frames.prepare('SELECT * FROM frames', { maxBytes: 1000 })).rejects.toBeInstanceOf(BudgetError);
    await expect(frames.prepare('SELECT * FROM frames', { maxBytes: 1000 })).rejects.toThrow(/needs .* of frame data .*budget/);
  });

  it('asks before holding more decoded data than a tab can', async () => {
    await expect(frames.prepare('SELECT * FROM frames', { maxMemoryBytes: 1000 })).rejects.toThrow(/decoded frame data in memory/);
  });

  it('the catalog reports the dataset\'s frame count, not what the last query loaded', async () => {
    const cat = await engine.catalog();
    expect(cat.find((t) => t.name === 'frames')?.rows).toBe(frames.totalFrames);
  });
});

describe('FramesSource on the v2.1 sample (one file per episode)', () => {
  it('reads only the file of the episode a query needs', async () => {
    const { engine, frames } = await open(path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train'));
    const chunks = await frames.chunksFor([[7, 7]]);
    expect(chunks.map((c) => c.file)).toEqual(['data/chunk-000/episode_000007.parquet']);
    await frames.prepare('SELECT count(*) FROM frames WHERE episode_index = 7');
    const [r] = await engine.rows('SELECT count(*) AS n FROM frames WHERE episode_index = 7');
    const [m] = await engine.rows('SELECT length FROM _episodes_meta WHERE episode_index = 7');
    expect(r.n).toBe(m.length);
  });
});

describe('FramesSource on DROID-named columns (action, action.joint_velocity, …)', () => {
  it('loads exactly the columns a query reads, not every column whose name starts the same', async () => {
    const { engine, frames } = await open(path.resolve(import.meta.dirname, '../../tests/fixtures/datasets/droid_mini'));
    await frames.prepare('SELECT avg(action[1]) FROM frames WHERE episode_index = 3');
    const cols = (await engine.describe('_frames_cache')).map((c) => c.name).sort();
    expect(cols).toEqual(['action', 'episode_index']);
  });
});

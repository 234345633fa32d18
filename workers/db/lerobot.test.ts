import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource, SAMPLES } from '../../tests/unit/helpers/fs-source';
import { createReader } from './reader';
import { loadFrames, openLeRobot } from './lerobot';
import { buildEpisodesView } from './episodes-view';
import { loadCsv } from './csv-load';
import { readFileSync } from 'node:fs';
import type { Engine } from './engine';

let engine: Engine;
beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
});

describe('LeRobot v2.1 (real sample: Unitree G1, one Parquet per episode)', () => {
  it('opens metadata, then streams all 100 episode files into frames', async () => {
    const reader = createReader(await folderSource(path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train')));
    const summary = await openLeRobot(engine, reader);
    expect(summary.info.version).toBe('v2.1');
    expect(summary.info.fps).toBe(30);
    expect(summary.dataFiles).toHaveLength(100);
    expect(summary.dataFiles[7]).toBe('data/chunk-000/episode_000007.parquet');
    // names were a nested list [[...]] in info.json
    expect(summary.info.features.find((f) => f.key === 'observation.state')?.names).toHaveLength(26);

    const progress: number[] = [];
    const n = await loadFrames(engine, reader, summary, { onProgress: (p) => progress.push(p.done) });
    expect(n).toBe(35965);
    expect(progress.at(-1)).toBe(35965);

    await buildEpisodesView(engine, summary.info.fps);
    const [ep] = await engine.rows('SELECT count(*) AS n, sum(length) AS frames FROM episodes');
    expect(ep).toEqual({ n: 100, frames: 35965 });
    // frame counts per episode agree with the metadata
    const mismatched = await engine.rows(
      'SELECT e.episode_index FROM episodes e JOIN (SELECT episode_index, count(*) AS n FROM frames GROUP BY 1) f USING (episode_index) WHERE f.n <> e.length',
    );
    expect(mismatched).toEqual([]);
    const [t] = await engine.rows('SELECT task FROM tasks WHERE task_index = 0');
    expect(t.task).toBe('Pick up the yellow bottle on the table.');
    const [w] = await engine.rows(`SELECT len("observation.state") AS d FROM frames LIMIT 1`);
    expect(w.d).toBe(26);
  });

  it('says clearly when the folder is not a dataset root', async () => {
    const reader = createReader(await folderSource(path.join(SAMPLES, 'parquet')));
    await expect(openLeRobot(engine, reader)).rejects.toThrow(/No meta\/info\.json.*root folder/);
  });
});

describe('LeRobot v3.0 (the generated demo: many episodes per file, tasks in __index_level_0__)', () => {
  const demo = path.resolve(import.meta.dirname, '../../static/demo');
  it('opens metadata and frames, and joins the deployment log onto episodes', async () => {
    const info = JSON.parse(readFileSync(path.join(demo, 'meta/info.json'), 'utf8'));
    const truth = JSON.parse(readFileSync(path.join(demo, 'ground_truth.json'), 'utf8'));
    const reader = createReader(await folderSource(demo));
    const summary = await openLeRobot(engine, reader);
    expect(summary.info.version).toBe('v3.0');
    expect(summary.dataFiles.length).toBeGreaterThan(1);
    expect(summary.warnings).toEqual([]);
    expect(await loadFrames(engine, reader, summary)).toBe(info.total_frames);
    await loadCsv(engine, 'deployments', readFileSync(path.join(demo, 'deployment_log.csv')));
    await buildEpisodesView(engine, summary.info.fps, 'deployments');

    const tasks = await engine.rows('SELECT task FROM tasks ORDER BY task_index');
    expect(tasks.length).toBe(info.total_tasks);
    expect(String(tasks[0].task)).toMatch(/^Pick the /);
    const cols = (await engine.describe('episodes')).map((c) => c.name);
    for (const c of ['episode_index', 'length', 'duration_s', 'task', 'outcome', 'policy_version', 'failure_category', 'rotation', 'tags', 'timestamp']) {
      expect(cols).toContain(c);
    }
    expect((await engine.describe('episodes')).find((c) => c.name === 'timestamp')?.type).toBe('TIMESTAMP');
    // Every failure the ground truth knows of is a failure in the joined log, and vice versa.
    const failures = await engine.rows(`SELECT episode_index FROM episodes WHERE outcome = 'failure' ORDER BY 1`);
    const expected = truth.episodes.filter((e: { mechanism: string | null }) => e.mechanism !== null).map((e: { episode_index: number }) => e.episode_index);
    expect(failures.map((r) => r.episode_index)).toEqual(expected);
    // Frames agree with the per-episode lengths in the metadata.
    const bad = await engine.rows(
      'SELECT e.episode_index FROM episodes e JOIN (SELECT episode_index, count(*) AS n FROM frames GROUP BY 1) f USING (episode_index) WHERE f.n <> e.length',
    );
    expect(bad).toEqual([]);
  });
});

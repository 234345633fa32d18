/**
 * The overview's per-feature profile on real data in the real DuckDB-WASM: the G1 sample's per-episode statistics
 * pooled (v2.1 episodes_stats.jsonl), the DROID fixture's and the demo's meta/stats.json, each against the same
 * numbers computed from the frames; joint names from info.json; NaN counts and a 16-bin histogram per element.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource, SAMPLES } from './helpers/fs-source';
import { Workspace } from '../../workers/db/workspace';
import { ipcToResult } from '../../src/lib/db/arrow';
import { poolEpisodeStats } from '../../src/lib/ingest/lerobot/profile';

const DATASETS = [
  ['the G1 sample', path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train'), 'meta/episodes_stats.jsonl (pooled over episodes)', 'kLeftElbow', 4],
  ['the DROID fixture', path.resolve(import.meta.dirname, '../fixtures/datasets/droid_mini'), 'meta/stats.json', 'joint_3', 4],
  ['the demo', path.resolve(import.meta.dirname, '../../static/demo'), 'meta/stats.json', 'panda_joint4', 4],
] as const;

describe('feature profile', () => {
  for (const [label, dir, source, joint, element] of DATASETS) {
    it(`${label}: stats from ${source} agree with the frames, joints are named, histograms drawn`, async () => {
      await initParquetForNode();
      const ws = new Workspace((await createNodeEngine()).engine);
      await ws.openDataset(await folderSource(dir));
      const q = async (sql: string, id: number) => ipcToResult((await ws.query(sql, id)).ipc).rows;
      const prof = await q(`SELECT * FROM feature_stats WHERE feature = 'observation.state' ORDER BY element`, 1);
      expect(prof.length).toBeGreaterThan(5);
      const row = prof[element - 1];
      expect(row.name).toBe(joint);
      expect(row.source).toBe(source);
      expect(String(row.histogram)).toHaveLength(16);
      expect(String(row.histogram)).toMatch(/█/);
      expect(Number(row.nan)).toBe(0);
      const [f] = await q(`SELECT min(s[${element}]) AS min, max(s[${element}]) AS max, avg(s[${element}]) AS mean, stddev_pop(s[${element}]) AS std FROM (SELECT "observation.state" AS s FROM frames)`, 2);
      expect(Number(row.min)).toBeCloseTo(Number(f.min), 4);
      expect(Number(row.max)).toBeCloseTo(Number(f.max), 4);
      expect(Number(row.mean)).toBeCloseTo(Number(f.mean), 3);
      expect(Number(row.std)).toBeCloseTo(Number(f.std), 3);
    }, 120_000);
  }

  it('pools per-episode statistics like the union of the episodes', () => {
    // Episode A: values 0, 2 (mean 1, std 1); episode B: 4, 6, 8 (mean 6, std √(8/3)). Union: mean 4, var 8.
    const lines = [
      { episode_index: 0, stats: { x: { min: [0], max: [2], mean: [1], std: [1], count: [2] } } },
      { episode_index: 1, stats: { x: { min: [4], max: [8], mean: [6], std: [Math.sqrt(8 / 3)], count: [3] } } },
    ];
    const [r] = poolEpisodeStats(lines, [{ key: 'x', elements: 1, list: true, names: null }]);
    expect(r).toMatchObject({ min: 0, max: 8, count: 5 });
    expect(r.mean).toBeCloseTo(4, 12);
    expect(r.std).toBeCloseTo(Math.sqrt(8), 12);
  });
});

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, planFlywheel, type FlywheelConfig } from './flywheel.ts';
import { writeDataset, type WriteResult } from './lerobot-writer.ts';
import { hashTree } from '../../../tests/unit/helpers/hash-tree';

/** A small flywheel so the whole write takes well under a second. */
const SMALL: FlywheelConfig = { ...DEFAULT_CONFIG, rotations: 3, seedDemos: 24, deploymentsPerRotation: 20, targetedPerRotation: [6, 10] };
const OPTS = { framesPerFile: 2500, rowGroupRows: 1024 };

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'flywheel-demo-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});


function readTable(path: string): arrow.Table {
  return arrow.tableFromIPC(pq.readParquet(readFileSync(path)).intoIPCStream());
}

async function rowGroups(path: string): Promise<number[]> {
  const f = await pq.ParquetFile.fromFile(new Blob([readFileSync(path)]));
  const md = f.metadata();
  const out: number[] = [];
  for (let i = 0; i < md.numRowGroups(); i++) out.push(md.rowGroup(i).numRows());
  return out;
}

describe('writeDataset', () => {
  let root: string;
  let result: WriteResult;
  const plan = planFlywheel(SMALL);

  beforeAll(async () => {
    root = tempDir();
    result = await writeDataset(plan, { outDir: root, ...OPTS });
  });

  it('writes byte-identical files for the same seed, different ones for another seed', async () => {
    const again = tempDir();
    await writeDataset(planFlywheel(SMALL), { outDir: again, ...OPTS });
    const a = hashTree(root);
    expect(Object.keys(a).length).toBeGreaterThanOrEqual(11);
    expect(hashTree(again)).toEqual(a);

    const other = tempDir();
    await writeDataset(planFlywheel({ ...SMALL, seed: SMALL.seed + 1 }), { outDir: other, ...OPTS });
    const b = hashTree(other);
    for (const f of ['data/chunk-000/file-000.parquet', 'deployment_log.csv', 'ground_truth.json', 'meta/episodes/chunk-000/file-000.parquet']) {
      expect(b[f], f).not.toBe(a[f]);
    }
  });

  it('writes the LeRobot v3.0 layout with several data files', () => {
    const files = Object.keys(hashTree(root)).sort();
    const data = files.filter((f) => f.startsWith('data/'));
    expect(data.length).toBeGreaterThanOrEqual(2);
    data.forEach((f, i) => expect(f).toBe(`data/chunk-000/file-${String(i).padStart(3, '0')}.parquet`));
    expect(files).toEqual(
      expect.arrayContaining([
        'meta/info.json',
        'meta/stats.json',
        'meta/tasks.parquet',
        'meta/episodes/chunk-000/file-000.parquet',
        'deployment_log.csv',
        'collection_costs.csv',
        'ground_truth.json',
      ]),
    );
    const info = JSON.parse(readFileSync(join(root, 'meta/info.json'), 'utf8'));
    expect(info.codebase_version).toBe('v3.0');
    expect(info.fps).toBe(15);
    expect(info.total_episodes).toBe(plan.episodes.length);
    expect(info.total_frames).toBe(plan.totalFrames);
    // One task per object type, plus the calibration routine.
    expect(info.total_tasks).toBe(7);
    expect(info.chunks_size).toBe(1000);
    expect(info.video_path).toBeNull();
    expect(info.data_path).toBe('data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet');
    expect(info.splits).toEqual({ train: `0:${plan.episodes.length}` });
    expect(info.features['observation.state']).toMatchObject({ dtype: 'float32', shape: [8], fps: 15 });
    expect(info.features['observation.state'].names).toHaveLength(8);
    expect(info.features.action.names).toEqual(info.features['observation.state'].names);
    for (const k of ['frame_index', 'episode_index', 'index', 'task_index']) expect(info.features[k]).toMatchObject({ dtype: 'int64', shape: [1], fps: 15 });
    expect(info.features.timestamp).toMatchObject({ dtype: 'float32', shape: [1], fps: 15 });
  });

  it('writes data files with the LeRobot column types, sorted by index, in modest row groups', async () => {
    let expected = 0;
    let files = 0;
    for (const f of readdirSync(join(root, 'data/chunk-000')).sort()) {
      const path = join(root, 'data/chunk-000', f);
      const t = readTable(path);
      const types = Object.fromEntries(t.schema.fields.map((x) => [x.name, String(x.type)]));
      expect(types).toEqual({
        'observation.state': 'List<Float32>',
        action: 'List<Float32>',
        timestamp: 'Float32',
        frame_index: 'Int64',
        episode_index: 'Int64',
        index: 'Int64',
        task_index: 'Int64',
      });
      const index = t.getChild('index')!.toArray() as BigInt64Array;
      for (let i = 0; i < index.length; i++) expect(Number(index[i])).toBe(expected + i);
      expected += index.length;
      const state = t.getChild('observation.state')!;
      expect(state.get(0)!.length).toBe(8);
      const groups = await rowGroups(path);
      expect(Math.max(...groups)).toBeLessThanOrEqual(OPTS.rowGroupRows);
      expect(groups.reduce((a, b) => a + b, 0)).toBe(t.numRows);
      files++;
    }
    expect(files).toBe(result.files.filter((f) => f.path.startsWith('data/')).length);
    expect(expected).toBe(plan.totalFrames);
  });

  it('writes episodes metadata whose index ranges tile [0, total_frames) and point at the right file', () => {
    const ep = readTable(join(root, 'meta/episodes/chunk-000/file-000.parquet'));
    const names = ep.schema.fields.map((f) => f.name);
    expect(names.slice(0, 9)).toEqual([
      'episode_index',
      'tasks',
      'length',
      'data/chunk_index',
      'data/file_index',
      'dataset_from_index',
      'dataset_to_index',
      'meta/episodes/chunk_index',
      'meta/episodes/file_index',
    ]);
    for (const s of ['min', 'max', 'mean', 'std']) {
      expect(String(ep.schema.fields.find((f) => f.name === `stats/observation.state/${s}`)!.type)).toBe('List<Float64>');
      expect(String(ep.schema.fields.find((f) => f.name === `stats/action/${s}`)!.type)).toBe('List<Float64>');
    }
    expect(String(ep.schema.fields.find((f) => f.name === 'stats/action/count')!.type)).toBe('List<Int64>');
    expect(String(ep.schema.fields.find((f) => f.name === 'tasks')!.type)).toBe('List<Utf8>');
    expect(ep.numRows).toBe(plan.episodes.length);

    const col = (n: string): number[] => Array.from(ep.getChild(n)!.toArray() as BigInt64Array, Number);
    const from = col('dataset_from_index');
    const to = col('dataset_to_index');
    const length = col('length');
    const fileIdx = col('data/file_index');
    expect(from[0]).toBe(0);
    for (let i = 0; i < ep.numRows; i++) {
      expect(to[i] - from[i]).toBe(length[i]);
      if (i > 0) expect(from[i]).toBe(to[i - 1]);
    }
    expect(to[ep.numRows - 1]).toBe(plan.totalFrames);

    // Each episode's rows really are in the file it names, and its stats match its frames.
    const k = Math.floor(ep.numRows / 2);
    const data = readTable(join(root, `data/chunk-000/file-${String(fileIdx[k]).padStart(3, '0')}.parquet`));
    const index = Array.from(data.getChild('index')!.toArray() as BigInt64Array, Number);
    const rows = index.map((v, i) => [v, i]).filter(([v]) => v >= from[k] && v < to[k]).map(([, i]) => i);
    expect(rows).toHaveLength(length[k]);
    const episodeIdx = data.getChild('episode_index')!.toArray() as BigInt64Array;
    for (const r of rows) expect(Number(episodeIdx[r])).toBe(k);
    const state = data.getChild('observation.state')!;
    let max0 = -Infinity;
    for (const r of rows) max0 = Math.max(max0, state.get(r)!.get(0)!);
    expect(ep.getChild('stats/observation.state/max')!.get(k)!.get(0)).toBe(max0);
    expect(Number(ep.getChild('stats/observation.state/count')!.get(k)!.get(0))).toBe(length[k]);
  });

  it('writes tasks.parquet with the task text in __index_level_0__, like real v3.0 datasets', () => {
    const t = readTable(join(root, 'meta/tasks.parquet'));
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(['task_index:Int64', '__index_level_0__:Utf8']);
    expect(t.numRows).toBe(7);
    expect(t.getChild('__index_level_0__')!.get(2)).toBe('Pick the mug from the bin and place it in the tray');
    expect(Number(t.getChild('task_index')!.get(2))).toBe(2);
  });

  it('writes stats.json consistent with the frames', () => {
    const stats = JSON.parse(readFileSync(join(root, 'meta/stats.json'), 'utf8'));
    expect(Object.keys(stats)).toEqual(['observation.state', 'action', 'timestamp', 'frame_index', 'episode_index', 'index', 'task_index']);
    expect(stats.index.count).toEqual([plan.totalFrames]);
    expect(stats.index.min).toEqual([0]);
    expect(stats.index.max).toEqual([plan.totalFrames - 1]);
    expect(stats.index.mean[0]).toBeCloseTo((plan.totalFrames - 1) / 2, 6);
    expect(stats.index.std[0]).toBeCloseTo(Math.sqrt((plan.totalFrames ** 2 - 1) / 12), 4);
    expect(stats['observation.state'].mean).toHaveLength(8);
    // Gripper width stays within the hand's range.
    expect(stats['observation.state'].min[7]).toBeGreaterThanOrEqual(0);
    expect(stats['observation.state'].max[7]).toBeLessThanOrEqual(0.08);
  });
});

/**
 * Node only: a LeRobot v3.0 dataset's frames (state and action) and ground truth, read from its Parquet files with
 * parquet-wasm (the reader the app uses), for building the demo models and for tests on the demo.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm/esm/parquet_wasm.js';
import { initParquetForNode } from '../headless/node-engine.ts';
import { framesFromArrow, type FrameBlock } from '../score/frames.ts';

/** The per-episode ground truth the tests and the model builder use (a subset of ground_truth.json). */
export interface DemoEpisodeTruth {
  episode_index: number;
  kind: 'seed' | 'deployment' | 'targeted';
  rotation: number;
  policy_version: string | null;
  mechanism: string | null;
  onset_frame: number | null;
  length: number;
  object_type: string;
  lighting: string;
  yaw_deg: number;
  pos_x: number;
  pos_y: number;
  in_distribution: boolean;
}

/** Default location of the bundled demo. */
export const DEMO_DIR = path.resolve(import.meta.dirname, '../../../static/demo');

/** Reads every data file of a v3.0 dataset, concatenated in file order (= episode order for the demo). */
export async function readDemoFrames(dir = DEMO_DIR, columns = ['observation.state', 'action']): Promise<FrameBlock> {
  await initParquetForNode();
  const dataDir = path.join(dir, 'data');
  const files: string[] = [];
  for (const chunk of readdirSync(dataDir).sort()) {
    for (const f of readdirSync(path.join(dataDir, chunk)).sort()) if (f.endsWith('.parquet')) files.push(path.join(dataDir, chunk, f));
  }
  const blocks = files.map((f) => framesFromArrow(tableFromIPC(readParquet(readFileSync(f)).intoIPCStream()), columns));
  return concatBlocks(blocks);
}

/** Concatenates blocks row-wise (same columns). */
export function concatBlocks(blocks: FrameBlock[]): FrameBlock {
  const length = blocks.reduce((a, b) => a + b.length, 0);
  const out: FrameBlock = { length, episode: new Int32Array(length), frame: new Int32Array(length), columns: {} };
  for (const [name, c] of Object.entries(blocks[0].columns)) out.columns[name] = { dims: c.dims, values: new Float32Array(length * c.dims) };
  let o = 0;
  for (const b of blocks) {
    out.episode.set(b.episode, o);
    out.frame.set(b.frame, o);
    for (const [name, c] of Object.entries(b.columns)) out.columns[name].values.set(c.values, o * c.dims);
    o += b.length;
  }
  return out;
}

/** The demo's ground truth episodes. */
export function readGroundTruth(dir = DEMO_DIR): DemoEpisodeTruth[] {
  return (JSON.parse(readFileSync(path.join(dir, 'ground_truth.json'), 'utf8')) as { episodes: DemoEpisodeTruth[] }).episodes;
}

/** The dataset's LeRobot stats. */
export function readStats(dir = DEMO_DIR): Record<string, { mean: number[]; std: number[]; min: number[]; max: number[] }> {
  return JSON.parse(readFileSync(path.join(dir, 'meta/stats.json'), 'utf8'));
}

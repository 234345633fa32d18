/**
 * LeRobot v3.0 metadata of the demo dataset (meta/info.json, meta/stats.json) and the layout rules
 * (which data file each episode goes to). Pure; the Node writer serialises it.
 * Layout reference: /work/shared/research/formats.md §1.2–1.6.
 */
import type { FeatureStats } from './stats.ts';
import { JOINT_NAMES } from './poses.ts';

/** Files per chunk directory before chunk_index rolls over (LeRobot's DEFAULT_CHUNK_SIZE). */
export const CHUNKS_SIZE = 1000;
/** Path templates, exactly as LeRobot v3.0 writes them. */
export const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const EPISODES_PATH = 'meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
export const TASKS_PATH = 'meta/tasks.parquet';
/** The robot of the simulated cell. */
export const ROBOT_TYPE = 'franka_panda';

/** Names of the numeric features, in column order (the vector features first). */
export const FEATURE_KEYS = ['observation.state', 'action', 'timestamp', 'frame_index', 'episode_index', 'index', 'task_index'] as const;
/** One of {@link FEATURE_KEYS}. */
export type FeatureKey = (typeof FEATURE_KEYS)[number];

/** Format a LeRobot path template for a chunk and file index. */
export function formatPath(template: string, chunkIndex: number, fileIndex: number): string {
  const pad = (n: number): string => String(n).padStart(3, '0');
  return template.replace('{chunk_index:03d}', pad(chunkIndex)).replace('{file_index:03d}', pad(fileIndex));
}

/** Where a data file sits: file number n (0-based) → (chunk, file) with roll-over at {@link CHUNKS_SIZE}. */
export function fileLocation(n: number): { chunk: number; file: number } {
  return { chunk: Math.floor(n / CHUNKS_SIZE), file: n % CHUNKS_SIZE };
}

/**
 * Split episodes into data files of at most `framesPerFile` frames (an episode never spans files, as
 * in LeRobot; a single longer episode gets a file of its own). Returns the file number of each episode.
 */
export function assignFiles(lengths: readonly number[], framesPerFile: number): number[] {
  const out: number[] = [];
  let file = 0;
  let inFile = 0;
  for (const len of lengths) {
    if (inFile > 0 && inFile + len > framesPerFile) {
      file++;
      inFile = 0;
    }
    out.push(file);
    inFile += len;
  }
  return out;
}

/** The `features` block of info.json. */
export function featuresInfo(fps: number): Record<string, unknown> {
  const vec = { dtype: 'float32', shape: [JOINT_NAMES.length], names: [...JOINT_NAMES], fps };
  const scalar = (dtype: string): Record<string, unknown> => ({ dtype, shape: [1], names: null, fps });
  return {
    'observation.state': vec,
    action: { ...vec, names: [...JOINT_NAMES] },
    timestamp: scalar('float32'),
    frame_index: scalar('int64'),
    episode_index: scalar('int64'),
    index: scalar('int64'),
    task_index: scalar('int64'),
  };
}

/** meta/info.json. */
export function infoJson(p: {
  totalEpisodes: number;
  totalFrames: number;
  totalTasks: number;
  dataFilesSizeInMb: number;
  fps: number;
  /** Camera features and the video path template, when the dataset has videos. */
  videos?: { path: string; features: Record<string, unknown> };
}): Record<string, unknown> {
  return {
    codebase_version: 'v3.0',
    robot_type: ROBOT_TYPE,
    total_episodes: p.totalEpisodes,
    total_frames: p.totalFrames,
    total_tasks: p.totalTasks,
    chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: p.dataFilesSizeInMb,
    video_files_size_in_mb: 200,
    fps: p.fps,
    splits: { train: `0:${p.totalEpisodes}` },
    data_path: DATA_PATH,
    video_path: p.videos?.path ?? null,
    features: { ...featuresInfo(p.fps), ...p.videos?.features },
  };
}

/** meta/stats.json from aggregated per-feature stats (in {@link FEATURE_KEYS} order). */
export function statsJson(stats: Readonly<Record<FeatureKey, FeatureStats>>): Record<string, FeatureStats> {
  const out: Record<string, FeatureStats> = {};
  for (const k of FEATURE_KEYS) {
    const s = stats[k];
    out[k] = { min: s.min, max: s.max, mean: s.mean, std: s.std, count: s.count };
  }
  return out;
}

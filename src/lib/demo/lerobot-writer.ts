/**
 * Node I/O: write a flywheel plan as a LeRobot v3.0 dataset root (Parquet via apache-arrow →
 * Arrow IPC → parquet-wasm, zstd) plus the lab's CSV/JSON side files.
 *
 * Frames are rendered and written one row group at a time through parquet-wasm's
 * `transformParquetStream`, so a 10M-frame run never holds more than a row group of frames (plus the
 * compressed output of the file being written) in memory.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';
import { OBJECT_TYPES, taskText } from './conditions.ts';
import { buildCosts, type CostLine } from './costs.ts';
import type { FlywheelPlan } from './flywheel.ts';
import {
  DATA_PATH,
  EPISODES_PATH,
  FEATURE_KEYS,
  TASKS_PATH,
  assignFiles,
  fileLocation,
  formatPath,
  infoJson,
  statsJson,
  type FeatureKey,
} from './lerobot-meta.ts';
import { costsCsv, deploymentLogCsv, groundTruth, groundTruthJson } from './logs.ts';
import { createRng } from './rng.ts';
import { FPS } from './script.ts';
import { EpisodeStatsTable, computeScalarStats, computeStats, type FeatureStats } from './stats.ts';
import { DIM, renderTrajectory } from './trajectory.ts';
import { DEMO_VIDEO_KEY, VIDEO_PATH, videoFeature, writeDemoVideos, type EpisodeVideo } from './video-writer.ts';
import { CALIBRATION_TASK, applyDefect, applyDrift } from './dataops.ts';

/** Options of {@link writeDataset}. */
/** File layout of the bundled demo: several small data files, so readers must handle more than one. */
export const DEMO_LAYOUT = { framesPerFile: 50_000, rowGroupRows: 32_768, videos: true } as const;

export interface WriteOptions {
  /** Dataset root; its data/ and meta/ folders are replaced. */
  outDir: string;
  /** Most frames per data file (episodes never span files). */
  framesPerFile: number;
  /** Rows per Parquet row group of the data files. */
  rowGroupRows: number;
  /** Progress messages (none by default). */
  log?: (msg: string) => void;
  /** Render the top-down camera videos (video-writer.ts); off by default, as large benchmark runs skip them. */
  videos?: boolean;
}

/** What was written. */
export interface WriteResult {
  files: Array<{ path: string; bytes: number }>;
  totalEpisodes: number;
  totalFrames: number;
  costs: CostLine[];
}

/** Random stream for rendering frames; separate from the planner's streams. */
const STREAM_RENDER = 5;

const F32 = new arrow.Float32();
const F64 = new arrow.Float64();
const I64 = new arrow.Int64();
const UTF8 = new arrow.Utf8();

/** List<T> with the child field named "element", as pyarrow/LeRobot write it (compliant nested type). */
function listOf(t: arrow.DataType): arrow.List {
  return new arrow.List(new arrow.Field('element', t, true));
}

/** Fixed-width rows as List<T>: row i is values[i·width, (i+1)·width). Offsets are built, values not copied. */
function listData(childType: arrow.Float32 | arrow.Float64 | arrow.Int64, values: Float32Array | Float64Array | BigInt64Array, length: number, width: number): arrow.Data {
  const offsets = new Int32Array(length + 1);
  for (let i = 0; i <= length; i++) offsets[i] = i * width;
  const child = arrow.makeData({ type: childType as arrow.Float32, data: values as Float32Array, length: length * width });
  return arrow.makeData({ type: listOf(childType), length, nullCount: 0, valueOffsets: offsets, child });
}

function utf8Data(strings: readonly string[]): arrow.Data<arrow.Utf8> {
  const enc = new TextEncoder();
  const parts = strings.map((s) => enc.encode(s));
  const offsets = new Int32Array(strings.length + 1);
  for (let i = 0; i < parts.length; i++) offsets[i + 1] = offsets[i] + parts[i].length;
  const bytes = new Uint8Array(offsets[strings.length]);
  parts.forEach((p, i) => bytes.set(p, offsets[i]));
  return arrow.makeData({ type: UTF8, length: strings.length, nullCount: 0, valueOffsets: offsets, data: bytes });
}

function i64Data(values: ArrayLike<number>): arrow.Data<arrow.Int64> {
  const a = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) a[i] = BigInt(values[i]);
  return arrow.makeData({ type: I64, data: a, length: a.length });
}

/** Arrow IPC stream bytes of one record batch made of named columns. */
function batchIpc(columns: Array<[string, arrow.Data]>, metadata?: Map<string, string>): Uint8Array {
  const fields = columns.map(([name, d]) => new arrow.Field(name, d.type, true));
  const schema = new arrow.Schema(fields, metadata);
  const length = columns[0][1].length;
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children: columns.map(([, d]) => d) });
  return arrow.tableToIPC(new arrow.Table([new arrow.RecordBatch(schema, struct)]), 'stream');
}

function writerProps(rowGroupRows: number, kv?: Map<string, string>): pq.WriterProperties {
  let b = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.ZSTD).setMaxRowGroupSize(rowGroupRows);
  // Row numbers grow by one per row: delta encoding stores them in almost nothing, where a dictionary
  // of 64k distinct int64 values would cost half a megabyte per row group.
  for (const col of ['index', 'frame_index', 'episode_index']) {
    b = b.setColumnDictionaryEnabled(col, false).setColumnEncoding(col, pq.Encoding.DELTA_BINARY_PACKED);
  }
  if (kv) b = b.setKeyValueMetadata(kv);
  return b.build();
}

/** Write small (metadata) tables in one go. */
function writeSmallParquet(path: string, ipc: Uint8Array, kv?: Map<string, string>): number {
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(ipc), writerProps(1 << 20, kv));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
  return bytes.length;
}

/** Stream record batches (as IPC bytes) into a Parquet file, one row group after the other. */
async function writeStreamedParquet(path: string, batches: Iterator<Uint8Array>, rowGroupRows: number): Promise<number> {
  const source = new ReadableStream<pq.RecordBatch>(
    {
      pull(controller) {
        const next = batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        const t = pq.Table.fromIPCStream(next.value);
        for (const rb of t.recordBatches()) controller.enqueue(rb);
        t.free();
      },
    },
    { highWaterMark: 1 },
  );
  const out = await pq.transformParquetStream(source, writerProps(rowGroupRows));
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    const reader = out.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value as Uint8Array;
      writeSync(fd, chunk);
      bytes += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** Per-episode statistics of every numeric feature, filled while frames are rendered. */
type StatsTables = Record<FeatureKey, EpisodeStatsTable>;

/**
 * Render the frames of episodes [first, last) in row groups and yield each as Arrow IPC bytes.
 * Stats of each episode are recorded on the way.
 */
function* frameBatches(plan: FlywheelPlan, first: number, last: number, fromIndex: readonly number[], rowGroupRows: number, stats: StatsTables): Generator<Uint8Array> {
  const seed = plan.config.seed;
  let e = first;
  while (e < last) {
    let rows = 0;
    let end = e;
    while (end < last && (end === e || rows + plan.episodes[end].script.length <= rowGroupRows)) rows += plan.episodes[end++].script.length;
    const state = new Float32Array(rows * DIM);
    const action = new Float32Array(rows * DIM);
    const timestamp = new Float32Array(rows);
    const frameIndex = new BigInt64Array(rows);
    const episodeIndex = new BigInt64Array(rows);
    const index = new BigInt64Array(rows);
    const taskIndex = new BigInt64Array(rows);
    let off = 0;
    for (let k = e; k < end; k++) {
      const ep = plan.episodes[k];
      const n = ep.script.length;
      renderTrajectory(ep.script, createRng(seed, STREAM_RENDER, ep.episode_index), { state, action, offset: off });
      const from = fromIndex[k];
      for (let t = 0; t < n; t++) {
        timestamp[off + t] = t / FPS;
        frameIndex[off + t] = BigInt(t);
        episodeIndex[off + t] = BigInt(ep.episode_index);
        index[off + t] = BigInt(from + t);
        taskIndex[off + t] = BigInt(ep.task_index);
      }
      // Planted recording defects and calibration drift (dataops.ts), before the stats see the frames.
      applyDefect(ep.defect, n, off, state, action, timestamp);
      applyDrift(ep.drift, n, off, state);
      const scalar = (f: (t: number) => number): FeatureStats => computeScalarStats(n, f);
      stats['observation.state'].set(k, computeStats(state, DIM, off, n));
      stats.action.set(k, computeStats(action, DIM, off, n));
      stats.timestamp.set(k, scalar((t) => timestamp[off + t]));
      stats.frame_index.set(k, scalar((t) => t));
      stats.episode_index.set(k, scalar(() => ep.episode_index));
      stats.index.set(k, scalar((t) => from + t));
      stats.task_index.set(k, scalar(() => ep.task_index));
      off += n;
    }
    yield batchIpc([
      ['observation.state', listData(F32, state, rows, DIM)],
      ['action', listData(F32, action, rows, DIM)],
      ['timestamp', arrow.makeData({ type: F32, data: timestamp, length: rows })],
      ['frame_index', arrow.makeData({ type: I64, data: frameIndex, length: rows })],
      ['episode_index', arrow.makeData({ type: I64, data: episodeIndex, length: rows })],
      ['index', arrow.makeData({ type: I64, data: index, length: rows })],
      ['task_index', arrow.makeData({ type: I64, data: taskIndex, length: rows })],
    ]);
    e = end;
  }
}

function statsColumns(stats: StatsTables): Array<[string, arrow.Data]> {
  const cols: Array<[string, arrow.Data]> = [];
  for (const key of FEATURE_KEYS) {
    const t = stats[key];
    for (const s of ['min', 'max', 'mean', 'std'] as const) cols.push([`stats/${key}/${s}`, listData(F64, t[s], t.episodes, t.dim)]);
    const counts = new BigInt64Array(t.episodes);
    for (let i = 0; i < t.episodes; i++) counts[i] = BigInt(t.count[i]);
    cols.push([`stats/${key}/count`, listData(I64, counts, t.episodes, 1)]);
  }
  return cols;
}

function tasksListData(tasks: readonly string[]): arrow.Data {
  const child = utf8Data(tasks);
  const offsets = new Int32Array(tasks.length + 1);
  for (let i = 0; i <= tasks.length; i++) offsets[i] = i;
  return arrow.makeData({ type: listOf(UTF8), length: tasks.length, nullCount: 0, valueOffsets: offsets, child });
}

/**
 * Write the dataset. Replaces `outDir/data` and `outDir/meta`, and overwrites the side files.
 * Same plan and options → identical bytes.
 */
export async function writeDataset(plan: FlywheelPlan, opts: WriteOptions): Promise<WriteResult> {
  const log = opts.log ?? (() => {});
  const root = opts.outDir;
  rmSync(join(root, 'data'), { recursive: true, force: true });
  rmSync(join(root, 'meta'), { recursive: true, force: true });
  rmSync(join(root, 'videos'), { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const files: WriteResult['files'] = [];
  const eps = plan.episodes;
  const nEp = eps.length;

  const fileOf = assignFiles(eps.map((e) => e.script.length), opts.framesPerFile);
  const fromIndex: number[] = [];
  let total = 0;
  for (const e of eps) {
    fromIndex.push(total);
    total += e.script.length;
  }
  const stats = {} as StatsTables;
  for (const k of FEATURE_KEYS) stats[k] = new EpisodeStatsTable(nEp, k === 'observation.state' || k === 'action' ? DIM : 1);

  // Data files.
  let maxDataBytes = 0;
  for (let first = 0; first < nEp; ) {
    let last = first;
    while (last < nEp && fileOf[last] === fileOf[first]) last++;
    const loc = fileLocation(fileOf[first]);
    const rel = formatPath(DATA_PATH, loc.chunk, loc.file);
    const bytes = await writeStreamedParquet(join(root, rel), frameBatches(plan, first, last, fromIndex, opts.rowGroupRows, stats), opts.rowGroupRows);
    maxDataBytes = Math.max(maxDataBytes, bytes);
    files.push({ path: rel, bytes });
    log(`${rel}: episodes ${first}–${last - 1}, ${fromIndex[last - 1] + eps[last - 1].script.length - fromIndex[first]} frames, ${bytes} bytes`);
    first = last;
  }

  const videos = opts.videos ? await writeDemoVideos(plan, root, fileOf, FPS, log) : null;
  if (videos) files.push(...videos.files);

  // meta/tasks.parquet: pandas wrote the task text as the DataFrame index, hence `__index_level_0__`.
  const tasks = [...OBJECT_TYPES.map(taskText), CALIBRATION_TASK];
  const pandasMeta = JSON.stringify({
    index_columns: ['__index_level_0__'],
    column_indexes: [],
    columns: [
      { name: 'task_index', field_name: 'task_index', pandas_type: 'int64', numpy_type: 'int64', metadata: null },
      { name: null, field_name: '__index_level_0__', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'pyarrow', version: '17.0.0' },
    pandas_version: '2.2.3',
  });
  const tasksIpc = batchIpc(
    [
      ['task_index', i64Data(tasks.map((_, i) => i))],
      ['__index_level_0__', utf8Data(tasks)],
    ],
    new Map([['pandas', pandasMeta]]),
  );
  files.push({ path: TASKS_PATH, bytes: writeSmallParquet(join(root, TASKS_PATH), tasksIpc, new Map([['pandas', pandasMeta]])) });

  // meta/episodes: one row per episode.
  const epIpc = batchIpc([
    ['episode_index', i64Data(eps.map((e) => e.episode_index))],
    ['tasks', tasksListData(eps.map((e) => tasks[e.task_index]))],
    ['length', i64Data(eps.map((e) => e.script.length))],
    ['data/chunk_index', i64Data(fileOf.map((f) => fileLocation(f).chunk))],
    ['data/file_index', i64Data(fileOf.map((f) => fileLocation(f).file))],
    ['dataset_from_index', i64Data(fromIndex)],
    ['dataset_to_index', i64Data(eps.map((e, i) => fromIndex[i] + e.script.length))],
    ...(videos ? videoColumns(videos.episodes) : []),
    ['meta/episodes/chunk_index', i64Data(new Array<number>(nEp).fill(0))],
    ['meta/episodes/file_index', i64Data(new Array<number>(nEp).fill(0))],
    ...statsColumns(stats),
  ]);
  const epRel = formatPath(EPISODES_PATH, 0, 0);
  files.push({ path: epRel, bytes: writeSmallParquet(join(root, epRel), epIpc) });

  // JSON metadata.
  const agg = {} as Record<FeatureKey, FeatureStats>;
  for (const k of FEATURE_KEYS) agg[k] = stats[k].aggregate();
  const info = infoJson({
    totalEpisodes: nEp,
    totalFrames: total,
    totalTasks: tasks.length,
    dataFilesSizeInMb: Math.max(1, Math.ceil(maxDataBytes / (1024 * 1024))),
    fps: FPS,
    videos: videos ? { path: VIDEO_PATH, features: { [DEMO_VIDEO_KEY]: videoFeature(FPS) } } : undefined,
  });
  const writeText = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
    files.push({ path: rel, bytes: Buffer.byteLength(text) });
  };
  writeText('meta/info.json', JSON.stringify(info, null, 2) + '\n');
  writeText('meta/stats.json', JSON.stringify(statsJson(agg), null, 2) + '\n');

  // The lab's side files.
  const costs = buildCosts(plan);
  writeText('deployment_log.csv', deploymentLogCsv(plan));
  writeText('collection_costs.csv', costsCsv(costs));
  writeText('ground_truth.json', groundTruthJson(groundTruth(plan, FPS)));
  writeText('README.md', readme(plan, nEp, total, !!videos));

  for (const f of files) if (statSync(join(root, f.path)).size !== f.bytes) throw new Error(`size mismatch for ${f.path}`);
  return { files, totalEpisodes: nEp, totalFrames: total, costs };
}

/** `videos/<key>/…` columns of the episodes table: where each episode sits in the concatenated mp4s. */
function videoColumns(v: readonly EpisodeVideo[]): Array<[string, arrow.Data]> {
  const f64 = (xs: number[]): arrow.Data => arrow.makeData({ type: F64, data: Float64Array.from(xs), length: xs.length });
  const k = `videos/${DEMO_VIDEO_KEY}`;
  return [
    [`${k}/chunk_index`, i64Data(v.map((e) => e.chunk))],
    [`${k}/file_index`, i64Data(v.map((e) => e.file))],
    [`${k}/from_timestamp`, f64(v.map((e) => e.from))],
    [`${k}/to_timestamp`, f64(v.map((e) => e.to))],
  ];
}

function readme(plan: FlywheelPlan, episodes: number, frames: number, videos: boolean): string {
  return `# Flywheel demo dataset (synthetic)

Generated by \`npm run demo\` (src/lib/demo, seed ${plan.config.seed}). Not real robot data.

A simulated bin-picking data flywheel on a Franka Panda at ${FPS} Hz: ${plan.episodes.filter((e) => e.kind === 'seed').length} seed demos, then ${plan.config.rotations}
rotations of deploy policy v{r} → targeted correction demos. ${episodes} episodes, ${frames} frames.

- \`meta/\`, \`data/\`${videos ? ', \\`videos/\\`' : ''}: LeRobot v3.0 layout${videos ? `; one synthetic ${DEMO_VIDEO_KEY} camera (top-down, H.264), several episodes per mp4` : ' (no videos)'}.
- \`deployment_log.csv\`: one row per episode (outcome, failure category, conditions, tags).
- \`collection_costs.csv\`: cost line items per rotation.
- \`ground_truth.json\`: true failure mechanism and onset per episode, for tests.
`;
}

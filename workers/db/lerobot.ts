import { dataColumns, formatTemplate, episodeTemplateVars, parseInfo, DatasetFormatError, type DatasetInfo } from '../../src/lib/ingest/lerobot';
import { CancelledError } from '../../src/lib/util/errors';
import { quoteIdent } from '../../src/lib/util/sql';
import { parseJsonl, rowsToIpc } from './arrow-build';
import type { Engine } from './engine';
import { loadParquet, parquetColumns, readParquetIpc } from './parquet-load';
import type { DatasetReader } from './reader';
import type { ProgressFn } from './types';
import { EPISODES_META, V2_EPISODE_COLUMNS, V2_TASK_COLUMNS, V3_DATA_FILES_SQL, tasksTableSql, v3DataFile, v3EpisodesMetaPath, v3TaskColumn } from '../../src/lib/views';
import type { ColumnKind } from './arrow-build';

export { EPISODES_META };

/** What opening a LeRobot dataset found. */
export interface DatasetSummary {
  label: string;
  info: Omit<DatasetInfo, 'raw'>;
  /** Data files that hold the frames, in `index` order. */
  dataFiles: string[];
  warnings: string[];
}

/**
 * Opens a LeRobot dataset's metadata (info, tasks, episodes) into DuckDB. Frames are not read here: the app reads
 * them lazily per query (FramesSource).
 */
export async function openLeRobot(
  engine: Engine | Promise<Engine>,
  reader: DatasetReader,
  onProgress?: ProgressFn,
): Promise<DatasetSummary> {
  const infoText = await reader.text('meta/info.json');
  if (infoText == null) {
    throw new DatasetFormatError(
      `No meta/info.json under ${reader.label}. Point Flywheel at the dataset's root folder (the one that contains meta/ and data/).`,
    );
  }
  const info = parseInfo(infoText);
  // Before parquet-wasm touches the server: a server that ignores Range headers makes its reader panic.
  await reader.probeRanges('meta/info.json');
  onProgress?.({ label: 'Reading episode metadata', done: 1, total: 3, unit: 'steps', ...reader.stats });
  // Read phase: no database needed, so it overlaps with DuckDB's start-up when the engine is still a promise.
  const [tasks, episodes] = await Promise.all([readTasks(reader, info), readEpisodes(reader, info)]);
  onProgress?.({ label: 'Reading episode metadata', done: 2, total: 3, unit: 'steps', ...reader.stats });
  const db = await engine;
  await insertTasks(db, tasks);
  await db.drop(EPISODES_META);
  for (let i = 0; i < episodes.parts.length; i++) await db.insertIpc(EPISODES_META, episodes.parts[i], i === 0);
  const dataFiles = episodes.dataFiles ?? (await v3DataFiles(db, info));
  const warnings: string[] = [];
  const [{ n, frames }] = await db.rows(`SELECT count(*)::DOUBLE AS n, coalesce(sum(length), 0)::DOUBLE AS frames FROM ${EPISODES_META}`);
  if (Number(n) !== info.totalEpisodes) {
    warnings.push(`info.json says ${info.totalEpisodes} episodes; the episode metadata lists ${n}.`);
  }
  if (Number(frames) !== info.totalFrames) {
    warnings.push(`info.json says ${info.totalFrames} frames; the episodes' lengths add up to ${frames}.`);
  }
  onProgress?.({ label: 'Reading episode metadata', done: 3, total: 3, unit: 'steps', ...reader.stats });
  const { raw: _raw, ...rest } = info;
  return { label: reader.label, info: rest, dataFiles, warnings };
}

type TasksRead = { parts: Uint8Array[]; taskCol: string } | { ipc: Uint8Array };

async function readTasks(reader: DatasetReader, info: DatasetInfo): Promise<TasksRead> {
  if (info.version !== 'v3.0') {
    const text = await reader.text('meta/tasks.jsonl');
    const rows = text == null ? [] : parseJsonl(text, 'meta/tasks.jsonl');
    return { ipc: rowsToIpc(rows, kinds(V2_TASK_COLUMNS)) };
  }
  const file = await reader.parquet('meta/tasks.parquet');
  const cols = parquetColumns(file);
  const taskCol = v3TaskColumn(cols);
  if (!taskCol || !cols.includes('task_index')) {
    throw new DatasetFormatError(`meta/tasks.parquet has columns ${cols.join(', ')}; expected task_index and task.`);
  }
  return { parts: await readParquetIpc(file, ['task_index', taskCol], 'meta/tasks.parquet'), taskCol };
}

async function insertTasks(engine: Engine, tasks: TasksRead): Promise<void> {
  await engine.drop('tasks');
  if ('ipc' in tasks) {
    await engine.insertIpc('tasks', tasks.ipc, true);
    return;
  }
  await engine.drop('_tasks_raw');
  for (let i = 0; i < tasks.parts.length; i++) await engine.insertIpc('_tasks_raw', tasks.parts[i], i === 0);
  await engine.exec(tasksTableSql('_tasks_raw', tasks.taskCol));
  await engine.exec('DROP TABLE _tasks_raw');
}

async function readEpisodes(reader: DatasetReader, info: DatasetInfo): Promise<{ parts: Uint8Array[]; dataFiles?: string[] }> {
  if (info.version !== 'v3.0') {
    const text = await reader.text('meta/episodes.jsonl');
    if (text == null) throw new DatasetFormatError(`meta/episodes.jsonl is missing under ${reader.label}.`);
    const rows = parseJsonl(text, 'meta/episodes.jsonl').sort((a, b) => Number(a.episode_index) - Number(b.episode_index));
    return {
      parts: [rowsToIpc(rows, kinds(V2_EPISODE_COLUMNS))],
      dataFiles: rows.map((r) => formatTemplate(info.dataPath, episodeTemplateVars(Number(r.episode_index), info.chunksSize))),
    };
  }
  // Episode metadata files are not listed anywhere: walk chunk/file indexes until every episode is found.
  const parts: Uint8Array[] = [];
  let chunk = 0;
  let fileIdx = 0;
  let total = 0;
  while (total < info.totalEpisodes) {
    const path = v3EpisodesMetaPath(chunk, fileIdx);
    const file = await reader.parquet(path).catch((e) => {
      if (!parts.length) throw e;
      return null;
    });
    if (!file) break;
    // Per-episode stats columns (dozens of nested lists) are not needed to open a dataset.
    const cols = parquetColumns(file).filter((c) => !c.startsWith('stats/'));
    parts.push(...(await readParquetIpc(file, cols, path)));
    total += file.metadata().fileMetadata().numRows();
    file.free();
    fileIdx++;
    if (fileIdx >= info.chunksSize) {
      chunk++;
      fileIdx = 0;
    }
  }
  return { parts };
}

/** The Arrow kinds of a shared column list (the shared module declares both engines' types in one place). */
function kinds(cols: Record<string, { kind: ColumnKind }>): Record<string, ColumnKind> {
  return Object.fromEntries(Object.entries(cols).map(([k, c]) => [k, c.kind]));
}

async function v3DataFiles(engine: Engine, info: DatasetInfo): Promise<string[]> {
  return (await engine.rows(V3_DATA_FILES_SQL)).map((r) => v3DataFile(info, r));
}

/** Options for {@link loadFrames}. */
export interface LoadFramesOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Table to create; defaults to `frames`. */
  table?: string;
  /** Files read concurrently (network latency hides behind decoding and inserting). */
  concurrency?: number;
}

/**
 * Streams every data file into a `frames` table, eagerly. The app no longer does this (FramesSource reads lazily);
 * it stays as the simple, independent path the loader tests cross-check the lazy one against. It loads into a
 * staging table and renames it at the end, so queries never see half a dataset. Returns the number of frames.
 */
export async function loadFrames(engine: Engine, reader: DatasetReader, summary: DatasetSummary, opts: LoadFramesOptions = {}): Promise<number> {
  const table = opts.table ?? 'frames';
  const staging = `_${table}_loading`;
  const wanted = new Set(dataColumns({ ...summary.info, raw: {} }).filter((f) => f.dtype !== 'image').map((f) => f.key));
  const skip = new Set(summary.info.features.filter((f) => f.isVideo || f.dtype === 'image').map((f) => f.key));
  await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(staging)}`);
  const files = summary.dataFiles;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  let rows = 0;
  let done = 0;
  let created = false;
  const missing: string[] = [];
  // Open files a few ahead (footers over the network are two round trips each); insert strictly in order.
  const opened = new Map<number, Promise<Awaited<ReturnType<DatasetReader['parquet']>> | null>>();
  const open = (i: number) => {
    if (i < files.length && !opened.has(i)) {
      opened.set(
        i,
        reader.parquet(files[i]).catch((e) => {
          missing.push(`${files[i]}: ${(e as Error).message}`);
          return null;
        }),
      );
    }
  };
  for (let i = 0; i < Math.min(concurrency, files.length); i++) open(i);
  for (let i = 0; i < files.length; i++) {
    if (opts.signal?.aborted) throw new CancelledError('Loading frames cancelled');
    open(i + concurrency);
    const file = await opened.get(i)!;
    opened.delete(i);
    if (!file) continue;
    const cols = parquetColumns(file).filter((c) => !skip.has(c) && (wanted.has(c) || !c.startsWith('observation.image')));
    const before = rows;
    rows += await loadParquet(engine, file, staging, {
      append: created,
      columns: cols,
      signal: opts.signal,
      label: files[i],
      onRows: (n) =>
        opts.onProgress?.({ label: `Reading ${files[i]}`, done: before + n, total: summary.info.totalFrames, unit: 'rows', bytesFetched: reader.stats.bytes, requests: reader.stats.requests }),
    });
    created = true;
    done++;
    file.free();
  }
  if (!created) {
    throw new DatasetFormatError(`None of the ${files.length} data files could be read:\n${missing.slice(0, 5).join('\n')}`);
  }
  if (missing.length) {
    throw new DatasetFormatError(`${missing.length} of ${files.length} data files could not be read:\n${missing.slice(0, 5).join('\n')}`);
  }
  await engine.drop(table);
  await engine.exec(`ALTER TABLE ${quoteIdent(staging)} RENAME TO ${quoteIdent(table)}`);
  opts.onProgress?.({ label: `Loaded ${done} data files`, done: rows, total: rows, unit: 'rows', bytesFetched: reader.stats.bytes, requests: reader.stats.requests });
  return rows;
}

/**
 * Opens a LeRobot dataset on native DuckDB: the metadata is read by DuckDB itself (JSON Lines, Parquet), `frames` is
 * a view straight over the data files, and every name comes from the shared view module (src/lib/views), the same
 * SQL the app's wasm worker runs, so both engines see the same `episodes`, `frames` and `tasks`.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetFormatError, episodeTemplateVars, formatTemplate, parseInfo, type DatasetInfo } from '../ingest/lerobot';
import { quoteString } from '../util/sql';
import { FILE_STATS_TABLE, featureProfileSql, poolEpisodeStats, profiledColumns, statsJsonRows, type FileStatRow } from '../ingest/lerobot/profile';
import {
  EPISODES_META,
  V3_DATA_FILES_SQL,
  framesViewSql,
  tasksTableSql,
  v2EpisodesMetaSql,
  v2TasksSql,
  v3DataFile,
  v3EpisodesMetaPath,
  v3EpisodesMetaSql,
  v3TaskColumn,
  type ViewColumn,
} from '../views';
import { fixedListWidths } from './arrow-schema';
import type { NativeDb } from './native-db';

/** What opening a dataset natively found. */
export interface NativeDataset {
  root: string;
  info: DatasetInfo;
  /** Data files (paths or URLs), in `index` order. */
  dataFiles: string[];
  frameColumns: ViewColumn[];
  warnings: string[];
  /** The SQL that builds `feature_stats` from the frames, run when a query first names it (see native-engine.ts). */
  profileSql: string;
}

const isUrl = (s: string) => /^https?:\/\//.test(s);

/** `rel` under a dataset root that is a folder path or an http(s) URL. */
export function underRoot(root: string, rel: string): string {
  return isUrl(root) ? new URL(rel, root.endsWith('/') ? root : root + '/').href : path.join(root, rel);
}

async function exists(where: string): Promise<boolean> {
  if (!isUrl(where)) return (await stat(where).catch(() => null))?.isFile() ?? false;
  const res = await fetch(where, { method: 'HEAD' }).catch(() => null);
  return !!res?.ok;
}

async function text(where: string): Promise<string | null> {
  if (!isUrl(where)) return readFile(where, 'utf8').catch(() => null);
  const res = await fetch(where);
  if (res.status === 404) return null;
  if (!res.ok) throw new Error(`${where} answered HTTP ${res.status}.`);
  return res.text();
}

/** Opens the dataset at `root` (a folder or an http(s) URL; URLs need native DuckDB's httpfs, loaded by the caller). */
export async function openNativeDataset(db: NativeDb, root: string): Promise<NativeDataset> {
  const infoText = await text(underRoot(root, 'meta/info.json'));
  if (infoText == null) {
    throw new DatasetFormatError(`No meta/info.json under ${root}. Point the runner at the dataset's root folder (the one that contains meta/ and data/).`);
  }
  const info = parseInfo(infoText);
  let dataFiles: string[];
  if (info.version === 'v3.0') {
    const tasksFile = quoteString(underRoot(root, 'meta/tasks.parquet'));
    const taskCol = v3TaskColumn((await db.describe(`SELECT * FROM read_parquet(${tasksFile})`)).map((c) => c.name));
    if (!taskCol) throw new DatasetFormatError('meta/tasks.parquet has no task column; expected task_index and task.');
    await db.exec(tasksTableSql(`read_parquet(${tasksFile})`, taskCol));
    await db.exec(v3EpisodesMetaSql(await v3MetaFiles(db, root, info)));
    dataFiles = (await db.rows(V3_DATA_FILES_SQL)).map((r) => underRoot(root, v3DataFile(info, r)));
  } else {
    const episodes = underRoot(root, 'meta/episodes.jsonl');
    if (!(await exists(episodes))) throw new DatasetFormatError(`meta/episodes.jsonl is missing under ${root}.`);
    const tasks = underRoot(root, 'meta/tasks.jsonl');
    if (await exists(tasks)) await db.exec(v2TasksSql(tasks));
    else await db.exec(`CREATE OR REPLACE TABLE tasks (task_index BIGINT, task VARCHAR)`);
    await db.exec(v2EpisodesMetaSql(episodes));
    dataFiles = (await db.rows(`SELECT episode_index AS e FROM ${EPISODES_META} ORDER BY e`)).map((r) =>
      underRoot(root, formatTemplate(info.dataPath, episodeTemplateVars(Number(r.e), info.chunksSize))),
    );
  }
  if (!dataFiles.length) throw new DatasetFormatError(`The dataset under ${root} lists no data files.`);
  const frameColumns = await db.describe(`SELECT * FROM read_parquet(${quoteString(dataFiles[0])})`);
  const kv = await db.rows(`SELECT value FROM parquet_kv_metadata(${quoteString(dataFiles[0])}) WHERE decode(key) = 'ARROW:schema'`);
  const widths = kv.length ? fixedListWidths(kv[0].value as Uint8Array) : new Map<string, number>();
  await db.exec(framesViewSql(dataFiles, frameColumns, info, widths));
  const profileSql = await prepareFeatureProfile(db, root, info, frameColumns);
  const warnings: string[] = [];
  const [{ n, frames }] = await db.rows(`SELECT count(*)::DOUBLE AS n, coalesce(sum(length), 0)::DOUBLE AS frames FROM ${EPISODES_META}`);
  if (Number(n) !== info.totalEpisodes) warnings.push(`info.json says ${info.totalEpisodes} episodes; the episode metadata lists ${n}.`);
  if (Number(frames) !== info.totalFrames) warnings.push(`info.json says ${info.totalFrames} frames; the episodes' lengths add up to ${frames}.`);
  return { root, info, dataFiles, frameColumns: await db.describe('frames'), warnings, profileSql };
}

/**
 * v3.0 episode metadata files are not listed anywhere: walk chunk/file indexes, as the app's reader does, until
 * every episode is found.
 */
async function v3MetaFiles(db: NativeDb, root: string, info: DatasetInfo): Promise<string[]> {
  const files: string[] = [];
  let chunk = 0;
  let fileIdx = 0;
  let total = 0;
  while (total < info.totalEpisodes) {
    const f = underRoot(root, v3EpisodesMetaPath(chunk, fileIdx));
    if (!(await exists(f))) {
      if (!files.length) throw new DatasetFormatError(`${v3EpisodesMetaPath(chunk, fileIdx)} is missing under ${root}.`);
      break;
    }
    files.push(f);
    const [{ n }] = await db.rows(`SELECT sum(num_rows)::DOUBLE AS n FROM parquet_file_metadata(${quoteString(f)})`);
    total += Number(n);
    fileIdx++;
    if (fileIdx >= info.chunksSize) {
      chunk++;
      fileIdx = 0;
    }
  }
  return files;
}

/**
 * The statistics files' numbers for `feature_stats`, as the app's worker reads them, and the SQL that builds the
 * profile. Lazily, as in the tab: its NaN counts and histograms read every frame of the profiled columns, which at
 * DROID's size (30M frames) took minutes and 15 GB when it was built at every open.
 */
async function prepareFeatureProfile(db: NativeDb, root: string, info: DatasetInfo, frameColumns: readonly ViewColumn[]): Promise<string> {
  const columns = profiledColumns(info.features, frameColumns);
  let rows: FileStatRow[] = [];
  try {
    const stats = await text(underRoot(root, 'meta/stats.json'));
    if (stats != null) rows = statsJsonRows(JSON.parse(stats), columns);
    if (rows.length === 0) {
      const perEpisode = await text(underRoot(root, 'meta/episodes_stats.jsonl'));
      if (perEpisode != null) {
        const lines = perEpisode.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
        rows = poolEpisodeStats(lines, columns);
      }
    }
  } catch {
    // As in the app: a malformed stats file is not worth refusing the dataset over; the frames give the numbers.
    rows = [];
  }
  const num = (v: number | null) => (v == null || !Number.isFinite(v) ? 'NULL' : String(v));
  const values = rows.map((r) => `(${quoteString(r.feature)}, ${r.element}, ${num(r.min)}, ${num(r.max)}, ${num(r.mean)}, ${num(r.std)}, ${num(r.count)}, ${quoteString(r.source)})`);
  await db.exec(
    `CREATE OR REPLACE TABLE ${FILE_STATS_TABLE} (feature VARCHAR, element BIGINT, min DOUBLE, max DOUBLE, mean DOUBLE, std DOUBLE, count BIGINT, source VARCHAR)`,
  );
  if (values.length) await db.exec(`INSERT INTO ${FILE_STATS_TABLE} VALUES ${values.join(', ')}`);
  return featureProfileSql(columns);
}

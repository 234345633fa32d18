import type { DatasetInfo } from '../ingest/lerobot';
import { formatTemplate } from '../ingest/lerobot';
import { quoteIdent, quoteString } from '../util/sql';
import { namedElements, namedSelect } from '../ingest/lerobot/named';
import { EPISODES_META, V2_EPISODE_COLUMNS, V2_TASK_COLUMNS } from './names';
import type { ViewColumn } from './port';

/** A list of file paths or URLs as a DuckDB list literal. */
export function fileList(files: readonly string[]): string {
  return `[${files.map(quoteString).join(', ')}]`;
}

/** `tasks` from a relation holding the raw task rows (v3.0's tasks.parquet, read by whichever engine). */
export function tasksTableSql(raw: string, taskColumn: string): string {
  return `CREATE OR REPLACE TABLE tasks AS SELECT task_index::BIGINT AS task_index, ${quoteIdent(taskColumn)}::VARCHAR AS task FROM ${raw} ORDER BY task_index`;
}

/** A v2.x JSON Lines metadata table with the app's declared columns and types (DuckDB reads the JSON itself). */
function v2JsonTableSql(table: string, columns: Record<string, { sql: string }>, file: string, orderBy?: string): string {
  const select = Object.entries(columns)
    .map(([name, c]) => `${quoteIdent(name)}::${c.sql} AS ${quoteIdent(name)}`)
    .join(', ');
  return `CREATE OR REPLACE TABLE ${table} AS SELECT ${select} FROM read_json(${quoteString(file)}, format = 'newline_delimited')${orderBy ? ` ORDER BY ${orderBy}` : ''}`;
}

/** v2.x `tasks` from meta/tasks.jsonl, with the columns the wasm path builds from the same file. */
export function v2TasksSql(file: string): string {
  return v2JsonTableSql('tasks', V2_TASK_COLUMNS, file);
}

/** v2.x `_episodes_meta` from meta/episodes.jsonl, in episode order as the wasm path sorts it. */
export function v2EpisodesMetaSql(file: string): string {
  return v2JsonTableSql(EPISODES_META, V2_EPISODE_COLUMNS, file, 'episode_index');
}

/** v3.0 `_episodes_meta` from the episode metadata Parquet files, without the per-episode stats columns. */
export function v3EpisodesMetaSql(files: readonly string[]): string {
  return `CREATE OR REPLACE TABLE ${EPISODES_META} AS SELECT COLUMNS(c -> NOT starts_with(c, 'stats/')) FROM read_parquet(${fileList(files)}) ORDER BY episode_index`;
}

/** Where v3.0 keeps episode metadata file `fileIndex` of chunk `chunk` (they are not listed anywhere: walk them). */
export function v3EpisodesMetaPath(chunk: number, fileIndex: number): string {
  return formatTemplate('meta/episodes/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet', { chunk_index: chunk, file_index: fileIndex });
}

/** The data files a v3.0 dataset's episodes point at, as (chunk, file) rows of `_episodes_meta`. */
export const V3_DATA_FILES_SQL = `SELECT DISTINCT "data/chunk_index" AS c, "data/file_index" AS f FROM ${EPISODES_META} ORDER BY c, f`;

/** A v3.0 data file's path from a {@link V3_DATA_FILES_SQL} row. */
export function v3DataFile(info: Pick<DatasetInfo, 'dataPath'>, row: Record<string, unknown>): string {
  return formatTemplate(info.dataPath, { chunk_index: Number(row.c), file_index: Number(row.f) });
}

/**
 * Feature keys never read as frame columns: videos live in mp4 files, and image features are stored as
 * {bytes, path} structs, megabytes per frame, never worth loading for analysis.
 */
export function skippedFrameColumns(info: Pick<DatasetInfo, 'features'>): Set<string> {
  return new Set(info.features.filter((f) => f.isVideo || f.dtype === 'image').map((f) => f.key));
}

/**
 * `frames` as a view straight over the data files, for an engine that reads Parquet itself (native DuckDB): the
 * first file's columns minus {@link skippedFrameColumns}, the same columns the app's lazy frames view has. Columns
 * the files' Arrow schema declares as fixed-size lists (`fixedWidths`) are cast to DuckDB arrays (`FLOAT[26]`), as
 * the app's Arrow-based reader types them.
 */
export function framesViewSql(
  files: readonly string[],
  columns: readonly ViewColumn[],
  info: Pick<DatasetInfo, 'features'>,
  fixedWidths: ReadonlyMap<string, number> = new Map(),
): string {
  const skip = skippedFrameColumns(info);
  const cols = columns
    .filter((c) => !skip.has(c.name))
    .map((c) => {
      const width = fixedWidths.get(c.name);
      const list = c.type.match(/^(.*)\[\]$/);
      return width && list ? `CAST(${quoteIdent(c.name)} AS ${list[1]}[${width}]) AS ${quoteIdent(c.name)}` : quoteIdent(c.name);
    });
  // The same named vector elements (`"observation.state.kLeftElbow"`) as the app's lazy frames view: only for
  // vectors read as list/array columns, real columns winning over generated names.
  const kept = columns.filter((c) => !skip.has(c.name));
  const vectors = new Set(kept.filter((c) => /\[\d*\]$/.test(c.type.trim())).map((c) => c.name));
  const named = namedSelect(namedElements(info.features.filter((f) => vectors.has(f.key)), kept.map((c) => c.name)));
  return `CREATE OR REPLACE VIEW frames AS SELECT ${[...cols, ...named].join(', ')} FROM read_parquet(${fileList(files)})`;
}

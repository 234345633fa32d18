/** Raw episode metadata as read from the dataset; the canonical `episodes` view is built on top of it. */
export const EPISODES_META = '_episodes_meta';

/** The canonical names a notebook's SQL reads, owned by the data sources (cells may not take them). */
export const CANONICAL = ['episodes', 'frames', 'tasks', 'annotations'] as const;

/**
 * Columns of the v2.x episode metadata (meta/episodes.jsonl) that the app keeps, with their Arrow kinds (the wasm
 * path builds Arrow from JSON) and DuckDB types (the native path reads the JSON itself): one list, so both paths
 * give `_episodes_meta` the same shape.
 */
export const V2_EPISODE_COLUMNS = {
  episode_index: { kind: 'int64', sql: 'BIGINT' },
  tasks: { kind: 'utf8[]', sql: 'VARCHAR[]' },
  length: { kind: 'int64', sql: 'BIGINT' },
} as const;

/** Columns of v2.x meta/tasks.jsonl, as {@link V2_EPISODE_COLUMNS}. */
export const V2_TASK_COLUMNS = {
  task_index: { kind: 'int64', sql: 'BIGINT' },
  task: { kind: 'utf8', sql: 'VARCHAR' },
} as const;

/**
 * The column that holds a task's text in v3.0 meta/tasks.parquet: lerobot writes tasks from a pandas DataFrame
 * indexed by the task text, which comes back as `__index_level_0__` rather than `task` in real files (formats.md §1.5).
 */
export function v3TaskColumn(columns: readonly string[]): string | undefined {
  return ['task', '__index_level_0__'].find((c) => columns.includes(c));
}

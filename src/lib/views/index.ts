/**
 * The canonical names every notebook reads (`episodes`, `frames`, `tasks`, `annotations`, log and cost sheets),
 * as SQL generated from a dataset's metadata. Both engines run this module: the app's DuckDB-WASM worker and the
 * headless runner's native DuckDB, so a notebook sees the same views wherever it runs.
 */
export { type SqlPort, type ViewColumn, relationKindSql } from './port';
export { EPISODES_META, CANONICAL, V2_EPISODE_COLUMNS, V2_TASK_COLUMNS, v3TaskColumn } from './names';
export { buildEpisodesView, ANNOTATIONS_DDL, type OutcomeSource } from './episodes';
export { frameOutcomeSql, outcomeColumnCandidates, linkEpisodes, FRAME_OUTCOMES, type LinkEpisodesOptions } from './outcome';
export { csvTable, readCsvSql } from './csv';
export {
  fileList,
  tasksTableSql,
  v2TasksSql,
  v2EpisodesMetaSql,
  v3EpisodesMetaSql,
  v3EpisodesMetaPath,
  V3_DATA_FILES_SQL,
  v3DataFile,
  skippedFrameColumns,
  framesViewSql,
} from './lerobot';

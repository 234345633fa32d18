export { DbClient, type CellOutput, type QueryOutput, type Job, type EngineInfo, type RunOptions, type ColumnInfo, type Progress, type TableInfo, type DatasetSummary, type McapSpec, type McapSummaryInfo, type McapEpisodesResult } from './client';
export { tableToRows, ipcToRows, ipcToResult } from './arrow';

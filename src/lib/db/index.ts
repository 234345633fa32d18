export { DbClient, type CellOutput, type QueryOutput, type Job, type EngineInfo, type RunOptions, type ColumnInfo, type Progress, type TableInfo, type DatasetSummary } from './client';
export { tableToRows, ipcToRows, ipcToResult } from './arrow';

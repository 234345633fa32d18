/** Column description as DuckDB names its types (e.g. `BIGINT`, `FLOAT[]`, `TIMESTAMP`). */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** Network cost of one piece of work: what it fetched (requests and body bytes). */
export interface Fetched {
  requests: number;
  bytes: number;
  /** Data files the work needed that do not match the metadata (not Parquet, other columns, other row counts), one sentence each. */
  fileNotes?: string[];
}

/** A query result as Arrow IPC stream bytes (transferred, never copied, across the worker boundary). */
export interface QueryResult {
  ipc: Uint8Array;
  ms: number;
  /** What reading frame data for it fetched, when it read frames. */
  fetched?: Fetched;
}

/** The result of running a notebook cell: materialised as a table named after the cell. */
export interface CellResult {
  name: string;
  columns: ColumnInfo[];
  rowCount: number;
  /** The first rows (up to the requested page size) as Arrow IPC. */
  firstPage: Uint8Array;
  ms: number;
  /** What reading frame data for it fetched, when it read frames. */
  fetched?: Fetched;
}

/** A table in the catalog. */
export interface TableInfo {
  name: string;
  kind: 'table' | 'view';
  rows: number;
  columns: ColumnInfo[];
}

/** Progress of long work, reported to the UI. */
export interface Progress {
  /** What is being done, in words a user understands ("Reading data/chunk-000/file-001.parquet"). */
  label: string;
  /** Work done and total in `unit` (total null when unknown). */
  done: number;
  total: number | null;
  unit: 'files' | 'rows' | 'bytes' | 'steps';
  bytesFetched?: number;
  requests?: number;
}

/** Callback for progress events (a comlink proxy when called across the worker boundary). */
export type ProgressFn = (p: Progress) => void;

/** One statement the engine ran on its connection: SQL text, or an Arrow insert into a table (`insert`). */
export interface StatementRecord {
  kind: 'sql' | 'insert';
  /** The SQL, or the table an Arrow stream was inserted into. */
  text: string;
}

/** Callback for every statement the engine runs (see `Engine.onStatement`). */
export type StatementListener = (s: StatementRecord) => void;

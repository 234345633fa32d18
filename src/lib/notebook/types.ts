import type { PlotSpec } from '../plot';
import type { SourceDecl } from '../ingest/source';
import type { AnalysisSpec } from '../analysis/jobs';
import type { ModelSpec } from '../score/cell';
import type { ModelRunInfo } from '../score/cell-run';
import type { CellNeed } from '../contract/capability';

/** The kinds of notebook cell. */
export type CellKind = 'sql' | 'plot' | 'markdown' | 'model';

/** A cell as stored and shared: data only, never runtime state. */
export interface CellData {
  id: string;
  kind: CellKind;
  /** Name of the cell's result; later cells use it as a table name (SQL) or data source (plot). */
  name: string;
  /** SQL text (sql; a model cell's input query) or Markdown text (markdown); unused for plot cells. */
  source: string;
  /** The chart spec of a plot cell. */
  plot?: PlotSpec;
  /** On a SQL cell: the job form its SQL is generated from (an "analysis cell", see analysis/jobs.ts). */
  analysis?: AnalysisSpec;
  /** Show the result and hide the SQL until the user asks for it (long generated checks, for instance). */
  collapsed?: boolean;
  /** On a model cell: the model, its task, mapping and parameters (see score/cell.ts). */
  model?: ModelSpec;
  /**
   * Tables and columns the cell needs (besides what its form or its SQL already say): when the open data lack
   * them, the runner disables the cell with the need's sentence instead of running it into a DuckDB error.
   */
  needs?: CellNeed[];
}

/**
 * Where episode outcomes come from, so a shared notebook brings its labels along: the deployment log's `outcome`
 * column (default when a log is joined), a per-frame column such as DROID's `is_episode_successful` or
 * `next.success` (success when it is true on any frame, or on the last frame), or a SQL rule over `episodes`.
 */
export type OutcomeMapping =
  | { kind: 'log' }
  | { kind: 'frame-column'; column: string; rule: 'any' | 'last' }
  | { kind: 'sql'; expression: string };

/** A whole notebook document (the unit that is saved and shared). */
export interface NotebookDoc {
  version: 1;
  title: string;
  sources: SourceDecl[];
  cells: CellData[];
  /** How `episodes.outcome` is defined; absent: the log's column, else a known per-frame success column. */
  outcome?: OutcomeMapping;
}

/** Runtime status of a cell. */
/** `disabled`: not run because the open data lack what it needs (a capability message, not an error). */
export type CellStatus = 'idle' | 'queued' | 'waiting' | 'running' | 'done' | 'error' | 'cancelled' | 'disabled';

/** Runtime state of a cell: status, result and error, kept apart from {@link CellData}. */
export interface CellRuntime {
  status: CellStatus;
  /** Rows and columns of the result (first page for SQL, all rows a chart needs for plots). */
  output?: ResultData;
  error?: string;
  /** Why the cell is disabled: one sentence per missing input, with what to add or map. */
  capability?: string;
  ms?: number;
  /** What the cell is waiting for or doing (e.g. "Reading frames … 40%"). */
  note?: string;
  /** The last run stopped because it would fetch more frame data than the budget. */
  overBudget?: boolean;
  /** Increments on every run, so late results of an older run are dropped. */
  runId: number;
  /** A model cell's report of its last run (models, result tables, clusters). */
  model?: ModelRunInfo;
  /**
   * Set while `output` is a saved result of an earlier run (see saved-results.ts), shown until the live run
   * replaces it: `at` is when it was computed (null: shipped with the app).
   */
  saved?: { at: string | null };
}

/** Names must be plain identifiers so `SELECT * FROM name` works unquoted in later cells. */
export const CELL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * A cell's result rows. A class on purpose: Svelte's `$state` deep-proxies plain objects, and charts read every
 * value of up to 100k rows, which through proxies is slow. Class instances are left as they are; the runner
 * replaces the whole object on each run, so the UI still updates.
 */
export class ResultData {
  constructor(
    readonly columns: { name: string; type: string }[],
    readonly rowCount: number,
    readonly rows: Record<string, unknown>[],
    /** True when rows hold only part of the result. */
    readonly truncated: boolean,
    /**
     * Requests and bytes fetched to read frame data for this result, and what was wrong with data files it needed
     * (one sentence each).
     */
    readonly fetched?: { requests: number; bytes: number; fileNotes?: string[] },
  ) {}
}

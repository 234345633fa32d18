/**
 * The per-frame signals the viewer can plot, and the narrow queries that read them: one column of one episode
 * (`frames` is fetched lazily per query, so a query that names one column and one episode reads only that).
 */
import { quoteIdent } from '../util/sql';

/** A plottable per-frame signal: a column of `frames`, or of a result table keyed by episode and frame. */
export interface TraceColumn {
  /** Table holding it (`frames`, or a notebook result such as per-frame scores). */
  table: string;
  column: string;
  /** Elements of a vector column (their names), or null for a scalar. */
  names: string[] | null;
  /** Length of a vector column (0 for scalars). */
  width: number;
}

/** Bookkeeping columns every LeRobot frame has: not worth plotting. */
const BOOKKEEPING = new Set(['timestamp', 'frame_index', 'episode_index', 'index', 'task_index']);

/** The numeric non-video features of a dataset, vectors first (what a researcher looks at first). */
export function frameColumns(features: { key: string; isVideo: boolean; isNumeric: boolean; shape: number[]; names: string[] | null }[]): TraceColumn[] {
  const cols = features
    .filter((f) => f.isNumeric && !f.isVideo && !BOOKKEEPING.has(f.key))
    .map((f) => {
      const width = f.shape.reduce((a, b) => a * b, 1);
      return { table: 'frames', column: f.key, names: width > 1 ? f.names : null, width: width > 1 ? width : 0 };
    });
  return [...cols.filter((c) => c.width > 0), ...cols.filter((c) => c.width === 0)];
}

const NUMERIC_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN|REAL)$/i;

/**
 * Numeric columns of result tables that hold per-frame values (an `episode_index` column and a `frame_index` or
 * `timestamp` column): scores, predictions or anything a notebook computed per frame.
 */
export function resultColumns(tables: { name: string; columns: { name: string; type: string }[] }[], exclude: readonly string[]): TraceColumn[] {
  const out: TraceColumn[] = [];
  for (const t of tables) {
    if (exclude.includes(t.name)) continue;
    const names = new Set(t.columns.map((c) => c.name));
    if (!names.has('episode_index') || !(names.has('frame_index') || names.has('timestamp'))) continue;
    for (const c of t.columns) {
      if (BOOKKEEPING.has(c.name) || !NUMERIC_TYPE.test(c.type.trim())) continue;
      out.push({ table: t.name, column: c.name, names: null, width: 0 });
    }
  }
  return out;
}

/** A stable id for a column in a picker (`table.column`). */
export function columnId(c: Pick<TraceColumn, 'table' | 'column'>): string {
  return `${c.table}.${c.column}`;
}

/**
 * One episode's values of a column, long format `(t, series, value)`: vectors give one series per element
 * (`element` is 1-based), scalars one series. `t` is the frame's time: `timestamp` for frames, else the result's
 * `timestamp` or `frame_index / fps`.
 */
export function traceSql(c: TraceColumn, episode: number, fps: number, hasTimestamp = true): string {
  const col = quoteIdent(c.column);
  const ep = Math.trunc(episode);
  const t = hasTimestamp ? 'timestamp' : `frame_index / ${Number(fps)}`;
  if (c.width > 0) {
    return `SELECT ${t} AS t, i AS element, ${col}[i]::DOUBLE AS value FROM (SELECT ${t === 'timestamp' ? 'timestamp' : 'frame_index'}, ${col} FROM ${quoteIdent(c.table)} WHERE episode_index = ${ep}), range(1, len(${col}) + 1) r(i) ORDER BY i, t`;
  }
  return `SELECT ${t} AS t, 1 AS element, ${col}::DOUBLE AS value FROM ${quoteIdent(c.table)} WHERE episode_index = ${ep} ORDER BY t`;
}

/** Display name of series `element` (1-based) of a column. */
export function seriesLabel(c: TraceColumn, element: number): string {
  if (c.width === 0) return c.column;
  return c.names?.[element - 1] ?? `${c.column}[${element}]`;
}

const LIST_OF_NUMBERS = /^(FLOAT|DOUBLE|REAL|INTEGER|BIGINT|SMALLINT|TINYINT)\[\d*\]$/i;

/**
 * The plottable columns of a `frames` table known only from its catalog entry (frames mapped from MCAP logs have
 * no LeRobot feature list): numeric lists (width unknown until read, shown as vectors) first, then numbers.
 */
export function catalogFrameColumns(columns: { name: string; type: string }[]): TraceColumn[] {
  const cols = columns.filter((c) => !BOOKKEEPING.has(c.name) && c.name !== 'log_time');
  return [
    ...cols.filter((c) => LIST_OF_NUMBERS.test(c.type.trim())).map((c) => ({ table: 'frames', column: c.name, names: null, width: 1 })),
    ...cols.filter((c) => NUMERIC_TYPE.test(c.type.trim())).map((c) => ({ table: 'frames', column: c.name, names: null, width: 0 })),
  ];
}

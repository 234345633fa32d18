/**
 * Preparing result rows for drawing: rows missing any plotted value are skipped, and line-like
 * marks over a continuous x are put in x order (a query's row order rarely matches the axis).
 */
import { columnKind, isContinuousKind, isMissing } from './infer.ts';
import { CHANNEL_KEYS, type PlotSpec } from './spec.ts';

type Row = Record<string, unknown>;

/** Marks whose points are joined in row order. */
const CONNECTED_MARKS: ReadonlySet<PlotSpec['mark']> = new Set(['line', 'lineY', 'areaY']);

function sortKey(value: unknown): number {
  return value instanceof Date ? value.getTime() : (value as number);
}

/**
 * The rows to draw: a new array (the input is never mutated) without rows where any channel column
 * is null, undefined or NaN, sorted by x for line/lineY/areaY when x is numeric or temporal.
 */
export function prepareRows(spec: PlotSpec, rows: readonly Row[]): Row[] {
  const columns = CHANNEL_KEYS.map((k) => spec[k]).filter((c): c is string => c !== undefined);
  const kept = rows.filter((row) => columns.every((c) => !isMissing(row[c])));
  const x = spec.x;
  if (x !== undefined && CONNECTED_MARKS.has(spec.mark) && isContinuousKind(columnKind(kept, x))) {
    // Array.prototype.sort is stable, so ties keep their query order.
    kept.sort((a, b) => sortKey(a[x]) - sortKey(b[x]));
  }
  return kept;
}

/**
 * Cross-episode views: one signal of many episodes drawn over each other (by time, or by phase: each episode's
 * frames spread over [0, 1]), and the episodes a brushed rectangle of that chart catches. Pure SQL builders: the
 * queries run in the DB worker, and name one column and a literal list of episodes so that `frames` fetches only
 * those episodes' row groups of that column.
 */
import { quoteIdent, quoteString } from '../util/sql';
import type { TraceColumn } from './columns';

/** How the x axis of an overlay is normalised. */
export type Normalise = 'time' | 'phase';

/** What an overlay draws: one series (`element`, 1-based, of a vector column) over time or phase. */
export interface OverlaySpec {
  column: TraceColumn;
  element: number;
  normalise: Normalise;
}

/** A slice of episodes: equality filters on columns of `episodes` (e.g. task, policy_version, outcome). */
export type Slice = Record<string, string | number | null>;

/** A rectangle in data coordinates (x in seconds or phase, y in the column's unit). */
export interface Rect {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** `WHERE` condition of a slice (`TRUE` when empty; `null` values are skipped). */
export function sliceWhere(slice: Slice): string {
  const parts = Object.entries(slice)
    .filter(([, v]) => v != null && v !== '')
    .map(([k, v]) => `CAST(${quoteIdent(k)} AS VARCHAR) = ${quoteString(String(v))}`);
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

/** The first `limit` episodes of a slice, in index order. */
export function sliceEpisodesSql(slice: Slice, limit: number): string {
  return `SELECT episode_index FROM episodes WHERE ${sliceWhere(slice)} ORDER BY episode_index LIMIT ${Math.max(1, Math.trunc(limit))}`;
}

function episodeList(episodes: readonly number[]): string {
  if (!episodes.length) return '(NULL)';
  return `(${episodes.map((e) => Math.trunc(e)).join(', ')})`;
}

/**
 * The overlay's points `(episode, x, y)`: x is the frame's time, or its phase `frame_index / (length − 1)`.
 * Frames with a NULL value are left out.
 */
export function overlaySql(spec: OverlaySpec, episodes: readonly number[]): string {
  const col = quoteIdent(spec.column.column);
  const v = spec.column.width > 0 ? `${col}[${Math.trunc(spec.element)}]` : col;
  const x =
    spec.normalise === 'phase'
      ? 'frame_index::DOUBLE / greatest(1, max(frame_index) OVER (PARTITION BY episode_index))'
      : 'timestamp::DOUBLE';
  return `SELECT episode_index AS episode, x, y FROM (SELECT episode_index, ${x} AS x, ${v}::DOUBLE AS y FROM ${quoteIdent(spec.column.table)} WHERE episode_index IN ${episodeList(episodes)}) WHERE y IS NOT NULL ORDER BY episode, x`;
}

/** The episodes among `episodes` with at least one point of the overlay inside `r`. */
export function brushSql(spec: OverlaySpec, episodes: readonly number[], r: Rect): string {
  const n = normaliseRect(r);
  return `SELECT DISTINCT episode FROM (${overlaySql(spec, episodes)}) WHERE x BETWEEN ${n.x0} AND ${n.x1} AND y BETWEEN ${n.y0} AND ${n.y1} ORDER BY episode`;
}

/** A rectangle with x0 ≤ x1 and y0 ≤ y1 (a drag may go any way). */
export function normaliseRect(r: Rect): Rect {
  return { x0: Math.min(r.x0, r.x1), x1: Math.max(r.x0, r.x1), y0: Math.min(r.y0, r.y1), y1: Math.max(r.y0, r.y1) };
}

/**
 * The data rectangle of a drag between two pointer positions (pixels in the chart), given the chart's inverse
 * scales. Null for a drag too small to mean a region (a click).
 */
export function rectFromDrag(
  a: { x: number; y: number },
  b: { x: number; y: number },
  invertX: (px: number) => number,
  invertY: (py: number) => number,
  minPixels = 3,
): Rect | null {
  if (Math.abs(a.x - b.x) < minPixels && Math.abs(a.y - b.y) < minPixels) return null;
  return normaliseRect({ x0: invertX(a.x), x1: invertX(b.x), y0: invertY(a.y), y1: invertY(b.y) });
}

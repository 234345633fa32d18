/**
 * Markers on the episode's timeline: the failure onset (from the log or a review) and spans where a per-frame flag is
 * set (interventions, flagged states), for datasets and result tables that have such columns.
 */
import { quoteIdent } from '../util/sql';

/** A per-frame column whose name says it marks moments worth seeing. */
export const MARKER_NAME = /interven|flag|disengag|anomal/i;

/** A span `[start, end]` in seconds where a flag is set, with what set it. */
export interface MarkerSpan {
  label: string;
  start: number;
  end: number;
}

/**
 * Runs of truthy values in time order, as spans from the first flagged frame to the last (a single flagged frame is
 * a span of zero length, drawn as a line).
 */
export function flagSpans(rows: { t: number; v: unknown }[], label: string): MarkerSpan[] {
  const spans: MarkerSpan[] = [];
  let open: MarkerSpan | null = null;
  for (const r of [...rows].sort((a, b) => a.t - b.t)) {
    const on = r.v === true || (typeof r.v === 'number' && r.v !== 0 && Number.isFinite(r.v)) || (typeof r.v === 'bigint' && r.v !== 0n);
    if (on) {
      if (open) open.end = r.t;
      else open = { label, start: r.t, end: r.t };
    } else if (open) {
      spans.push(open);
      open = null;
    }
  }
  if (open) spans.push(open);
  return spans;
}

/** The flag column's values over one episode (`t`, `v`). */
export function flagSql(table: string, column: string, episode: number, hasTimestamp: boolean, fps: number): string {
  const t = hasTimestamp ? 'timestamp' : `frame_index / ${Number(fps)}`;
  return `SELECT ${t} AS t, ${quoteIdent(column)} AS v FROM ${quoteIdent(table)} WHERE episode_index = ${Math.trunc(episode)} ORDER BY t`;
}

/** The onset the viewer marks: this annotator's review first, else the corrected `episodes` view's. */
export function onsetOf(reviewed: number | null | undefined, logged: unknown): number | null {
  if (reviewed != null && Number.isFinite(reviewed)) return reviewed;
  const n = typeof logged === 'bigint' ? Number(logged) : typeof logged === 'number' ? logged : logged == null ? NaN : Number(logged);
  return Number.isFinite(n) ? n : null;
}

/**
 * Annotations as a table: the `annotations` table in DuckDB (what jobs and SQL cells read) and the sidecar file
 * a team shares (the same columns, keyed by episode index and annotator). Pure functions: the review session
 * moves the bytes.
 */
import { Table, tableToIPC } from 'apache-arrow';
import { float64Vector, int64Vector, utf8Vector } from '../util/arrow-vectors';
import type { Annotation } from '../store/annotations';

/** The sidecar's columns, in order (also the `annotations` table's). */
export const SIDECAR_COLUMNS = ['episode_index', 'annotator', 'outcome', 'failure_category', 'onset_s', 'note', 'gate', 'updated_at_ms', 'label'] as const;

/**
 * The one label agreement compares: `success` for a success, else the failure category (or the outcome when
 * no category was given). Kappa on these is kappa on failure modes; collapsed, on success/failure.
 */
export function labelOf(a: Pick<Annotation, 'outcome' | 'failureCategory'>): string | null {
  if (a.outcome === 'success') return 'success';
  return a.failureCategory ?? a.outcome ?? null;
}

/**
 * Annotations as Arrow IPC with explicit column types (inferred types would make text columns dictionaries,
 * which DuckDB turns into ENUMs that do not compare with the log's VARCHAR labels).
 */
export function annotationsToIpc(rows: readonly Annotation[]): Uint8Array {
  // Built from buffers, not with vectorFromArray: Arrow's builders use `new Function`, which the page's CSP forbids.
  const text = (f: (a: Annotation) => string | null | undefined) => utf8Vector(rows.map((a) => f(a) ?? null));
  const table = new Table({
    episode_index: int64Vector(rows.map((a) => BigInt(a.episodeIndex))),
    annotator: text((a) => a.annotator),
    outcome: text((a) => a.outcome),
    failure_category: text((a) => a.failureCategory),
    onset_s: float64Vector(rows.map((a) => a.onsetS ?? null)),
    note: text((a) => a.note),
    gate: text((a) => a.gate),
    updated_at_ms: int64Vector(rows.map((a) => BigInt(Math.round(a.updatedAt)))),
    label: text((a) => labelOf(a)),
  });
  return tableToIPC(table, 'stream');
}

/** What reading a sidecar file's rows produced: rows for `AnnotationStore.importRows`, or why it cannot. */
export type SidecarRows = { ok: true; rows: Record<string, unknown>[] } | { ok: false; error: string };

/**
 * Maps rows of a sidecar file (as DuckDB read it) to annotation rows of the open dataset. The file must have
 * `episode_index`; every other column is optional, unknown columns are refused with their names (a file of
 * something else should not half-import). Rows without an annotator get `defaultAnnotator` (e.g. the file's name).
 */
export function sidecarRows(rows: readonly Record<string, unknown>[], columns: readonly string[], datasetKey: string, defaultAnnotator: string): SidecarRows {
  if (!columns.includes('episode_index')) {
    return { ok: false, error: `The file has no episode_index column (it has: ${columns.join(', ') || 'no columns'}). A sidecar has one row per episode and annotator, keyed by episode_index.` };
  }
  const unknown = columns.filter((c) => !(SIDECAR_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) {
    return { ok: false, error: `The file has columns a sidecar does not: ${unknown.join(', ')}. Expected some of: ${SIDECAR_COLUMNS.join(', ')}.` };
  }
  const value = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v === null || v === '' ? undefined : v);
  return {
    ok: true,
    rows: rows.map((r) => {
      const out: Record<string, unknown> = {
        datasetKey,
        episodeIndex: value(r.episode_index),
        annotator: value(r.annotator) ?? defaultAnnotator,
        outcome: value(r.outcome),
        failureCategory: value(r.failure_category),
        onsetS: value(r.onset_s),
        note: value(r.note),
        gate: value(r.gate),
        updatedAt: value(r.updated_at_ms),
      };
      // Text columns DuckDB read as numbers (a category "3") are still text to the store.
      for (const k of ['annotator', 'outcome', 'failureCategory', 'note', 'gate']) if (typeof out[k] === 'number') out[k] = String(out[k]);
      for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
      return out;
    }),
  };
}

/**
 * The last run's results of a notebook, kept so that opening it again shows them at once (marked as saved) while
 * every cell re-runs on the live data, the way a Jupyter or marimo notebook opens with its outputs. Only small,
 * complete results are kept (a chart's data, a short table): a cell whose result has more rows than were read is
 * not, because its grid would page through rows that are not there yet.
 *
 * Results are keyed by the notebook's content (sources, outcome mapping, cells): any edit or another data source
 * gives another key, so saved results never stand for a different notebook. The demo ships its health notebook's
 * results (`static/demo/results/`, written by `npm run demo`), so a first visit draws its charts before
 * DuckDB-WASM has started; a later visit reads them from this browser.
 */
import type { NotebookDoc } from './types';

/** What a saved cell holds: its result as JSON-safe values (see {@link encodeValue}). */
export interface SavedCell {
  columns: { name: string; type: string }[];
  rowCount: number;
  rows: Record<string, unknown>[];
}

/** A notebook's saved results. */
export interface SavedResults {
  /** {@link resultsKey} of the notebook the results belong to. */
  key: string;
  /** When they were computed (ISO), or null for results shipped with the app. */
  savedAt: string | null;
  /** By cell id. */
  cells: Record<string, SavedCell>;
}

/** Most rows a saved cell keeps: enough for the charts and short tables worth showing at once. */
export const SAVED_ROW_LIMIT = 5_000;

/**
 * A content key of what defines a notebook's results. FNV-1a over a canonical JSON (keys sorted), in two 32-bit
 * lanes: a lookup key, not a security measure; written here because `crypto.subtle` is missing on plain-http hosts.
 */
export function resultsKey(doc: Pick<NotebookDoc, 'sources' | 'cells' | 'outcome'>): string {
  const text = canonicalJson({ sources: doc.sources, outcome: doc.outcome ?? null, cells: doc.cells });
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c ^ (a >>> 7), 0x5bd1e995) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** JSON with object keys in sorted order (undefined members dropped, as JSON.stringify does). */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Marks a value JSON cannot hold as such: BIGINT as `{$n}`, dates as `{$d}`, NaN/±Infinity as `{$f}`. */
export function encodeValue(v: unknown): unknown {
  if (typeof v === 'bigint') return { $n: v.toString() };
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $f: String(v) };
  if (v instanceof Date) return { $d: v.getTime() };
  if (Array.isArray(v)) return v.map(encodeValue);
  if (ArrayBuffer.isView(v)) throw new TypeError('binary values are not saved');
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeValue(x)]));
  return v;
}

/** The inverse of {@link encodeValue}. */
export function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.$n === 'string') return BigInt(o.$n);
    if (keys.length === 1 && typeof o.$d === 'number') return new Date(o.$d);
    if (keys.length === 1 && typeof o.$f === 'string') return Number(o.$f);
    return Object.fromEntries(keys.map((k) => [k, decodeValue(o[k])]));
  }
  return v;
}

/** A finished result as a saved cell, or null when it is too large, partial or not JSON-safe. */
export function saveCell(out: { columns: { name: string; type: string }[]; rowCount: number; rows: Record<string, unknown>[]; truncated?: boolean }): SavedCell | null {
  if (out.truncated || out.rows.length !== out.rowCount || out.rowCount > SAVED_ROW_LIMIT) return null;
  try {
    return { columns: out.columns.map((c) => ({ name: c.name, type: c.type })), rowCount: out.rowCount, rows: out.rows.map((r) => encodeValue(r) as Record<string, unknown>) };
  } catch {
    return null;
  }
}

/** The rows of a saved cell as the runner holds them. */
export function restoredRows(cell: SavedCell): Record<string, unknown>[] {
  return cell.rows.map((r) => decodeValue(r) as Record<string, unknown>);
}

/** Checks a parsed value is saved results (a shipped file or a stored entry may be anything). */
export function isSavedResults(v: unknown): v is SavedResults {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  if (typeof o.key !== 'string' || !(o.savedAt === null || typeof o.savedAt === 'string') || !o.cells || typeof o.cells !== 'object') return false;
  return Object.values(o.cells as object).every(
    (c: unknown) =>
      !!c && typeof c === 'object' && Array.isArray((c as SavedCell).columns) && Array.isArray((c as SavedCell).rows) && typeof (c as SavedCell).rowCount === 'number' && (c as SavedCell).rows.length <= SAVED_ROW_LIMIT,
  );
}

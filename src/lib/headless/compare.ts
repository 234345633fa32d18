/**
 * Comparing two runs of one notebook (e.g. DuckDB-WASM and native DuckDB): the same cells done, the same columns,
 * the same rows — floating point to a relative tolerance, and in the same order where the SQL orders them.
 */

/** One cell's full result from one engine. */
export interface CellRows {
  name: string;
  status: string;
  columns?: { name: string; type: string }[];
  rowCount?: number;
  rows?: Record<string, unknown>[];
  /** Whether the cell's SQL orders its rows (then the order must match too). */
  ordered: boolean;
}

/** Whether `sql`'s outermost query ends with ORDER BY (a crude but conservative check: comments and strings stripped). */
export function ordersRows(sql: string): boolean {
  const s = sql
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/'(?:[^']|'')*'/g, "''");
  // Depth-0 ORDER BY only: one inside a window or subquery does not order the result.
  let depth = 0;
  let top = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0) top += ch;
  }
  return /\border\s+by\b/i.test(top);
}

/** Equal as values: numbers to `rel` relative tolerance, arrays and objects element by element. */
export function sameValue(a: unknown, b: unknown, rel = 1e-9): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i], rel));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a instanceof Date || b instanceof Date) return String(a) === String(b);
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel));
  }
  return a === b;
}

/** A sort key for unordered results, insensitive to float noise below 9 significant digits. */
function rowKey(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v));
}

/** Every difference between two runs' cells, as readable lines (empty: the runs agree). */
export function compareRuns(a: CellRows[], b: CellRows[], rel = 1e-9): string[] {
  const out: string[] = [];
  if (a.length !== b.length) out.push(`${a.length} cells vs ${b.length} cells`);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    const at = `cell ${x.name}`;
    if (x.status !== y.status) {
      out.push(`${at}: status ${x.status} vs ${y.status}`);
      continue;
    }
    if (x.rowCount !== y.rowCount) out.push(`${at}: ${x.rowCount} rows vs ${y.rowCount}`);
    const cx = (x.columns ?? []).map((c) => `${c.name} ${c.type}`).join(', ');
    const cy = (y.columns ?? []).map((c) => `${c.name} ${c.type}`).join(', ');
    if (cx !== cy) out.push(`${at}: columns (${cx}) vs (${cy})`);
    const rx = x.rows ?? [];
    const ry = y.rows ?? [];
    if (rx.length !== ry.length) {
      out.push(`${at}: ${rx.length} rows read vs ${ry.length}`);
      continue;
    }
    const [sx, sy] = x.ordered ? [rx, ry] : [[...rx].sort(byKey), [...ry].sort(byKey)];
    const bad = sx.findIndex((r, j) => !sameValue(r, sy[j], rel));
    if (bad >= 0) out.push(`${at}: row ${bad} differs${x.ordered ? '' : ' (sorted)'}: ${JSON.stringify(sx[bad])} vs ${JSON.stringify(sy[bad])}`);
  }
  return out;
}

function byKey(p: Record<string, unknown>, q: Record<string, unknown>): number {
  const a = rowKey(p);
  const b = rowKey(q);
  return a < b ? -1 : a > b ? 1 : 0;
}

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
  /** The result columns the cell's SQL orders by (then their sequence must match too; see {@link orderKeys}). */
  orderBy: string[];
}

/** `sql` with comments removed and string literals emptied, and its depth-0 text (outside any parentheses). */
function topLevel(sql: string): string {
  const s = sql
    .replace(/--[^\n]*/g, '')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/'(?:[^']|'')*'/g, "''");
  // Depth 0 only: an ORDER BY inside a window or subquery does not order the result.
  let depth = 0;
  let top = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0) top += ch;
  }
  return top;
}

/**
 * The result columns the outermost ORDER BY sorts by, as far as they can be named: plain or quoted column names
 * (an `alias.` prefix dropped) and ordinals, up to the first key that is an expression. Ties on these keys may
 * come out in any order (engines and thread counts differ), so only the keys' sequence is compared in order.
 */
export function orderKeys(sql: string, columns: readonly string[]): string[] {
  const top = topLevel(sql);
  const m = [...top.matchAll(/\border\s+by\b/gi)].pop();
  if (!m) return [];
  const clause = top.slice(m.index! + m[0].length).split(/\b(limit|offset)\b|;/i)[0];
  const keys: string[] = [];
  for (const raw of clause.split(',')) {
    const k = raw.trim().replace(/\s+nulls\s+(first|last)$/i, '').replace(/\s+(asc|desc)$/i, '').trim();
    let name: string | undefined;
    if (/^\d+$/.test(k)) name = columns[Number(k) - 1];
    else {
      const id = k.match(/^(?:[A-Za-z_]\w*\.)?(?:"((?:[^"]|"")+)"|([A-Za-z_]\w*))$/);
      const n = id ? (id[1]?.replaceAll('""', '"') ?? id[2]) : undefined;
      name = n && columns.includes(n) ? n : undefined;
    }
    if (!name) break;
    keys.push(name);
  }
  return keys;
}

/** Equal as values: numbers to `rel` relative (plus `abs` absolute) tolerance, arrays and objects element by element. */
export function sameValue(a: unknown, b: unknown, rel = 1e-9, abs = 0): boolean {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
    if (a === b) return true;
    return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
  }
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i], rel, abs));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    if (a instanceof Date || b instanceof Date) return String(a) === String(b);
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel, abs));
  }
  return a === b;
}

/** A sort key for unordered results, insensitive to float noise below 9 significant digits. */
function rowKey(row: Record<string, unknown>): string {
  return JSON.stringify(row, (_k, v) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v));
}

/** Every difference between two runs' cells, as readable lines (empty: the runs agree). */
export function compareRuns(a: CellRows[], b: CellRows[], rel = 1e-9, abs = 0): string[] {
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
    // The same rows (as multisets) …
    const [sx, sy] = [[...rx].sort(byKey), [...ry].sort(byKey)];
    const bad = sx.findIndex((r, j) => !sameValue(r, sy[j], rel, abs));
    if (bad >= 0) {
      out.push(`${at}: row ${bad} (sorted) differs: ${JSON.stringify(sx[bad])} vs ${JSON.stringify(sy[bad])}`);
      continue;
    }
    // … in the same order of the ORDER BY keys.
    if (x.orderBy.length) {
      const pick = (r: Record<string, unknown>) => x.orderBy.map((k) => r[k]);
      const off = rx.findIndex((r, j) => !sameValue(pick(r), pick(ry[j]), rel, abs));
      if (off >= 0) out.push(`${at}: row ${off} is out of order by (${x.orderBy.join(', ')}): ${JSON.stringify(pick(rx[off]))} vs ${JSON.stringify(pick(ry[off]))}`);
    }
  }
  return out;
}

function byKey(p: Record<string, unknown>, q: Record<string, unknown>): number {
  const a = rowKey(p);
  const b = rowKey(q);
  return a < b ? -1 : a > b ? 1 : 0;
}

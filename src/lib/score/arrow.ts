/**
 * Score results as Arrow IPC streams, ready for the database worker's `insertArrow(name, ipc)`: integer and float
 * columns, vectors as FixedSizeList<Float32> (DuckDB's FLOAT[n]), strings as Utf8.
 */
import { Field, FixedSizeList, Float32, Float64, Int32, Table, makeData, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { utf8Vector } from '../util/arrow-vectors';

/** One output column. */
export type ColumnSpec =
  | { name: string; values: Int32Array }
  | { name: string; values: Float32Array; dims?: number }
  | { name: string; values: Float64Array }
  | { name: string; values: (string | null)[] };

function vectorOf(c: ColumnSpec): Vector {
  const v = c.values;
  if (v instanceof Int32Array) return makeVector(makeData({ type: new Int32(), length: v.length, nullCount: 0, data: v }));
  if (v instanceof Float64Array) return makeVector(makeData({ type: new Float64(), length: v.length, nullCount: 0, data: v }));
  if (v instanceof Float32Array) {
    const dims = 'dims' in c && c.dims ? c.dims : 1;
    const flat = makeData({ type: new Float32(), length: v.length, nullCount: 0, data: v });
    if (dims === 1) return makeVector(flat);
    const type = new FixedSizeList(dims, new Field('element', new Float32(), false));
    return makeVector(makeData({ type, length: v.length / dims, nullCount: 0, child: flat }));
  }
  // Not vectorFromArray: Arrow's builders compile with `new Function`, which the page's CSP forbids.
  return utf8Vector(v);
}

/** An Arrow table of the columns (all the same length in rows). */
export function resultTable(columns: ColumnSpec[]): Table {
  const vectors: Record<string, Vector> = {};
  for (const c of columns) vectors[c.name] = vectorOf(c);
  const lengths = new Set(Object.values(vectors).map((v) => v.length));
  if (lengths.size > 1) throw new Error(`result columns differ in length: ${[...lengths].join(', ')}`);
  return new Table(vectors);
}

/** The columns as an Arrow IPC stream. */
export function resultIpc(columns: ColumnSpec[]): Uint8Array {
  return tableToIPC(resultTable(columns), 'stream');
}

/** Rows of plain objects → columns (numbers become Float64, or Int32 when `ints` names them; the rest strings). */
export function rowsToColumns(rows: Record<string, unknown>[], ints: string[] = []): ColumnSpec[] {
  if (rows.length === 0) return [];
  return Object.keys(rows[0]).map((name): ColumnSpec => {
    const first = rows[0][name];
    if (ints.includes(name)) return { name, values: Int32Array.from(rows, (r) => Number(r[name])) };
    if (typeof first === 'number') return { name, values: Float64Array.from(rows, (r) => Number(r[name])) };
    return { name, values: rows.map((r) => (r[name] === null || r[name] === undefined ? null : String(r[name]))) };
  });
}

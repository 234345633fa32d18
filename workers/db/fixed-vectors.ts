import { Data, Field, FixedSizeList, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, makeData, type DataType, Type } from 'apache-arrow';

/**
 * Fixed-size vectors (issue 14, lever 2): LeRobot stores `observation.state`/`action` as Parquet LIST<FLOAT> even
 * though every row has the same number of joints; an Arrow `FixedSizeList` of the same values becomes a DuckDB
 * `FLOAT[n]` ARRAY. This rewrites the Arrow IPC that parquet-wasm produced (the new batches point at the same child
 * buffers; only the IPC re-serialisation copies), and only when exactly equivalent: every list in the batch has the
 * same length and no list is NULL (a NULL element inside a list is kept as is).
 *
 * Measured, not (yet) used by the app: on DuckDB-WASM 1.4.3 the A/B did not show a win that beats the ~120–180 ms
 * per 65k rows the conversion costs. On the shared, overloaded machine of 2026-12-03 (load average ~35 on 2
 * cores) two interleaved runs of bench/insert-ab.ts gave opposite minima (List 28 vs FixedSizeList 122 ms over 15
 * reps; 334 vs 98 ms over 21 reps), so `frames` keeps loading lists until a quiet-machine A/B says otherwise.
 * Kept as the B arm of `bench/levers.ts` and `bench/insert-ab.ts`; the app integration (FramesSource fallback to
 * lists per column, the cell naming its path) is commit de8047b on branch h7.
 */

/** What {@link toFixedSize} did to one IPC stream. */
export interface FixedSizeResult {
  ipc: Uint8Array;
  /** Columns now FixedSizeList, with their width. */
  fixed: Record<string, number>;
  /** List columns left as lists, with the reason (varying length, NULL lists, nested element). */
  general: Record<string, string>;
}

function isFlatList(t: DataType): boolean {
  if (t.typeId !== Type.List) return false;
  const child = (t as unknown as { children: Field[] }).children[0];
  return [Type.Float, Type.Int, Type.Bool].includes(child.type.typeId);
}

/**
 * Width of a list column in one batch's data if every row holds exactly that many values and no row is NULL,
 * else a reason it is not fixed-size.
 */
function uniformWidth(d: Data): number | string {
  if (d.nullCount > 0) return 'NULL lists';
  const off = d.valueOffsets as Int32Array;
  if (d.length === 0) return -1;
  const w = off[d.offset + 1] - off[d.offset];
  for (let i = d.offset + 1; i <= d.offset + d.length; i++) {
    if (off[i] - off[i - 1] !== w) return 'lists of varying length';
  }
  return w;
}

/**
 * Rewrites the flat list columns of an Arrow IPC stream as FixedSizeList where every batch agrees on one width.
 * @param only list columns to consider (default: every flat list column)
 */
export function toFixedSize(ipc: Uint8Array, only?: ReadonlySet<string>): FixedSizeResult {
  const table = tableFromIPC(ipc);
  const fixed: Record<string, number> = {};
  const general: Record<string, string> = {};
  const fields = table.schema.fields;
  const candidates = fields.filter((f) => isFlatList(f.type) && (!only || only.has(f.name)));
  if (!candidates.length) return { ipc, fixed, general };
  for (const f of candidates) {
    let width: number | null = null;
    let reason: string | null = null;
    for (const batch of table.batches) {
      const d = batch.getChild(f.name)!.data[0];
      const w = uniformWidth(d);
      if (typeof w === 'string') reason = w;
      else if (w >= 0 && width !== null && w !== width) reason = 'lists of varying length';
      else if (w >= 0) width = w;
      if (reason) break;
    }
    if (reason) general[f.name] = reason;
    else if (width === null || width === 0) general[f.name] = 'no values';
    else fixed[f.name] = width;
  }
  if (!Object.keys(fixed).length) return { ipc, fixed, general };
  const newFields = fields.map((f) => {
    const w = fixed[f.name];
    if (!w) return f;
    const child = (f.type as unknown as { children: Field[] }).children[0];
    return new Field(f.name, new FixedSizeList(w, child), f.nullable, f.metadata);
  });
  const schema = new Schema(newFields, table.schema.metadata);
  const batches = table.batches.map((batch) => {
    const children = fields.map((f, i) => {
      const d = batch.getChildAt(i)!.data[0];
      const w = fixed[f.name];
      if (!w) return d;
      const off = d.valueOffsets as Int32Array;
      const start = off[d.offset];
      // The values of this batch's rows, a zero-copy slice of the list's child.
      const values = d.children[0].slice(start, d.length * w);
      return makeData({ type: newFields[i].type as FixedSizeList, length: d.length, nullCount: 0, child: values });
    });
    const struct = makeData({ type: new Struct(newFields), length: batch.numRows, nullCount: 0, children });
    return new RecordBatch(schema, struct);
  });
  return { ipc: tableToIPC(new Table(schema, batches), 'stream'), fixed, general };
}

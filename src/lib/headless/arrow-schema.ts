import { tableFromIPC, Type, type Field } from 'apache-arrow';

/**
 * Fixed list widths from a Parquet file's `ARROW:schema` metadata (pyarrow and HF datasets store it, base64 of an
 * Arrow IPC schema message): column → width for every FixedSizeList column. The app's Parquet reader honours this
 * schema (such columns become DuckDB arrays, `FLOAT[26]`), DuckDB's own reader does not (`FLOAT[]`), so the
 * native path casts them back to give `frames` the same types on both engines.
 */
export function fixedListWidths(arrowSchemaValue: Uint8Array | string): Map<string, number> {
  const b64 = typeof arrowSchemaValue === 'string' ? arrowSchemaValue : new TextDecoder().decode(arrowSchemaValue);
  const msg = Buffer.from(b64, 'base64');
  // A schema message alone is a stream without batches once an end-of-stream marker follows it.
  const stream = Buffer.concat([msg, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]);
  const out = new Map<string, number>();
  let fields: Field[];
  try {
    fields = tableFromIPC(stream).schema.fields;
  } catch {
    return out; // unreadable metadata: fall back to DuckDB's own types
  }
  for (const f of fields) if (f.type.typeId === Type.FixedSizeList) out.set(f.name, (f.type as unknown as { listSize: number }).listSize);
  return out;
}

/**
 * Arrow vectors built from their buffers, without Arrow's builders. Why: `vectorFromArray` and `makeBuilder`
 * compile their null check with `new Function(...)`, which the page's Content-Security-Policy forbids (no eval),
 * so code on the page (not in a worker) that hands Arrow to DuckDB builds its columns here instead.
 */
import { Float64, Int64, Utf8, makeData, makeVector, type Vector } from 'apache-arrow';

/** The validity bitmap of `values` (bit set: present), least-significant bit first, and the null count. */
function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8));
  let nullCount = 0;
  values.forEach((v, i) => {
    if (v === null || v === undefined) nullCount++;
    else nullBitmap[i >> 3] |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

/** A Utf8 vector; null and undefined become nulls. */
export function utf8Vector(values: readonly (string | null | undefined)[]): Vector<Utf8> {
  const enc = new TextEncoder();
  const parts = values.map((v) => (v === null || v === undefined ? new Uint8Array(0) : enc.encode(v)));
  const valueOffsets = new Int32Array(values.length + 1);
  parts.forEach((p, i) => (valueOffsets[i + 1] = valueOffsets[i] + p.length));
  const data = new Uint8Array(valueOffsets[values.length]);
  parts.forEach((p, i) => data.set(p, valueOffsets[i]));
  return makeVector(makeData({ type: new Utf8(), length: values.length, ...validity(values), valueOffsets, data }));
}

/** A Float64 vector; null and undefined become nulls. */
export function float64Vector(values: readonly (number | null | undefined)[]): Vector<Float64> {
  const data = Float64Array.from(values, (v) => v ?? 0);
  return makeVector(makeData({ type: new Float64(), length: values.length, ...validity(values), data }));
}

/** An Int64 vector without nulls. */
export function int64Vector(values: readonly bigint[]): Vector<Int64> {
  return makeVector(makeData({ type: new Int64(), length: values.length, nullCount: 0, data: BigInt64Array.from(values) }));
}

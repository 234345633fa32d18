import { describe, expect, it } from 'vitest';
import { Table, tableFromIPC, tableToIPC } from 'apache-arrow';
import { float64Vector, int64Vector, utf8Vector } from './arrow-vectors.ts';

describe('Arrow vectors from buffers (no builders, no eval)', () => {
  it('round-trip through IPC with nulls, empty strings and non-ASCII text', () => {
    const text = ['a', null, '', 'ünï <b>', undefined, 'x'.repeat(20)];
    const nums = [1.5, null, -0, Number.NaN, undefined, 1e300];
    const ints = [0n, -1n, 2n ** 62n, 3n, 4n, 5n];
    const t = tableFromIPC(tableToIPC(new Table({ s: utf8Vector(text), f: float64Vector(nums), i: int64Vector(ints) }), 'stream'));
    expect(t.numRows).toBe(6);
    expect(t.getChild('s')!.toArray()).toEqual(['a', null, '', 'ünï <b>', null, 'x'.repeat(20)]);
    expect([...t.getChild('f')!]).toEqual([1.5, null, -0, Number.NaN, null, 1e300]);
    expect([...t.getChild('i')!]).toEqual(ints);
    expect(t.getChild('s')!.nullCount).toBe(2);
  });

  it('handle empty columns', () => {
    const t = tableFromIPC(tableToIPC(new Table({ s: utf8Vector([]), f: float64Vector([]), i: int64Vector([]) }), 'stream'));
    expect(t.numRows).toBe(0);
    expect(t.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Float64', 'Int64']);
  });
});

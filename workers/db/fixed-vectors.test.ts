import { describe, expect, it } from 'vitest';
import { Field, Float32, List, Table, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import { toFixedSize } from './fixed-vectors';

function listIpc(rows: (number[] | null)[]): Uint8Array {
  const v = vectorFromArray(rows as never[], new List(new Field('item', new Float32(), true)));
  return tableToIPC(new Table({ v }), 'stream');
}

describe('toFixedSize', () => {
  it('turns lists of one length into FixedSizeList, keeping NaN and NULL elements', () => {
    const r = toFixedSize(listIpc([[1, NaN, 3], [4, 5, 6], [7, 8, 9]]));
    expect(r.fixed).toEqual({ v: 3 });
    const t = tableFromIPC(r.ipc);
    expect(String(t.schema.fields[0].type)).toMatch(/FixedSizeList\[3\]/);
    expect([...t.getChild('v')!].map((x) => [...(x as Iterable<number>)])).toEqual([[1, NaN, 3], [4, 5, 6], [7, 8, 9]]);
  });

  it('leaves lists of varying length and NULL lists alone, saying why', () => {
    expect(toFixedSize(listIpc([[1, 2], [3]])).general).toEqual({ v: 'lists of varying length' });
    const nulls = toFixedSize(listIpc([[1, 2], null]));
    expect(nulls.general).toEqual({ v: 'NULL lists' });
    expect(String(tableFromIPC(nulls.ipc).schema.fields[0].type)).toMatch(/^List/);
  });
});


import { describe, expect, it } from 'vitest';
import {
  MAX_SPACER_HEIGHT,
  PAGE_SIZE,
  columnWidth,
  formatCell,
  isNumericType,
  pagesCovering,
  scrollGeometry,
  typeKind,
  visibleRange,
} from './ResultGrid.svelte';

describe('typeKind / isNumericType', () => {
  it('classifies DuckDB type names', () => {
    for (const t of ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UBIGINT', 'UINTEGER', 'INT', 'int8']) expect(typeKind(t), t).toBe('integer');
    for (const t of ['FLOAT', 'DOUBLE', 'REAL', 'DECIMAL(18,3)', 'NUMERIC(4,1)', 'DECIMAL']) expect(typeKind(t), t).toBe('float');
    expect(typeKind('FLOAT[]')).toBe('list');
    expect(typeKind('INTEGER[3]')).toBe('list');
    expect(typeKind('DATE')).toBe('date');
    expect(typeKind('TIMESTAMP WITH TIME ZONE')).toBe('timestamp');
    expect(typeKind('TIMESTAMP_NS')).toBe('timestamp');
    expect(typeKind('BOOLEAN')).toBe('boolean');
    expect(typeKind('VARCHAR')).toBe('other');
    expect(typeKind('STRUCT(a INTEGER)')).toBe('other');
    expect(isNumericType('DOUBLE')).toBe(true);
    expect(isNumericType('DOUBLE[]')).toBe(false);
    expect(isNumericType('VARCHAR')).toBe(false);
  });
});

describe('formatCell', () => {
  it('formats by value and column type', () => {
    expect(formatCell(null, 'INTEGER')).toEqual({ text: 'null', kind: 'null' });
    expect(formatCell(undefined, 'VARCHAR').kind).toBe('null');
    expect(formatCell(1234, 'BIGINT')).toEqual({ text: '1,234', kind: 'number' });
    expect(formatCell(2, 'DOUBLE').text).toBe('2');
    expect(formatCell(0.123456, 'DOUBLE').text).toBe('0.1235');
    expect(formatCell(true, 'BOOLEAN')).toEqual({ text: 'true', kind: 'boolean' });
    expect(formatCell('pick', 'VARCHAR')).toEqual({ text: 'pick', kind: 'string', title: undefined });
  });

  it('shows dates as ISO', () => {
    const d = new Date('2024-03-05T06:07:08.000Z');
    expect(formatCell(d, 'DATE').text).toBe('2024-03-05');
    expect(formatCell(d, 'TIMESTAMP').text).toBe('2024-03-05 06:07:08');
    expect(formatCell(new Date('2024-03-05T06:07:08.120Z'), 'TIMESTAMP').text).toBe('2024-03-05 06:07:08.120');
    expect(formatCell(new Date(Number.NaN), 'TIMESTAMP').text).toBe('Invalid date');
  });

  it('truncates long lists, reading only their first items', () => {
    expect(formatCell([1, 2.5, null], 'DOUBLE[]')).toEqual({ text: '[1, 2.5, null]', kind: 'list', title: undefined });
    const long = formatCell(Array.from({ length: 1_000_000 }, (_, i) => i), 'BIGINT[]');
    expect(long.text.startsWith('[0, 1, 2, ')).toBe(true);
    expect(long.text.endsWith(', …]')).toBe(true);
    expect(long.text.length).toBeLessThan(80);
    expect(long.title).toBe('1,000,000 items');
    expect(formatCell(new Float32Array([0.5, 0.25]), 'FLOAT[]').text).toBe('[0.5, 0.25]');
    expect(formatCell([[1, 2], [3]], 'INTEGER[][]').text).toBe('[[1, 2], [3]]');
  });

  it('shows structs, blobs and long strings compactly', () => {
    expect(formatCell({ a: 1, b: 'x' }, 'STRUCT(a INTEGER, b VARCHAR)').text).toBe('{a: 1, b: x}');
    expect(formatCell(new Uint8Array(2048), 'BLOB').text).toBe('<2,048 bytes>');
    const s = 'x'.repeat(10_000);
    const cell = formatCell(s, 'VARCHAR');
    expect(cell.text.length).toBe(501);
    expect(cell.title?.length).toBe(2000);
  });
});

describe('virtualisation maths', () => {
  it('uses a 1:1 spacer for ordinary results', () => {
    expect(scrollGeometry(1000, 26, 280)).toEqual({ totalHeight: 26000, spacerHeight: 26000, ratio: 1, maxVirtualTop: 25720 });
    expect(scrollGeometry(0, 26, 280)).toEqual({ totalHeight: 0, spacerHeight: 0, ratio: 1, maxVirtualTop: 0 });
  });

  it('caps the spacer for 10M rows and maps scroll proportionally, end to end', () => {
    const g = scrollGeometry(10_000_000, 26, 280);
    expect(g.spacerHeight).toBe(MAX_SPACER_HEIGHT);
    expect(g.totalHeight).toBe(260_000_000);
    expect(g.ratio * (g.spacerHeight - 280)).toBeCloseTo(g.maxVirtualTop, 3);
    const last = visibleRange(g.maxVirtualTop, 280, 26, 10_000_000, 0);
    expect(last.end).toBe(10_000_000);
  });

  it('computes the visible rows with overscan, clamped to the result', () => {
    expect(visibleRange(0, 260, 26, 1000, 5)).toEqual({ start: 0, end: 15 });
    expect(visibleRange(2600, 260, 26, 1000, 5)).toEqual({ start: 95, end: 115 });
    expect(visibleRange(25_990, 260, 26, 1000, 5)).toEqual({ start: 994, end: 1000 });
    expect(visibleRange(0, 260, 26, 0, 5)).toEqual({ start: 0, end: 0 });
  });

  it('lists the pages covering a row range', () => {
    expect(PAGE_SIZE).toBe(200);
    expect(pagesCovering(0, 15)).toEqual([0]);
    expect(pagesCovering(190, 215)).toEqual([0, 1]);
    expect(pagesCovering(400, 400)).toEqual([]);
    expect(pagesCovering(9_999_990, 10_000_000)).toEqual([49_999]);
  });

  it('sizes columns from name, type and sample values', () => {
    const narrow = columnWidth({ name: 'n', type: 'BIGINT' }, []);
    const wide = columnWidth({ name: 'n', type: 'VARCHAR' }, [{ n: 'a fairly long piece of text in this column' }]);
    expect(narrow).toBeGreaterThanOrEqual(64);
    expect(wide).toBeGreaterThan(narrow);
    expect(columnWidth({ name: 'x', type: 'VARCHAR' }, [{ x: 'y'.repeat(5000) }])).toBe(360);
  });
});

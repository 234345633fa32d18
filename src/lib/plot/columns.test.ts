import { describe, expect, it } from 'vitest';
import { checkColumns, columnsUsed } from './columns.ts';
import { resolveSort } from './sort.ts';
import type { PlotSpec } from './spec.ts';

const columns = [
  { name: 'policy_version', type: 'INTEGER' },
  { name: 'success_rate', type: 'DOUBLE' },
  { name: 'n', type: 'BIGINT' },
];

describe('columnsUsed', () => {
  it('lists channel columns once, in spec order', () => {
    const spec: PlotSpec = { data: 'r', mark: 'dot', x: 'a', y: 'b', fill: 'a', fx: 'c', r: 'd', text: 'e' };
    expect(columnsUsed(spec)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('includes a sort column no channel draws, but not channel keywords', () => {
    expect(columnsUsed({ data: 'r', mark: 'barY', x: 'a', y: 'b', sort: { x: 'n' } })).toEqual(['a', 'b', 'n']);
    expect(columnsUsed({ data: 'r', mark: 'barY', x: 'a', y: 'b', sort: { x: 'y' } })).toEqual(['a', 'b']);
    expect(columnsUsed({ data: 'r', mark: 'barY', x: 'a', sort: { x: 'y' } })).toEqual(['a']); // y is the count
  });
});

describe('checkColumns', () => {
  it('passes when every column exists', () => {
    expect(checkColumns({ data: 'by_version', mark: 'line', x: 'policy_version', y: 'success_rate' }, columns)).toEqual([]);
  });

  it('names the missing column, the result and its columns, with a suggestion', () => {
    const errors = checkColumns({ data: 'by_version', mark: 'line', x: 'policy_version', y: 'sucess_rate' }, columns);
    expect(errors).toEqual([
      'Column "sucess_rate" not found in result "by_version" (columns: policy_version, success_rate, n). Did you mean "success_rate"?',
    ]);
  });

  it('matches exactly but hints at case differences', () => {
    const [error] = checkColumns({ data: 'r', mark: 'barY', x: 'Policy_Version' }, columns);
    expect(error).toMatch(/Did you mean "policy_version"\?$/);
  });

  it('does not suggest for unrelated short names', () => {
    const [error] = checkColumns({ data: 'r', mark: 'barY', x: 'v' }, columns);
    expect(error).toBe('Column "v" not found in result "r" (columns: policy_version, success_rate, n).');
  });

  it('elides long column lists and handles empty results', () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ name: `c${i}`, type: 'INTEGER' }));
    expect(checkColumns({ data: 'r', mark: 'barY', x: 'zzz' }, many)[0]).toMatch(/c29, … \(15 more\)\)\.$/);
    expect(checkColumns({ data: 'r', mark: 'barY', x: 'a' }, [])[0]).toBe('Column "a" not found in result "r" (it has no columns).');
  });

  it('checks the sort column too', () => {
    expect(checkColumns({ data: 'r', mark: 'barY', x: 'policy_version', sort: { x: 'rate' } }, columns)).toHaveLength(1);
  });
});

describe('resolveSort', () => {
  it('resolves columns drawn by a channel, channel keywords, own values and other columns', () => {
    const base: PlotSpec = { data: 'r', mark: 'barY', x: 'task', y: 'rate' };
    expect(resolveSort(base)).toBeNull();
    expect(resolveSort({ ...base, sort: { x: 'rate', descending: true } })).toEqual({ kind: 'channel', key: 'y', column: 'rate', descending: true });
    expect(resolveSort({ ...base, sort: { x: 'y' } })).toEqual({ kind: 'channel', key: 'y', column: 'rate', descending: false });
    expect(resolveSort({ ...base, sort: { x: 'task' } })).toEqual({ kind: 'self', descending: false });
    expect(resolveSort({ ...base, sort: { descending: true } })).toEqual({ kind: 'self', descending: true });
    expect(resolveSort({ ...base, sort: { x: 'n' } })).toEqual({ kind: 'column', column: 'n', descending: false });
  });

  it('treats x as the value for horizontal bars', () => {
    const spec: PlotSpec = { data: 'r', mark: 'barX', x: 'rate', y: 'task', sort: { x: 'x' } };
    expect(resolveSort(spec)).toEqual({ kind: 'channel', key: 'x', column: 'rate', descending: false });
    expect(resolveSort({ ...spec, sort: { x: 'task' } })).toEqual({ kind: 'self', descending: false });
  });

  it('a column literally named like a keyword wins over the keyword', () => {
    const spec: PlotSpec = { data: 'r', mark: 'barY', x: 'task', y: 'rate', fill: 'y', sort: { x: 'y' } };
    expect(resolveSort(spec)).toEqual({ kind: 'channel', key: 'fill', column: 'y', descending: false });
  });
});

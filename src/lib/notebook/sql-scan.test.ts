import { describe, expect, it } from 'vitest';
import { queryShape, referencedNames, splitStatements } from './sql-scan';
import { dependencyGraph, downstreamOf } from './deps';
import type { CellData } from './types';

describe('splitStatements', () => {
  it('splits at top-level semicolons only', () => {
    expect(splitStatements(`SET x = 1; SELECT ';' AS s, "a;b" FROM t -- c;\n; /* ; */`)).toEqual([
      'SET x = 1',
      `SELECT ';' AS s, "a;b" FROM t -- c;`,
    ]);
  });
  it('drops empty and comment-only statements', () => {
    expect(splitStatements('-- nothing\n;;')).toEqual([]);
  });
});

describe('referencedNames', () => {
  it('finds bare and quoted identifiers, not strings or comments', () => {
    const names = referencedNames(`SELECT * FROM By_Version JOIN "Weird Name" USING (k) WHERE x = 'other_table' -- not_this`);
    expect(names.has('by_version')).toBe(true);
    expect(names.has('Weird Name')).toBe(true);
    expect(names.has('other_table')).toBe(false);
    expect(names.has('not_this')).toBe(false);
  });
});

describe('queryShape', () => {
  it.each([
    ['SELECT 1', 'query'],
    ['  with a as (select 1) select * from a', 'query'],
    ['FROM episodes', 'query'],
    ['-- c\nSUMMARIZE episodes', 'wrap'],
    ['CREATE TABLE x AS SELECT 1', 'command'],
    ['SET threads = 1', 'command'],
  ])('%s → %s', (sql, shape) => expect(queryShape(sql)).toBe(shape));
});

describe('dependencies between cells', () => {
  const cells: CellData[] = [
    { id: '1', kind: 'sql', name: 'a', source: 'SELECT * FROM episodes' },
    { id: '2', kind: 'sql', name: 'b', source: 'SELECT * FROM a' },
    { id: '3', kind: 'plot', name: 'c', source: '', plot: { data: 'b', mark: 'barY' } },
    { id: '4', kind: 'sql', name: 'd', source: 'SELECT 1' },
    { id: '5', kind: 'sql', name: 'e', source: 'SELECT * FROM a, d' },
  ];
  it('finds transitive dependents in notebook order', () => {
    expect(downstreamOf(cells, '1')).toEqual(['2', '3', '5']);
    expect(downstreamOf(cells, '4')).toEqual(['5']);
    expect(downstreamOf(cells, '3')).toEqual([]);
  });
  it('reports references to cells further down', () => {
    const { problems } = dependencyGraph([cells[1], cells[0]]);
    expect(problems).toEqual([{ cellId: '2', message: expect.stringMatching(/"a", which is defined further down/) }]);
  });
});

import { describe, expect, it } from 'vitest';
import { exploreNotebook, healthNotebook } from '../notebook/templates';
import { MAX_CELLS, isSourceUrl, validateNotebook } from './schema.ts';

const base = () => ({ version: 1, title: 'T', sources: [], cells: [] }) as Record<string, unknown>;
const sql = (name: string, extra: Record<string, unknown> = {}) => ({ id: name, kind: 'sql', name, source: 'SELECT 1', ...extra });

function errorsOf(doc: unknown): string[] {
  const result = validateNotebook(doc);
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors;
}

describe('validateNotebook', () => {
  it('accepts the built-in templates and returns an equal copy', () => {
    for (const doc of [healthNotebook(), exploreNotebook([{ name: 'dataset', kind: 'lerobot', url: 'https://huggingface.co/datasets/x/y/resolve/main/' }])]) {
      const result = validateNotebook(doc);
      expect(result).toEqual({ ok: true, doc });
      if (result.ok) expect(result.doc).not.toBe(doc);
    }
  });

  it('accepts layout and deep link fields', () => {
    const doc = { ...base(), cells: [sql('q')], layout: { focus: 'q' }, deepLink: { cell: 'q', episode: 12, t: 3.25 } };
    expect(validateNotebook(doc)).toEqual({ ok: true, doc });
  });

  it('treats null optional fields as absent', () => {
    const result = validateNotebook({ ...base(), layout: null, deepLink: null, sources: [{ name: 's', kind: 'csv', url: null, role: null }] });
    expect(result).toEqual({ ok: true, doc: { ...base(), sources: [{ name: 's', kind: 'csv' }] } });
  });

  const cases: { name: string; doc: unknown; error: RegExp }[] = [
    { name: 'not an object', doc: [], error: /must be a JSON object, got an array/ },
    { name: 'wrong version', doc: { ...base(), version: 2 }, error: /"version" must be 1, got 2/ },
    { name: 'version as string', doc: { ...base(), version: '1' }, error: /"version" must be 1, got "1"/ },
    { name: 'missing title', doc: { ...base(), title: undefined }, error: /"title" must be a string, got nothing/ },
    { name: 'long title', doc: { ...base(), title: 'x'.repeat(201) }, error: /"title" is longer than 200/ },
    { name: 'sources not an array', doc: { ...base(), sources: {} }, error: /"sources" must be an array/ },
    { name: 'source kind', doc: { ...base(), sources: [{ name: 'a', kind: 'parquet' }] }, error: /sources\[0\]\.kind must be one of "lerobot", "csv"/ },
    { name: 'source name', doc: { ...base(), sources: [{ name: 'a b', kind: 'csv' }] }, error: /sources\[0\]\.name must be an identifier/ },
    { name: 'source role', doc: { ...base(), sources: [{ name: 'a', kind: 'csv', role: 'log' }] }, error: /sources\[0\]\.role must be one of/ },
    { name: 'source url type', doc: { ...base(), sources: [{ name: 'a', kind: 'csv', url: 5 }] }, error: /sources\[0\]\.url must be a string/ },
    { name: 'unknown key with hint', doc: { ...base(), titel: 'x' }, error: /Unknown key "titel" in the notebook .*Did you mean "title"\?/ },
    { name: 'unknown cell key', doc: { ...base(), cells: [sql('q', { sql: 'x' })] }, error: /Unknown key "sql" in cells\[0\] \("q"\)/ },
    { name: 'cell kind', doc: { ...base(), cells: [sql('q', { kind: 'python' })] }, error: /cells\[0\] \("q"\)\.kind must be one of "sql", "plot", "markdown"/ },
    { name: 'cell name', doc: { ...base(), cells: [sql('q', { name: '1abc' })] }, error: /cells\[0\]\.name must be an identifier/ },
    { name: 'cell name too long', doc: { ...base(), cells: [sql('q', { name: 'a'.repeat(64) })] }, error: /\.name must be an identifier/ },
    { name: 'cell id', doc: { ...base(), cells: [sql('q', { id: 'a b' })] }, error: /\.id must be 1–64 letters/ },
    { name: 'cell source type', doc: { ...base(), cells: [sql('q', { source: ['SELECT'] })] }, error: /\.source must be a string, got an array/ },
    { name: 'cell source too long', doc: { ...base(), cells: [sql('q', { source: 'x'.repeat(100_001) })] }, error: /\.source is longer than 100,000 characters/ },
    { name: 'duplicate cell ids', doc: { ...base(), cells: [sql('a'), sql('b', { id: 'a' })] }, error: /cells\[1\] repeats the cell id "a" of cells\[0\]/ },
    { name: 'duplicate cell names (any case)', doc: { ...base(), cells: [sql('a'), sql('A')] }, error: /repeats the cell name "a"/ },
    { name: 'duplicate source names', doc: { ...base(), sources: [{ name: 'd', kind: 'csv' }, { name: 'd', kind: 'csv' }] }, error: /repeats the source name/ },
    { name: 'plot spec invalid', doc: { ...base(), cells: [{ id: 'c', kind: 'plot', name: 'c', source: '', plot: { data: 'q', mark: 'pie' } }] }, error: /cells\[0\] \("c"\)\.plot: "mark" must be one of/ },
    { name: 'plot spec missing', doc: { ...base(), cells: [{ id: 'c', kind: 'plot', name: 'c', source: '' }] }, error: /\.plot: Plot spec must be an object/ },
    { name: 'plot on a sql cell', doc: { ...base(), cells: [sql('q', { plot: { data: 'q', mark: 'barY', x: 'a' } })] }, error: /\.plot is only allowed on plot cells/ },
    { name: 'too many cells', doc: { ...base(), cells: Array.from({ length: MAX_CELLS + 1 }, (_, i) => sql(`c${i}`)) }, error: /"cells" has 501 entries; at most 500/ },
    { name: 'layout type', doc: { ...base(), layout: 'wide' }, error: /"layout" must be an object/ },
    { name: 'layout focus', doc: { ...base(), layout: { focus: 'no such!' } }, error: /layout\.focus must be an identifier/ },
    { name: 'deep link episode', doc: { ...base(), deepLink: { episode: -1 } }, error: /deepLink\.episode must be a whole number/ },
    { name: 'deep link episode fraction', doc: { ...base(), deepLink: { episode: 1.5 } }, error: /deepLink\.episode must be a whole number/ },
    { name: 'deep link time', doc: { ...base(), deepLink: { t: Infinity } }, error: /deepLink\.t must be a number of seconds/ },
    { name: 'deep link key', doc: { ...base(), deepLink: { frame: 3 } }, error: /Unknown key "frame" in deepLink/ },
  ];
  for (const c of cases) {
    it(`rejects: ${c.name}`, () => {
      expect(errorsOf(c.doc).join('\n')).toMatch(c.error);
    });
  }

  const hostileUrls = [
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    ' javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    '\u0000javascript:alert(1)',
    'data:text/csv,a,b',
    'file:///etc/passwd',
    'blob:https://example.com/uuid',
    'vbscript:msgbox',
    'ftp://example.com/a.csv',
    'https://huggingface.co@evil.example/a.csv',
    'https://user:pw@example.com/a.csv',
    'http://[bad',
    '',
  ];
  for (const url of hostileUrls) {
    it(`rejects the source URL ${JSON.stringify(url)}`, () => {
      expect(isSourceUrl(url)).toBe(false);
      expect(errorsOf({ ...base(), sources: [{ name: 'd', kind: 'lerobot', url }] }).join('\n')).toMatch(/sources\[0\]\.url must be an http\(s\) URL/);
    });
  }

  for (const url of ['https://huggingface.co/datasets/a/b/resolve/main/', 'http://localhost:8000/d/', 'demo/', './demo/x.csv', '/data/x.csv', '//cdn.example/x.csv', 'data/a:b.csv']) {
    it(`accepts the source URL ${JSON.stringify(url)}`, () => {
      expect(isSourceUrl(url)).toBe(true);
    });
  }

  it('rejects __proto__ and constructor keys without polluting prototypes', () => {
    const text = '{"version":1,"title":"t","sources":[],"cells":[{"id":"a","kind":"sql","name":"a","source":"","__proto__":{"polluted":1}}],"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}';
    const errors = errorsOf(JSON.parse(text));
    expect(errors).toContain('Unknown key "__proto__" in the notebook (allowed: version, title, sources, cells, layout, deepLink, outcome, approvedHosts).');
    expect(errors.join('\n')).toMatch(/Unknown key "constructor" in the notebook/);
    expect(errors.join('\n')).toMatch(/Unknown key "__proto__" in cells\[0\]/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns only known keys (nothing odd reaches the app)', () => {
    const input = JSON.parse('{"version":1,"title":"t","sources":[],"cells":[]}');
    const result = validateNotebook(input);
    expect(result.ok && Object.keys(result.doc)).toEqual(['version', 'title', 'sources', 'cells']);
    expect(result.ok && Object.getPrototypeOf(result.doc)).toBe(Object.prototype);
  });

  it('rejects objects that are not plain (class instances, Dates)', () => {
    expect(errorsOf(new Date())[0]).toMatch(/must be a JSON object/);
    expect(errorsOf({ ...base(), cells: [new Map()] })[0]).toMatch(/cells\[0\] must be an object/);
  });

  it('reports every problem, capped at 50 messages', () => {
    const cells = Array.from({ length: 200 }, (_, i) => ({ id: `c${i}`, kind: 'sql', name: `c${i}`, source: 1 }));
    const errors = errorsOf({ ...base(), cells });
    expect(errors).toHaveLength(51);
    expect(errors[50]).toBe('…and 150 more problems.');
  });
});

describe('outcome mappings', () => {
  const doc = (outcome: unknown) => ({ version: 1, title: 't', sources: [], cells: [], outcome });
  it.each([
    [{ kind: 'log' }],
    [{ kind: 'frame-column', column: 'is_episode_successful', rule: 'any' }],
    [{ kind: 'sql', expression: "task ILIKE '%pick%'" }],
  ])('accepts %j', (outcome) => {
    const r = validateNotebook(doc(outcome));
    expect(r.ok && r.doc.outcome).toEqual(outcome);
  });
  it.each([
    [{ kind: 'sql', expression: 'true; DROP TABLE episodes' }, /one expression/],
    [{ kind: 'frame-column', column: 'x', rule: 'sometimes' }, /outcome.rule/],
    [{ kind: 'magic' }, /outcome.kind/],
    [{ kind: 'log', extra: 1 }, /Unknown key "extra"/],
  ])('rejects %j', (outcome, message) => {
    const r = validateNotebook(doc(outcome));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.join('\n')).toMatch(message);
  });
});

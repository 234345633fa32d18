import { describe, expect, it } from 'vitest';
import { COLOR_SCHEMES, PLOT_MARKS, validatePlotSpec, type PlotSpec } from './spec.ts';

function errorsOf(input: unknown): string[] {
  const r = validatePlotSpec(input);
  return r.ok ? [] : r.errors;
}

function specOf(input: unknown): PlotSpec {
  const r = validatePlotSpec(input);
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
}

describe('validatePlotSpec', () => {
  it('accepts a minimal spec and returns a clean copy', () => {
    const input = { data: 'by_version', mark: 'barY', x: 'policy', y: 'success_rate' };
    const spec = specOf(input);
    expect(spec).toEqual(input);
    expect(spec).not.toBe(input);
  });

  it('accepts every field', () => {
    const input = {
      data: 'r', mark: 'dot', x: 'a', y: 'b', fill: 'c', stroke: 'd', fx: 'e', fy: 'f', r: 'g', text: 'h',
      title: 'T', xLabel: 'X', yLabel: 'Y', stack: true, percent: false, sort: { x: 'y', descending: true },
      height: 300, colorScheme: 'Tableau10', legend: false, grid: true,
    };
    expect(specOf(input)).toEqual(input);
  });

  it('accepts every mark with its required channels', () => {
    for (const mark of PLOT_MARKS) {
      expect(errorsOf({ data: 'r', mark, x: 'a', y: 'b', text: 'c' })).toEqual([]);
    }
  });

  it('rejects non-objects', () => {
    for (const bad of [null, undefined, 3, 'barY', [], new Date()]) {
      expect(errorsOf(bad)[0]).toMatch(/must be an object/);
    }
  });

  it('rejects unknown keys by name, with a hint', () => {
    const errors = errorsOf({ data: 'r', mark: 'barY', x: 'a', hieght: 200, color: 'c' });
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/Unknown key "hieght".*Did you mean "height"\?/);
    expect(errors[1]).toMatch(/Unknown key "color".*"fill"/);
  });

  it('rejects __proto__ and constructor keys from JSON', () => {
    const input = JSON.parse('{"data":"r","mark":"barY","x":"a","__proto__":{"polluted":1},"constructor":1}');
    const errors = errorsOf(input);
    expect(errors.some((e) => e.includes('"__proto__"'))).toBe(true);
    expect(errors.some((e) => e.includes('"constructor"'))).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('requires data and mark', () => {
    const errors = errorsOf({});
    expect(errors).toContain('"data" is required (the name of a result).');
    expect(errors.some((e) => e.startsWith('"mark" is required'))).toBe(true);
  });

  it('rejects unknown marks with a suggestion', () => {
    expect(errorsOf({ data: 'r', mark: 'bary', x: 'a' })[0]).toMatch(/"mark" must be one of .*Did you mean "barY"\?/);
    expect(errorsOf({ data: 'r', mark: 'pie', x: 'a' })[0]).toMatch(/got "pie"/);
  });

  it('checks field names: strings, non-empty, at most 200 characters', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 3 })).toEqual(['"x" must be a string, got 3.']);
    expect(errorsOf({ data: 'r', mark: 'barY', x: '  ' })[0]).toBe('"x" must not be empty.');
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a'.repeat(201) })[0]).toBe('"x" is longer than 200 characters.');
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a'.repeat(200) })).toEqual([]);
    expect(errorsOf({ data: { name: 'r' }, mark: 'barY', x: 'a' })[0]).toBe('"data" must be a string, got an object.');
  });

  it('treats null optional fields as absent', () => {
    expect(specOf({ data: 'r', mark: 'barY', x: 'a', y: null, title: null, sort: null })).toEqual({ data: 'r', mark: 'barY', x: 'a' });
  });

  it('bounds height and requires a finite number', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', height: 10 })[0]).toMatch(/between 80 and 2000/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', height: 1e9 })[0]).toMatch(/between 80 and 2000/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', height: '300' })[0]).toMatch(/must be a number/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', height: Number.NaN })[0]).toMatch(/must be a number/);
    expect(specOf({ data: 'r', mark: 'barY', x: 'a', height: 300.4 }).height).toBe(300);
  });

  it('checks booleans', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', stack: 'no' })).toEqual(['"stack" must be true or false, got "no".']);
  });

  it('allows only known color schemes, case-insensitively, normalising the case', () => {
    expect(specOf({ data: 'r', mark: 'barY', x: 'a', colorScheme: 'viridis' }).colorScheme).toBe('Viridis');
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', colorScheme: 'viridiss' })[0]).toMatch(/Did you mean "Viridis"\?/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', colorScheme: 'url(javascript:alert(1))' })).toHaveLength(1);
    expect(COLOR_SCHEMES).toContain('Observable10');
  });

  it('checks sort strictly', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', sort: 'y' })[0]).toMatch(/"sort" must be an object/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', sort: { y: 'x' } })[0]).toMatch(/Unknown key "y" in "sort"/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', sort: { x: 1 } })[0]).toMatch(/"sort.x" must be a non-empty string/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', sort: { descending: 'yes' } })[0]).toMatch(/"sort.descending"/);
    expect(specOf({ data: 'r', mark: 'barY', x: 'a', sort: { descending: true } }).sort).toEqual({ descending: true });
  });

  it('limits title and label length', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', title: 't'.repeat(501) })[0]).toMatch(/"title" is longer than 500/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', xLabel: 5 })[0]).toMatch(/"xLabel" must be a string/);
  });

  it('requires the channels each mark needs', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', y: 'a' })).toEqual(['Mark "barY" needs "x" (a column name).']);
    expect(errorsOf({ data: 'r', mark: 'barX', x: 'a' })).toEqual(['Mark "barX" needs "y" (a column name).']);
    expect(errorsOf({ data: 'r', mark: 'line', x: 'a' })).toEqual(['Mark "line" needs "y" (a column name).']);
    expect(errorsOf({ data: 'r', mark: 'dot', fill: 'a' })).toEqual(['Mark "dot" needs at least one of "x" or "y".']);
    expect(errorsOf({ data: 'r', mark: 'text', x: 'a' })).toEqual(['Mark "text" needs "text" (a column name).']);
    expect(errorsOf({ data: 'r', mark: 'lineY', y: 'a' })).toEqual([]);
    expect(errorsOf({ data: 'r', mark: 'rectY', x: 'a' })).toEqual([]);
  });

  it('rejects grouped bars that also facet on the grouping axis', () => {
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', y: 'b', fill: 'c', stack: false, fx: 'd' })[0]).toMatch(/groups barY bars side by side using fx/);
    expect(errorsOf({ data: 'r', mark: 'barX', x: 'a', y: 'b', fill: 'c', stack: false, fy: 'd' })[0]).toMatch(/using fy/);
    expect(errorsOf({ data: 'r', mark: 'barY', x: 'a', y: 'b', fill: 'c', stack: true, fx: 'd' })).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(errorsOf({ data: '', mark: 'nope', x: 1, height: 'tall', extra: true })).toHaveLength(5);
  });
});

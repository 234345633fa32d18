import { describe, expect, it } from 'vitest';
import { healthNotebook } from '../notebook/templates';
import { FILE_FORMAT, FILE_MIME, notebookFileName, notebookFromFile, notebookToFile } from './file.ts';
import type { SharedNotebook } from './types.ts';

const doc: SharedNotebook = { ...healthNotebook(), layout: { focus: 'intro' } };

describe('notebook files', () => {
  it('round-trips through a Blob', async () => {
    const blob = notebookToFile(doc);
    expect(blob.type).toBe(FILE_MIME);
    const text = await blob.text();
    expect(JSON.parse(text)).toMatchObject({ format: FILE_FORMAT, version: 1 });
    expect(text.endsWith('}\n')).toBe(true);
    expect(notebookFromFile(text)).toEqual(doc);
  });

  it('exports even an invalid notebook (export must never fail), and reading it back says why', async () => {
    const bad = { ...doc, cells: [{ id: 'x', kind: 'plot', name: 'x', source: '', plot: { data: 'q', mark: 'line', x: 'a' } }] } as SharedNotebook;
    const text = await notebookToFile(bad).text();
    expect(() => notebookFromFile(text)).toThrow(expect.objectContaining({ code: 'invalid', details: [expect.stringMatching(/needs "y"/)] }));
  });

  it('accepts a bare notebook document and a UTF-8 BOM', () => {
    expect(notebookFromFile(`\uFEFF${JSON.stringify(doc)}`)).toEqual(doc);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"format": ', /not valid JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['another JSON file', '{"name": "package"}', /no "format": "flywheel-notebook"/],
    ['another format', '{"format": "jupyter", "version": 1, "notebook": {}}', /"format" is "jupyter"/],
    ['a newer version', '{"format": "flywheel-notebook", "version": 2, "notebook": {}}', /newer version of Flywheel/],
    ['extra fields', `{"format": "flywheel-notebook", "version": 1, "notebook": ${JSON.stringify(doc)}, "__proto__": {}}`, /unexpected fields/],
    ['a bad notebook', '{"format": "flywheel-notebook", "version": 1, "notebook": {"version": 1}}', /does not hold a valid Flywheel notebook/],
  ];
  for (const [name, text, message] of bad) {
    it(`rejects ${name}`, () => {
      expect(() => notebookFromFile(text)).toThrow(message);
    });
  }

  it('makes safe file names', () => {
    expect(notebookFileName({ title: 'Flywheel health' })).toBe('flywheel-health.flywheel.json');
    expect(notebookFileName({ title: '../../etc/Grüße: Q3 / "final"' })).toBe('etcgrue-q3-final.flywheel.json');
    expect(notebookFileName({ title: '' })).toBe('notebook.flywheel.json');
  });
});

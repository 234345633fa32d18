/**
 * Every flywheel job notebook runs in the headless runner (Node, same Workspace and runner as the browser), after
 * a round trip through the notebook file format, with no failing cell, and the analysis cells' results are there.
 */
import { describe, expect, it } from 'vitest';
import { ANALYSIS_TEMPLATES } from '../../src/lib/analysis';
import { runNotebook } from '../../src/lib/headless/run';
import { validateNotebook } from '../../src/lib/share/schema';

describe('the job notebooks in the headless runner', () => {
  for (const t of ANALYSIS_TEMPLATES) {
    it(t.id, async () => {
      const checked = validateNotebook(JSON.parse(JSON.stringify(t.build())));
      if (!checked.ok) throw new Error(checked.errors.join(' '));
      const results = await runNotebook(checked.doc, { maxRows: 5 });
      const failed = results.filter((r) => r.status !== 'done');
      expect(failed.map((r) => `${r.name}: ${r.error}`)).toEqual([]);
      for (const c of checked.doc.cells.filter((c) => c.analysis)) {
        expect(results.find((r) => r.name === c.name)?.rowCount, c.name).toBeGreaterThan(0);
      }
    });
  }
});

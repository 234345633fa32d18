import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { runNotebook } from '../../src/lib/headless/run.ts';
import { healthNotebook } from '../../src/lib/notebook/templates/health.ts';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';

const appUrl = inject('appUrl');

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

/** A grid cell's text as the value it shows (digits are grouped with thin spaces). */
function parseShown(text: string): string | number | boolean | null {
  const t = text.trim();
  if (t === 'null') return null;
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t.replace(/[\s,]/g, ''));
  return t !== '' && Number.isFinite(n) ? n : t;
}

describe('the headless runner', () => {
  test('gives the results the browser shows for the demo health notebook', async () => {
    const headless = await runNotebook(healthNotebook());
    expect(headless.filter((c) => c.status === 'error')).toEqual([]);

    const page = await b.context.newPage();
    await page.goto(appUrl);
    const sqlCells = healthNotebook().cells.filter((c) => c.kind === 'sql').length;
    await page.waitForFunction((n) => document.querySelectorAll('[data-cell-kind="sql"][data-cell-status="done"]').length === n, sqlCells, { timeout: 60_000 });
    for (const cell of headless.filter((c) => c.kind === 'sql')) {
      const grid = page.locator(`[data-cell="${cell.name}"] [data-grid]`);
      expect(Number(await grid.getAttribute('data-row-count')), cell.name).toBe(cell.rowCount);
      const shown = await grid.locator('[data-row-index]').evaluateAll((rows) =>
        rows.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]'), (c) => c.textContent ?? '')),
      );
      const names = cell.columns!.map((c) => c.name);
      shown.slice(0, 5).forEach((texts, i) => {
        const values = texts.slice(-names.length).map(parseShown);
        names.forEach((name, j) => {
          const want = cell.rows![i][name];
          const got = values[j];
          if (typeof want === 'number' && typeof got === 'number') expect(Math.abs(got - want), `${cell.name}.${name}[${i}]`).toBeLessThanOrEqual(Math.abs(want) * 5e-4 + 1e-9);
          else if (typeof want === 'string' && /^\d{4}-\d\d-\d\dT/.test(want)) expect(String(got)).toContain(want.slice(0, 10));
          // Lists show as [a, b, …] in the grid (long ones cut): the shown text starts like the list.
          else if (Array.isArray(want)) expect(String(got).replace(/[…\]]+$/, ''), `${cell.name}.${name}[${i}]`).toBe(`[${want.join(', ')}]`.slice(0, String(got).replace(/[…\]]+$/, '').length));
          else expect(got, `${cell.name}.${name}[${i}]`).toEqual(want);
        });
      });
    }
    await page.close();
  });
});

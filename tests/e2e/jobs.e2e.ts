import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { ARTIFACTS_DIR, saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

describe('the flywheel jobs open from the sidebar and run on the demo', () => {
  for (const id of ['failure-mining', 'red-flags', 'replay-mix', 'cost-per-success', 'agreement']) {
    test(id, async () => {
      const page = await b.context.newPage();
      await page.goto(appUrl);
      await page.waitForSelector('[data-notebook]');
      await page.click(`[data-template="${id}"]`);
      await page.waitForFunction(
        () => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="idle"],[data-cell-status="waiting"]'),
        undefined,
        { timeout: 60_000 },
      );
      await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
      const errors = await page.locator('[data-cell-error]').allInnerTexts();
      expect(errors).toEqual([]);
      await saveScreenshot(page, `job-${id}`);
      await page.close();
    });
  }

  test('failure-mining: each priority sits beside its counts and a Wilson interval, in rank order', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await page.click('[data-template="failure-mining"]');
    await page.waitForSelector('[data-cell="failure_priority"][data-cell-status="done"] [data-row-index]', { timeout: 60_000 });
    const cell = page.locator('[data-cell="failure_priority"]');
    const cols = await cell.locator('[role="columnheader"] .name').allInnerTexts();
    expect(cols.slice(0, 7)).toEqual(['failure_mode', 'failures', 'episodes', 'priority', 'priority_low', 'priority_high', 'failure_rate']);
    const rows = await cell.locator('[role="row"][data-row-index]').evaluateAll((rs) => rs.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]')).map((c) => (c.textContent ?? '').trim())));
    // Numbers as the grid shows them: commas for thousands, so they parse once the commas go.
    const n = (s: string) => Number(s.replace(/,/g, ''));
    const at = (r: string[], c: string) => n(r[cols.indexOf(c)]);
    expect(rows.length).toBeGreaterThan(1);
    for (const r of rows) {
      expect(at(r, 'episodes'), r[0]).toBeGreaterThan(at(r, 'failures'));
      expect(at(r, 'failure_rate')).toBeCloseTo(at(r, 'failures') / at(r, 'episodes'), 3);
      expect(at(r, 'rate_low') <= at(r, 'failure_rate') && at(r, 'failure_rate') <= at(r, 'rate_high'), r[0]).toBe(true);
      expect(at(r, 'priority_low') <= at(r, 'priority') && at(r, 'priority') <= at(r, 'priority_high'), r[0]).toBe(true);
    }
    const priorities = rows.map((r) => at(r, 'priority'));
    expect(priorities).toEqual([...priorities].sort((x, y) => y - x));
    // All deployments are counted, not only the latest policy's: the demo logs hundreds.
    expect(at(rows[0], 'episodes')).toBeGreaterThan(100);
    await cell.screenshot({ path: `${ARTIFACTS_DIR}/job-failure-priority-grid.png` });
    await page.close();
  });
});

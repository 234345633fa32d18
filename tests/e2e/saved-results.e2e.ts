/**
 * A notebook opens with its last results on show while it re-runs (notebook/saved-results.ts): the demo's health
 * notebook from the results shipped with the app, before DuckDB-WASM is ready; a user's dataset from this browser
 * after a first run. Saved results are marked as such and every one is replaced by the live run.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { gridRows, settled } from './notebook-page.ts';

const appUrl = inject('appUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

const marks = (page: Page) => page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));

describe('saved results', () => {
  test('the demo draws its health charts from the shipped results before DuckDB-WASM is ready, then live', async () => {
    const page = await b.context.newPage();
    try {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await page.goto(appUrl);
      await page.waitForSelector('[data-cell-saved][data-cell-kind="plot"] [data-plot][data-rendered="true"]', { timeout: 60_000 });
      const early = await marks(page);
      expect(early['flywheel:saved-results']).toBeGreaterThan(0);
      // Drawn from the saved results: the live run has not finished a chart yet.
      expect(await page.locator('[data-cell-kind="plot"][data-cell-status="done"]').count()).toBe(0);
      expect(await page.locator('[data-cell="success_chart"] .saved').textContent()).toMatch(/saved result shipped with the demo · re-running/);
      const savedRows = await gridRows(page, 'success_by_version');
      expect(savedRows.length).toBe(6);
      await saveScreenshot(page, 'saved-results-demo');
      await settled(page, 120_000);
      const after = await marks(page);
      expect(after['flywheel:saved-results']).toBeLessThan(after['flywheel:sources-loaded']);
      expect(await page.locator('[data-cell-saved]').count()).toBe(0);
      expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
      // The live run gives what was shown.
      expect(await gridRows(page, 'success_by_version')).toEqual(savedRows);
    } finally {
      await page.close();
    }
  });

  test('Run all pressed while the data are still opening runs once they are open, no error or needs-input on the way', async () => {
    const page = await b.context.newPage();
    try {
      // Any cell that shows an error or "needs input" at any moment, not only at the end (a later run would hide it).
      await page.addInitScript(`
        new MutationObserver(() => {
          for (const c of document.querySelectorAll('[data-cell-status="error"],[data-cell-status="disabled"]')) (window.__errors ??= []).push(c.getAttribute('data-cell'));
        }).observe(document, { subtree: true, attributes: true, childList: true });
      `);
      await page.goto(`${appUrl}?dataset=samples/lerobot/v21_unitree-g1_G1-policy-train`);
      await page.click('[data-action="run-all"]', { timeout: 30_000 });
      const early = await marks(page);
      // The click came before the sources were open (else this test would prove nothing).
      expect(early['flywheel:sources-loaded']).toBeUndefined();
      await settled(page, 120_000);
      const seen = new Set(await page.evaluate(() => (window as unknown as { __errors?: string[] }).__errors ?? []));
      const final = new Set(await page.locator('[data-cell-status="disabled"]').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-cell'))));
      expect([...seen].filter((n) => !final.has(n))).toEqual([]);
      expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
      expect(await page.locator('[data-cell-status="done"]').count()).toBeGreaterThan(1);
    } finally {
      await page.close();
    }
  });

  test('a user\'s dataset has none on first open; after a run, a reload shows them (dated) while it re-runs', async () => {
    const page = await b.context.newPage();
    try {
      await page.goto(`${appUrl}?dataset=samples/lerobot/v21_unitree-g1_G1-policy-train`);
      await page.waitForSelector('[data-cell]');
      expect(await page.locator('[data-cell-saved]').count()).toBe(0);
      await settled(page, 120_000);
      const live = await page.locator('[data-cell-status="done"]').count();
      expect(live).toBeGreaterThan(1);
      // Saving is not awaited by the run: wait for it to land in IndexedDB.
      await page.waitForFunction(
        () =>
          new Promise<boolean>((resolve) => {
            const req = indexedDB.open('flywheel');
            req.onsuccess = () => {
              const get = req.result.transaction('kv').objectStore('kv').get('results:index');
              get.onsuccess = () => resolve(Array.isArray(get.result) && get.result.length > 0);
              get.onerror = () => resolve(false);
            };
            req.onerror = () => resolve(false);
          }),
        undefined,
        { timeout: 30_000 },
      );
      await page.reload();
      await page.waitForSelector('[data-cell-saved]', { timeout: 60_000 });
      expect(await page.locator('.saved').first().textContent()).toMatch(/saved result of \w{3} \d+, \d{4}/);
      await settled(page, 120_000);
      expect(await page.locator('[data-cell-saved]').count()).toBe(0);
      expect(await page.locator('[data-cell-status="done"]').count()).toBe(live);
    } finally {
      await page.close();
    }
  });
});

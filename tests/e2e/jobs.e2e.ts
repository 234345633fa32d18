import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';

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
});

import { afterAll, beforeAll, inject, test } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { ARTIFACTS_DIR } from './screenshot.ts';

const appUrl = inject('appUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

test('look', async () => {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(appUrl);
  await page.waitForSelector('[data-notebook]');
  await page.click(`[data-template="failure-mining"]`);
  await page.waitForFunction(() => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="idle"]'), undefined, { timeout: 60_000 });
  await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
  await page.locator('[data-cell="failure_priority"]').screenshot({ path: `${ARTIFACTS_DIR}/look-priority.png` });
  await page.locator('[data-cell="priority_chart"]').screenshot({ path: `${ARTIFACTS_DIR}/look-priority-chart.png` });
}, 120_000);

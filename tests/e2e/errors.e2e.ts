import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import path from 'node:path';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { startServer, type RunningServer } from './serve.ts';
import { saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
const repoRoot = inject('repoRoot');

let b: LaunchedBrowser;
let noRanges: RunningServer;
beforeAll(async () => {
  b = await launchBrowser();
  // A CORS server that ignores Range headers, like some static hosts: every GET returns the whole file.
  noRanges = await startServer({ root: path.join(repoRoot, 'dist'), cors: true, ranges: false });
});
afterAll(async () => {
  await b?.close();
  await noRanges?.close();
});

describe('bad sources get clear errors and a way out', () => {
  test('a server without range support is named, nothing is downloaded whole until the user agrees', async () => {
    const page = await b.context.newPage();
    noRanges.stats.reset();
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(new URL('demo/', noRanges.url).href)}`);
    await page.click('[data-consent] button');
    const err = page.locator('[data-error="session"]');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/does not support HTTP range requests/);
    await saveScreenshot(page, 'error-no-ranges');
    // Nothing but info.json and the 8-byte probe (answered in full) was requested: no Parquet file at all.
    expect(noRanges.stats.log.map((l) => l.path)).toEqual(['/demo/meta/info.json', '/demo/meta/info.json']);

    await page.click('[data-action="whole-files"]');
    await page.waitForSelector('[data-table="frames"]', { timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, { timeout: 60_000 });
    expect(await page.locator('[data-cell="first_episode_frames"][data-cell-status="done"]').count()).toBe(1);
    await page.close();
  });
});

describe('the fetch budget', () => {
  test('a query over the budget asks first, and runs when the user says so', async () => {
    const page = await b.context.newPage();
    await page.addInitScript(() => localStorage.setItem('flywheel:budget-bytes', String(100 * 1024)));
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await page.click('[data-action="add-sql"]');
    const cell = page.locator('[data-cell-kind="sql"]').last();
    await cell.locator('textarea').fill('SELECT count(*) AS n, avg(action[1]) AS a FROM frames');
    await cell.locator('textarea').press('Shift+Enter');
    await cell.locator('[data-cell-error]').waitFor({ timeout: 30_000 });
    expect(await cell.locator('[data-cell-error]').innerText()).toMatch(/needs .* of frame data .* more than the 100\.0 KB budget/);
    await cell.locator('[data-action="run-anyway"]').click();
    await page.waitForFunction((el) => el?.getAttribute('data-cell-status') === 'done', await cell.elementHandle(), { timeout: 60_000 });
    const info = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../static/demo/meta/info.json'), 'utf8'));
    expect((await cell.locator('[data-row-index="0"]').innerText()).replace(/[\s,]/g, '')).toContain(String(info.total_frames));
    await page.close();
  });
});

/**
 * No edit is lost: an edit followed by a reload at once is there after the reload, and two tabs on one notebook
 * do not overwrite each other without saying so.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { settled } from './notebook-page.ts';
import { saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

const EDITOR = '[data-cell="cost_per_success"] textarea';

async function sqlAfterLoad(page: Page): Promise<string> {
  await page.waitForSelector(EDITOR, { timeout: 60_000 });
  return page.locator(EDITOR).inputValue();
}

function localId(page: Page): string {
  return new URLSearchParams(new URL(page.url()).hash.slice(1)).get('id') ?? '';
}

describe('edits survive an immediate reload', () => {
  for (const ms of [100, 300, 1000]) {
    test(`an edit followed by a reload after ${ms} ms is there after the reload`, async () => {
      // A fresh browser each time: the first edit of a notebook (not yet in IndexedDB at all) is the hardest case.
      const own = await launchBrowser();
      try {
        const page = await own.context.newPage();
        const logs = collectConsole(page);
        await page.goto(appUrl);
        await settled(page);
        const text = `SELECT ${ms} AS reloaded_after_ms -- edit 1`;
        await page.locator(EDITOR).fill(text);
        await page.waitForTimeout(ms);
        await page.reload();
        expect(await sqlAfterLoad(page)).toBe(text);
        // A second edit of the now-stored notebook, reloaded just as fast.
        await settled(page);
        const second = `SELECT ${ms} AS reloaded_after_ms -- edit 2`;
        await page.locator(EDITOR).fill(second);
        await page.waitForTimeout(ms);
        await page.reload();
        expect(await sqlAfterLoad(page)).toBe(second);
        // And the journal reached IndexedDB: the notebook is listed, with nothing pending once the save settled.
        await page.locator('[data-notebook-list] li').first().waitFor();
        await page.waitForFunction(() => Object.keys(localStorage).filter((k) => k.startsWith('flywheel:pending:')).length === 0, undefined, { timeout: 10_000 });
        expect(logs.pageErrors).toEqual([]);
        expect(own.blocked).toEqual([]);
      } finally {
        await own.close();
      }
      // Two full loads of the demo notebook: on a shared 2-core machine that can take minutes.
    }, 300_000);
  }
});

describe('two tabs on one notebook', () => {
  test('the second tab says the notebook is open elsewhere and saves its edits as a copy; both edits are kept', async () => {
    const a = await b.context.newPage();
    await a.goto(appUrl);
    await settled(a);
    const editA = 'SELECT 1 AS edited_in_tab_a';
    await a.locator(EDITOR).fill(editA);
    const id = localId(a);
    expect(id).not.toBe('');
    await a.locator('[data-notebook-list] li').first().waitFor();

    const tabB = await b.context.newPage();
    await tabB.goto(a.url());
    await settled(tabB);
    // Tab B opened A's edit, and says at once that the notebook is open in another tab.
    expect(await tabB.locator(EDITOR).inputValue()).toBe(editA);
    await tabB.locator('[data-open-elsewhere="open"]').waitFor();
    expect(await a.locator('[data-open-elsewhere]').count()).toBe(0);

    const editB = 'SELECT 2 AS edited_in_tab_b';
    await tabB.locator(EDITOR).fill(editB);
    await tabB.locator('[data-open-elsewhere="copied"]').waitFor();
    expect(await tabB.locator('[data-open-elsewhere]').innerText()).toMatch(/copy/);
    const copyId = localId(tabB);
    expect(copyId).not.toBe('');
    expect(copyId).not.toBe(id);
    await saveScreenshot(tabB, 'two-tabs-copy');

    // Tab A goes on editing its notebook; nothing of B's lands in it.
    const editA2 = 'SELECT 3 AS edited_again_in_tab_a';
    await a.locator(EDITOR).fill(editA2);
    await a.reload();
    expect(await sqlAfterLoad(a)).toBe(editA2);
    await settled(a);
    expect(await a.locator('[data-open-elsewhere]').count()).toBe(0);

    // B's edit is in its copy, with a title that tells the two apart.
    const c = await b.context.newPage();
    await tabB.close();
    await c.goto(new URL(`#id=${copyId}`, appUrl).href);
    expect(await sqlAfterLoad(c)).toBe(editB);
    await settled(c);
    await c.waitForFunction(() => [...document.querySelectorAll('[data-notebook-list] li')].some((li) => li.textContent?.includes('(copy)')));
    await Promise.all([a.close(), c.close()]);
  }, 300_000);
});

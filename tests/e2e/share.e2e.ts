import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { encodeNotebook } from '../../src/lib/share/index.ts';
import { healthNotebook } from '../../src/lib/notebook/templates/health.ts';
import type { SharedNotebook } from '../../src/lib/share/index.ts';
import { saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

async function settle(page: Page): Promise<void> {
  await page.waitForSelector('[data-notebook]', { timeout: 60_000 });
  await page.waitForFunction(
    () => document.querySelectorAll('[data-cell-status="queued"],[data-cell-status="waiting"],[data-cell-status="running"],[data-cell-status="idle"]').length === 0,
    undefined,
    { timeout: 60_000 },
  );
}

async function gridText(page: Page, cell: string): Promise<string> {
  return (await page.locator(`[data-cell="${cell}"] [data-grid]`).innerText()).replace(/\s+/g, ' ');
}

describe('notebooks are kept, shared and opened safely', () => {
  test('an edit survives a reload', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await settle(page);
    expect(new URL(page.url()).hash).toMatch(/^#id=/);
    const editor = page.locator('[data-cell="cost_per_success"] textarea');
    await editor.fill('SELECT 42 AS answer -- edited before reload');
    // No run, no explicit save: autosave must catch a plain edit.
    await page.waitForTimeout(1200);
    await page.reload();
    await page.waitForSelector('[data-cell="cost_per_success"] textarea');
    expect(await page.locator('[data-cell="cost_per_success"] textarea').inputValue()).toBe('SELECT 42 AS answer -- edited before reload');
    // The stored notebook is listed in the sidebar
    expect(await page.locator('[data-notebook-list] li').count()).toBeGreaterThanOrEqual(1);
    await page.close();
  });

  test('notebooks in this browser: duplicate, delete, undo, rename', async () => {
    const other = await launchBrowser();
    try {
      const page = await other.context.newPage();
      await page.goto(appUrl);
      await settle(page);
      // Untouched, the demo is not stored; the first edit stores it.
      expect(await page.locator('[data-notebook-list] li').count()).toBe(0);
      await page.locator('[data-cell="cycle_time"] textarea').fill('SELECT 1 AS one');
      const items = page.locator('[data-notebook-list] li');
      await items.first().waitFor();
      expect(await items.count()).toBe(1);
      await items.first().hover();
      await items.first().locator('[data-action="duplicate"]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-notebook-list] li').length === 2);
      await items.nth(1).hover();
      await items.nth(1).locator('[data-action="delete"]').click();
      await page.waitForFunction(() => document.querySelectorAll('[data-notebook-list] li').length === 1);
      await page.click('[data-action="undo-delete"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-notebook-list] li').length === 2);
      await items.first().hover();
      await items.first().locator('[data-action="rename"]').click();
      const title = page.locator('[data-notebook-list] input');
      await title.fill('Weekly report');
      await title.press('Enter');
      await page.waitForFunction(() => [...document.querySelectorAll('[data-notebook-list] li')].some((li) => li.textContent?.includes('Weekly report')));
    } finally {
      await other.close();
    }
  });

  test('a share link opens in a fresh browser, asks first, and gives the same results', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await settle(page);
    const editor = page.locator('[data-cell="failure_mix"] textarea');
    await editor.fill(`SELECT failure_category, count(*) AS n FROM episodes WHERE outcome = 'failure' GROUP BY 1 ORDER BY n DESC, 1`);
    await editor.press('Shift+Enter');
    await settle(page);
    const expected = await gridText(page, 'failure_mix');
    await page.click('[data-action="share"]');
    const link = await page.locator('[data-share-link] input').inputValue();
    expect(link).toContain('#nb=1.');
    await page.close();

    const other = await launchBrowser();
    try {
      const p2 = await other.context.newPage();
      await p2.goto(link);
      const consent = p2.locator('[data-consent]');
      await consent.waitFor();
      // The consent lists the queries it will run, including the edited one, and nothing has run.
      expect(await consent.innerText()).toContain('Open and run');
      expect(await p2.locator('[data-consent] details').innerText()).toBeDefined();
      expect(await p2.locator('[data-notebook]').count()).toBe(0);
      await saveScreenshot(p2, 'share-consent');
      await p2.click('[data-action="agree"]');
      await settle(p2);
      expect(await gridText(p2, 'failure_mix')).toBe(expected);
      expect(other.blocked).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test('XSS payloads in a shared notebook do nothing', async () => {
    const doc: SharedNotebook = {
      version: 1,
      title: 'Hostile <img src=x onerror=alert(1)>',
      sources: healthNotebook().sources,
      cells: [
        {
          id: 'md',
          kind: 'markdown',
          name: 'md',
          source: [
            '# Notes <script>window.__xss = 1; alert(1)</script>',
            '<img src="x" onerror="window.__xss = 2">',
            '[click me](javascript:window.__xss=3)',
            '<a href="javascript:alert(1)">js link</a>',
            '<svg onload="window.__xss=4"><script>window.__xss=5</script></svg>',
            '<iframe src="javascript:alert(1)"></iframe>',
            '<form action="javascript:alert(1)"><button>go</button></form>',
            '![pixel](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
          ].join('\n\n'),
        },
        { id: 'q', kind: 'sql', name: 'q', source: `SELECT '<img src=x onerror="window.__xss=6">' AS html` },
      ],
    };
    const payload = await encodeNotebook(doc);
    const page = await b.context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    await page.goto(`${appUrl}#nb=${payload}`);
    await page.click('[data-action="agree"]');
    await settle(page);
    await page.waitForTimeout(500);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const md = page.locator('[data-cell="md"]');
    expect(await md.locator('script, iframe, form, svg, [onerror], [onload]').count()).toBe(0);
    for (const href of await md.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))) {
      expect(href.toLowerCase()).not.toMatch(/^\s*javascript:/);
    }
    // The HTML-looking result value is shown as text, not markup
    expect(await page.locator('[data-cell="q"] [data-grid] img').count()).toBe(0);
    await page.close();
  });

  test('a deep link opens an episode at a time, reading only that episode', async () => {
    const page = await b.context.newPage();
    await page.goto(`${appUrl}#episode=500&t=3.5&cell=cycle_time`);
    const panel = page.locator('[data-episode-panel][data-episode="500"][data-t="3.5"]');
    await panel.waitFor({ timeout: 60_000 });
    await panel.locator('.chart[data-rendered="true"] svg').first().waitFor({ timeout: 30_000 });
    expect(await panel.innerText()).toMatch(/Episode 500 at 3\.50 s/);
    expect(await panel.innerText()).toMatch(/frames/);
    // The playhead sits on t (within one frame at the demo's 15 fps) and is drawn over the chart.
    expect(Math.abs(Number(await panel.getAttribute('data-playhead-s')) - 3.5)).toBeLessThanOrEqual(1 / 15);
    expect(await panel.locator('[data-playhead]').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'deep-link-episode');
    await page.close();
  });

  test('SQL in a notebook cannot reach hosts its sources did not name', async () => {
    const statsUrl = new URL('/__stats', remoteUrl);
    await fetch(new URL('/__stats/reset', remoteUrl));
    const doc: SharedNotebook = {
      ...healthNotebook(),
      cells: [{ id: 'x', kind: 'sql', name: 'exfil', source: `SELECT * FROM read_csv('${new URL('demo/collection_costs.csv', remoteUrl).href}')` }],
    };
    const page = await b.context.newPage();
    await page.goto(`${appUrl}#nb=${await encodeNotebook(doc)}`);
    // The consent lists only this site: the URL inside the SQL is not a source.
    expect(await page.locator('[data-consent-hosts]').count()).toBe(0);
    await page.click('[data-action="agree"]');
    await settle(page);
    expect(await page.locator('[data-cell="exfil"] [data-cell-error]').innerText()).toMatch(/disabled by configuration/);
    const stats = (await (await fetch(statsUrl)).json()) as { requests: number };
    expect(stats.requests).toBe(0);
    await page.close();
  });

  test('?notebook= on another site asks before fetching, then asks before running', async () => {
    const page = await b.context.newPage();
    const file = new URL('fixtures/share/health.flywheel.json', remoteUrl).href;
    await page.goto(`${appUrl}?notebook=${encodeURIComponent(file)}`);
    await page.locator('[data-consent]').waitFor();
    expect(await page.locator('[data-consent]').innerText()).toContain(new URL(remoteUrl).host);
    await page.click('[data-action="agree"]');
    await page.locator('[data-consent] details').waitFor();
    await page.click('[data-action="agree"]');
    await settle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    await page.close();
  });

  test('a browser that refuses storage says so instead of silently losing work', async () => {
    const page = await b.context.newPage();
    await page.addInitScript(() => {
      Object.defineProperty(window, 'indexedDB', { get: () => undefined });
    });
    await page.goto(appUrl);
    await settle(page);
    const problem = page.locator('[data-storage-problem]');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.innerText()).toMatch(/stor/i);
    await page.close();
  });
});

/**
 * No blank or misleading chart: every chart of every notebook template (the overview, flywheel health, each job
 * and data-ops check), on the demo and on the real G1 sample, is drawn in Chromium with visible marks (a bar,
 * cell or dot of non-zero size, a line of non-zero length) and with every text of its SVG (tick labels, axis
 * labels) inside the SVG's box. A chart over no rows says so instead of drawing an empty frame.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import path from 'node:path';
import { settled } from './notebook-page.ts';
import { ARTIFACTS_DIR, saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
const G1 = 'samples/lerobot/v21_unitree-g1_G1-policy-train';
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

/** What one chart looks like in the page. */
interface ChartReport {
  cell: string;
  drawn: boolean;
  empty: boolean;
  message: string | null;
  marks: number;
  clipped: string[];
}

/** Measures every plot cell of the open notebook. */
async function measureCharts(page: Page): Promise<ChartReport[]> {
  // Every chart is drawn, or says why not (its query failed, it has nothing to draw, or the data lacks its inputs).
  await page.waitForFunction(
    () => Array.from(document.querySelectorAll('[data-cell-kind="plot"]')).every((c) => ['error', 'disabled'].includes(c.getAttribute('data-cell-status') ?? '') || c.querySelector('[data-plot][data-rendered="true"], [data-plot] .plot-message')),
    undefined,
    { timeout: 30_000 },
  );
  return page.evaluate(() => {
    const NOT_MARKS = /axis|grid|rule|tip|frame/;
    return Array.from(document.querySelectorAll('[data-cell-kind="plot"]')).map((cell) => {
      const name = cell.getAttribute('data-cell') ?? '?';
      const message = cell.querySelector('[data-plot] .plot-message, [data-cell-error], [data-cell-capability]')?.textContent?.trim() ?? null;
      // The chart's own SVG (legend swatches and colour ramps are SVGs too).
      const svg = Array.from(cell.querySelectorAll<SVGSVGElement>('[data-plot] .chart svg')).find((s) => s.querySelector(':scope > g[aria-label]'));
      if (!svg) return { cell: name, drawn: false, empty: !!cell.querySelector('[data-plot-empty]'), message, marks: 0, clipped: [] };
      const box = svg.getBoundingClientRect();
      let marks = 0;
      for (const g of Array.from(svg.querySelectorAll(':scope > g[aria-label]'))) {
        if (NOT_MARKS.test(g.getAttribute('aria-label') ?? '')) continue;
        for (const el of Array.from(g.querySelectorAll('rect, path, circle, line, text'))) {
          const r = el.getBoundingClientRect();
          const area = el.tagName === 'rect' || el.tagName === 'circle' ? r.width > 0.5 && r.height > 0.5 : r.width > 0.5 || r.height > 0.5;
          if (area) marks++;
        }
      }
      const clipped: string[] = [];
      for (const t of Array.from(svg.querySelectorAll('text'))) {
        const r = t.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) continue;
        const out = r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5;
        if (out) clipped.push(`"${t.textContent}" at ${Math.round(r.left - box.left)},${Math.round(r.top - box.top)} ${Math.round(r.width)}×${Math.round(r.height)} in ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
      return { cell: name, drawn: true, empty: false, message, marks, clipped };
    });
  });
}

/** Opens `url`, then each of `templates` from the sidebar (null: the notebook the URL opens), and checks every chart. */
async function checkNotebook(url: string, template: string | null, shot: string, after?: (page: Page) => Promise<void>): Promise<ChartReport[]> {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: 1300, height: 900 });
  await page.goto(url);
  await page.waitForSelector('[data-notebook]');
  // A template replaces the notebook the URL opened; no need to wait for that one to finish first.
  if (template === null) await settled(page);
  else {
    // Opening a template gives the page a new notebook id in the hash.
    const before = await page.evaluate(() => location.hash);
    await page.click(`[data-template="${template}"]`);
    await page.waitForFunction((h) => location.hash !== h, before);
    await settled(page);
  }
  const charts = await measureCharts(page);
  await saveScreenshot(page, `charts-${shot}`);
  await after?.(page);
  await page.close();
  return charts;
}

/** The templates in the sidebar's job and data-ops groups (the model notebooks draw no Plot charts). */
const TEMPLATES = ['health', 'failure-mining', 'red-flags', 'replay-mix', 'cost-per-success', 'agreement', 'quality-gate', 'review-sampling', 'drift-watch'];

function expectGood(charts: ChartReport[]): void {
  for (const c of charts) {
    if (!c.drawn) {
      // Not drawn is fine only when the chart says why (no rows, a missing column, the cell's query failed).
      expect(c.message ?? '', `${c.cell}: neither drawn nor explained`).toMatch(/\S{3,}/);
      continue;
    }
    expect(c.marks, `${c.cell}: no visible marks`).toBeGreaterThan(0);
    expect(c.clipped, `${c.cell}: labels outside the chart`).toEqual([]);
  }
}

describe('every chart of every template has visible marks and unclipped labels', () => {
  describe('on the demo', () => {
    test('the overview', async () => {
      const charts = await checkNotebook(`${appUrl}?dataset=demo/`, null, 'demo-overview');
      expect(charts.filter((c) => c.drawn).length).toBeGreaterThan(0);
      expectGood(charts);
    });
    for (const t of TEMPLATES) {
      test(t, async () => {
        const charts = await checkNotebook(appUrl, t, `demo-${t}`, async (page) => {
          // A close look at each chart for the people reviewing a run (artifacts are not committed).
          for (const c of await page.locator('[data-cell-kind="plot"]').all()) {
            await c.scrollIntoViewIfNeeded();
            await c.screenshot({ path: path.join(ARTIFACTS_DIR, `chart-demo-${t}-${await c.getAttribute('data-cell')}.png`) });
          }
        });
        // On the demo every template's charts are drawn (it has every input the jobs need).
        expect(charts.filter((c) => !c.drawn).map((c) => `${c.cell}: ${c.message}`)).toEqual([]);
        expectGood(charts);
      });
    }
  });

  describe('on the G1 sample (v2.1, 26 joints, no log)', () => {
    test('the overview', async () => {
      const charts = await checkNotebook(`${appUrl}?dataset=${encodeURIComponent(G1)}`, null, 'g1-overview');
      expect(charts.filter((c) => c.drawn).length).toBeGreaterThan(0);
      expectGood(charts);
    });
    for (const t of TEMPLATES) {
      test(t, async () => {
        expectGood(await checkNotebook(`${appUrl}?dataset=${encodeURIComponent(G1)}`, t, `g1-${t}`));
      });
    }
  });
});

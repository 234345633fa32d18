/**
 * Cold time from navigation to the first chart of the demo notebook, in headless Chromium, over N runs.
 * Each run uses a fresh browser profile (no HTTP cache, no compiled-wasm cache): the first visit of a new user.
 */
import path from 'node:path';
import { startServer } from '../tests/e2e/serve.ts';
import { launchBrowser } from '../tests/e2e/chromium.ts';

/** One run's timings in ms from navigation start. */
export interface FirstChartRun {
  dbReady: number;
  /** First chart drawn: from the notebook's saved results when it has some (the demo ships them), else live. */
  firstChart: number;
  allCharts: number;
  /** First chart drawn from this run's own results (its cell done, no saved result on show). */
  firstLiveChart: number;
  allLiveCharts: number;
  /** Every performance mark the app set, by name (ms from navigation start). */
  marks?: Record<string, number>;
}

const OBSERVER = `
  new MutationObserver((_, obs) => {
    const n = document.querySelectorAll('[data-plot][data-rendered="true"]').length;
    const live = document.querySelectorAll('[data-cell-kind="plot"][data-cell-status="done"]:not([data-cell-saved]) [data-plot][data-rendered="true"]').length;
    const now = performance.now();
    if (n > 0 && window.__firstChart === undefined) window.__firstChart = now;
    if (live > 0 && window.__firstLive === undefined) window.__firstLive = now;
    const plots = document.querySelectorAll('[data-cell-kind="plot"]').length;
    if (plots > 0 && n === plots && window.__allCharts === undefined) window.__allCharts = now;
    if (plots > 0 && live === plots && window.__allLive === undefined) { window.__allLive = now; obs.disconnect(); }
  }).observe(document, { subtree: true, childList: true, attributes: true });
`;

/** Measures `runs` cold loads of the built app in `dist`. */
export async function measureFirstChart(dist: string, runs: number, opts: { coi?: boolean } = {}): Promise<FirstChartRun[]> {
  const server = await startServer({ root: dist, urlHost: 'localhost', coi: opts.coi });
  const out: FirstChartRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const b = await launchBrowser({ coi: opts.coi });
      try {
        const page = await b.context.newPage();
        await page.addInitScript(OBSERVER);
        await page.goto(server.url);
        await page.waitForFunction(() => (window as unknown as { __allLive?: number }).__allLive !== undefined, undefined, { timeout: 60_000 });
        const t = await page.evaluate(() => {
          const w = window as unknown as { __firstChart: number; __allCharts: number; __firstLive: number; __allLive: number };
          const db = performance.getEntriesByName('flywheel:db-ready')[0];
          const marks = Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)]));
          if ((globalThis as unknown as { process?: unknown }).process === undefined) console.log(JSON.stringify(marks));
          return { dbReady: db ? db.startTime : NaN, firstChart: w.__firstChart, allCharts: w.__allCharts, firstLiveChart: w.__firstLive, allLiveCharts: w.__allLive, marks };
        });
        if (b.blocked.length) throw new Error(`The app contacted other hosts: ${b.blocked.join(', ')}`);
        out.push(t);
      } finally {
        await b.close();
      }
    }
  } finally {
    await server.close();
  }
  return out;
}

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const runs = Number(process.argv[2] ?? 5);
  const dist = path.resolve(import.meta.dirname, '../dist');
  const res = await measureFirstChart(dist, runs + 1);
  const measured = res.slice(1); // the first launch warms the OS file cache, not the browser
  const summary = Object.fromEntries(
    (['dbReady', 'firstChart', 'allCharts', 'firstLiveChart', 'allLiveCharts'] as const).map((k) => [k, { median: median(measured.map((r) => r[k])), min: Math.min(...measured.map((r) => r[k])) }]),
  );
  console.log(JSON.stringify({ runs: measured, summary }, null, 2));
}

/**
 * Opening the episode browser, in headless Chromium, from the built `dist/`: time from clicking the Episodes tab
 * to the first rows drawn, time to rows with per-episode stats of one column (optional), and the longest gap between
 * animation frames on the page's main thread meanwhile and while scrolling the list to the end (a frozen UI shows
 * there). Each run is a fresh browser profile.
 *
 *   npx tsx bench/episode-browser.ts [--dataset static/demo | bench/data/1m | bench/data/10m] [--runs 3]
 *                                    [--stat "observation.state.panda_joint1"] [--out bench/results/browser.json]
 *
 * The datasets under bench/data are written by `npm run demo -- --frames 1000000 --out bench/data/1m` (and 10M).
 * Prints one JSON object (and writes it to --out when given).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { startServer } from '../tests/e2e/serve.ts';
import { launchBrowser } from '../tests/e2e/chromium.ts';
import { median } from './first-chart.ts';

const REPO = path.resolve(import.meta.dirname, '..');

/** One run's numbers, ms. */
export interface BrowserOpenRun {
  /** Click on the Episodes tab → first rows in the DOM. */
  firstRows: number;
  /** Longest main-thread gap between animation frames from the click until the first rows. */
  openGap: number;
  /** Choosing a stat column → rows with the stats (absent without --stat). */
  statRows?: number;
  statGap?: number;
  /** Longest frame gap while scrolling the list top to bottom in 20 steps. */
  scrollGap: number;
  episodes: number;
}

/** In-page: records the longest gap between animation frames since the last `__gapReset()`. */
const GAP_PROBE = `
  window.__gap = 0;
  let last = performance.now();
  const tick = (t) => { window.__gap = Math.max(window.__gap, t - last); last = t; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  window.__gapReset = () => { window.__gap = 0; last = performance.now(); };
`;

type Win = { __gap: number; __gapReset: () => void };

/** Measures `runs` fresh-profile openings of the episode browser on the dataset at `datasetDir`. */
export async function measureBrowserOpen(dist: string, datasetDir: string, runs: number, stat: string | null): Promise<BrowserOpenRun[]> {
  const server = await startServer({ root: dist, urlHost: 'localhost', mounts: { '/bench-dataset/': datasetDir } });
  const out: BrowserOpenRun[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const b = await launchBrowser();
      try {
        const page = await b.context.newPage();
        await page.setViewportSize({ width: 1400, height: 1000 });
        await page.addInitScript(GAP_PROBE);
        await page.goto(`${server.url}?dataset=${encodeURIComponent('bench-dataset/')}`);
        await page.waitForSelector('[data-tab="episodes"]', { timeout: 600_000 });
        // The overview notebook runs first; the browser is measured on an idle page.
        await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, { timeout: 600_000 });
        await page.evaluate(() => (window as unknown as Win).__gapReset());
        const t0 = await page.evaluate(() => performance.now());
        await page.click('[data-tab="episodes"]');
        await page.waitForSelector('[data-browse-open]', { timeout: 600_000 });
        const { t1, gap } = await page.evaluate(() => ({ t1: performance.now(), gap: (window as unknown as Win).__gap }));
        const run: BrowserOpenRun = { firstRows: t1 - t0, openGap: gap, scrollGap: 0, episodes: Number(await page.getAttribute('[data-episode-browser]', 'data-rows')) };
        if (stat) {
          await page.evaluate(() => (window as unknown as Win).__gapReset());
          const s0 = await page.evaluate(() => performance.now());
          await page.selectOption('[data-browse-stat]', stat);
          await page.waitForSelector('[data-episode-browser] [data-sort="stat_mean"]', { timeout: 600_000 });
          await page.waitForSelector('[data-episode-browser][data-state="done"] [data-browse-open]', { timeout: 600_000 });
          const r = await page.evaluate(() => ({ t: performance.now(), gap: (window as unknown as Win).__gap }));
          run.statRows = r.t - s0;
          run.statGap = r.gap;
        }
        await page.evaluate(() => (window as unknown as Win).__gapReset());
        for (let k = 1; k <= 20; k++) {
          await page.evaluate((f) => {
            const g = document.querySelector('[data-episode-browser] .grid')!;
            g.scrollTop = (g.scrollHeight - g.clientHeight) * f;
          }, k / 20);
          await page.waitForTimeout(100);
        }
        // The last page of rows arrives from the worker: the list is drawn to the end.
        await page.waitForFunction(() => {
          const rows = [...document.querySelectorAll('[data-episode-browser] [data-browse-row]')];
          const n = Number(document.querySelector('[data-episode-browser]')?.getAttribute('data-rows'));
          return rows.some((r) => Number(r.getAttribute('data-browse-row')) === n - 1 && r.querySelector('[data-browse-open]'));
        }, undefined, { timeout: 120_000 });
        run.scrollGap = await page.evaluate(() => (window as unknown as Win).__gap);
        if (b.blocked.length) throw new Error(`The app contacted other hosts: ${b.blocked.join(', ')}`);
        out.push(run);
      } finally {
        await b.close();
      }
    }
  } finally {
    await server.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const val = (n: string) => {
    const i = argv.indexOf(n);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const dataset = path.resolve(REPO, val('--dataset') ?? 'static/demo');
  const runs = Number(val('--runs') ?? 3);
  const stat = val('--stat') ?? null;
  const dist = path.resolve(REPO, 'dist');
  const res = await measureBrowserOpen(dist, dataset, runs, stat);
  const keys = ['firstRows', 'openGap', 'statRows', 'statGap', 'scrollGap'] as const;
  const summary = Object.fromEntries(
    keys
      .filter((k) => res.every((r) => r[k] !== undefined))
      .map((k) => [k, { median: median(res.map((r) => r[k] as number)), max: Math.max(...res.map((r) => r[k] as number)) }]),
  );
  const result = { workload: 'open the episode browser', dataset: path.relative(REPO, dataset), stat, episodes: res[0]?.episodes, runs: res, summary, unit: 'ms' };
  const json = JSON.stringify(result, null, 2);
  console.log(json);
  const outFile = val('--out');
  if (outFile) writeFileSync(path.resolve(REPO, outFile), json + '\n');
}

/**
 * The app in headless Chromium, driven like a user: open `?dataset=<url>&log=<url>` from the built `dist/`, agree to
 * the other host, then add one SQL cell per workload and run it. Each run is a fresh browser profile (no HTTP cache,
 * no compiled wasm), and the dataset is served from another origin by `tests/e2e/serve.ts`, which counts every
 * request and byte (optionally adding latency to every response).
 */
import type { ElementHandle, Locator, Page } from 'playwright-core';
import { launchBrowser } from '../tests/e2e/chromium.ts';
import type { RunningServer } from '../tests/e2e/serve.ts';
import type { ChildMeasure } from './child.ts';
import type { QuerySpec } from './workloads.ts';
import { watchMemory } from './tab-memory.ts';

/** One workload's numbers in one browser run. */
export interface BrowserMeasure extends ChildMeasure {
  /** Requests and body bytes the data server answered while the cell ran. */
  requests?: number;
  bytes?: number;
  /** Bytes the cell itself reports having fetched (its `data-fetched` attribute). */
  appBytes?: number;
  /** The cell's own timing as its status line shows it (ms). */
  uiMs?: number;
  /** The same for the warm run. */
  warmUiMs?: number;
  /** Body bytes the data server sent during the warm run (a warm cell over loaded frames fetches none). */
  warmBytes?: number;
  status?: string;
  /** The cell said its frames were already loaded (it fetched nothing). */
  reused?: boolean;
  /** Peak resident memory while this workload's cold cell ran: the renderer (tab: JS heaps + wasm) and the whole browser. */
  peakRendererMb?: number;
  peakBrowserMb?: number;
}

export interface BrowserRunResult {
  ok: boolean;
  error?: string;
  chromium: string;
  measures: Record<string, BrowserMeasure>;
}

/** In-page probes: when a run was asked for (Shift+Enter, Run, consent click) and when each cell finished. */
const PROBES = `
  window.__runAt = undefined;
  document.addEventListener('keydown', (e) => { if (e.key === 'Enter' && e.shiftKey) window.__runAt = performance.now(); }, true);
  document.addEventListener('click', (e) => {
    const t = e.target;
    if (!(t instanceof Element)) return;
    if (t.closest('[data-consent]')) window.__consentAt = performance.now();
  }, true);
  new MutationObserver((records) => {
    for (const r of records) {
      const el = r.target;
      const s = el.getAttribute && el.getAttribute('data-cell-status');
      if (s === 'done' || s === 'error' || s === 'cancelled') el.__end = performance.now();
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-cell-status'] });
`;

type Win = { __runAt?: number; __consentAt?: number };
type CellEl = HTMLElement & { __end?: number };

function parseUiMs(text: string): number | undefined {
  const m = /·\s*([\d.]+)\s*(ms|s)\b/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/**
 * The SQL cell just added (the last one), pinned by its result name. A bare `.last()` locator is re-resolved at
 * every use, so keeping it for a later run would run whichever cell is last by then: the warm pass used to time
 * the all-columns scan (the last cell added) under every workload's name (issue 14's "1.3 s per warm cell").
 */
export async function newestSqlCell(page: Page): Promise<Locator> {
  const name = await page.locator('[data-cell-kind="sql"]').last().getAttribute('data-cell');
  if (!name) throw new Error('The new SQL cell has no data-cell name.');
  return page.locator(`[data-cell-kind="sql"][data-cell="${name}"]`);
}

/** Runs the cell's SQL (Shift+Enter in its editor) and waits for it to finish. */
async function runCell(page: Page, cell: Locator, server: RunningServer, timeoutMs: number): Promise<BrowserMeasure> {
  // A short pause, as between a user's cells: the previous cell's catalog refresh is not counted in this one.
  await page.waitForTimeout(Number(process.env.BENCH_PAUSE_MS ?? 250));
  const handle = (await cell.elementHandle()) as ElementHandle<CellEl>;
  await handle.evaluate((el) => {
    el.__end = undefined;
  });
  server.stats.reset();
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => el.__end !== undefined, handle, { timeout: timeoutMs, polling: 50 });
  const { start, end, status } = await handle.evaluate((el) => ({
    start: (window as unknown as Win).__runAt ?? NaN,
    end: el.__end ?? NaN,
    status: el.getAttribute('data-cell-status') ?? '',
  }));
  const requests = server.stats.requests;
  const bytes = server.stats.bytes;
  const head = await cell.locator('.status').innerText();
  const fetched = cell.locator('[data-fetched]');
  const appBytes = (await fetched.count()) ? Number(await fetched.getAttribute('data-fetched')) : undefined;
  const rowsMatch = /([\d,]+) rows/.exec(head);
  const m: BrowserMeasure = { cold: end - start, requests, bytes, appBytes, uiMs: parseUiMs(head), status, reused: /frames already loaded/.test(head), rows: rowsMatch ? Number(rowsMatch[1].replaceAll(',', '')) : undefined };
  if (status !== 'done') m.error = (await cell.innerText()).slice(0, 400);
  return m;
}

/**
 * One cold run: fresh profile, open the dataset, run every query once (cold: its frames not loaded yet), then again
 * (warm: after the all-columns scan, every query finds its frames loaded).
 */
export async function runBrowser(opts: {
  appUrl: string;
  /** Dataset root URL on the data server (trailing slash). */
  datasetUrl: string;
  logUrl: string;
  server: RunningServer;
  queries: QuerySpec[];
  warm: boolean;
  timeoutMs?: number;
}): Promise<BrowserRunResult> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const b = await launchBrowser();
  const measures: Record<string, BrowserMeasure> = {};
  let chromium = '';
  let crashed = false;
  try {
    const page = await b.context.newPage();
    page.on('crash', () => (crashed = true));
    await page.addInitScript(PROBES);
    const url = `${opts.appUrl}?dataset=${encodeURIComponent(opts.datasetUrl)}&log=${encodeURIComponent(opts.logUrl)}`;
    await page.goto(url);
    chromium = await page.evaluate(() => navigator.userAgent.match(/Chrom(?:e|ium)\/([\d.]+)/)?.[1] ?? navigator.userAgent);
    // Cold start of DuckDB-WASM in this fresh tab (the app's own mark, ms from navigation).
    await page.waitForFunction(() => performance.getEntriesByName('flywheel:db-ready').length > 0, undefined, { timeout: 120_000 });
    measures.start = { cold: await page.evaluate(() => performance.getEntriesByName('flywheel:db-ready')[0].startTime) };
    // Opening starts when the user agrees to contact the dataset's host; DuckDB is already up by then.
    opts.server.stats.reset();
    await page.click('[data-consent] button');
    await page.waitForFunction(() => performance.getEntriesByName('flywheel:sources-loaded').length > 0, undefined, { timeout: timeoutMs });
    const open = await page.evaluate(() => performance.getEntriesByName('flywheel:sources-loaded')[0].startTime - ((window as unknown as Win).__consentAt ?? NaN));
    measures.open = { cold: open, requests: opts.server.stats.requests, bytes: opts.server.stats.bytes };
    await page.waitForSelector('[data-table="frames"]', { timeout: timeoutMs });
    // The notebook that opens with the dataset runs its own cells first; wait for them.
    await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, {
      timeout: timeoutMs,
    });
    // The opening notebook may have loaded frame columns (the health notebook's drift cells read the state and
    // action vectors of every frame), which would make a later "cold" cell find its columns loaded. A column no
    // notebook reads (`index`) of one episode replaces that cache, so every measured cold cell loads what it reads
    // (not measured; a cold cell that still finds its frames loaded is reported as an error below).
    if (opts.queries.some((q) => q.columns)) {
      await page.click('[data-action="add-sql"]');
      const reset = await newestSqlCell(page);
      await reset.locator('textarea').fill('SELECT count("index") AS n FROM frames WHERE episode_index = 0');
      const r = await runCell(page, reset, opts.server, timeoutMs);
      if (r.status !== 'done' || r.reused) throw new Error(`The cell that resets the loaded frames ${r.reused ? 'found them loaded' : `failed: ${r.error}`}`);
    }
    const cells = new Map<string, Locator>();
    for (const q of opts.queries) {
      await page.click('[data-action="add-sql"]');
      const cell = await newestSqlCell(page);
      await cell.locator('textarea').fill(q.sql);
      cells.set(q.id, cell);
      const mem = watchMemory(b.profile);
      try {
        measures[q.id] = await runCell(page, cell, opts.server, timeoutMs);
        // A cold cell over frames must load them; 'frames already loaded' here would time a warm run as cold.
        if (q.columns && measures[q.id].reused) throw new Error(`${q.id}: the cold run found its frames already loaded`);
        const peak = mem.stop();
        measures[q.id].peakRendererMb = peak.peakRenderer / 1048576;
        measures[q.id].peakBrowserMb = peak.peakTotal / 1048576;
      } catch (e) {
        mem.stop();
        measures[q.id] = { cold: NaN, error: crashed ? 'the tab crashed (out of memory?)' : String((e as Error).message).slice(0, 400) };
        if (crashed) throw new Error(`${q.id}: the tab crashed (out of memory?)`);
      }
    }
    if (opts.warm) {
      for (const q of opts.queries) {
        if (measures[q.id].error) continue;
        const w = await runCell(page, cells.get(q.id)!, opts.server, timeoutMs);
        // The same cell, so the same rows: anything else means the warm run timed another cell's query.
        if (!w.error && w.rows !== measures[q.id].rows) throw new Error(`${q.id}: the warm run gave ${w.rows} rows, the cold one ${measures[q.id].rows}`);
        measures[q.id].warm = w.error ? NaN : w.cold;
        measures[q.id].warmUiMs = w.uiMs;
        measures[q.id].warmBytes = w.bytes;
      }
    }
    if (b.blocked.length) throw new Error(`The app contacted other hosts: ${b.blocked.join(', ')}`);
    return { ok: true, chromium, measures };
  } catch (e) {
    return { ok: false, error: crashed ? 'the tab crashed (out of memory?)' : String((e as Error).message ?? e).slice(0, 1000), chromium, measures };
  } finally {
    await b.close();
  }
}

/** The bare page (bench/bare): only starts DuckDB-WASM; then loopback fetch and memcpy floors in the page. */
export async function runBare(pageUrl: string, fetchUrl: string | null): Promise<{ ready: number; version: string; fetchMs?: number; fetchBytes?: number; memcpyMs: number; memcpyBytes: number }> {
  const b = await launchBrowser();
  try {
    const page = await b.context.newPage();
    await page.goto(pageUrl);
    await page.waitForFunction(() => (window as unknown as { __bare?: unknown }).__bare !== undefined, undefined, { timeout: 120_000 });
    const bare = await page.evaluate(() => (window as unknown as { __bare: { ready: number; version: string; error?: string } }).__bare);
    if (bare.error) throw new Error(`bare DuckDB-WASM page: ${bare.error}`);
    const floors = await page.evaluate(async (u) => {
      let fetchMs: number | undefined;
      let fetchBytes: number | undefined;
      if (u) {
        const t = performance.now();
        const buf = await (await fetch(u, { cache: 'no-store' })).arrayBuffer();
        fetchMs = performance.now() - t;
        fetchBytes = buf.byteLength;
      }
      const n = 256 * 1048576;
      const src = new Uint8Array(n).fill(7);
      const dst = new Uint8Array(n);
      dst.set(src);
      let memcpyMs = Infinity;
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        dst.set(src);
        memcpyMs = Math.min(memcpyMs, performance.now() - t);
      }
      return { fetchMs, fetchBytes, memcpyMs, memcpyBytes: n };
    }, fetchUrl);
    return { ready: bare.ready, version: bare.version, ...floors };
  } finally {
    await b.close();
  }
}

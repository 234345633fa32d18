import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { bytesNeeded } from './parquet-needs.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const statsPath = inject('statsPath');
const repoRoot = inject('repoRoot');
const demo = path.join(repoRoot, 'static/demo');

interface Stats {
  requests: number;
  bytes: number;
  log: { method: string; path: string; range?: string; status: number; bytes: number }[];
}
const stats = async (): Promise<Stats> => (await fetch(new URL(statsPath, remoteUrl))).json();
const resetStats = async (): Promise<void> => void (await fetch(new URL(`${statsPath}/reset`, remoteUrl)));

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

async function runCell(page: Page, sql: string): Promise<string> {
  await page.click('[data-action="add-sql"]');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('textarea').fill(sql);
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => ['done', 'error'].includes(el?.getAttribute('data-cell-status') ?? ''), await cell.elementHandle(), { timeout: 60_000 });
  return (await cell.getAttribute('data-cell-status'))!;
}

describe('a LeRobot v3.0 dataset on another origin, read lazily over HTTP ranges', () => {
  test('opening fetches metadata and footers only; one episode fetches at most 1.5× the bytes it needs', async () => {
    const page = await b.context.newPage();
    await resetStats();
    // ?log= joins the deployment log; without &costs= the overview notebook opens (no frame queries of its own
    // beyond a per-episode count, which this test accounts for separately).
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(new URL('demo/', remoteUrl).href)}`);
    await page.click('[data-consent] button');
    await page.waitForSelector('[data-table="frames"]');
    await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'));
    const opened = await stats();
    const dataBytesAtOpen = opened.log.filter((l) => l.path.includes('/data/')).reduce((s, l) => s + l.bytes, 0);
    const total = readFileSync(path.join(demo, 'data/chunk-000/file-000.parquet')).length * 3;
    // The overview notebook reads episode 0's frames only: a small part of the data files.
    expect(dataBytesAtOpen).toBeLessThan(total / 4);
    expect(opened.log.every((l) => l.status === 200 ? !l.path.includes('/data/') : l.status === 206)).toBe(true);

    await resetStats();
    expect(await runCell(page, `SELECT avg("observation.state"[8]) AS grip FROM frames WHERE episode_index = 500`)).toBe('done');
    const one = await stats();
    const needed = await bytesNeeded(demo, [500], ['observation.state', 'episode_index']);
    expect(one.requests).toBeGreaterThan(0);
    console.log(`one-episode query: ${one.requests} requests, ${one.bytes} bytes fetched, ${needed} bytes needed (${(one.bytes / needed).toFixed(2)}×)`);
    expect(one.bytes).toBeLessThanOrEqual(1.5 * needed);
    // The cell shows what it fetched, and it is what the server sent.
    const shown = await page.locator('[data-cell-kind="sql"]').last().locator('[data-fetched]').getAttribute('data-fetched');
    expect(Number(shown)).toBe(one.bytes);
    await page.close();
  });
});

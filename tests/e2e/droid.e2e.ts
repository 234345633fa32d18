import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { bytesNeeded } from './parquet-needs.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const statsPath = inject('statsPath');
const repoRoot = inject('repoRoot');
const root = path.join(repoRoot, 'tests/fixtures/datasets/droid_mini');

interface Stats {
  requests: number;
  bytes: number;
  log: { path: string; bytes: number; status: number; range?: string }[];
}
/** Footer reads are suffix ranges (`bytes=-N`): metadata, paid once per file, not part of a row group. */
const isFooter = (l: { range?: string }) => !!l.range?.startsWith('bytes=-');
const pageBytes = (s: Stats) => s.log.filter((l) => !isFooter(l)).reduce((n, l) => n + l.bytes, 0);
const stats = async (): Promise<Stats> => (await fetch(new URL(statsPath, remoteUrl))).json();
const reset = async (): Promise<void> => void (await fetch(new URL(`${statsPath}/reset`, remoteUrl)));
const dataBytes = (s: Stats) => s.log.filter((l) => l.path.includes('/data/')).reduce((n, l) => n + l.bytes, 0);

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

async function run(page: Page, sql: string): Promise<void> {
  await page.click('[data-action="add-sql"]');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('textarea').fill(sql);
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => el?.getAttribute('data-cell-status') === 'done', await cell.elementHandle(), { timeout: 60_000 });
}

describe('a dataset with DROID\'s exact schema and layout, over HTTP ranges like the Hub', () => {
  test('open, one episode and a full per-episode summary each fetch what they need', async () => {
    const page = await b.context.newPage();
    await reset();
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(new URL('fixtures/datasets/droid_mini/', remoteUrl).href)}`);
    await page.click('[data-action="agree"]');
    await page.waitForSelector('[data-table="frames"][data-rows="1831"]', { timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, { timeout: 60_000 });
    // Opening reads metadata; the overview notebook then reads episode 0 (every column of its row groups).
    const opened = await stats();
    const ep0 = await bytesNeeded(root, [0], null);
    expect(dataBytes(opened)).toBeLessThanOrEqual(1.5 * ep0 + 64 * 1024);
    expect(await page.locator('[data-table="episodes"]').getAttribute('data-rows')).toBe('24');

    await reset();
    // Episode 5 sits in the data file whose footer and page index the overview notebook has read already.
    await run(page, `SELECT avg("observation.state"[1]) AS s FROM frames WHERE episode_index = 5`);
    const one = await stats();
    const needOne = await bytesNeeded(root, [5], ['observation.state', 'episode_index']);
    expect(pageBytes(one)).toBeGreaterThan(0);
    expect(pageBytes(one)).toBeLessThanOrEqual(1.5 * needOne);

    await reset();
    await run(page, `SELECT episode_index, count(*) AS n, avg("action.joint_velocity"[7]) AS v FROM frames GROUP BY 1`);
    const all = await stats();
    const needAll = await bytesNeeded(root, null, ['action.joint_velocity', 'episode_index']);
    expect(pageBytes(all)).toBeLessThanOrEqual(1.5 * needAll);
    const rows = await page.locator('[data-cell-kind="sql"]').last().getAttribute('data-cell-status');
    expect(rows).toBe('done');
    console.log(
      `droid_mini over HTTP: open+episode 0 ${dataBytes(opened)} data bytes (${opened.requests} requests); one episode ${pageBytes(one)} B of pages / ${needOne} needed, ${one.bytes} B in all ` +
        `(${one.requests} requests); summary ${pageBytes(all)} B / ${needAll} needed, ${all.bytes} B in all (${all.requests} requests)`,
    );
    await page.close();
  });
});

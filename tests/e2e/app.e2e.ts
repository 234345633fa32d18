import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const repoRoot = inject('repoRoot');

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

/** Waits until no cell is queued, waiting or running. */
async function settle(page: Page): Promise<void> {
  await page.waitForSelector('[data-notebook]');
  await page.waitForFunction(
    () => document.querySelectorAll('[data-cell-status="queued"],[data-cell-status="waiting"],[data-cell-status="running"],[data-cell-status="idle"]').length === 0,
    undefined,
    { timeout: 60_000 },
  );
}

async function tableRows(page: Page, name: string): Promise<number> {
  const el = await page.waitForSelector(`[data-table="${name}"]`, { timeout: 60_000 });
  return Number(await el.getAttribute('data-rows'));
}

describe('the demo flywheel, offline in Chromium', () => {
  const demo = path.join(repoRoot, 'static/demo');

  test('opens on the demo dataset and runs the health notebook with its charts', async () => {
    const info = JSON.parse(readFileSync(path.join(demo, 'meta/info.json'), 'utf8'));
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.goto(appUrl);
    await settle(page);
    const plots = await page.locator('[data-cell-kind="plot"]').count();
    expect(plots).toBeGreaterThanOrEqual(5);
    // Charts draw on the next animation frame after their data arrives: wait for every one, however slow the machine.
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-cell-kind="plot"] [data-plot][data-rendered="true"]').length === n,
      plots,
      { timeout: 30_000 },
    );
    expect(await page.locator('[data-cell-kind="plot"][data-cell-status="done"] [data-plot][data-rendered="true"]').count()).toBe(plots);
    // every chart drew marks, not just axes
    for (const chart of await page.locator('[data-plot][data-rendered="true"]').all()) {
      expect(await chart.locator('svg [aria-label$="bar"], svg [aria-label="line"], svg [aria-label="dot"], svg rect, svg path').count()).toBeGreaterThan(0);
    }
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);

    // The catalog lists every table with its row count; frames arrive after the first charts.
    expect(await tableRows(page, 'episodes')).toBe(info.total_episodes);
    await page.waitForSelector(`[data-table="frames"][data-rows="${info.total_frames}"]`, { timeout: 60_000 });
    const logRows = readFileSync(path.join(demo, 'deployment_log.csv'), 'utf8').trim().split('\n').length - 1;
    expect(await tableRows(page, 'deployments')).toBe(logRows);

    // Success by policy version matches the log, recomputed here from the CSV itself.
    const success = await page.locator('[data-cell="success_by_version"] [data-row-index]').count();
    const versions = new Set(
      readFileSync(path.join(demo, 'deployment_log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[2]).filter(Boolean),
    );
    expect(success).toBe(versions.size);

    await saveScreenshot(page, 'demo-health-notebook');
    // The notebook scrolls inside <main>; a tall viewport shows every chart in one picture.
    await page.setViewportSize({ width: 1400, height: 6400 });
    await page.waitForFunction(() => document.querySelectorAll('[data-plot]:not([data-rendered="true"])').length === 0);
    await saveScreenshot(page, 'demo-health-full');
    expect(b.blocked).toEqual([]);
    expect(logs.pageErrors).toEqual([]);
    await page.close();
  });

  test('a SQL error shows DuckDB\'s message in its cell, dependents say why they did not run, the rest still runs', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await settle(page);
    const editor = page.locator('[data-cell="failure_mix"] textarea');
    await editor.fill('SELECT policy_version, failure_categry FROM episodes');
    await editor.press('Shift+Enter');
    const err = page.locator('[data-cell="failure_mix"] [data-cell-error]');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/failure_categry/);
    expect(await err.textContent()).toMatch(/Binder Error/);
    const dependent = page.locator('[data-cell="mix_chart"] [data-cell-error]');
    await dependent.waitFor();
    expect(await dependent.textContent()).toMatch(/uses "failure_mix", which failed/);
    // Run all: every other cell still succeeds
    await page.click('[data-action="run-all"]');
    await settle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(2);
    expect(await page.locator('[data-cell="success_by_version"][data-cell-status="done"]').count()).toBe(1);
    // Fixing the SQL re-runs the chart that depends on it
    await editor.fill('SELECT policy_version, min(rotation) AS rotation, failure_category, count(*) AS failures FROM episodes WHERE outcome = \'failure\' GROUP BY ALL');
    await editor.press('Shift+Enter');
    await settle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    // Charts draw on the next animation frame after their data: wait for it rather than sample once.
    await page.locator('[data-cell="mix_chart"] [data-plot][data-rendered="true"]').waitFor({ timeout: 20_000 });
    await page.close();
  });

  test('a long query can be cancelled from its cell, and the database stays usable', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await settle(page);
    await page.click('[data-action="add-sql"]');
    const cell = page.locator('[data-cell-kind="sql"]').last();
    const editor = cell.locator('textarea');
    await editor.fill('SELECT sum(hash(range)) AS h FROM range(5000000000)');
    await editor.press('Shift+Enter');
    await cell.locator('[data-action="cancel"]').click({ timeout: 10_000 });
    await page.waitForSelector('[data-cell-kind="sql"]:last-of-type[data-cell-status="cancelled"], [data-cell-status="cancelled"]', { timeout: 20_000 });
    expect(await cell.getAttribute('data-cell-status')).toBe('cancelled');
    await editor.fill('SELECT count(*) AS n FROM episodes');
    await editor.press('Shift+Enter');
    await page.waitForFunction((el) => el?.getAttribute('data-cell-status') === 'done', await cell.elementHandle(), { timeout: 20_000 });
    // The grid groups digits with commas (1,100): as many episodes as the demo's info.json says.
    const info = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../static/demo/meta/info.json'), 'utf8'));
    expect((await cell.locator('[data-row-index="0"]').textContent())?.replace(/[\s,]/g, '')).toContain(String(info.total_episodes));
    await page.close();
  });
});

describe('opening other datasets from the URL', () => {
  test('?dataset= opens the real LeRobot v2.1 sample: 100 episodes, 35,965 frames', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.goto(`${appUrl}?dataset=${encodeURIComponent('samples/lerobot/v21_unitree-g1_G1-policy-train')}`);
    expect(await tableRows(page, 'episodes')).toBe(100);
    await page.waitForSelector('[data-table="frames"][data-rows="35965"]', { timeout: 60_000 });
    await settle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    await saveScreenshot(page, 'v21-sample-overview');
    expect(logs.pageErrors).toEqual([]);
    expect(b.blocked).toEqual([]);
    await page.close();
  });

  test('a dataset on another origin asks first, naming the host, and loads over CORS after consent', async () => {
    const page = await b.context.newPage();
    const target = new URL('samples/lerobot/v21_unitree-g1_G1-policy-train/', remoteUrl).href;
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(target)}`);
    const consent = page.locator('[data-consent]');
    await consent.waitFor();
    expect(await consent.textContent()).toContain(new URL(remoteUrl).host);
    // Nothing is loaded before consent
    expect(await page.locator('[data-table]').count()).toBe(0);
    await page.click('[data-consent] button');
    expect(await tableRows(page, 'episodes')).toBe(100);
    await page.close();
  });

  test('a URL that is not a dataset gives a clear error', async () => {
    const page = await b.context.newPage();
    await page.goto(`${appUrl}?dataset=${encodeURIComponent('samples/parquet')}`);
    const err = page.locator('[data-error="session"]');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/No meta\/info\.json/);
    await page.close();
  });
});

describe('a local folder', () => {
  test('picked with the folder picker opens like a URL, read through File slices', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await page.locator('input[type="file"][webkitdirectory]').setInputFiles(path.join(repoRoot, 'tests/fixtures/datasets/v21_chunk_index'));
    await page.waitForSelector('[data-table="episodes"][data-rows="5"]', { timeout: 60_000 });
    await settle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    expect(await page.locator('[data-dataset]').innerText()).toMatch(/LeRobot v2\.1/);
    await page.close();
  });
});

/**
 * MCAP logs in the built app (Chromium): `?mcap=<url>` on another origin asks first, then reads the file by HTTP
 * range (footer and summary at open; a query over one topic fetches only that topic's messages, not the camera
 * frames around them); a damaged file gives a clear error; a folder of MCAP deployment logs chosen with
 * "Open MCAP…" runs the flywheel-health notebook.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { fleetEpisodes } from '../fixtures/gen/mcap-fleet.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const statsPath = inject('statsPath');
const repoRoot = inject('repoRoot');

const MIXED = 'fixtures/mcap/large/mixed-uncompressed.mcap';
const mixedBytes = statSync(path.join(repoRoot, 'tests', MIXED)).size;

interface Stats {
  requests: number;
  bytes: number;
  log: { method: string; path: string; range?: string; status: number; bytes: number }[];
}
const stats = async (): Promise<Stats> => (await fetch(new URL(statsPath, remoteUrl))).json();
const resetStats = async (): Promise<void> => void (await fetch(new URL(`${statsPath}/reset`, remoteUrl)));
const fetchedOf = (s: Stats, file: string) => s.log.filter((l) => l.path.endsWith(file)).reduce((n, l) => n + l.bytes, 0);

let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

async function tableRows(page: Page, name: string): Promise<number> {
  const el = await page.waitForSelector(`[data-table="${name}"]`, { timeout: 60_000 });
  return Number(await el.getAttribute('data-rows'));
}

async function idle(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, { timeout: 60_000 });
}

/** Adds a SQL cell, runs it, and returns its status and first row's text. */
async function runCell(page: Page, sql: string): Promise<{ status: string; row: string; fetched: number | null }> {
  await page.click('[data-action="add-sql"]');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('textarea').fill(sql);
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => ['done', 'error'].includes(el?.getAttribute('data-cell-status') ?? ''), await cell.elementHandle(), { timeout: 60_000 });
  const status = (await cell.getAttribute('data-cell-status'))!;
  const row = status === 'done' ? ((await cell.locator('[data-row-index="0"]').textContent()) ?? '') : ((await cell.textContent()) ?? '');
  const f = cell.locator('[data-fetched]');
  return { status, row, fetched: (await f.count()) ? Number(await f.getAttribute('data-fetched')) : null };
}

describe('?mcap=<url> on another origin', () => {
  test('asks first; opens from the summary alone; a topic query fetches that topic, not the camera frames', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await resetStats();
    const url = new URL(MIXED, remoteUrl).href;
    await page.goto(`${appUrl}?mcap=${encodeURIComponent(url)}`);
    const consent = page.locator('[data-consent]');
    await consent.waitFor();
    expect(await consent.textContent()).toContain(new URL(remoteUrl).host);
    await page.waitForTimeout(300);
    expect(fetchedOf(await stats(), 'mixed-uncompressed.mcap')).toBe(0);
    await page.click('[data-consent] button');

    // Row counts come from the file's statistics: no message has been read yet.
    const counts = { imu_data: 500, odom: 125, tf: 250, joint_states: 250, camera_image_raw: 25, mcap_files: 1, mcap_channels: 5, mcap_schemas: 5 };
    for (const [name, n] of Object.entries(counts)) expect(await tableRows(page, name), name).toBe(n);
    await idle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    const opened = fetchedOf(await stats(), 'mixed-uncompressed.mcap');
    console.log(`open: ${opened} of ${mixedBytes} bytes (${((100 * opened) / mixedBytes).toFixed(2)}%)`);
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThan(mixedBytes * 0.05);

    await resetStats();
    const r = await runCell(page, `SELECT count(*) AS n, sum(linear_acceleration.x) AS ax, min(angular_velocity.z) AS gz, count(DISTINCT header.frame_id) AS frame_ids, min(header.stamp = log_time) AS stamps FROM imu_data`);
    expect(r.status).toBe('done');
    // The generator's IMU: message i has linear_acceleration.x = i/8 and angular_velocity.z = -i/4, two frame ids.
    // The grid's first cell is the row number.
    expect(r.row.replace(/[\s,]/g, '')).toBe(`1500${(499 * 500) / 2 / 8}${-499 / 4}2true`);
    const q = await stats();
    const queried = fetchedOf(q, 'mixed-uncompressed.mcap');
    console.log(`imu_data query: ${queried} bytes in ${q.requests} requests (${((100 * queried) / mixedBytes).toFixed(1)}% of the file); the cell says ${r.fetched}`);
    expect(queried).toBeGreaterThan(500 * 300);
    expect(queried).toBeLessThan(mixedBytes * 0.25);
    expect(r.fetched).toBe(queried);
    expect(q.log.every((l) => l.status === 206)).toBe(true);

    // A second query over the same table reads nothing more.
    await resetStats();
    expect((await runCell(page, 'SELECT max(log_time) - min(log_time) AS span FROM imu_data')).row.replace(/[\s,]/g, '')).toBe(`1${499 * 5_000_000}`);
    expect(fetchedOf(await stats(), 'mixed-uncompressed.mcap')).toBe(0);
    await saveScreenshot(page, 'mcap-remote');
    expect(logs.pageErrors).toEqual([]);
    expect(b.blocked).toEqual([]);
    await page.close();
  });

  test('an episode from a log shows its camera topic at the playhead, synced with the plots', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.goto(`${appUrl}?mcap=${encodeURIComponent(new URL(MIXED, remoteUrl).href)}`);
    await page.click('[data-consent] button');
    await tableRows(page, 'camera_image_raw');
    await idle(page);
    // Open episode 0 (the whole file) as a result's episode link does.
    await page.evaluate(() => document.dispatchEvent(new CustomEvent('flywheel:episode', { detail: { episode: 0 } })));
    const fig = page.locator('[data-mcap-image="/camera/image_raw"]');
    await page.waitForFunction(() => document.querySelector('[data-mcap-image]')?.getAttribute('data-shown-t') !== '', undefined, { timeout: 30_000 });
    /** The shown message's time and its top-left pixel: the generator draws (x + y + 3k) & 255 into frame k, logged at or a little after k × 100 ms. */
    // Read together, in one go: the attribute and the canvas must describe the same drawn message.
    const shown = async () =>
      fig.evaluate((f) => ({ t: Number(f.getAttribute('data-shown-t')), px: f.querySelector('canvas')!.getContext('2d')!.getImageData(0, 0, 1, 1).data[0] }));
    const first = await shown();
    expect(first.px).toBe((3 * Math.floor(first.t * 10 + 1e-6)) & 255);
    // Step a second ahead (the rate the frames were resampled to): a later camera frame, still the right pixels.
    for (let i = 0; i < 10; i++) await page.click('[data-action="forward-1"]');
    await page.waitForSelector('[data-episode-panel][data-frame="10"]');
    // The pane draws the playhead's latest position once the ones queued before it are done: wait until it settles.
    let later = await shown();
    await expect
      .poll(async () => {
        const prev = later;
        await page.waitForTimeout(300);
        later = await shown();
        return later.t > first.t + 0.5 && later.t === prev.t;
      }, { timeout: 20_000 })
      .toBe(true);
    expect(later.t).toBeGreaterThan(first.t + 0.5);
    expect(later.px).toBe((3 * Math.floor(later.t * 10 + 1e-6)) & 255);
    // The plot under it reads the log's frames.
    await page.waitForSelector('[data-episode-panel] [data-trace-column]');
    expect(await page.locator('[data-episode-panel] [data-trace-column] option').count()).toBeGreaterThan(0);
    await saveScreenshot(page, 'mcap-episode-camera');
    expect(logs.pageErrors).toEqual([]);
    await page.close();
  });

  for (const name of ['imu-lz4.mcap', 'imu-zstd.mcap']) {
    test(`${name}: the browser worker decompresses every chunk (pure-JS codec) and returns every value`, async () => {
      const page = await b.context.newPage();
      await page.goto(`${appUrl}?mcap=${encodeURIComponent(new URL(`fixtures/mcap/${name}`, remoteUrl).href)}`);
      await page.click('[data-consent] button');
      expect(await tableRows(page, 'imu_data')).toBe(200);
      await idle(page);
      // A SQL cell over the topic: the decoded values of the generator's messages.
      await page.click('[data-action="add-sql"]');
      const editor = page.locator('[data-cell-kind="sql"] textarea').last();
      await editor.fill('SELECT count(*) AS n, sum(linear_acceleration.x) AS ax, sum(angular_velocity.z) AS gz, count(*) FILTER (WHERE header.frame_id = \'imu_link\') AS odd FROM imu_data');
      await editor.press('Shift+Enter');
      const row = page.locator('[data-cell-kind="sql"]').last().locator('[role="row"][data-row-index="0"] [role="gridcell"]');
      await row.first().waitFor({ timeout: 30_000 });
      const cells = (await row.allInnerTexts()).map((t) => Number(t.replace(/[\s,]/g, '')));
      const ax = Array.from({ length: 200 }, (_, i) => i / 8).reduce((a, b) => a + b, 0);
      // n, Σax, Σgz, frames labelled imu_link (every other one).
      expect(cells).toEqual([200, ax, -2 * ax, 100]);
      expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
      await page.close();
    });
  }

  test('a file damaged by line-ending conversion gives a clear error', async () => {
    const page = await b.context.newPage();
    await page.goto(`${appUrl}?mcap=${encodeURIComponent(new URL('fixtures/mcap/imu-crlf.mcap', remoteUrl).href)}`);
    await page.click('[data-consent] button');
    const err = page.locator('[data-error="session"]');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/imu-crlf\.mcap: This file starts like MCAP but its magic bytes end "0\\n" instead of "0\\r\\n".*line endings were converted \(CRLF → LF\)/s);
    await saveScreenshot(page, 'mcap-error-crlf');
    await page.close();
  });
});

describe('MCAP files chosen with "Open MCAP…"', () => {
  test('a folder of deployment logs with its log and cost sheet runs the flywheel-health notebook', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-table="episodes"]', { timeout: 60_000 });
    const dir = path.join(repoRoot, 'tests/fixtures/mcap/fleet');
    await page.locator('input[data-input="mcap"]').setInputFiles(readdirSync(dir).map((f) => path.join(dir, f)));
    await page.waitForSelector('[data-mcap]', { timeout: 60_000 });
    const steps = fleetEpisodes().reduce((n, e) => n + e.steps, 0);
    expect(await tableRows(page, 'joint_states')).toBe(steps);
    expect(await tableRows(page, 'cmd')).toBe(steps);
    expect(await tableRows(page, 'mcap_files')).toBe(24);
    expect(await tableRows(page, 'episodes')).toBe(24);
    await idle(page);
    expect(await page.locator('[data-cell="success_by_version"]').count()).toBe(1);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    const first = await page.locator('[data-cell="success_by_version"] [data-row-index="0"]').textContent();
    // v1: 8 deployments, 4 successes (the generator's outcomes).
    expect(first?.replace(/\s/g, '')).toMatch(/^1v118(0\.5|50(\.0)?%)/);
    await saveScreenshot(page, 'mcap-fleet-health');

    // The episode mapping is the user's to change: state from /cmd only, 20 frames per second.
    const panel = page.locator('[data-mcap-episodes]');
    await expect.poll(() => panel.locator('[data-role-field="state"]').allInnerTexts()).toEqual([expect.stringContaining('/joint_states · position')]);
    const framesBefore = await tableRows(page, 'frames');
    await panel.locator('[data-role-field="state"] button').click();
    await panel.locator('select[aria-label="Add to"]').selectOption('state');
    await panel.locator('[data-field="pick-topic"]').selectOption('/cmd');
    await panel.locator('[data-field="pick-field"]').selectOption('data');
    await panel.locator('[data-action="add-field"]').click();
    await panel.locator('[data-field="fps"]').fill('20');
    await panel.locator('[data-action="apply-mcap-episodes"]').click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-table="frames"]')?.getAttribute('data-rows')) !== n, framesBefore, { timeout: 60_000 });
    // Twice the rate, the same episodes: about twice the frames (each episode's span is split into 20 Hz steps).
    const framesAfter = await tableRows(page, 'frames');
    expect(framesAfter / framesBefore).toBeGreaterThan(1.8);
    expect(framesAfter / framesBefore).toBeLessThan(2.2);
    expect(await tableRows(page, 'episodes')).toBe(24);
    await idle(page);
    expect(await page.locator('[data-cell-status="error"]').count()).toBe(0);
    expect(await panel.locator('[data-role-field="state"]').allInnerTexts()).toEqual([expect.stringContaining('/cmd · data')]);
    expect(logs.pageErrors).toEqual([]);
    await page.close();
  });
});

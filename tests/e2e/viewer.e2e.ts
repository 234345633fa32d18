/**
 * The episode viewer in the built app, in Chromium: deep links land on the frame (video and plot playhead), video
 * and plot stay in sync while playing and stepping, v2.1 per-episode and v3.0 concatenated mp4s seek to the right
 * frame (read back from the decoded pixels of the timecode fixture), a missing mp4 gives a note while the plots
 * work, brushing the cross-episode overlay returns what an independent SQL query returns, and a review made with
 * the playhead reaches the failure-mining tables.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { VIDEO_FIXTURE } from '../fixtures/gen/video-fixture.ts';

const appUrl = inject('appUrl');
const statsPath = inject('statsPath');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

const DEMO_FPS = 15;
const KEY = 'observation.images.top';

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="idle"],[data-cell-status="waiting"]'),
    undefined,
    { timeout: 90_000 },
  );
}

/** Runs SQL in a new notebook cell and returns the first row's cells as text. */
async function sqlRow(page: Page, sql: string): Promise<string[]> {
  await page.click('[data-action="add-sql"]');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('textarea').fill(sql);
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => ['done', 'error'].includes(el?.getAttribute('data-cell-status') ?? ''), await cell.elementHandle(), { timeout: 90_000 });
  expect(await cell.getAttribute('data-cell-status')).toBe('done');
  return cell.locator('[role="row"][data-row-index="0"] [role="gridcell"]').allInnerTexts();
}

/** Waits until every loaded video of the panel has decoded the frame it was last asked for. */
async function videosSettled(page: Page, count = 1): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const vs = [...document.querySelectorAll<HTMLVideoElement>('[data-episode-panel] video')];
      return vs.length >= n && vs.every((v) => v.readyState >= 2 && !v.seeking);
    },
    count,
    { timeout: 30_000 },
  );
}

/** What the viewer shows now: the panel's frame, the plot's playhead, and each video's time and window. */
async function viewerState(page: Page): Promise<{ frame: number; playhead: number; videos: { key: string; t: number; from: number; to: number | null }[] }> {
  return page.evaluate(() => {
    const panel = document.querySelector<HTMLElement>('[data-episode-panel]')!;
    const chart = panel.querySelector<HTMLElement>('.chart')!;
    const videos = [...panel.querySelectorAll<HTMLVideoElement>('video')].map((v) => ({
      key: v.dataset.video!,
      t: v.currentTime,
      from: Number(v.dataset.from),
      to: v.dataset.to ? Number(v.dataset.to) : null,
    }));
    return { frame: Number(panel.dataset.frame), playhead: Number(chart.dataset.playheadT), videos };
  });
}

/** The timecode (episode, frame) the fixture drew into the frame a video shows, read from its decoded pixels. */
async function shownTimecode(page: Page, key: string): Promise<{ episode: number; frame: number }> {
  const size = VIDEO_FIXTURE.size;
  const inverted = key === VIDEO_FIXTURE.cameras[1];
  return page.evaluate(
    ({ key, size, inverted }) => {
      const v = document.querySelector<HTMLVideoElement>(`[data-episode-panel] video[data-video="${CSS.escape(key)}"]`)!;
      const c = document.createElement('canvas');
      c.width = size;
      c.height = size;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(v, 0, 0, size, size);
      const px = ctx.getImageData(0, 0, size, size).data;
      // Same reading as tests/fixtures/gen/video-fixture.ts readTimecode: each bar's centre, white = 1.
      const read = (bits: number, y: number): number => {
        let out = 0;
        for (let bit = 0; bit < bits; bit++) {
          const x = Math.floor(((bit + 0.5) * size) / bits);
          out = out * 2 + ((px[(y * size + x) * 4] > 128) !== inverted ? 1 : 0);
        }
        return out;
      };
      return { frame: read(8, Math.floor(size / 4)), episode: read(4, Math.floor((3 * size) / 4)) };
    },
    { key, size, inverted },
  );
}

async function resetStats(): Promise<void> {
  await fetch(new URL(`${statsPath}/reset`, appUrl));
}

async function serverLog(): Promise<{ path: string; status: number; bytes: number; range?: string }[]> {
  return ((await (await fetch(new URL(statsPath, appUrl))).json()) as { log: { path: string; status: number; bytes: number; range?: string }[] }).log;
}

describe('episode viewer on the v3.0 demo (several episodes per mp4)', () => {
  test('a deep link lands on its frame: video currentTime and plot playhead within one frame of t', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await resetStats();
    const episode = 517;
    const t = 2.2;
    await page.goto(`${appUrl}#episode=${episode}&t=${t}`);
    await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"] .chart[data-rendered="true"]`, { timeout: 60_000 });
    await videosSettled(page);
    const s = await viewerState(page);
    expect(s.frame).toBe(Math.round(t * DEMO_FPS));
    expect(Math.abs(s.playhead - t)).toBeLessThanOrEqual(1 / DEMO_FPS);
    expect(s.videos).toHaveLength(1);
    const v = s.videos[0];
    expect(Math.abs(v.t - v.from - t)).toBeLessThanOrEqual(1 / DEMO_FPS);

    // The window is the episode's own, as the episodes Parquet records it.
    await settled(page);
    const [from, to, file] = await sqlRow(
      page,
      `SELECT "videos/${KEY}/from_timestamp"::VARCHAR, "videos/${KEY}/to_timestamp"::VARCHAR, "videos/${KEY}/file_index"::VARCHAR FROM _episodes_meta WHERE episode_index = ${episode}`,
    );
    expect(v.from).toBeCloseTo(Number(from), 9);
    expect(v.to).toBeCloseTo(Number(to), 9);
    expect(Number(from)).toBeGreaterThan(0);

    // Streamed by the browser's own range requests, not downloaded whole.
    const mp4 = (await serverLog()).filter((r) => r.path.endsWith(`/chunk-000/file-${file.padStart(3, '0')}.mp4`));
    expect(mp4.length).toBeGreaterThan(0);
    expect(mp4.every((r) => r.status === 206 && r.range)).toBe(true);
    await page.close();
  });

  test('video and plot stay in sync while playing and stepping; playback stops at the episode window', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    const episode = 700;
    await page.goto(`${appUrl}#episode=${episode}&t=0.5`);
    await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"] .chart[data-rendered="true"]`, { timeout: 60_000 });
    await videosSettled(page);
    await page.locator('[data-episode-panel] h2').click();

    // Playing: sample video and playhead together; the playhead follows the video within a frame.
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-episode-panel][data-playing="true"]');
    const gaps: number[] = [];
    const frames: number[] = [];
    for (let i = 0; i < 12; i++) {
      await page.waitForTimeout(150);
      const s = await viewerState(page);
      // Frames apart: the one the video is in now, and the playhead's (set on the last animation frame).
      gaps.push(Math.floor((s.videos[0].t - s.videos[0].from) * DEMO_FPS + 1e-6) - Math.round(s.playhead * DEMO_FPS));
      frames.push(s.frame);
    }
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-episode-panel][data-playing="false"]');
    expect(Math.max(...gaps.map(Math.abs))).toBeLessThanOrEqual(1);
    // It did play: the frame advanced by about 1.8 s × 15 fps (allowing for a slow, shared machine).
    expect(frames[frames.length - 1] - frames[0]).toBeGreaterThan(5);

    // Paused and stepping: the video shows exactly the playhead's frame.
    for (const [key, delta] of [
      ['ArrowRight', 1],
      ['Shift+ArrowRight', 10],
      ['ArrowLeft', -1],
      ['Shift+ArrowLeft', -10],
    ] as const) {
      const before = (await viewerState(page)).frame;
      await page.keyboard.press(key);
      await page.waitForFunction((f) => Number(document.querySelector<HTMLElement>('[data-episode-panel]')!.dataset.frame) === f, before + delta);
      await videosSettled(page);
      const s = await viewerState(page);
      const v = s.videos[0];
      expect(Math.floor((v.t - v.from) * DEMO_FPS + 1e-6)).toBe(s.frame);
      expect(Math.abs(s.playhead - s.frame / DEMO_FPS)).toBeLessThan(1e-9);
    }

    // End, then play: playback stops on the last frame, before the next episode's frames in the same file.
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+ArrowLeft');
    await videosSettled(page);
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-episode-panel][data-playing="false"]', { timeout: 20_000 });
    await videosSettled(page);
    const end = await viewerState(page);
    const length = Number((await page.locator('[data-episode-panel] [data-scrub]').getAttribute('max'))) + 1;
    expect(end.frame).toBe(length - 1);
    expect(end.videos[0].t).toBeLessThan(end.videos[0].to!);
    expect(end.videos[0].t).toBeGreaterThan(end.videos[0].to! - 1 / DEMO_FPS);
    await page.close();
  });

  test('brushing the overlay returns the episodes an independent SQL query finds; a click opens one', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1100 });
    await page.goto(`${appUrl}#episode=12&t=1`);
    await page.waitForSelector('[data-episode-panel] .chart[data-rendered="true"]', { timeout: 60_000 });
    await page.locator('[data-across] summary').click();
    const plot = page.locator('[data-overlay-group="0"] [data-overlay-plot] svg');
    await plot.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => !document.querySelector('[data-overlay] .status'));
    const box = (await plot.boundingBox())!;
    // A band over the middle of the chart, where many but not all traces pass.
    await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.4, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.55, box.y + box.height * 0.5, { steps: 4 });
    await page.mouse.up();
    const result = page.locator('[data-overlay-group="0"] [data-brush-result]');
    await result.waitFor({ timeout: 30_000 });
    const got = (await result.getAttribute('data-brush-episodes'))!.split(',').filter(Boolean).map(Number);
    const rect = JSON.parse((await result.getAttribute('data-brush-rect'))!) as { x0: number; x1: number; y0: number; y1: number };
    expect(rect.x1).toBeGreaterThan(rect.x0);
    expect(got.length).toBeGreaterThan(0);

    await settled(page);
    // The overlay's slice (all tasks, first 200 episodes) is episodes 0–199 of the demo.
    expect(await sqlRow(page, 'SELECT count(*)::VARCHAR, min(episode_index)::VARCHAR, max(episode_index)::VARCHAR FROM (SELECT episode_index FROM episodes ORDER BY episode_index LIMIT 200)')).toEqual(['200', '0', '199']);
    // The grid shortens long text, so the query returns a count and a digest of the sorted list. (A range, not
    // `IN (SELECT …)`: frames' lazy reader finds no rows for a semi-join filter, reported separately.)
    const [count, digest] = await sqlRow(
      page,
      `SELECT count(*)::VARCHAR, md5(coalesce(string_agg(e::VARCHAR, ',' ORDER BY e), ''))
       FROM (SELECT DISTINCT episode_index AS e FROM frames
             WHERE episode_index BETWEEN 0 AND 199
               AND timestamp BETWEEN ${rect.x0} AND ${rect.x1} AND "observation.state"[1] BETWEEN ${rect.y0} AND ${rect.y1})`,
    );
    expect(got.length).toBe(Number(count.replace(/\D/g, '')));
    expect(createHash('md5').update(got.join(',')).digest('hex')).toBe(digest);
    await saveScreenshot(page, 'viewer-brush');

    await page.locator(`[data-overlay-group="0"] [data-jump-episode="${got[0]}"]`).click();
    await page.waitForSelector(`[data-episode-panel][data-episode="${got[0]}"] .chart[data-rendered="true"]`, { timeout: 30_000 });

    // Two policy versions side by side on the same slice.
    await page.locator('[data-overlay-control="compare"]').check();
    await page.waitForSelector('[data-overlay-group="1"] [data-overlay-plot] svg', { timeout: 60_000 });
    const a = await page.locator('[data-overlay-control="version-a"]').inputValue();
    const eps = (await page.locator('[data-overlay-group="0"]').getAttribute('data-overlay-episodes'))!.split(',').map(Number);
    const [versionsOfA] = await sqlRow(page, `SELECT string_agg(DISTINCT policy_version, ',') FROM episodes WHERE episode_index IN (${eps.join(',')})`);
    expect(versionsOfA).toBe(a);
    await page.close();
  });

  test('a review made with the playhead (o marks the onset) reaches the failure-mining tables', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await page.click('[data-template="failure-mining"]');
    await settled(page);
    const rows = await page.locator('[data-cell="review_queue"] [role="row"][data-row-index]').evaluateAll((rs) =>
      rs.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]')).map((c) => (c.textContent ?? '').trim())),
    );
    const cols = await page.locator('[data-cell="review_queue"] [role="columnheader"] .name').allInnerTexts();
    const row = rows.find((r) => r[cols.indexOf('failure_category')] !== 'timeout')!;
    const episode = row[cols.indexOf('episode_index')].replace(/\D/g, '');
    const priority = async (mode: string) =>
      Number(
        (
          await page.locator('[data-cell="failure_priority"] [role="row"][data-row-index]').evaluateAll((rs) =>
            rs.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]')).map((c) => (c.textContent ?? '').trim())),
          )
        ).find((r) => r[0] === mode)?.[1] ?? 0,
      );
    const before = await priority('timeout');

    await page.locator(`[data-cell="review_queue"] [data-open-episode="${episode}"]`).click();
    await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"] .chart[data-rendered="true"]`, { timeout: 30_000 });
    await videosSettled(page);
    await page.locator('[data-episode-panel] h2').click();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-episode-panel]')!.dataset.frame === '31');
    await page.keyboard.press('o');
    expect(Number(await page.locator('[data-review="onset"]').inputValue())).toBeCloseTo(31 / DEMO_FPS, 2);
    await page.selectOption('[data-review="outcome"]', 'failure');
    await page.fill('[data-review="category"]', 'timeout');
    await page.click('[data-action="save-review"]');
    await page.waitForSelector('[data-review-panel][data-annotations="1"]');
    await page.waitForFunction(() => document.querySelector('[data-episode-panel] .legend.onset')?.textContent?.includes('2.07'), undefined, { timeout: 20_000 });
    // The save re-runs the cells that read episodes or annotations; the re-run may start after a settled check.
    await expect.poll(async () => (await settled(page), priority('timeout')), { timeout: 60_000 }).toBe(before + 1);
    await page.close();
  });
});

describe('episode viewer on a v2.1 dataset (one mp4 per episode and camera)', () => {
  const fixture = '/fixtures/videos/v21_video/';

  test('every camera seeks to the exact frame (read back from the decoded pixels), stepping too', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1300, height: 1000 });
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(fixture)}#episode=1&t=2.3`);
    await page.waitForSelector('[data-episode-panel][data-episode="1"] .chart[data-rendered="true"]', { timeout: 60_000 });
    await videosSettled(page, 2);
    const s = await viewerState(page);
    expect(s.frame).toBe(23);
    expect(Math.abs(s.playhead - 2.3)).toBeLessThanOrEqual(1 / VIDEO_FIXTURE.fps);
    for (const key of VIDEO_FIXTURE.cameras) expect(await shownTimecode(page, key)).toEqual({ episode: 1, frame: 23 });
    for (const v of s.videos) expect(v.from).toBe(0);

    await page.locator('[data-episode-panel] h2').click();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-episode-panel]')!.dataset.frame === '24');
    await videosSettled(page, 2);
    for (const key of VIDEO_FIXTURE.cameras) expect(await shownTimecode(page, key)).toEqual({ episode: 1, frame: 24 });
    await page.keyboard.press('Shift+ArrowLeft');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-episode-panel]')!.dataset.frame === '14');
    await videosSettled(page, 2);
    for (const key of VIDEO_FIXTURE.cameras) expect(await shownTimecode(page, key)).toEqual({ episode: 1, frame: 14 });
    await saveScreenshot(page, 'viewer-v21');
    await page.close();
  });

  test('a missing mp4 gives a clear note; the other camera and the plots still work', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1300, height: 1000 });
    await page.goto(`${appUrl}?dataset=${encodeURIComponent(fixture)}#episode=2&t=1`);
    await page.waitForSelector('[data-episode-panel][data-episode="2"] .chart[data-rendered="true"]', { timeout: 60_000 });
    const note = page.locator('[data-video-pane="observation.images.wrist"] [data-video-missing]');
    await note.waitFor({ timeout: 30_000 });
    const text = await note.innerText();
    expect(text).toContain('videos/chunk-000/observation.images.wrist/episode_000002.mp4');
    expect(text).toContain('HTTP 404');
    expect(text).toContain('plots and the playhead still work');
    await videosSettled(page, 1);
    expect(await shownTimecode(page, VIDEO_FIXTURE.cameras[0])).toEqual({ episode: 2, frame: 10 });
    // The plot still follows the playhead.
    const s = await viewerState(page);
    expect(s.playhead).toBeCloseTo(1, 9);
    await page.locator('[data-episode-panel] h2').click();
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-episode-panel] .chart')!.dataset.playheadT) > 1.05);
    expect((await viewerState(page)).playhead).toBeCloseTo(1.1, 9);
    await page.close();
  });
});

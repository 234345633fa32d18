/**
 * The episode browser, named joints and the synced multi-plot viewer in the built app, in Chromium, on data the
 * project did not generate (the G1 sample: v2.1, 26 joints with nested names; the DROID-schema fixture) and on
 * the demo (log columns as facets, video thumbnails decoded from the mp4s).
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchBrowser, collectConsole, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { gridRows, settled } from './notebook-page.ts';

const appUrl = inject('appUrl');
const G1 = `${appUrl}?dataset=${encodeURIComponent('samples/lerobot/v21_unitree-g1_G1-policy-train')}`;
const DROID = `${appUrl}?dataset=${encodeURIComponent('fixtures/datasets/droid_mini')}`;
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

/** Runs SQL in a new cell named `name`; returns its grid's visible rows as text. */
async function sql(page: Page, source: string): Promise<string[][]> {
  await page.click('[data-tab="notebook"]');
  await page.click('[data-action="add-sql"]');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('textarea').fill(source);
  await cell.locator('textarea').press('Shift+Enter');
  await page.waitForFunction((el) => ['done', 'error'].includes(el?.getAttribute('data-cell-status') ?? ''), await cell.elementHandle(), { timeout: 90_000 });
  const err = await cell.locator('[data-cell-error], .error, [role="alert"]').allInnerTexts();
  expect(await cell.getAttribute('data-cell-status'), err.join('\n')).toBe('done');
  const name = await cell.getAttribute('data-cell');
  return gridRows(page, name!);
}

async function openBrowser(page: Page): Promise<void> {
  await page.waitForSelector('[data-tab="episodes"]', { timeout: 90_000 });
  await page.click('[data-tab="episodes"]');
  await browserDone(page);
}

async function browserDone(page: Page): Promise<void> {
  await page.waitForSelector('[data-episode-browser][data-state="done"], [data-episode-browser][data-state="error"]', { timeout: 90_000 });
  // A change starts a new listing asynchronously: wait until nothing is running.
  await page.waitForFunction(() => document.querySelector('[data-episode-browser]')?.getAttribute('data-state') !== 'running', undefined, { timeout: 90_000 });
}

/** Waits for the listing to reflect a change that was just made (state leaves `done`, then returns). */
async function relisted(page: Page, change: () => Promise<void>): Promise<void> {
  const before = await page.evaluate(() => (window as unknown as { __lists?: number }).__lists ?? 0);
  await page.evaluate(() => {
    const w = window as unknown as { __lists?: number; __obs?: MutationObserver };
    w.__lists ??= 0;
    w.__obs?.disconnect();
    w.__obs = new MutationObserver(() => {
      if (document.querySelector('[data-episode-browser]')?.getAttribute('data-state') === 'running') w.__lists!++;
    });
    w.__obs.observe(document.querySelector('[data-episode-browser]')!, { attributes: true, attributeFilter: ['data-state'] });
  });
  await change();
  await page.waitForFunction((n) => ((window as unknown as { __lists?: number }).__lists ?? 0) > n, before, { timeout: 30_000 });
  await browserDone(page);
}

const rowsShown = (page: Page) => page.locator('[data-episode-browser]').getAttribute('data-rows').then(Number);

/** Text of the browser's visible rows, keyed by header. */
async function browserRows(page: Page): Promise<Record<string, string>[]> {
  return page.evaluate(() => {
    const heads = [...document.querySelectorAll('[data-episode-browser] .head [role="columnheader"]')].map((h) => h.getAttribute('data-sort') ?? '');
    return [...document.querySelectorAll('[data-episode-browser] [data-browse-row]')]
      .sort((a, b) => Number(a.getAttribute('data-browse-row')) - Number(b.getAttribute('data-browse-row')))
      .map((r) => {
        const cells = [...r.querySelectorAll('[role="gridcell"]')];
        const o: Record<string, string> = {};
        heads.forEach((h, i) => {
          if (h) o[h] = (cells[i]?.textContent ?? '').trim();
        });
        return o;
      });
  });
}
const num = (s: string) => Number(s.replace(/[\s,]/g, ''));

describe('episode browser on the G1 sample (v2.1, 100 episodes, 35,965 frames, no log)', () => {
  test('lists every episode with stats of a named joint, sorts, filters, saves a selection and opens an episode', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(G1);
    await settled(page);
    await openBrowser(page);
    expect(await rowsShown(page)).toBe(100);
    let rows = await browserRows(page);
    expect(rows[0].episode_index).toBe('0');
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(['task', 'length', 'duration_s']));

    // Stats of a joint by its name: min/max/mean/std per episode, equal to an independent query by index.
    await relisted(page, async () => void (await page.selectOption('[data-browse-stat]', 'observation.state.kLeftElbow')));
    expect(await rowsShown(page)).toBe(100);
    rows = await browserRows(page);
    expect(Object.keys(rows[0])).toEqual(expect.arrayContaining(['stat_min', 'stat_max', 'stat_mean', 'stat_std']));
    const mean3 = num(rows[3].stat_mean);
    expect(Number.isFinite(mean3)).toBe(true);

    // Sort by length, longest first.
    await relisted(page, () => page.click('[data-episode-browser] [data-sort="length"]'));
    rows = await browserRows(page);
    const lengths = rows.map((r) => num(r.length));
    expect(lengths).toEqual([...lengths].sort((a, b) => b - a));

    // Filter with a WHERE over episodes' and the stats' columns.
    await page.fill('[data-browse-where]', 'length > 400 AND stat_max > stat_min');
    await relisted(page, () => page.click('[data-action="browse-filter"]'));
    const matching = await rowsShown(page);
    expect(matching).toBeGreaterThan(0);
    expect(matching).toBeLessThan(100);
    for (const r of await browserRows(page)) expect(num(r.length)).toBeGreaterThan(400);

    // Select two, save them as a table; and everything listed as another.
    rows = await browserRows(page);
    const picked = [rows[0].episode_index, rows[1].episode_index].map(Number).sort((a, b) => a - b);
    for (const e of picked) await page.check(`[data-select-episode="${e}"]`);
    await page.fill('[data-selection-name]', 'picked');
    await page.click('[data-action="save-selection"]');
    await page.waitForSelector('[data-browse-saved]');
    await page.fill('[data-selection-name]', 'long_ones');
    await page.click('[data-action="save-listed"]');
    await page.waitForFunction(() => document.querySelector('[data-browse-saved]')?.textContent?.includes('long_ones'));

    // A bad WHERE says what DuckDB says, and the browser keeps working.
    await page.fill('[data-browse-where]', 'no_such_column > 1');
    await page.click('[data-action="browse-filter"]');
    await page.waitForSelector('[data-browse-error]', { timeout: 30_000 });
    expect(await page.locator('[data-browse-error]').innerText()).toMatch(/no_such_column/);
    await page.fill('[data-browse-where]', '');
    await relisted(page, () => page.click('[data-action="browse-filter"]'));
    expect(await rowsShown(page)).toBe(100);
    await saveScreenshot(page, 'browser-g1');

    // Open an episode from the list: the viewer shows it.
    await page.click('[data-browse-open="7"]');
    await page.waitForSelector('[data-episode-panel][data-episode="7"] .chart[data-rendered="true"]', { timeout: 60_000 });

    // The saved tables are real tables a notebook can read; the stats match an independent query.
    const [[all, frames]] = await sql(page, 'SELECT count(*), sum(length) FROM episodes');
    expect([num(all), num(frames)]).toEqual([100, 35965]);
    const [[got]] = await sql(page, `SELECT string_agg(episode_index::VARCHAR, ',' ORDER BY episode_index) FROM picked`);
    expect(got).toBe(picked.join(','));
    const [[n, bad]] = await sql(page, 'SELECT count(*), count(*) FILTER (WHERE length <= 400) FROM long_ones');
    expect([num(n), num(bad)]).toEqual([matching, 0]);
    const [[m]] = await sql(page, 'SELECT round(avg("observation.state"[4]), 4) FROM frames WHERE episode_index = 3');
    expect(mean3).toBeCloseTo(num(m), 3);
    expect(logs.pageErrors).toEqual([]);
    await page.close();
  });
});

describe('named joints in SQL', () => {
  test('G1: "observation.state.kLeftElbow" is the 4th element, and action pairs by the same name', async () => {
    const page = await b.context.newPage();
    await page.goto(G1);
    await settled(page);
    const [[n, same, diff]] = await sql(
      page,
      `SELECT count(*), count(*) FILTER (WHERE "observation.state.kLeftElbow" = "observation.state"[4]),
        count(*) FILTER (WHERE "action.kRightHandThumbRotation" IS DISTINCT FROM action[26]) FROM frames WHERE episode_index = 5`,
    );
    expect(num(n)).toBeGreaterThan(0);
    expect(num(same)).toBe(num(n));
    expect(num(diff)).toBe(0);
    await page.close();
  });

  test('DROID schema: axis names of state and action, beside its real sub-feature columns', async () => {
    const page = await b.context.newPage();
    await page.goto(DROID);
    await settled(page);
    const [[n, j, g, yaw]] = await sql(
      page,
      `SELECT count(*), count(*) FILTER (WHERE "observation.state.joint_3" = "observation.state.joint_position"[4]),
        count(*) FILTER (WHERE "observation.state.gripper" = "observation.state.gripper_position"),
        count(*) FILTER (WHERE "action.cartesian_velocity.yaw" = "action.cartesian_velocity"[6]) FROM frames WHERE episode_index = 1`,
    );
    expect(num(n)).toBeGreaterThan(0);
    expect([num(j), num(g), num(yaw)]).toEqual([num(n), num(n), num(n)]);
    await page.close();
  });
});

/** Each panel's drawn window, playhead position and legend. */
async function panelsState(page: Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-episode-panel] [data-panel]')].map((p) => {
      const chart = p.querySelector<HTMLElement>('.chart')!;
      const head = p.querySelector<HTMLElement>('[data-playhead]')!;
      const svg = chart.querySelector('svg')!;
      // Colours as the legend shows them, and the distinct line colours actually drawn.
      const strokes: Record<string, string> = {};
      for (const l of p.querySelectorAll('[data-series-label]')) strokes[l.getAttribute('data-series-label')!] = l.querySelector('line')?.getAttribute('stroke') ?? '';
      const drawn = new Set([...svg.querySelectorAll('g[aria-label="line"] path')].map((e) => e.getAttribute('stroke') ?? e.closest('g')?.getAttribute('stroke') ?? ''));
      return {
        domain: chart.dataset.domain,
        rendered: chart.dataset.rendered === 'true',
        playheadX: head.hidden ? null : Math.round(head.getBoundingClientRect().left),
        legend: [...p.querySelectorAll('[data-series-label]')].map((l) => l.getAttribute('data-series-label')!),
        strokes,
        drawnColours: drawn.size,
      };
    }),
  );
}

describe('synced multi-plot viewer on the G1 sample', () => {
  test('#episode=5&t=3: joint groups as synced panels, vector-order legends, distinct colours, one zoomable time axis', async () => {
    const page = await b.context.newPage();
    const logs = collectConsole(page);
    await page.setViewportSize({ width: 1400, height: 1400 });
    await page.goto(`${G1}#episode=5&t=3`);
    await page.waitForFunction(() => document.querySelectorAll('[data-episode-panel] [data-panel] .chart[data-rendered="true"]').length >= 3, undefined, { timeout: 90_000 });
    let s = await panelsState(page);
    expect(s.length).toBeGreaterThanOrEqual(3);
    // One playhead: at the same x in every panel, and the same time window.
    expect(new Set(s.map((p) => p.playheadX)).size).toBe(1);
    expect(s[0].playheadX).not.toBeNull();
    expect(new Set(s.map((p) => p.domain)).size).toBe(1);
    // Legends in vector order, state and action paired in the same panel.
    expect(s[0].legend.slice(0, 7)).toEqual(['kLeftShoulderPitch', 'kLeftShoulderRoll', 'kLeftShoulderYaw', 'kLeftElbow', 'kLeftWristRoll', 'kLeftWristPitch', 'kLeftWristYaw']);
    expect(s[0].legend).toContain('action (dashed)');
    // The example: kLeftElbow and kLeftWristPitch no longer share a colour.
    expect(s[0].strokes.kLeftElbow).toMatch(/^(#[0-9a-f]{3,8}|rgb)/i);
    expect(s[0].strokes.kLeftElbow).not.toBe(s[0].strokes.kLeftWristPitch);
    // Every series of a panel has its own colour (state/action of one joint share it).
    const colours = Object.entries(s[0].strokes).filter(([k]) => !k.includes('(')).map(([, v]) => v);
    expect(colours).toHaveLength(7);
    expect(new Set(colours).size).toBe(7);
    expect(s[0].drawnColours).toBe(7);
    await saveScreenshot(page, 'viewer-g1-multiplot');

    // Zoom in around the playhead: every panel shows the same narrower window, the playhead still lined up.
    const whole = s[0].domain!.split(',').map(Number);
    await page.click('[data-action="zoom-in"]');
    await page.waitForFunction((d) => [...document.querySelectorAll<HTMLElement>('[data-panel] .chart')].every((c) => c.dataset.domain !== d), s[0].domain);
    s = await panelsState(page);
    expect(new Set(s.map((p) => p.domain)).size).toBe(1);
    const zoomed = s[0].domain!.split(',').map(Number);
    expect(zoomed[1] - zoomed[0]).toBeCloseTo((whole[1] - whole[0]) / 2, 3);
    expect(zoomed[0]).toBeLessThanOrEqual(3);
    expect(zoomed[1]).toBeGreaterThanOrEqual(3);
    expect(new Set(s.map((p) => p.playheadX)).size).toBe(1);

    // Dragging across the second panel zooms every panel to that range.
    const chart = page.locator('[data-panel="1"] .chart svg');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction((d) => [...document.querySelectorAll<HTMLElement>('[data-panel] .chart')].every((c) => c.dataset.domain !== d), s[0].domain);
    s = await panelsState(page);
    expect(new Set(s.map((p) => p.domain)).size).toBe(1);
    const dragged = s[0].domain!.split(',').map(Number);
    expect(dragged[1] - dragged[0]).toBeLessThan(zoomed[1] - zoomed[0]);
    expect(dragged[0]).toBeGreaterThan(zoomed[0]);

    // Back to the whole episode; a panel of another signal joins under the same playhead.
    await page.click('[data-action="zoom-reset"]');
    const before = s.length;
    await page.click('[data-action="add-panel"]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-panel] .chart[data-rendered="true"]').length === n + 1, before, { timeout: 30_000 });
    s = await panelsState(page);
    expect(new Set(s.map((p) => p.domain))).toEqual(new Set([`${whole[0]},${whole[1]}`]));
    // The whole state vector in one panel: 26 series, each a distinct colour/dash pair.
    await page.selectOption(`[data-panel="${before}"] [data-trace-column]`, 'frames.observation.state');
    await page.waitForFunction((i) => document.querySelector(`[data-panel="${i}"]`)?.getAttribute('data-series') === '26', before, { timeout: 30_000 });
    const styles = await page.evaluate((i) => [...document.querySelectorAll(`[data-panel="${i}"] [data-series-label] line`)].map((l) => `${l.getAttribute('stroke')}|${l.getAttribute('stroke-dasharray') ?? ''}`), before);
    expect(styles).toHaveLength(26);
    expect(new Set(styles).size).toBe(26);
    expect(logs.pageErrors).toEqual([]);
    await page.close();
  });
});

describe('episode browser on the demo (log joined, videos)', () => {
  test('facet chips filter like the equivalent SQL, and rows in view get thumbnails from the mp4s', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await settled(page);
    await openBrowser(page);
    expect(await rowsShown(page)).toBe(1100);
    await page.waitForSelector('[data-thumb="drawn"]', { timeout: 60_000 });
    // The thumbnail is a decoded frame, not a blank canvas.
    const lit = await page.evaluate(async () => {
      const img = document.querySelector<HTMLImageElement>('[data-thumb="drawn"] img')!;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const g = c.getContext('2d')!;
      g.drawImage(img, 0, 0);
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
      return sum / (d.length / 4) / 3;
    });
    expect(lit).toBeGreaterThan(20);
    await relisted(page, () => page.click('[data-chip="outcome"][data-chip-value="failure"]'));
    await relisted(page, () => page.click('[data-chip="policy_version"][data-chip-value="v6"]'));
    const shown = await rowsShown(page);
    for (const r of await browserRows(page)) {
      expect(r.outcome).toBe('failure');
      expect(r.policy_version).toBe('v6');
    }
    await saveScreenshot(page, 'browser-demo');
    const [[n]] = await sql(page, `SELECT count(*) FROM episodes WHERE outcome = 'failure' AND policy_version = 'v6'`);
    expect(shown).toBe(num(n));
    expect(shown).toBeGreaterThan(0);
    await page.close();
  });
});

/**
 * The data-ops checks as a reviewer uses them in the built app, on the demo: the quality gate lists exactly the
 * planted flawed demos; rejecting one takes it out of the replay mix; the review sample fills its estimate as
 * episodes are reviewed; the health page flags the planted drifting joint's week.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { gridColumns, gridRows, settled } from './notebook-page.ts';

const appUrl = inject('appUrl');
const truth = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../static/demo/ground_truth.json'), 'utf8'));
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
});
afterAll(() => b?.close());

async function openJob(page: Page, id: string, cell: string): Promise<void> {
  await page.click(`[data-template="${id}"]`);
  await page.waitForSelector(`[data-cell="${cell}"]`);
  await settled(page);
}

/** Adds a SQL cell at the end, runs it with Shift+Enter, and returns its first row. */
async function ask(page: Page, sql: string): Promise<string[]> {
  await page.click('[data-action="add-sql"]');
  const editor = page.locator('[data-cell-kind="sql"] textarea').last();
  await editor.fill(sql);
  await editor.press('Shift+Enter');
  const cell = page.locator('[data-cell-kind="sql"]').last();
  await cell.locator('[role="row"][data-row-index="0"]').waitFor({ timeout: 30_000 });
  return cell.locator('[role="row"][data-row-index="0"] [role="gridcell"]').allInnerTexts();
}

describe('data-ops checks on the demo', () => {
  test('the quality gate finds the planted demos; a rejected one leaves the replay mix', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await openJob(page, 'quality-gate', 'quality_gate');
    const cols = await gridColumns(page, 'quality_gate');
    const rows = await gridRows(page, 'quality_gate');
    const review = rows.filter((r) => r[cols.indexOf('suggested')] === 'review').map((r) => Number(r[cols.indexOf('episode_index')].replace(/\D/g, '')));
    const planted = truth.dataOps.flawed.map((f: { episode_index: number }) => f.episode_index);
    expect(review.sort((x, y) => x - y)).toEqual(planted);
    await saveScreenshot(page, 'dataops-quality-gate');

    // Reject the hesitation demo from the gate's list.
    const hesitation = truth.dataOps.flawed.find((f: { defect: string }) => f.defect === 'hesitation').episode_index;
    await page.locator(`[data-cell="quality_gate"] [data-open-episode="${hesitation}"]`).click();
    await page.waitForSelector(`[data-episode-panel][data-episode="${hesitation}"]`);
    await page.selectOption('[data-review="gate"]', 'reject');
    await page.click('[data-action="save-review"]');
    await page.waitForFunction(() => document.querySelector('[data-review-panel]')?.getAttribute('data-annotations') === '1');
    await settled(page);
    await expect.poll(async () => (await gridRows(page, 'quality_gate')).find((r) => r[cols.indexOf('episode_index')].replace(/\D/g, '') === String(hesitation))?.[cols.indexOf('decision')], { timeout: 20_000 }).toBe('reject');

    await openJob(page, 'replay-mix', 'replay_manifest');
    expect(await ask(page, `SELECT count(*) AS n FROM replay_manifest WHERE episode_index = ${hesitation}`)).toEqual(['0']);
    // Another seed demo is still in the mix (the rejected one is the only one left out).
    expect(await ask(page, `SELECT count(DISTINCT episode_index) > 0 AS kept FROM replay_manifest WHERE episode_index IN (${planted.filter((e: number) => e !== hesitation).join(', ')})`)).toEqual(['true']);
    await page.close();
  });

  test('the review sample is the requested share per stratum, and its estimate counts reviews', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await openJob(page, 'review-sampling', 'review_estimate');
    const sampled = Number(await page.locator('[data-cell="review_sample"] [data-grid]').getAttribute('data-row-count'));
    // 20% of each (policy version, logged outcome) stratum of the auto-collected deployments, at least one each.
    const log = readFileSync(path.resolve(import.meta.dirname, '../../static/demo/deployment_log.csv'), 'utf8').trim().split('\n');
    const h = log[0].split(',');
    const strata = new Map<string, number>();
    for (const line of log.slice(1)) {
      const f = line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((x) => x.replace(/,$/, ''));
      if (!f[h.indexOf('tags')].includes('auto-collected')) continue;
      const k = `${f[h.indexOf('policy_version')]}/${f[h.indexOf('outcome')]}`;
      strata.set(k, (strata.get(k) ?? 0) + 1);
    }
    expect(sampled).toBe([...strata.values()].reduce((s, n) => s + Math.max(1, Math.round(0.2 * n)), 0));
    // Review the first two of the queue.
    const cols = await gridColumns(page, 'review_sample');
    const first = (await gridRows(page, 'review_sample')).slice(0, 2).map((r) => r[cols.indexOf('episode_index')].replace(/\D/g, ''));
    // The browser profile is shared by this file's tests: count from what is already stored (a gate verdict, say).
    const before = Number(await page.locator('[data-review-panel]').getAttribute('data-annotations'));
    for (const [i, ep] of first.entries()) {
      await page.locator(`[data-cell="review_sample"] [data-open-episode="${ep}"]`).click();
      await page.waitForSelector(`[data-episode-panel][data-episode="${ep}"]`);
      await page.selectOption('[data-review="outcome"]', 'success');
      await page.click('[data-action="save-review"]');
      await page.waitForFunction((n) => document.querySelector('[data-review-panel]')?.getAttribute('data-annotations') === String(n), before + i + 1);
    }
    await settled(page);
    const ec = await gridColumns(page, 'review_estimate');
    await expect.poll(async () => (await gridRows(page, 'review_estimate')).map((r) => r[ec.indexOf('reviewed')]), { timeout: 20_000 }).toEqual(['2', '2']);
    await page.close();
  });

  test('the health page flags the first week the drifting joint is out of tolerance', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-cell="drift_flag"]');
    await settled(page);
    const cols = await gridColumns(page, 'drift_flag');
    const [row] = await gridRows(page, 'drift_flag');
    expect(row[cols.indexOf('first_week_out_of_tolerance')]).toContain(truth.dataOps.drift.first_week_start.slice(0, 10));
    expect(row[cols.indexOf('joints')]).toContain(truth.dataOps.drift.joint);
    expect(Number(row[cols.indexOf('deployments_after')].replace(/\D/g, ''))).toBeGreaterThan(0);
    await page.locator('[data-cell="drift_chart"]').scrollIntoViewIfNeeded();
    await saveScreenshot(page, 'dataops-drift');
    await page.close();
  });
});

/**
 * The failure-mining job as a user works it, in the built app: re-rank modes in the form, review a failed
 * episode (the correction reaches the job's tables), keep reviews across a reload, exchange sidecars with a
 * colleague and read their agreement, export a replay manifest, and run every job on the v2.1 sample with the
 * deployment log written for it.
 */
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { tableFromIPC } from 'apache-arrow';
import initParquet, { readParquet } from 'parquet-wasm/esm/parquet_wasm.js';
import type { Page } from 'playwright-core';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { gridColumns, gridRows, settled } from './notebook-page.ts';
import { cohensKappa } from '../../src/lib/analysis/agreement.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
let b: LaunchedBrowser;
beforeAll(async () => {
  b = await launchBrowser();
  const require = createRequire(import.meta.url);
  await initParquet({ module_or_path: await readFile(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
});
afterAll(() => b?.close());

async function openJob(page: Page, id: string): Promise<void> {
  await page.click(`[data-template="${id}"]`);
  await settled(page);
}

async function download(page: Page, click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  return { name: dl.suggestedFilename(), bytes: await readFile((await dl.path())!) };
}

describe('failure mining, reviewed', () => {
  test('the form re-ranks modes; a review corrects the job tables and survives a reload', async () => {
    const page = await b.context.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await openJob(page, 'failure-mining');

    // Priority ranking follows the form.
    const ranking = async () => (await gridRows(page, 'failure_priority')).map((r) => r[0]);
    const before = await ranking();
    expect(before[0]).not.toBe('collision');
    // Over all deployments collision (fixability 0.2) is far down; at fixability 1 it passes every mode but grasp_failure,
    // which a lower fixability (0.5) then puts behind it.
    await page.locator('[data-cell="failure_priority"] [data-row="collision"] [data-field="fixability"]').fill('1');
    await page.locator('[data-cell="failure_priority"] [data-row="grasp_failure"] [data-field="fixability"]').fill('0.5');
    await page.waitForFunction(() => document.querySelector('[data-cell="failure_priority"] [role="row"][data-row-index="0"] [role="gridcell"]')?.textContent?.trim() === 'collision', undefined, { timeout: 20_000 });
    await settled(page);
    expect((await ranking())[0]).toBe('collision');
    // The form travels with the notebook: its SQL now carries the new weight.
    await page.locator('[data-cell="failure_priority"] [data-analysis-sql] summary').click();
    expect(await page.locator('[data-cell="failure_priority"] textarea').inputValue()).toContain("('collision', 1::DOUBLE, 1::DOUBLE, false)");

    // Review the newest failed episode that is not a collision: file it as one.
    const cols = await gridColumns(page, 'review_queue');
    const queue = await gridRows(page, 'review_queue');
    const row = queue.find((r) => r[cols.indexOf('failure_category')] !== 'collision' && r[cols.indexOf('policy')] === 'v6')!;
    const episode = row[cols.indexOf('episode_index')].replace(/\D/g, '');
    const oldMode = row[cols.indexOf('failure_category')];
    const failures = async (mode: string) => Number((await gridRows(page, 'failure_priority')).find((r) => r[0] === mode)?.[1] ?? 0);
    const collisionsBefore = await failures('collision');
    const oldBefore = await failures(oldMode);

    await page.locator(`[data-cell="review_queue"] [data-open-episode="${episode}"]`).click();
    await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"] .chart[data-rendered="true"]`, { timeout: 30_000 });
    // Clicking the chart picks the onset.
    const chart = page.locator('[data-episode-panel] .chart > figure > svg, [data-episode-panel] .chart > svg').first();
    const box = (await chart.boundingBox())!;
    await chart.click({ position: { x: box.width / 2, y: box.height / 2 } });
    const onset = Number(await page.locator('[data-review="onset"]').inputValue());
    expect(onset).toBeGreaterThan(0);
    await page.selectOption('[data-review="outcome"]', 'failure');
    await page.fill('[data-review="category"]', 'collision');
    await page.fill('[data-review="note"]', 'wrist clipped the bin wall');
    await page.click('[data-action="save-review"]');
    await page.waitForSelector('[data-review-panel][data-annotations="1"]');
    await page.waitForFunction(() => document.querySelector('[data-episode-panel] .meta')?.textContent?.includes('reviewed by me'), undefined, { timeout: 20_000 });
    await settled(page);
    expect(await failures('collision')).toBe(collisionsBefore + 1);
    expect(await failures(oldMode)).toBe(oldBefore - 1);
    await saveScreenshot(page, 'review-episode');

    // Reload: the review is still there, and still applied.
    await page.reload();
    await page.waitForSelector('[data-review-panel][data-annotations="1"]', { timeout: 60_000 });
    await settled(page);
    expect(await failures('collision')).toBe(collisionsBefore + 1);
    // Reviewed episodes sort last in the queue (out of the grid's view): open it as a result's link does.
    await page.evaluate((ep) => document.dispatchEvent(new CustomEvent('flywheel:episode', { detail: { episode: ep } })), Number(episode));
    await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"]`);
    expect(await page.locator('[data-review="category"]').inputValue()).toBe('collision');
    expect(Number(await page.locator('[data-review="onset"]').inputValue())).toBe(onset);

    // `]` steps to the next failed episode.
    await page.locator('[data-episode-panel] h2').click();
    await page.keyboard.press('[');
    await page.waitForFunction((ep) => document.querySelector('[data-episode-panel]')?.getAttribute('data-episode') !== ep, episode);
    expect(await page.locator('[data-episode-panel] [data-episode-outcome]').innerText()).toBe('failure');
    await page.close();
  });

  test('sidecars go out as CSV and Parquet, come back in, and two annotators get their kappa', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await page.waitForSelector('[data-review-panel]', { timeout: 60_000 });
    await settled(page);
    // Two colleagues' sidecars over the same 30 episodes; bo disagrees on the outcome of 4 of them.
    const eps = Array.from({ length: 30 }, (_, i) => 900 + i);
    const ann = eps.map((e, i) => (i % 3 === 0 ? 'success' : 'failure'));
    const bo = ann.map((o, i) => (i % 8 === 1 ? (o === 'success' ? 'failure' : 'success') : o));
    const dir = await mkdtemp(path.join(tmpdir(), 'sidecar-'));
    const annCsv = path.join(dir, 'ann.csv');
    const boCsv = path.join(dir, 'bo.csv');
    await writeFile(annCsv, 'episode_index,annotator,outcome,failure_category\n' + eps.map((e, i) => `${e},ann,${ann[i]},${ann[i] === 'failure' ? 'grasp_failure' : ''}`).join('\n') + '\n');
    // No annotator column: the file's name becomes the annotator.
    await writeFile(boCsv, 'episode_index,outcome\n' + eps.map((e, i) => `${e},${bo[i]}`).join('\n') + '\n');
    for (const file of [annCsv, boCsv]) {
      await page.locator('[data-input="annotations"]').setInputFiles(file);
      await page.waitForFunction((name) => document.querySelector('[data-review-message]')?.textContent?.includes(`Imported 30 annotations from ${name}`), path.basename(file), { timeout: 20_000 });
    }
    const total = Number(await page.locator('[data-review-panel]').getAttribute('data-annotations'));
    expect(total).toBeGreaterThanOrEqual(60);

    // A file of something else is refused with the reason.
    const bad = path.join(dir, 'prices.csv');
    await writeFile(bad, 'item,price\na,1\n');
    await page.locator('[data-input="annotations"]').setInputFiles(bad);
    await page.waitForFunction(() => document.querySelector('[data-review-message]')?.textContent?.includes('no episode_index column'), undefined, { timeout: 20_000 });

    // Out as CSV and Parquet, with the same rows.
    const csv = await download(page, () => page.click('[data-action="export-annotations-csv"]'));
    expect(csv.name).toBe('annotations.csv');
    const lines = csv.bytes.toString('utf8').trim().split('\n');
    expect(lines[0]).toBe('episode_index,annotator,outcome,failure_category,onset_s,note,gate,updated_at_ms,label');
    expect(lines.length - 1).toBe(total);
    const pq = await download(page, () => page.click('[data-action="export-annotations-parquet"]'));
    const t = tableFromIPC(readParquet(new Uint8Array(pq.bytes)).intoIPCStream());
    expect(t.numRows).toBe(total);
    expect(t.schema.fields.map((f) => f.name)).toEqual(lines[0].split(','));

    // Agreement: kappa of bo vs ann on success/failure, as the TS reference computes it.
    await openJob(page, 'agreement');
    const cols = await gridColumns(page, 'agreement_outcome');
    const pair = (await gridRows(page, 'agreement_outcome')).find((r) => r[cols.indexOf('annotator_a')] === 'ann' && r[cols.indexOf('annotator_b')] === 'bo')!;
    expect(pair).toBeDefined();
    expect(Number(pair[cols.indexOf('n')])).toBe(30);
    const ref = cohensKappa(ann, bo).kappa!;
    expect(Number(pair[cols.indexOf('kappa')])).toBeCloseTo(ref, 3);
    expect(pair[cols.indexOf('meets_target')]).toBe(ref >= 0.9 ? 'true' : 'false');
    await saveScreenshot(page, 'review-agreement');

    // The Parquet sidecar imports into a fresh browser profile.
    const fresh = await launchBrowser();
    try {
      const p2 = await fresh.context.newPage();
      await p2.goto(appUrl);
      await p2.waitForSelector('[data-review-panel][data-annotations="0"]', { timeout: 60_000 });
      const pqFile = path.join(dir, 'annotations.parquet');
      await writeFile(pqFile, pq.bytes);
      await p2.locator('[data-input="annotations"]').setInputFiles(pqFile);
      await p2.waitForSelector(`[data-review-panel][data-annotations="${total}"]`, { timeout: 20_000 });
    } finally {
      await fresh.close();
    }
    await page.close();
  });
});

describe('replay mix', () => {
  test('the manifest exports as LeRobot JSON (episodes per stage), CSV and Parquet with the same rows', async () => {
    const page = await b.context.newPage();
    await page.goto(appUrl);
    await page.waitForSelector('[data-notebook]');
    await openJob(page, 'replay-mix');
    // Switch to the curriculum in the form: three stages.
    await page.locator('[data-cell="replay_manifest"] select[data-field="policy"]').selectOption({ label: 'Curriculum 90/10 → 70/30 → 50/50' });
    // The form re-runs the manifest and what reads it: replay_stages then lists three stages.
    await expect
      .poll(async () => {
        const cols = await gridColumns(page, 'replay_stages');
        return new Set((await gridRows(page, 'replay_stages')).map((r) => r[cols.indexOf('stage')])).size;
      }, { timeout: 30_000 })
      .toBe(3);
    await settled(page);
    const exportFrom = (format: string) =>
      download(page, async () => {
        await page.locator('[data-cell="replay_manifest"] .export summary').click();
        await page.locator(`[data-cell="replay_manifest"] [data-export="${format}"]`).click();
      });
    const json = JSON.parse((await exportFrom('manifest-json')).bytes.toString('utf8'));
    expect(json.stages.map((s: { name: string }) => s.name)).toEqual(['stage_1', 'stage_2', 'stage_3']);
    const csv = (await exportFrom('csv')).bytes.toString('utf8').trim().split('\n');
    const header = csv[0].split(',');
    const rows = csv.slice(1).map((l) => l.split(','));
    for (const [i, stage] of json.stages.entries()) {
      const inStage = rows.filter((r) => Number(r[header.indexOf('stage')]) === i + 1);
      expect(stage.episodes).toEqual(inStage.map((r) => Number(r[header.indexOf('episode_index')])).sort((a, b) => a - b));
      expect(stage.weights.reduce((s: number, w: number) => s + w, 0)).toBeCloseTo(1, 9);
    }
    const pq = tableFromIPC(readParquet(new Uint8Array((await exportFrom('parquet')).bytes)).intoIPCStream());
    expect(pq.numRows).toBe(rows.length);
    await page.close();
  });
});

describe('every job on the v2.1 sample with its deployment log', () => {
  test('opens from a URL and runs the job and data-ops notebooks without an error', async () => {
    const page = await b.context.newPage();
    const base = new URL('/', remoteUrl);
    const q = new URLSearchParams({
      dataset: new URL('samples/lerobot/v21_unitree-g1_G1-policy-train/', base).href,
      log: new URL('fixtures/logs/v21_g1/deployment_log.csv', base).href,
      costs: new URL('fixtures/logs/v21_g1/collection_costs.csv', base).href,
    });
    await page.goto(`${appUrl}?${q}`);
    await page.click('[data-consent] [data-action="agree"]');
    await settled(page);
    expect(await page.locator('[data-templates]').getAttribute('data-on')).toBe('this-data');
    for (const id of ['health', 'failure-mining', 'red-flags', 'replay-mix', 'cost-per-success', 'agreement', 'quality-gate', 'review-sampling', 'drift-watch']) {
      await openJob(page, id);
      await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
      const errors = await page.locator('[data-cell-error]').allInnerTexts();
      expect(errors, id).toEqual([]);
      // The checks found the log's columns: one "ok" row.
      if (['failure-mining', 'red-flags', 'replay-mix', 'cost-per-success'].includes(id)) expect((await gridRows(page, 'input_checks'))[0]?.[0], id).toBe('ok');
      expect(await page.locator('[data-dataset]').innerText()).toContain('100');
      await saveScreenshot(page, `sample-${id}`);
    }
    await page.close();
  }, 300_000); // nine notebooks, one after the other, in one page: more than the 120 s a single check gets
});

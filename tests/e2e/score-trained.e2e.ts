/**
 * Models trained in the tab, in the built app in Chromium, through the UI, on data the demo never showed (the fleet
 * fixture: SO-101-like arm, degrees, 30 fps, `state`/`actions`, with its deployment log): the uncertainty notebook
 * from the sidebar trains the ensemble in the score worker with progress, a run can be cancelled while training, the
 * trained ensemble ranks the out-of-distribution frames (AUROC ≥ 0.85 against the generator's ground truth), a
 * re-run loads the models kept in IndexedDB, and they can be downloaded as ONNX.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { startServer } from './serve.ts';
import { saveScreenshot } from './screenshot.ts';
import { auroc } from '../../src/lib/score/metrics';
import type { FleetTruth } from '../../src/lib/fleet-gen';

const repoRoot = inject('repoRoot');
const FLEET = 'fixtures/datasets/so101_fleet';
const truth = JSON.parse(readFileSync(path.join(repoRoot, 'tests', FLEET, 'ground_truth.json'), 'utf8')) as FleetTruth;
const byEp = new Map(truth.episodes.map((e) => [e.episode_index, e]));

async function settled(page: Page, timeout = 240_000): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="waiting"],[data-cell-status="idle"]'), undefined, { timeout });
}

describe('models trained in the tab (Chromium)', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  test('fleet: train with progress, cancel, score (AUROC ≥ 0.85), reuse from IndexedDB, download', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost', mounts: { '/fixtures/': path.join(repoRoot, 'tests/fixtures') } });
    try {
      const page = await browser.context.newPage();
      await page.goto(`${server.url}?dataset=${encodeURIComponent(FLEET)}&log=${encodeURIComponent(`${FLEET}/deployment_log.csv`)}`, { waitUntil: 'load' });
      await settled(page);
      await page.click('[data-template="uncertainty"]');
      // Training reports progress in the cell; Cancel stops it between chunks of steps.
      await page.waitForFunction(() => /Training member/.test(document.querySelector('[data-cell="policy_scores"] [data-cell-progress]')?.textContent ?? ''), undefined, { timeout: 120_000 });
      await page.locator('[data-cell="policy_scores"] [data-action="cancel"]').click();
      await page.waitForSelector('[data-cell="policy_scores"][data-cell-status="cancelled"]', { timeout: 60_000 });
      await settled(page);
      // Run again: trained to the end this time, then every cell runs.
      await page.locator('[data-cell="policy_scores"] [data-action="run"]').click();
      await page.waitForSelector('[data-cell="policy_scores"][data-cell-status="running"]', { timeout: 30_000 });
      await settled(page);
      expect(await page.locator('[data-cell-error]').allInnerTexts()).toEqual([]);
      const summary = page.locator('[data-cell="policy_scores"] [data-model-trained]');
      expect(await summary.getAttribute('data-model-trained')).toBe('trained');
      expect(await summary.innerText()).toMatch(/Trained in this tab: 5 ONNX models on state → actions, 48 reference episodes \(policy_version IS NULL\), seed 1/);
      await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
      await page.locator('[data-cell="policy_scores"]').scrollIntoViewIfNeeded();
      await saveScreenshot(page, 'models-trained-fleet');

      // The per-frame disagreement against the generator's ground truth.
      await page.locator('[data-cell="policy_scores"] .export summary').click();
      const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-cell="policy_scores"] [data-export="arrow"]').click()]);
      const t = tableFromIPC(new Uint8Array(await readFile((await dl.path())!)));
      const ep = t.getChild('episode_index')!.toArray();
      const fr = t.getChild('frame_index')!.toArray();
      const u = t.getChild('uncertainty')!.toArray();
      const scores: number[] = [];
      const labels: boolean[] = [];
      for (let i = 0; i < t.numRows; i++) {
        const e = byEp.get(Number(ep[i]))!;
        if (e.kind !== 'deployment') continue;
        scores.push(Number(u[i]));
        labels.push(e.ood !== null && Number(fr[i]) >= e.ood[0] && Number(fr[i]) < e.ood[1]);
      }
      expect(auroc(scores, labels)).toBeGreaterThanOrEqual(0.85);

      // The trained models download as ONNX.
      const [onnx] = await Promise.all([page.waitForEvent('download'), page.locator('[data-cell="policy_scores"] [data-model-download="policy-member-0.onnx"]').click()]);
      expect(onnx.suggestedFilename()).toBe('policy_scores-policy-member-0.onnx');
      expect((await readFile((await onnx.path())!)).length).toBeGreaterThan(1000);

      // A re-run loads them from this browser instead of training again.
      await page.locator('[data-cell="policy_scores"] [data-action="run"]').click();
      await page.waitForSelector('[data-cell="policy_scores"] [data-model-trained="cached"]', { timeout: 120_000 });
      await settled(page);
      expect(await page.locator('[data-cell-error]').allInnerTexts()).toEqual([]);
    } finally {
      await server.close();
    }
  }, 600_000);
});

describe('model notebooks on users\' data (Chromium): every cell runs or says what is missing', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  const G1 = 'fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train';
  const cases: { name: string; query: string; clustering: 'runs' | 'no-outcome' }[] = [
    { name: 'G1 sample, no log', query: `dataset=${encodeURIComponent(G1)}`, clustering: 'no-outcome' },
    { name: 'G1 sample with its log', query: `dataset=${encodeURIComponent(G1)}&log=${encodeURIComponent('fixtures/logs/v21_g1/deployment_log.csv')}`, clustering: 'runs' },
    { name: 'DROID-schema fixture', query: `dataset=${encodeURIComponent('fixtures/datasets/droid_mini')}`, clustering: 'no-outcome' },
    { name: 'fleet with its log', query: `dataset=${encodeURIComponent(FLEET)}&log=${encodeURIComponent(`${FLEET}/deployment_log.csv`)}`, clustering: 'runs' },
  ];
  /** DuckDB's error classes and ONNX Runtime's messages: never shown raw. */
  const RAW = /(Binder|Catalog|Parser|Conversion|Invalid Input|Internal) Error|ORT|onnxruntime|\[ErrorCode/;

  test('uncertainty scoring and failure clustering on the G1 sample (with and without log), DROID and the fleet', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost', mounts: { '/fixtures/': path.join(repoRoot, 'tests/fixtures') } });
    try {
      for (const c of cases) {
        const page = await browser.context.newPage();
        await page.goto(`${server.url}?${c.query}`, { waitUntil: 'load' });
        await settled(page);
        for (const template of ['uncertainty', 'failure-clustering']) {
          await page.click(`[data-template="${template}"]`);
          await page.waitForFunction((t) => document.querySelector('[data-notebook]') && document.title !== '' && document.querySelector(`[data-cell="${t}"]`), template === 'uncertainty' ? 'policy_scores' : 'failure_clusters', { timeout: 30_000 });
          await settled(page);
          const errors = await page.locator('[data-cell-error]').allInnerTexts();
          for (const e of errors) expect(e, `${c.name} / ${template}`).not.toMatch(RAW);
          if (template === 'uncertainty' || c.clustering === 'runs') expect(errors, `${c.name} / ${template}`).toEqual([]);
          else {
            expect(await page.locator('[data-cell="failure_clusters"] [data-cell-error]').innerText()).toMatch(/^No outcome is mapped: .*&log=/s);
            for (const e of errors.slice(1)) expect(e).toMatch(/^Not run: it uses "/);
          }
          if (c.name === 'G1 sample, no log' && template === 'failure-clustering') await saveScreenshot(page, 'models-trained-g1-no-outcome');
        }
        await page.close();
      }
    } finally {
      await server.close();
    }
  }, 900_000);
});

/**
 * Model cells in the built app, in Chromium, driven through the UI: the uncertainty-scoring and failure-clustering
 * notebooks from the sidebar run the bundled demo models in the score worker (ONNX Runtime Web's wasm from dist/,
 * fetched only when a model cell first runs) with the same numbers as in Node; a run can be cancelled; a malformed
 * `.onnx` file and a mapping that does not fit the model give clear errors in the cell; the cluster map opens
 * episodes and named clusters reach SQL.
 */
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { tableFromIPC } from 'apache-arrow';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { startServer, type RunningServer } from './serve.ts';
import { saveScreenshot } from './screenshot.ts';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats } from '../../src/lib/models/demo-frames';
import type { DemoManifest } from '../../src/lib/models/demo-models';
import { resultIpc } from '../../src/lib/score/arrow';
import { adjustedRandIndex, auroc } from '../../src/lib/score/metrics';
import { Scorer } from '../../workers/score/scorer';

const repoRoot = inject('repoRoot');
const MODELS = path.join(DEMO_DIR, 'models');
const truth = readGroundTruth();
const byEp = new Map(truth.map((e) => [e.episode_index, e]));

/** Every cell has finished (done, error or cancelled). */
async function settled(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => document.querySelector('[data-notebook]') && !document.querySelector('[data-cell-status="queued"],[data-cell-status="running"],[data-cell-status="waiting"],[data-cell-status="idle"]'), undefined, { timeout });
}

async function openTemplate(page: Page, id: string): Promise<void> {
  await page.click(`[data-template="${id}"]`);
  await settled(page);
}

async function downloadArrow(page: Page, cell: string): Promise<Uint8Array> {
  await page.locator(`[data-cell="${cell}"] .export summary`).click();
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-cell="${cell}"] [data-export="arrow"]`).click()]);
  return new Uint8Array(await readFile((await dl.path())!));
}

describe('model cells in the built app (Chromium)', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  /** Opens the app, checks ONNX Runtime is not fetched before a model cell runs, then opens the uncertainty notebook. */
  async function openUncertainty(server: RunningServer): Promise<{ page: Page; logs: ReturnType<typeof collectConsole> }> {
    const page = await browser.context.newPage();
    const logs = collectConsole(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await settled(page);
    expect(server.stats.log.filter((e) => /ort-wasm|score\.worker/.test(e.path))).toEqual([]);
    await openTemplate(page, 'uncertainty');
    expect(await page.locator('[data-cell-error]').allInnerTexts()).toEqual([]);
    const assets = server.stats.log.filter((e) => /ort-wasm/.test(e.path));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.every((e) => e.status === 200 && e.path.startsWith('/assets/'))).toBe(true);
    return { page, logs };
  }

  test('uncertainty notebook: same disagreement as Node, collect-here links, cancel, clear errors', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost' });
    try {
      const { page, logs } = await openUncertainty(server);
      await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
      await page.locator('[data-cell="policy_scores"] [data-model-io] summary').click();
      expect(await page.locator('[data-cell="policy_scores"] [data-model-io]').innerText()).toContain('observation [N, 16]');
      expect(await page.locator('[data-cell="policy_scores"] [data-ort-threads]').getAttribute('data-ort-threads')).toBe('1');
      await saveScreenshot(page, 'models-uncertainty-e2e');

      // The per-frame table, exported from the cell, equals ONNX Runtime in Node on the same models and frames.
      const inBrowser = tableFromIPC(await downloadArrow(page, 'policy_scores'));
      const block = await readDemoFrames();
      const manifest = JSON.parse(readFileSync(path.join(MODELS, 'models.json'), 'utf8')) as DemoManifest;
      const scorer = new Scorer(ort);
      const ids: string[] = [];
      for (const f of manifest.ensembles[0].members) ids.push((await scorer.models.load(readFileSync(path.join(MODELS, f)), f)).id);
      const frames = resultIpc([
        { name: 'episode_index', values: block.episode },
        { name: 'frame_index', values: block.frame },
        { name: 'observation.state', values: block.columns['observation.state'].values, dims: 8 },
      ]);
      const node = tableFromIPC((await scorer.scoreFrames(1, { models: ids, mapping: manifest.ensembles[0].mapping, frames, stats: readStats(), fps: 15 })).frames);
      const ub = inBrowser.getChild('uncertainty')!.toArray() as Float32Array;
      const un = node.getChild('uncertainty')!.toArray() as Float32Array;
      expect(ub.length).toBe(un.length);
      let maxDiff = 0;
      for (let i = 0; i < un.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ub[i] - un[i]));
      expect(maxDiff).toBeLessThan(1e-4);
      const ep = inBrowser.getChild('episode_index')!.toArray() as Int32Array;
      const fr = inBrowser.getChild('frame_index')!.toArray() as Int32Array;
      const dep = Array.from(ep.keys()).filter((i) => byEp.get(ep[i])!.kind === 'deployment');
      const ood = dep.map((i) => byEp.get(ep[i])!.mechanism === 'out_of_distribution' && fr[i] >= byEp.get(ep[i])!.onset_frame!);
      expect(auroc(dep.map((i) => ub[i]), ood)).toBeGreaterThanOrEqual(0.8);

      // The collect-here list links to episodes; the first opens in the episode panel.
      const first = page.locator('[data-cell="collect_here"] [data-open-episode]').first();
      const episode = Number(await first.getAttribute('data-open-episode'));
      expect(byEp.get(episode)!.mechanism).toBe('out_of_distribution');
      await first.click();
      await page.waitForSelector(`[data-episode-panel][data-episode="${episode}"]`);

      // Cancel: a re-run stops at the next batch and says so; the cells reading it do not run on old tables.
      await page.locator('[data-cell="policy_scores"] [data-action="run"]').click();
      await page.waitForSelector('[data-cell="policy_scores"] [data-cell-progress]', { timeout: 60_000 });
      await page.locator('[data-cell="policy_scores"] [data-action="cancel"]').click();
      await page.waitForSelector('[data-cell="policy_scores"][data-cell-status="cancelled"]', { timeout: 60_000 });
      expect(await page.locator('[data-cell="policy_scores"] [data-cell-error]').innerText()).toBe('Cancelled.');
      await settled(page);

      // A mapping that does not fit: one frame of state where the model wants two.
      await page.locator('[data-cell="policy_scores"] [data-model-mapping-details] summary').click();
      await page.locator('[data-cell="policy_scores"] [aria-label="Window (frames)"]').fill('1');
      await page.locator('[data-cell="policy_scores"] [aria-label="Window (frames)"]').press('Tab');
      await page.locator('[data-cell="policy_scores"] [aria-label="Anchor frame in the window"]').fill('0');
      await page.locator('[data-cell="policy_scores"] [aria-label="Anchor frame in the window"]').press('Tab');
      const mismatch = 'model input `observation` expects 16 features, mapping gives 8 (observation.state 8).';
      await page.waitForSelector('[data-cell="policy_scores"] [data-model-problems]');
      expect(await page.locator('[data-cell="policy_scores"] [data-model-problems] li').allInnerTexts()).toEqual([mismatch]);
      await page.locator('[data-cell="policy_scores"] [data-action="run"]').click();
      await page.waitForSelector('[data-cell="policy_scores"][data-cell-status="error"]', { timeout: 60_000 });
      expect(await page.locator('[data-cell="policy_scores"] [data-cell-error]').innerText()).toBe(`The mapping does not fit the model and the input query:\n- ${mismatch}`);

      // A file that is not an ONNX model, in a new model cell.
      await page.locator('[data-action="add-model"]').click();
      const cell = page.locator('[data-cell-kind="model"]').last();
      await cell.locator('[data-model-field="source"]').selectOption('file');
      await cell.locator('[data-model-field="files"]').setInputFiles({ name: 'bad.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all') });
      await cell.locator('[data-action="run"]').click();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-cell-kind="model"]')].at(-1)?.getAttribute('data-cell-status') === 'error', undefined, { timeout: 60_000 });
      expect(await cell.locator('[data-cell-error]').innerText()).toMatch(/^`bad\.onnx` is not an ONNX model: /);

      expect(browser.blocked).toEqual([]);
      expect(logs.pageErrors).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  });

  test('failure-clustering notebook: the map opens episodes, clusters follow the mechanisms, names reach SQL', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost' });
    try {
      const page = await browser.context.newPage();
      const logs = collectConsole(page);
      await page.goto(server.url, { waitUntil: 'load' });
      await settled(page);
      await openTemplate(page, 'failure-clustering');
      expect(await page.locator('[data-cell-error]').allInnerTexts()).toEqual([]);
      const failures = truth.filter((e) => e.kind === 'deployment' && e.mechanism !== null).length;
      const dots = page.locator('[data-cell="failure_clusters"] [data-cluster-map] circle[data-episode]');
      expect(await dots.count()).toBe(failures);
      const points = await dots.evaluateAll((cs) => cs.map((c) => [Number(c.getAttribute('data-episode')), Number(c.getAttribute('data-cluster'))]));
      expect(adjustedRandIndex(points.map(([e]) => byEp.get(e)!.mechanism!), points.map(([, c]) => c))).toBeGreaterThanOrEqual(0.6);
      await page.waitForFunction(() => document.querySelectorAll('[data-cell-kind="plot"] [data-plot]:not([data-rendered="true"])').length === 0, undefined, { timeout: 30_000 });
      await saveScreenshot(page, 'models-clusters-e2e');

      await dots.nth(3).dispatchEvent('click');
      await page.waitForSelector(`[data-episode-panel][data-episode="${points[3][0]}"]`);

      // Name the cluster of that point; the name is saved in the cell and the tables re-run with it.
      await page.locator(`[data-cluster-name="${points[3][1]}"]`).fill('my failure mode');
      await page.locator(`[data-cluster-name="${points[3][1]}"]`).press('Tab');
      await page.waitForFunction(() => document.querySelector('[data-cell="cluster_summary"]')?.textContent?.includes('my failure mode'), undefined, { timeout: 60_000 });
      await settled(page);
      expect(logs.pageErrors).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  });

  test('uses ONNX Runtime threads when the page is cross-origin isolated', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost', coi: true });
    try {
      const { page, logs } = await openUncertainty(server);
      const threads = Number(await page.locator('[data-cell="policy_scores"] [data-ort-threads]').getAttribute('data-ort-threads'));
      expect(threads).toBeGreaterThan(1);
      expect(logs.pageErrors).toEqual([]);
      await page.close();
    } finally {
      await server.close();
    }
  });
});

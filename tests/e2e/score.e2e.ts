/**
 * The score worker in the built app, in Chromium: ONNX Runtime Web's wasm from dist/ (nothing from a CDN), loaded
 * only on first use, running the bundled demo models on the demo's deployment frames with the same numbers as in
 * Node, cancelling, clustering failure windows, and rejecting a malformed model with a clear message.
 *
 * The app has no model cells yet, so the spec reaches the client through `globalThis.__flywheelScore` (src/main.ts),
 * a lazy import of `src/lib/score/client.ts` that is part of the production build.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { startServer, type RunningServer } from './serve.ts';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats } from '../../src/lib/models/demo-frames';
import type { DemoManifest } from '../../src/lib/models/demo-models';
import { resultIpc } from '../../src/lib/score/arrow';
import { adjustedRandIndex, auroc } from '../../src/lib/score/metrics';
import { Scorer } from '../../workers/score/scorer';

const repoRoot = inject('repoRoot');
const MODELS = path.join(DEMO_DIR, 'models');

/** What the page sends back: plain arrays (typed arrays do not survive page.evaluate's JSON). */
interface PageResult {
  info: { ort: string; threads: number; crossOriginIsolated: boolean };
  startedBeforeUse: boolean;
  inputs: unknown;
  samples: number;
  members: number;
  uncertainty: number[];
  collectTop: { episode_index: number; peak_frame: number }[];
  cancelled: string;
  progressSeen: number;
  clusterK: number;
  labels: number[];
  malformed: string;
  mismatch: string[];
}

describe('score worker in the built app (Chromium)', () => {
  let browser: LaunchedBrowser;
  let frames: Uint8Array;
  let failures: { episode: number; frame: number; mechanism: string }[];
  let deploymentEpisodes: Set<number>;
  const truth = readGroundTruth();

  beforeAll(async () => {
    browser = await launchBrowser();
    const block = await readDemoFrames();
    // Every deployment episode's frames, as the app would query them from `frames`: Arrow IPC, FixedSizeList columns.
    deploymentEpisodes = new Set(truth.filter((e) => e.kind === 'deployment').map((e) => e.episode_index));
    const keep = Array.from({ length: block.length }, (_, i) => i).filter((i) => deploymentEpisodes.has(block.episode[i]));
    const pick = (v: Float32Array, d: number) => {
      const out = new Float32Array(keep.length * d);
      keep.forEach((r, i) => out.set(v.subarray(r * d, (r + 1) * d), i * d));
      return out;
    };
    frames = resultIpc([
      { name: 'episode_index', values: Int32Array.from(keep, (i) => block.episode[i]) },
      { name: 'frame_index', values: Int32Array.from(keep, (i) => block.frame[i]) },
      { name: 'observation.state', values: pick(block.columns['observation.state'].values, 8), dims: 8 },
      { name: 'action', values: pick(block.columns['action'].values, 8), dims: 8 },
    ]);
    failures = truth.filter((e) => e.kind === 'deployment' && e.mechanism !== null).map((e) => ({ episode: e.episode_index, frame: e.onset_frame!, mechanism: e.mechanism! }));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function runInPage(server: RunningServer): Promise<PageResult> {
    const page = await browser.context.newPage();
    const logs = collectConsole(page);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof (globalThis as { __flywheelScore?: unknown }).__flywheelScore === 'function');
    // Let the app open the demo; no ONNX Runtime asset may be fetched before a model is used.
    await page.waitForTimeout(1500);
    expect(server.stats.log.filter((e) => /ort-wasm|score\.worker/.test(e.path))).toEqual([]);
    const result = (await page.evaluate(
      async ({ framesB64, anchors, stats }) => {
        const bytes = () => Uint8Array.from(atob(framesB64), (c) => c.charCodeAt(0));
        type Client = import('../../src/lib/score/client').ScoreClient;
        const client = await (globalThis as unknown as { __flywheelScore: () => Promise<Client> }).__flywheelScore();
        const startedBeforeUse = client.started;
        const demo = await client.loadDemoModels('demo/models/models.json');
        const info = await client.info();
        const scored = await client.scoreFrames({ models: demo.ensemble.ids, mapping: demo.ensemble.mapping, frames: bytes(), stats, fps: 15, collectLimit: 20 }).done;
        // A table's IPC comes back as bytes; decode just the uncertainty column in the spec (Node) to compare.
        const uncertaintyIpc = Array.from(scored.frames);
        let progressSeen = 0;
        const job = client.scoreFrames({ models: demo.ensemble.ids, mapping: demo.ensemble.mapping, frames: bytes(), stats, fps: 15, batchSize: 256 }, () => {
          progressSeen++;
          if (progressSeen === 1) void client.cancel(job.id);
        });
        const cancelled = await job.done.then(() => 'finished', (e: Error) => e.message);
        const emb = await client.embedWindows({ model: demo.encoder.id, mapping: demo.encoder.mapping, frames: bytes(), anchors: { episode: Int32Array.from(anchors.episode), frame: Int32Array.from(anchors.frame) } }).done;
        const cl = await client.cluster({ points: emb.embeddings, dim: emb.dim, meta: { episode: Int32Array.from(anchors.episode) } }).done;
        const malformed = await client.loadModel({ bytes: new TextEncoder().encode('not a model at all'), name: 'bad.onnx' }).then(() => 'loaded', (e: Error) => e.message);
        const mismatch = await client.checkMapping(demo.ensemble.ids, { ...demo.ensemble.mapping, inputs: [{ ...demo.ensemble.mapping.inputs[0], window: 1, anchor: 0 }] }, { 'observation.state': 8, action: 8 }, stats);
        return {
          info,
          startedBeforeUse,
          inputs: demo.ensemble.models[0].inputs,
          samples: scored.samples,
          members: scored.members,
          uncertainty: uncertaintyIpc,
          collectTop: scored.collect.map((c) => ({ episode_index: c.episode_index, peak_frame: c.peak_frame })),
          cancelled,
          progressSeen,
          clusterK: cl.k,
          labels: Array.from(cl.labels),
          malformed,
          mismatch,
        };
      },
      {
        framesB64: Buffer.from(frames).toString('base64'),
        anchors: { episode: failures.map((f) => f.episode), frame: failures.map((f) => f.frame) },
        stats: readStats(),
      },
    )) as PageResult;
    const assets = server.stats.log.filter((e) => /ort-wasm/.test(e.path));
    expect(assets.length).toBeGreaterThan(0);
    expect(assets.every((e) => e.status === 200 && e.path.startsWith('/assets/'))).toBe(true);
    expect(browser.blocked).toEqual([]);
    expect(logs.pageErrors).toEqual([]);
    await page.close();
    return result;
  }

  test('runs the demo ensemble and encoder in the worker with the same results as in Node', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost' });
    let r: PageResult;
    try {
      r = await runInPage(server);
    } finally {
      await server.close();
    }
    expect(r.startedBeforeUse).toBe(false);
    expect(r.info).toMatchObject({ threads: 1, crossOriginIsolated: false });
    expect(r.inputs).toEqual([{ name: 'observation', type: 'float32', shape: ['N', 16] }]);
    expect(r.members).toBe(5);
    expect(r.samples).toBe(truth.filter((e) => e.kind === 'deployment').reduce((a, e) => a + e.length, 0));

    // The same models and frames on ONNX Runtime in Node give the same disagreement, frame by frame.
    const manifest = JSON.parse(readFileSync(path.join(MODELS, 'models.json'), 'utf8')) as DemoManifest;
    const scorer = new Scorer(ort);
    const ids: string[] = [];
    for (const f of manifest.ensembles[0].members) ids.push((await scorer.models.load(readFileSync(path.join(MODELS, f)), f)).id);
    const node = await scorer.scoreFrames(1, { models: ids, mapping: manifest.ensembles[0].mapping, frames: frames.slice(), stats: readStats(), fps: 15 });
    const inBrowser = tableFromIPC(Uint8Array.from(r.uncertainty));
    const ub = inBrowser.getChild('uncertainty')!.toArray() as Float32Array;
    const un = tableFromIPC(node.frames).getChild('uncertainty')!.toArray() as Float32Array;
    expect(ub.length).toBe(un.length);
    let maxDiff = 0;
    for (let i = 0; i < un.length; i++) maxDiff = Math.max(maxDiff, Math.abs(ub[i] - un[i]));
    expect(maxDiff).toBeLessThan(1e-4);

    // Out-of-distribution deployment frames rank above the rest in the browser too.
    const ep = inBrowser.getChild('episode_index')!.toArray() as Int32Array;
    const fr = inBrowser.getChild('frame_index')!.toArray() as Int32Array;
    const byEp = new Map(truth.map((e) => [e.episode_index, e]));
    const ood = Array.from(ep, (e, i) => byEp.get(e)!.mechanism === 'out_of_distribution' && fr[i] >= byEp.get(e)!.onset_frame!);
    expect(auroc(ub, ood)).toBeGreaterThanOrEqual(0.8);
    // The collect-here list (default: the top 1% of scored frames) leads with the out-of-distribution segments.
    const top = r.collectTop.slice(0, 10);
    expect(top.length).toBe(10);
    expect(top.filter((c) => byEp.get(c.episode_index)!.mechanism === 'out_of_distribution' && c.peak_frame >= byEp.get(c.episode_index)!.onset_frame!).length).toBeGreaterThanOrEqual(9);

    expect(r.cancelled).toMatch(/^Scoring job \d+ was cancelled\.$/);
    expect(r.progressSeen).toBeGreaterThanOrEqual(1);
    expect(adjustedRandIndex(failures.map((f) => f.mechanism), r.labels)).toBeGreaterThanOrEqual(0.7);
    expect(r.clusterK).toBe(5);
    expect(r.malformed).toMatch(/^`bad\.onnx` is not an ONNX model: /);
    expect(r.mismatch).toEqual(['model input `observation` expects 16 features, mapping gives 8 (observation.state 8).']);
  });

  test('uses ONNX Runtime threads when the page is cross-origin isolated', async () => {
    const server = await startServer({ root: path.join(repoRoot, 'dist'), urlHost: 'localhost', coi: true });
    let r: PageResult;
    try {
      r = await runInPage(server);
    } finally {
      await server.close();
    }
    expect(r.info.crossOriginIsolated).toBe(true);
    expect(r.info.threads).toBeGreaterThan(1);
    expect(r.members).toBe(5);
    expect(adjustedRandIndex(failures.map((f) => f.mechanism), r.labels)).toBeGreaterThanOrEqual(0.7);
  });
});

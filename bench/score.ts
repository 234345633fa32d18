/**
 * The models benchmark (issue 7): frames per second of 5-member ensemble scoring, and seconds to embed and cluster
 * 10k and 50k windows, on the 1M-frame bench dataset. Each workload runs
 * - `app-node`: the score worker's own code (workers/score/scorer.ts) on onnxruntime-web's wasm in Node;
 * - `ort-node`: onnxruntime-node (native CPU) on the same model files and the same input batches: the floor;
 * - `app-chromium`: the built app's score worker in headless Chromium, frames fetched as Arrow IPC from the local
 *   server, while the page's main thread counts its longest gap between animation frames (a frozen UI shows there).
 *
 * `npx tsx bench/score.ts [--data bench/data/1m] [--dist dist] [--runs 1] [--no-chromium]` runs it alone;
 * `npm run bench` runs it after the SQL workloads (see run.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ortWeb from 'onnxruntime-web';
import { launchBrowser } from '../tests/e2e/chromium.ts';
import { startServer } from '../tests/e2e/serve.ts';
import { readDemoFrames } from '../src/lib/models/demo-frames.ts';
import type { DemoManifest } from '../src/lib/models/demo-models.ts';
import { resultIpc } from '../src/lib/score/arrow.ts';
import { fillBatch, planInputs, sampleSize, inputDims, strideSamples } from '../src/lib/score/features.ts';
import { episodeRanges, type FrameBlock } from '../src/lib/score/frames.ts';
import { validateMapping, type DatasetStats } from '../src/lib/score/mapping.ts';
import { detectOnsets } from '../src/lib/score/onsets.ts';
import { Scorer } from '../workers/score/scorer.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const MODELS = path.join(REPO, 'static/demo/models');

/** One measured cell. */
export interface ScoreBenchRow {
  workload: string;
  path: 'app-node' | 'ort-node' | 'app-chromium';
  /** Wall time of each measured run, ms. */
  runs: number[];
  median: number;
  /** Samples (frames or windows) per run. */
  samples: number;
  /** Parts of the run, ms (median run): e.g. embed and cluster. */
  parts?: Record<string, number>;
  /** Longest main-thread gap between animation frames during the run (Chromium only), ms. */
  maxFrameGapMs?: number;
  note?: string;
}

/** The whole models benchmark. */
export interface ScoreBenchResult {
  dataset: string;
  frames: number;
  members: number;
  rows: ScoreBenchRow[];
  ms: number;
}

/** Options. */
export interface ScoreBenchOptions {
  dataDir: string;
  /** Built app to run in Chromium, or null to skip that path. */
  distDir: string | null;
  runs: number;
  windows: number[];
  log?: (s: string) => void;
}

/** Median; of an even count, the lower middle (with 2 runs: the faster one). */
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

function anchorsFor(block: FrameBlock, n: number): { episode: Int32Array; frame: Int32Array } {
  // Evenly spaced frames over the whole dataset: the bench data has far fewer failures than 50k.
  const episode = new Int32Array(n);
  const frame = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.floor(((i + 0.5) * block.length) / n);
    episode[i] = block.episode[r];
    frame[i] = block.frame[r];
  }
  return { episode, frame };
}

/** Runs onnxruntime-node over the same batches the scorer builds; returns ms. */
async function ortNodeRun(block: FrameBlock, files: string[], mapping: unknown, stats: DatasetStats | undefined, rows: Int32Array, episodeOf: Int32Array, batch: number): Promise<number> {
  const ortNode = await import('onnxruntime-node');
  const sessions = await Promise.all(files.map((f) => ortNode.InferenceSession.create(readFileSync(f), { intraOpNumThreads: 1, interOpNumThreads: 1 })));
  const info = { inputs: sessions[0].inputMetadata.map((m) => ({ name: m.name, type: m.isTensor ? m.type : 'x', shape: m.isTensor ? [...m.shape].map((d) => (typeof d === 'number' && d < 0 ? 'N' : d)) : [] })), outputs: [] as never[] };
  const v = validateMapping(mapping, { inputs: info.inputs, outputs: sessions[0].outputMetadata.map((m) => ({ name: m.name, type: 'float32', shape: [] })) }, { columns: Object.fromEntries(Object.entries(block.columns).map(([k, c]) => [k, c.dims])), stats });
  const ranges = episodeRanges(block);
  const plans = planInputs(v.mapping, v.layouts, block, stats);
  const buffers = plans.map((p) => new Float32Array(batch * sampleSize(p)));
  const t0 = performance.now();
  for (let s = 0; s < rows.length; s += batch) {
    const m = Math.min(batch, rows.length - s);
    const feeds: Record<string, InstanceType<typeof ortNode.Tensor>> = {};
    plans.forEach((p, i) => {
      fillBatch(p, rows, ranges, episodeOf, s, m, buffers[i]);
      feeds[p.input] = new ortNode.Tensor('float32', buffers[i].subarray(0, m * sampleSize(p)), inputDims(p, m));
    });
    for (const sess of sessions) await sess.run(feeds);
  }
  const ms = performance.now() - t0;
  await Promise.all(sessions.map((s) => s.release()));
  return ms;
}

/** Runs the models benchmark. */
export async function runScoreBench(o: ScoreBenchOptions): Promise<ScoreBenchResult> {
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const t0 = performance.now();
  const manifest = JSON.parse(readFileSync(path.join(MODELS, 'models.json'), 'utf8')) as DemoManifest;
  const ens = manifest.ensembles[0];
  const enc = manifest.encoders[0];
  const memberFiles = ens.members.map((f) => path.join(MODELS, f));
  const stats = JSON.parse(readFileSync(path.join(o.dataDir, 'meta/stats.json'), 'utf8')) as DatasetStats;
  log(`score bench: reading ${path.relative(REPO, o.dataDir)}`);
  const block = await readDemoFrames(o.dataDir);
  const rows: ScoreBenchRow[] = [];
  const wl = `ensemble scoring, ${ens.members.length} members`;

  // app-node: the worker's code on onnxruntime-web (wasm) in Node.
  const scorer = new Scorer(ortWeb);
  const ids: string[] = [];
  for (const f of memberFiles) ids.push((await scorer.models.load(readFileSync(f), path.basename(f))).id);
  const encId = (await scorer.models.load(readFileSync(path.join(MODELS, enc.file)), enc.file)).id;
  const times: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const res = await scorer.scoreBlock(r + 1, block, { models: ids, mapping: ens.mapping, stats, fps: 15 });
    times.push(res.ms);
    log(`  app-node ${wl}: ${block.length} frames in ${(res.ms / 1000).toFixed(1)} s`);
  }
  rows.push({ workload: wl, path: 'app-node', runs: times, median: median(times), samples: block.length });

  const { rows: sRows, episodeOf } = strideSamples(episodeRanges(block), 1);
  const nodeTimes: number[] = [];
  for (let r = 0; r < o.runs; r++) nodeTimes.push(await ortNodeRun(block, memberFiles, ens.mapping, stats, sRows, episodeOf, 4096));
  log(`  ort-node ${wl}: ${(median(nodeTimes) / 1000).toFixed(1)} s`);
  rows.push({ workload: wl, path: 'ort-node', runs: nodeTimes, median: median(nodeTimes), samples: block.length, note: 'inference and input batches only' });

  for (const n of o.windows) {
    const anchors = anchorsFor(block, n);
    const w = `embed + cluster ${n.toLocaleString('en-US')} windows`;
    const tot: number[] = [];
    let parts: Record<string, number> = {};
    for (let r = 0; r < o.runs; r++) {
      const e = await scorer.embedBlock(100 + r, block, { model: encId, mapping: enc.mapping, anchors });
      const c = await scorer.cluster(200 + r, { points: e.embeddings, dim: e.dim, meta: { episode: anchors.episode } });
      tot.push(e.ms + c.ms);
      parts = { embed: e.ms, cluster: c.ms };
      log(`  app-node ${w}: embed ${(e.ms / 1000).toFixed(1)} s, cluster ${(c.ms / 1000).toFixed(1)} s (k=${c.k}, DBSCAN ${c.dbscan?.clusters} clusters, map ${c.map.method})`);
    }
    rows.push({ workload: w, path: 'app-node', runs: tot, median: median(tot), samples: n, parts });
    const er = Int32Array.from(anchors.episode, () => 0);
    const ranges = episodeRanges(block);
    const idx = new Map(ranges.map((x, i) => [x.episode, i]));
    const aRows = Int32Array.from({ length: n }, (_, i) => ranges[idx.get(anchors.episode[i])!].start + anchors.frame[i]);
    for (let i = 0; i < n; i++) er[i] = idx.get(anchors.episode[i])!;
    const et: number[] = [];
    for (let r = 0; r < o.runs; r++) et.push(await ortNodeRun(block, [path.join(MODELS, enc.file)], enc.mapping, undefined, aRows, er, 1024));
    rows.push({ workload: w, path: 'ort-node', runs: et, median: median(et), samples: n, parts: { embed: median(et) }, note: 'embedding only (clustering is the same JS on every path)' });
  }

  // Onset detection (issue 17): what a clustering cell runs on its failed episodes' frames when nobody marked onsets;
  // timed on the first whole episodes up to 100k frames (a large fleet's failures), on the app's own JS.
  {
    const ranges = episodeRanges(block);
    const upTo = ranges.filter((r) => r.end <= 100_000).at(-1)?.end ?? block.length;
    const sub: FrameBlock = { length: upTo, episode: block.episode.subarray(0, upTo), frame: block.frame.subarray(0, upTo), columns: {} };
    for (const [name, c] of Object.entries(block.columns)) sub.columns[name] = { dims: c.dims, values: c.values.subarray(0, upTo * c.dims) };
    const w = `detect onsets, ${upTo.toLocaleString('en-US')} frames`;
    const ot: number[] = [];
    for (let r = 0; r < o.runs; r++) {
      const t = performance.now();
      const found = detectOnsets(sub, 'observation.state', 'action', { fps: 15 });
      ot.push(performance.now() - t);
      log(`  app-node ${w}: ${found.length} episodes in ${(ot[r] / 1000).toFixed(2)} s`);
    }
    rows.push({ workload: w, path: 'app-node', runs: ot, median: median(ot), samples: upTo });
  }

  if (o.distDir) rows.push(...(await chromiumRuns(o, block, rows, log)));
  return { dataset: path.relative(REPO, o.dataDir), frames: block.length, members: ens.members.length, rows, ms: performance.now() - t0 };
}

/** The built app in Chromium: the same workloads through the score client and worker. */
async function chromiumRuns(o: ScoreBenchOptions, block: FrameBlock, _rows: ScoreBenchRow[], log: (s: string) => void): Promise<ScoreBenchRow[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-score-bench-'));
  writeFileSync(
    path.join(tmp, 'frames.arrow'),
    resultIpc([
      { name: 'episode_index', values: block.episode },
      { name: 'frame_index', values: block.frame },
      { name: 'observation.state', values: block.columns['observation.state'].values, dims: 8 },
      { name: 'action', values: block.columns['action'].values, dims: 8 },
    ]),
  );
  writeFileSync(path.join(tmp, 'stats.json'), readFileSync(path.join(o.dataDir, 'meta/stats.json')));
  const server = await startServer({ root: o.distDir!, mounts: { '/bench-score/': tmp }, urlHost: 'localhost' });
  const browser = await launchBrowser();
  const out: ScoreBenchRow[] = [];
  try {
    const page = await browser.context.newPage();
    // tsx compiles this file with esbuild's keepNames, which wraps the page function's inner functions in __name().
    await page.addInitScript('globalThis.__name = (f) => f;');
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => typeof (globalThis as { __flywheelScore?: unknown }).__flywheelScore === 'function');
    // Let the app finish opening its demo notebook before measuring.
    await page.waitForTimeout(4000);
    const windows = o.windows.map((n) => ({ n, ...Object.fromEntries(Object.entries(anchorsFor(block, n)).map(([k, v]) => [k, Array.from(v)])) })) as { n: number; episode: number[]; frame: number[] }[];
    const r = (await page.evaluate(
      async ({ runs, windows }) => {
        type Client = import('../src/lib/score/client.ts').ScoreClient;
        const client = await (globalThis as unknown as { __flywheelScore: () => Promise<Client> }).__flywheelScore();
        const demo = await client.loadDemoModels('demo/models/models.json');
        const stats = await (await fetch('bench-score/stats.json')).json();
        // Longest gap between animation frames while a job runs: what a user would feel as a freeze.
        const watch = () => {
          let last = performance.now();
          let max = 0;
          let on = true;
          const tick = () => {
            const now = performance.now();
            max = Math.max(max, now - last);
            last = now;
            if (on) requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          return () => ((on = false), max);
        };
        // The same measure with no job running: the app's own main-thread work and the machine's load set this floor.
        const idleStop = watch();
        await new Promise((r) => setTimeout(r, 3000));
        const idleGap = idleStop();
        const score: { ms: number; gap: number; samples: number }[] = [];
        for (let i = 0; i < runs; i++) {
          const bytes = new Uint8Array(await (await fetch('bench-score/frames.arrow')).arrayBuffer());
          const stop = watch();
          const t = performance.now();
          const res = await client.scoreFrames({ models: demo.ensemble.ids, mapping: demo.ensemble.mapping, frames: bytes, stats, fps: 15 }).done;
          score.push({ ms: performance.now() - t, gap: stop(), samples: res.samples });
        }
        const emb: { n: number; ms: number; embed: number; cluster: number; gap: number }[] = [];
        for (const w of windows) {
          for (let i = 0; i < runs; i++) {
            const bytes = new Uint8Array(await (await fetch('bench-score/frames.arrow')).arrayBuffer());
            const stop = watch();
            const t = performance.now();
            const e = await client.embedWindows({ model: demo.encoder.id, mapping: demo.encoder.mapping, frames: bytes, anchors: { episode: Int32Array.from(w.episode), frame: Int32Array.from(w.frame) } }).done;
            const t2 = performance.now();
            await client.cluster({ points: e.embeddings, dim: e.dim, meta: { episode: Int32Array.from(w.episode) } }).done;
            const t3 = performance.now();
            emb.push({ n: w.n, ms: t3 - t, embed: t2 - t, cluster: t3 - t2, gap: stop() });
          }
        }
        return { score, emb, idleGap };
      },
      { runs: o.runs, windows },
    )) as { score: { ms: number; gap: number; samples: number }[]; emb: { n: number; ms: number; embed: number; cluster: number; gap: number }[]; idleGap: number };
    out.push({ workload: 'idle page (no job), 3 s', path: 'app-chromium', runs: [3000], median: 3000, samples: 0, maxFrameGapMs: r.idleGap, note: 'baseline of the frame-gap column' });
    log(`  app-chromium idle: longest main-thread frame gap ${r.idleGap.toFixed(0)} ms`);
    const wl = `ensemble scoring, 5 members`;
    out.push({ workload: wl, path: 'app-chromium', runs: r.score.map((s) => s.ms), median: median(r.score.map((s) => s.ms)), samples: r.score[0].samples, maxFrameGapMs: Math.max(...r.score.map((s) => s.gap)), note: 'includes decoding the frames IPC in the worker' });
    log(`  app-chromium ${wl}: ${(median(r.score.map((s) => s.ms)) / 1000).toFixed(1)} s, longest main-thread frame gap ${Math.max(...r.score.map((s) => s.gap)).toFixed(0)} ms`);
    for (const n of o.windows) {
      const e = r.emb.filter((x) => x.n === n);
      const m = median(e.map((x) => x.ms));
      const mid = e.find((x) => x.ms === m)!;
      out.push({ workload: `embed + cluster ${n.toLocaleString('en-US')} windows`, path: 'app-chromium', runs: e.map((x) => x.ms), median: m, samples: n, parts: { embed: mid.embed, cluster: mid.cluster }, maxFrameGapMs: Math.max(...e.map((x) => x.gap)), note: 'embed includes decoding the frames IPC in the worker' });
      log(`  app-chromium embed + cluster ${n}: ${(m / 1000).toFixed(1)} s, longest main-thread frame gap ${Math.max(...e.map((x) => x.gap)).toFixed(0)} ms`);
    }
    if (browser.blocked.length) throw new Error(`non-local requests: ${browser.blocked.join(', ')}`);
  } finally {
    await browser.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

/** The models benchmark as a markdown section. */
export function renderScoreMarkdown(r: ScoreBenchResult): string {
  const lines = [
    `## Models: ensemble scoring and failure clustering (${r.dataset}, ${r.frames.toLocaleString('en-US')} frames)`,
    '',
    '| workload | path | median (lower middle) | throughput | parts (median run) | longest UI frame gap | runs |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const x of r.rows) {
    const perS = x.samples ? (x.samples / (x.median / 1000)).toLocaleString('en-US', { maximumFractionDigits: 0 }) : '';
    const unit = !x.samples ? '' : x.workload.startsWith('ensemble') || x.workload.startsWith('detect') ? 'frames/s' : 'windows/s';
    const parts = x.parts ? Object.entries(x.parts).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`).join(', ') : '';
    lines.push(`| ${x.workload} | ${x.path}${x.note ? ` (${x.note})` : ''} | ${(x.median / 1000).toFixed(2)} s | ${perS} ${unit} | ${parts} | ${x.maxFrameGapMs === undefined ? '' : `${x.maxFrameGapMs.toFixed(0)} ms`} | ${x.runs.length} |`);
  }
  lines.push('', `Paths: app-node = the score worker's code on onnxruntime-web (wasm, 1 thread) in Node; ort-node = onnxruntime-node (native, 1 intra-op thread) on the same model files and input batches; app-chromium = the built app's score worker in headless Chromium (not cross-origin isolated: 1 thread). Windows are evenly spaced over the dataset; clustering = k-means for k = 2…10 chosen by silhouette (on ≤ 2,000 points), DBSCAN (on ≤ 4,000 points, the rest assigned to the nearest), a 2-D PCA map. Total ${(r.ms / 1000).toFixed(0)} s.`, '');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const val = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
  const res = await runScoreBench({
    dataDir: path.resolve(REPO, val('--data') ?? 'bench/data/1m'),
    distDir: argv.includes('--no-chromium') ? null : path.resolve(REPO, val('--dist') ?? 'dist'),
    runs: Number(val('--runs') ?? 1),
    windows: [10_000, 50_000],
  });
  console.log(renderScoreMarkdown(res));
  if (val('--out')) writeFileSync(path.resolve(val('--out')!), JSON.stringify(res, null, 2) + '\n');
}

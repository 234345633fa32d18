/**
 * The score worker's logic, independent of comlink and of how ONNX Runtime was loaded (the worker passes the
 * browser wasm build, tests pass the Node build): load models, check mappings, score frames with an ensemble,
 * embed windows, cluster embeddings. Frames arrive and results leave as Arrow IPC.
 */
import { tableFromIPC } from 'apache-arrow';
import { resultIpc, rowsToColumns, type ColumnSpec } from '../../src/lib/score/arrow';
import { dbscan, kmeansAuto, type DbscanResult, type KMeansChoice } from '../../src/lib/score/cluster';
import { denormalize, fillBatch, planInputs, strideSamples } from '../../src/lib/score/features';
import { episodeRanges, framesFromArrow, numericColumns, rowOf, type FrameBlock } from '../../src/lib/score/frames';
import { map2d, type MapMethod } from '../../src/lib/score/map';
import { detectOnsets, type DetectedOnset } from '../../src/lib/score/onsets';
import { validateMapping, type DatasetStats, type ModelMapping, type ModelSignature } from '../../src/lib/score/mapping';
import { summarizeClusters, type ClusterSummary, type WindowMeta } from '../../src/lib/score/summary';
import {
  calibrateThreshold,
  collectHere,
  ensembleDisagreement,
  ensembleMean,
  episodeSummaries,
  shadowDisagreement,
  type CollectHere,
} from '../../src/lib/score/uncertainty';
import { Jobs, type JobHandle, type ScoreProgress } from './jobs';
import { ModelStore, type ModelInfo, type Ort } from './models';
import { runBatched } from './run';
import { fitWindowEmbedding, trainedEncoderMapping, trainPolicyEnsemble, type TrainedFile, type TrainRecipe } from '../../src/lib/models/train';

/** Scoring frames with one model or an ensemble. */
export interface ScoreFramesRequest {
  /** Ids of loaded models: the ensemble members (all must share the mapping's inputs and outputs). */
  models: string[];
  mapping: unknown;
  /** Arrow IPC stream with episode_index, frame_index and the mapped columns, ordered by episode then frame. */
  frames: Uint8Array;
  stats?: DatasetStats;
  fps: number;
  batchSize?: number;
  /**
   * Collect-here threshold on disagreement: a number, or a flag rate calibrated on reference episodes (e.g. the
   * training demos): the (1 − rate) quantile of their scores. Default: rate 0.01 over all scored frames.
   */
  threshold?: number | { rate: number; referenceEpisodes?: number[] };
  /** Shadow mode: compare the ensemble's mean prediction of output column `column` with a logged operator column. */
  shadow?: { column: string; operatorColumn: string };
  /** Collect-here stretches returned, strongest first (default 100). */
  collectLimit?: number;
}

/** What {@link Scorer.scoreFrames} returns. */
export interface ScoreFramesResult {
  /** Arrow IPC: episode_index, frame_index, uncertainty (with ≥ 2 members), each output column (member mean), shadow. */
  frames: Uint8Array;
  /** Arrow IPC: one row per episode (frames, mean, p90, max, max_frame, flagged_frames). */
  episodes: Uint8Array;
  collect: CollectHere[];
  threshold: number | null;
  shadow: { mean: number; flaggedShare: number } | null;
  samples: number;
  members: number;
  ms: number;
  framesPerSecond: number;
}

/** Embedding windows around anchors (e.g. failure onsets). */
export interface EmbedRequest {
  model: string;
  mapping: unknown;
  frames: Uint8Array;
  /** The anchor frame of each window (the mapping's `anchor` position). */
  anchors: { episode: Int32Array; frame: Int32Array };
  stats?: DatasetStats;
  batchSize?: number;
}

/** What {@link Scorer.embedWindows} returns. */
export interface EmbedResult {
  embeddings: Float32Array;
  n: number;
  dim: number;
  ms: number;
}

/** Clustering embeddings. */
export interface ClusterRequest {
  points: Float32Array;
  dim: number;
  /** Fixed k (default: chosen by silhouette in kMin…kMax). */
  k?: number;
  kMin?: number;
  kMax?: number;
  /** DBSCAN options, or false to skip it. */
  dbscan?: { eps?: number; minPts?: number; maxPoints?: number } | false;
  map?: MapMethod;
  meta?: WindowMeta;
  seed?: number;
}

/** What {@link Scorer.cluster} returns. */
export interface ClusterResult {
  k: number;
  silhouettes: KMeansChoice['silhouettes'];
  labels: Int32Array;
  dbscan: Omit<DbscanResult, 'labels'> & { labels: Int32Array } | null;
  map: { method: 'pca' | 'umap'; xy: Float32Array };
  summaries: ClusterSummary[];
  dbscanSummaries: ClusterSummary[] | null;
  /** Arrow IPC: window, episode_index, cluster, dbscan_cluster, x, y (one row per window). */
  table: Uint8Array;
  ms: number;
}

/** Failure onsets detected in the frames given (see `src/lib/score/onsets.ts`). */
export interface OnsetRequest {
  /** Arrow IPC of the frames (episode_index, frame_index, the state and, when given, the action column). */
  frames: Uint8Array;
  state: string;
  action: string | null;
  fps: number;
}

/** Training models in the tab on the frames given (see `src/lib/models/train.ts`). */
export interface TrainRequest {
  task: 'uncertainty' | 'cluster';
  recipe: TrainRecipe;
  /** The state and action columns the recipe resolved to. */
  columns: { state: string; action: string };
  /** Arrow IPC of the frames (episode_index, frame_index and at least those two columns, in episode/frame order). */
  frames: Uint8Array;
  /** Normalisation stats of both columns (the trained models take normalised values). */
  stats: DatasetStats;
  /** Uncertainty: the episodes the policies imitate. */
  reference?: number[];
  /** Clustering: the onset of each failure window the embedding is fitted on. */
  anchors?: { episode: Int32Array; frame: Int32Array };
}

/** What {@link Scorer.train} returns: the models (loaded in this scorer), their ONNX bytes and their mapping. */
export interface TrainResult {
  models: ModelInfo[];
  files: TrainedFile[];
  mapping: ModelMapping;
  losses: number[];
  /** Reference episodes and frames trained on (uncertainty), or windows fitted on (clustering). */
  episodes: number;
  frames: number;
  ms: number;
}

function signature(models: ModelInfo[]): ModelSignature {
  const first = models[0];
  for (const m of models.slice(1)) {
    const same = JSON.stringify([m.inputs, m.outputs]) === JSON.stringify([first.inputs, first.outputs]);
    if (!same) throw new Error(`ensemble members must have the same inputs and outputs: \`${m.name}\` differs from \`${first.name}\`.`);
  }
  return { inputs: first.inputs, outputs: first.outputs };
}

/** The worker's state and operations. */
export class Scorer {
  readonly models: ModelStore;
  readonly jobs = new Jobs();
  readonly #ort: Ort;

  /** @param sessionOptions ONNX Runtime session options (default: the wasm backend; onnxruntime-node passes `cpu`). */
  constructor(ort: Ort, sessionOptions?: ConstructorParameters<typeof ModelStore>[1]) {
    this.#ort = ort;
    this.models = new ModelStore(ort, sessionOptions);
  }

  /** Checks a mapping against loaded models and a frames table's columns; returns the problems (empty when fine). */
  checkMapping(modelIds: string[], mapping: unknown, columns: Record<string, number>, stats?: DatasetStats): string[] {
    try {
      validateMapping(mapping, signature(modelIds.map((id) => this.models.get(id).info)), { columns, stats });
      return [];
    } catch (e) {
      return (e as { problems?: string[] }).problems ?? [(e as Error).message];
    }
  }

  #prepare(modelIds: string[], mapping: unknown, frames: Uint8Array, stats?: DatasetStats) {
    if (modelIds.length === 0) throw new Error('no model given.');
    const infos = modelIds.map((id) => this.models.get(id).info);
    const table = tableFromIPC(frames);
    const v = validateMapping(mapping, signature(infos), { columns: numericColumns(table), stats });
    const cols = [...new Set(v.mapping.inputs.flatMap((i) => i.features.map((f) => f.column)))];
    return { ...v, table, cols, sessions: modelIds.map((id) => this.models.get(id).session) };
  }

  /** Scores every `stride`-th frame with each member; disagreement, summaries, collect-here list, shadow mode. */
  async scoreFrames(id: number, req: ScoreFramesRequest, onProgress?: (p: ScoreProgress) => void): Promise<ScoreFramesResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const p = this.#prepare(req.models, req.mapping, req.frames, req.stats);
      const extra = req.shadow ? [req.shadow.operatorColumn] : [];
      const block = framesFromArrow(p.table, [...new Set([...p.cols, ...extra])]);
      return this.#scoreBlock(job, block, p.mapping, p.layouts, p.sessions, req, t0);
    });
  }

  /** As {@link scoreFrames}, on frames already in memory (benchmarks and tests skip the IPC round trip). */
  async scoreBlock(id: number, block: FrameBlock, req: Omit<ScoreFramesRequest, 'frames'>, onProgress?: (p: ScoreProgress) => void): Promise<ScoreFramesResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const infos = req.models.map((m) => this.models.get(m).info);
      const v = validateMapping(req.mapping, signature(infos), { columns: Object.fromEntries(Object.entries(block.columns).map(([k, c]) => [k, c.dims])), stats: req.stats });
      return this.#scoreBlock(job, block, v.mapping, v.layouts, req.models.map((m) => this.models.get(m).session), req, t0);
    });
  }

  async #scoreBlock(
    job: JobHandle,
    block: FrameBlock,
    mapping: ModelMapping,
    layouts: ReturnType<typeof validateMapping>['layouts'],
    sessions: ReturnType<ModelStore['get']>['session'][],
    req: Omit<ScoreFramesRequest, 'frames'>,
    t0: number,
  ): Promise<ScoreFramesResult> {
    const ranges = episodeRanges(block);
    const plans = planInputs(mapping, layouts, block, req.stats);
    const samples = strideSamples(ranges, mapping.stride);
    const n = samples.rows.length;
    if (n === 0) throw new Error('no frames to score: the frames table is empty.');
    const outNames = mapping.outputs.map((o) => o.output);
    // Disagreement is measured on the first output as the models produce it (normalised, for the demo policy), so
    // every action dimension counts alike; result columns are the members' mean, denormalised. Both are reduced
    // batch by batch, so memory stays at one batch of member outputs however many frames there are.
    const uncertainty = sessions.length >= 2 ? new Float32Array(n) : null;
    const means: Record<string, { values: Float32Array; width: number }> = {};
    await runBatched(this.#ort, sessions, plans, ranges, samples, outNames, { batchSize: req.batchSize ?? 4096, job, phase: 'scoring frames', progressTo: 0.95 }, (start, m, batch) => {
      for (const o of mapping.outputs) {
        const w = batch[0][o.output].length / m;
        means[o.column] ??= { values: new Float32Array(n * w), width: w };
        means[o.column].values.set(ensembleMean(batch.map((b) => b[o.output]), m, w), start * w);
      }
      if (uncertainty) {
        const w = batch[0][outNames[0]].length / m;
        uncertainty.set(ensembleDisagreement(batch.map((b) => b[outNames[0]]), m, w), start);
      }
    });
    const episode = Int32Array.from(samples.rows, (r) => block.episode[r]);
    const frame = Int32Array.from(samples.rows, (r) => block.frame[r]);
    const columns: ColumnSpec[] = [
      { name: 'episode_index', values: episode },
      { name: 'frame_index', values: frame },
    ];
    if (uncertainty) columns.push({ name: 'uncertainty', values: uncertainty });
    for (const o of mapping.outputs) {
      const { values, width } = means[o.column];
      if (o.denormalize) denormalize(values, width, o.denormalize.method, req.stats!, o.denormalize.column);
      columns.push({ name: o.column, values, dims: width > 1 ? width : undefined });
    }
    let shadow: ScoreFramesResult['shadow'] = null;
    if (req.shadow) {
      const pred = means[req.shadow.column];
      const op = block.columns[req.shadow.operatorColumn];
      if (!pred) throw new Error(`shadow mode: no result column \`${req.shadow.column}\`.`);
      if (!op || op.dims !== pred.width) throw new Error(`shadow mode: operator column \`${req.shadow.operatorColumn}\` must have ${pred.width} values per frame.`);
      const opRows = new Float32Array(n * pred.width);
      for (let i = 0; i < n; i++) opRows.set(op.values.subarray(samples.rows[i] * op.dims, (samples.rows[i] + 1) * op.dims), i * pred.width);
      const scale = req.stats?.[req.shadow.operatorColumn]?.std;
      const s = shadowDisagreement(pred.values, opRows, pred.width, { scale: scale ?? undefined });
      columns.push({ name: 'shadow_disagreement', values: s.perFrame });
      shadow = { mean: s.mean, flaggedShare: s.flaggedShare };
    }
    let threshold: number | null = null;
    let collect: CollectHere[] = [];
    if (uncertainty) {
      const t = req.threshold ?? { rate: 0.01 };
      if (typeof t === 'number') threshold = t;
      else {
        const ref = t.referenceEpisodes ? new Set(t.referenceEpisodes) : null;
        const values = ref ? uncertainty.filter((_, i) => ref.has(episode[i])) : uncertainty;
        threshold = calibrateThreshold(values, t.rate);
      }
      collect = collectHere(episode, frame, uncertainty, threshold, { fps: req.fps, limit: req.collectLimit ?? 100, maxGap: mapping.stride + 1 });
    }
    const summaries = uncertainty ? episodeSummaries(episode, frame, uncertainty, threshold ?? Infinity) : [];
    await job.checkpoint(1, 'done', n);
    const ms = performance.now() - t0;
    return {
      frames: resultIpc(columns),
      episodes: resultIpc(rowsToColumns(summaries as unknown as Record<string, unknown>[], ['episode_index', 'frames', 'max_frame', 'flagged_frames'])),
      collect,
      threshold,
      shadow,
      samples: n,
      members: sessions.length,
      ms,
      framesPerSecond: n / (ms / 1000),
    };
  }

  /** Embeds the windows around each anchor with one model (its first mapped output is the embedding). */
  async embedWindows(id: number, req: EmbedRequest, onProgress?: (p: ScoreProgress) => void): Promise<EmbedResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const p = this.#prepare([req.model], req.mapping, req.frames, req.stats);
      return this.#embed(job, framesFromArrow(p.table, p.cols), p.mapping, p.layouts, p.sessions, req, t0);
    });
  }

  /** As {@link embedWindows}, on frames already in memory. */
  async embedBlock(id: number, block: FrameBlock, req: Omit<EmbedRequest, 'frames'>, onProgress?: (p: ScoreProgress) => void): Promise<EmbedResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const { info, session } = this.models.get(req.model);
      const v = validateMapping(req.mapping, info, { columns: Object.fromEntries(Object.entries(block.columns).map(([k, c]) => [k, c.dims])), stats: req.stats });
      return this.#embed(job, block, v.mapping, v.layouts, [session], req, t0);
    });
  }

  async #embed(
    job: JobHandle,
    block: FrameBlock,
    mapping: ModelMapping,
    layouts: ReturnType<typeof validateMapping>['layouts'],
    sessions: ReturnType<ModelStore['get']>['session'][],
    req: Omit<EmbedRequest, 'frames'>,
    t0: number,
  ): Promise<EmbedResult> {
    const ranges = episodeRanges(block);
    const byEp = new Map(ranges.map((r) => [r.episode, r]));
    const idx = new Map(ranges.map((r, i) => [r.episode, i]));
    const n = req.anchors.episode.length;
    const rows = new Int32Array(n);
    const episodeOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      rows[i] = rowOf(block, byEp, req.anchors.episode[i], req.anchors.frame[i]);
      if (rows[i] < 0) throw new Error(`window ${i}: episode ${req.anchors.episode[i]} frame ${req.anchors.frame[i]} is not among the frames given.`);
      episodeOf[i] = idx.get(req.anchors.episode[i])!;
    }
    const plans = planInputs(mapping, layouts, block, req.stats);
    const out = mapping.outputs[0].output;
    let embeddings = new Float32Array(0);
    let dim = 0;
    await runBatched(this.#ort, sessions, plans, ranges, { rows, episodeOf }, [out], { batchSize: req.batchSize ?? 1024, job, phase: 'embedding windows' }, (start, m, [b]) => {
      dim = b[out].length / m;
      if (embeddings.length === 0) embeddings = new Float32Array(n * dim);
      embeddings.set(b[out], start * dim);
    });
    return { embeddings, n, dim, ms: performance.now() - t0 };
  }

  /**
   * Trains the recipe's models on the frames (job `id`, cancellable between chunks of steps) and loads them: a
   * bootstrap policy ensemble for uncertainty, a PCA window embedding for clustering.
   */
  /** Detects failure onsets in the frames (the detector's fit reads every frame given: off the page's thread). */
  async detectOnsets(id: number, req: OnsetRequest, onProgress?: (p: ScoreProgress) => void): Promise<DetectedOnset[]> {
    return this.jobs.run(id, onProgress, async (job) => {
      const block = framesFromArrow(tableFromIPC(req.frames), req.action ? [req.state, req.action] : [req.state]);
      await job.checkpoint(0.1, 'detecting onsets');
      return detectOnsets(block, req.state, req.action, { fps: req.fps });
    });
  }

  async train(id: number, req: TrainRequest, onProgress?: (p: ScoreProgress) => void): Promise<TrainResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const { state, action } = req.columns;
      const block = framesFromArrow(tableFromIPC(req.frames), [...new Set([state, action])]);
      return this.trainBlock(block, req, (d, phase) => job.checkpoint(d, phase), t0);
    });
  }

  /** As {@link train} on frames in memory, with the caller's checkpoint (tests, benchmarks). */
  async trainBlock(block: FrameBlock, req: Omit<TrainRequest, 'frames'>, checkpoint: (done: number, phase: string) => Promise<void>, t0 = performance.now()): Promise<TrainResult> {
    const { state, action } = req.columns;
    for (const c of [state, action]) if (!req.stats[c]?.mean || !req.stats[c]?.std) throw new Error(`training needs the mean and std of \`${c}\`.`);
    const ranges = episodeRanges(block);
    const r = req.recipe;
    if (req.task === 'uncertainty') {
      const t = await trainPolicyEnsemble(block, ranges, new Set(req.reference ?? ranges.map((g) => g.episode)), req.stats, req.columns, r, checkpoint);
      const models: ModelInfo[] = [];
      // Loading copies: the bytes also go back to the page (kept in IndexedDB, offered for download).
      for (const f of t.files) models.push(await this.models.load(f.bytes.slice(), f.name));
      await checkpoint(1, 'trained');
      return { models, files: t.files, mapping: t.mapping, losses: t.losses, episodes: t.episodes, frames: t.frames, ms: performance.now() - t0 };
    }
    const a = req.anchors;
    if (!a || a.episode.length < 3) throw new Error('fitting the window embedding needs at least 3 failure windows.');
    const mapping = trainedEncoderMapping(state, action, r);
    const m = mapping.inputs[0];
    const channels = block.columns[state].dims + block.columns[action].dims;
    const plan = planInputs(mapping, [{ input: m.input, featuresPerFrame: channels, window: m.window, layout: 'sequence' }], block, req.stats)[0];
    const byEp = new Map(ranges.map((g) => [g.episode, g]));
    const idx = new Map(ranges.map((g, i) => [g.episode, i]));
    const n = a.episode.length;
    const rows = new Int32Array(n);
    const epOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      rows[i] = rowOf(block, byEp, a.episode[i], a.frame[i]);
      if (rows[i] < 0) throw new Error(`failure window ${i}: episode ${a.episode[i]} frame ${a.frame[i]} is not among the frames given.`);
      epOf[i] = idx.get(a.episode[i])!;
    }
    const windows = new Float32Array(n * m.window * channels);
    fillBatch(plan, rows, ranges, epOf, 0, n, windows);
    await checkpoint(0.3, 'fitting the window embedding');
    const file = fitWindowEmbedding(windows, n, m.window, channels, block.columns[state].dims, m.anchor, r.embeddingDim, r);
    const models = [await this.models.load(file.bytes.slice(), file.name)];
    await checkpoint(1, 'fitted');
    return { models, files: [file], mapping, losses: [], episodes: n, frames: n * m.window, ms: performance.now() - t0 };
  }

  /** k-means (k by silhouette unless given), DBSCAN, a 2-D map and cluster summaries. */
  async cluster(id: number, req: ClusterRequest, onProgress?: (p: ScoreProgress) => void): Promise<ClusterResult> {
    return this.jobs.run(id, onProgress, async (job) => {
      const t0 = performance.now();
      const n = req.points.length / req.dim;
      if (!Number.isInteger(n)) throw new Error(`points: ${req.points.length} values are not a multiple of dim ${req.dim}.`);
      const pts = { values: req.points, n, dim: req.dim };
      const step = (a: number, b: number) => (d: number, note: string) => job.checkpoint(a + (b - a) * d, note);
      const km = await kmeansAuto(pts, { k: req.k, kMin: req.kMin, kMax: req.kMax, seed: req.seed, checkpoint: step(0, 0.6) });
      const db = req.dbscan === false ? null : await dbscan(pts, { ...(req.dbscan ?? {}), checkpoint: step(0.6, 0.75) });
      const map = await map2d(pts, { method: req.map, seed: req.seed, checkpoint: step(0.75, 0.98) });
      const meta: WindowMeta = req.meta ?? { episode: new Int32Array(n).fill(-1) };
      const summaries = summarizeClusters(pts, km.labels, meta);
      const dbscanSummaries = db ? summarizeClusters(pts, db.labels, meta) : null;
      const xs = new Float32Array(n);
      const ys = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        xs[i] = map.xy[i * 2];
        ys[i] = map.xy[i * 2 + 1];
      }
      const table = resultIpc([
        { name: 'window', values: Int32Array.from({ length: n }, (_, i) => i) },
        { name: 'episode_index', values: Int32Array.from(meta.episode) },
        { name: 'cluster', values: km.labels },
        { name: 'dbscan_cluster', values: db ? db.labels : new Int32Array(n).fill(-1) },
        { name: 'x', values: xs },
        { name: 'y', values: ys },
      ]);
      await job.checkpoint(1, 'done', n);
      return { k: km.k, silhouettes: km.silhouettes, labels: km.labels, dbscan: db, map, summaries, dbscanSummaries, table, ms: performance.now() - t0 };
    });
  }
}

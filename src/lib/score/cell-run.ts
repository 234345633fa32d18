/**
 * Running a model cell, the same in the browser and in Node: run the input query (Arrow IPC), load the model(s),
 * score or embed and cluster, and store every result as a DuckDB table named after the cell. The database and the
 * scorer come in through two small ports, so the app plugs in its workers and the headless runner its in-process
 * engines.
 */
import { DataType, Precision, tableFromIPC, type Table } from 'apache-arrow';
import type { RunOptions } from '../db';
import type { SourceDecl } from '../ingest/source';
import { quoteIdent } from '../util/sql';
import { formatCount, formatFixed, formatPercent } from '../util/format';
import { resultIpc, type ColumnSpec } from './arrow';
import { anchorColumns, anchorsSql, referenceSql, type ClusterParams, type ModelSpec } from './cell';
import type { ClusterRequest, ClusterResult, EmbedRequest, EmbedResult, ModelInfo, OnsetRequest, ScoreFramesRequest, ScoreFramesResult, ScoreProgress, TrainRequest, TrainResult } from './client';
import { resolveColumns, trainedEncoderMapping, trainedPolicyMapping, type TrainRecipe } from '../models/recipe';
import { numericColumns } from './frames';
import type { DetectedOnset } from './onsets';
import type { DatasetStats, ModelMapping, TensorInfo } from './mapping';
import type { ClusterSummary } from './summary';

/** What a model cell needs from the database. */
export interface ModelDbPort {
  /** A query's result as Arrow IPC bytes (in its ORDER BY order). */
  queryIpc(sql: string, id: number, opts: RunOptions): Promise<Uint8Array>;
  /** A query's rows as plain values. */
  rows(sql: string, id: number, opts: RunOptions): Promise<Record<string, unknown>[]>;
  insertArrow(name: string, ipc: Uint8Array): Promise<void>;
  /** The dataset's `meta/stats.json`, when the notebook's LeRobot source has one this side can read. */
  datasetStats(sources: SourceDecl[]): Promise<DatasetStats | null>;
}

/** A cancellable score job (the score client's shape). */
export interface ScoreJobPort<T> {
  id: number;
  done: Promise<T>;
}

/** What a model cell needs from the scorer: the score client's methods (the app's worker client, or Node's in-process scorer). */
export interface ScorePort {
  loadModel(source: { bytes: Uint8Array; name: string } | { file: Blob & { name?: string } } | { url: string; name?: string }): Promise<ModelInfo>;
  loadDemoModels(manifestUrl?: string): Promise<{ ensemble: { ids: string[]; models: ModelInfo[] }; encoder: { id: string; model: ModelInfo } }>;
  checkMapping(modelIds: string[], mapping: unknown, columns: Record<string, number>, stats?: DatasetStats): Promise<string[]>;
  scoreFrames(req: ScoreFramesRequest, onProgress?: (p: ScoreProgress) => void): ScoreJobPort<ScoreFramesResult>;
  embedWindows(req: EmbedRequest, onProgress?: (p: ScoreProgress) => void): ScoreJobPort<EmbedResult>;
  cluster(req: ClusterRequest, onProgress?: (p: ScoreProgress) => void): ScoreJobPort<ClusterResult>;
  train(req: TrainRequest, onProgress?: (p: ScoreProgress) => void): ScoreJobPort<TrainResult>;
  detectOnsets(req: OnsetRequest, onProgress?: (p: ScoreProgress) => void): ScoreJobPort<DetectedOnset[]>;
  cancel(id: number): Promise<boolean>;
}

/** Where models trained in the tab are kept between runs (the app: IndexedDB), keyed by recipe, columns and data. */
export interface TrainedModelCache {
  get(key: string): Promise<{ name: string; bytes: Uint8Array }[] | undefined>;
  put(key: string, files: { name: string; bytes: Uint8Array }[]): Promise<void>;
}

/** What a run with models trained in the tab reports about the training. */
export interface TrainedReport {
  recipe: TrainRecipe;
  state: string;
  action: string;
  /** The reference condition used (uncertainty) or the failure windows (clustering). */
  trainedOn: string;
  episodes: number;
  frames: number;
  losses: number[];
  /** True when the models came from this browser's store instead of being trained again. */
  cached: boolean;
  ms: number;
  mapping: ModelMapping;
  files: { name: string; bytes: Uint8Array }[];
}

/** One window of a clustering result, for the 2-D map. */
export interface MapPoint {
  x: number;
  y: number;
  episode: number;
  frame: number;
  cluster: number;
  dbscan: number;
  name: string;
  category: string | null;
}

/** What a model cell's run reports besides its main table (models, tables, job numbers, the 2-D map). */
export interface ModelRunData {
  task: ModelSpec['task'];
  models: { name: string; inputs: TensorInfo[]; outputs: TensorInfo[] }[];
  /** Numeric columns of the input query and their widths (what the mapping can use). */
  columns: Record<string, number>;
  /** Result tables, main first, with their DuckDB column types. */
  tables: { name: string; rows: number; columns: { name: string; type: string }[] }[];
  statsFrom: 'stats.json' | 'frames' | 'none';
  /** ONNX Runtime's version and threads where it ran (the app's score worker). */
  runtime?: { ort: string; threads: number; crossOriginIsolated: boolean };
  samples: number;
  ms: number;
  /** Models trained in the tab: on what, how, and their ONNX files (for download). */
  trained?: TrainedReport;
  uncertainty?: { members: number; threshold: number | null; collect: number; shadow: { mean: number; flaggedShare: number } | null; framesPerSecond: number };
  cluster?: {
    k: number;
    silhouettes: { k: number; silhouette: number }[];
    dbscan: { clusters: number; eps: number; noise: number } | null;
    map: string;
    points: MapPoint[];
    summaries: (ClusterSummary & { name: string })[];
  };
}

/**
 * A model run's report. A class so Svelte's `$state` leaves it unproxied (a map of 50k windows is read point by
 * point when drawn); the runner replaces it on every run.
 */
export class ModelRunInfo {
  constructor(readonly data: ModelRunData) {}
}

/** Everything one run needs besides the cell. */
export interface ModelRunContext {
  db: ModelDbPort;
  score: ScorePort;
  sources: SourceDecl[];
  /** Query id of this run (the runner cancels by it). */
  id: number;
  opts: RunOptions;
  /** Local model files chosen for this cell (they are never saved in the notebook). */
  files?: File[];
  onNote?: (note: string) => void;
  /** Called with each score job's id as it starts, so a cancel can reach it. */
  onJob?: (scoreJobId: number | null) => void;
  /** True once the run was cancelled (checked between steps). */
  cancelled?: () => boolean;
  /** Keeps trained models between runs (none: train every run). */
  trainedCache?: TrainedModelCache;
}

/** Thrown when a run stops on request (the runner shows "Cancelled."). */
export class ModelCancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

/** The name a k-means cluster goes by: the user's name, else "cluster N". */
export function clusterName(spec: ModelSpec, cluster: number): string {
  return (spec.task === 'cluster' && spec.params.names[String(cluster)]) || `cluster ${cluster}`;
}

const describe = (p: ScoreProgress): string => `${p.phase[0].toUpperCase()}${p.phase.slice(1)} ${Math.round(p.done * 100)}%${p.samples ? ` · ${formatCount(p.samples)} samples` : ''}`;

/** Runs a model cell: results go into tables named after `name`; returns the run's report. */
export async function runModelCell(name: string, source: string, spec: ModelSpec, ctx: ModelRunContext): Promise<ModelRunData> {
  const t0 = performance.now();
  const step = (note: string) => {
    if (ctx.cancelled?.()) throw new ModelCancelledError();
    ctx.onNote?.(note);
  };
  const job = async <T>(j: ScoreJobPort<T>): Promise<T> => {
    ctx.onJob?.(j.id);
    try {
      return await j.done;
    } finally {
      ctx.onJob?.(null);
    }
  };
  const progress = (p: ScoreProgress) => ctx.onNote?.(describe(p));

  const recipe = spec.model.kind === 'trained' ? spec.model.recipe : null;
  // A clustering cell first checks that there are failed episodes at all: its input query selects them.
  if (spec.task === 'cluster') await checkFailures(spec.params.failures, ctx);
  let models: ModelInfo[] = [];
  if (!recipe) {
    step('Loading the model…');
    models = await loadModels(spec, ctx);
  }
  step('Reading frames…');
  const frames = await ctx.db.queryIpc(source, ctx.id, ctx.opts);
  const table = tableFromIPC(frames);
  if (table.numRows === 0) throw new Error('The input query returned no frames: nothing to score.');
  const columns = numericColumns(table);
  // Models trained here are sized from the frames: resolve the columns, derive the mapping, then train (or reuse).
  const cols = recipe ? resolveColumns(columns, recipe) : null;
  if (recipe && cols) {
    const mapping = spec.task === 'uncertainty' ? trainedPolicyMapping(cols.state, cols.action, recipe.window) : trainedEncoderMapping(cols.state, cols.action, recipe);
    spec = { ...spec, mapping } as ModelSpec;
    if (spec.task === 'uncertainty') spec = { ...spec, params: { ...spec.params, shadow: { column: 'action_pred', operatorColumn: cols.action } } };
  }
  step('Reading the dataset stats…');
  const { stats, from: statsFrom } = await statsFor(spec, table, columns, ctx);
  let trained: TrainedReport | undefined;
  let trainRef: number[] | undefined;
  let anchorRows: Record<string, unknown>[] | null = null;
  if (recipe && cols) {
    if (!stats) throw new Error('Training needs normalisation stats of the state and action columns, and none could be computed.');
    let on: { label: string; episodes?: number[]; anchors?: { episode: Int32Array; frame: Int32Array } };
    if (spec.task === 'uncertainty') {
      const ref = await referenceEpisodes(recipe, ctx);
      trainRef = ref.ids;
      on = { label: ref.label, episodes: ref.ids };
    } else {
      step('Finding failure onsets…');
      anchorRows = await findAnchors(spec.params, { state: cols.state, action: cols.action }, frames, columns, ctx, job);
      if (anchorRows.length < 3) throw new Error(`Clustering needs at least 3 failure windows; the failures (${spec.params.failures}) with onsets give ${anchorRows.length}.`);
      on = { label: `${anchorRows.length} failure windows`, anchors: { episode: Int32Array.from(anchorRows, (a) => Number(a.episode_index)), frame: Int32Array.from(anchorRows, (a) => Number(a.frame_index)) } };
    }
    const key = trainKey(spec.task, recipe, cols, ctx.sources, table.numRows, on);
    const t1 = performance.now();
    const hit = await ctx.trainedCache?.get(key).catch(() => undefined);
    if (hit?.length) {
      step('Loading the trained models kept in this browser…');
      for (const f of hit) models.push(await ctx.score.loadModel({ bytes: f.bytes.slice(), name: f.name }));
      trained = { recipe, state: cols.state, action: cols.action, trainedOn: on.label, episodes: on.episodes?.length ?? hit.length, frames: 0, losses: [], cached: true, ms: performance.now() - t1, mapping: spec.mapping, files: hit };
    } else {
      step(spec.task === 'uncertainty' ? 'Training the ensemble…' : 'Fitting the window embedding…');
      const r = await job(ctx.score.train({ task: spec.task, recipe, columns: { state: cols.state, action: cols.action }, frames: frames.slice(), stats, reference: on.episodes, anchors: on.anchors }, progress));
      models = r.models;
      await ctx.trainedCache?.put(key, r.files.map((f) => ({ name: f.name, bytes: f.bytes.slice() }))).catch(() => undefined);
      trained = { recipe, state: cols.state, action: cols.action, trainedOn: on.label, episodes: r.episodes, frames: r.frames, losses: r.losses, cached: false, ms: performance.now() - t1, mapping: r.mapping, files: r.files };
    }
  }
  const ids = models.map((m) => m.id);
  const problems = await ctx.score.checkMapping(ids, spec.mapping, columns, stats ?? undefined);
  if (problems.length) throw new Error(`The mapping does not fit the model and the input query:\n- ${problems.join('\n- ')}`);
  const base = { task: spec.task, models: models.map((m) => ({ name: m.name, inputs: m.inputs, outputs: m.outputs })), columns, statsFrom, trained };

  if (spec.task === 'uncertainty') {
    const p = spec.params;
    const refSql = referenceSql(p);
    // Trained models: the threshold is calibrated on the episodes they were trained on, unless the cell names others.
    const reference = refSql ? (await ctx.db.rows(refSql, ctx.id, ctx.opts)).map((r) => Number(r.episode_index)) : trainRef;
    step('Scoring frames…');
    const fps = await datasetFps(ctx);
    const r = await job(
      ctx.score.scoreFrames(
        { models: ids, mapping: spec.mapping, frames, stats: stats ?? undefined, fps, threshold: { rate: 1 - p.quantile, referenceEpisodes: reference }, shadow: p.shadow ?? undefined, collectLimit: p.collectLimit },
        progress,
      ),
    );
    step('Storing the results…');
    const [main, episodes, collect] = [name, `${name}_episodes`, `${name}_collect`];
    const tables = [];
    for (const [t, ipc] of [[main, r.frames], [episodes, r.episodes], [collect, collectIpc(r, fps)]] as const) tables.push(await store(ctx, t, ipc));
    return {
      ...base,
      tables,
      samples: r.samples,
      ms: performance.now() - t0,
      uncertainty: { members: r.members, threshold: r.threshold, collect: r.collect.length, shadow: r.shadow, framesPerSecond: r.framesPerSecond },
    };
  }

  const p = spec.params;
  step('Finding failure onsets…');
  const anchors = anchorRows ?? (await findAnchors(p, anchorColumns(spec), frames, columns, ctx, job));
  if (anchors.length < 3) throw new Error(`Clustering needs at least 3 failure windows; the failures (${p.failures}) with onsets give ${anchors.length}.`);
  const episode = Int32Array.from(anchors, (a) => Number(a.episode_index));
  const frame = Int32Array.from(anchors, (a) => Number(a.frame_index));
  const emb = await job(ctx.score.embedWindows({ model: ids[0], mapping: spec.mapping, frames, anchors: { episode, frame }, stats: stats ?? undefined }, progress));
  const category = anchors.map((a) => (a.failure_category == null ? null : String(a.failure_category)));
  const conditions = Object.fromEntries(p.conditions.map((c) => [c, anchors.map((a) => conditionValue(a[c]))]));
  step('Clustering…');
  const cl = await job(
    ctx.score.cluster({ points: emb.embeddings, dim: emb.dim, k: p.k === 'auto' ? undefined : p.k, dbscan: p.eps === 'auto' ? {} : { eps: p.eps }, meta: { episode, category, conditions } }, progress),
  );
  step('Storing the results…');
  const t = tableFromIPC(cl.table);
  const num = (c: string) => t.getChild(c)!.toArray() as Int32Array | Float32Array;
  const labels = cl.labels;
  const names = Array.from(labels, (l) => clusterName(spec, l));
  const windows: ColumnSpec[] = [
    { name: 'window', values: num('window') as Int32Array },
    { name: 'episode_index', values: episode },
    { name: 'frame_index', values: frame },
    { name: 'onset_s', values: Float64Array.from(anchors, (a) => Number(a.onset_s)) },
    { name: 'onset_source', values: anchors.map((a) => String(a.onset_source)) },
    { name: 'failure_category', values: category },
    { name: 'cluster', values: labels },
    { name: 'cluster_name', values: names },
    { name: 'dbscan_cluster', values: num('dbscan_cluster') as Int32Array },
    { name: 'x', values: num('x') as Float32Array },
    { name: 'y', values: num('y') as Float32Array },
  ];
  const summaries = cl.summaries.map((s) => ({ ...s, name: clusterName(spec, s.cluster) }));
  const tables = [await store(ctx, name, resultIpc(windows)), await store(ctx, `${name}_clusters`, summariesIpc(summaries))];
  const xs = num('x');
  const ys = num('y');
  const db = num('dbscan_cluster');
  return {
    ...base,
    tables,
    samples: labels.length,
    ms: performance.now() - t0,
    cluster: {
      k: cl.k,
      silhouettes: cl.silhouettes.map((s) => ({ k: s.k, silhouette: s.silhouette })),
      dbscan: cl.dbscan ? { clusters: cl.dbscan.clusters, eps: cl.dbscan.eps, noise: Array.from(cl.dbscan.labels).filter((l) => l < 0).length } : null,
      map: cl.map.method,
      points: Array.from(labels, (c, i) => ({ x: xs[i], y: ys[i], episode: episode[i], frame: frame[i], cluster: c, dbscan: db[i], name: names[i], category: category[i] })),
      summaries,
    },
  };
}

/**
 * One window anchor per failed episode (rows of {@link anchorsSql}): the onsets reviewers marked, and where nobody
 * has (or the cell asks for detected onsets) the detector's, run on the frames the input query read (`detectOnsets`:
 * the start of the first strong, sustained break of a one-step model of the state given its command). Without the state
 * column in those frames, the query's own fallback (the largest state jump over the `frames` view) anchors them.
 */
async function findAnchors(
  p: ClusterParams,
  cols: { state: string; action: string | null },
  frames: Uint8Array,
  columns: Record<string, number>,
  ctx: ModelRunContext,
  run: <T>(j: ScoreJobPort<T>) => Promise<T>,
): Promise<Record<string, unknown>[]> {
  const inFrames = columns[cols.state] !== undefined;
  const rows = await ctx.db.rows(anchorsSql(p, cols.state, await episodeColumns(ctx), inFrames ? 'frames' : 'jump'), ctx.id, ctx.opts);
  if (!inFrames || rows.every((r) => r.frame_index != null)) return rows;
  const action = cols.action && columns[cols.action] !== undefined ? cols.action : null;
  const fps = await datasetFps(ctx);
  ctx.onNote?.('Detecting failure onsets…');
  // In the score worker: the detector's fit reads every frame (seconds at 100k), which would freeze the page.
  const detected = await run(ctx.score.detectOnsets({ frames: frames.slice(), state: cols.state, action, fps }));
  const found = new Map(detected.map((o) => [o.episode, o.frame]));
  return rows.flatMap((r) => {
    if (r.frame_index != null) return [r];
    const f = found.get(Number(r.episode_index));
    return f === undefined ? [] : [{ ...r, frame_index: f, onset_s: f / fps }];
  });
}

/** The columns of the `episodes` table. */
async function episodeColumns(ctx: ModelRunContext): Promise<string[]> {
  return (await ctx.db.rows('SELECT column_name FROM (DESCRIBE episodes)', ctx.id, ctx.opts)).map((r) => String(r.column_name));
}

/**
 * Says clearly when a clustering cell has no failed episodes to work on: no outcome column at all (no log), a
 * condition naming columns the episodes lack, or no episode matching it.
 */
async function checkFailures(failures: string, ctx: ModelRunContext): Promise<void> {
  const cols = await episodeColumns(ctx);
  const list = cols.map((c) => `\`${c}\``).join(', ');
  // The episodes view has an `outcome` column even without a log (reviews fill it): no value in it is no outcome.
  const noOutcome = /\boutcome\b/.test(failures) && (!cols.includes('outcome') || Number((await ctx.db.rows('SELECT count(outcome) AS n FROM episodes', ctx.id, ctx.opts))[0]?.n ?? 0) === 0);
  if (noOutcome) {
    throw new Error(
      `No outcome is mapped: no episode has an \`outcome\`, so there are no failed episodes to cluster. ` +
        `Add a deployment log (\`&log=<csv>\` with \`episode_id\` and \`outcome\`: success, failure or intervened), or change "failed episodes where" to a condition on the episodes' columns (${list}).`,
    );
  }
  let n: number;
  try {
    const [r] = await ctx.db.rows(`SELECT count(*) AS n FROM episodes WHERE ${failures}`, ctx.id, ctx.opts);
    n = Number(r?.n ?? 0);
  } catch (e) {
    const why = String((e as Error).message ?? e).split('\n')[0].replace(/^[A-Za-z ]*Error: /, '');
    throw new Error(`The failures condition \`${failures}\` does not run on the episodes (${why}). Write it over the episodes' columns: ${list}.`);
  }
  if (n === 0) throw new Error(`No episode matches the failures condition \`${failures}\`: nothing to cluster. Check "failed episodes where" against the episodes' outcomes.`);
}

/**
 * The episodes trained models imitate. 'auto': the demos (no policy version) when the log says which those are,
 * else the successful episodes, else every episode; a condition that picks fewer than 2 episodes falls through.
 */
async function referenceEpisodes(r: TrainRecipe, ctx: ModelRunContext): Promise<{ ids: number[]; label: string }> {
  const cols = r.reference === 'auto' ? await episodeColumns(ctx) : [];
  const candidates =
    r.reference !== 'auto'
      ? [r.reference]
      : [cols.includes('policy_version') ? 'policy_version IS NULL' : null, cols.includes('outcome') ? `outcome = 'success'` : null, 'true'].filter((c): c is string => c !== null);
  for (const c of candidates) {
    const ids = (await ctx.db.rows(`SELECT episode_index FROM episodes WHERE ${c} ORDER BY episode_index`, ctx.id, ctx.opts)).map((x) => Number(x.episode_index));
    if (ids.length >= 2 || r.reference !== 'auto') return { ids, label: c === 'true' ? 'every episode' : c };
  }
  return { ids: [], label: 'no episode' };
}

/** Cache key of trained models: everything that decides their bytes (recipe, columns, task, the data's identity). */
function trainKey(task: string, r: TrainRecipe, cols: { state: string; action: string }, sources: SourceDecl[], rows: number, on: { episodes?: number[]; anchors?: { episode: Int32Array; frame: Int32Array } }): string {
  const text = JSON.stringify([task, r, cols, sources.map((s) => [s.kind, s.url ?? s.name]), rows, on.episodes ?? [], Array.from(on.anchors?.episode ?? []), Array.from(on.anchors?.frame ?? [])]);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    h1 = Math.imul(h1 ^ text.charCodeAt(i), 0x01000193);
    h2 = Math.imul(h2 ^ text.charCodeAt(i), 0x5bd1e995);
  }
  return `trained:${task}:${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}`;
}

/** Inserts a result table and describes it (rows, DuckDB column types read off its Arrow schema). */
async function store(ctx: ModelRunContext, name: string, ipc: Uint8Array): Promise<ModelRunData['tables'][number]> {
  const t = tableFromIPC(ipc);
  const columns = t.schema.fields.map((f) => ({ name: f.name, type: duckType(f.type) }));
  await ctx.db.insertArrow(name, ipc);
  return { name, rows: t.numRows, columns };
}

/** The DuckDB type an Arrow type becomes on insert (the kinds score results use). */
function duckType(t: DataType): string {
  if (DataType.isFixedSizeList(t)) return `${duckType(t.children[0].type)}[${t.listSize}]`;
  if (DataType.isList(t)) return `${duckType(t.children[0].type)}[]`;
  if (DataType.isInt(t)) return t.bitWidth === 64 ? 'BIGINT' : 'INTEGER';
  if (DataType.isFloat(t)) return t.precision === Precision.SINGLE ? 'FLOAT' : 'DOUBLE';
  if (DataType.isUtf8(t)) return 'VARCHAR';
  return String(t).toUpperCase();
}

function conditionValue(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return String(v);
  return String(v);
}

async function loadModels(spec: ModelSpec, ctx: ModelRunContext): Promise<ModelInfo[]> {
  const m = spec.model;
  if (m.kind === 'trained') return [];
  if (m.kind === 'demo') {
    const demo = await ctx.score.loadDemoModels(m.manifest);
    return spec.task === 'uncertainty' ? demo.ensemble.models : [demo.encoder.model];
  }
  if (m.kind === 'url') return Promise.all(m.urls.map((url) => ctx.score.loadModel({ url })));
  const files = ctx.files ?? [];
  const missing = m.names.filter((n) => !files.some((f) => f.name === n));
  if (missing.length) {
    throw new Error(`This cell's model file${m.names.length > 1 ? 's are' : ' is'} on the computer it was made on, not in the notebook: choose ${missing.join(', ')} again (Choose files…).`);
  }
  return Promise.all(m.names.map((n) => ctx.score.loadModel({ file: files.find((f) => f.name === n)! })));
}

/** Frames per second of the dataset (episode length over duration), for collect-here times. */
async function datasetFps(ctx: ModelRunContext): Promise<number> {
  const [r] = await ctx.db.rows('SELECT max(length / duration_s) AS fps FROM episodes WHERE duration_s > 0', ctx.id, ctx.opts);
  const fps = Number(r?.fps);
  return Number.isFinite(fps) && fps > 0 ? Math.round(fps * 1000) / 1000 : 1;
}

/**
 * The stats a mapping normalises with: the dataset's `meta/stats.json` when there is one (what a LeRobot policy was
 * trained with), else computed over every frame of those columns (population std, as LeRobot does).
 */
async function statsFor(spec: ModelSpec, table: Table, columns: Record<string, number>, ctx: ModelRunContext): Promise<{ stats: DatasetStats | null; from: ModelRunData['statsFrom'] }> {
  const needs = new Set<string>();
  for (const i of spec.mapping.inputs) if (i.normalize !== 'none') for (const f of i.features) needs.add(f.column);
  for (const o of spec.mapping.outputs) if (o.denormalize) needs.add(o.denormalize.column);
  if (spec.task === 'uncertainty' && spec.params.shadow) needs.add(spec.params.shadow.operatorColumn);
  if (needs.size === 0) return { stats: null, from: 'none' };
  const json = await ctx.db.datasetStats(ctx.sources).catch(() => null);
  if (json && [...needs].every((c) => json[c])) return { stats: json, from: 'stats.json' };
  const cols = [...needs].filter((c) => columns[c] !== undefined);
  if (cols.length === 0) return { stats: null, from: 'none' };
  const parts: string[] = [];
  for (const c of cols) {
    const list = [12, 16].includes(table.getChild(c)!.type.typeId);
    for (let k = 0; k < columns[c]; k++) {
      const v = list ? `${quoteIdent(c)}[${k + 1}]` : quoteIdent(c);
      for (const [agg, key] of [['avg', 'mean'], ['stddev_pop', 'std'], ['min', 'min'], ['max', 'max']] as const) parts.push(`${agg}(${v}) AS ${quoteIdent(`${c}|${key}|${k}`)}`);
    }
  }
  const [row] = await ctx.db.rows(`SELECT ${parts.join(', ')} FROM frames`, ctx.id, ctx.opts);
  const stats: DatasetStats = {};
  for (const [key, v] of Object.entries(row ?? {})) {
    const [c, stat, k] = key.split('|');
    const s = (stats[c] ??= {}) as Record<string, number[]>;
    (s[stat] ??= [])[Number(k)] = Number(v);
  }
  return { stats, from: 'frames' };
}

function collectIpc(r: ScoreFramesResult, fps: number): Uint8Array {
  const c = r.collect;
  return resultIpc([
    { name: 'rank', values: Int32Array.from(c, (_, i) => i + 1) },
    { name: 'episode_index', values: Int32Array.from(c, (x) => x.episode_index) },
    { name: 'start_s', values: Float64Array.from(c, (x) => x.start_s) },
    { name: 'peak_s', values: Float64Array.from(c, (x) => x.peak_s) },
    { name: 'end_s', values: Float64Array.from(c, (x) => x.end_frame / fps) },
    { name: 'start_frame', values: Int32Array.from(c, (x) => x.start_frame) },
    { name: 'peak_frame', values: Int32Array.from(c, (x) => x.peak_frame) },
    { name: 'end_frame', values: Int32Array.from(c, (x) => x.end_frame) },
    { name: 'frames', values: Int32Array.from(c, (x) => x.frames) },
    { name: 'peak_uncertainty', values: Float64Array.from(c, (x) => x.peak) },
  ]);
}

function summariesIpc(s: (ClusterSummary & { name: string })[]): Uint8Array {
  const fmt = (d: ClusterSummary['distinguishing'][number]) =>
    d.kind === 'category' ? `${d.condition} = ${d.value} (${formatPercent(d.clusterShare, 0)} vs ${formatPercent(d.overallShare, 0)})` : `${d.condition} ${d.effect > 0 ? '+' : ''}${formatFixed(d.effect, 1)} sd`;
  return resultIpc([
    { name: 'cluster', values: Int32Array.from(s, (x) => x.cluster) },
    { name: 'cluster_name', values: s.map((x) => x.name) },
    { name: 'windows', values: Int32Array.from(s, (x) => x.size) },
    { name: 'share', values: Float64Array.from(s, (x) => x.share) },
    { name: 'top_category', values: s.map((x) => x.dominantCategory) },
    { name: 'top_category_share', values: Float64Array.from(s, (x) => x.dominantShare) },
    { name: 'distinguishing', values: s.map((x) => x.distinguishing.map(fmt).join('; ') || null) },
    { name: 'representatives', values: s.map((x) => x.representatives.join(', ')) },
  ]);
}

/**
 * The main thread's handle on the score worker (ONNX Runtime). The only module that creates that worker, and only
 * on the first call: a page that never runs a model never loads ONNX Runtime. Components use this client (or the
 * notebook cells built on it), never `workers/`.
 */
import * as Comlink from 'comlink';
import type { ScoreApi, ScoreRuntimeInfo } from '../../../workers/score.worker';
import type { ClusterRequest, ClusterResult, EmbedRequest, EmbedResult, OnsetRequest, ScoreFramesRequest, ScoreFramesResult, TrainRequest, TrainResult } from '../../../workers/score/scorer';
import type { DetectedOnset } from './onsets';
import type { ScoreProgress } from '../../../workers/score/jobs';
import type { ModelInfo } from '../../../workers/score/models';
import type { DemoManifest } from '../models/demo-models';
import type { DatasetStats, ModelMapping } from './mapping';

export type { ClusterRequest, ClusterResult, EmbedRequest, EmbedResult, OnsetRequest, ModelInfo, ScoreFramesRequest, ScoreFramesResult, ScoreProgress, ScoreRuntimeInfo, TrainRequest, TrainResult };

/** A cancellable piece of work: pass `id` to {@link ScoreClient.cancel}. */
export interface ScoreJob<T> {
  id: number;
  done: Promise<T>;
}

/** The demo models, loaded: ensemble member ids and the encoder's id, each with its mapping. */
export interface LoadedDemoModels {
  ensemble: { ids: string[]; mapping: ModelMapping; models: ModelInfo[] };
  encoder: { id: string; mapping: ModelMapping; model: ModelInfo };
}

/**
 * A manifest member's URL. Members must sit on the manifest's own site: a notebook shows the user the manifest's
 * host before anything is fetched, so a manifest may not send the browser anywhere else.
 */
export function manifestMember(base: URL, file: string): string {
  const u = new URL(file, base);
  if (u.origin !== base.origin) throw new Error(`The model manifest ${base.href} names ${file}, on another site; its models must be beside it.`);
  return u.href;
}

const proxied = (fn?: (p: ScoreProgress) => void) => (fn ? Comlink.proxy(fn) : undefined);

/** Owns the score worker; one per page is plenty ({@link ScoreClient.shared}). */
export class ScoreClient {
  static #shared: ScoreClient | null = null;
  #worker: Worker | null = null;
  #api: Comlink.Remote<ScoreApi> | null = null;
  #nextId = 1;

  /** The page's client (the worker itself starts on first use). */
  static shared(): ScoreClient {
    return (ScoreClient.#shared ??= new ScoreClient());
  }

  get #remote(): Comlink.Remote<ScoreApi> {
    if (!this.#api) {
      this.#worker = new Worker(new URL('../../../workers/score.worker.ts', import.meta.url), { type: 'module', name: 'flywheel-score' });
      this.#api = Comlink.wrap<ScoreApi>(this.#worker);
    }
    return this.#api;
  }

  /** Whether the worker has been started. */
  get started(): boolean {
    return this.#worker !== null;
  }

  /** ONNX Runtime version, threads, isolation. */
  info(): Promise<ScoreRuntimeInfo> {
    return this.#remote.info();
  }

  /**
   * Loads a model: bytes (transferred to the worker: the caller's buffer is emptied), a user's file, or a URL
   * (fetched by the worker). Rejects with a sentence saying what is wrong for files that are not ONNX models.
   */
  async loadModel(source: { bytes: Uint8Array; name: string } | { file: Blob & { name?: string } } | { url: string; name?: string }): Promise<ModelInfo> {
    if ('url' in source) return this.#remote.loadModelUrl(new URL(source.url, globalThis.location?.href).href, source.name);
    const bytes = 'bytes' in source ? source.bytes : new Uint8Array(await source.file.arrayBuffer());
    const name = 'bytes' in source ? source.name : (source.file.name ?? 'model.onnx');
    return this.#remote.loadModel(Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]), name);
  }

  /** Loads the bundled demo models from a `models.json` manifest URL (default: the demo next to the app). */
  async loadDemoModels(manifestUrl = 'demo/models/models.json'): Promise<LoadedDemoModels> {
    const base = new URL(manifestUrl, globalThis.location?.href);
    const m = (await this.#remote.fetchJson(base.href)) as DemoManifest;
    const ens = m.ensembles[0];
    const enc = m.encoders[0];
    const at = (f: string) => manifestMember(base, f);
    const models = await Promise.all(ens.members.map((f) => this.#remote.loadModelUrl(at(f), f)));
    const model = await this.#remote.loadModelUrl(at(enc.file), enc.file);
    return { ensemble: { ids: models.map((x) => x.id), mapping: ens.mapping, models }, encoder: { id: model.id, mapping: enc.mapping, model } };
  }

  /** A LeRobot dataset's `meta/stats.json` (for normalisation), given the dataset root URL. */
  async datasetStats(rootUrl: string): Promise<DatasetStats> {
    const root = rootUrl.endsWith('/') ? rootUrl : rootUrl + '/';
    return (await this.#remote.fetchJson(new URL('meta/stats.json', new URL(root, globalThis.location?.href)).href)) as DatasetStats;
  }

  /** Problems of a mapping (empty: fine), each a full sentence. */
  checkMapping(modelIds: string[], mapping: unknown, columns: Record<string, number>, stats?: DatasetStats): Promise<string[]> {
    return this.#remote.checkMapping(modelIds, mapping, columns, stats);
  }

  /** Scores frames (Arrow IPC, transferred) with one model or an ensemble. */
  scoreFrames(req: ScoreFramesRequest, onProgress?: (p: ScoreProgress) => void): ScoreJob<ScoreFramesResult> {
    const id = this.#nextId++;
    const done = this.#remote.scoreFrames(id, Comlink.transfer(req, [req.frames.buffer as ArrayBuffer]), proxied(onProgress)) as Promise<ScoreFramesResult>;
    return { id, done };
  }

  /** Embeds windows around anchors. */
  embedWindows(req: EmbedRequest, onProgress?: (p: ScoreProgress) => void): ScoreJob<EmbedResult> {
    const id = this.#nextId++;
    const done = this.#remote.embedWindows(id, Comlink.transfer(req, [req.frames.buffer as ArrayBuffer]), proxied(onProgress)) as Promise<EmbedResult>;
    return { id, done };
  }

  /** Clusters embeddings (k-means by silhouette, DBSCAN, 2-D map, summaries). */
  cluster(req: ClusterRequest, onProgress?: (p: ScoreProgress) => void): ScoreJob<ClusterResult> {
    const id = this.#nextId++;
    const done = this.#remote.cluster(id, req, proxied(onProgress)) as Promise<ClusterResult>;
    return { id, done };
  }

  /** Detects failure onsets in the worker (frames transferred). */
  detectOnsets(req: OnsetRequest, onProgress?: (p: ScoreProgress) => void): ScoreJob<DetectedOnset[]> {
    const id = this.#nextId++;
    const done = this.#remote.detectOnsets(id, Comlink.transfer(req, [req.frames.buffer as ArrayBuffer]), proxied(onProgress)) as Promise<DetectedOnset[]>;
    return { id, done };
  }

  /** Trains models in the worker (frames transferred) and loads them there; progress per chunk of steps, cancellable. */
  train(req: TrainRequest, onProgress?: (p: ScoreProgress) => void): ScoreJob<TrainResult> {
    const id = this.#nextId++;
    const done = this.#remote.train(id, Comlink.transfer(req, [req.frames.buffer as ArrayBuffer]), proxied(onProgress)) as Promise<TrainResult>;
    return { id, done };
  }

  /** Cancels a job; its promise rejects with "Scoring job N was cancelled." after the current batch. */
  cancel(id: number): Promise<boolean> {
    return this.#remote.cancel(id);
  }

  /** Stops the worker and forgets every loaded model. */
  terminate(): void {
    this.#worker?.terminate();
    this.#worker = null;
    this.#api = null;
    if (ScoreClient.#shared === this) ScoreClient.#shared = null;
  }
}

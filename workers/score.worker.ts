/// <reference lib="webworker" />
/**
 * The score worker: the only owner of ONNX Runtime in the app. Exposes one typed API object with comlink; frames
 * arrive and results leave as transferred Arrow IPC bytes. Created lazily by `src/lib/score/client.ts` on the
 * first model call, so pages that never run a model never download ONNX Runtime's wasm.
 */
import * as Comlink from 'comlink';
// The "bundle" build inlines ORT's JS glue; only the .wasm stays external, self-hosted from dist/ via ?url.
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { Scorer, type ClusterRequest, type EmbedRequest, type OnsetRequest, type ScoreFramesRequest, type TrainRequest } from './score/scorer';
import type { ScoreProgress } from './score/jobs';
import type { DatasetStats } from '../src/lib/score/mapping';

ort.env.wasm.wasmPaths = { wasm: ortWasm };
// Threads need SharedArrayBuffer, i.e. a cross-origin isolated page; otherwise ORT would try and fail.
ort.env.wasm.numThreads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency ?? 1)) : 1;
// Already off the main thread: ORT's own proxy worker would only add a hop.
ort.env.wasm.proxy = false;

const scorer = new Scorer(ort);

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not fetch ${url} (${(e as Error).message}). A server on another origin must allow CORS.`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}.`);
  return new Uint8Array(await res.arrayBuffer());
}

/** What the worker reports about its runtime. */
export interface ScoreRuntimeInfo {
  ort: string;
  threads: number;
  crossOriginIsolated: boolean;
}

const api = {
  /** Runtime facts (ONNX Runtime itself starts on the first model load). */
  info(): ScoreRuntimeInfo {
    return { ort: ort.env.versions.web ?? '', threads: ort.env.wasm.numThreads ?? 1, crossOriginIsolated: self.crossOriginIsolated };
  },

  /** Loads a model from bytes (transferred) and reports its inputs and outputs. */
  loadModel(bytes: Uint8Array, name: string) {
    return scorer.models.load(bytes, name);
  },

  /** Fetches and loads a model by URL (relative URLs resolve against the page). */
  async loadModelUrl(url: string, name?: string) {
    return scorer.models.load(await fetchBytes(url), name ?? url.split('/').pop() ?? url);
  },

  /** Fetches a JSON document (a model manifest, a dataset's stats.json) in the worker. */
  async fetchJson(url: string): Promise<unknown> {
    return JSON.parse(new TextDecoder().decode(await fetchBytes(url)));
  },

  unloadModel(id: string) {
    return scorer.models.unload(id);
  },

  listModels() {
    return scorer.models.list();
  },

  /** Problems of a mapping against loaded models and a frames table's numeric columns (empty list: fine). */
  checkMapping(modelIds: string[], mapping: unknown, columns: Record<string, number>, stats?: DatasetStats): string[] {
    return scorer.checkMapping(modelIds, mapping, columns, stats);
  },

  /** Scores frames with one model or an ensemble (job `id`, cancellable). */
  async scoreFrames(id: number, req: ScoreFramesRequest, onProgress?: (p: ScoreProgress) => void) {
    const r = await scorer.scoreFrames(id, req, onProgress);
    return Comlink.transfer(r, [r.frames.buffer as ArrayBuffer, r.episodes.buffer as ArrayBuffer]);
  },

  /** Embeds windows around anchors (job `id`, cancellable). */
  async embedWindows(id: number, req: EmbedRequest, onProgress?: (p: ScoreProgress) => void) {
    const r = await scorer.embedWindows(id, req, onProgress);
    return Comlink.transfer(r, [r.embeddings.buffer as ArrayBuffer]);
  },

  /** Clusters embeddings: k-means, DBSCAN, a 2-D map, summaries (job `id`, cancellable). */
  async cluster(id: number, req: ClusterRequest, onProgress?: (p: ScoreProgress) => void) {
    const r = await scorer.cluster(id, req, onProgress);
    return Comlink.transfer(r, [r.table.buffer as ArrayBuffer]);
  },

  /** Detects failure onsets in frames (job `id`, cancellable). */
  detectOnsets(id: number, req: OnsetRequest, onProgress?: (p: ScoreProgress) => void) {
    return scorer.detectOnsets(id, req, onProgress);
  },

  /** Trains models in the tab (job `id`, cancellable) and loads them; their ONNX bytes come back too. */
  async train(id: number, req: TrainRequest, onProgress?: (p: ScoreProgress) => void) {
    const r = await scorer.train(id, req, onProgress);
    return Comlink.transfer(r, r.files.map((f) => f.bytes.buffer as ArrayBuffer));
  },

  /** Cancels a job by id; it stops after its current batch. */
  cancel(id: number): boolean {
    return scorer.jobs.cancel(id);
  },
};

/** The typed API the main thread sees through `Comlink.wrap<ScoreApi>`. */
export type ScoreApi = typeof api;

Comlink.expose(api);

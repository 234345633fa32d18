/**
 * The score client's API on an in-process {@link Scorer} (Node: the headless runner and tests), with the same
 * loading rules as the worker: models by bytes, file or URL, demo manifests whose members sit beside them.
 */
import type * as OrtTypes from 'onnxruntime-web';
import { Scorer } from '../../../workers/score/scorer';
import type { DemoManifest } from '../models/demo-models';
import type { ScorePort, ScoreJobPort } from './cell-run';
import { manifestMember } from './client';

/** Reads a URL's bytes (a relative URL is resolved by the caller, e.g. against the app's `static/` folder). */
export type ReadBytes = (url: string) => Promise<Uint8Array>;

/** A {@link ScorePort} on ONNX Runtime in this process. */
export class LocalScore implements ScorePort {
  readonly scorer: Scorer;
  readonly #read: ReadBytes;
  #nextId = 1;

  /**
   * @param ort ONNX Runtime (onnxruntime-web runs its wasm backend in Node).
   * @param read fetches a model or manifest; URLs are absolute (`file:` for local paths) after resolving against `base`.
   * @param base what relative URLs resolve against.
   * @param sessionOptions session options for ONNX Runtime (onnxruntime-node: the `cpu` execution provider).
   */
  constructor(ort: typeof OrtTypes, read: ReadBytes, readonly base: string, sessionOptions?: OrtTypes.InferenceSession.SessionOptions) {
    this.scorer = new Scorer(ort, sessionOptions);
    this.#read = read;
  }

  async loadModel(source: { bytes: Uint8Array; name: string } | { file: Blob & { name?: string } } | { url: string; name?: string }) {
    if ('bytes' in source) return this.scorer.models.load(source.bytes, source.name);
    if ('file' in source) return this.scorer.models.load(new Uint8Array(await source.file.arrayBuffer()), source.file.name ?? 'model.onnx');
    const url = new URL(source.url, this.base).href;
    return this.scorer.models.load(await this.#read(url), source.name ?? url.split('/').pop() ?? url);
  }

  async loadDemoModels(manifestUrl = 'demo/models/models.json') {
    const base = new URL(manifestUrl, this.base);
    const m = JSON.parse(new TextDecoder().decode(await this.#read(base.href))) as DemoManifest;
    const load = async (f: string) => this.scorer.models.load(await this.#read(manifestMember(base, f)), f);
    const models = [];
    for (const f of m.ensembles[0].members) models.push(await load(f));
    const model = await load(m.encoders[0].file);
    return {
      ensemble: { ids: models.map((x) => x.id), mapping: m.ensembles[0].mapping, models },
      encoder: { id: model.id, mapping: m.encoders[0].mapping, model },
    };
  }

  async checkMapping(...a: Parameters<Scorer['checkMapping']>) {
    return this.scorer.checkMapping(...a);
  }

  #job<T>(run: (id: number) => Promise<T>): ScoreJobPort<T> {
    const id = this.#nextId++;
    return { id, done: run(id) };
  }

  scoreFrames(req: Parameters<ScorePort['scoreFrames']>[0], onProgress?: Parameters<ScorePort['scoreFrames']>[1]) {
    return this.#job((id) => this.scorer.scoreFrames(id, req, onProgress));
  }

  embedWindows(req: Parameters<ScorePort['embedWindows']>[0], onProgress?: Parameters<ScorePort['embedWindows']>[1]) {
    return this.#job((id) => this.scorer.embedWindows(id, req, onProgress));
  }

  cluster(req: Parameters<ScorePort['cluster']>[0], onProgress?: Parameters<ScorePort['cluster']>[1]) {
    return this.#job((id) => this.scorer.cluster(id, req, onProgress));
  }

  detectOnsets(req: Parameters<ScorePort['detectOnsets']>[0], onProgress?: Parameters<ScorePort['detectOnsets']>[1]) {
    return this.#job((id) => this.scorer.detectOnsets(id, req, onProgress));
  }

  train(req: Parameters<ScorePort['train']>[0], onProgress?: Parameters<ScorePort['train']>[1]) {
    return this.#job((id) => this.scorer.train(id, req, onProgress));
  }

  async cancel(id: number) {
    return this.scorer.jobs.cancel(id);
  }
}

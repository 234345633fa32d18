/**
 * Loaded ONNX models: bytes are checked structurally first (clear errors for files that are not ONNX), then one
 * ONNX Runtime session per distinct model is created and kept, keyed by a hash of its bytes, so loading the same
 * file twice (or re-running a cell) reuses the session.
 */
import type * as OrtTypes from 'onnxruntime-web';
import { checkOnnxBytes } from '../../src/lib/models/onnx-proto';
import type { TensorInfo } from '../../src/lib/score/mapping';

/** The ONNX Runtime module (onnxruntime-web's wasm build in the browser, its Node build in tests). */
export type Ort = typeof OrtTypes;

/** What the app shows about a loaded model. */
export interface ModelInfo {
  /** Stable id: hash of the bytes. */
  id: string;
  name: string;
  bytes: number;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  producer: string;
  opset: number | null;
  /** The model's metadata_props. */
  metadata: Record<string, string>;
}

/** FNV-1a over the bytes (plus length): enough to tell models apart, cheap for a few MB. */
export function hashBytes(b: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return `m${(h >>> 0).toString(16).padStart(8, '0')}-${b.length.toString(16)}`;
}

function tensorInfo(m: OrtTypes.InferenceSession.ValueMetadata): TensorInfo {
  if (!m.isTensor) return { name: m.name, type: 'non-tensor', shape: [] };
  return { name: m.name, type: m.type, shape: m.shape.map((d) => (typeof d === 'number' && d < 0 ? 'N' : d)) };
}

/** The model cache of one worker. */
export class ModelStore {
  readonly #ort: Ort;
  readonly #sessions = new Map<string, { session: OrtTypes.InferenceSession; info: ModelInfo }>();
  readonly #options: OrtTypes.InferenceSession.SessionOptions;

  constructor(ort: Ort, options: OrtTypes.InferenceSession.SessionOptions = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }) {
    this.#ort = ort;
    this.#options = options;
  }

  /** Loads (or finds) a model from its bytes. Throws a readable Error for anything that is not a usable model. */
  async load(bytes: Uint8Array, name: string): Promise<ModelInfo> {
    const id = hashBytes(bytes);
    const hit = this.#sessions.get(id);
    if (hit) return { ...hit.info, name };
    const decoded = checkOnnxBytes(bytes, `\`${name}\``);
    let session: OrtTypes.InferenceSession;
    try {
      session = await this.#ort.InferenceSession.create(bytes, this.#options);
    } catch (e) {
      throw new Error(`\`${name}\` could not be loaded by ONNX Runtime: ${(e as Error).message}`);
    }
    const info: ModelInfo = {
      id,
      name,
      bytes: bytes.byteLength,
      inputs: session.inputMetadata.map(tensorInfo),
      outputs: session.outputMetadata.map(tensorInfo),
      producer: decoded.producerName ?? '',
      opset: decoded.opsetImport?.find((o) => !o.domain)?.version ?? null,
      metadata: Object.fromEntries((decoded.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    };
    this.#sessions.set(id, { session, info });
    return info;
  }

  /** A loaded model's session and info; throws when the id is unknown. */
  get(id: string): { session: OrtTypes.InferenceSession; info: ModelInfo } {
    const s = this.#sessions.get(id);
    if (!s) throw new Error(`No model with id ${id} is loaded (load it first).`);
    return s;
  }

  /** Releases a model's session. */
  async unload(id: string): Promise<boolean> {
    const s = this.#sessions.get(id);
    if (!s) return false;
    this.#sessions.delete(id);
    await s.session.release();
    return true;
  }

  /** Every loaded model. */
  list(): ModelInfo[] {
    return [...this.#sessions.values()].map((s) => s.info);
  }
}

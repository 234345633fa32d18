/**
 * Batched inference: builds each batch's input tensors once from the frames and runs every session on them (one
 * session for a single model, several for an ensemble), copying each output into one flat array per session.
 */
import type * as OrtTypes from 'onnxruntime-web';
import type { EpisodeRange } from '../../src/lib/score/frames';
import { fillBatch, inputDims, sampleSize, type InputPlan } from '../../src/lib/score/features';
import type { JobHandle } from './jobs';
import type { Ort } from './models';

/** Which samples to run: anchor rows and the index of each one's episode range. */
export interface Samples {
  rows: Int32Array;
  episodeOf: Int32Array;
}

/** One batch's outputs: per session, output name → m × width floats (valid only during the callback). */
export type BatchOutputs = Record<string, Float32Array>[];

/** Options of {@link runBatched}. */
export interface RunOptions {
  batchSize: number;
  job: JobHandle;
  phase: string;
  /** Share of the job before/after this run, for progress across phases. */
  progressFrom?: number;
  progressTo?: number;
}

/**
 * Runs all sessions over all samples in batches and hands each batch's outputs to `consume(start, m, outputs)`.
 * Nothing is accumulated here: an ensemble over 10M frames would otherwise hold every member's every output.
 */
export async function runBatched(
  ort: Ort,
  sessions: OrtTypes.InferenceSession[],
  plans: InputPlan[],
  ranges: EpisodeRange[],
  samples: Samples,
  outputs: string[],
  o: RunOptions,
  consume: (start: number, m: number, out: BatchOutputs) => void,
): Promise<void> {
  const n = samples.rows.length;
  const from = o.progressFrom ?? 0;
  const span = (o.progressTo ?? 1) - from;
  const buffers = plans.map((p) => new Float32Array(o.batchSize * sampleSize(p)));
  for (let start = 0; start < n; start += o.batchSize) {
    const m = Math.min(o.batchSize, n - start);
    const feeds: Record<string, OrtTypes.Tensor> = {};
    plans.forEach((p, i) => {
      fillBatch(p, samples.rows, ranges, samples.episodeOf, start, m, buffers[i]);
      feeds[p.input] = new ort.Tensor('float32', buffers[i].subarray(0, m * sampleSize(p)), inputDims(p, m));
    });
    const batch: BatchOutputs = [];
    const tensors: OrtTypes.Tensor[] = [];
    for (const session of sessions) {
      const out = await session.run(feeds, outputs);
      const got: Record<string, Float32Array> = {};
      for (const name of outputs) {
        const t = out[name];
        if (!t || t.type !== 'float32') throw new Error(`model output \`${name}\` is ${t ? t.type : 'missing'}; Flywheel reads float32 outputs.`);
        if (t.dims[0] !== m) throw new Error(`model output \`${name}\` has ${t.dims[0]} rows for a batch of ${m}: its first dimension must be the batch.`);
        got[name] = t.data as Float32Array;
        tensors.push(t);
      }
      batch.push(got);
    }
    consume(start, m, batch);
    for (const t of tensors) t.dispose();
    await o.job.checkpoint(from + (span * (start + m)) / n, o.phase, start + m);
  }
}

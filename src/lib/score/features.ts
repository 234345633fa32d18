/**
 * Model inputs from frames: for each sample (an anchor row), the mapping's window of frames around it, its
 * columns concatenated per frame and normalised with the dataset's stats. Windows that run past an episode's
 * first or last frame repeat that frame (edge padding), so every sample has a full window and none mixes episodes.
 */
import type { EpisodeRange, FrameBlock } from './frames.ts';
import type { DatasetStats, InputLayout, InputMapping, ModelMapping, Normalization } from './mapping.ts';

/** A compiled input: per feature value, where it comes from and its affine normalisation. */
export interface InputPlan {
  input: string;
  window: number;
  anchor: number;
  featuresPerFrame: number;
  layout: InputLayout['layout'];
  /** Per feature: source column values, its width, the index inside a row, scale and offset. */
  sources: { values: Float32Array; dims: number; index: number; scale: number; offset: number }[];
}

/** (x − mean) / std, or LeRobot's min-max to [−1, 1]; scale/offset such that y = x·scale + offset. */
export function affine(method: Normalization, stats: DatasetStats | undefined, column: string, k: number): { scale: number; offset: number } {
  if (method === 'none') return { scale: 1, offset: 0 };
  const s = stats?.[column];
  if (method === 'mean_std') {
    // A constant feature has std 0; dividing by a tiny floor keeps it at 0 instead of producing NaN.
    const sd = Math.max(s!.std![k], 1e-8);
    return { scale: 1 / sd, offset: -s!.mean![k] / sd };
  }
  const span = Math.max(s!.max![k] - s!.min![k], 1e-8);
  return { scale: 2 / span, offset: -1 - (2 * s!.min![k]) / span };
}

/** Compiles one input's mapping against a block's columns. */
export function planInput(m: InputMapping, layout: InputLayout, block: FrameBlock, stats?: DatasetStats): InputPlan {
  const sources: InputPlan['sources'] = [];
  for (const f of m.features) {
    const col = block.columns[f.column];
    if (!col) throw new Error(`frames have no column \`${f.column}\` for model input \`${m.input}\`.`);
    const idx = f.indices ?? Array.from({ length: col.dims }, (_, k) => k);
    for (const k of idx) sources.push({ values: col.values, dims: col.dims, index: k, ...affine(m.normalize, stats, f.column, k) });
  }
  return { input: m.input, window: m.window, anchor: m.anchor, featuresPerFrame: sources.length, layout: layout.layout, sources };
}

/** Values per sample of a plan. */
export function sampleSize(p: InputPlan): number {
  return p.window * p.featuresPerFrame;
}

/** Tensor dims of a batch of `n` samples. */
export function inputDims(p: InputPlan, n: number): number[] {
  return p.layout === 'flat' ? [n, sampleSize(p)] : [n, p.window, p.featuresPerFrame];
}

/**
 * Fills `out` (n × window × features, frame-major within a sample) with the samples at `rows[from…from+n)`;
 * `episodeOf[i]` is the episode range of that sample.
 */
export function fillBatch(p: InputPlan, rows: Int32Array, ranges: EpisodeRange[], episodeOf: Int32Array, from: number, n: number, out: Float32Array): void {
  const f = p.featuresPerFrame;
  let o = 0;
  for (let s = from; s < from + n; s++) {
    const row = rows[s];
    const r = ranges[episodeOf[s]];
    for (let w = 0; w < p.window; w++) {
      let src = row - p.anchor + w;
      if (src < r.start) src = r.start;
      else if (src >= r.end) src = r.end - 1;
      for (let k = 0; k < f; k++) {
        const c = p.sources[k];
        out[o++] = c.values[src * c.dims + c.index] * c.scale + c.offset;
      }
    }
  }
}

/** Samples of whole episodes: every `stride`-th row of each episode (its first frame included). */
export function strideSamples(ranges: EpisodeRange[], stride: number): { rows: Int32Array; episodeOf: Int32Array } {
  let n = 0;
  for (const r of ranges) n += Math.ceil((r.end - r.start) / stride);
  const rows = new Int32Array(n);
  const episodeOf = new Int32Array(n);
  let o = 0;
  ranges.forEach((r, ri) => {
    for (let i = r.start; i < r.end; i += stride) {
      rows[o] = i;
      episodeOf[o++] = ri;
    }
  });
  return { rows, episodeOf };
}

/** Undo a normalisation on a model output in place (`dims` values per sample). */
export function denormalize(values: Float32Array, dims: number, method: Exclude<Normalization, 'none'>, stats: DatasetStats, column: string): void {
  const a = Array.from({ length: dims }, (_, k) => affine(method, stats, column, k));
  for (let i = 0; i < values.length; i++) {
    const t = a[i % dims];
    values[i] = (values[i] - t.offset) / t.scale;
  }
}

/** All input plans of a mapping, in model-input order of the layouts. */
export function planInputs(mapping: ModelMapping, layouts: InputLayout[], block: FrameBlock, stats?: DatasetStats): InputPlan[] {
  return layouts.map((l) => planInput(mapping.inputs.find((m) => m.input === l.input)!, l, block, stats));
}

/**
 * Uncertainty from a policy ensemble, as pure functions over typed arrays: per-frame disagreement, per-episode
 * summaries, the "collect here" list of states worth a human demonstration, and shadow-mode disagreement between
 * a policy's and an operator's logged actions.
 */

/** Per-sample mean over the members (n × dims). */
export function ensembleMean(members: Float32Array[], n: number, dims: number): Float32Array {
  const out = new Float32Array(n * dims);
  for (const m of members) for (let i = 0; i < n * dims; i++) out[i] += m[i];
  for (let i = 0; i < out.length; i++) out[i] /= members.length;
  return out;
}

/**
 * Disagreement per sample: the mean over action dimensions of the standard deviation across members (population
 * std, i.e. divided by the member count). Give normalised outputs so every dimension counts alike; `scale[d]`
 * divides dimension d first when the outputs are in physical units.
 */
export function ensembleDisagreement(members: Float32Array[], n: number, dims: number, scale?: ArrayLike<number>): Float32Array {
  if (members.length < 2) throw new Error(`disagreement needs at least 2 ensemble members, got ${members.length}.`);
  for (const m of members) if (m.length < n * dims) throw new Error(`an ensemble member has ${m.length} values, expected ${n * dims}.`);
  const k = members.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let d = 0; d < dims; d++) {
      const at = i * dims + d;
      let mu = 0;
      for (let j = 0; j < k; j++) mu += members[j][at];
      mu /= k;
      let v = 0;
      for (let j = 0; j < k; j++) v += (members[j][at] - mu) ** 2;
      acc += Math.sqrt(v / k) / (scale ? scale[d] : 1);
    }
    out[i] = acc / dims;
  }
  return out;
}

/** One episode's uncertainty. */
export interface EpisodeUncertainty {
  episode_index: number;
  frames: number;
  mean: number;
  p90: number;
  max: number;
  /** Frame of the maximum. */
  max_frame: number;
  /** Frames at or above the threshold (0 without one). */
  flagged_frames: number;
}

/** Linear-interpolated quantile of values (copied and sorted). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values as ArrayLike<number>).sort();
  if (s.length === 0) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Per-episode summaries of a per-sample score; samples grouped by episode (as scored). */
export function episodeSummaries(episode: ArrayLike<number>, frame: ArrayLike<number>, score: ArrayLike<number>, threshold = Infinity): EpisodeUncertainty[] {
  const out: EpisodeUncertainty[] = [];
  let start = 0;
  for (let i = 1; i <= score.length; i++) {
    if (i < score.length && episode[i] === episode[start]) continue;
    let sum = 0;
    let max = -Infinity;
    let maxFrame = frame[start];
    let flagged = 0;
    for (let j = start; j < i; j++) {
      sum += score[j];
      if (score[j] > max) {
        max = score[j];
        maxFrame = frame[j];
      }
      if (score[j] >= threshold) flagged++;
    }
    const slice = Array.prototype.slice.call(score, start, i) as number[];
    out.push({ episode_index: episode[start], frames: i - start, mean: sum / (i - start), p90: quantile(slice, 0.9), max, max_frame: maxFrame, flagged_frames: flagged });
    start = i;
  }
  return out;
}

/**
 * A threshold that flags about `rate` of frames a policy handles well: the (1 − rate) quantile of the scores on
 * reference frames (e.g. the training demos, or deployment successes). Frames above it look unlike anything the
 * policy was sure about.
 */
export function calibrateThreshold(reference: ArrayLike<number>, rate = 0.01): number {
  if (reference.length === 0) throw new Error('calibrating a threshold needs reference scores.');
  return quantile(reference, 1 - rate);
}

/** A stretch of frames above the threshold: where to collect a human demonstration. */
export interface CollectHere {
  episode_index: number;
  /** First and last flagged frame of the stretch, and its peak. */
  start_frame: number;
  end_frame: number;
  peak_frame: number;
  /** Times in seconds from episode start (frame / fps). */
  start_s: number;
  peak_s: number;
  peak: number;
  frames: number;
}

/**
 * Stretches of consecutive flagged samples per episode (gaps up to `maxGap` frames are bridged), strongest first.
 * Stretches shorter than `minFrames` are dropped: a one-frame blip is noise, not a state worth a demonstration.
 */
export function collectHere(
  episode: ArrayLike<number>,
  frame: ArrayLike<number>,
  score: ArrayLike<number>,
  threshold: number,
  o: { fps: number; minFrames?: number; maxGap?: number; limit?: number },
): CollectHere[] {
  const minFrames = o.minFrames ?? 3;
  const maxGap = o.maxGap ?? 2;
  const out: CollectHere[] = [];
  let cur: CollectHere | null = null;
  const close = (): void => {
    if (cur && cur.frames >= minFrames) out.push(cur);
    cur = null;
  };
  for (let i = 0; i < score.length; i++) {
    if (cur && (episode[i] !== cur.episode_index || frame[i] - cur.end_frame > maxGap + 1)) close();
    if (score[i] < threshold) continue;
    if (!cur) {
      cur = { episode_index: episode[i], start_frame: frame[i], end_frame: frame[i], peak_frame: frame[i], start_s: frame[i] / o.fps, peak_s: frame[i] / o.fps, peak: score[i], frames: 0 };
    }
    cur.end_frame = frame[i];
    cur.frames++;
    if (score[i] > cur.peak) {
      cur.peak = score[i];
      cur.peak_frame = frame[i];
      cur.peak_s = frame[i] / o.fps;
    }
  }
  close();
  out.sort((a, b) => b.peak - a.peak || a.episode_index - b.episode_index);
  return o.limit ? out.slice(0, o.limit) : out;
}

/** Shadow-mode comparison of one frame set. */
export interface ShadowResult {
  /** Per frame: root mean square over dimensions of (policy − operator) / scale. */
  perFrame: Float32Array;
  /** Mean over frames, and the share of frames above `threshold`. */
  mean: number;
  flaggedShare: number;
}

/**
 * Shadow mode: the policy ran alongside a human operator and both actions were logged. Their disagreement per
 * frame (RMS over dimensions, each divided by `scale[d]`, e.g. the action's std) shows where the policy would have
 * acted differently from the human, i.e. where it is not yet ready to take over.
 */
export function shadowDisagreement(policy: ArrayLike<number>, operator: ArrayLike<number>, dims: number, o: { scale?: ArrayLike<number>; threshold?: number } = {}): ShadowResult {
  if (policy.length !== operator.length) throw new Error(`shadow mode: policy has ${policy.length} values, operator ${operator.length}.`);
  const n = policy.length / dims;
  const perFrame = new Float32Array(n);
  let sum = 0;
  let flagged = 0;
  for (let i = 0; i < n; i++) {
    let acc = 0;
    for (let d = 0; d < dims; d++) {
      const e = (policy[i * dims + d] - operator[i * dims + d]) / (o.scale ? o.scale[d] : 1);
      acc += e * e;
    }
    perFrame[i] = Math.sqrt(acc / dims);
    sum += perFrame[i];
    if (o.threshold !== undefined && perFrame[i] >= o.threshold) flagged++;
  }
  return { perFrame, mean: n ? sum / n : 0, flaggedShare: n ? flagged / n : 0 };
}

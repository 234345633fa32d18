/**
 * LeRobot-style feature statistics: per dimension min, max, mean, std (population, ddof = 0, as numpy's
 * default that LeRobot uses) and count. Per-episode stats go into meta/episodes; the global stats in
 * meta/stats.json are aggregated from them the way LeRobot's `aggregate_stats` does (count-weighted
 * mean, variance = weighted mean of (var + (mean − global mean)²)).
 */

/** Statistics of one feature. Arrays have one entry per dimension; count has one entry. */
export interface FeatureStats {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  count: number[];
}

/**
 * Stats of a frame-major block: `values[(from + t) * dim + j]` for t in [0, length).
 * Sums run in float64 in a fixed order, so results are reproducible.
 */
export function computeStats(values: ArrayLike<number>, dim: number, from: number, length: number): FeatureStats {
  const min = new Array<number>(dim).fill(Infinity);
  const max = new Array<number>(dim).fill(-Infinity);
  const sum = new Array<number>(dim).fill(0);
  for (let t = 0; t < length; t++) {
    const o = (from + t) * dim;
    for (let j = 0; j < dim; j++) {
      const v = values[o + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
      sum[j] += v;
    }
  }
  const mean = sum.map((s) => s / length);
  const ss = new Array<number>(dim).fill(0);
  for (let t = 0; t < length; t++) {
    const o = (from + t) * dim;
    for (let j = 0; j < dim; j++) {
      const d = values[o + j] - mean[j];
      ss[j] += d * d;
    }
  }
  return { min, max, mean, std: ss.map((s) => Math.sqrt(s / length)), count: [length] };
}

/** Stats of a scalar feature whose value is `f(t)` for t in [0, length) (timestamps, indices). */
export function computeScalarStats(length: number, f: (t: number) => number): FeatureStats {
  const vals = new Float64Array(length);
  for (let t = 0; t < length; t++) vals[t] = f(t);
  return computeStats(vals, 1, 0, length);
}

/**
 * Per-episode stats of one feature for many episodes, in flat arrays (`episode * dim + j`), so a
 * 75,000-episode run does not allocate hundreds of thousands of small arrays. The flat arrays are also
 * exactly what the list columns of meta/episodes need.
 */
export class EpisodeStatsTable {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly count: Float64Array;

  constructor(
    readonly episodes: number,
    readonly dim: number,
  ) {
    this.min = new Float64Array(episodes * dim);
    this.max = new Float64Array(episodes * dim);
    this.mean = new Float64Array(episodes * dim);
    this.std = new Float64Array(episodes * dim);
    this.count = new Float64Array(episodes);
  }

  /** Store one episode's stats. */
  set(episode: number, s: FeatureStats): void {
    const o = episode * this.dim;
    for (let j = 0; j < this.dim; j++) {
      this.min[o + j] = s.min[j];
      this.max[o + j] = s.max[j];
      this.mean[o + j] = s.mean[j];
      this.std[o + j] = s.std[j];
    }
    this.count[episode] = s.count[0];
  }

  /** Dataset stats aggregated over all episodes, in episode order (so the result is reproducible). */
  aggregate(): FeatureStats {
    const d = this.dim;
    const min = new Array<number>(d).fill(Infinity);
    const max = new Array<number>(d).fill(-Infinity);
    const sum = new Array<number>(d).fill(0);
    let n = 0;
    for (let e = 0; e < this.episodes; e++) {
      const c = this.count[e];
      n += c;
      for (let j = 0; j < d; j++) {
        const k = e * d + j;
        if (this.min[k] < min[j]) min[j] = this.min[k];
        if (this.max[k] > max[j]) max[j] = this.max[k];
        sum[j] += this.mean[k] * c;
      }
    }
    const mean = sum.map((x) => x / n);
    const v = new Array<number>(d).fill(0);
    for (let e = 0; e < this.episodes; e++) {
      const c = this.count[e];
      for (let j = 0; j < d; j++) {
        const k = e * d + j;
        const dm = this.mean[k] - mean[j];
        v[j] += c * (this.std[k] * this.std[k] + dm * dm);
      }
    }
    return { min, max, mean, std: v.map((x) => Math.sqrt(x / n)), count: [n] };
  }
}

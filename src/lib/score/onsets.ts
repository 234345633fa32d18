/**
 * Automatic failure onsets: where, in a failed episode nobody has reviewed, the robot stopped behaving like itself.
 *
 * The detector knows nothing of the failure mechanisms. It fits, on the frames it is given, a **one-step linear model
 * of each state dimension's next change** from its value and the commanded action around it
 * (Δs[t+1, j] ≈ c + q·s[t, j] + r·a[t, j] + r'·a[t+1, j] when state and action have the same width, every action
 * channel otherwise; Δs[t+1, j] ≈ c + p·Δs[t, j] + q·s[t, j] without an action): for a position-controlled joint
 * that is the servo following its command with a lag, for any other signal a damped random walk. The fit is least
 * trimmed squares (refitted on the 75% of frames it explains best), so the failures' own frames in the data do not
 * bend it. A frame's **surprise** is its largest robust z-score of the model's one-step error over the state
 * dimensions (error over the dimension's MAD), itself robust-z-scored against every frame given, so thresholds are
 * in the data's own units and do not depend on degrees vs radians, frame rate or robot. A stall (the joint stops
 * while its command moves on), a slip (the gripper closes on nothing), a jolt and a growing oscillation all break
 * the model for many frames in a row; a fast but normal move does not.
 *
 * The onset is the start of the episode's **first sustained surprise** as strong as half its strongest: the first
 * half-second window whose mean surprise reaches half the episode's highest, walked back to the first frame of the
 * run of surprising frames (z > 3) that leads into it. Relative to the episode's own peak, so no threshold is in the
 * data's units either. The largest single state jump, the previous detector, misses stalls and slow oscillations, which move the state less
 * than a normal reach does.
 *
 * A small implementation rather than a library: no change-point package in the project fits multivariate frames
 * with a command input, and the model is a few dozen lines of normal equations.
 */
import { episodeRanges, type FrameBlock } from './frames.ts';

/** Most frames the model is fitted on (evenly spaced); it has a few parameters per dimension. */
const FIT_ROWS = 20_000;

/** Tuning of the detector; every threshold is a robust z-score (in MADs of the data's own statistic). */
export interface OnsetOptions {
  /** Frames per second of the data (the sustained window is half a second of frames). */
  fps: number;
  /** A frame is surprising above this robust z of the surprise statistic. */
  z?: number;
  /** Frames below the threshold a run may contain and still be one run (a sign change of an oscillation). */
  gap?: number;
}

/** One detected onset, with the evidence for it. */
export interface DetectedOnset {
  episode: number;
  frame: number;
  /** Mean surprise (robust z) of the strongest sustained window; low values mean the episode looks normal. */
  strength: number;
}

/** Per-frame surprise of a block (robust z of the largest per-dimension model error; 0 where it is not defined). */
export function frameSurprise(block: FrameBlock, state: string, action: string | null): Float64Array {
  const s = block.columns[state];
  if (!s) throw new Error(`frames have no column \`${state}\``);
  const a = action ? block.columns[action] : undefined;
  const d = s.dims;
  const da = a?.dims ?? 0;
  const ranges = episodeRanges(block);
  // Rows t with t−1 and t+1 in the same episode: the model's samples.
  const rows: number[] = [];
  for (const r of ranges) for (let t = r.start + 1; t < r.end - 1; t++) rows.push(t);
  const n = rows.length;
  const out = new Float64Array(block.length);
  if (n < 8 * (2 * da + 3)) return out; // too few frames to fit the model: no surprise anywhere
  const sv = s.values;
  const err = new Float64Array(n * d);
  // With a command, the model is the command-following one alone: the current change would also predict the next
  // in a smooth move, and a fit leaning on it keeps predicting "stays still" for a joint that stalls while its command
  // moves on. Without a command, the current change is all there is (a damped random walk).
  const useVel = !a;
  // Same widths: the action is the joints' command, each dimension is fed its own channel (a position-controlled
  // arm); otherwise every action channel, at t and t+1 (datasets disagree on whether a[t] acts on s[t] or s[t+1]).
  const own = da === d;
  const na = own ? 1 : da;
  const p = 3 + 2 * na;
  // The fit runs on at most FIT_ROWS evenly spaced frames (a handful of parameters needs no more); every frame is scored.
  const stride = Math.ceil(n / FIT_ROWS);
  const fit = Int32Array.from({ length: Math.ceil(n / stride) }, (_, i) => i * stride);
  const m = fit.length;
  const h = Math.ceil(0.75 * m);
  const position = new Float64Array(n);
  {
    let i = 0;
    for (const r of ranges) for (let t = r.start + 1; t < r.end - 1; t++, i++) position[i] = (t - r.start) / (r.end - r.start);
  }
  const starts = [1, 0.5, 0.25].map((share) => Uint8Array.from(fit, (i) => (position[i] < share ? 1 : 0)));
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) {
      const t = rows[i];
      const o = i * p;
      X[o] = 1;
      X[o + 1] = useVel ? sv[t * d + j] - sv[(t - 1) * d + j] : 0;
      X[o + 2] = sv[t * d + j];
      for (let k = 0; k < na; k++) {
        const c = own ? j : k;
        X[o + 3 + k] = a!.values[t * da + c];
        X[o + 3 + na + k] = a!.values[(t + 1) * da + c];
      }
      y[i] = sv[(t + 1) * d + j] - sv[t * d + j];
    }
    // Features are scaled to unit spread so one ridge term suits every dimension.
    standardize(X, n, p);
    // Least trimmed squares (FAST-LTS concentration steps): refit on the 75% of frames the model explains best.
    // Three starts, every frame and each episode's first half and quarter (failures tend to come later), keep the
    // best fit: plain least squares is captured by a failure that fills a fifth of the frames (a long oscillation).
    let best: { cost: number; beta: Float64Array } | null = null;
    const sq = new Float64Array(m);
    for (const start of starts) {
      let keep = start;
      let cost = Infinity;
      let beta: Float64Array = new Float64Array(p);
      for (let iter = 0; iter < 10; iter++) {
        beta = solveRidge(X, y, fit, keep, p);
        for (let u = 0; u < m; u++) {
          const i = fit[u];
          let v = y[i];
          for (let k = 0; k < p; k++) v -= beta[k] * X[i * p + k];
          sq[u] = v * v;
        }
        const cut = kth(Float64Array.from(sq), h - 1);
        const next = new Uint8Array(m);
        let c = 0;
        let changed = 0;
        for (let u = 0; u < m; u++) {
          if (sq[u] <= cut) {
            next[u] = 1;
            c += sq[u];
          }
          if (next[u] !== keep[u]) changed++;
        }
        cost = c;
        keep = next;
        if (changed === 0) break;
      }
      if (!best || cost < best.cost) best = { cost, beta };
    }
    for (let i = 0; i < n; i++) {
      let v = y[i];
      for (let k = 0; k < p; k++) v -= best!.beta[k] * X[i * p + k];
      err[i * d + j] = v;
    }
  }
  // A dimension whose errors have no spread (MAD 0: constant, or exactly predicted) carries no evidence: skipped.
  const sigma = Array.from({ length: d }, (_, j) => mad(err, j, d, n));
  const q = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < d; j++) if (sigma[j] > 0) m = Math.max(m, Math.abs(err[i * d + j]) / sigma[j]);
    q[i] = m;
  }
  // The largest of d errors has its own spread (it grows with d): z-score it against all frames again.
  const med = median(q);
  const spread = 1.4826 * median(q.map((v) => Math.abs(v - med))) || 1;
  // Row t's error is about the state it failed to predict, frame t+1's: the surprise belongs to that frame.
  for (let i = 0; i < n; i++) out[rows[i] + 1] = (q[i] - med) / spread;
  return out;
}

/**
 * The onset of every episode in the block: the first frame of the run of surprising frames leading into its
 * first sustained surprise at least half as strong as its strongest (see the module comment). Episodes too short for a window get none.
 */
export function detectOnsets(block: FrameBlock, state: string, action: string | null, o: OnsetOptions): DetectedOnset[] {
  const z = o.z ?? 3;
  const gap = o.gap ?? Math.max(1, Math.round(o.fps / 10));
  const w = Math.max(3, Math.round(o.fps / 2));
  const sur = frameSurprise(block, state, action);
  const out: DetectedOnset[] = [];
  for (const r of episodeRanges(block)) {
    const len = r.end - r.start;
    if (len < w + 2) continue;
    let best = -Infinity;
    let at = r.start;
    let sum = 0;
    for (let t = r.start; t < r.end; t++) {
      sum += sur[t];
      if (t - r.start >= w) sum -= sur[t - w];
      if (t - r.start >= w - 1 && sum / w > best) {
        best = sum / w;
        at = t - w + 1;
      }
    }
    // The first window at least half as surprising as the strongest: an episode's failure often has a sequel as
    // loud as itself (a reopening after a missed grasp, an operator's stop after a jolt) that must not win.
    sum = 0;
    for (let t = r.start; t < r.end; t++) {
      sum += sur[t];
      if (t - r.start >= w) sum -= sur[t - w];
      if (t - r.start >= w - 1 && sum / w >= 0.5 * best && sum / w > z) {
        at = t - w + 1;
        break;
      }
    }
    // The run into the window: from its first surprising frame back while surprising frames keep coming.
    let start = at;
    while (start < at + w - 1 && sur[start] <= z) start++;
    let below = 0;
    for (let t = start - 1; t >= r.start; t--) {
      if (sur[t] > z) {
        start = t;
        below = 0;
      } else if (++below > gap) break;
    }
    out.push({ episode: r.episode, frame: block.frame[start], strength: best });
  }
  return out;
}

/** Scales every column but the intercept (column 0) of an n × p matrix to unit spread; constant columns stay. */
function standardize(X: Float64Array, n: number, p: number): void {
  for (let k = 1; k < p; k++) {
    let m = 0;
    let q = 0;
    for (let i = 0; i < n; i++) {
      m += X[i * p + k];
      q += X[i * p + k] ** 2;
    }
    m /= n;
    const sd = Math.sqrt(Math.max(0, q / n - m * m));
    if (sd > 0) for (let i = 0; i < n; i++) X[i * p + k] /= sd;
  }
}

/** Least squares on the kept ones of the rows `idx` with a small ridge (collinear actions, constant features), by Cholesky. */
function solveRidge(X: Float64Array, y: Float64Array, idx: Int32Array, keep: Uint8Array, p: number): Float64Array {
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  let m = 0;
  for (let s = 0; s < idx.length; s++) {
    if (!keep[s]) continue;
    m++;
    const i = idx[s];
    const o = i * p;
    for (let k = 0; k < p; k++) {
      const xk = X[o + k];
      b[k] += xk * y[i];
      for (let l = 0; l <= k; l++) A[k * p + l] += xk * X[o + l];
    }
  }
  for (let k = 0; k < p; k++) A[k * p + k] += 1e-6 * Math.max(1, m);
  // Cholesky: A = L Lᵀ (lower triangle in place).
  for (let k = 0; k < p; k++) {
    for (let l = 0; l <= k; l++) {
      let v = A[k * p + l];
      for (let i = 0; i < l; i++) v -= A[k * p + i] * A[l * p + i];
      A[k * p + l] = k === l ? Math.sqrt(Math.max(v, 1e-300)) : v / A[l * p + l];
    }
  }
  const z = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    let v = b[k];
    for (let i = 0; i < k; i++) v -= A[k * p + i] * z[i];
    z[k] = v / A[k * p + k];
  }
  const beta = new Float64Array(p);
  for (let k = p - 1; k >= 0; k--) {
    let v = z[k];
    for (let i = k + 1; i < p; i++) v -= A[i * p + k] * beta[i];
    beta[k] = v / A[k * p + k];
  }
  return beta;
}

/** The k-th smallest value (0-based) of `v`, which it reorders (quickselect: linear time, no full sort). */
function kth(v: Float64Array, k: number): number {
  let lo = 0;
  let hi = v.length - 1;
  while (lo < hi) {
    const pivot = v[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] < pivot) i++;
      while (v[j] > pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i] = v[j];
        v[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k];
  }
  return v[k];
}

/** Scaled MAD (≈ std for normal data) of column j of an n × d matrix. */
function mad(m: Float64Array, j: number, d: number, n: number): number {
  const col = new Float64Array(n);
  for (let i = 0; i < n; i++) col[i] = m[i * d + j];
  const med = median(col);
  for (let i = 0; i < n; i++) col[i] = Math.abs(col[i] - med);
  return 1.4826 * median(col);
}

function median(v: Float64Array): number {
  if (v.length === 0) return 0;
  const c = Float64Array.from(v);
  const h = c.length >> 1;
  if (c.length % 2) return kth(c, h);
  return (kth(c, h - 1) + kth(c, h)) / 2;
}

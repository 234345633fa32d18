/**
 * Principal component analysis by subspace iteration on the covariance matrix: small, dependency-free and
 * deterministic (fixed start, signs fixed so the largest loading is positive). Used to fit the demo window
 * encoder and to draw the 2-D cluster map.
 */

/** A fitted projection: y = (x − mean) · components, components d × k (column j = j-th principal axis). */
export interface Pca {
  dim: number;
  k: number;
  mean: Float64Array;
  /** d × k row-major. */
  components: Float64Array;
  /** Variance along each component. */
  variance: Float64Array;
}

/** Fits the top `k` principal components of `n` rows of `dim` values. */
export function fitPca(x: ArrayLike<number>, n: number, dim: number, k: number, iterations = 150): Pca {
  const mean = new Float64Array(dim);
  for (let r = 0; r < n; r++) for (let j = 0; j < dim; j++) mean[j] += x[r * dim + j];
  for (let j = 0; j < dim; j++) mean[j] /= Math.max(1, n);
  const cov = new Float64Array(dim * dim);
  const row = new Float64Array(dim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < dim; j++) row[j] = x[r * dim + j] - mean[j];
    for (let a = 0; a < dim; a++) {
      const va = row[a];
      if (va === 0) continue;
      for (let b = a; b < dim; b++) cov[a * dim + b] += va * row[b];
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      cov[a * dim + b] /= Math.max(1, n - 1);
      cov[b * dim + a] = cov[a * dim + b];
    }
  }
  k = Math.min(k, dim);
  // Deterministic, non-degenerate start: a different smooth pattern per column.
  const q = new Float64Array(dim * k);
  for (let i = 0; i < dim; i++) for (let j = 0; j < k; j++) q[i * k + j] = 1 + ((i * (j + 1) * 7919) % 101) / 50 - (j === i % k ? 0 : 0.5);
  orthonormalise(q, dim, k);
  const z = new Float64Array(dim * k);
  for (let it = 0; it < iterations; it++) {
    z.fill(0);
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        const c = cov[a * dim + b];
        if (c === 0) continue;
        for (let j = 0; j < k; j++) z[a * k + j] += c * q[b * k + j];
      }
    }
    orthonormalise(z, dim, k);
    q.set(z);
  }
  const variance = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let a = 0; a < dim; a++) {
      let cq = 0;
      for (let b = 0; b < dim; b++) cq += cov[a * dim + b] * q[b * k + j];
      s += q[a * k + j] * cq;
    }
    variance[j] = s;
    let big = 0;
    for (let a = 0; a < dim; a++) if (Math.abs(q[a * k + j]) > Math.abs(big)) big = q[a * k + j];
    if (big < 0) for (let a = 0; a < dim; a++) q[a * k + j] = -q[a * k + j];
  }
  // Order by variance (subspace iteration converges to the subspace; the order inside it may differ).
  const order = Array.from({ length: k }, (_, j) => j).sort((a, b) => variance[b] - variance[a]);
  const components = new Float64Array(dim * k);
  for (let a = 0; a < dim; a++) for (let j = 0; j < k; j++) components[a * k + j] = q[a * k + order[j]];
  return { dim, k, mean, components, variance: Float64Array.from(order.map((j) => variance[j])) };
}

/** Modified Gram–Schmidt on the k columns of a dim × k matrix, in place. */
function orthonormalise(m: Float64Array, dim: number, k: number): void {
  for (let j = 0; j < k; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let a = 0; a < dim; a++) dot += m[a * k + j] * m[a * k + p];
      for (let a = 0; a < dim; a++) m[a * k + j] -= dot * m[a * k + p];
    }
    let norm = 0;
    for (let a = 0; a < dim; a++) norm += m[a * k + j] * m[a * k + j];
    norm = Math.sqrt(norm) || 1;
    for (let a = 0; a < dim; a++) m[a * k + j] /= norm;
  }
}

/** Projects `n` rows onto a fitted PCA (n × k, float32). */
export function projectPca(p: Pca, x: ArrayLike<number>, n: number): Float32Array {
  const out = new Float32Array(n * p.k);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < p.k; j++) {
      let s = 0;
      for (let a = 0; a < p.dim; a++) s += (x[r * p.dim + a] - p.mean[a]) * p.components[a * p.k + j];
      out[r * p.k + j] = s;
    }
  }
  return out;
}

/**
 * Evaluation metrics: adjusted Rand index, AUROC and silhouette. Written here because none of the installed
 * libraries has them (ml-kmeans, density-clustering and umap-js cluster and embed but do not score), and each
 * is a few lines of well-known arithmetic.
 */

/** n choose 2. */
const c2 = (n: number): number => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index of two labelings of the same items (Hubert & Arabie 1985): 1 for identical partitions
 * up to renaming, about 0 for chance agreement. Labels may be any strings or numbers.
 */
export function adjustedRandIndex(a: ArrayLike<string | number>, b: ArrayLike<string | number>): number {
  if (a.length !== b.length) throw new Error(`adjustedRandIndex: ${a.length} vs ${b.length} labels.`);
  const n = a.length;
  const table = new Map<string, number>();
  const rows = new Map<string | number, number>();
  const cols = new Map<string | number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}\u0000${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i], (rows.get(a[i]) ?? 0) + 1);
    cols.set(b[i], (cols.get(b[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const v of table.values()) index += c2(v);
  let sa = 0;
  for (const v of rows.values()) sa += c2(v);
  let sb = 0;
  for (const v of cols.values()) sb += c2(v);
  const expected = (sa * sb) / c2(n);
  const max = (sa + sb) / 2;
  // Both partitions trivial (all one cluster or all singletons): identical partitions score 1.
  if (max === expected) return index === expected ? 1 : 0;
  return (index - expected) / (max - expected);
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative (ties
 * count half), computed from ranks (Mann–Whitney U) in O(n log n).
 */
export function auroc(scores: ArrayLike<number>, positive: ArrayLike<boolean | number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((i, j) => scores[i] - scores[j]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++) {
      if (positive[idx[t]]) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new Error('auroc needs at least one positive and one negative.');
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Deterministic sample of `m` indices out of `n` (a fixed-step walk; no rng needed, order kept). */
export function sampleIndices(n: number, m: number): Int32Array {
  if (m >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
}

/**
 * Mean silhouette (Rousseeuw 1987) of a labeling of `n` points of `dim` values, Euclidean. Points labelled −1
 * (noise) are left out. Silhouette costs O(n²), so above `maxPoints` it is computed on an evenly spaced sample.
 */
export function silhouette(points: ArrayLike<number>, dim: number, labels: ArrayLike<number>, maxPoints = 3000): number {
  const all: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] >= 0) all.push(i);
  const pick = sampleIndices(all.length, maxPoints);
  const idx = Array.from(pick, (i) => all[i]);
  const ks = [...new Set(idx.map((i) => labels[i]))];
  if (ks.length < 2) return 0;
  const kIndex = new Map(ks.map((k, i) => [k, i]));
  const sums = new Float64Array(ks.length);
  const counts = new Float64Array(ks.length);
  for (const i of idx) counts[kIndex.get(labels[i])!]++;
  let total = 0;
  for (const i of idx) {
    sums.fill(0);
    for (const j of idx) {
      if (i === j) continue;
      let d = 0;
      for (let t = 0; t < dim; t++) {
        const v = points[i * dim + t] - points[j * dim + t];
        d += v * v;
      }
      sums[kIndex.get(labels[j])!] += Math.sqrt(d);
    }
    const own = kIndex.get(labels[i])!;
    if (counts[own] <= 1) continue; // a singleton's silhouette is 0 by definition
    const a = sums[own] / (counts[own] - 1);
    let b = Infinity;
    for (let k = 0; k < ks.length; k++) if (k !== own && counts[k] > 0) b = Math.min(b, sums[k] / counts[k]);
    total += (b - a) / Math.max(a, b);
  }
  return total / idx.length;
}

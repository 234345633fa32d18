/**
 * Clustering of window embeddings: k-means with k chosen by silhouette (or given), and DBSCAN as a density-based
 * alternative that needs no k and leaves outliers unclustered. Pure (no DOM, no worker); the long loops call
 * `checkpoint` between steps so a worker can report progress and cancel.
 */
import { kmeans } from 'ml-kmeans';
import { DBSCAN } from 'density-clustering';
import { sampleIndices, silhouette } from './metrics.ts';

/** Called between steps with the share done (0…1); may throw to cancel, and may be async to let messages in. */
export type Checkpoint = (done: number, note: string) => void | Promise<void>;

/** Points as rows of `dim` floats. */
export interface Points {
  values: Float32Array;
  n: number;
  dim: number;
}

function rowsOf(p: Points, idx?: ArrayLike<number>): number[][] {
  const out: number[][] = [];
  const m = idx ? idx.length : p.n;
  for (let r = 0; r < m; r++) {
    const i = idx ? idx[r] : r;
    out.push(Array.from(p.values.subarray(i * p.dim, (i + 1) * p.dim)));
  }
  return out;
}

/** Result of {@link kmeansAuto}. */
export interface KMeansChoice {
  k: number;
  labels: Int32Array;
  centroids: number[][];
  /** Silhouette of each k tried (k → mean silhouette); only the chosen k when k was given. */
  silhouettes: { k: number; silhouette: number }[];
}

/** Options of {@link kmeansAuto}. */
export interface KMeansOptions {
  /** Use exactly this k (no search). */
  k?: number;
  /** k range searched by silhouette, inclusive (default 2…10, capped at n − 1). */
  kMin?: number;
  kMax?: number;
  seed?: number;
  /** Silhouette is O(n²): computed on at most this many evenly spaced points. */
  silhouettePoints?: number;
  checkpoint?: Checkpoint;
}

/** k-means (k-means++ init, seeded) with k chosen by the highest mean silhouette unless given. */
export async function kmeansAuto(p: Points, o: KMeansOptions = {}): Promise<KMeansChoice> {
  if (p.n < 2) throw new Error(`clustering needs at least 2 points, got ${p.n}.`);
  const data = rowsOf(p);
  const seed = o.seed ?? 42;
  const ks = o.k !== undefined ? [o.k] : [];
  if (o.k === undefined) for (let k = Math.max(2, o.kMin ?? 2); k <= Math.min(o.kMax ?? 10, p.n - 1); k++) ks.push(k);
  if (o.k !== undefined && (!Number.isInteger(o.k) || o.k < 1 || o.k > p.n)) throw new Error(`k must be an integer in 1…${p.n}, got ${o.k}.`);
  let best: KMeansChoice | null = null;
  const silhouettes: KMeansChoice['silhouettes'] = [];
  for (let i = 0; i < ks.length; i++) {
    await o.checkpoint?.(i / ks.length, `k-means k=${ks[i]}`);
    const r = kmeans(data, ks[i], { seed, initialization: 'kmeans++', maxIterations: 100 });
    const labels = Int32Array.from(r.clusters);
    const s = ks[i] > 1 ? silhouette(p.values, p.dim, labels, o.silhouettePoints ?? 2000) : 0;
    silhouettes.push({ k: ks[i], silhouette: s });
    if (!best || s > silhouettes.find((x) => x.k === best!.k)!.silhouette) best = { k: ks[i], labels, centroids: r.centroids, silhouettes };
  }
  await o.checkpoint?.(1, 'k-means done');
  return { ...best!, silhouettes };
}

/** Result of {@link dbscan}. */
export interface DbscanResult {
  /** Cluster per point, −1 for noise. */
  labels: Int32Array;
  clusters: number;
  eps: number;
  minPts: number;
  /** Points DBSCAN itself ran on (the others were assigned to the nearest core point within eps). */
  sampled: number;
}

function dist(a: Float32Array, i: number, b: Float32Array, j: number, dim: number): number {
  let s = 0;
  for (let t = 0; t < dim; t++) {
    const v = a[i * dim + t] - b[j * dim + t];
    s += v * v;
  }
  return Math.sqrt(s);
}

/**
 * A default eps from the usual k-distance heuristic: the distance to the minPts-th nearest neighbour, taken at
 * the `q` quantile over an evenly spaced sample (instead of by eye at the knee): with q = 0.9, nine points in ten are
 * core points, so clusters do not fragment, while isolated points stay noise.
 */
export function suggestEps(p: Points, minPts: number, maxPoints = 1000, q = 0.9): number {
  const idx = sampleIndices(p.n, maxPoints);
  const kth: number[] = [];
  const d = new Float64Array(idx.length);
  for (let a = 0; a < idx.length; a++) {
    for (let b = 0; b < idx.length; b++) d[b] = a === b ? Infinity : dist(p.values, idx[a], p.values, idx[b], p.dim);
    const s = Float64Array.from(d).sort();
    kth.push(s[Math.min(minPts - 1, s.length - 1)]);
  }
  kth.sort((x, y) => x - y);
  return kth[Math.min(kth.length - 1, Math.floor(q * kth.length))];
}

/**
 * DBSCAN (density-clustering). Its region queries scan every point, O(n²), so above `maxPoints` it runs on an
 * evenly spaced sample and every other point joins the cluster of its nearest sampled clustered point when that is
 * within eps (else it is noise), which keeps 50k windows to seconds.
 */
export async function dbscan(p: Points, o: { eps?: number; minPts?: number; maxPoints?: number; checkpoint?: Checkpoint } = {}): Promise<DbscanResult> {
  const minPts = o.minPts ?? 5;
  const eps = o.eps ?? suggestEps(p, minPts);
  const idx = sampleIndices(p.n, o.maxPoints ?? 4000);
  await o.checkpoint?.(0, 'DBSCAN');
  const db = new DBSCAN();
  const clusters = db.run(rowsOf(p, idx), eps, minPts);
  const labels = new Int32Array(p.n).fill(-1);
  const sampledLabel = new Int32Array(idx.length).fill(-1);
  clusters.forEach((members, c) => {
    for (const m of members) sampledLabel[m] = c;
  });
  for (let s = 0; s < idx.length; s++) labels[idx[s]] = sampledLabel[s];
  if (idx.length < p.n) {
    const inSample = new Uint8Array(p.n);
    for (const i of idx) inSample[i] = 1;
    const clustered = Array.from(idx).filter((_, s) => sampledLabel[s] >= 0);
    for (let i = 0; i < p.n; i++) {
      if (inSample[i]) continue;
      if (i % 2000 === 0) await o.checkpoint?.(i / p.n, 'DBSCAN: assigning');
      let best = Infinity;
      let lab = -1;
      for (const j of clustered) {
        const d = dist(p.values, i, p.values, j, p.dim);
        if (d < best) {
          best = d;
          lab = labels[j];
        }
      }
      labels[i] = best <= eps ? lab : -1;
    }
  }
  await o.checkpoint?.(1, 'DBSCAN done');
  return { labels, clusters: clusters.length, eps, minPts, sampled: idx.length };
}

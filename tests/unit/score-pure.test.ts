/**
 * The pure scoring and clustering functions against values worked out by hand or published with the formulas
 * (scikit-learn's documented examples for ARI and AUROC).
 */
import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, auroc, silhouette } from '../../src/lib/score/metrics';
import { collectHere, ensembleDisagreement, ensembleMean, episodeSummaries, quantile, shadowDisagreement, calibrateThreshold } from '../../src/lib/score/uncertainty';
import { dbscan, kmeansAuto } from '../../src/lib/score/cluster';
import { summarizeClusters } from '../../src/lib/score/summary';
import { fitPca, projectPca } from '../../src/lib/score/pca';
import { map2d } from '../../src/lib/score/map';
import { createRng } from '../../src/lib/demo/rng';

describe('metrics', () => {
  it.each([
    [[0, 0, 1, 1], [0, 0, 1, 1], 1],
    [[0, 0, 1, 1], [1, 1, 0, 0], 1],
    [[0, 0, 1, 1], [0, 0, 1, 2], 0.5714285714285715],
    [[0, 0, 1, 1], [0, 1, 0, 1], -0.5],
    [[0, 0, 0, 0], [0, 1, 2, 3], 0],
  ])('adjusted Rand index of %j and %j is %f', (a, b, want) => {
    expect(adjustedRandIndex(a, b)).toBeCloseTo(want, 12);
  });

  it('AUROC: the ranking probability, ties counting half', () => {
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auroc([1, 1], [true, false])).toBe(0.5);
    expect(auroc([3, 2, 1], [1, 0, 0])).toBe(1);
    expect(() => auroc([1, 2], [0, 0])).toThrow('auroc needs at least one positive and one negative.');
  });

  it('silhouette of two tight 1-D pairs', () => {
    // a = 1 for every point; b = 10.5, 9.5, 9.5, 10.5: s = (b − a) / b.
    const want = (9.5 / 10.5 + 8.5 / 9.5 + 8.5 / 9.5 + 9.5 / 10.5) / 4;
    expect(silhouette(Float32Array.from([0, 1, 10, 11]), 1, [0, 0, 1, 1])).toBeCloseTo(want, 6);
    // Noise (−1) is left out; one cluster has no silhouette.
    expect(silhouette(Float32Array.from([0, 1, 10, 11]), 1, [0, 0, -1, -1])).toBe(0);
  });
});

describe('uncertainty', () => {
  it('disagreement is the mean over dimensions of the population std across members', () => {
    const a = Float32Array.from([0, 0, 1, 1]);
    const b = Float32Array.from([2, 4, 1, 1]);
    expect(Array.from(ensembleDisagreement([a, b], 2, 2))).toEqual([1.5, 0]);
    expect(Array.from(ensembleDisagreement([a, b], 2, 2, [1, 2]))).toEqual([1, 0]);
    expect(Array.from(ensembleMean([a, b], 2, 2))).toEqual([1, 2, 1, 1]);
    expect(() => ensembleDisagreement([a], 2, 2)).toThrow('disagreement needs at least 2 ensemble members, got 1.');
  });

  it('collect-here stretches bridge short gaps, drop blips, stop at episode ends, strongest first', () => {
    const episode = [1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2];
    const frame = [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3];
    const score = [0, 5, 6, 0, 7, 0, 0, 9, 0, 0, 9];
    const c = collectHere(episode, frame, score, 5, { fps: 10, minFrames: 2, maxGap: 1 });
    // Episode 1: frames 1, 2, (gap of 1), 4 → one stretch of 3 flagged frames peaking at frame 4. Episode 2: two blips
    // 3 frames apart are not bridged (gap 2 > 1), and each alone is shorter than 2 frames.
    expect(c).toEqual([{ episode_index: 1, start_frame: 1, end_frame: 4, peak_frame: 4, start_s: 0.1, peak_s: 0.4, peak: 7, frames: 3 }]);
  });

  it('per-episode summaries, quantiles, calibrated thresholds and shadow mode', () => {
    const s = episodeSummaries([3, 3, 3, 4], [0, 1, 2, 0], [1, 3, 2, 5], 2);
    expect(s).toEqual([
      { episode_index: 3, frames: 3, mean: 2, p90: quantile([1, 3, 2], 0.9), max: 3, max_frame: 1, flagged_frames: 2 },
      { episode_index: 4, frames: 1, mean: 5, p90: 5, max: 5, max_frame: 0, flagged_frames: 1 },
    ]);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(calibrateThreshold(Array.from({ length: 101 }, (_, i) => i), 0.1)).toBe(90);
    const sh = shadowDisagreement([1, 1, 0, 0], [0, 1, 0, 0], 2, { scale: [0.5, 1], threshold: 1 });
    // Frame 0: ((1 − 0) / 0.5)² and 0 → sqrt(4 / 2); frame 1: 0.
    expect(Array.from(sh.perFrame)).toEqual([Math.fround(Math.SQRT2), 0]);
    expect(sh.flaggedShare).toBe(0.5);
  });
});

/** Three Gaussian-ish blobs of 40 points in 3-D plus 3 far outliers, with a category per blob. */
function blobs() {
  const rng = createRng(11, 2);
  const centres = [[0, 0, 0], [6, 0, 0], [0, 6, 6]];
  const v: number[] = [];
  const truth: number[] = [];
  centres.forEach((c, k) => {
    for (let i = 0; i < 40; i++) {
      v.push(...c.map((x) => x + 0.4 * rng.normal()));
      truth.push(k);
    }
  });
  for (const o of [[30, 30, 30], [-30, 20, 0], [20, -30, 10]]) {
    v.push(...o);
    truth.push(-1);
  }
  return { points: { values: Float32Array.from(v), n: truth.length, dim: 3 }, truth };
}

describe('clustering', () => {
  it('k-means picks k = 3 by silhouette on three blobs; DBSCAN finds them and leaves the outliers as noise', async () => {
    const { points, truth } = blobs();
    // k-means without the outliers (with them, giving each outlier its own cluster rightly scores higher).
    const km = await kmeansAuto({ values: points.values.subarray(0, 120 * 3), n: 120, dim: 3 }, { kMax: 6 });
    expect(km.k).toBe(3);
    expect(km.silhouettes.map((x) => x.k)).toEqual([2, 3, 4, 5, 6]);
    expect(adjustedRandIndex(truth.slice(0, 120), Array.from(km.labels).slice(0, 120))).toBe(1);
    const db = await dbscan(points, { minPts: 4 });
    expect(db.clusters).toBe(3);
    expect(Array.from(db.labels).slice(120)).toEqual([-1, -1, -1]);
    // Every clustered point is in its blob's cluster; a few blob-edge points may be noise, never many.
    const clustered = (labels: Int32Array) => Array.from(labels.keys()).filter((i) => labels[i] >= 0);
    const c = clustered(db.labels);
    expect(c.length).toBeGreaterThanOrEqual(108);
    expect(adjustedRandIndex(c.map((i) => truth[i]), c.map((i) => db.labels[i]))).toBe(1);
    // On a sample of 60 points, the rest join the nearest clustered sampled point within eps: the same blobs.
    const sampled = await dbscan(points, { minPts: 3, eps: db.eps, maxPoints: 60 });
    expect(sampled.sampled).toBe(60);
    expect(Array.from(sampled.labels).slice(120)).toEqual([-1, -1, -1]);
    const c2 = clustered(sampled.labels);
    expect(c2.length).toBeGreaterThanOrEqual(108);
    expect(adjustedRandIndex(c2.map((i) => truth[i]), c2.map((i) => sampled.labels[i]))).toBe(1);
  });

  it('summaries name the dominant category, a distinguishing condition and representative episodes', async () => {
    const { points, truth } = blobs();
    const labels = Int32Array.from(truth);
    const category = truth.map((t) => (t === 0 ? 'grasp_failure' : t === 1 ? 'collision' : t === 2 ? 'timeout' : null));
    const lighting = truth.map((t, i) => (t === 0 && i % 4 !== 0 ? 'backlit' : 'bright'));
    const wall = truth.map((t) => (t === 1 ? 0.01 : 0.08));
    const s = summarizeClusters(points, labels, { episode: Int32Array.from(truth, (_, i) => 100 + i), category, conditions: { lighting, wall } });
    expect(s.map((x) => [x.cluster, x.size, x.dominantCategory, x.dominantShare])).toEqual([
      [0, 40, 'grasp_failure', 1],
      [1, 40, 'collision', 1],
      [2, 40, 'timeout', 1],
    ]);
    expect(s[0].distinguishing[0]).toMatchObject({ condition: 'lighting', kind: 'category', value: 'backlit', clusterShare: 0.75 });
    expect(s[1].distinguishing[0]).toMatchObject({ condition: 'wall', kind: 'number', clusterMean: expect.closeTo(0.01, 6) });
    expect(s[0].representatives).toHaveLength(3);
    for (const e of s[2].representatives) expect(e).toBeGreaterThanOrEqual(180);
  });

  it('PCA finds the direction of largest variance; the 2-D map has one point per row', async () => {
    const rng = createRng(5, 1);
    const v: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = 3 * rng.normal();
      v.push(t, 2 * t + 0.01 * rng.normal(), 0.01 * rng.normal());
    }
    const p = fitPca(v, 200, 3, 2);
    const c0 = [p.components[0], p.components[2], p.components[4]];
    expect(c0[0]).toBeCloseTo(1 / Math.sqrt(5), 3);
    expect(c0[1]).toBeCloseTo(2 / Math.sqrt(5), 3);
    expect(p.variance[0]).toBeGreaterThan(100 * p.variance[1]);
    expect(projectPca(p, v, 200).length).toBe(400);
    const { points } = blobs();
    const umap = await map2d(points, { method: 'umap' });
    expect(umap.method).toBe('umap');
    expect(umap.xy.length).toBe(points.n * 2);
    expect((await map2d(points, { method: 'pca' })).method).toBe('pca');
  });
});

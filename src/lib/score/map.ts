/**
 * A 2-D map of embeddings for a scatter plot: PCA (fast, deterministic, any size) or UMAP (umap-js, seeded; better
 * separated clusters, but its neighbour search makes it slow past a few thousand points).
 */
import { UMAP } from 'umap-js';
import { createRng } from '../demo/rng.ts';
import type { Checkpoint, Points } from './cluster.ts';
import { fitPca, projectPca } from './pca.ts';

/** Which projection; 'auto' is UMAP up to `umapMaxPoints`, PCA above. */
export type MapMethod = 'pca' | 'umap' | 'auto';

/** x, y per point, interleaved. */
export interface Map2d {
  method: 'pca' | 'umap';
  xy: Float32Array;
}

/** Projects points to 2-D. */
export async function map2d(p: Points, o: { method?: MapMethod; seed?: number; umapMaxPoints?: number; checkpoint?: Checkpoint } = {}): Promise<Map2d> {
  const method = o.method ?? 'auto';
  const useUmap = method === 'umap' || (method === 'auto' && p.n <= (o.umapMaxPoints ?? 3000) && p.n > 15);
  if (!useUmap || p.dim <= 2) {
    if (p.dim <= 2) {
      const xy = new Float32Array(p.n * 2);
      for (let i = 0; i < p.n; i++) for (let j = 0; j < p.dim; j++) xy[i * 2 + j] = p.values[i * p.dim + j];
      return { method: 'pca', xy };
    }
    return { method: 'pca', xy: projectPca(fitPca(p.values, p.n, p.dim, 2), p.values, p.n) };
  }
  const rng = createRng(o.seed ?? 42, 9);
  const umap = new UMAP({ nComponents: 2, nNeighbors: Math.min(15, p.n - 1), minDist: 0.1, random: () => rng.next() });
  const data: number[][] = [];
  for (let i = 0; i < p.n; i++) data.push(Array.from(p.values.subarray(i * p.dim, (i + 1) * p.dim)));
  const epochs = umap.initializeFit(data);
  for (let e = 0; e < epochs; e++) {
    umap.step();
    if (e % 20 === 0) await o.checkpoint?.(e / epochs, 'UMAP');
  }
  const emb = umap.getEmbedding();
  const xy = new Float32Array(p.n * 2);
  emb.forEach((v, i) => {
    xy[i * 2] = v[0];
    xy[i * 2 + 1] = v[1];
  });
  return { method: 'umap', xy };
}

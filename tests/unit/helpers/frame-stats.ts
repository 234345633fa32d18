import type { FrameBlock } from '../../../src/lib/score/frames';
import type { DatasetStats } from '../../../src/lib/score/mapping';

/** Population mean/std per dimension over every frame, as the app computes them without a stats.json (min/max: 0/1). */
export function frameStats(b: FrameBlock): DatasetStats {
  const out: DatasetStats = {};
  for (const [name, c] of Object.entries(b.columns)) {
    const mean = Array(c.dims).fill(0);
    const sq = Array(c.dims).fill(0);
    for (let i = 0; i < b.length; i++) for (let k = 0; k < c.dims; k++) mean[k] += c.values[i * c.dims + k];
    for (let k = 0; k < c.dims; k++) mean[k] /= b.length;
    for (let i = 0; i < b.length; i++) for (let k = 0; k < c.dims; k++) sq[k] += (c.values[i * c.dims + k] - mean[k]) ** 2;
    out[name] = { mean, std: sq.map((s) => Math.sqrt(s / b.length)), min: Array(c.dims).fill(0), max: Array(c.dims).fill(1) };
  }
  return out;
}

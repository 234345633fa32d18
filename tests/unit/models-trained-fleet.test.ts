/**
 * Models trained in the tab, on data the demo never showed: the fleet generator's SO-101-like arm (6 joints in
 * degrees, 30 fps, LeRobot v2.1 with `state`/`actions` keys). The same training code the score worker runs
 * (`Scorer.trainBlock`), the real ONNX Runtime scoring the ONNX it wrote, asserted against the generator's ground truth:
 * - the bootstrap ensemble, trained on the teleoperated demos, ranks the out-of-distribution (shelf) deployment frames
 *   above the other deployment frames (AUROC ≥ 0.85);
 * - the PCA window embedding of the failures around their onsets, clustered with k by silhouette, recovers the four
 *   planted mechanisms (ARI ≥ 0.8);
 * - the same recipe and seed give the same ONNX bytes (a shared notebook reproduces the models).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { Scorer, type TrainResult } from '../../workers/score/scorer';
import { readDemoFrames } from '../../src/lib/models/demo-frames';
import { defaultRecipe, resolveColumns } from '../../src/lib/models/train';
import type { FleetTruth } from '../../src/lib/fleet-gen';
import type { FrameBlock } from '../../src/lib/score/frames';
import type { DatasetStats } from '../../src/lib/score/mapping';
import { adjustedRandIndex, auroc } from '../../src/lib/score/metrics';
import { frameStats } from './helpers/frame-stats';

const DIR = path.resolve(import.meta.dirname, '../fixtures/datasets/so101_fleet');
const truth = JSON.parse(readFileSync(path.join(DIR, 'ground_truth.json'), 'utf8')) as FleetTruth;
const byEp = new Map(truth.episodes.map((e) => [e.episode_index, e]));
let block: FrameBlock;
let stats: DatasetStats;
let scorer: Scorer;
const recipe = { ...defaultRecipe(), steps: 400 };
let ensemble: TrainResult;

const noop = async () => undefined;

beforeAll(async () => {
  block = await readDemoFrames(DIR, ['state', 'actions']);
  stats = frameStats(block);
  scorer = new Scorer(ort);
  const cols = resolveColumns({ state: 6, actions: 6 }, recipe);
  const reference = truth.episodes.filter((e) => e.kind === 'demo').map((e) => e.episode_index);
  ensemble = await scorer.trainBlock(block, { task: 'uncertainty', recipe, columns: cols, stats, reference }, noop);
}, 300_000);

describe('models trained in the tab on the fleet (SO-101-like, degrees, 30 fps)', () => {
  it('finds the non-standard state/actions keys and sizes the models from them', () => {
    expect(resolveColumns({ state: 6, actions: 6, timestamp: 1 }, recipe)).toMatchObject({ state: 'state', action: 'actions', stateDims: 6, actionDims: 6 });
    expect(ensemble.models).toHaveLength(recipe.members);
    expect(ensemble.models[0].inputs[0].shape).toEqual(['N', 12]);
    expect(ensemble.models[0].outputs[0].shape).toEqual(['N', 6]);
    expect(ensemble.episodes).toBe(48);
  });

  it('ranks out-of-distribution deployment frames with AUROC ≥ 0.85', async () => {
    const r = await scorer.scoreBlock(2, block, { models: ensemble.models.map((m) => m.id), mapping: ensemble.mapping, stats, fps: 30 });
    const { tableFromIPC } = await import('apache-arrow');
    const t = tableFromIPC(r.frames);
    const ep = t.getChild('episode_index')!.toArray() as Int32Array;
    const fr = t.getChild('frame_index')!.toArray() as Int32Array;
    const u = t.getChild('uncertainty')!.toArray() as Float32Array;
    const scores: number[] = [];
    const labels: boolean[] = [];
    for (let i = 0; i < u.length; i++) {
      const e = byEp.get(ep[i])!;
      if (e.kind !== 'deployment') continue;
      scores.push(u[i]);
      labels.push(e.ood !== null && fr[i] >= e.ood[0] && fr[i] < e.ood[1]);
    }
    const a = auroc(scores, labels);
    console.log(`fleet OOD AUROC ${a.toFixed(3)} over ${scores.length} deployment frames (${labels.filter(Boolean).length} OOD)`);
    expect(a).toBeGreaterThanOrEqual(0.85);
  });

  it('clusters the failures around their onsets into the planted mechanisms with ARI ≥ 0.8', async () => {
    const failures = truth.episodes.filter((e) => e.mechanism !== null);
    const anchors = { episode: Int32Array.from(failures, (e) => e.episode_index), frame: Int32Array.from(failures, (e) => e.onset_frame!) };
    const enc = await scorer.trainBlock(block, { task: 'cluster', recipe, columns: { state: 'state', action: 'actions' }, stats, anchors }, noop);
    const emb = await scorer.embedBlock(3, block, { model: enc.models[0].id, mapping: enc.mapping, anchors, stats });
    const cl = await scorer.cluster(4, { points: emb.embeddings, dim: emb.dim });
    const ari = adjustedRandIndex(Array.from(cl.labels), failures.map((e) => e.mechanism!));
    console.log(`fleet clustering: ${failures.length} failures, k = ${cl.k}, ARI ${ari.toFixed(3)}`);
    expect(ari).toBeGreaterThanOrEqual(0.8);
  });

  it('gives the same ONNX bytes for the same recipe and seed', async () => {
    const small = { ...recipe, members: 2, steps: 60 };
    const cols = { state: 'state', action: 'actions' };
    const reference = truth.episodes.filter((e) => e.kind === 'demo').map((e) => e.episode_index);
    const a = await scorer.trainBlock(block, { task: 'uncertainty', recipe: small, columns: cols, stats, reference }, noop);
    const b = await scorer.trainBlock(block, { task: 'uncertainty', recipe: small, columns: cols, stats, reference }, noop);
    expect(b.files.map((f) => Buffer.from(f.bytes).toString('base64'))).toEqual(a.files.map((f) => Buffer.from(f.bytes).toString('base64')));
    const c = await scorer.trainBlock(block, { task: 'uncertainty', recipe: { ...small, seed: 2 }, columns: cols, stats, reference }, noop);
    expect(Buffer.from(c.files[0].bytes).equals(Buffer.from(a.files[0].bytes))).toBe(false);
  });
});

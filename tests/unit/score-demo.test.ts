/**
 * The bundled demo models on the demo dataset, on the real ONNX Runtime, asserted against the generator's ground
 * truth (static/demo/ground_truth.json):
 * - ensemble disagreement ranks out-of-distribution deployment frames above the other deployment frames;
 * - clusters of failure-onset windows recover the planted failure mechanisms;
 * - results go into DuckDB-WASM as tables.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { Scorer, type ScoreFramesResult } from '../../workers/score/scorer';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats, type DemoEpisodeTruth } from '../../src/lib/models/demo-frames';
import type { DemoManifest } from '../../src/lib/models/demo-models';
import { resultIpc } from '../../src/lib/score/arrow';
import type { FrameBlock } from '../../src/lib/score/frames';
import { adjustedRandIndex, auroc } from '../../src/lib/score/metrics';
import { Workspace } from '../../workers/db/workspace';
import { createNodeEngine } from '../../src/lib/headless/node-engine';
import { wallDistance, type Lighting, type ObjectType } from '../../src/lib/demo/conditions';

const MODELS = path.join(DEMO_DIR, 'models');
const manifest = JSON.parse(readFileSync(path.join(MODELS, 'models.json'), 'utf8')) as DemoManifest;

let block: FrameBlock;
let truth: Map<number, DemoEpisodeTruth>;
let scorer: Scorer;
let scored: ScoreFramesResult;
const stats = readStats();
const progress: number[] = [];

/** Ground truth: a deployment frame is out of distribution from the onset of an `out_of_distribution` failure on. */
function isOod(e: DemoEpisodeTruth, frame: number): boolean {
  return e.kind === 'deployment' && e.mechanism === 'out_of_distribution' && frame >= e.onset_frame!;
}

beforeAll(async () => {
  block = await readDemoFrames();
  truth = new Map(readGroundTruth().map((e) => [e.episode_index, e]));
  scorer = new Scorer(ort);
  const ens = manifest.ensembles[0];
  const ids: string[] = [];
  for (const f of ens.members) ids.push((await scorer.models.load(readFileSync(path.join(MODELS, f)), f)).id);
  const teleop = [...truth.values()].filter((e) => e.kind !== 'deployment').map((e) => e.episode_index);
  // The frames travel as Arrow IPC with FixedSizeList columns, as a DuckDB query returns them.
  const frames = resultIpc([
    { name: 'episode_index', values: block.episode },
    { name: 'frame_index', values: block.frame },
    { name: 'observation.state', values: block.columns['observation.state'].values, dims: 8 },
    { name: 'action', values: block.columns['action'].values, dims: 8 },
  ]);
  scored = await scorer.scoreFrames(
    1,
    {
      models: ids,
      mapping: ens.mapping,
      frames,
      stats,
      fps: 15,
      // Flag 1% of the training demos' frames: anything above looks unlike what the policy learned from.
      threshold: { rate: 0.01, referenceEpisodes: teleop },
      shadow: { column: 'action_pred', operatorColumn: 'action' },
      collectLimit: 1000,
    },
    (p) => progress.push(p.done),
  );
}, 240_000);

describe('uncertainty on the demo', () => {
  it('scores all 142,903 frames with the 5 members, with progress', () => {
    expect(scored.samples).toBe([...truth.values()].reduce((n, e) => n + e.length, 0));
    expect(scored.members).toBe(5);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('ranks out-of-distribution deployment frames above in-distribution ones (AUROC ≥ 0.8)', () => {
    const t = tableFromIPC(scored.frames);
    const ep = t.getChild('episode_index')!.toArray() as Int32Array;
    const fr = t.getChild('frame_index')!.toArray() as Int32Array;
    const u = t.getChild('uncertainty')!.toArray() as Float32Array;
    const scores: number[] = [];
    const labels: boolean[] = [];
    for (let i = 0; i < u.length; i++) {
      const e = truth.get(ep[i])!;
      if (e.kind !== 'deployment') continue;
      scores.push(u[i]);
      labels.push(isOod(e, fr[i]));
    }
    const ood = labels.filter(Boolean).length;
    const a = auroc(scores, labels);
    console.log(`[score-demo] AUROC OOD deployment frames (${ood}) vs other deployment frames (${labels.length - ood}): ${a.toFixed(4)}`);
    expect(ood).toBeGreaterThan(500);
    expect(a).toBeGreaterThanOrEqual(0.8);
  });

  it('lists where to collect: the strongest stretches are the out-of-distribution segments', () => {
    const oodEpisodes = [...truth.values()].filter((e) => e.kind === 'deployment' && e.mechanism === 'out_of_distribution');
    const top = scored.collect.slice(0, oodEpisodes.length);
    const inOod = top.filter((c) => isOod(truth.get(c.episode_index)!, c.peak_frame)).length;
    const found = oodEpisodes.filter((e) => scored.collect.some((c) => c.episode_index === e.episode_index && c.peak_frame >= e.onset_frame!));
    const next = scored.collect.slice(oodEpisodes.length, oodEpisodes.length + 10).map((c) => truth.get(c.episode_index)!.mechanism ?? truth.get(c.episode_index)!.kind);
    console.log(`[score-demo] threshold ${scored.threshold!.toFixed(4)}; ${scored.collect.length} stretches; top ${top.length} in OOD segments: ${inOod}; OOD episodes found ${found.length}/${oodEpisodes.length}; the next 10: ${next.join(', ')}`);
    expect(inOod).toBeGreaterThanOrEqual(top.length - 1);
    expect(found.length).toBe(oodEpisodes.length);
    for (const c of top) expect(c.peak_s).toBeCloseTo(c.peak_frame / 15, 10);
  });

  it('per-episode summaries and shadow-mode disagreement follow the same ground truth', () => {
    const e = tableFromIPC(scored.episodes);
    expect(e.numRows).toBe(truth.size);
    const idx = e.getChild('episode_index')!.toArray() as Int32Array;
    const max = e.getChild('max')!.toArray() as Float64Array;
    const dep = Array.from(idx).map((i, r) => [truth.get(i)!, max[r]] as const).filter(([t]) => t.kind === 'deployment');
    const a = auroc(dep.map(([, m]) => m), dep.map(([t]) => t.mechanism === 'out_of_distribution'));
    console.log(`[score-demo] episode max uncertainty, OOD-failure episodes vs other deployments: AUROC ${a.toFixed(4)}`);
    expect(a).toBeGreaterThanOrEqual(0.8);
    // Shadow mode: the ensemble's action against the logged one. Where the robot flailed, they disagree most.
    const t = tableFromIPC(scored.frames);
    const sh = t.getChild('shadow_disagreement')!.toArray() as Float32Array;
    const ep = t.getChild('episode_index')!.toArray() as Int32Array;
    const fr = t.getChild('frame_index')!.toArray() as Int32Array;
    const rows = Array.from(sh.keys()).filter((i) => truth.get(ep[i])!.kind === 'deployment');
    const s = auroc(rows.map((i) => sh[i]), rows.map((i) => isOod(truth.get(ep[i])!, fr[i])));
    console.log(`[score-demo] shadow disagreement mean ${scored.shadow!.mean.toFixed(4)}; AUROC OOD frames ${s.toFixed(4)}`);
    expect(s).toBeGreaterThanOrEqual(0.8);
  });

  it('results are insertable as DuckDB tables', async () => {
    const { engine } = await createNodeEngine();
    const ws = new Workspace(engine);
    await ws.insertArrow('frame_scores', scored.frames);
    await ws.insertArrow('episode_scores', scored.episodes);
    const rows = await engine.rows(`SELECT count(*)::INT AS n, count(DISTINCT episode_index)::INT AS episodes, max(len(action_pred))::INT AS dims,
      (SELECT count(*)::INT FROM episode_scores WHERE flagged_frames > 0) AS flagged FROM frame_scores`);
    expect(rows[0]).toEqual({ n: [...truth.values()].reduce((n, e) => n + e.length, 0), episodes: truth.size, dims: 8, flagged: expect.any(Number) });
    expect(rows[0].flagged).toBeGreaterThan(0);
  });
});

describe('failure clustering on the demo', () => {
  it('clusters of failure-onset windows recover the planted mechanisms (ARI ≥ 0.7), k chosen by silhouette', async () => {
    const enc = manifest.encoders[0];
    const { id } = await scorer.models.load(readFileSync(path.join(MODELS, enc.file)), enc.file);
    const failures = [...truth.values()].filter((e) => e.kind === 'deployment' && e.mechanism !== null);
    const emb = await scorer.embedBlock(2, block, {
      model: id,
      mapping: enc.mapping,
      anchors: { episode: Int32Array.from(failures, (e) => e.episode_index), frame: Int32Array.from(failures, (e) => e.onset_frame!) },
    });
    expect(emb.n).toBe(145);
    expect(emb.dim).toBe(8);
    const r = await scorer.cluster(3, {
      points: emb.embeddings,
      dim: emb.dim,
      meta: {
        episode: Int32Array.from(failures, (e) => e.episode_index),
        category: failures.map((e) => e.mechanism),
        conditions: {
          object_type: failures.map((e) => e.object_type),
          lighting: failures.map((e) => e.lighting),
          rotation: failures.map((e) => e.rotation),
          wall_distance_m: failures.map((e) => wallDistance({ ...e, object_type: e.object_type as ObjectType, lighting: e.lighting as Lighting })),
        },
      },
    });
    const mech = failures.map((e) => e.mechanism!);
    const ari = adjustedRandIndex(mech, r.labels);
    const dbLabels = Array.from(r.dbscan!.labels, (l, i) => (l < 0 ? `noise${i}` : l));
    const ariDb = adjustedRandIndex(mech, dbLabels);
    console.log(`[score-demo] k-means k=${r.k} (silhouettes ${r.silhouettes.map((s) => `${s.k}:${s.silhouette.toFixed(3)}`).join(' ')}), ARI ${ari.toFixed(4)}; DBSCAN ${r.dbscan!.clusters} clusters eps ${r.dbscan!.eps.toFixed(3)}, ARI ${ariDb.toFixed(4)}; map ${r.map.method}`);
    for (const s of r.summaries) console.log(`[score-demo]   cluster ${s.cluster}: ${s.size} × ${s.dominantCategory} (${(s.dominantShare * 100).toFixed(0)}%), ${s.distinguishing.map((d) => (d.kind === 'category' ? `${d.condition}=${d.value} ×${d.lift.toFixed(1)}` : `${d.condition} ${d.effect.toFixed(1)}σ`)).join(', ')}; e.g. ${s.representatives.join(', ')}`);
    expect(ari).toBeGreaterThanOrEqual(0.7);
    // The density-based method, with no k given, finds the same structure (noise points count as singletons).
    expect(ariDb).toBeGreaterThanOrEqual(0.7);
    // The out-of-distribution failures form their own cluster, and it is the unseen objects that set it apart.
    const ood = r.summaries.find((s) => s.dominantCategory === 'out_of_distribution')!;
    expect(ood.dominantShare).toBeGreaterThanOrEqual(0.9);
    expect(ood.distinguishing[0]).toMatchObject({ condition: 'object_type', kind: 'category' });
    expect(['transparent_bottle', 'sphere']).toContain((ood.distinguishing[0] as { value: string }).value);
    // Collisions happen near the bin wall: their cluster's windows lie closer to it than the other failures'.
    const col = r.summaries.find((s) => s.dominantCategory === 'collision')!;
    expect(col.distinguishing.find((d) => d.condition === 'wall_distance_m')).toMatchObject({ kind: 'number', effect: expect.any(Number) });
    expect((col.distinguishing.find((d) => d.condition === 'wall_distance_m') as { effect: number }).effect).toBeLessThan(-0.5);
    expect(r.map.xy.length).toBe(145 * 2);
    const t = tableFromIPC(r.table);
    expect(t.numRows).toBe(145);
    expect(Array.from(t.getChild('cluster')!.toArray() as Int32Array)).toEqual(Array.from(r.labels));
  });
});

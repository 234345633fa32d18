/**
 * The two model notebooks run in the headless runner (Node: DuckDB-WASM, onnxruntime-web's wasm backend) on the
 * demo, after a round trip through the share schema, and their tables hold what the generator planted
 * (static/demo/ground_truth.json). Cluster names saved in the cell become `cluster_name`, and a replay-mix set
 * defined by that name selects exactly that cluster's episodes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultReplayMixForm } from '../../src/lib/analysis/replay-mix';
import { jobSql } from '../../src/lib/analysis/jobs';
import { runNotebook, type HeadlessCellResult } from '../../src/lib/headless/run';
import { DEMO_DIR, readDemoFrames, readGroundTruth, readStats, type DemoEpisodeTruth } from '../../src/lib/models/demo-frames';
import type { DemoManifest } from '../../src/lib/models/demo-models';
import type { CellData, NotebookDoc } from '../../src/lib/notebook/types';
import { resultIpc } from '../../src/lib/score/arrow';
import { adjustedRandIndex, auroc } from '../../src/lib/score/metrics';
import { failureClusteringNotebook, uncertaintyNotebook } from '../../src/lib/score/templates';
import { validateNotebook } from '../../src/lib/share/schema';
import { Scorer } from '../../workers/score/scorer';

const truth = new Map(readGroundTruth().map((e) => [e.episode_index, e]));
const isOod = (e: DemoEpisodeTruth | undefined, frame: number) => !!e && e.kind === 'deployment' && e.mechanism === 'out_of_distribution' && frame >= e.onset_frame!;

/** Validated as a shared link would be, then run; fails the test on any failing cell. */
async function run(doc: NotebookDoc): Promise<Map<string, HeadlessCellResult>> {
  const v = validateNotebook(JSON.parse(JSON.stringify(doc)));
  if (!v.ok) throw new Error(v.errors.join('\n'));
  const results = await runNotebook(v.doc as NotebookDoc, { maxRows: 1000 });
  expect(results.filter((r) => r.status !== 'done').map((r) => `${r.name}: ${r.error}`)).toEqual([]);
  return new Map(results.map((r) => [r.name, r]));
}

const sql = (name: string, source: string): CellData => ({ id: name, kind: 'sql', name, source });

describe('uncertainty scoring notebook (headless, demo)', () => {
  let r: Map<string, HeadlessCellResult>;
  beforeAll(async () => {
    const doc = uncertaintyNotebook();
    // Whole columns in one row, so the test sees every frame of the model cell's table.
    doc.cells.push(sql('all_frames', 'SELECT list(episode_index ORDER BY episode_index, frame_index) AS e, list(frame_index ORDER BY episode_index, frame_index) AS f, list(uncertainty ORDER BY episode_index, frame_index) AS u FROM policy_scores'));
    doc.cells.push(sql('all_episodes', 'SELECT list(episode_index ORDER BY episode_index) AS e, list(max ORDER BY episode_index) AS m FROM policy_scores_episodes'));
    r = await run(doc);
  }, 240_000);

  it('scores every frame with the 5 members, equal to the scorer run directly on the same frames', async () => {
    const m = r.get('policy_scores')!.model!;
    const frames = [...truth.values()].reduce((a, e) => a + e.length, 0);
    expect(m.samples).toBe(frames);
    expect(m.uncertainty!.members).toBe(5);
    expect(m.statsFrom).toBe('stats.json');
    expect(m.models[0].inputs).toEqual([{ name: 'observation', type: 'float32', shape: ['N', 16] }]);
    expect(m.tables.map((t) => t.name)).toEqual(['policy_scores', 'policy_scores_episodes', 'policy_scores_collect']);
    const all = r.get('all_frames')!.rows![0] as { e: number[]; f: number[]; u: number[] };
    expect(all.u.length).toBe(frames);

    const manifest = JSON.parse(readFileSync(path.join(DEMO_DIR, 'models/models.json'), 'utf8')) as DemoManifest;
    const scorer = new Scorer(ort);
    const ids: string[] = [];
    for (const f of manifest.ensembles[0].members) ids.push((await scorer.models.load(readFileSync(path.join(DEMO_DIR, 'models', f)), f)).id);
    const block = await readDemoFrames();
    const ipc = resultIpc([
      { name: 'episode_index', values: block.episode },
      { name: 'frame_index', values: block.frame },
      { name: 'observation.state', values: block.columns['observation.state'].values, dims: 8 },
    ]);
    const direct = tableFromIPC((await scorer.scoreFrames(1, { models: ids, mapping: manifest.ensembles[0].mapping, frames: ipc, stats: readStats(), fps: 15 })).frames);
    const u = direct.getChild('uncertainty')!.toArray() as Float32Array;
    let maxDiff = 0;
    for (let i = 0; i < u.length; i++) maxDiff = Math.max(maxDiff, Math.abs(u[i] - all.u[i]));
    expect(maxDiff).toBeLessThan(1e-6);

    // Out-of-distribution deployment frames rank above the other deployment frames.
    const rows = all.e.map((e, i) => i).filter((i) => truth.get(all.e[i])?.kind === 'deployment');
    const a = auroc(rows.map((i) => all.u[i]), rows.map((i) => isOod(truth.get(all.e[i]), all.f[i])));
    console.log(`[model-cell] notebook AUROC OOD deployment frames: ${a.toFixed(4)}`);
    expect(a).toBeGreaterThanOrEqual(0.8);
  });

  it('per-episode maxima single out the out-of-distribution failures', () => {
    const all = r.get('all_episodes')!.rows![0] as { e: number[]; m: number[] };
    expect(all.e.length).toBe(truth.size);
    const dep = all.e.map((e, i) => [truth.get(e)!, all.m[i]] as const).filter(([t]) => t.kind === 'deployment');
    const a = auroc(dep.map(([, m]) => m), dep.map(([t]) => t.mechanism === 'out_of_distribution'));
    expect(a).toBeGreaterThanOrEqual(0.8);
  });

  it('the collect-here list leads with out-of-distribution segments, with episode and time', () => {
    const c = r.get('collect_here')!;
    expect(c.columns!.map((x) => x.name)).toEqual(['rank', 'episode_index', 'policy_version', 'failure_category', 'start_s', 'end_s', 'peak_s', 'peak_uncertainty', 'frames']);
    const top = c.rows!.slice(0, 10) as { episode_index: number; peak_s: number; start_s: number; end_s: number }[];
    expect(top.filter((x) => isOod(truth.get(x.episode_index), Math.round(x.peak_s * 15))).length).toBeGreaterThanOrEqual(9);
    for (const x of top) expect(x.end_s).toBeGreaterThanOrEqual(x.start_s);
  });

  it('groups and shadow mode: training demos are the calm reference, deployments disagree more', () => {
    const groups = r.get('uncertainty_by_group')!.rows as { episode_group: string; share_flagged: number }[];
    const share = (g: string) => groups.find((x) => x.episode_group === g)!.share_flagged;
    expect(share('deployment: out_of_distribution')).toBe(1);
    expect(share('training demos')).toBeLessThan(share('deployment: success'));
    const shadow = r.get('shadow_mode')!.rows as { policy: string; mean_disagreement: number }[];
    const demos = shadow.find((s) => s.policy === 'training demos')!.mean_disagreement;
    // Every deployed policy disagrees more than the demos it learned from (calibration runs are not policies).
    expect(shadow.filter((s) => s.policy !== 'training demos' && s.policy !== 'calibration runs').every((s) => s.mean_disagreement > demos)).toBe(true);
  });
});

describe('failure clustering notebook (headless, demo)', () => {
  let first: Map<string, HeadlessCellResult>;
  beforeAll(async () => {
    first = await run(failureClusteringNotebook());
  }, 240_000);

  it('clusters one window per failed deployment; the clusters follow the planted mechanisms', () => {
    const w = first.get('failure_clusters')!;
    const failures = [...truth.values()].filter((e) => e.kind === 'deployment' && e.mechanism !== null);
    expect(w.rowCount).toBe(failures.length);
    const rows = w.rows as { episode_index: number; cluster: number; dbscan_cluster: number; onset_source: string; frame_index: number }[];
    expect(new Set(rows.map((x) => x.onset_source))).toEqual(new Set(['detected']));
    const mech = rows.map((x) => truth.get(x.episode_index)!.mechanism!);
    const ari = adjustedRandIndex(mech, rows.map((x) => x.cluster));
    const near = rows.filter((x) => Math.abs(x.frame_index - truth.get(x.episode_index)!.onset_frame!) <= 30).length;
    const m = w.model!.cluster!;
    console.log(`[model-cell] detected onsets within 2 s of the truth: ${near}/${rows.length}; k=${m.k} ARI ${ari.toFixed(3)}; DBSCAN ${m.dbscan?.clusters} clusters`);
    expect(ari).toBeGreaterThanOrEqual(0.6);
    expect(m.points.length).toBe(failures.length);
    expect(m.silhouettes.length).toBeGreaterThan(3);
    const summary = first.get('cluster_summary')!.rows as { windows: number }[];
    expect(summary.reduce((a, s) => a + s.windows, 0)).toBe(failures.length);
  });

  it('a named cluster becomes cluster_name and a replay-mix set', async () => {
    const summary = first.get('cluster_summary')!.rows as { cluster: number; top_category: string; top_category_share: number }[];
    const pick = summary.find((s) => s.top_category === 'collision')!;
    expect(pick).toBeDefined();
    const doc = failureClusteringNotebook();
    const model = doc.cells.find((c) => c.kind === 'model')!.model!;
    if (model.task !== 'cluster') throw new Error('expected clustering');
    model.params.names = { [String(pick.cluster)]: 'collision' };
    const form = defaultReplayMixForm();
    form.targeted = [{ name: 'collision_fix', kind: 'where', where: "episode_index IN (SELECT episode_index FROM failure_clusters WHERE cluster_name = 'collision')" }];
    doc.cells.push({ id: 'replay_manifest', kind: 'sql', name: 'replay_manifest', source: jobSql('replay_manifest', form, 'replay_manifest'), analysis: { job: 'replay_manifest', form } });
    doc.cells.push(sql('mix_check', `SELECT list(DISTINCT episode_index ORDER BY episode_index) AS e FROM replay_manifest WHERE "set" = 'collision_fix'`));
    doc.cells.push(sql('named', `SELECT list(episode_index ORDER BY episode_index) AS e FROM failure_clusters WHERE cluster_name = 'collision'`));
    const r = await run(doc);
    const windows = r.get('failure_clusters')!.rows as { cluster: number; cluster_name: string }[];
    expect(windows.filter((w) => w.cluster === pick.cluster).every((w) => w.cluster_name === 'collision')).toBe(true);
    expect(windows.filter((w) => w.cluster !== pick.cluster).every((w) => w.cluster_name === `cluster ${w.cluster}`)).toBe(true);
    const named = (r.get('named')!.rows![0] as { e: number[] }).e;
    expect(named.length).toBe(windows.filter((w) => w.cluster === pick.cluster).length);
    expect((r.get('mix_check')!.rows![0] as { e: number[] }).e).toEqual(named);
  }, 240_000);
});

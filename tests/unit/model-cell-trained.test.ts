/**
 * The model notebooks on users' data (not the demo): models trained in the tab from the recipe, through the
 * headless runner (the browser's engine and cell semantics, the real DuckDB-WASM and ONNX Runtime). On the fleet
 * fixture (with its log), the shared G1 sample without a log and with its log, and the DROID-schema fixture, every
 * cell runs or says clearly what is missing: no raw DuckDB or ONNX Runtime error. Share links carry the recipe and
 * refuse a bad one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FleetTruth } from '../../src/lib/fleet-gen';
import { adjustedRandIndex } from '../../src/lib/score/metrics';
import { describe, expect, it } from 'vitest';
import { runNotebook, type HeadlessCellResult } from '../../src/lib/headless/run';
import { trainedClusteringNotebook, trainedUncertaintyNotebook, uncertaintyNotebook } from '../../src/lib/score/templates';
import { makeCell } from '../../src/lib/notebook/cells';
import type { SourceDecl } from '../../src/lib/ingest/source';
import type { NotebookDoc } from '../../src/lib/notebook/types';
import { validateModelSpec } from '../../src/lib/score/cell-schema';

const ROOT = path.resolve(import.meta.dirname, '../..');
const FLEET = 'tests/fixtures/datasets/so101_fleet';
const G1 = 'tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train';
const DROID = 'tests/fixtures/datasets/droid_mini';
const lerobot = (url: string): SourceDecl => ({ name: 'dataset', kind: 'lerobot', url });
const log = (url: string): SourceDecl => ({ name: 'deployments', kind: 'csv', url, role: 'episode-log' });
/** Raw engine messages (DuckDB's error classes, ONNX Runtime's) that must never reach a user. */
const RAW = /(Binder|Catalog|Parser|Conversion|Invalid Input|Internal) Error|ORT|onnxruntime|\[ErrorCode/;

/** A faster recipe for tests (the default trains 5 × 600 steps). */
function quick(doc: NotebookDoc): NotebookDoc {
  for (const c of doc.cells) if (c.model?.model.kind === 'trained') Object.assign(c.model.model.recipe, { members: 3, steps: 120 });
  return doc;
}

async function run(doc: NotebookDoc): Promise<HeadlessCellResult[]> {
  const results = await runNotebook(quick(doc), { baseDir: ROOT, maxRows: 50 });
  for (const r of results) expect(r.error ?? '', `${r.name}: ${r.error}`).not.toMatch(RAW);
  return results;
}
const cell = (rs: HeadlessCellResult[], name: string) => rs.find((r) => r.name === name)!;

describe('model notebooks trained in the tab on users\' data', () => {
  it('fleet (v2.1, state/actions in degrees, 30 fps, with its log): scores and clusters', async () => {
    const u = await run(trainedUncertaintyNotebook([lerobot(FLEET), log(`${FLEET}/deployment_log.csv`)]));
    for (const r of u) expect(r.status, `${r.name}: ${r.error}`).toBe('done');
    const m = cell(u, 'policy_scores').model!;
    expect(m.trained).toMatchObject({ state: 'state', action: 'actions', trainedOn: 'policy_version IS NULL', episodes: 48 });
    expect(m.models[0].inputs[0].shape).toEqual(['N', 12]);
    const c = await run(trainedClusteringNotebook([lerobot(FLEET), log(`${FLEET}/deployment_log.csv`)]));
    for (const r of c) expect(r.status, `${r.name}: ${r.error}`).toBe('done');
    const cl = cell(c, 'failure_clusters').model!.cluster!;
    expect(cl.points).toHaveLength(52);
    // With detected onsets (no reviewer marked any), for the README: how well the clusters follow the mechanisms.
    const truth = new Map((JSON.parse(readFileSync(path.join(ROOT, FLEET, 'ground_truth.json'), 'utf8')) as FleetTruth).episodes.map((e) => [e.episode_index, e]));
    const ari = adjustedRandIndex(cl.points.map((p) => p.cluster), cl.points.map((p) => truth.get(p.episode)!.mechanism!));
    const onsetErr = cl.points.map((p) => Math.abs(p.frame - truth.get(p.episode)!.onset_frame!)).sort((a, b) => a - b)[cl.points.length >> 1];
    console.log(`[trained] fleet clustering with detected onsets: k = ${cl.k}, ARI ${ari.toFixed(3)}, median onset error ${onsetErr} frames`);
    // The detector (src/lib/score/onsets.ts) finds the planted onsets; the largest state jump gave k = 9, ARI 0.60.
    expect(ari).toBeGreaterThanOrEqual(0.8);
    expect(onsetErr).toBeLessThanOrEqual(3);
  }, 240_000);

  it('G1 without a log: scoring trains on every episode; clustering says no outcome is mapped', async () => {
    const u = await run(trainedUncertaintyNotebook([lerobot(G1)]));
    for (const r of u) expect(r.status, `${r.name}: ${r.error}`).toBe('done');
    expect(cell(u, 'policy_scores').model!.trained).toMatchObject({ state: 'observation.state', action: 'action', trainedOn: 'every episode' });
    const c = await run(trainedClusteringNotebook([lerobot(G1)]));
    expect(cell(c, 'failure_clusters').error).toMatch(/^No outcome is mapped: .*&log=/);
    for (const r of c.filter((x) => x.kind !== 'markdown' && x.name !== 'failure_clusters')) expect(r.error).toMatch(/^Not run: it uses "/);
  }, 240_000);

  it('G1 with its log, and DROID: every cell runs or explains itself', async () => {
    const g = await run(trainedClusteringNotebook([lerobot(G1), log('tests/fixtures/logs/v21_g1/deployment_log.csv')]));
    expect(cell(g, 'failure_clusters').status, cell(g, 'failure_clusters').error).toBe('done');
    const d = await run(trainedUncertaintyNotebook([lerobot(DROID)]));
    expect(cell(d, 'policy_scores').status, cell(d, 'policy_scores').error).toBe('done');
    const dc = await run(trainedClusteringNotebook([lerobot(DROID)]));
    expect(cell(dc, 'failure_clusters').error).toMatch(/^No outcome is mapped/);
  }, 240_000);

  it('+ Model starts on models trained in the tab on users\' data, on the demo models on the demo', () => {
    const user = makeCell(trainedUncertaintyNotebook([lerobot(FLEET)]), 'model', 0);
    expect(user.model!.model.kind).toBe('trained');
    expect(user.source).toMatch(/^SELECT \*\nFROM frames/);
    const demo = makeCell(uncertaintyNotebook(), 'model', 0);
    expect(demo.model!.model).toEqual({ kind: 'demo', manifest: 'demo/models/models.json' });
  });

  it('share links carry the recipe and refuse a bad one', () => {
    const spec = trainedUncertaintyNotebook([lerobot(FLEET)]).cells.find((c) => c.kind === 'model')!.model!;
    const ok = validateModelSpec(JSON.parse(JSON.stringify(spec)), 'cells[1].model', () => true);
    expect(ok.problems).toEqual([]);
    expect(ok.spec!.model).toEqual(spec.model);
    const bad = JSON.parse(JSON.stringify(spec));
    bad.model.recipe.steps = 10_000_000;
    bad.model.recipe.evil = 1;
    expect(validateModelSpec(bad, 'm', () => true).problems.join(' ')).toMatch(/steps must be a whole number.*|unknown key "evil"/);
  });
});

/**
 * The data-ops jobs on the bundled demo find exactly what its generator planted (ground_truth.json `dataOps`):
 * the flawed demonstrations, each by the check for its defect, and the drifting joint's first week out of
 * tolerance; the review sample draws 20% of the auto-collected deployments per stratum.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource } from './helpers/fs-source';
import { Workspace } from '../../workers/db/workspace';
import { ipcToResult } from '../../src/lib/db/arrow';
import { defaultDriftWatchForm, defaultQualityGateForm, defaultReviewSamplingForm, driftByWeekSql, driftFlagSql, qualityChecksSql, reviewSampleSql } from '../../src/lib/analysis';

const DEMO = process.env.FLYWHEEL_DEMO_DIR ?? path.resolve(import.meta.dirname, '../../static/demo');
const truth = JSON.parse(readFileSync(path.join(DEMO, 'ground_truth.json'), 'utf8'));
let ws: Workspace;
let id = 1;
const rows = async (sql: string) => ipcToResult((await ws.query(sql, id++)).ipc).rows;

/** The check that must catch each planted defect (an implausible value is also a velocity spike). */
const CHECK_OF: Record<string, string[]> = {
  hesitation: ['hesitation'],
  re_approach: ['re_approach'],
  time_backwards: ['timestamps'],
  frozen_frames: ['frozen_frames'],
  implausible_joint: ['implausible_value', 'velocity_spike'],
  incomplete: ['incomplete'],
};

beforeAll(async () => {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  ws = new Workspace(engine);
  await ws.openDataset(await folderSource(DEMO));
  await ws.loadCsv('deployments', readFileSync(path.join(DEMO, 'deployment_log.csv')));
  await ws.linkEpisodes('deployments');
});

describe('data-ops jobs on the demo', () => {
  it('the quality gate flags exactly the planted flawed demonstrations, each for its defect', async () => {
    await ws.runCell('quality_checks', qualityChecksSql(defaultQualityGateForm()), id++);
    const flagged = await rows(`SELECT episode_index, list("check" ORDER BY "check") AS checks FROM quality_checks WHERE flagged GROUP BY ALL ORDER BY 1`);
    const planted = truth.dataOps.flawed as { episode_index: number; defect: string }[];
    expect(planted.length).toBe(6);
    expect(flagged.map((f) => f.episode_index)).toEqual(planted.map((p) => p.episode_index));
    for (const p of planted) expect(flagged.find((f) => f.episode_index === p.episode_index)?.checks, p.defect).toEqual(CHECK_OF[p.defect]);
    // Every seed and targeted demo was gated (calibrations and deployments were not).
    const [{ n }] = await rows(`SELECT count(DISTINCT episode_index)::INT AS n FROM quality_checks`);
    expect(n).toBe(truth.episodes.filter((e: { kind: string }) => e.kind === 'seed' || e.kind === 'targeted').length);
  });

  it('the drift watch flags the planted joint in the planted week, and the deployments since', async () => {
    const form = defaultDriftWatchForm();
    await ws.runCell('drift_by_week', driftByWeekSql(form), id++);
    const [flag] = await rows(driftFlagSql(form));
    const drift = truth.dataOps.drift;
    expect((flag.first_week_out_of_tolerance as Date).toISOString().slice(0, 10)).toBe(drift.first_week_start.slice(0, 10));
    expect(flag.joints).toEqual([drift.joint]);
    const since = truth.episodes.filter((e: { kind: string; episode_index: number }) => e.kind === 'deployment').length;
    expect(Number(flag.deployments_after)).toBeGreaterThan(0);
    expect(Number(flag.deployments_after)).toBeLessThan(since);
    // Before the flagged week every joint is within tolerance.
    const [{ early }] = await rows(`SELECT count(*) FILTER (WHERE out_of_tolerance AND week < (SELECT min(week) FROM drift_by_week WHERE out_of_tolerance))::INT AS early FROM drift_by_week`);
    expect(early).toBe(0);
  });

  it('the review sample draws 20% of the auto-collected deployments per stratum, reproducibly', async () => {
    const form = defaultReviewSamplingForm();
    const a = await rows(reviewSampleSql(form));
    expect(await rows(reviewSampleSql(form))).toEqual(a);
    const pool = await rows(`SELECT d.policy_version, d.outcome AS predicted, count(*)::INT AS n FROM deployments d WHERE d.tags LIKE '%auto-collected%' GROUP BY ALL`);
    expect(pool.length).toBeGreaterThan(6);
    for (const s of pool) expect(a.filter((r) => r.policy_version === s.policy_version && r.predicted === s.predicted).length).toBe(Math.max(1, Math.round(0.2 * Number(s.n))));
  });
});

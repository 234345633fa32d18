/**
 * Cost per success on a tiny hand-made flywheel. Rates: operator $40/h, robot $20/h, 10 demos/h,
 * 20 deployments/h, half the deployments reviewed at $30/h and 30 reviews/h, $100 per training run.
 *
 * | rotation | episodes | demos | deployments (successes) | model cost | sheet cost |
 * |---|---|---|---|---|---|
 * | 0 | 2 | 2 | 0 | 2·60/10 = 12 | 50 |
 * | 1 | 5 | 1 (targeted grasp) | 4 (2; grasp ×2 failed) | 6 + 4·60/20 + 0.5·4/30·30 + 100 = 120 | 100 + 2 × 10 (no amount) = 120 |
 * | 2 | 4 | 0 | 4 (3; collision ×1 failed) | 12 + 2 + 100 = 114 | 90 |
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { costModelSql, defaultCostModelForm, validateCostModelForm, type CostModelForm } from '../../src/lib/analysis';

let engine: Engine;

beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  const e = (i: number, rot: number, policy: string | null, outcome: string, mode: string | null, tags: string, notes: string, day: number, cost: number | null): string =>
    `(${i}, ${rot}, ${policy === null ? 'NULL' : `'${policy}'`}, '${outcome}', ${mode === null ? 'NULL' : `'${mode}'`}, '${tags}', '${notes}', TIMESTAMP '2026-01-01' + INTERVAL ${day * 24} HOUR, ${cost ?? 'NULL'})`;
  const rows = [
    e(0, 0, null, 'success', null, 'seed', '', 0, null),
    e(1, 0, null, 'success', null, 'seed', '', 1, null),
    e(2, 1, 'v1', 'success', null, '', '', 7, null),
    e(3, 1, 'v1', 'success', null, '', '', 7, null),
    e(4, 1, 'v1', 'failure', 'grasp_failure', '', '', 7, null),
    e(5, 1, 'v1', 'failure', 'grasp_failure', '', '', 7, null),
    e(6, 1, null, 'success', null, 'targeted-recovery', 'targeted grasp_failure: cube', 10, 5),
    e(7, 2, 'v2', 'success', null, '', '', 14, null),
    e(8, 2, 'v2', 'success', null, '', '', 14, null),
    e(9, 2, 'v2', 'success', null, '', '', 15, null),
    e(10, 2, 'v2', 'failure', 'collision', '', '', 16.5, null),
  ];
  await engine.exec(`CREATE TABLE cm AS SELECT * FROM (VALUES ${rows.join(', ')}) v(episode_index, rotation, policy_version, outcome, failure_category, tags, notes, "timestamp", ep_cost)`);
  await engine.exec(
    `CREATE TABLE cm_costs AS SELECT * FROM (VALUES (0, 'seed', 1, 50, 50), (1, 'robot', 1, 100, 100), (1, 'review', 2, 10, NULL), (2, 'all', 1, 90, 90)) v(rotation, description, quantity, unit_cost_usd, amount_usd)`,
  );
});

function form(over: Partial<CostModelForm> = {}): CostModelForm {
  const f = defaultCostModelForm();
  f.columns.table = 'cm';
  f.costSheet = { table: 'cm_costs', rotationColumn: 'rotation', amountColumn: 'amount_usd', quantityColumn: 'quantity', unitCostColumn: 'unit_cost_usd', descriptionColumn: 'description' };
  return {
    ...f,
    operatorRatePerHour: 40,
    robotHourCost: 20,
    demosPerHour: 10,
    deploymentsPerHour: 20,
    reviewFraction: 0.5,
    reviewRatePerHour: 30,
    reviewsPerHour: 30,
    computePerTrainingRun: 100,
    targetSuccessRate: 0.95,
    projectionWindow: 3,
    ...over,
  };
}

const n = (x: unknown): number | null => (x === null ? null : Number(x));

async function run(f: CostModelForm): Promise<Record<string, Record<string, unknown>[]>> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const [name, sql] of Object.entries(costModelSql(f))) {
    await engine.exec(`CREATE OR REPLACE TABLE ${name} AS ${sql}`);
    out[name] = await engine.rows(`SELECT * FROM ${name}`);
  }
  return out;
}

describe('cost_ledger', () => {
  it('per rotation: episodes, successes, model and sheet cost, cost per success, gain, marginal cost, cycle time', async () => {
    const { cost_ledger: l } = await run(form());
    expect(l.map((r) => [n(r.rotation), n(r.episodes_collected), n(r.teleop_episodes), n(r.deployment_episodes), n(r.successes)])).toEqual([
      [0, 2, 2, 0, 0],
      [1, 5, 1, 4, 2],
      [2, 4, 0, 4, 3],
    ]);
    expect(l.map((r) => n(r.model_cost_usd))).toEqual([12, 120, 114].map((x) => expect.closeTo(x, 9)));
    expect(l.map((r) => n(r.sheet_cost_usd))).toEqual([50, 120, 90]);
    expect(l.map((r) => r.cost_source)).toEqual(['cost sheet', 'cost sheet', 'cost sheet']);
    expect(l.map((r) => n(r.cost_per_success_usd))).toEqual([null, 60, 30]);
    expect(l.map((r) => n(r.success_rate))).toEqual([null, 0.5, 0.75]);
    expect(l.map((r) => n(r.success_gain_points))).toEqual([null, null, 25]);
    expect(l.map((r) => n(r.marginal_cost_per_point_usd))).toEqual([null, null, 90 / 25]);
    // Day 0 → 7 → 14, and the last rotation runs from day 14 to its last episode on day 16.5.
    expect(l.map((r) => n(r.cycle_days))).toEqual([7, 7, 2.5]);
    expect(l.map((r) => n(r.prior_episodes))).toEqual([0, 2, 7]);
    expect(l.map((r) => n(r.cumulative_cost_usd))).toEqual([50, 170, 260]);
  });

  it('uses the model when asked, and a per-episode cost column where it has a value', async () => {
    const model = (await run(form({ costSource: 'model', costSheet: null }))).cost_ledger;
    expect(model.map((r) => n(r.cost_usd))).toEqual([12, 120, 114].map((x) => expect.closeTo(x, 9)));
    expect(model[0].cost_source).toBe('model');
    // Episode 6 (rotation 1's demo) costs 5 instead of 6.
    const over = (await run(form({ costSource: 'model', costSheet: null, perEpisodeCostColumn: 'ep_cost' }))).cost_ledger;
    expect(n(over[1].cost_usd)).toBeCloseTo(119, 9);
  });

  it('stops with the lines to fix when a sheet line has no usable cost', async () => {
    await engine.exec(`CREATE TABLE cm_bad AS SELECT * FROM (VALUES (0, 'seed', NULL, NULL, NULL), (NULL, 'mystery', 1, 5, 5)) v(rotation, description, quantity, unit_cost_usd, amount_usd)`);
    const f = form();
    f.costSheet!.table = 'cm_bad';
    await expect(engine.rows(costModelSql(f).cost_ledger)).rejects.toThrow(
      'The cost sheet has lines without a usable cost: line 1 (rotation 0) "seed": no amount_usd and nothing to compute it from: fill in amount_usd (or quantity and unit_cost_usd); line 2 "mystery": no rotation, so its cost cannot be attributed to a rotation: fill in rotation.',
    );
  });
});

describe('cost_projection and cost_to_target', () => {
  /*
   * Fit through (ln 2, 0.5) and (ln 7, 0.75): b = 0.25 / ln 3.5, a = 0.5 − b ln 2. Episodes so far 11; the
   * last 3 rotations average 11/3 episodes and 260/3 dollars. Rotation 2 + k trains on 11 + (k − 1)·11/3.
   */
  const b = 0.25 / Math.log(3.5);
  const a = 0.5 - b * Math.log(2);
  const fitted = (episodes: number): number => Math.min(1, a + b * Math.log(episodes));

  it('fits the log-linear curve and projects until the target is reached', async () => {
    const { cost_projection: p, cost_to_target: t } = await run(form());
    const k = [1, 2, 3, 4, 5].find((x) => fitted(11 + ((x - 1) * 11) / 3) >= 0.95)!;
    expect(k).toBe(4);
    expect(p.map((r) => [n(r.rotation), r.kind])).toEqual([
      [1, 'observed'],
      [2, 'observed'],
      [3, 'projected'],
      [4, 'projected'],
      [5, 'projected'],
      [6, 'projected'],
    ]);
    expect(n(p[0].fitted_success_rate)).toBeCloseTo(0.5, 12);
    expect(n(p[1].fitted_success_rate)).toBeCloseTo(0.75, 12);
    expect(n(p[5].training_episodes)).toBeCloseTo(22, 9);
    expect(n(p[5].fitted_success_rate)).toBeCloseTo(fitted(22), 12);
    expect(n(p[5].cumulative_cost_usd)).toBeCloseTo((4 * 260) / 3, 9);
    expect(p.map((r) => r.reaches_target)).toEqual([false, false, false, false, false, true]);
    const [row] = t;
    expect(n(row.fit_slope)).toBeCloseTo(b, 12);
    expect(n(row.fit_intercept)).toBeCloseTo(a, 12);
    expect([n(row.rotations_needed), n(row.episodes_needed), n(row.episodes_so_far)]).toEqual([4, 11, 11]);
    expect(n(row.projected_cost_usd)).toBeCloseTo((4 * 260) / 3, 9);
    expect(String(row.note)).toMatch(/^Projected to reach 95% in 4 more rotation\(s\), training on ~22 episodes, for about 347/);
  });

  it('says when the target is already met or out of reach', async () => {
    expect(String((await run(form({ targetSuccessRate: 0.7 }))).cost_to_target[0].note)).toMatch(/^Already at the target/);
    const far = (await run(form({ targetSuccessRate: 0.999, maxProjectedRotations: 2 }))).cost_to_target[0];
    expect(far.rotations_needed).toBeNull();
    expect(String(far.note)).toBe('Not reached within 2 more rotations at the current pace.');
  });
});

describe('collection_comparison', () => {
  it('credits targeted demos with the modes they went after, the other new episodes with the rest', async () => {
    /*
     * Rotation 1 → 2: grasp 2/4 → 0/4 (+50 points; targeted by episode 6), collision 0/4 → 1/4 (−25 points;
     * untargeted). New data in rotation 1: 1 targeted episode, 2 other successful episodes.
     */
    const { collection_comparison: c } = await run(form());
    expect(c.map((r) => [r.collection, n(r.new_episodes), n(r.modes), n(r.success_points_gained), n(r.points_per_100_episodes)])).toEqual([
      ['targeted', 1, 1, 50, 5000],
      ['uniform', 2, 1, -25, -1250],
    ]);
  });
});

it('validates the form', () => {
  const errors = validateCostModelForm(form({ demosPerHour: 0, targetSuccessRate: 1, costSheet: null })).join(' ');
  expect(errors).toMatch(/demosPerHour must be a number more than 0/);
  expect(errors).toMatch(/targetSuccessRate must be a number more than 0 and less than 1/);
  expect(errors).toMatch(/costSource is "sheet" but no cost sheet is mapped/);
});

/**
 * Failure mining on a tiny hand-made log, every number worked out by hand below and compared with what the
 * generated SQL returns on the real DuckDB-WASM.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { defaultFailureMiningForm, failureParetoSql, failurePrioritySql, prioritize, validateFailureMiningForm, type FailureMiningForm } from '../../src/lib/analysis';

let engine: Engine;
const num = (x: unknown): number => Number(x);

/*
 * v1 (rotation 1): 10 deployments, 6 successes; failures: grasp_failure ×2, collision ×1, one unlabelled.
 * v2 (rotation 2): 5 deployments, 4 successes; failure: collision ×1.
 * Plus 3 teleop demos (no policy, logged as success), which are not deployments.
 */
beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  const rows: string[] = [];
  let i = 0;
  const add = (outcome: string, mode: string | null, policy: string | null, rot: number): void => {
    rows.push(`(${i++}, '${outcome}', ${mode === null ? 'NULL' : `'${mode}'`}, ${policy === null ? 'NULL' : `'${policy}'`}, ${rot})`);
  };
  for (let k = 0; k < 6; k++) add('success', null, 'v1', 1);
  add('failure', 'grasp_failure', 'v1', 1);
  add('failure', 'grasp_failure', 'v1', 1);
  add('failure', 'collision', 'v1', 1);
  add('failure', '', 'v1', 1);
  for (let k = 0; k < 4; k++) add('success', null, 'v2', 2);
  add('failure', 'collision', 'v2', 2);
  for (let k = 0; k < 3; k++) add('success', null, null, 1);
  await engine.exec(`CREATE TABLE fm AS SELECT * FROM (VALUES ${rows.join(', ')}) v(episode_index, outcome, failure_category, policy_version, rotation)`);
});

function form(over: Partial<FailureMiningForm> = {}): FailureMiningForm {
  const f = defaultFailureMiningForm();
  f.columns.table = 'fm';
  f.modes = { grasp_failure: { fixability: 0.8, impact: 0.5, addressableByData: true }, collision: { fixability: 0.2, impact: 1, addressableByData: false } };
  return { ...f, ...over };
}

describe('failure_pareto', () => {
  it('counts, shares and cumulative shares per policy version, most frequent first', async () => {
    const rows = await engine.rows(failureParetoSql(form()));
    expect(rows.map((r) => [r.policy_version, num(r.group_order), r.failure_mode, num(r.failures), num(r.episodes), num(r.rank)])).toEqual([
      ['v1', 1, 'grasp_failure', 2, 10, 1],
      // Ties break by name; "(" sorts before letters.
      ['v1', 1, '(unlabelled)', 1, 10, 2],
      ['v1', 1, 'collision', 1, 10, 3],
      ['v2', 2, 'collision', 1, 5, 1],
    ]);
    expect(rows.map((r) => num(r.share))).toEqual([0.5, 0.25, 0.25, 1]);
    expect(rows.map((r) => num(r.cumulative_share))).toEqual([0.5, 0.75, 1, 1]);
    expect(rows.map((r) => num(r.failure_rate))).toEqual([0.2, 0.1, 0.1, 0.2]);
  });

  it('groups by rotation when asked', async () => {
    const rows = await engine.rows(failureParetoSql(form({ groupBy: 'rotation' })));
    expect(rows.map((r) => [num(r.rotation), r.failure_mode, num(r.failures)])).toEqual([
      [1, 'grasp_failure', 2],
      [1, '(unlabelled)', 1],
      [1, 'collision', 1],
      [2, 'collision', 1],
    ]);
  });
});

describe('failure_priority', () => {
  it('scores the latest policy version: collision 1/5 × 0.2 × 1 = 0.04, grasp 0', async () => {
    const rows = await engine.rows(failurePrioritySql(form()));
    expect(rows.map((r) => [r.failure_mode, num(r.failures), num(r.rank), r.fix_route])).toEqual([
      ['collision', 1, 1, 'needs hardware'],
      ['grasp_failure', 0, 2, 'addressable by data'],
    ]);
    expect(num(rows[0].frequency)).toBeCloseTo(0.2, 15);
    expect(num(rows[0].priority)).toBeCloseTo(0.04, 15);
    expect(num(rows[1].priority)).toBe(0);
  });

  it('over all deployments: grasp 2/15·0.8·0.5, collision 2/15·0.2·1, unlabelled 1/15·0.5·0.5 (other-modes weights)', async () => {
    const rows = await engine.rows(failurePrioritySql(form({ priorityScope: 'all' })));
    expect(rows.map((r) => r.failure_mode)).toEqual(['grasp_failure', 'collision', '(unlabelled)']);
    expect(rows.map((r) => num(r.priority))).toEqual([(2 / 15) * 0.8 * 0.5, (2 / 15) * 0.2 * 1, (1 / 15) * 0.5 * 0.5].map((x) => expect.closeTo(x, 15)));
    // The TS reference ranks the same way with the same numbers.
    const ts = prioritize({ grasp_failure: 2, collision: 2, '(unlabelled)': 1 }, 15, form());
    expect(ts.map((r) => [r.failure_mode, r.rank])).toEqual(rows.map((r) => [r.failure_mode, num(r.rank)]));
    ts.forEach((r, i) => expect(r.priority).toBeCloseTo(num(rows[i].priority), 15));
  });

  it('re-ranks when a fixability changes (collision 0.2 → 0.9 puts it first), in SQL and in TS', async () => {
    const f = form({ priorityScope: 'all' });
    f.modes.collision.fixability = 0.9;
    const sql = failurePrioritySql(f);
    // The weight is inlined in the SQL the user sees.
    expect(sql).toContain(`('collision', 0.9::DOUBLE, 1::DOUBLE, false)`);
    const rows = await engine.rows(sql);
    expect(rows.map((r) => r.failure_mode)).toEqual(['collision', 'grasp_failure', '(unlabelled)']);
    expect(num(rows[0].priority)).toBeCloseTo((2 / 15) * 0.9, 15);
    expect(prioritize({ grasp_failure: 2, collision: 2, '(unlabelled)': 1 }, 15, f).map((r) => r.failure_mode)).toEqual(['collision', 'grasp_failure', '(unlabelled)']);
  });
});

describe('bad input', () => {
  it('rejects out-of-range weights with a message per field', () => {
    const f = form();
    f.modes.collision.fixability = 1.5;
    f.otherModes.impact = Number.NaN;
    const errors = validateFailureMiningForm(f);
    expect(errors.join(' ')).toMatch(/"collision" fixability must be a number at least 0 and at most 1 \(got 1\.5\)/);
    expect(errors.join(' ')).toMatch(/otherModes impact/);
    expect(() => failurePrioritySql(f)).toThrow(/Invalid failure-mining form/);
  });

  it('names the missing column and lists the ones there are, instead of an empty chart', async () => {
    await engine.exec(`CREATE TABLE fm_no_outcome AS SELECT episode_index, failure_category AS status, policy_version FROM fm`);
    const f = form();
    f.columns.table = 'fm_no_outcome';
    await expect(engine.rows(failureParetoSql(f))).rejects.toThrow(
      /The table "fm_no_outcome" has no column "outcome" \(it has: episode_index, status, policy_version\)\. Map the column that says whether each episode succeeded/,
    );
  });
});

/**
 * Failure mining on a tiny hand-made log, every number worked out by hand below and compared with what the
 * generated SQL returns on the real DuckDB-WASM.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { defaultFailureMiningForm, failureParetoSql, failurePrioritySql, prioritize, validateFailureMiningForm, wilson, wilsonSql, type FailureMiningForm } from '../../src/lib/analysis';

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
  it('counts every deployment by default: grasp 2/15·0.8·0.5, collision 2/15·0.2·1, unlabelled 1/15·0.5·0.5 (other-modes weights)', async () => {
    expect(defaultFailureMiningForm().priorityScope).toBe('all');
    const rows = await engine.rows(failurePrioritySql(form()));
    expect(rows.map((r) => [r.failure_mode, num(r.failures), num(r.episodes), num(r.rank)])).toEqual([
      ['grasp_failure', 2, 15, 1],
      ['collision', 2, 15, 2],
      ['(unlabelled)', 1, 15, 3],
    ]);
    expect(rows.map((r) => num(r.failure_rate))).toEqual([2 / 15, 2 / 15, 1 / 15].map((x) => expect.closeTo(x, 15)));
    expect(rows.map((r) => num(r.priority))).toEqual([(2 / 15) * 0.8 * 0.5, (2 / 15) * 0.2 * 1, (1 / 15) * 0.5 * 0.5].map((x) => expect.closeTo(x, 15)));
    // Wilson 95% for 2 of 15 (worked out by hand: (2 + 1.9208 ± 1.96·√(2·13/15 + 0.9604)) / 18.8416) and 1 of 15.
    expect(num(rows[0].rate_low)).toBeCloseTo(0.0374, 4);
    expect(num(rows[0].rate_high)).toBeCloseTo(0.3788, 4);
    expect(num(rows[2].rate_low)).toBeCloseTo(wilson(1, 15)![0], 12);
    expect(num(rows[2].rate_high)).toBeCloseTo(wilson(1, 15)![1], 12);
    // The priority's interval is the rate's, scaled by the weights; it contains the priority.
    expect(num(rows[0].priority_low)).toBeCloseTo(num(rows[0].rate_low) * 0.8 * 0.5, 15);
    for (const r of rows) expect(num(r.priority_low) <= num(r.priority) && num(r.priority) <= num(r.priority_high)).toBe(true);
    // The TS reference ranks the same way with the same numbers.
    const ts = prioritize({ grasp_failure: 2, collision: 2, '(unlabelled)': 1 }, 15, form());
    expect(ts.map((r) => [r.failure_mode, r.rank])).toEqual(rows.map((r) => [r.failure_mode, num(r.rank)]));
    ts.forEach((r, i) => {
      expect(r.priority).toBeCloseTo(num(rows[i].priority), 15);
      expect(r.rate_low).toBeCloseTo(num(rows[i].rate_low), 12);
      expect(r.rate_high).toBeCloseTo(num(rows[i].rate_high), 12);
    });
  });

  it('at equal weights a mode with 2 failures never ranks below one with 1, whatever the names or the groups they come from', async () => {
    // "aaa" (1 failure, latest policy) sorts before "zzz" (2 failures, older policy): by name alone it would win.
    await engine.exec(`CREATE OR REPLACE TABLE fm_equal AS SELECT * FROM (VALUES
      (0, 'failure', 'zzz', 'v1', 1), (1, 'failure', 'zzz', 'v1', 1), (2, 'success', NULL, 'v1', 1), (3, 'success', NULL, 'v1', 1),
      (4, 'failure', 'aaa', 'v2', 2), (5, 'success', NULL, 'v2', 2), (6, 'success', NULL, 'v2', 2), (7, 'success', NULL, 'v2', 2)
    ) v(episode_index, outcome, failure_category, policy_version, rotation)`);
    const f = form({ modes: {} });
    f.columns.table = 'fm_equal';
    const rows = await engine.rows(failurePrioritySql(f));
    expect(rows.map((r) => [r.failure_mode, num(r.failures), num(r.episodes), num(r.rank)])).toEqual([
      ['zzz', 2, 8, 1],
      ['aaa', 1, 8, 2],
    ]);
    expect(num(rows[0].priority)).toBeGreaterThan(num(rows[1].priority));
    expect(prioritize({ zzz: 2, aaa: 1 }, 8, f).map((r) => r.failure_mode)).toEqual(['zzz', 'aaa']);
  });

  it('scores the latest policy version when asked: collision 1/5 × 0.2 × 1 = 0.04, grasp 0 (its rate interval still says 0 of 5 is not nothing)', async () => {
    const rows = await engine.rows(failurePrioritySql(form({ priorityScope: 'latest' })));
    expect(rows.map((r) => [r.failure_mode, num(r.failures), num(r.episodes), num(r.rank), r.fix_route])).toEqual([
      ['collision', 1, 5, 1, 'needs hardware'],
      ['grasp_failure', 0, 5, 2, 'addressable by data'],
    ]);
    expect(num(rows[0].failure_rate)).toBeCloseTo(0.2, 15);
    expect(num(rows[0].priority)).toBeCloseTo(0.04, 15);
    expect(num(rows[1].priority)).toBe(0);
    expect(num(rows[1].rate_low)).toBe(0);
    expect(num(rows[1].rate_high)).toBeCloseTo(wilson(0, 5)![1], 12);
    expect(num(rows[1].rate_high)).toBeGreaterThan(0.4);
  });

  it('scores one chosen group: v1 only (10 deployments)', async () => {
    const rows = await engine.rows(failurePrioritySql(form({ priorityScope: 'group', priorityGroup: 'v1' })));
    expect(rows.map((r) => [r.failure_mode, num(r.failures), num(r.episodes)])).toEqual([
      ['grasp_failure', 2, 10],
      // 1/10 × 0.5 × 0.5 (other modes) = 0.025 over collision's 1/10 × 0.2 × 1 = 0.02.
      ['(unlabelled)', 1, 10],
      ['collision', 1, 10],
    ]);
    expect(validateFailureMiningForm(form({ priorityScope: 'group', priorityGroup: ' ' })).join(' ')).toMatch(/name it \(priorityGroup\)/);
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

describe('wilsonSql', () => {
  it('matches the published Wilson intervals (Newcombe 1998, table I) on DuckDB, and its TS twin', async () => {
    // k of n → 95% interval, to the table's 4 decimals.
    const known: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    const w = wilsonSql('k', 'n');
    const rows = await engine.rows(`SELECT k, n, ${w.low} AS lo, ${w.high} AS hi FROM (VALUES ${known.map(([k, n]) => `(${k}, ${n})`).join(', ')}, (0, 0), (5, 5)) t(k, n) ORDER BY n, k`);
    const byKey = new Map(rows.map((r) => [`${num(r.k)}/${num(r.n)}`, r]));
    for (const [k, n, lo, hi] of known) {
      const r = byKey.get(`${k}/${n}`)!;
      expect(num(r.lo), `${k}/${n} low`).toBeCloseTo(lo, 4);
      expect(num(r.hi), `${k}/${n} high`).toBeCloseTo(hi, 4);
      expect(wilson(k, n)![0]).toBeCloseTo(num(r.lo), 12);
      expect(wilson(k, n)![1]).toBeCloseTo(num(r.hi), 12);
    }
    // No trials: no interval. All failures: the top is exactly 1, never a hair above.
    expect(byKey.get('0/0')!.lo).toBeNull();
    expect(byKey.get('0/0')!.hi).toBeNull();
    expect(num(byKey.get('5/5')!.hi)).toBe(1);
    expect(num(byKey.get('0/20')!.lo)).toBe(0);
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

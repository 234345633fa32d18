/**
 * Red flags on two tiny hand-made flywheels: a sick one that raises all seven flags and a healthy one that
 * raises none, with every value worked out by hand in the comments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { RED_FLAGS, defaultRedFlagsForm, redFlagsSql, validateRedFlagsForm, type RedFlagsForm } from '../../src/lib/analysis';

let engine: Engine;

interface Ep {
  rot: number;
  outcome: 'success' | 'failure';
  mode?: string;
  policy?: string;
  tags?: string;
  notes?: string;
  day: number;
  inDist?: boolean;
}

/** Rows of a log: `n` copies of an episode. */
const times = (n: number, e: Ep): Ep[] => Array.from({ length: n }, () => ({ ...e }));

async function createLog(name: string, eps: Ep[]): Promise<void> {
  const q = (s: string | undefined): string => (s === undefined ? 'NULL' : `'${s}'`);
  const rows = eps.map(
    (e, i) =>
      `(${i}, ${q(e.outcome)}, ${q(e.mode)}, ${q(e.policy)}, ${e.rot}, ${q(e.tags)}, ${q(e.notes)}, TIMESTAMP '2026-01-01' + INTERVAL ${e.day} HOUR * 24, ${e.inDist === undefined ? 'NULL' : e.inDist})`,
  );
  await engine.exec(
    `CREATE TABLE ${name} AS SELECT * FROM (VALUES ${rows.join(', ')}) v(episode_index, outcome, failure_category, policy_version, rotation, tags, notes, "timestamp", in_distribution)`,
  );
}

async function createCosts(name: string, perRotation: number[]): Promise<void> {
  await engine.exec(`CREATE TABLE ${name} AS SELECT * FROM (VALUES ${perRotation.map((a, r) => `(${r}, ${a}::DOUBLE)`).join(', ')}) v(rotation, amount_usd)`);
}

function form(table: string, costs: string): RedFlagsForm {
  const f = defaultRedFlagsForm();
  f.columns.table = table;
  f.costs = { table: costs, rotationColumn: 'rotation', amountColumn: 'amount_usd', quantityColumn: null, unitCostColumn: null, descriptionColumn: null };
  return f;
}

async function flags(f: RedFlagsForm): Promise<Record<string, { raised: unknown; value: number | null; evidence: string; threshold: number }>> {
  const rows = await engine.rows(redFlagsSql(f));
  expect(rows.map((r) => r.flag)).toEqual([...RED_FLAGS]);
  return Object.fromEntries(rows.map((r) => [String(r.flag), { raised: r.raised, value: r.value === null ? null : Number(r.value), evidence: String(r.evidence), threshold: Number(r.threshold) }]));
}

const seed = (day: number): Ep[] => times(4, { rot: 0, outcome: 'success', tags: 'seed', day });
const targeted = (rot: number, mode: string, n: number, day: number): Ep[] => times(n, { rot, outcome: 'success', tags: 'targeted-recovery', notes: `targeted ${mode}: cube`, day });

/*
 * Sick: rotations 1–3 each deploy 10 episodes, 6 successes (5 seen, 1 unseen) and 4 failures (grasp ×3,
 * collision ×1; 2 seen, 2 unseen), and collect 3 grasp demos (rotations 1 and 2).
 * - success_flat: 60% → 60% twice; value = min gain = 0.
 * - generalisation: unseen 3/9 = 1/3, seen 15/21 = 5/7 → 7/15 ≈ 0.467 < 0.5.
 * - cost: 60, 60, 120 over 6 successes → 10, 10, 20: rotation 3 +100%; value 1.
 * - cycle: rotation 0 starts day 0, rotation 1 day 19 → 19.0 days.
 * - persisting: grasp targeted in 1 and 2; rate 3/10 in rotation 1 and 3/10 after (rotation 3) → ratio 1.
 * - coverage by rotation 3: grasp (9 failures) covered, collision (3) not → 1/2.
 * - data efficiency: success 0.6 at 4, 17 and 30 prior episodes → slope 0.
 */
function sickLog(): Ep[] {
  const deploy = (rot: number, day: number): Ep[] => [
    ...times(5, { rot, outcome: 'success', policy: `v${rot}`, day, inDist: true }),
    ...times(1, { rot, outcome: 'success', policy: `v${rot}`, day, inDist: false }),
    ...times(2, { rot, outcome: 'failure', mode: 'grasp_failure', policy: `v${rot}`, day, inDist: true }),
    ...times(1, { rot, outcome: 'failure', mode: 'grasp_failure', policy: `v${rot}`, day, inDist: false }),
    ...times(1, { rot, outcome: 'failure', mode: 'collision', policy: `v${rot}`, day, inDist: false }),
  ];
  return [...seed(0), ...deploy(1, 19), ...targeted(1, 'grasp_failure', 3, 25), ...deploy(2, 29), ...targeted(2, 'grasp_failure', 3, 33), ...deploy(3, 35), ...times(1, { rot: 3, outcome: 'success', tags: 'seed', day: 38 })];
}

/*
 * Healthy: success 6/10 → 8/10 → 9/10; grasp failures 3 → 1 → 0, collision 1 → 1 → 1 (3 in all).
 * Targeted: grasp ×3 in rotations 1 and 2, collision ×3 in rotation 1 (so only grasp has two collections).
 * - success_flat: gains +20 and +10 points; value 0.1.
 * - generalisation: unseen 5/6, seen 18/24 = 3/4 → (5/6)/(3/4) = 10/9.
 * - cost: 60, 70, 80 → 10, 8.75, 8.888…: largest rise 80/9 ÷ 8.75 − 1 = 0.015873… < 0.1.
 * - cycle: 10, 10, 10 days, then rotation 3 runs from day 30 to day 34 (4 days); value 10.
 * - persisting: grasp 3/10 before, 0/10 after → 0.
 * - coverage by rotation 3: grasp (4 failures) and collision (3) both have ≥ 3 targeted demos → 1.
 * - efficiency: success 0.6, 0.8, 0.9 at 4, 20, 33 prior episodes: slope = Sxy/Sxx = 4.4/422 per episode
 *   = 104.27 points per 100 episodes.
 */
function healthyLog(): Ep[] {
  const deploy = (rot: number, day: number, ok: number, grasp: number, unseenOk: number): Ep[] => [
    ...times(ok - unseenOk, { rot, outcome: 'success', policy: `v${rot}`, day, inDist: true }),
    ...times(unseenOk, { rot, outcome: 'success', policy: `v${rot}`, day, inDist: false }),
    ...times(2 - unseenOk, { rot, outcome: 'failure', mode: 'grasp_failure', policy: `v${rot}`, day, inDist: false }),
    ...times(grasp - (2 - unseenOk), { rot, outcome: 'failure', mode: 'grasp_failure', policy: `v${rot}`, day, inDist: true }),
    ...times(1, { rot, outcome: 'failure', mode: 'collision', policy: `v${rot}`, day, inDist: true }),
  ];
  return [
    ...seed(0),
    ...deploy(1, 10, 6, 3, 1),
    ...targeted(1, 'grasp_failure', 3, 15),
    ...targeted(1, 'collision', 3, 15),
    ...deploy(2, 20, 8, 1, 2),
    ...targeted(2, 'grasp_failure', 3, 25),
    ...deploy(3, 30, 9, 0, 2),
    ...times(1, { rot: 3, outcome: 'success', tags: 'seed', day: 34 }),
  ];
}

beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  await createLog('sick', sickLog());
  await createCosts('sick_costs', [40, 60, 60, 120]);
  await createLog('healthy', healthyLog());
  await createCosts('healthy_costs', [40, 60, 70, 80]);
});

describe('red flags, by hand', () => {
  it('the sick flywheel raises all seven, with the hand-computed values', async () => {
    const f = await flags(form('sick', 'sick_costs'));
    for (const flag of RED_FLAGS) expect(f[flag].raised, flag).toBe(true);
    expect(f.success_flat.value).toBe(0);
    expect(f.success_flat.evidence).toBe('rotation 2: 60.0% → 60.0% (+0.0 points) after 13 new episodes; rotation 3: 60.0% → 60.0% (+0.0 points) after 13 new episodes');
    expect(f.generalisation.value).toBeCloseTo(7 / 15, 12);
    expect(f.cost_per_success_rising.value).toBeCloseTo(1, 12);
    expect(f.cost_per_success_rising.evidence).toBe('rotation 3: 20.00 per successful episode vs 10.00 in rotation 2 (+100%)');
    expect(f.cycle_time.value).toBe(19);
    expect(f.cycle_time.evidence).toBe('rotation 0: 19.0 days');
    expect(f.persisting_failure_mode.value).toBeCloseTo(1, 12);
    expect(f.persisting_failure_mode.evidence).toMatch(/^grasp_failure: 30\.0% of deployments in rotation 1 \(before targeted data\), 30\.0% in rotation 3 \(after the 2nd targeted collection, rotation 2\); targeted in rotations 1, 2$/);
    expect(f.failure_mode_coverage.value).toBe(0.5);
    expect(f.failure_mode_coverage.evidence).toBe('By rotation 3: 1 of 2 identified modes have targeted data; none for collision.');
    expect(f.data_efficiency_flat.value).toBeCloseTo(0, 9);
  });

  it('the healthy flywheel raises none, with the hand-computed values', async () => {
    const f = await flags(form('healthy', 'healthy_costs'));
    for (const flag of RED_FLAGS) expect(f[flag].raised, flag).toBe(false);
    expect(f.success_flat.value).toBeCloseTo(0.1, 12);
    expect(f.generalisation.value).toBeCloseTo(10 / 9, 12);
    expect(f.cost_per_success_rising.value).toBeCloseTo(80 / 9 / 8.75 - 1, 12);
    expect(f.cycle_time.value).toBe(10);
    expect(f.persisting_failure_mode.value).toBe(0);
    expect(f.failure_mode_coverage.value).toBe(1);
    expect(f.data_efficiency_flat.value).toBeCloseTo((4.4 / 422) * 10000, 9);
  });

  it('thresholds are form fields: a stricter generalisation level raises it on the healthy log', async () => {
    const fm = form('healthy', 'healthy_costs');
    fm.thresholds.minGeneralisation = 1.2;
    expect((await flags(fm)).generalisation.raised).toBe(true);
  });

  it('says what is missing instead of guessing: no in-distribution column, no cost sheet, too few rotations', async () => {
    const fm = form('healthy', 'healthy_costs');
    fm.columns.inDistributionColumn = null;
    fm.costs = null;
    fm.thresholds.coverageByRotation = 9;
    const f = await flags(fm);
    expect(f.generalisation.raised).toBeNull();
    expect(f.generalisation.evidence).toMatch(/Map an in-distribution column/);
    expect(f.cost_per_success_rising.raised).toBeNull();
    expect(f.cost_per_success_rising.evidence).toMatch(/No cost sheet is mapped/);
    expect(f.failure_mode_coverage.raised).toBeNull();
    expect(f.failure_mode_coverage.evidence).toMatch(/reach rotation 3; this flag looks at rotation 9/);
  });

  it('a cost sheet line without an amount makes the cost flag unknown and names the line', async () => {
    await engine.exec(`CREATE TABLE holey_costs AS SELECT * FROM (VALUES (0, 40::DOUBLE, 'seed'), (1, NULL, 'robot time'), (2, 70, 'x'), (3, 80, 'y')) v(rotation, amount_usd, description)`);
    const fm = form('healthy', 'holey_costs');
    fm.costs!.descriptionColumn = 'description';
    const f = await flags(fm);
    expect(f.cost_per_success_rising.raised).toBeNull();
    expect(f.cost_per_success_rising.evidence).toBe('The cost sheet has lines without a usable cost: line 2 (rotation 1) "robot time": no amount_usd and nothing to compute it from: fill in amount_usd.');
  });

  it('validates the form', () => {
    const fm = form('healthy', 'healthy_costs');
    fm.columns.rotationFrom = 'week' as never;
    fm.thresholds.maxCycleDays = 0;
    const errors = validateRedFlagsForm(fm).join(' ');
    expect(errors).toMatch(/rotationFrom must be one of column, policy, timestamp/);
    expect(errors).toMatch(/maxCycleDays must be a number more than 0/);
    // An unmapped rotation is no form error: the capability check says what to add (analysis-sample.test.ts).
    expect(validateRedFlagsForm({ ...form('healthy', 'healthy_costs'), columns: { ...fm.columns, rotationFrom: 'column', rotationColumn: null } })).toEqual([]);
  });
});

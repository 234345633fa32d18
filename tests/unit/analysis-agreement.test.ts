/**
 * Cohen's kappa by hand. The textbook case: 50 episodes, A and B both say success on 20, A success / B
 * failure on 5, A failure / B success on 10, both failure on 15. pₒ = 35/50 = 0.7; A says success on
 * 25/50, B on 30/50, so pₑ = 0.5·0.6 + 0.5·0.4 = 0.5 and κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import { agreementSql, cohensKappa, confusionSql, defaultAgreementForm, pairLabels, toOutcome, type LabelRow } from '../../src/lib/analysis';

const A: string[] = [];
const B: string[] = [];
for (const [a, b, n] of [['success', 'success', 20], ['success', 'failure', 5], ['failure', 'success', 10], ['failure', 'failure', 15]] as const) {
  for (let k = 0; k < n; k++) {
    A.push(a);
    B.push(b);
  }
}

let engine: Engine;
beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  const rows: string[] = [];
  A.forEach((a, i) => {
    rows.push(`('ann', ${i}, '${a}')`, `('bob', ${i}, '${B[i]}')`, `('cat', ${i}, '${a}')`);
  });
  // A label bob never gave (episode 99: only ann) and a duplicate label from ann (kept: first in sort order).
  rows.push(`('ann', 99, 'failure')`, `('ann', 0, 'zzz')`);
  await engine.exec(`CREATE TABLE ann AS SELECT * FROM (VALUES ${rows.join(', ')}) v(annotator, episode_index, label)`);
});

describe('cohensKappa (TS)', () => {
  it('computes the textbook example and its confusion matrix', () => {
    const k = cohensKappa(A, B);
    expect(k.n).toBe(50);
    expect(k.labels).toEqual(['failure', 'success']);
    expect(k.matrix).toEqual([
      [15, 10],
      [5, 20],
    ]);
    expect(k.observed).toBeCloseTo(0.7, 15);
    expect(k.expected).toBeCloseTo(0.5, 15);
    expect(k.kappa).toBeCloseTo(0.4, 15);
  });

  it('is 1 for identical labels, and undefined (null, with a note) when both use one label throughout', () => {
    expect(cohensKappa(A, A).kappa).toBe(1);
    const same = cohensKappa(['success', 'success'], ['success', 'success']);
    expect(same.kappa).toBeNull();
    expect(same.note).toMatch(/undefined/);
    expect(cohensKappa([], []).kappa).toBeNull();
  });

  it('skips pairs with a missing label and refuses lists of different length', () => {
    expect(cohensKappa(['a', null, 'b'], ['a', 'b', '']).n).toBe(1);
    expect(() => cohensKappa(['a'], [])).toThrow(/align them by episode/);
  });

  it('aligns two annotators by episode and collapses categories to success/failure', () => {
    const rows: LabelRow[] = [
      { annotator: 'x', episode_index: 2, label: 'grasp_failure' },
      { annotator: 'x', episode_index: 1, label: 'success' },
      { annotator: 'y', episode_index: 1, label: 'success' },
      { annotator: 'y', episode_index: 2, label: 'collision' },
      { annotator: 'y', episode_index: 3, label: 'success' },
    ];
    const p = pairLabels(rows, 'x', 'y');
    expect(p).toEqual({ episodes: [1, 2], a: ['success', 'grasp_failure'], b: ['success', 'collision'] });
    // pₒ = 1/2; chance only on "success": ½·½ = ¼ → κ = (½ − ¼)/(1 − ¼) = ⅓.
    expect(cohensKappa(p.a, p.b).kappa).toBeCloseTo(1 / 3, 15);
    expect(cohensKappa(p.a.map((l) => toOutcome(l)), p.b.map((l) => toOutcome(l))).kappa).toBe(1);
  });
});

describe('agreement SQL', () => {
  const form = { ...defaultAgreementForm(), table: 'ann' };

  it('gives every pair of annotators n, pₒ, pₑ and κ, matching the TS', async () => {
    const rows = await engine.rows(agreementSql(form));
    expect(rows.map((r) => [r.annotator_a, r.annotator_b, Number(r.n)])).toEqual([
      ['ann', 'bob', 50],
      ['ann', 'cat', 50],
      ['bob', 'cat', 50],
    ]);
    const [ab, ac, bc] = rows;
    expect(Number(ab.observed)).toBeCloseTo(0.7, 15);
    expect(Number(ab.expected)).toBeCloseTo(0.5, 15);
    expect(Number(ab.kappa)).toBeCloseTo(0.4, 15);
    expect(ab.meets_target).toBe(false);
    expect(Number(ac.kappa)).toBe(1);
    expect(ac.meets_target).toBe(true);
    expect(Number(bc.kappa)).toBeCloseTo(cohensKappa(B, A).kappa!, 15);
  });

  it('returns the confusion matrix of each pair', async () => {
    const rows = await engine.rows(confusionSql(form));
    const ab = rows.filter((r) => r.annotator_a === 'ann' && r.annotator_b === 'bob').map((r) => [r.label_a, r.label_b, Number(r.episodes)]);
    expect(ab).toEqual([
      ['failure', 'failure', 15],
      ['failure', 'success', 10],
      ['success', 'failure', 5],
      ['success', 'success', 20],
    ]);
  });

  it('collapses labels to success/failure when asked, and leaves κ empty when it is undefined', async () => {
    await engine.exec(`CREATE TABLE ann2 AS SELECT * FROM (VALUES ('p', 1, 'grasp_failure'), ('q', 1, 'collision'), ('p', 2, 'collision'), ('q', 2, 'collision')) v(annotator, episode_index, label)`);
    const cats = await engine.rows(agreementSql({ ...form, table: 'ann2' }));
    // pₒ = 1/2; p says grasp 1/2, collision 1/2; q collision 2/2 → pₑ = 1/2 → κ = 0.
    expect(Number(cats[0].kappa)).toBe(0);
    const outcome = await engine.rows(agreementSql({ ...form, table: 'ann2', collapseToOutcome: true }));
    // Both "failure" on both episodes: pₑ = 1, κ undefined.
    expect(outcome[0].kappa).toBeNull();
    expect(outcome[0].meets_target).toBeNull();
    expect(Number(outcome[0].observed)).toBe(1);
  });
});

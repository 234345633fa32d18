/**
 * The data-ops jobs on small hand-made episodes whose verdicts are known, in the real DuckDB-WASM: the quality
 * gate's checks (a 2.5 s pause flags and a 1.5 s one does not, a re-approach, time going backwards, …), the
 * review sample (reproducible from its seed, the requested strata and sizes) and its precision/recall with
 * intervals computed by hand, and the drift watch flagging the right week.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from './helpers/node-engine';
import type { Engine } from '../../workers/db/engine';
import {
  defaultDriftWatchForm,
  defaultQualityGateForm,
  defaultReviewSamplingForm,
  driftByWeekSql,
  driftFlagSql,
  qualityChecksSql,
  qualityGateSql,
  reviewEstimateSql,
  reviewSampleSql,
  wilson,
} from '../../src/lib/analysis';

let engine: Engine;
const FPS = 10;

/**
 * Episodes of 12 s at 10 fps: 3 joints sweep slowly (speed ~0.3 rad/s) and a gripper (element 4) is open
 * (0.08). Each episode's SQL expressions bend that baseline: `pause` = [from, to) seconds with the joints held
 * still, gripper closed in given windows, time shifts.
 */
async function makeEpisodes(): Promise<void> {
  const eps: { i: number; name: string; pause?: [number, number]; closed?: [number, number][]; backAt?: number; frozen?: [number, number]; spikeAt?: number; frames?: number; notes?: string }[] = [
    { i: 0, name: 'clean' },
    { i: 1, name: 'pause 2.5 s', pause: [4, 6.5] },
    { i: 2, name: 'pause 1.5 s', pause: [4, 5.5] },
    { i: 3, name: 'one grasp', closed: [[5, 9]] },
    { i: 4, name: 're-approach', closed: [[4, 5], [6.5, 10]] },
    { i: 5, name: 'recovery demo re-grasps on purpose', closed: [[4, 5], [6.5, 10]], notes: 'recovery demo' },
    { i: 6, name: 'time goes backwards', backAt: 60 },
    { i: 7, name: 'frozen frames', frozen: [30, 40] },
    { i: 8, name: 'spike', spikeAt: 70 },
    { i: 9, name: 'ends early', frames: 50 },
  ];
  await engine.exec(`CREATE OR REPLACE TABLE episodes AS SELECT * FROM (VALUES ${eps
    .map((e) => `(${e.i}, ${e.frames ?? 120}, 'pick', NULL::VARCHAR, 'seed', '${e.notes ?? e.name}')`)
    .join(', ')}) t(episode_index, length, task, policy_version, tags, notes)`);
  const parts = eps.map((e) => {
    const t = `(f / ${FPS})`;
    // Held still during a pause: the sweep stops (time inside the pause does not advance the pose).
    const ff = e.frozen ? `CASE WHEN f >= ${e.frozen[0]} AND f < ${e.frozen[1]} THEN ${e.frozen[0]} ELSE f END` : 'f';
    const p = e.pause ? `(${t} - greatest(0, least(${t}, ${e.pause[1]}) - ${e.pause[0]}))` : t;
    const closed = (e.closed ?? []).map(([a, b]) => `(${t} >= ${a} AND ${t} < ${b})`).join(' OR ') || 'false';
    const ts = e.backAt !== undefined ? `CASE WHEN f = ${e.backAt} THEN (f - 2) / ${FPS} ELSE ${t} END` : t;
    const pf = e.frozen ? `(${ff} / ${FPS})` : p;
    const spike = e.spikeAt !== undefined ? `+ CASE WHEN f = ${e.spikeAt} THEN 3.0 ELSE 0 END` : '';
    // Sensor-like jitter (±0.0003) keyed to the recorded frame, so a still arm is not a repeated frame but a
    // frozen recording (the same frame written again) is.
    const jitter = `0.0001 * ((${ff} * 7919) % 7 - 3)`;
    return `SELECT ${e.i} AS episode_index, f AS frame_index, (${ts})::FLOAT AS timestamp,
      [sin(0.3 * ${pf}) + ${jitter} ${spike}, 0.5 * cos(0.3 * ${pf}) - ${jitter}, 0.2 * ${pf} / 12 + ${jitter}, CASE WHEN ${closed} THEN 0.02 ELSE 0.08 END]::FLOAT[] AS "observation.state"
      FROM range(0, ${e.frames ?? 120}) r(f)`;
  });
  await engine.exec(`CREATE OR REPLACE TABLE frames AS ${parts.join(' UNION ALL ')}`);
}

beforeAll(async () => {
  ({ engine } = await createNodeEngine());
  await makeEpisodes();
});

// The same verdicts on both scales: absolute thresholds in radians (as a form shared before `scale` existed
// reads) and thresholds from the data.
describe.each(['units', 'data'] as const)('quality gate (%s scale)', (scale) => {
  const form = {
    ...defaultQualityGateForm(),
    gate: 'policy_version IS NULL',
    jointCount: 3,
    gripperIndex: 4,
    gripperClosedBelow: scale === 'units' ? 0.05 : null,
    reApproachExempt: `notes ILIKE '%recovery%'`,
    hesitationSpeed: 0.05,
    outlierStd: 4,
    spikeSpeed: 5,
    scale,
  };

  it('flags each planted problem with its check, and nothing else', async () => {
    const rows = await engine.rows(qualityChecksSql(form));
    const flagged = rows.filter((r) => r.flagged).map((r) => `${r.episode_index}:${r.check}`);
    expect(flagged.sort()).toEqual(['1:hesitation', '4:re_approach', '6:timestamps', '7:frozen_frames', '8:implausible_value', '8:velocity_spike', '9:incomplete'].sort());
    expect(rows.length).toBe(10 * 7);
  });

  it('explains itself: where and how much', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE quality_checks AS ${qualityChecksSql(form)}`);
    const [h] = await engine.rows(`SELECT at_s, value, explanation FROM quality_checks WHERE episode_index = 1 AND "check" = 'hesitation'`);
    expect(h.at_s).toBeCloseTo(4, 0);
    expect(h.value).toBeCloseTo(2.5, 1);
    expect(h.explanation).toMatch(/for 2\.[45] s from 4\.\d s/);
    const [short] = await engine.rows(`SELECT value FROM quality_checks WHERE episode_index = 2 AND "check" = 'hesitation'`);
    expect(short.value).toBeCloseTo(1.5, 1);
    const [back] = await engine.rows(`SELECT at_s, explanation FROM quality_checks WHERE episode_index = 6 AND "check" = 'timestamps'`);
    // Frame 60 is stamped as frame 58 (5.8 s), 0.1 s before frame 59.
    expect(back.explanation).toMatch(/^Time goes backwards by 0\.100 s at 5\.80 s\./);
    const [re] = await engine.rows(`SELECT value, at_s FROM quality_checks WHERE episode_index = 4 AND "check" = 're_approach'`);
    expect(re).toEqual({ value: 2, at_s: 6.5 });
    const [exempt] = await engine.rows(`SELECT flagged, explanation FROM quality_checks WHERE episode_index = 5 AND "check" = 're_approach'`);
    expect(exempt.flagged).toBe(false);
    expect(exempt.explanation).toMatch(/exempt/);
    const [frozen] = await engine.rows(`SELECT value, at_s FROM quality_checks WHERE episode_index = 7 AND "check" = 'frozen_frames'`);
    expect(frozen).toEqual({ value: 10, at_s: 3 });
    const gate = await engine.rows(qualityGateSql({ ...form }, 'quality_checks').replace('any_value(e.gate)', 'NULL::VARCHAR'));
    expect(gate.filter((g) => g.suggested === 'review').map((g) => g.episode_index).sort()).toEqual([1, 4, 6, 7, 8, 9]);
  });

  it('a threshold in the form changes the verdict (a 1.5 s pause flags at 1 s)', async () => {
    const rows = await engine.rows(qualityChecksSql({ ...form, hesitationSeconds: 1 }));
    expect(rows.filter((r) => r.flagged && r.check === 'hesitation').map((r) => r.episode_index)).toEqual([1, 2]);
  });
});

describe('review sampling', () => {
  beforeAll(async () => {
    // 200 auto-collected episodes over 2 policies; the log's outcome is the auto-label.
    await engine.exec(`CREATE OR REPLACE TABLE ep2 AS SELECT i AS episode_index, CASE WHEN i % 2 = 0 THEN 'v1' ELSE 'v2' END AS policy_version,
      CASE WHEN i % 10 < 8 THEN 'auto-collected' ELSE 'teleop' END AS tags FROM range(0, 250) r(i)`);
    await engine.exec(`CREATE OR REPLACE TABLE log2 AS SELECT episode_index AS episode_id, CASE WHEN episode_index % 3 = 0 THEN 'failure' ELSE 'success' END AS outcome FROM ep2`);
  });
  const form = { ...defaultReviewSamplingForm(), episodesTable: 'ep2', predictedTable: 'log2', reviewsTable: 'rev2', fraction: 0.2, seed: 11 };

  it('is reproducible from its seed, proportional per stratum, and another seed draws another sample', async () => {
    const a = await engine.rows(reviewSampleSql(form));
    const b = await engine.rows(reviewSampleSql(form));
    expect(a).toEqual(b);
    const strata = await engine.rows(`SELECT policy_version, CASE WHEN episode_index % 3 = 0 THEN 'failure' ELSE 'success' END AS predicted, count(*) AS n FROM ep2 WHERE tags = 'auto-collected' GROUP BY ALL`);
    for (const s of strata) {
      const got = a.filter((r) => r.policy_version === s.policy_version && r.predicted === s.predicted).length;
      expect(got, `${s.policy_version}/${s.predicted}`).toBe(Math.max(1, Math.round(0.2 * Number(s.n))));
    }
    expect(a.every((r) => Number(r.episode_index) % 10 < 8)).toBe(true);
    const c = await engine.rows(reviewSampleSql({ ...form, seed: 12 }));
    expect(c.map((r) => r.episode_index)).not.toEqual(a.map((r) => r.episode_index));
  });

  it('estimates precision and recall with Wilson intervals, as computed by hand', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE review_sample AS ${reviewSampleSql(form)}`);
    const sample = await engine.rows('SELECT episode_index, predicted FROM review_sample ORDER BY review_order');
    // Review the first 30: the truth differs from the auto-label on every 4th one.
    const reviewed = sample.slice(0, 30).map((r, i) => ({ ep: Number(r.episode_index), predicted: String(r.predicted), actual: i % 4 === 0 ? (r.predicted === 'success' ? 'failure' : 'success') : String(r.predicted) }));
    await engine.exec(`CREATE OR REPLACE TABLE rev2 AS SELECT * FROM (VALUES ${reviewed.map((r) => `(${r.ep}, 'ann', '${r.actual}', 1000)`).join(', ')}) t(episode_index, annotator, outcome, updated_at_ms)`);
    const est = await engine.rows(reviewEstimateSql(form));
    for (const cls of ['failure', 'success']) {
      const predicted = reviewed.filter((r) => r.predicted === cls).length;
      const actual = reviewed.filter((r) => r.actual === cls).length;
      const correct = reviewed.filter((r) => r.predicted === cls && r.actual === cls).length;
      const row = est.find((e) => e.class === cls)!;
      expect(row).toMatchObject({ reviewed: 30, predicted, actual, correct });
      expect(row.precision).toBeCloseTo(correct / predicted, 12);
      expect(row.recall).toBeCloseTo(correct / actual, 12);
      const [lo, hi] = wilson(correct, predicted)!;
      expect(row.precision_low).toBeCloseTo(lo, 12);
      expect(row.precision_high).toBeCloseTo(hi, 12);
      expect(row.recall_low).toBeCloseTo(wilson(correct, actual)![0], 12);
    }
    // Wilson by hand for 8 of 10: centre (8 + 1.92) / 13.84 ...
    const [lo, hi] = wilson(8, 10)!;
    expect(lo).toBeCloseTo(0.4902, 4);
    expect(hi).toBeCloseTo(0.9433, 4);
  });
});

describe('hardware-drift watch', () => {
  it('flags the first week whose calibration error exceeds the tolerance, and the deployments after it', async () => {
    // Weekly calibrations (weeks starting Monday 2026-01-05): joint 2 drifts 0.2°/week from week 3 on.
    const weeks = 8;
    const rad = (deg: number) => (deg * Math.PI) / 180;
    await engine.exec(`CREATE OR REPLACE TABLE ep3 AS
      SELECT 100 + w AS episode_index, (DATE '2026-01-05' + INTERVAL (7 * w) DAY + INTERVAL 7 HOUR)::TIMESTAMP AS timestamp, 'calibration' AS tags, NULL::VARCHAR AS policy_version FROM range(0, ${weeks}) r(w)
      UNION ALL SELECT 200 + d, (DATE '2026-01-05' + INTERVAL (d) DAY + INTERVAL 10 HOUR)::TIMESTAMP, 'deployment', 'v1' FROM range(0, ${weeks * 7}) r(d)`);
    await engine.exec(`CREATE OR REPLACE TABLE fr3 AS
      SELECT 100 + w AS episode_index, f AS frame_index, [0.1, -0.4, 0.3]::FLOAT[] AS action,
             [0.1, -0.4 + ${rad(0.2)} * greatest(0, w - 3), 0.3 + CASE WHEN f % 10 = 0 THEN 0.05 ELSE 0 END]::FLOAT[] AS "observation.state"
      FROM range(0, ${weeks}) r(w), range(0, 60) s(f)`);
    const form = { ...defaultDriftWatchForm(), episodesTable: 'ep3', framesTable: 'fr3', jointCount: 3, jointNames: ['a', 'b', 'c'] };
    await engine.exec(`CREATE OR REPLACE TABLE drift_by_week AS ${driftByWeekSql(form)}`);
    const b = await engine.rows(`SELECT week::VARCHAR AS week, error_deg, out_of_tolerance FROM drift_by_week WHERE joint = 'b' ORDER BY week`);
    expect(b.map((r) => Math.round(Number(r.error_deg) * 100) / 100)).toEqual([0, 0, 0, 0, 0.2, 0.4, 0.6, 0.8]);
    // Joint c's occasional 0.05 rad blips do not move its median.
    const c = await engine.rows(`SELECT max(abs(error_deg)) AS m FROM drift_by_week WHERE joint = 'c'`);
    expect(c[0].m).toBeLessThan(1e-4);
    const [flag] = await engine.rows(driftFlagSql(form));
    // 0.6° in week 6 (Monday 2026-02-16) is the first over 0.5°.
    expect((flag.first_week_out_of_tolerance as Date).toISOString().slice(0, 10)).toBe('2026-02-16');
    expect(flag.joints).toEqual(['b']);
    expect(flag.deployments_after).toBe(14);
    expect(flag.deployment_episodes).toEqual(Array.from({ length: 14 }, (_, i) => 242 + i));
  });
});

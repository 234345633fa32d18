/**
 * The quality gate and drift watch on data the demo does not look like, in the real DuckDB-WASM: hand-made
 * teleop episodes in degrees at 30 fps from a quantized servo (a still arm repeats its value exactly), where the
 * absolute thresholds of the units scale flag every clean episode and the data scale flags only the planted
 * defects; the real G1 sample (26 joints, 30 fps) and the DROID-schema fixture, whose clean demos are not
 * flagged; and the drift watch reading degrees or radians from the values.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource, SAMPLES } from './helpers/fs-source';
import type { Engine } from '../../workers/db/engine';
import { Workspace } from '../../workers/db/workspace';
import { ipcToResult } from '../../src/lib/db/arrow';
import { defaultDriftWatchForm, defaultQualityGateForm, driftByWeekSql, qualityChecksSql, unitFromNames, type QualityGateForm } from '../../src/lib/analysis';

const FPS = 30;
/** One servo tick in degrees (4096 ticks per turn). */
const TICK = 360 / 4096;
const CLEAN = 12;
let engine: Engine;

/**
 * SO-101-like episodes: 5 joints in degrees sweeping with amplitudes 40–90° (peak speeds ~300°/s), a gripper
 * (element 6) in percent open, 1.5 s held still at the start (the operator settles), quantized to servo ticks.
 * Episodes 0–11 are clean; 12–16 each carry one defect.
 */
async function makeDegreeEpisodes(): Promise<void> {
  type Ep = { i: number; pause?: [number, number]; frozen?: [number, number]; glitchAt?: number; backAt?: number; seconds?: number };
  const eps: Ep[] = [
    ...Array.from({ length: CLEAN }, (_, i) => ({ i })),
    { i: 12, pause: [4, 6.5] },
    // The recorder wrote one frame again for 4 s while the arm moved on.
    { i: 13, frozen: [120, 240] },
    { i: 14, glitchAt: 150 },
    { i: 15, backAt: 200 },
    { i: 16, seconds: 4 },
  ];
  await engine.exec(`CREATE OR REPLACE TABLE episodes AS SELECT * FROM (VALUES ${eps
    .map((e) => `(${e.i}, ${(e.seconds ?? 10) * FPS}, 'pick the cube')`)
    .join(', ')}) t(episode_index, length, task)`);
  const parts = eps.map((e) => {
    const n = (e.seconds ?? 10) * FPS;
    const ff = e.frozen ? `CASE WHEN f >= ${e.frozen[0]} AND f < ${e.frozen[1]} THEN ${e.frozen[0]} ELSE f END` : 'f';
    // Motion time: still for the first 1.5 s, and during a pause.
    const t0 = `greatest(0, ${ff} / ${FPS} - 1.5)`;
    const t = e.pause ? `(${t0} - greatest(0, least(${t0}, ${e.pause[1] - 1.5}) - ${e.pause[0] - 1.5}))` : t0;
    const ph = `${e.i * 0.37}`;
    const joints = [90, 60, 70, 40, 50].map((amp, j) => `round((${amp} * sin(${1.2 + 0.5 * j} * ${t} + ${ph} * ${j + 1}) - ${amp} * sin(${ph} * ${j + 1})) / ${TICK}) * ${TICK}`);
    if (e.glitchAt !== undefined) joints[1] = `${joints[1]} + CASE WHEN f = ${e.glitchAt} THEN 60 ELSE 0 END`;
    const gripper = `CASE WHEN ${t} BETWEEN 3 AND 6 THEN 5 ELSE 60 END`;
    const ts = e.backAt !== undefined ? `CASE WHEN f = ${e.backAt} THEN (f - 2) / ${FPS} ELSE f / ${FPS} END` : `f / ${FPS}`;
    return `SELECT ${e.i} AS episode_index, f AS frame_index, (${ts})::FLOAT AS timestamp,
      [${joints.join(', ')}, ${gripper}]::FLOAT[] AS "observation.state"
      FROM range(0, ${n}) r(f)`;
  });
  await engine.exec(`CREATE OR REPLACE TABLE frames AS ${parts.join(' UNION ALL ')}`);
}

const degreeForm = (scale: 'data' | 'units'): QualityGateForm => ({ ...defaultQualityGateForm(), gate: 'true', reApproachExempt: 'false', jointCount: 5, gripperIndex: 6, scale });

beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
  await makeDegreeEpisodes();
});

describe('quality gate on teleop episodes in degrees at 30 fps', () => {
  it('the units scale (radian thresholds) flags every clean episode: the problem the data scale solves', async () => {
    const rows = await engine.rows(qualityChecksSql(degreeForm('units')));
    const spiky = new Set(rows.filter((r) => r.flagged && r.check === 'velocity_spike').map((r) => Number(r.episode_index)));
    for (let i = 0; i < CLEAN; i++) expect(spiky.has(i), `episode ${i}`).toBe(true);
  });

  it('the data scale flags each planted defect with its check, and no clean episode', async () => {
    const rows = await engine.rows(qualityChecksSql(degreeForm('data')));
    const flagged = rows.filter((r) => r.flagged).map((r) => `${r.episode_index}:${r.check}`).sort();
    // The frozen recording holds the arm for 4 s, which is also a hesitation; the 60° glitch stays inside the
    // joint's range (not an implausible value) but jumps out and back at ~10× its fastest step.
    expect(flagged).toEqual(['12:hesitation', '13:frozen_frames', '13:hesitation', '14:velocity_spike', '15:timestamps', '16:incomplete'].sort());
  });

  it('says which scale it used', async () => {
    await engine.exec(`CREATE OR REPLACE TABLE qc AS ${qualityChecksSql(degreeForm('data'))}`);
    const say = async (ep: number, check: string) => String((await engine.rows(`SELECT explanation FROM qc WHERE episode_index = ${ep} AND "check" = '${check}'`))[0].explanation);
    expect(await say(14, 'velocity_spike')).toMatch(/^Joint 2 jumped 5\d\.\d and straight back at 5\.00 s: [\d.]+ × its usual fastest one-frame step \(99th percentile over the gated demos, [\d.]+\); limit 3\.$/);
    expect(await say(0, 'velocity_spike')).toMatch(/^(No joint jumps|Joint \d jumped)/);
    expect(await say(12, 'hesitation')).toMatch(/below 0\.15 × the gated demos' median speed, [\d.]+ state units per second\) for 2\.\d s from 4\.\d s/);
    // A quantized sensor repeats values while still (1.5 s at the start of every episode), so the frozen limit
    // is twice the typical longest repeat (45 frames), not the form's 8.
    expect(await say(0, 'frozen_frames')).toMatch(/^\d+ identical frames in a row from 0\.00 s \(limit 9\d: these demos repeat values exactly while still/);
    expect(await say(13, 'frozen_frames')).toMatch(/^120 identical frames in a row from 4\.00 s/);
    expect(await say(3, 're_approach')).toMatch(/closed below 32\.5: the middle of its observed range\) closed 1 times\./);
  });
});

describe('quality gate on real datasets: clean demos are not flagged', () => {
  for (const [name, dir, joints] of [
    ['the G1 sample (26 joints, 30 fps)', path.join(SAMPLES, 'lerobot/v21_unitree-g1_G1-policy-train'), 26],
    ['the DROID-schema fixture (7 joints, 15 fps)', path.resolve(import.meta.dirname, '../fixtures/datasets/droid_mini'), 7],
  ] as const) {
    it(name, async () => {
      const ws = new Workspace((await createNodeEngine()).engine);
      await ws.openDataset(await folderSource(dir));
      await ws.linkEpisodes();
      const form: QualityGateForm = { ...defaultQualityGateForm(), gate: 'true', reApproachExempt: 'false', jointCount: joints, gripperIndex: null };
      await ws.runCell('qc_real', qualityChecksSql(form), 1);
      const rows = ipcToResult((await ws.query(`SELECT count(DISTINCT episode_index)::INT AS gated, count(DISTINCT episode_index) FILTER (WHERE flagged)::INT AS flagged FROM qc_real`, 2)).ipc).rows;
      expect(rows[0].gated).toBeGreaterThan(20);
      expect(rows[0].flagged).toBe(0);
    }, 120_000);
  }
});

describe('drift watch units', () => {
  beforeAll(async () => {
    // Weekly calibrations in degrees: joint b is 1° off from week 2 on (0.0175 rad would look like 1° too).
    await engine.exec(`CREATE OR REPLACE TABLE ep4 AS SELECT 10 + w AS episode_index, (DATE '2026-01-05' + INTERVAL (7 * w) DAY)::TIMESTAMP AS timestamp, 'calibration' AS tags, NULL::VARCHAR AS policy_version FROM range(0, 4) r(w)`);
    await engine.exec(`CREATE OR REPLACE TABLE fr4 AS SELECT 10 + w AS episode_index, f AS frame_index, [45.0, -90.0, 120.0]::FLOAT[] AS action,
      [45.0, -90.0 + CASE WHEN w >= 2 THEN 1 ELSE 0 END, 120.0]::FLOAT[] AS "observation.state" FROM range(0, 4) r(w), range(0, 30) s(f)`);
  });
  const form = { ...defaultDriftWatchForm(), episodesTable: 'ep4', framesTable: 'fr4', jointCount: 3, jointNames: ['a', 'b', 'c'] };

  it('reads degrees from values beyond ±2π and says so', async () => {
    const rows = await engine.rows(`${driftByWeekSql(form)}`);
    const b = rows.filter((r) => r.joint === 'b').map((r) => Math.round(Number(r.error_deg) * 1000) / 1000);
    expect(b).toEqual([0, 0, 1, 1]);
    expect(rows.filter((r) => r.out_of_tolerance).map((r) => r.joint)).toEqual(['b', 'b']);
    expect(String(rows[0].unit)).toMatch(/^degrees \(read from the data: joint values up to 120\.0/);
  });

  it('the same calibrations with the unit set to radians read 1° as 57°', async () => {
    const rows = await engine.rows(driftByWeekSql({ ...form, unit: 'rad' }));
    expect(Number(rows.find((r) => r.joint === 'b' && r.out_of_tolerance)!.error_deg)).toBeCloseTo(57.3, 1);
    expect(rows[0].unit).toBe('radians (set in the form)');
  });

  it('names in info.json that state a unit', () => {
    expect(unitFromNames(['shoulder_pan.pos_deg', 'elbow_deg'])).toBe('deg');
    expect(unitFromNames(['joint1 (rad)', 'joint2 (rad)', 'gripper'])).toBe('rad');
    expect(unitFromNames(['kLeftElbow', 'kRadius'])).toBeNull();
    expect(unitFromNames(['a_deg', 'b_rad'])).toBeNull();
  });
});

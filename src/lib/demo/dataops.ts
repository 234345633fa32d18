/**
 * What the data-ops jobs should find in the demo, planted on purpose (issue 10):
 *
 * - **Flawed demonstrations**: a few teleop demos of the seed round, each with one defect a quality gate must
 *   catch: a 2.5 s hesitation, a re-approach after a failed grasp (close, open, close), time going backwards,
 *   frozen (duplicated) frames, a physically implausible joint value, and an episode that ends early.
 * - **Hardware drift**: weekly calibration episodes (the arm holds reference poses; commanded = `action`,
 *   measured = `observation.state`) in which one joint's encoder drifts, crossing the 0.5° tolerance in a
 *   known week.
 *
 * They are appended after the flywheel's episodes (indexes after the last deployment), so every earlier
 * episode, the policies' training coverage and the plan's success curve are exactly as before; their log rows
 * carry their real times. Defects are applied to rendered frames by {@link applyDefect}, drift by
 * {@link applyDrift}: the script stays an ordinary script, so the renderer is unchanged.
 */
import { DAY_MS, parseDate } from './calendar.ts';
import { OBJECT_TYPES, sampleSeedConditions } from './conditions.ts';
import type { EpisodePlan, FlywheelPlan } from './flywheel.ts';
import { pickTeleopOperator, operatorPace } from './notes.ts';
import { GRIPPER_OPEN, HOME, addScaled } from './poses.ts';
import { createRng } from './rng.ts';
import { buildScript, type MotionScript } from './script.ts';
import { DIM } from './trajectory.ts';

/** The defects planted in demonstrations, one episode each. */
export const DEFECTS = ['hesitation', 're_approach', 'time_backwards', 'frozen_frames', 'implausible_joint', 'incomplete'] as const;
/** One of {@link DEFECTS}. */
export type Defect = (typeof DEFECTS)[number];

/** What {@link appendDataOpsEpisodes} planted. */
export interface DataOpsPlanted {
  flawed: { episode_index: number; defect: Defect }[];
  calibration: { episode_index: number; week: number; drift_deg: number }[];
}

/** The task text of calibration episodes (task_index = number of object types). */
export const CALIBRATION_TASK = 'Calibrate: hold the reference poses';
/** The joint whose encoder drifts (0-based index into the 7 arm joints: panda_joint4). */
export const DRIFT_JOINT = 3;
/** Calibration tolerance, degrees. */
export const DRIFT_TOLERANCE_DEG = 0.5;
/** Drift per week after it starts, degrees. */
const DRIFT_PER_WEEK_DEG = 0.17;
/** Calibration week (0-based) after which the encoder starts drifting. */
const DRIFT_START_WEEK = 5;
/** Frames of the hesitation pause (2.53 s at 15 fps: over the gate's 2 s default). */
const PAUSE_FRAMES = 38;
/** Frames the frozen-frames defect repeats. */
const FROZEN_FRAMES = 12;

// Streams of their own: adding these never changes a draw of the flywheel's episodes.
const STREAM_DATAOPS = 11;

/** The drift of the drifting joint in calibration week `week`, degrees. */
export function driftDeg(week: number): number {
  return Math.max(0, week - DRIFT_START_WEEK) * DRIFT_PER_WEEK_DEG;
}

/** The first calibration week whose drift exceeds the tolerance. */
export function firstWeekOutOfTolerance(): number {
  let w = 0;
  while (driftDeg(w) <= DRIFT_TOLERANCE_DEG) w++;
  return w;
}

/** Inserts `frames` frames holding the pose of key `k` (shifting later keys, holds and onsets). */
function insertPause(s: MotionScript, k: number, frames: number): MotionScript {
  const at = s.keys[k].frame;
  const keys = [...s.keys.slice(0, k + 1), { ...s.keys[k], frame: at + frames }, ...s.keys.slice(k + 1).map((x) => ({ ...x, frame: x.frame + frames }))];
  const shift = (f: number) => (f > at ? f + frames : f);
  return { ...s, keys, length: s.length + frames, hold: s.hold.map(([a, b]) => [shift(a), shift(b)] as [number, number]), onsetFrame: s.onsetFrame < 0 ? -1 : shift(s.onsetFrame) };
}

/**
 * Close on nothing, reopen, close again: at the key where the gripper first closes, the fingers close fully
 * (the object is not yet in the hand), open, and close again before the original grasp continues.
 */
function insertReApproach(s: MotionScript): MotionScript {
  const k = s.keys.findIndex((x) => x.grip < GRIPPER_OPEN / 2);
  const at = s.keys[k].frame;
  const extra = 30;
  const q = s.keys[k].q;
  // The operator backs off a little while reopening, then comes down again.
  const up = addScaled(q, [0, -0.12, 0, -0.08, 0, 0, 0], 1);
  const keys = [
    ...s.keys.slice(0, k + 1),
    { frame: at + 14, q: up, grip: GRIPPER_OPEN },
    { frame: at + extra, q, grip: 0 },
    ...s.keys.slice(k + 1).map((x) => ({ ...x, frame: x.frame + extra })),
  ];
  const shift = (f: number) => (f >= at ? f + extra : f);
  return { ...s, keys, length: s.length + extra, hold: s.hold.map(([a, b]) => [shift(a), shift(b)] as [number, number]) };
}

/** A calibration script: home, then three reference poses held 3 s each, then home; gripper open throughout. */
function calibrationScript(): MotionScript {
  const poses = [HOME, [0.4, -0.3, 0.1, -2.0, 0.1, 1.8, 0.785], [-0.4, -0.2, -0.1, -1.7, -0.1, 1.5, 0.785], [0, 0.1, 0, -1.4, 0, 1.5, 0.785], HOME];
  const keys: MotionScript['keys'] = [];
  let f = 0;
  for (const q of poses) {
    keys.push({ frame: f, q: [...q], grip: GRIPPER_OPEN });
    keys.push({ frame: f + 45, q: [...q], grip: GRIPPER_OPEN });
    f += 60;
  }
  return { length: f - 15, keys, objectWidth: GRIPPER_OPEN, hold: [], collisionFrame: -1, erratic: null, onsetFrame: -1, actionNoise: 0 };
}

/**
 * Appends the flawed demonstrations and the calibration episodes to a plan (in place), and returns what was
 * planted. Calibration runs weekly from the start date until the last rotation's end.
 */
export function appendDataOpsEpisodes(plan: FlywheelPlan): DataOpsPlanted {
  const seed = plan.config.seed;
  const seedRound = plan.rotations[0];
  const flawed: { episode_index: number; defect: Defect }[] = [];
  DEFECTS.forEach((defect, i) => {
    const rng = createRng(seed, STREAM_DATAOPS, 1, i);
    const cond = sampleSeedConditions(rng);
    const operator = pickTeleopOperator(rng, 0);
    let script = buildScript({ cond, source: 'teleop', mechanism: null, recoveryDemo: false, pace: operatorPace(operator, 0) }, createRng(seed, STREAM_DATAOPS, 2, i));
    if (defect === 'hesitation') script = insertPause(script, 2, PAUSE_FRAMES);
    else if (defect === 're_approach') script = insertReApproach(script);
    else if (defect === 'incomplete') script = { ...script, length: Math.floor(script.length * 0.45) };
    const ep = base(plan, {
      kind: 'seed',
      rotation: 0,
      conditions: cond,
      task_index: OBJECT_TYPES.indexOf(cond.object_type),
      tags: ['seed'],
      operator,
      notes: 'teleop demo',
      // Late in the seed round, one an hour: ordinary-looking sessions.
      start_ms: seedRound.end_ms - DAY_MS + (i + 1) * 3_600_000,
      script,
    });
    ep.defect = defect;
    plan.episodes.push(ep);
    flawed.push({ episode_index: ep.episode_index, defect });
  });

  const calibration: { episode_index: number; week: number; drift_deg: number }[] = [];
  const end = plan.rotations[plan.rotations.length - 1].end_ms;
  const start = parseDate(plan.config.startDate);
  for (let week = 0; start + week * 7 * DAY_MS < end; week++) {
    const rng = createRng(seed, STREAM_DATAOPS, 3, week);
    const t = start + week * 7 * DAY_MS + 7 * 3_600_000; // Mondays, 07:00 UTC, before the day's sessions
    let rotation = 0;
    for (const r of plan.rotations) if (r.start_ms <= t) rotation = r.rotation;
    const ep = base(plan, {
      kind: 'calibration',
      rotation,
      conditions: sampleSeedConditions(rng),
      task_index: OBJECT_TYPES.length,
      tags: ['calibration'],
      operator: 'calibration',
      notes: 'weekly calibration',
      start_ms: t,
      script: calibrationScript(),
    });
    ep.drift = { joint: DRIFT_JOINT, rad: (driftDeg(week) * Math.PI) / 180 };
    plan.episodes.push(ep);
    calibration.push({ episode_index: ep.episode_index, week, drift_deg: Math.round(driftDeg(week) * 1000) / 1000 });
  }
  plan.totalFrames = plan.episodes.reduce((s, e) => s + e.script.length, 0);
  return { flawed, calibration };
}

function base(plan: FlywheelPlan, p: Pick<EpisodePlan, 'kind' | 'rotation' | 'conditions' | 'task_index' | 'tags' | 'operator' | 'notes' | 'start_ms' | 'script'>): EpisodePlan {
  return {
    episode_index: plan.episodes.length,
    policy_version: null,
    in_distribution: false,
    mechanism: null,
    failure_label: null,
    onset_frame: null,
    onset_s: null,
    failure_probability: null,
    targeted_mechanism: null,
    recovery_demo: false,
    ...p,
  };
}

/**
 * Applies an episode's defect to its rendered frames (`n` frames at `off` in frame-major buffers of `DIM`
 * values). Hesitation, re-approach and early end live in the script; the rest are damage to the recording.
 */
export function applyDefect(defect: Defect | undefined, n: number, off: number, state: Float32Array, action: Float32Array, timestamp: Float32Array): void {
  if (defect === 'time_backwards') {
    // A clock step back: one frame stamped before its predecessor.
    const k = off + Math.floor(n / 2);
    timestamp[k] = timestamp[k - 2];
  } else if (defect === 'frozen_frames') {
    // The recorder repeated a frame: identical state and action over FROZEN_FRAMES frames at the start.
    for (let t = 1; t < FROZEN_FRAMES; t++) {
      state.copyWithin((off + t) * DIM, off * DIM, (off + 1) * DIM);
      action.copyWithin((off + t) * DIM, off * DIM, (off + 1) * DIM);
    }
  } else if (defect === 'implausible_joint') {
    // One frame with a joint 2.5 rad away from where it was: an encoder glitch, not a motion.
    const k = off + Math.floor(n * 0.6);
    state[k * DIM + 1] += 2.5;
  }
}

/** Adds a calibration episode's encoder drift to the measured joint (commands are unaffected). */
export function applyDrift(drift: { joint: number; rad: number } | undefined, n: number, off: number, state: Float32Array): void {
  if (!drift || drift.rad === 0) return;
  for (let t = 0; t < n; t++) state[(off + t) * DIM + drift.joint] = Math.fround(state[(off + t) * DIM + drift.joint] + drift.rad);
}


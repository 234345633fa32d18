/**
 * Render a motion script into per-frame `action` and `observation.state` signals (8 floats each:
 * 7 joints in rad, then gripper width in m), interleaved row-major in Float32Arrays.
 *
 * - action: the commanded joint targets (min-jerk between keyframes) plus smooth noise; the gripper
 *   action is the width command (0 = close, 0.08 = open).
 * - state: the arm follows the previous action with a first-order lag; the gripper moves at a limited
 *   speed and stops at the object's width while it holds the object, else closes fully.
 *
 * Values are quantised (2^-12 rad, 2^-14 m), like an encoder, which also lets zstd compress the
 * frames to a fraction of their raw size: the bundled demo must stay small.
 */
import type { Rng } from './rng.ts';
import { GRIPPER_STEP, type MotionScript } from './script.ts';
import { GRIPPER_OPEN, JOINT_LIMITS } from './poses.ts';

/** Values per frame in observation.state and action. */
export const DIM = 8;
const JOINTS = 7;
const Q_JOINT = 1 / 4096;
const Q_GRIP = 1 / 16384;
/** Share of the remaining distance the arm covers per frame (position controller lag). */
const FOLLOW = 0.55;
/** Encoder noise of the measured joints (rad). */
const SENSOR_NOISE = 0.00025;

/** One episode's signals, `length × DIM` floats each, frame-major. */
export interface EpisodeSignals {
  length: number;
  state: Float32Array;
  action: Float32Array;
}

function minJerk(tau: number): number {
  return tau * tau * tau * (10 + tau * (-15 + 6 * tau));
}

function quantize(x: number, q: number): number {
  return Math.round(x / q) * q;
}

/**
 * Render a script. `state` and `action` may be given to write into existing buffers (at offset 0) —
 * the streaming writer reuses one buffer per row group instead of allocating per episode.
 */
export function renderTrajectory(
  script: MotionScript,
  rng: Rng,
  out?: { state: Float32Array; action: Float32Array; offset: number },
): EpisodeSignals {
  const n = script.length;
  const state = out ? out.state : new Float32Array(n * DIM);
  const action = out ? out.action : new Float32Array(n * DIM);
  const base = out ? out.offset * DIM : 0;
  const keys = script.keys;

  // Nominal commands.
  const aq = new Float64Array(n * JOINTS);
  const gc = new Float64Array(n);
  let k = 0;
  for (let t = 0; t < n; t++) {
    while (k + 1 < keys.length && keys[k + 1].frame <= t) k++;
    const a = keys[k];
    const b = k + 1 < keys.length ? keys[k + 1] : null;
    const s = b ? minJerk((t - a.frame) / (b.frame - a.frame)) : 0;
    for (let j = 0; j < JOINTS; j++) aq[t * JOINTS + j] = b ? a.q[j] + (b.q[j] - a.q[j]) * s : a.q[j];
    gc[t] = a.grip;
  }

  // Smooth action noise (AR(1), stationary sd = actionNoise) and erratic bursts.
  const ar = new Float64Array(JOINTS);
  const rho = 0.8;
  const innov = script.actionNoise * 0.6; // sqrt(1 - 0.8²) = 0.6
  const er = script.erratic;
  for (let t = 0; t < n; t++) {
    const wild = er !== null && t >= er[0] && t < er[1];
    for (let j = 0; j < JOINTS; j++) {
      ar[j] = rho * ar[j] + innov * rng.normal();
      let v = aq[t * JOINTS + j] + ar[j];
      if (wild) v += 0.07 * rng.normal();
      // The controller clips commands to the joint limits (flailing OOD policies hit them).
      aq[t * JOINTS + j] = Math.min(JOINT_LIMITS[j][1], Math.max(JOINT_LIMITS[j][0], v));
    }
    if (wild && rng.chance(0.25)) gc[t] = rng.pick([0, 0.03, 0.05, GRIPPER_OPEN]);
    else if (wild && t > er![0]) gc[t] = gc[t - 1];
  }

  // Collision: policy output freezes at the impact (the controller is in its reflex stop).
  const hit = script.collisionFrame;
  if (hit >= 0) {
    for (let t = hit + 1; t < n; t++) {
      for (let j = 0; j < JOINTS; j++) aq[t * JOINTS + j] = aq[hit * JOINTS + j] + 0.0004 * rng.normal();
      gc[t] = gc[hit];
    }
  }

  // State dynamics.
  const sq = new Float64Array(JOINTS);
  for (let j = 0; j < JOINTS; j++) sq[j] = aq[j];
  let g = GRIPPER_OPEN;
  let hi = 0;
  const spike = [0, -0.16, 0, -0.12, 0, 0.05, 0].map((v) => v * rng.uniform(0.9, 1.2));
  for (let t = 0; t < n; t++) {
    if (t > 0) {
      const stalled = hit >= 0 && t > hit;
      if (!stalled) {
        for (let j = 0; j < JOINTS; j++) sq[j] += FOLLOW * (aq[(t - 1) * JOINTS + j] - sq[j]);
        if (t === hit) for (let j = 0; j < JOINTS; j++) sq[j] += spike[j];
        const target = gc[t - 1];
        g = target > g ? Math.min(target, g + GRIPPER_STEP) : Math.max(target, g - GRIPPER_STEP);
      }
      // Inclusive end: at the release frame the state still reflects the previous (closed) command.
      while (hi < script.hold.length && script.hold[hi][1] < t) hi++;
      const holding = hi < script.hold.length && script.hold[hi][0] <= t;
      // Squeezed a little below the nominal width: the fingers press into the object.
      if (holding && g < script.objectWidth) g = script.objectWidth - 0.0015;
    }
    const o = base + t * DIM;
    for (let j = 0; j < JOINTS; j++) {
      const lim = JOINT_LIMITS[j];
      state[o + j] = quantize(Math.min(lim[1], Math.max(lim[0], sq[j] + SENSOR_NOISE * rng.normal())), Q_JOINT);
      action[o + j] = quantize(aq[t * JOINTS + j], Q_JOINT);
    }
    // Clamped after quantising: 0.08 is not a multiple of the step, and the width never exceeds it.
    state[o + JOINTS] = Math.min(GRIPPER_OPEN, quantize(Math.max(0, g + 0.00005 * rng.normal()), Q_GRIP));
    action[o + JOINTS] = Math.min(GRIPPER_OPEN, quantize(gc[t], Q_GRIP));
  }
  return { length: n, state, action };
}

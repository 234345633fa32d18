/**
 * Motion scripts: what happens in an episode, as keyframes in time, before any signal is rendered.
 *
 * The flywheel planner needs each episode's length (for the calendar and exact frame counts) and its
 * failure onset long before the frames are written, and large runs stream frames file by file. So the
 * script is cheap and kept in the plan; {@link ./trajectory.ts} turns it into frames later.
 *
 * A success is reach → descend → close → lift → transport → lower → release → retreat. Each failure
 * mechanism changes the script from its onset on in its own recognisable way.
 */
import { OBJECT_WIDTH_M, type Conditions } from './conditions.ts';
import type { Mechanism } from './mechanisms.ts';
import { GRIPPER_OPEN, HOME, addScaled, graspPose, trayPose } from './poses.ts';
import type { Rng } from './rng.ts';

/** Recording rate of the dataset (frames per second). */
export const FPS = 15;

/** Gripper closing/opening speed per frame (0.1 m/s, the Franka hand's order of magnitude). */
export const GRIPPER_STEP = 0.1 / FPS;

/** A joint target at a frame. The gripper command holds from this key until the next one. */
export interface Keyframe {
  frame: number;
  q: number[];
  grip: number;
}

/** Everything needed to render one episode's signals. */
export interface MotionScript {
  /** Number of frames. */
  length: number;
  /** Joint targets, strictly increasing frames, first at frame 0. Min-jerk interpolation between. */
  keys: Keyframe[];
  /** Gripper width when it holds the object. */
  objectWidth: number;
  /** Frame ranges [from, to] in which the object is in the hand (gripper stops at objectWidth). */
  hold: Array<[number, number]>;
  /** Frame of a collision (velocity spike, then the arm stalls), or -1. */
  collisionFrame: number;
  /** Frame range [from, to) of erratic, high-variance policy output, or null. */
  erratic: [number, number] | null;
  /** First frame at which the failure shows, or -1 for successes. */
  onsetFrame: number;
  /** Standard deviation of the smooth action noise (rad): policies are steadier than human teleop. */
  actionNoise: number;
}

/** How the episode was produced. */
export type ScriptSource = 'policy' | 'teleop';

/** Inputs of {@link buildScript}. */
export interface ScriptSpec {
  cond: Conditions;
  source: ScriptSource;
  /** The failure mechanism, or null for a success. */
  mechanism: Mechanism | null;
  /** Teleop demos that deliberately show a slip and a successful re-grasp. */
  recoveryDemo: boolean;
  /** Time multiplier (operators differ in speed); 1 for the policy. */
  pace: number;
}

/** Builds keyframes in seconds and converts them to frames once, keeping frames strictly increasing. */
class Timeline {
  readonly keys: Array<{ t: number; q: number[]; grip: number }> = [];
  t = 0;
  constructor(private readonly pace: number) {}
  /** Move to q over `dur` seconds (scaled by pace), with the gripper command from that key on. */
  to(dur: number, q: number[], grip: number): number {
    this.t += dur * this.pace;
    this.keys.push({ t: this.t, q, grip });
    return this.t;
  }
  /** Frame of a time, for hold ranges and onsets. */
  static frame(t: number): number {
    return Math.round(t * FPS);
  }
}

function jitterPose(rng: Rng, q: readonly number[], sd: number): number[] {
  return q.map((v) => v + sd * rng.normal());
}

/**
 * Build the script of one episode. Deterministic given the rng state; consumes a variable number of
 * draws, so callers give each episode its own stream.
 */
export function buildScript(spec: ScriptSpec, rng: Rng): MotionScript {
  const { cond, mechanism } = spec;
  const tl = new Timeline(spec.pace);
  const open = GRIPPER_OPEN;
  const width = OBJECT_WIDTH_M[cond.object_type];
  const home = jitterPose(rng, HOME, 0.01);
  const pre = jitterPose(rng, graspPose(cond, 1), 0.008);
  const grasp = graspPose(cond, 0);
  const lifted = addScaled(pre, [0, -0.08, 0, -0.05, 0, 0, 0], 1);
  const hold: Array<[number, number]> = [];
  let collisionFrame = -1;
  let erratic: [number, number] | null = null;
  let onset = -1;
  let end: number;

  tl.keys.push({ t: 0, q: home, grip: open });
  const tIdle = tl.to(rng.uniform(0.3, 0.6), home, open);

  if (mechanism === 'out_of_distribution') {
    // Unfamiliar object: the policy starts a reach, then its outputs fall apart (wild, high-variance
    // actions, random gripper commands) until the operator stops it.
    const tOnset = tIdle + rng.uniform(0.6, 1.6);
    tl.to(tOnset - tIdle, home.map((v, i) => v + (pre[i] - v) * 0.4), open);
    const stop = tOnset + rng.uniform(3, 6);
    let q = tl.keys[tl.keys.length - 1].q;
    while (tl.t < stop - 0.5) {
      q = q.map((v, i) => v + (i < 6 ? 0.25 : 0.5) * rng.normal() * 0.5);
      tl.to(rng.uniform(0.5, 0.9), q, rng.pick([0, 0.04, open]));
    }
    onset = Timeline.frame(tOnset);
    end = stop;
    erratic = [onset, Timeline.frame(end) + 1];
    return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
  }

  const tPre = tl.to(rng.uniform(1.4, 2.1), pre, open);

  if (mechanism === 'timeout') {
    // Hesitation: the policy arrives over the object and dithers between two equivalent grasps,
    // slowly, until the 20–25 s time limit ends the episode.
    onset = Timeline.frame(tPre);
    end = rng.uniform(20, 25);
    while (tl.t < end - 1.2) {
      const q = pre.slice();
      q[0] += 0.05 * rng.normal();
      q[1] += 0.03 * rng.normal() + (rng.chance(0.3) ? 0.08 : 0);
      q[3] += 0.03 * rng.normal();
      q[6] += (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.1, 0.3);
      tl.to(rng.uniform(1.3, 2.6), q, open);
    }
    return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
  }

  if (mechanism === 'collision') {
    // Near the wall the hand clips the bin on the way down: an impact (velocity spike), then the
    // protective stop freezes the arm until the operator resets.
    const descend = rng.uniform(0.7, 1.0);
    const frac = rng.uniform(0.35, 0.75);
    const tHit = tPre + descend * frac * spec.pace;
    tl.to(descend, grasp, open);
    collisionFrame = Timeline.frame(tHit);
    onset = collisionFrame;
    end = tHit + rng.uniform(1.5, 3);
    return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
  }

  const tGrasp = tl.to(rng.uniform(0.7, 1.0), grasp, 0);

  if (mechanism === 'grasp_failure') {
    // The fingers close on nothing (glare, wrong depth, object pushed away): fully closed, then the
    // policy lifts, notices and reopens, and the episode is called a failure.
    onset = Timeline.frame(tGrasp);
    tl.to(rng.uniform(0.9, 1.1), grasp, 0);
    tl.to(rng.uniform(0.6, 0.8), lifted, open);
    tl.to(rng.uniform(0.8, 1.0), lifted, open);
    end = tl.t + rng.uniform(0.5, 1.5);
    return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
  }

  // The object is in the hand from the moment the fingers close.
  const tClosed = tl.to(rng.uniform(0.5, 0.7), grasp, 0);
  const tLift = tl.to(rng.uniform(0.7, 1.0), lifted, 0);

  if (mechanism === 'recovery_failure' || spec.recoveryDemo) {
    // The object slips out during the lift (the fingers close fully on nothing). A policy without
    // recovery data re-grasps again and again and misses; a recovery demo re-grasps once and succeeds.
    const tSlip = tClosed + (tLift - tClosed) * rng.uniform(0.3, 0.7);
    hold.push([Timeline.frame(tGrasp), Timeline.frame(tSlip)]);
    if (mechanism === 'recovery_failure') onset = Timeline.frame(tSlip);
    const attempts = mechanism === 'recovery_failure' ? rng.int(3, 4) : 1;
    for (let i = 0; i < attempts; i++) {
      const retry = addScaled(grasp, [0.03 * rng.normal(), 0.02 * rng.normal(), 0, 0, 0, 0, 0.1 * rng.normal()], 1);
      tl.to(0.6, lifted, open);
      tl.to(rng.uniform(0.7, 0.9), retry, open);
      const tClose = tl.to(0.1, retry, 0);
      if (mechanism === 'recovery_failure') {
        tl.to(rng.uniform(0.85, 1.0), retry, 0);
        tl.to(rng.uniform(0.6, 0.8), lifted, 0);
      } else {
        hold.push([Timeline.frame(tClose), -1]);
        tl.to(rng.uniform(0.5, 0.6), retry, 0);
        tl.to(rng.uniform(0.7, 0.9), lifted, 0);
      }
    }
    if (mechanism === 'recovery_failure') {
      tl.to(0.6, lifted, open);
      end = tl.t + rng.uniform(0.8, 1.5);
      return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
    }
  } else {
    hold.push([Timeline.frame(tGrasp), -1]);
  }

  // Transport and place. A placement error puts the object down beside the tray.
  const tTransport = tl.t;
  let offset = 0.02 * rng.normal();
  if (mechanism === 'placement_error') {
    offset = (rng.chance(0.5) ? 1 : -1) * rng.uniform(0.25, 0.45);
    onset = Timeline.frame(tTransport);
  }
  const above = trayPose(offset, 0).map((v) => v + 0.006 * rng.normal());
  tl.to(rng.uniform(1.5, 2.2), above, 0);
  const tRelease = tl.to(rng.uniform(0.5, 0.7), trayPose(offset, 1), open);
  hold[hold.length - 1][1] = Timeline.frame(tRelease);
  tl.to(rng.uniform(0.45, 0.55), trayPose(offset, 1), open);
  tl.to(rng.uniform(0.5, 0.8), above, open);
  end = tl.t + rng.uniform(0.2, 0.4);
  return finish(tl, end, width, hold, collisionFrame, erratic, onset, spec);
}

function finish(
  tl: Timeline,
  endT: number,
  objectWidth: number,
  hold: Array<[number, number]>,
  collisionFrame: number,
  erratic: [number, number] | null,
  onsetFrame: number,
  spec: ScriptSpec,
): MotionScript {
  const length = Math.max(Timeline.frame(endT) + 1, 2);
  const keys: Keyframe[] = [];
  for (const k of tl.keys) {
    let frame = Timeline.frame(k.t);
    const prev = keys.length ? keys[keys.length - 1].frame : -1;
    if (frame <= prev) frame = prev + 1;
    if (frame > length - 1) break;
    keys.push({ frame, q: k.q, grip: k.grip });
  }
  const clampedErratic: [number, number] | null = erratic ? [erratic[0], Math.min(erratic[1], length)] : null;
  return {
    length,
    keys,
    objectWidth,
    hold: hold.map(([a, b]) => [a, b < 0 ? length : Math.min(b, length)] as [number, number]),
    collisionFrame,
    erratic: clampedErratic,
    onsetFrame,
    actionNoise: spec.source === 'teleop' ? 0.0015 : 0.0006,
  };
}

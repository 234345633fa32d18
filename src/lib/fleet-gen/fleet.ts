/**
 * The second flywheel generator: a fleet of 6-DoF SO-101-like desktop arms doing pick-and-place into a tray, at
 * 30 fps, joints in **degrees** (gripper in percent open), with non-standard feature keys (`state`, `actions`). It
 * exists so the model notebooks are tested on data the demo never showed: another robot, units, rate and failure
 * story than the demo's 7-joint Panda at 15 Hz in radians.
 *
 * Story: 48 teleoperated demos (objects on the table, pan −30…30°), then two policy versions deployed for 60
 * episodes each. Four planted failure mechanisms, each with a known onset frame:
 * - `elbow_stall` (failure): the elbow motor overloads; its measured angle freezes while the command moves on.
 * - `grasp_slip` (failure): during the lift the object slips out; the gripper snaps shut.
 * - `collision` (intervened): the forearm hits the fixture; shoulder and elbow jolt, an operator stops the arm.
 * - `wrist_oscillation` (failure): the wrist controller goes unstable; wrist flex and roll oscillate, growing.
 * Some deployments find the object on a raised shelf to the side (pan 50–65°, arm raised): poses no demo visited.
 * Their frames near the shelf are the out-of-distribution frames of the ground truth.
 *
 * Pure and seeded (sfc32 from the demo's rng: integer arithmetic, the same on every engine); every episode has its
 * own random stream, so the output is byte-reproducible.
 */
import { createRng, type Rng } from '../demo/rng.ts';

/** Frames per second. */
export const FLEET_FPS = 30;
/** Joint names, in `state`/`actions` order. */
export const FLEET_JOINTS = ['shoulder_pan', 'shoulder_lift', 'elbow_flex', 'wrist_flex', 'wrist_roll', 'gripper'] as const;
/** Values per frame of `state` and `actions`. */
export const FLEET_DIM = FLEET_JOINTS.length;
/** The planted failure mechanisms. */
export const FLEET_MECHANISMS = ['elbow_stall', 'grasp_slip', 'collision', 'wrist_oscillation'] as const;
export type FleetMechanism = (typeof FLEET_MECHANISMS)[number];
/** What an operator files each mechanism as in the deployment log. */
export const LOGGED_CATEGORY: Record<FleetMechanism, string> = {
  elbow_stall: 'motor_stall',
  grasp_slip: 'dropped_object',
  collision: 'collision',
  wrist_oscillation: 'wrist_instability',
};
/** The task text of every episode. */
export const FLEET_TASK = 'Pick the block and place it in the tray';

/** Generator knobs. */
export interface FleetConfig {
  seed: number;
  demos: number;
  /** Deployments per policy version. */
  deploymentsPerVersion: number;
  versions: string[];
  /** Share of deployments that fail by one of the mechanisms. */
  failureRate: number;
  /** Share of deployments with the object on the shelf (out of distribution). */
  shelfRate: number;
}

/** The committed fixture's configuration. */
export const FLEET_CONFIG: FleetConfig = { seed: 17, demos: 48, deploymentsPerVersion: 60, versions: ['so101-act-v1', 'so101-act-v2'], failureRate: 0.4, shelfRate: 0.15 };

/** One episode of the plan. */
export interface FleetEpisode {
  episode_index: number;
  kind: 'demo' | 'deployment';
  policy_version: string | null;
  outcome: 'success' | 'failure' | 'intervened';
  mechanism: FleetMechanism | null;
  onset_frame: number | null;
  /** The object's place: table (pan −30…30°) or shelf (out of distribution). */
  placement: 'table' | 'shelf';
  pan_deg: number;
  length: number;
  /** Frames [start, end) whose state no demo visited (the shelf reach), for the OOD ground truth. */
  ood: [number, number] | null;
  operator: string;
  /** ISO time the episode started. */
  timestamp: string;
  notes: string;
  /** Frames, `length × FLEET_DIM` each, degrees (gripper: percent open). */
  state: Float32Array;
  actions: Float32Array;
}

const HOME = [0, -60, 80, 60, 0, 10];
const TRAY = [-75, -20, 50, 70, 0, 70];

/** Keyframes (pose, frames to reach it) of one pick-and-place. */
function keyframes(rng: Rng, placement: 'table' | 'shelf', pan: number): { pose: number[]; frames: number }[] {
  const j = (s: number) => rng.normal() * s;
  const reach = rng.uniform(0, 1);
  const above =
    placement === 'table'
      ? [pan, 10 + 25 * reach + j(2), 40 - 20 * reach + j(2), 60 + j(2), j(4), 70]
      : [pan, -35 + j(2), 95 + j(2), 15 + j(2), 35 + j(3), 70];
  const grasp = [above[0], above[1] + (placement === 'table' ? 12 : 6), above[2] - 8, above[3] + 6, above[4], 70];
  const width = rng.uniform(28, 40);
  const closed = [...grasp.slice(0, 5), width];
  const lifted = [above[0], above[1] - 10, above[2] + 5, above[3], above[4], width];
  const tray = [TRAY[0] + j(3), TRAY[1] + j(2), TRAY[2] + j(2), TRAY[3], TRAY[4], width];
  const open = [...tray.slice(0, 5), 70];
  const home = HOME.map((v) => v + j(1));
  const f = (s: number) => Math.round(s * FLEET_FPS * rng.uniform(0.85, 1.15));
  return [
    { pose: HOME.map((v) => v + j(1)), frames: 1 },
    { pose: above, frames: f(1.6) },
    { pose: grasp, frames: f(0.7) },
    { pose: closed, frames: f(0.4) },
    { pose: lifted, frames: f(0.6) },
    { pose: tray, frames: f(1.6) },
    { pose: open, frames: f(0.4) },
    { pose: home, frames: f(1.2) },
  ];
}

/** Commanded actions along the keyframes (smoothstep between them) with operator/policy jitter. */
function commands(rng: Rng, keys: { pose: number[]; frames: number }[], jitter: number): { actions: number[][]; phaseStart: number[] } {
  const actions: number[][] = [keys[0].pose.slice()];
  const phaseStart: number[] = [0];
  for (let k = 1; k < keys.length; k++) {
    phaseStart.push(actions.length);
    const a = keys[k - 1].pose;
    const b = keys[k].pose;
    for (let t = 1; t <= keys[k].frames; t++) {
      const u = t / keys[k].frames;
      const s = u * u * (3 - 2 * u);
      actions.push(a.map((v, i) => v + (b[i] - v) * s + jitter * rng.normal()));
    }
  }
  // Hold the last pose for half a second.
  for (let t = 0; t < FLEET_FPS / 2; t++) actions.push(keys[keys.length - 1].pose.map((v) => v + jitter * rng.normal()));
  return { actions, phaseStart };
}

/** Renders one episode: the servo follows the command with a lag; the mechanism (if any) acts from its onset. */
function render(rng: Rng, actions: number[][], mech: FleetMechanism | null, onset: number): { state: Float32Array; act: Float32Array; length: number } {
  // A stalled or stopped arm ends the episode early: the e-stop two seconds after the onset.
  const length = mech === 'elbow_stall' || mech === 'collision' ? Math.min(actions.length, onset + 2 * FLEET_FPS) : actions.length;
  const state = new Float32Array(length * FLEET_DIM);
  const act = new Float32Array(length * FLEET_DIM);
  const s = actions[0].slice();
  let hold: number[] | null = null;
  for (let t = 0; t < length; t++) {
    const a = actions[t].slice();
    const since = t - onset;
    if (mech === 'collision' && since >= 0) {
      // The operator's stop holds the command where the arm was at the impact.
      hold ??= s.slice();
      for (let i = 0; i < FLEET_DIM; i++) a[i] = hold[i];
    }
    for (let i = 0; i < FLEET_DIM; i++) s[i] += 0.35 * (a[i] - s[i]) + 0.08 * rng.normal();
    if (mech === 'elbow_stall' && since >= 0) s[2] = state[(onset - 1) * FLEET_DIM + 2] + 0.05 * rng.normal();
    if (mech === 'grasp_slip' && since >= 0) s[5] += 0.6 * (1 - s[5]);
    if (mech === 'collision' && since >= 0 && since < 4) {
      s[1] += 4;
      s[2] -= 3;
    }
    if (mech === 'wrist_oscillation' && since >= 0) {
      const amp = Math.min(14, 2 + since * 0.3);
      const w = Math.sin((2 * Math.PI * 5 * since) / FLEET_FPS);
      s[3] = a[3] + amp * w;
      s[4] = a[4] + 0.6 * amp * w;
    }
    state.set(s.map((v) => Math.fround(v)), t * FLEET_DIM);
    act.set(a, t * FLEET_DIM);
  }
  return { state, act, length };
}

/** Frame where a mechanism starts, from the phases it belongs to. */
function onsetFrame(rng: Rng, mech: FleetMechanism, phaseStart: number[]): number {
  const between = (a: number, b: number) => Math.round(rng.uniform(phaseStart[a], phaseStart[b]));
  if (mech === 'grasp_slip') return between(4, 5) + 3; // lifting
  if (mech === 'elbow_stall') return between(1, 2); // reaching
  if (mech === 'collision') return between(5, 6); // carrying to the tray
  return between(2, 4); // descending / grasping
}

const NOTES: Record<FleetMechanism, string[]> = {
  elbow_stall: ['elbow stopped following, e-stop', 'elbow servo overheated'],
  grasp_slip: ['block slipped out during lift', 'dropped it on the way up'],
  collision: ['forearm hit the fixture, stopped it', 'bumped the tray edge, took over'],
  wrist_oscillation: ['wrist started shaking', 'wrist oscillation near the block'],
};

/** Plans and renders every episode. */
export function planFleet(c: FleetConfig = FLEET_CONFIG): FleetEpisode[] {
  const out: FleetEpisode[] = [];
  const start = Date.UTC(2026, 9, 5, 9, 0, 0);
  let clock = start;
  const total = c.demos + c.versions.length * c.deploymentsPerVersion;
  for (let e = 0; e < total; e++) {
    const rng = createRng(c.seed, e);
    const demo = e < c.demos;
    const version = demo ? null : c.versions[Math.floor((e - c.demos) / c.deploymentsPerVersion)];
    const shelf = !demo && rng.chance(c.shelfRate);
    const mech: FleetMechanism | null = !demo && !shelf && rng.chance(c.failureRate) ? FLEET_MECHANISMS[rng.int(0, FLEET_MECHANISMS.length - 1)] : null;
    const pan = shelf ? rng.uniform(50, 65) : rng.uniform(-30, 30);
    const keys = keyframes(rng, shelf ? 'shelf' : 'table', pan);
    const { actions, phaseStart } = commands(rng, keys, demo ? 0.35 : 0.15);
    const onset = mech ? onsetFrame(rng, mech, phaseStart) : -1;
    const r = render(rng, actions, mech, onset < 0 ? Infinity : onset);
    // Off-distribution stretch of a shelf episode: from halfway into the reach until the arm is back over the tray path.
    const ood: [number, number] | null = shelf ? [Math.round((phaseStart[1] + phaseStart[2]) / 2), phaseStart[5] + Math.round((phaseStart[6] - phaseStart[5]) / 3)] : null;
    const outcome = mech === 'collision' ? 'intervened' : mech ? 'failure' : 'success';
    const operator = demo ? `op-${rng.pick(['a', 'b', 'c'])}` : `op-${rng.pick(['d', 'e'])}`;
    const notes = mech ? rng.pick(NOTES[mech]) : shelf ? 'block was on the shelf' : demo ? 'teleop demo' : '';
    out.push({
      episode_index: e,
      kind: demo ? 'demo' : 'deployment',
      policy_version: version,
      outcome,
      mechanism: mech,
      onset_frame: mech ? onset : null,
      placement: shelf ? 'shelf' : 'table',
      pan_deg: Math.round(pan * 10) / 10,
      length: r.length,
      ood,
      operator,
      timestamp: new Date(clock).toISOString().replace('.000Z', 'Z'),
      notes,
      state: r.state,
      actions: r.act,
    });
    clock += Math.round(r.length / FLEET_FPS + rng.uniform(40, 120)) * 1000;
    if (e === c.demos - 1) clock = Date.UTC(2026, 9, 12, 9, 0, 0);
  }
  return out;
}

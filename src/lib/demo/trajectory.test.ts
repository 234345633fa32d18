import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, planFlywheel, type EpisodePlan } from './flywheel.ts';
import type { Mechanism } from './mechanisms.ts';
import { GRIPPER_OPEN, JOINT_LIMITS, TRAY_ABOVE } from './poses.ts';
import { createRng } from './rng.ts';
import { FPS } from './script.ts';
import { DIM, renderTrajectory, type EpisodeSignals } from './trajectory.ts';

// Two seeds so every mechanism has a decent number of episodes.
const episodes = [DEFAULT_CONFIG.seed, 11].flatMap((seed) => planFlywheel({ ...DEFAULT_CONFIG, seed }).episodes);
const render = (e: EpisodePlan): EpisodeSignals => renderTrajectory(e.script, createRng(99, e.episode_index));
const byMechanism = (m: Mechanism): EpisodePlan[] => episodes.filter((e) => e.mechanism === m);
const successes = episodes.filter((e) => e.kind === 'deployment' && e.mechanism === null);

const grip = (s: EpisodeSignals, t: number): number => s.state[t * DIM + 7];
/** Sum over the 7 joints of |state[t] − state[t−1]|. */
const jointSpeed = (s: EpisodeSignals, t: number): number => {
  let a = 0;
  for (let j = 0; j < 7; j++) a += Math.abs(s.state[t * DIM + j] - s.state[(t - 1) * DIM + j]);
  return a;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Closed-on-nothing → reopened cycles of the gripper from frame `from`. */
function gripCycles(s: EpisodeSignals, from: number): number {
  let cycles = 0;
  let closed = false;
  for (let t = from; t < s.length; t++) {
    if (!closed && grip(s, t) < 0.005) closed = true;
    else if (closed && grip(s, t) > 0.07) {
      closed = false;
      cycles++;
    }
  }
  return cycles;
}
/** RMS of the second difference of the joint actions from frame `from` (jerkiness). */
function actionJerk(s: EpisodeSignals, from: number): number {
  let ss = 0;
  let n = 0;
  for (let t = Math.max(from, 2); t < s.length; t++) {
    for (let j = 0; j < 7; j++) {
      const a = (k: number): number => s.action[k * DIM + j];
      const d = a(t) - 2 * a(t - 1) + a(t - 2);
      ss += d * d;
      n++;
    }
  }
  return Math.sqrt(ss / n);
}

describe('renderTrajectory', () => {
  it('is deterministic and keeps values finite and in range', () => {
    const e = episodes[0];
    expect(render(e)).toEqual(render(e));
    // Every failure plus a slice of the rest (OOD flailing is what pushes against the limits).
    for (const ep of episodes.filter((x, i) => x.mechanism !== null || i < 300)) {
      const s = render(ep);
      expect(s.state).toHaveLength(ep.script.length * DIM);
      for (let t = 0; t < s.length; t++) {
        expect(grip(s, t)).toBeGreaterThanOrEqual(0);
        expect(grip(s, t)).toBeLessThanOrEqual(GRIPPER_OPEN);
        for (let j = 0; j < DIM; j++) expect(Number.isFinite(s.action[t * DIM + j])).toBe(true);
        for (let j = 0; j < 7; j++) {
          for (const v of [s.state[t * DIM + j], s.action[t * DIM + j]]) {
            expect(v).toBeGreaterThanOrEqual(JOINT_LIMITS[j][0] - 1e-3);
            expect(v).toBeLessThanOrEqual(JOINT_LIMITS[j][1] + 1e-3);
          }
        }
      }
    }
  });

  it('renders deployment successes as smooth 6–12 s pick-and-place that never closes on nothing', () => {
    expect(successes.length).toBeGreaterThan(500);
    for (const e of successes) {
      const s = render(e);
      expect(s.length / FPS).toBeGreaterThanOrEqual(6);
      expect(s.length / FPS).toBeLessThanOrEqual(12);
      let minGrip = 1;
      for (let t = 0; t < s.length; t++) minGrip = Math.min(minGrip, grip(s, t));
      expect(minGrip).toBeGreaterThan(0.015); // holds the object at its width
      expect(minGrip).toBeLessThan(0.07); // and did grasp
      expect(Math.abs(s.state[(s.length - 1) * DIM] - TRAY_ABOVE[0])).toBeLessThan(0.1); // ends at the tray
      expect(actionJerk(s, 0)).toBeLessThan(0.01);
    }
  });
});

describe('failure signatures after the onset', () => {
  it('grasp failure: the gripper closes fully on nothing, then reopens', () => {
    const eps = byMechanism('grasp_failure');
    expect(eps.length).toBeGreaterThan(30);
    for (const e of eps) {
      const s = render(e);
      const on = e.onset_frame!;
      let tMin = on;
      for (let t = on; t < s.length; t++) if (grip(s, t) < grip(s, tMin)) tMin = t;
      expect(grip(s, tMin)).toBeLessThan(0.004);
      let reopened = 0;
      for (let t = tMin; t < s.length; t++) reopened = Math.max(reopened, grip(s, t));
      expect(reopened).toBeGreaterThan(0.07);
      // Before the onset the gripper was open.
      expect(grip(s, on - 1)).toBeGreaterThan(0.07);
      expect(gripCycles(s, on)).toBe(1);
    }
  });

  it('collision: a velocity spike at the onset, then the arm stalls', () => {
    const eps = byMechanism('collision');
    expect(eps.length).toBeGreaterThan(10);
    for (const e of eps) {
      const s = render(e);
      const on = e.onset_frame!;
      const j2 = (t: number): number => Math.abs(s.state[t * DIM + 1] - s.state[(t - 1) * DIM + 1]);
      let before = 0;
      for (let t = 1; t < on; t++) before = Math.max(before, j2(t));
      expect(j2(on)).toBeGreaterThan(2.5 * before);
      const after: number[] = [];
      for (let t = on + 2; t < s.length; t++) after.push(jointSpeed(s, t));
      expect(after.length).toBeGreaterThan(15);
      expect(mean(after)).toBeLessThan(0.005);
    }
  });

  it('timeout: slow wandering until a long 20–25 s episode', () => {
    const eps = byMechanism('timeout');
    expect(eps.length).toBeGreaterThan(10);
    const successSpeed = mean(successes.slice(0, 100).map((e) => {
      const s = render(e);
      const v: number[] = [];
      for (let t = 1; t < s.length; t++) v.push(jointSpeed(s, t));
      return mean(v);
    }));
    for (const e of eps) {
      const s = render(e);
      expect(s.length / FPS).toBeGreaterThanOrEqual(20);
      expect(s.length / FPS).toBeLessThanOrEqual(25.1);
      const v: number[] = [];
      for (let t = e.onset_frame! + 1; t < s.length; t++) v.push(jointSpeed(s, t));
      expect(mean(v)).toBeLessThan(0.5 * successSpeed);
      expect(mean(v)).toBeGreaterThan(0.004); // still moving: wandering, not stalled
    }
  });

  it('recovery failure: repeated re-grasp cycles after the object slips', () => {
    const eps = byMechanism('recovery_failure');
    expect(eps.length).toBeGreaterThan(10);
    for (const e of eps) {
      const s = render(e);
      // Holding the object just before the slip.
      expect(grip(s, e.onset_frame! - 1)).toBeGreaterThan(0.015);
      expect(grip(s, e.onset_frame! - 1)).toBeLessThan(0.07);
      expect(gripCycles(s, e.onset_frame!)).toBeGreaterThanOrEqual(3);
    }
  });

  it('placement error: the final pose is offset from the tray', () => {
    const eps = byMechanism('placement_error');
    expect(eps.length).toBeGreaterThan(10);
    for (const e of eps) {
      const s = render(e);
      expect(Math.abs(s.state[(s.length - 1) * DIM] - TRAY_ABOVE[0])).toBeGreaterThan(0.2);
      // The object was carried (not a grasp problem).
      let minGrip = 1;
      for (let t = 0; t < s.length; t++) minGrip = Math.min(minGrip, grip(s, t));
      expect(minGrip).toBeGreaterThan(0.015);
    }
  });

  it('out of distribution: erratic, high-variance actions after the onset only', () => {
    const eps = byMechanism('out_of_distribution');
    expect(eps.length).toBeGreaterThan(10);
    const calm = Math.max(...successes.slice(0, 100).map((e) => actionJerk(render(e), 0)));
    for (const e of eps) {
      const s = render(e);
      expect(actionJerk(s, e.onset_frame! + 1)).toBeGreaterThan(10 * calm);
      // Before the onset the policy looked normal.
      const pre = { ...s, length: e.onset_frame! };
      expect(actionJerk(pre, 0)).toBeLessThan(2 * calm);
    }
  });
});

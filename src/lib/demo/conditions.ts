/**
 * Episode conditions of the simulated bin-picking cell: which object, how it lies in the bin, and the
 * lighting. Everything the failure mechanisms depend on is here, so the analysis app can slice by it.
 */
import type { Rng } from './rng.ts';

/** Object types, in task_index order. */
export const OBJECT_TYPES = ['cube', 'cylinder', 'mug', 'pouch', 'transparent_bottle', 'sphere'] as const;
/** One of {@link OBJECT_TYPES}. */
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** Lighting conditions of the cell. */
export const LIGHTING = ['bright', 'dim', 'backlit'] as const;
/** One of {@link LIGHTING}. */
export type Lighting = (typeof LIGHTING)[number];

/** The conditions of one episode, as logged in deployment_log.csv. */
export interface Conditions {
  object_type: ObjectType;
  /** Object yaw in the bin, degrees in [-180, 180). */
  yaw_deg: number;
  /** Object centre in the robot base frame, metres. */
  pos_x: number;
  pos_y: number;
  lighting: Lighting;
}

/** Inner walls of the bin in the robot base frame (metres). */
export const BIN = { xMin: 0.3, xMax: 0.7, yMin: -0.15, yMax: 0.15 } as const;

/**
 * Closer than this to a wall, the Franka hand plus its wrist-camera mount does not fit between object
 * and wall. That is a hardware limit: no amount of demonstration data makes the hand narrower.
 */
export const NEAR_WALL_M = 0.035;

/**
 * The rotation in which each object first shows up in the bin. Objects introduced after the seed
 * round are unseen by the policy that first meets them, which is what drives OOD failures.
 */
export const OBJECT_INTRODUCED_AT: Readonly<Record<ObjectType, number>> = {
  cube: 0,
  cylinder: 0,
  mug: 0,
  pouch: 0,
  transparent_bottle: 3,
  sphere: 5,
};

/** Width the gripper stops at when it holds the object (metres; the Franka hand opens to 0.08). */
export const OBJECT_WIDTH_M: Readonly<Record<ObjectType, number>> = {
  cube: 0.05,
  cylinder: 0.06,
  mug: 0.066,
  pouch: 0.028,
  transparent_bottle: 0.064,
  sphere: 0.055,
};

/** Deployment lighting mix: the cell sits by a window, so some runs are dim or backlit. */
const DEPLOY_LIGHT_WEIGHTS = [0.5, 0.3, 0.2];
/** Operators collected the seed demos mostly with the lab lights on. */
const SEED_LIGHT_WEIGHTS = [0.8, 0.15, 0.05];

/** Index of an object type in {@link OBJECT_TYPES} (= its task_index). */
export function objectIndex(o: ObjectType): number {
  return OBJECT_TYPES.indexOf(o);
}

/** Index of a lighting condition in {@link LIGHTING}. */
export function lightingIndex(l: Lighting): number {
  return LIGHTING.indexOf(l);
}

/** Distance from the object centre to the nearest bin wall, metres. */
export function wallDistance(c: Conditions): number {
  return Math.min(c.pos_x - BIN.xMin, BIN.xMax - c.pos_x, c.pos_y - BIN.yMin, BIN.yMax - c.pos_y);
}

/** True when the object lies close enough to a wall for the hand to hit it. */
export function nearWall(c: Conditions): boolean {
  return wallDistance(c) < NEAR_WALL_M;
}

/** Number of yaw bins used for coverage (aligned, sideways, reversed). */
export const YAW_BINS = 3;

/** Coarse yaw bin: 0 = roughly aligned (|yaw| < 60°), 1 = sideways, 2 = reversed (|yaw| ≥ 120°). */
export function yawBin(yawDeg: number): number {
  const a = Math.abs(yawDeg);
  return a < 60 ? 0 : a < 120 ? 1 : 2;
}

/** The natural-language task for an object type (one task per object). */
export function taskText(o: ObjectType): string {
  return `Pick the ${o.replace('_', ' ')} from the bin and place it in the tray`;
}

/** Object types present in the bin during a rotation. */
export function objectsAvailable(rotation: number): ObjectType[] {
  return OBJECT_TYPES.filter((o) => OBJECT_INTRODUCED_AT[o] <= rotation);
}

// Values are rounded when drawn, so the CSV, the ground truth and the failure model all see exactly
// the same numbers.
const round1 = (x: number): number => Math.round(x * 10) / 10;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Uniform yaw in [-180, 180), 0.1° resolution. */
export function sampleYaw(rng: Rng): number {
  const y = round1(rng.uniform(-180, 180));
  return y >= 180 ? -180 : y;
}

/** Wrap a yaw in degrees into [-180, 180) with 0.1° resolution. */
export function wrapYaw(yaw: number): number {
  let y = yaw;
  while (y >= 180) y -= 360;
  while (y < -180) y += 360;
  y = round1(y);
  return y >= 180 ? -180 : y;
}

/** Position anywhere in the bin (deployment: objects are dumped in, they end up where they end up). */
export function sampleBinPosition(rng: Rng): { pos_x: number; pos_y: number } {
  return {
    pos_x: round3(rng.uniform(BIN.xMin + 0.01, BIN.xMax - 0.01)),
    pos_y: round3(rng.uniform(BIN.yMin + 0.01, BIN.yMax - 0.01)),
  };
}

/** Position for a teleoperated demo: operators tend to put the object away from the walls. */
export function sampleCentralPosition(rng: Rng): { pos_x: number; pos_y: number } {
  if (rng.chance(0.08)) return sampleBinPosition(rng);
  return {
    pos_x: round3(rng.uniform(BIN.xMin + 0.06, BIN.xMax - 0.06)),
    pos_y: round3(rng.uniform(BIN.yMin + 0.05, BIN.yMax - 0.05)),
  };
}

/** Position within a few millimetres of a reference, clamped inside the bin. */
export function jitterPosition(rng: Rng, x: number, y: number, r: number): { pos_x: number; pos_y: number } {
  const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));
  return {
    pos_x: round3(clamp(x + rng.uniform(-r, r), BIN.xMin + 0.005, BIN.xMax - 0.005)),
    pos_y: round3(clamp(y + rng.uniform(-r, r), BIN.yMin + 0.005, BIN.yMax - 0.005)),
  };
}

/** Lighting as seen in deployment. */
export function sampleDeploymentLighting(rng: Rng): Lighting {
  return LIGHTING[rng.weighted(DEPLOY_LIGHT_WEIGHTS)];
}

/** Conditions of a deployment episode in a rotation: any available object, anywhere, any light. */
export function sampleDeploymentConditions(rng: Rng, rotation: number): Conditions {
  const objects = objectsAvailable(rotation);
  // A freshly introduced object is a smaller share of the bin at first.
  const weights = objects.map((o) => (OBJECT_INTRODUCED_AT[o] === rotation && rotation > 0 ? 0.8 : 1));
  const object_type = objects[rng.weighted(weights)];
  const lighting = sampleDeploymentLighting(rng);
  const yaw_deg = sampleYaw(rng);
  return { object_type, yaw_deg, ...sampleBinPosition(rng), lighting };
}

/** Conditions of a seed demo: seed objects, mostly bright light, mostly aligned, away from walls. */
export function sampleSeedConditions(rng: Rng): Conditions {
  const object_type = rng.pick(objectsAvailable(0));
  const lighting = LIGHTING[rng.weighted(SEED_LIGHT_WEIGHTS)];
  const yaw_deg = rng.chance(0.85) ? round1(rng.uniform(-70, 70)) : sampleYaw(rng);
  return { object_type, yaw_deg, ...sampleCentralPosition(rng), lighting };
}

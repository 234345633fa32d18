/**
 * Failure mechanisms of the simulated policy and their probabilities given the episode's conditions and
 * what the policy's training data covered.
 *
 * Each mechanism is a cause, not a label: it depends on specific conditions and (except collision) on
 * how much training data the policy saw in the matching condition bucket. Targeted demos raise that
 * coverage, which is the whole point of a flywheel; collision is deliberately a hardware limit that
 * coverage barely touches, so an analyst can discover that collecting more data does not fix it.
 *
 * Probabilities use only + − × ÷ (no exp/log) so every engine computes identical bits.
 */
import {
  LIGHTING,
  NEAR_WALL_M,
  OBJECT_TYPES,
  YAW_BINS,
  lightingIndex,
  objectIndex,
  wallDistance,
  yawBin,
  type Conditions,
  type ObjectType,
} from './conditions.ts';

/** Failure categories, in a fixed order (also the order hazards are drawn in). */
export const MECHANISMS = [
  'grasp_failure',
  'placement_error',
  'collision',
  'timeout',
  'recovery_failure',
  'out_of_distribution',
] as const;
/** One of {@link MECHANISMS}. */
export type Mechanism = (typeof MECHANISMS)[number];

/**
 * What a policy's training set contained, counted per condition bucket. Counts are episodes.
 * `scale` is the size multiplier of the run (1 for the bundled demo): half-saturation constants are
 * multiplied by it so a 10× larger dataset has the same success curve, not a 10× better policy.
 */
export interface Coverage {
  /** Episodes per object type. */
  obj: Float64Array;
  /** Episodes per (object, lighting), index `obj * LIGHTING.length + light`. */
  objLight: Float64Array;
  /** Episodes per (object, yaw bin), index `obj * YAW_BINS + bin`. */
  objYaw: Float64Array;
  /** Episodes with the object near a bin wall. */
  wall: number;
  /** Demos that show a slip followed by a successful re-grasp. */
  recovery: number;
  /** All training episodes. */
  total: number;
  /** Run size multiplier (see above). */
  scale: number;
}

/** An empty training set. */
export function emptyCoverage(scale: number): Coverage {
  return {
    obj: new Float64Array(OBJECT_TYPES.length),
    objLight: new Float64Array(OBJECT_TYPES.length * LIGHTING.length),
    objYaw: new Float64Array(OBJECT_TYPES.length * YAW_BINS),
    wall: 0,
    recovery: 0,
    total: 0,
    scale,
  };
}

/** A copy that can be updated without touching the original (each policy keeps its own snapshot). */
export function cloneCoverage(c: Coverage): Coverage {
  return {
    obj: c.obj.slice(),
    objLight: c.objLight.slice(),
    objYaw: c.objYaw.slice(),
    wall: c.wall,
    recovery: c.recovery,
    total: c.total,
    scale: c.scale,
  };
}

/** Count one training episode. */
export function addToCoverage(c: Coverage, cond: Conditions, isRecoveryDemo: boolean): void {
  const o = objectIndex(cond.object_type);
  c.obj[o] += 1;
  c.objLight[o * LIGHTING.length + lightingIndex(cond.lighting)] += 1;
  c.objYaw[o * YAW_BINS + yawBin(cond.yaw_deg)] += 1;
  if (wallDistance(cond) < NEAR_WALL_M) c.wall += 1;
  if (isRecoveryDemo) c.recovery += 1;
  c.total += 1;
}

/** Saturating competence from a count: n / (n + k·scale), 0 with no data, → 1 with plenty. */
function competence(n: number, k: number, scale: number): number {
  return n / (n + k * scale);
}

/**
 * Whether the policy's training data covered this condition bucket (object × lighting) with at least
 * a handful of episodes. Logged as `in_distribution`.
 */
export function isInDistribution(cond: Conditions, cov: Coverage): boolean {
  const n = cov.objLight[objectIndex(cond.object_type) * LIGHTING.length + lightingIndex(cond.lighting)];
  return n >= Math.max(1, 3 * cov.scale);
}

/** How hard each object is to grasp with no data at all (transparent and deformable are hardest). */
const GRASP_DIFFICULTY: Readonly<Record<ObjectType, number>> = {
  cube: 0.2,
  cylinder: 0.26,
  mug: 0.3,
  pouch: 0.5,
  transparent_bottle: 0.5,
  sphere: 0.3,
};
/** Poor light hurts depth and segmentation; backlight is worst. */
const LIGHT_FACTOR = [1, 1.5, 1.9];
/** How likely the object slips out of a closed gripper during the lift. */
const SLIP_RATE: Readonly<Record<ObjectType, number>> = {
  cube: 0.05,
  cylinder: 0.07,
  mug: 0.06,
  pouch: 0.13,
  transparent_bottle: 0.11,
  sphere: 0.14,
};
/** Placement needs the object turned into the tray; sideways and reversed objects are harder. */
const YAW_PLACE_FACTOR = [0.25, 1, 1.5];
/** Failure probability on a never-seen object (a sphere is at least a simple shape). */
const UNSEEN_FAILURE: Readonly<Record<ObjectType, number>> = {
  cube: 0.5,
  cylinder: 0.5,
  mug: 0.5,
  pouch: 0.5,
  transparent_bottle: 0.55,
  sphere: 0.4,
};

/**
 * Grasp ambiguity: objects with symmetric grasps offer two equally good wrist angles, and a policy
 * trained on few examples hesitates between them (the source of timeouts). Cube: worst at 45° off-axis.
 */
function ambiguity(cond: Conditions): number {
  switch (cond.object_type) {
    case 'cube': {
      const m = Math.abs(cond.yaw_deg) % 90;
      return 1 - Math.abs(m - 45) / 45;
    }
    case 'cylinder':
    case 'sphere':
      return 0.6;
    default:
      return 0.25;
  }
}

/** Remaining error share with n examples in a bucket: k / (k + n); 1 with no data. */
function residual(n: number, k: number, scale: number): number {
  return (k * scale) / (k * scale + n);
}

/** Seed-round size the general factor is normalised to (G = 1 for a policy trained on the seed demos). */
const SEED_SIZE = 200;
/** Half-size of the general data effect. */
const GENERAL_K = 60;

/**
 * General competence from dataset size: a policy trained on more data is better everywhere, not only
 * in the buckets the data targeted. 1 at the seed-round size, about 0.4 at 2.5× that.
 */
function general(total: number, scale: number): number {
  const r = (SEED_SIZE + GENERAL_K) / (total / scale + GENERAL_K);
  return r * r;
}

/**
 * Per-mechanism failure probability of one episode run by a policy trained on `cov`, in
 * {@link MECHANISMS} order. The sum is kept below 1; an episode fails with probability = sum.
 */
export function mechanismProbabilities(cond: Conditions, cov: Coverage): Float64Array {
  const s = cov.scale;
  const o = objectIndex(cond.object_type);
  const li = lightingIndex(cond.lighting);
  const nObj = cov.obj[o];
  // Episodes of the same object in other buckets transfer partly (a pouch is a pouch in any light).
  const nOL = cov.objLight[o * LIGHTING.length + li];
  const nOY = cov.objYaw[o * YAW_BINS + yawBin(cond.yaw_deg)];
  const effOL = nOL + 0.2 * (nObj - nOL);
  const effOY = nOY + 0.2 * (nObj - nOY);
  const g = general(cov.total, s);
  const p = new Float64Array(MECHANISMS.length);

  // Unseen object: the policy has no idea what to do. Residual risk while data on it is thin.
  const unseen = nObj < 1;
  const rObj = residual(nObj, 6, s);
  p[5] = unseen ? UNSEEN_FAILURE[cond.object_type] : 0.25 * rObj * rObj;

  // Grasp failure: hard objects in bad light, unless the policy has seen that (object, light) bucket.
  let lightF = LIGHT_FACTOR[li];
  if (li > 0 && (cond.object_type === 'transparent_bottle' || cond.object_type === 'pouch')) lightF *= 1.25;
  p[0] = unseen ? 0 : 0.004 + GRASP_DIFFICULTY[cond.object_type] * lightF * residual(effOL, 10, s) * g;

  // Placement error: turning sideways or reversed objects into the tray; learned per (object, yaw bin).
  p[1] = unseen ? 0 : 0.003 + 0.28 * YAW_PLACE_FACTOR[yawBin(cond.yaw_deg)] * residual(effOY, 10, s) * g;

  // Collision: the hand does not fit next to the wall. Coverage helps only marginally (slower approach).
  const d = wallDistance(cond);
  p[2] = d < NEAR_WALL_M ? (0.06 + 0.18 * (1 - d / NEAR_WALL_M)) * (1 - 0.08 * competence(cov.wall, 40, s)) : 0.001;

  // Timeout: hesitation between equivalent grasps; resolved by examples in that (object, yaw) bucket.
  p[3] = unseen ? 0 : 0.003 + 0.4 * ambiguity(cond) * residual(effOY, 10, s) * g;

  // Recovery failure: after a slip the policy must re-grasp, which only recovery demos teach.
  p[4] = unseen ? 0 : 0.002 + SLIP_RATE[cond.object_type] * residual(cov.recovery, 8, s) * g;

  let total = 0;
  for (let i = 0; i < p.length; i++) total += p[i];
  if (total > 0.95) for (let i = 0; i < p.length; i++) p[i] *= 0.95 / total;
  return p;
}

/**
 * Draw an outcome from per-mechanism probabilities with a single uniform u: the mechanisms partition
 * [0, Σp) in {@link MECHANISMS} order, and u ≥ Σp is a success.
 */
export function drawMechanism(p: Float64Array, u: number): Mechanism | null {
  let acc = 0;
  for (let i = 0; i < p.length; i++) {
    acc += p[i];
    if (u < acc) return MECHANISMS[i];
  }
  return null;
}

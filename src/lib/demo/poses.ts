/**
 * Joint-space poses of the simulated Franka Panda (7 joints, radians).
 *
 * Not real inverse kinematics: a smooth, plausible map from the object's position and yaw to joint
 * angles, good enough for trajectories that look like a pick-and-place and that vary with conditions.
 * Only + − × ÷ and sqrt are used (all exactly specified in IEEE 754), so the bytes are the same everywhere.
 */
import type { Conditions, ObjectType } from './conditions.ts';

/** A 7-joint configuration. */
export type JointPose = readonly number[];

/** Joint names of observation.state / action, 7 arm joints then the gripper opening width. */
export const JOINT_NAMES = [
  'panda_joint1',
  'panda_joint2',
  'panda_joint3',
  'panda_joint4',
  'panda_joint5',
  'panda_joint6',
  'panda_joint7',
  'gripper_width',
] as const;

/** Franka Panda joint limits (rad), from the robot's datasheet; commands and states stay inside. */
export const JOINT_LIMITS: ReadonlyArray<readonly [number, number]> = [
  [-2.8973, 2.8973],
  [-1.7628, 1.7628],
  [-2.8973, 2.8973],
  [-3.0718, -0.0698],
  [-2.8973, 2.8973],
  [-0.0175, 3.7525],
  [-2.8973, 2.8973],
];

/** Gripper width when fully open (metres). */
export const GRIPPER_OPEN = 0.08;

/** Ready pose above the bin. */
export const HOME: JointPose = [0, -0.6, 0, -2.2, 0, 1.6, 0.785];

/** Pose above the tray, to the robot's right; the release pose is a little lower (see {@link trayPose}). */
export const TRAY_ABOVE: JointPose = [-1.25, -0.15, 0, -2.05, 0, 1.95, 0.785];

/** atan(z) to within 0.005 rad for |z| ≤ 1, from arithmetic only (Math.atan's last bits vary by engine). */
function atanApprox(z: number): number {
  return z / (1 + 0.28 * z * z);
}

/** Grasp yaw in radians, folded by the object's symmetry (a cube looks the same every 90°). */
function graspYaw(object: ObjectType, yawDeg: number): number {
  if (object === 'sphere') return 0;
  const period = object === 'cube' ? 90 : 180;
  let y = yawDeg % period;
  if (y >= period / 2) y -= period;
  if (y < -period / 2) y += period;
  return (y * 3.141592653589793) / 180;
}

/**
 * Pose over (lift = 1) or at (lift = 0) the object. Reach `r` moves shoulder and elbow; the base turns
 * towards the object; the wrist turns to the grasp yaw.
 */
export function graspPose(c: Conditions, lift: number): number[] {
  const r = Math.sqrt(c.pos_x * c.pos_x + c.pos_y * c.pos_y);
  const q1 = atanApprox(c.pos_y / c.pos_x);
  const dr = r - 0.5;
  return [
    q1,
    -0.22 + 1.1 * dr - 0.3 * lift,
    (0.05 * c.pos_y) / 0.15,
    -2.3 + 1.4 * dr - 0.22 * lift + 0.12 * (1 - lift),
    0,
    2.0 + 0.4 * dr - 0.12 * lift + 0.1 * (1 - lift),
    0.785 + q1 - graspYaw(c.object_type, c.yaw_deg),
  ];
}

/** Release pose over the tray, optionally displaced (placement errors put the object in the wrong place). */
export function trayPose(q1Offset: number, lower: number): number[] {
  const q = TRAY_ABOVE.slice();
  q[0] += q1Offset;
  q[1] += 0.12 * lower;
  q[3] += 0.08 * lower;
  return q;
}

/** Element-wise a + b·k. */
export function addScaled(a: readonly number[], b: readonly number[], k: number): number[] {
  return a.map((v, i) => v + b[i] * k);
}

/**
 * The human side of the log: operator ids and the short free-text notes operators type. Notes are
 * informal on purpose (commas, quotes, abbreviations), so CSV readers and text search get real input.
 */
import type { Conditions } from './conditions.ts';
import type { Mechanism } from './mechanisms.ts';
import type { Rng } from './rng.ts';

/** Operators who teleoperate demos. op-05 joins at rotation 3 and is slower at first. */
export const TELEOP_OPERATORS = ['op-01', 'op-02', 'op-04', 'op-05'] as const;
/** Operators who supervise deployment runs. */
export const DEPLOY_OPERATORS = ['op-01', 'op-03', 'op-06'] as const;

/** Teleop pace (time multiplier) per operator; new operators are slower. */
export function operatorPace(op: string, rotation: number): number {
  switch (op) {
    case 'op-01':
      return 1.0;
    case 'op-02':
      return 1.08;
    case 'op-04':
      return 1.04;
    default:
      return rotation <= 4 ? 1.22 : 1.1;
  }
}

/** Pick a teleop operator available in a rotation. */
export function pickTeleopOperator(rng: Rng, rotation: number): string {
  const ops = rotation >= 3 ? TELEOP_OPERATORS : TELEOP_OPERATORS.slice(0, 3);
  return rng.pick(ops);
}

const FAILURE_NOTES: Readonly<Record<Mechanism, readonly string[]>> = {
  grasp_failure: [
    'gripper closed on air',
    'missed grasp, fingers closed empty',
    'grasp missed by ~1cm',
    'gripper slipped on {obj}',
    'closed on nothing, reopened, stopped run',
    'depth looked off on {obj}, grasp missed',
  ],
  placement_error: [
    'placed next to tray',
    'dropped {obj} on tray edge',
    'object released ~10cm off target, fell off tray',
    'placed outside tray, "close enough" per policy',
  ],
  collision: [
    'hit bin wall, protective stop',
    'wrist cam mount clipped bin wall',
    'contact with bin rim, reflex triggered',
    'collision near wall, reset arm',
  ],
  timeout: [
    'hesitated over {obj} until timeout',
    'dithering between grasps, timed out',
    'no progress, hit 25s limit',
    'hovering, wrist going back and forth',
  ],
  recovery_failure: [
    '{obj} slipped during lift, retries failed',
    'dropped {obj}, kept re-grasping, gave up',
    'slip on lift, 3+ regrasp attempts, no luck',
  ],
  out_of_distribution: [
    'never seen {obj}, arm flailing',
    'erratic motion on new object, e-stopped',
    'policy confused by {obj}, jerky actions',
    'new object in bin, "random" gripper commands',
  ],
};

function objName(c: Conditions): string {
  return c.object_type.replace('_', ' ');
}

/** Note for a failed deployment episode (what the supervising operator saw). */
export function failureNote(rng: Rng, label: Mechanism, c: Conditions): string {
  let note = rng.pick(FAILURE_NOTES[label]).replace('{obj}', objName(c));
  if (c.lighting !== 'bright' && rng.chance(0.3)) note += `, ${c.lighting} light`;
  return note;
}

/** Note for a successful deployment episode; usually empty. */
export function successNote(rng: Rng, c: Conditions): string {
  const u = rng.next();
  if (u < 0.75) return '';
  if (u < 0.85) return 'clean run';
  if (u < 0.93) return 'slow approach, ok';
  return `ok, ${objName(c)} slightly rotated in tray`;
}

/** Note for a teleoperated demo. */
export function demoNote(rng: Rng, kind: 'seed' | 'targeted', c: Conditions, target: Mechanism | null, recovery: boolean): string {
  if (kind === 'seed') return rng.chance(0.85) ? '' : rng.pick(['redo after bad reset', 'seed demo', 'slow, careful demo']);
  if (recovery) return `recovery demo: slip + re-grasp, ${objName(c)}`;
  const why = target === null ? 'targeted' : `targeted ${target}`;
  return `${why}: ${objName(c)}, ${c.lighting} light`;
}

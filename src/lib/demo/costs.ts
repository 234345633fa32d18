/**
 * The cost sheet of the flywheel: one line item per spend, per rotation. Amounts follow from the plan
 * (operator hours from demo durations, robot hours from deployment sessions, GPU hours from training-set
 * size), plus a few hardware purchases. Rotation 5 runs a hyper-parameter sweep and pays for a
 * camera-mount redesign (the collisions!), so cost per successful deployment episode rises there: the
 * red flag the app should raise.
 */
import { DAY_MS, isoDate } from './calendar.ts';
import type { EpisodePlan, FlywheelPlan, RotationSummary } from './flywheel.ts';
import { FPS } from './script.ts';

/** One line of collection_costs.csv. */
export interface CostLine {
  rotation: number;
  /** YYYY-MM-DD */
  date: string;
  category: 'teleop_demos' | 'deployment' | 'annotation' | 'training_compute' | 'hardware';
  description: string;
  quantity: number;
  unit: string;
  unit_cost_usd: number;
  amount_usd: number;
}

/** Header of collection_costs.csv. */
export const COST_HEADER = ['rotation', 'date', 'category', 'description', 'quantity', 'unit', 'unit_cost_usd', 'amount_usd'] as const;

const OPERATOR_RATE = 42;
const ROBOT_HOUR_RATE = 18;
const ANNOTATION_RATE = 30;
const GPU_HOUR_RATE = 2.4;
const GPUS = 8;

const round2 = (x: number): number => Math.round(x * 100) / 100;

function line(rotation: number, dayMs: number, category: CostLine['category'], description: string, quantity: number, unit: string, unitCost: number): CostLine {
  const q = round2(quantity);
  return { rotation, date: isoDate(dayMs), category, description, quantity: q, unit, unit_cost_usd: unitCost, amount_usd: round2(q * unitCost) };
}

/** Operator hours for teleop demos: episode time, reset and setup per demo, and an hour of setup per day. */
function teleopHours(eps: EpisodePlan[], days: number): number {
  let s = 0;
  for (const e of eps) s += e.script.length / FPS + 150;
  return s / 3600 + days;
}

/** Hardware purchases by rotation (the cell's real-life extras). */
const HARDWARE: ReadonlyArray<{ rotation: number; description: string; quantity: number; unit: string; unitCost: number }> = [
  { rotation: 0, description: 'bin and tray fixtures, 3D printed', quantity: 1, unit: 'set', unitCost: 240 },
  { rotation: 0, description: 'spare fingertip pads', quantity: 2, unit: 'set', unitCost: 85 },
  { rotation: 2, description: 'spare fingertip pads', quantity: 2, unit: 'set', unitCost: 85 },
  { rotation: 5, description: 'wrist camera mount redesign, slimmer (after wall collisions)', quantity: 1, unit: 'item', unitCost: 650 },
];

/** Build the cost sheet from a plan. Lines are in rotation order, then date order. */
export function buildCosts(plan: FlywheelPlan): CostLine[] {
  const out: CostLine[] = [];
  const byRotation = new Map<number, EpisodePlan[]>();
  for (const e of plan.episodes) {
    const list = byRotation.get(e.rotation) ?? [];
    list.push(e);
    byRotation.set(e.rotation, list);
  }
  for (const rot of plan.rotations) {
    const eps = byRotation.get(rot.rotation) ?? [];
    out.push(...rotationCosts(rot, eps, plan.config.scale));
  }
  return out;
}

function rotationCosts(rot: RotationSummary, eps: EpisodePlan[], scale: number): CostLine[] {
  const r = rot.rotation;
  const lines: CostLine[] = [];
  const firstCollect = rot.collection_days[0] ?? rot.start_ms;
  // Annotation is billed when the rotation's last collection day closes.
  const lastDay = rot.collection_days[rot.collection_days.length - 1] ?? rot.end_ms - DAY_MS;
  for (const h of HARDWARE) {
    if (h.rotation === r) lines.push(line(r, r === 5 ? rot.start_ms + DAY_MS : rot.start_ms, 'hardware', h.description, h.quantity, h.unit, h.unitCost));
  }
  if (r > 0) {
    // Training cost grows with the training set; v5 was a 4-config sweep.
    const hours = GPUS * (4 + rot.training_frames / (6000 * scale));
    lines.push(line(r, rot.training_day_ms, 'training_compute', `train policy ${rot.policy_version} (${rot.training_episodes} episodes)`, hours, 'gpu_hour', GPU_HOUR_RATE));
    if (r === 5) lines.push(line(r, rot.training_day_ms, 'training_compute', `hyperparameter sweep for ${rot.policy_version}, 2 extra configs`, 2 * hours, 'gpu_hour', GPU_HOUR_RATE));
    const deploy = eps.filter((e) => e.kind === 'deployment');
    // The cell is booked per session: first episode to last, plus half an hour of setup per day.
    let robotS = 0;
    for (const day of rot.deployment_days) {
      const today = deploy.filter((e) => e.start_ms >= day && e.start_ms < day + DAY_MS);
      if (today.length === 0) continue;
      const last = today[today.length - 1];
      robotS += (last.start_ms - today[0].start_ms) / 1000 + last.script.length / FPS + 1800;
    }
    const firstDeploy = rot.deployment_days[0] ?? rot.start_ms;
    lines.push(line(r, firstDeploy, 'deployment', `robot time, ${deploy.length} episodes with ${rot.policy_version}`, robotS / 3600, 'robot_hour', ROBOT_HOUR_RATE));
    lines.push(line(r, firstDeploy, 'deployment', 'operator supervision', robotS / 3600, 'operator_hour', OPERATOR_RATE));
    const failures = deploy.filter((e) => e.mechanism !== null).length;
    lines.push(line(r, lastDay, 'annotation', `outcome review (${deploy.length} episodes, ${failures} failures labelled)`, (deploy.length * 1.5 + failures * 4) / 60, 'annotator_hour', ANNOTATION_RATE));
    const targeted = eps.filter((e) => e.kind === 'targeted');
    if (targeted.length > 0) {
      lines.push(line(r, firstCollect, 'teleop_demos', `targeted demos: ${rot.targeted_mechanisms.join(', ')}`, teleopHours(targeted, rot.collection_days.length), 'operator_hour', OPERATOR_RATE));
    }
  } else {
    const seed = eps.filter((e) => e.kind === 'seed');
    lines.push(line(r, firstCollect, 'teleop_demos', `seed demos (${seed.length})`, teleopHours(seed, rot.collection_days.length), 'operator_hour', OPERATOR_RATE));
    lines.push(line(r, lastDay, 'annotation', 'seed demo QA', (seed.length * 1) / 60, 'annotator_hour', ANNOTATION_RATE));
  }
  return lines.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** Total spend of a rotation divided by its successful deployment episodes (null without successes). */
export function costPerSuccess(lines: readonly CostLine[], rot: RotationSummary): number | null {
  if (rot.successes === 0) return null;
  let total = 0;
  for (const l of lines) if (l.rotation === rot.rotation) total += l.amount_usd;
  return total / rot.successes;
}

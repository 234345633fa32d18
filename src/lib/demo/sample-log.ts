/**
 * A deployment log and cost sheet for a dataset that came without one (the shared LeRobot v2.1 sample: 100
 * Unitree G1 episodes), so every flywheel job can be shown and tested on real episodes of another robot, not
 * only on the demo. The log is made up, and says so in its notes: episodes are assigned, in index order, to seed
 * demos, then three rotations of deployments (success improving with data) each followed by targeted demos of
 * that rotation's most frequent failure. Seeded, so the file is reproducible.
 */
import { toCsv, type CsvCell } from './csv.ts';
import { createRng } from './rng.ts';

/** The shape of the made-up flywheel, in episodes (sums to the dataset's episode count). */
export interface SampleLogPlan {
  seedDemos: number;
  /** Deployments per rotation 1..n, and each rotation's success probability. */
  rotations: { deployments: number; success: number; targeted: number }[];
  startDate: string;
  seed: number;
}

/** The plan used for the 100-episode v2.1 sample. */
export const G1_PLAN: SampleLogPlan = {
  seedDemos: 40,
  rotations: [
    { deployments: 20, success: 0.5, targeted: 5 },
    { deployments: 15, success: 0.65, targeted: 5 },
    { deployments: 15, success: 0.8, targeted: 0 },
  ],
  startDate: '2026-03-02',
  seed: 2101,
};

const MODES = ['grasp_failure', 'slip', 'collision', 'timeout'] as const;
const MODE_WEIGHTS = [4, 3, 1, 2];
const NOTES: Record<(typeof MODES)[number], string> = {
  grasp_failure: 'hand closed before reaching the bottle',
  slip: 'bottle slipped out during lift',
  collision: 'wrist touched the table edge',
  timeout: 'hesitated above the bottle until timeout',
};
const OBJECTS = ['yellow_bottle', 'clear_bottle'] as const;
const LIGHTING = ['bright', 'dim'] as const;

/** Log rows for episodes 0..n-1 (`episode_id` = LeRobot episode index). */
export function sampleLog(plan: SampleLogPlan = G1_PLAN): { header: string[]; rows: CsvCell[][] } {
  const rng = createRng(plan.seed);
  const header = ['episode_id', 'timestamp', 'policy_version', 'outcome', 'failure_category', 'notes', 'rotation', 'tags', 'operator', 'object_type', 'lighting', 'in_distribution'];
  const rows: CsvCell[][] = [];
  const day0 = Date.parse(`${plan.startDate}T09:00:00Z`);
  let ep = 0;
  let day = 0;
  const stamp = (i: number) => new Date(day0 + day * 86_400_000 + i * 240_000).toISOString().replace('.000Z', 'Z');
  const conditions = () => {
    const object = rng.chance(0.8) ? OBJECTS[0] : OBJECTS[1];
    const light = rng.pick(LIGHTING);
    return { object, light, seen: object === OBJECTS[0] };
  };
  for (let i = 0; i < plan.seedDemos; i++) {
    const c = conditions();
    rows.push([ep++, stamp(i), null, 'success', null, 'teleop demo (made-up log for the v2.1 sample)', 0, 'seed', `op-${1 + (i % 3)}`, c.object, c.light, c.seen]);
  }
  plan.rotations.forEach((r, k) => {
    const rotation = k + 1;
    day += 9 + rng.int(0, 4);
    const failures: Record<string, number> = {};
    for (let i = 0; i < r.deployments; i++) {
      const c = conditions();
      // Unseen objects fail more often: a flywheel's generalisation gap.
      const ok = rng.chance(c.seen ? r.success : r.success * 0.6);
      const mode = ok ? null : MODES[rng.weighted(MODE_WEIGHTS)];
      if (mode) failures[mode] = (failures[mode] ?? 0) + 1;
      rows.push([ep++, stamp(i), `g1-v${rotation}`, ok ? 'success' : 'failure', mode, mode ? NOTES[mode] : null, rotation, 'deployment', 'policy', c.object, c.light, c.seen]);
    }
    const top = Object.entries(failures).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
    for (let i = 0; i < r.targeted; i++) {
      const c = conditions();
      rows.push([ep++, stamp(r.deployments + i), null, 'success', null, `targeted demo for ${top ?? 'grasp_failure'}`, rotation, 'targeted-recovery', `op-${1 + (i % 3)}`, c.object, c.light, c.seen]);
    }
  });
  return { header, rows };
}

/** The log as CSV text. */
export function sampleLogCsv(plan: SampleLogPlan = G1_PLAN): string {
  const { header, rows } = sampleLog(plan);
  return toCsv(header, rows);
}

/** A cost sheet for the same flywheel: demos, deployments and one training run per rotation. */
export function sampleCostsCsv(plan: SampleLogPlan = G1_PLAN): string {
  const header = ['rotation', 'date', 'category', 'description', 'quantity', 'unit', 'unit_cost_usd', 'amount_usd'];
  const rows: CsvCell[][] = [];
  const line = (rotation: number, category: string, description: string, quantity: number, unit: string, unitCost: number) =>
    rows.push([rotation, plan.startDate, category, description, quantity.toFixed(2), unit, unitCost.toFixed(2), (quantity * unitCost).toFixed(2)]);
  line(0, 'teleop', 'seed demonstrations', plan.seedDemos, 'episode', 6.5);
  plan.rotations.forEach((r, k) => {
    line(k + 1, 'compute', 'policy training run', 1, 'run', 310);
    line(k + 1, 'deployment', 'supervised deployments', r.deployments, 'episode', 3.2);
    if (r.targeted) line(k + 1, 'teleop', 'targeted demonstrations', r.targeted, 'episode', 7.5);
  });
  return toCsv(header, rows);
}

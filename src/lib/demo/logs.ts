/**
 * The lab's side files next to the LeRobot dataset: deployment_log.csv (one row per episode),
 * collection_costs.csv and ground_truth.json. Pure string builders; the writer saves them.
 */
import { DRIFT_JOINT, DRIFT_TOLERANCE_DEG, firstWeekOutOfTolerance } from './dataops.ts';
import { JOINT_NAMES } from './poses.ts';
import { isoSeconds } from './calendar.ts';
import { COST_HEADER, type CostLine } from './costs.ts';
import { toCsv, type CsvCell } from './csv.ts';
import { GENERATOR_VERSION, type FlywheelPlan } from './flywheel.ts';

/** Header of deployment_log.csv. The first six columns are the app's required log schema. */
export const DEPLOYMENT_LOG_HEADER = [
  'episode_id',
  'timestamp',
  'policy_version',
  'outcome',
  'failure_category',
  'notes',
  'rotation',
  'tags',
  'operator',
  'object_type',
  'yaw_deg',
  'pos_x',
  'pos_y',
  'lighting',
  'in_distribution',
] as const;

/** deployment_log.csv: every episode, in episode (= time) order. Teleop demos log as successes. */
export function deploymentLogCsv(plan: FlywheelPlan): string {
  const rows: CsvCell[][] = plan.episodes.map((e) => [
    e.episode_index,
    isoSeconds(e.start_ms),
    e.policy_version ?? '',
    // A calibration run is not a task attempt: no outcome.
    e.kind === 'calibration' ? '' : e.mechanism === null ? 'success' : 'failure',
    e.failure_label ?? '',
    e.notes,
    e.rotation,
    e.tags.join(';'),
    e.operator,
    e.conditions.object_type,
    e.conditions.yaw_deg.toFixed(1),
    e.conditions.pos_x.toFixed(3),
    e.conditions.pos_y.toFixed(3),
    e.conditions.lighting,
    e.in_distribution ? 'true' : 'false',
  ]);
  return toCsv(DEPLOYMENT_LOG_HEADER, rows);
}

/** collection_costs.csv. */
export function costsCsv(lines: readonly CostLine[]): string {
  return toCsv(
    COST_HEADER,
    lines.map((l) => [l.rotation, l.date, l.category, l.description, l.quantity.toFixed(2), l.unit, l.unit_cost_usd.toFixed(2), l.amount_usd.toFixed(2)]),
  );
}

/** One episode in ground_truth.json. */
export interface GroundTruthEpisode {
  episode_index: number;
  kind: string;
  rotation: number;
  policy_version: string | null;
  /** True failure mechanism (null = success). May differ from the filed failure_category. */
  mechanism: string | null;
  failure_label: string | null;
  onset_s: number | null;
  onset_frame: number | null;
  length: number;
  object_type: string;
  yaw_deg: number;
  pos_x: number;
  pos_y: number;
  lighting: string;
  in_distribution: boolean;
  failure_probability: number | null;
  targeted_mechanism: string | null;
  recovery_demo: boolean;
}

/** One rotation in ground_truth.json. */
export interface GroundTruthRotation {
  rotation: number;
  policy_version: string | null;
  start: string;
  end: string;
  success_rate: number | null;
  deployment_episodes: number;
  successes: number;
  targeted_demos: number;
  targeted_mechanisms: string[];
  training_episodes: number;
  failures_by_mechanism: Record<string, number>;
  failures_by_label: Record<string, number>;
}

/** The shape of ground_truth.json. */
export interface GroundTruth {
  seed: number;
  generatorVersion: string;
  fps: number;
  config: Record<string, unknown>;
  rotations: GroundTruthRotation[];
  /** What the data-ops jobs should find: flawed demos and the calibration drift (dataops.ts). */
  dataOps: {
    flawed: { episode_index: number; defect: string }[];
    drift: { joint: string; tolerance_deg: number; first_week_out_of_tolerance: number; first_week_start: string; calibration: { episode_index: number; week: number; drift_deg: number }[] };
  };
  episodes: GroundTruthEpisode[];
}

/** Build ground_truth.json's object (keys in a fixed order, so the text is reproducible). */
export function groundTruth(plan: FlywheelPlan, fps: number): GroundTruth {
  const c = plan.config;
  return {
    seed: c.seed,
    generatorVersion: GENERATOR_VERSION,
    fps,
    config: {
      rotations: c.rotations,
      seedDemos: c.seedDemos,
      deploymentsPerRotation: c.deploymentsPerRotation,
      targetedPerRotation: [...c.targetedPerRotation],
      autoCollectedFraction: [...c.autoCollectedFraction],
      labelNoise: c.labelNoise,
      startDate: c.startDate,
      scale: c.scale,
    },
    rotations: plan.rotations.map((r) => ({
      rotation: r.rotation,
      policy_version: r.policy_version,
      start: isoSeconds(r.start_ms),
      end: isoSeconds(r.end_ms),
      success_rate: r.success_rate === null ? null : Math.round(r.success_rate * 10000) / 10000,
      deployment_episodes: r.deployment_episodes,
      successes: r.successes,
      targeted_demos: r.targeted_demos,
      targeted_mechanisms: [...r.targeted_mechanisms],
      training_episodes: r.training_episodes,
      failures_by_mechanism: { ...r.failures_by_mechanism },
      failures_by_label: { ...r.failures_by_label },
    })),
    dataOps: {
      flawed: plan.dataOps.flawed.map((f) => ({ ...f })),
      drift: {
        joint: JOINT_NAMES[DRIFT_JOINT],
        tolerance_deg: DRIFT_TOLERANCE_DEG,
        first_week_out_of_tolerance: firstWeekOutOfTolerance(),
        first_week_start: isoSeconds(plan.episodes[plan.dataOps.calibration.find((c) => c.week === firstWeekOutOfTolerance())?.episode_index ?? 0]?.start_ms ?? 0),
        calibration: plan.dataOps.calibration.map((c) => ({ ...c })),
      },
    },
    episodes: plan.episodes.map((e) => ({
      episode_index: e.episode_index,
      kind: e.kind,
      rotation: e.rotation,
      policy_version: e.policy_version,
      mechanism: e.mechanism,
      failure_label: e.failure_label,
      onset_s: e.onset_s,
      onset_frame: e.onset_frame,
      length: e.script.length,
      object_type: e.conditions.object_type,
      yaw_deg: e.conditions.yaw_deg,
      pos_x: e.conditions.pos_x,
      pos_y: e.conditions.pos_y,
      lighting: e.conditions.lighting,
      in_distribution: e.in_distribution,
      failure_probability: e.failure_probability,
      targeted_mechanism: e.targeted_mechanism,
      recovery_demo: e.recovery_demo,
    })),
  };
}

/**
 * ground_truth.json text: pretty at the top, one line per episode, so the committed file diffs well
 * and stays small. Same input → same bytes (keys are built in a fixed order).
 */
export function groundTruthJson(gt: GroundTruth): string {
  const { episodes, rotations, dataOps, ...head } = gt;
  const headText = JSON.stringify(head, null, 2).slice(0, -2);
  const rot = rotations.map((r) => '    ' + JSON.stringify(r)).join(',\n');
  const eps = episodes.map((e) => '    ' + JSON.stringify(e)).join(',\n');
  return `${headText},\n  "rotations": [\n${rot}\n  ],\n  "dataOps": ${JSON.stringify(dataOps)},\n  "episodes": [\n${eps}\n  ]\n}\n`;
}

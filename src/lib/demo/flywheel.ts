/**
 * The flywheel itself: a seed round of teleoperated demos, then rotations of
 * train policy v{r} on everything so far → deploy it → look at the failures → collect targeted demos.
 *
 * Targeted demos of rotation r go after the failure categories filed during rotation r's deployment,
 * i.e. the failures of the policy that the next one (trained on them) replaces.
 *
 * Pure and cheap: it decides every episode's conditions, outcome, failure onset, motion script, tags,
 * operator, notes and timestamp, but renders no frames (see trajectory.ts). The plan is the ground truth.
 */
import { DAY_MS, parseDate, scheduleEpisodes, workdays } from './calendar.ts';
import {
  jitterPosition,
  objectIndex,
  sampleCentralPosition,
  sampleDeploymentConditions,
  sampleDeploymentLighting,
  sampleSeedConditions,
  sampleYaw,
  wrapYaw,
  type Conditions,
} from './conditions.ts';
import {
  MECHANISMS,
  addToCoverage,
  cloneCoverage,
  drawMechanism,
  emptyCoverage,
  isInDistribution,
  mechanismProbabilities,
  type Coverage,
  type Mechanism,
} from './mechanisms.ts';
import { DEPLOY_OPERATORS, demoNote, failureNote, operatorPace, pickTeleopOperator, successNote } from './notes.ts';
import { createRng, type Rng } from './rng.ts';
import { appendDataOpsEpisodes, type DataOpsPlanted, type Defect } from './dataops.ts';
import { FPS, buildScript, type MotionScript } from './script.ts';

/** Knobs of a generated flywheel. */
export interface FlywheelConfig {
  /** PRNG seed; same seed and config → identical plan and files. */
  seed: number;
  /** Number of deploy-and-collect rotations after the seed round. */
  rotations: number;
  /** Teleoperated demos in the seed round. */
  seedDemos: number;
  /** Typical deployment episodes per rotation (each rotation varies by −5 % … +8 %). */
  deploymentsPerRotation: number;
  /** Targeted correction demos per rotation, inclusive range, before scaling. */
  targetedPerRotation: readonly [number, number];
  /** Share of deployment episodes the logging pipeline uploads in full ("auto-collected"), range. */
  autoCollectedFraction: readonly [number, number];
  /** Probability that an annotator files a failure under a plausible but wrong category. */
  labelNoise: number;
  /** First day of the seed round, YYYY-MM-DD (UTC). */
  startDate: string;
  /**
   * Size multiplier of the run. Episode counts are multiplied by it, and so are the coverage
   * half-saturation constants, so large benchmark runs keep the demo's success curve.
   */
  scale: number;
}

/** The bundled demo's configuration. */
export const DEFAULT_CONFIG: Readonly<FlywheelConfig> = {
  seed: 20260302,
  rotations: 6,
  seedDemos: 200,
  deploymentsPerRotation: 100,
  targetedPerRotation: [30, 60],
  autoCollectedFraction: [0.2, 0.3],
  labelNoise: 0.05,
  startDate: '2026-01-05',
  scale: 1,
};

/** Bump when the generated data changes for the same seed (recorded in ground_truth.json). */
export const GENERATOR_VERSION = '1.1.0';

/** How an episode was produced. */
export type EpisodeKind = 'seed' | 'deployment' | 'targeted' | 'calibration';

/** Everything decided about one episode before rendering. */
export interface EpisodePlan {
  episode_index: number;
  kind: EpisodeKind;
  rotation: number;
  /** Deployed policy ('v1'…), null for teleop demos. */
  policy_version: string | null;
  conditions: Conditions;
  /** Did the current policy's training data cover this (object, lighting) bucket. */
  in_distribution: boolean;
  /** True cause of the failure, null for successes. */
  mechanism: Mechanism | null;
  /** Category the annotator filed (usually the mechanism, sometimes a plausible confusion). */
  failure_label: Mechanism | null;
  /** Failure onset in frames / seconds from episode start, null for successes. */
  onset_frame: number | null;
  onset_s: number | null;
  /** Total failure probability the policy had on this episode (deployments), else null. */
  failure_probability: number | null;
  task_index: number;
  tags: string[];
  operator: string;
  notes: string;
  /** Start time, ms since epoch (UTC, whole seconds). */
  start_ms: number;
  /** For targeted demos: the failure category it was collected against. */
  targeted_mechanism: Mechanism | null;
  /** Teleop demo that shows a slip and a successful re-grasp. */
  recovery_demo: boolean;
  script: MotionScript;
  /** A recording defect planted for the quality gate (dataops.ts). */
  defect?: Defect;
  /** Encoder drift of a calibration episode: radians added to one measured joint (dataops.ts). */
  drift?: { joint: number; rad: number };
}

/** Summary of one rotation (rotation 0 is the seed round). */
export interface RotationSummary {
  rotation: number;
  policy_version: string | null;
  start_ms: number;
  end_ms: number;
  deployment_episodes: number;
  successes: number;
  /** Successes / deployment episodes; null for the seed round. */
  success_rate: number | null;
  targeted_demos: number;
  /** Categories the targeted demos of this rotation were collected against. */
  targeted_mechanisms: Mechanism[];
  /** Deployment failures by true mechanism. */
  failures_by_mechanism: Record<Mechanism, number>;
  /** Deployment failures by filed category. */
  failures_by_label: Record<Mechanism, number>;
  /** Episodes in the training set of this rotation's policy. */
  training_episodes: number;
  /** Frames in the training set of this rotation's policy (drives the compute bill). */
  training_frames: number;
  /** Working days of deployment and of targeted collection (for the cost sheet). */
  deployment_days: number[];
  collection_days: number[];
  /** Day the policy was trained. */
  training_day_ms: number;
}

/** A full plan: episodes in index (= time) order, rotations, and each policy's training coverage. */
export interface FlywheelPlan {
  config: FlywheelConfig;
  episodes: EpisodePlan[];
  rotations: RotationSummary[];
  /** Training coverage of policy v{r} at index r (index 0: empty, nothing trained yet). */
  policyCoverage: Coverage[];
  totalFrames: number;
  /** The flawed demonstrations and calibration episodes planted for the data-ops jobs. */
  dataOps: DataOpsPlanted;
}

// Independent random streams, so e.g. adding a note draw never changes a trajectory.
const STREAM_CALENDAR = 1;
const STREAM_ROTATION = 2;
const STREAM_EPISODE = 3;
const STREAM_SCRIPT = 4;

/** Confusions annotators make: the wrong category they file instead of the true one. */
const CONFUSION: Readonly<Partial<Record<Mechanism, Mechanism>>> = {
  out_of_distribution: 'grasp_failure',
  recovery_failure: 'grasp_failure',
  grasp_failure: 'recovery_failure',
  timeout: 'out_of_distribution',
};

function zeroCounts(): Record<Mechanism, number> {
  const r = {} as Record<Mechanism, number>;
  for (const m of MECHANISMS) r[m] = 0;
  return r;
}

/** Conditions for a targeted demo aimed at the failure `mech` seen on episode `ref`. */
export function targetedConditions(rng: Rng, mech: Mechanism, ref: Conditions): Conditions {
  const obj = ref.object_type;
  switch (mech) {
    case 'grasp_failure':
      return { object_type: obj, yaw_deg: sampleYaw(rng), ...sampleCentralPosition(rng), lighting: ref.lighting };
    case 'out_of_distribution':
    case 'recovery_failure':
      return { object_type: obj, yaw_deg: sampleYaw(rng), ...sampleCentralPosition(rng), lighting: sampleDeploymentLighting(rng) };
    case 'placement_error':
      return { object_type: obj, yaw_deg: wrapYaw(ref.yaw_deg + rng.uniform(-15, 15)), ...sampleCentralPosition(rng), lighting: sampleDeploymentLighting(rng) };
    case 'timeout':
      return { object_type: obj, yaw_deg: wrapYaw(ref.yaw_deg + rng.uniform(-8, 8)), ...sampleCentralPosition(rng), lighting: ref.lighting };
    case 'collision':
      // Operators reproduce the wall case by hand; the teleop demo itself succeeds (humans go slowly).
      return { object_type: obj, yaw_deg: sampleYaw(rng), ...jitterPosition(rng, ref.pos_x, ref.pos_y, 0.008), lighting: ref.lighting };
  }
}

/**
 * Pick the failure categories a rotation's targeted demos go after: the two most frequent filed
 * categories, plus collision whenever it happened at least three times (labs treat collisions as safety
 * issues). Ties break in {@link MECHANISMS} order so the choice is deterministic.
 */
export function chooseTargets(byLabel: Record<Mechanism, number>, scale: number): Mechanism[] {
  const ranked = MECHANISMS.filter((m) => byLabel[m] > 0).sort((a, b) => byLabel[b] - byLabel[a] || MECHANISMS.indexOf(a) - MECHANISMS.indexOf(b));
  const targets = ranked.slice(0, 2);
  if (!targets.includes('collision') && byLabel.collision >= Math.max(3, 3 * scale)) targets.push('collision');
  return targets;
}

/** Split `total` over `weights` by largest remainder (deterministic, sums exactly to total). */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map(() => 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map((x) => Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k][1]] += 1;
  return out;
}

/** Build the whole flywheel plan. Pure: no I/O, no clock, no unseeded randomness. */
export function planFlywheel(config: FlywheelConfig): FlywheelPlan {
  const { seed, scale } = config;
  const cal = createRng(seed, STREAM_CALENDAR);
  const episodes: EpisodePlan[] = [];
  const rotations: RotationSummary[] = [];
  const policyCoverage: Coverage[] = [emptyCoverage(scale)];
  const training = emptyCoverage(scale);
  let trainingFrames = 0;

  // Calendar: the seed round takes 12–16 days, each rotation 9–17 days, and at least one rotation
  // runs over two weeks (if none does by chance, rotation 3, which brings the new bottle, stretches).
  const seedDays = cal.int(12, 16);
  const rotDays: number[] = [];
  for (let r = 1; r <= config.rotations; r++) rotDays.push(cal.int(9, 17));
  if (config.rotations > 0 && !rotDays.some((d) => d > 14)) rotDays[Math.min(2, config.rotations - 1)] = cal.int(15, 17);
  let cursor = parseDate(config.startDate);

  const newEpisode = (): { idx: number; rng: Rng; scriptRng: Rng } => {
    const idx = episodes.length;
    return { idx, rng: createRng(seed, STREAM_EPISODE, idx), scriptRng: createRng(seed, STREAM_SCRIPT, idx) };
  };

  // ---- Seed round (rotation 0) ----
  {
    const rr = createRng(seed, STREAM_ROTATION, 0);
    const start = cursor;
    const end = start + seedDays * DAY_MS;
    const n = Math.max(1, Math.round(config.seedDemos * scale));
    const first = episodes.length;
    for (let i = 0; i < n; i++) {
      const { idx, rng, scriptRng } = newEpisode();
      const cond = sampleSeedConditions(rng);
      const operator = pickTeleopOperator(rng, 0);
      const script = buildScript({ cond, source: 'teleop', mechanism: null, recoveryDemo: false, pace: operatorPace(operator, 0) }, scriptRng);
      episodes.push({
        episode_index: idx,
        kind: 'seed',
        rotation: 0,
        policy_version: null,
        conditions: cond,
        in_distribution: false,
        mechanism: null,
        failure_label: null,
        onset_frame: null,
        onset_s: null,
        failure_probability: null,
        task_index: objectIndex(cond.object_type),
        tags: ['seed'],
        operator,
        notes: demoNote(rng, 'seed', cond, null, false),
        start_ms: 0,
        targeted_mechanism: null,
        recovery_demo: false,
        script,
      });
    }
    const days = workdays(start + DAY_MS, end);
    assignTimes(rr, episodes.slice(first), days, [60, 150], start);
    for (const e of episodes.slice(first)) {
      addToCoverage(training, e.conditions, false);
      trainingFrames += e.script.length;
    }
    rotations.push({
      rotation: 0,
      policy_version: null,
      start_ms: start,
      end_ms: end,
      deployment_episodes: 0,
      successes: 0,
      success_rate: null,
      targeted_demos: 0,
      targeted_mechanisms: [],
      failures_by_mechanism: zeroCounts(),
      failures_by_label: zeroCounts(),
      training_episodes: 0,
      training_frames: 0,
      deployment_days: [],
      collection_days: days,
      training_day_ms: start,
    });
    cursor = end;
  }

  // ---- Rotations ----
  for (let r = 1; r <= config.rotations; r++) {
    const rr = createRng(seed, STREAM_ROTATION, r);
    const policy = cloneCoverage(training);
    policyCoverage.push(policy);
    const version = `v${r}`;
    const start = cursor;
    const end = start + rotDays[r - 1] * DAY_MS;
    // Day 0–1: training v{r}. Then deployment on ~60 % of the working days, then targeted collection.
    const days = workdays(start + 2 * DAY_MS, end);
    const nDeployDays = Math.max(1, Math.min(days.length - 1, Math.round(days.length * 0.6)));
    const deployDays = days.slice(0, nDeployDays);
    const collectDays = days.slice(nDeployDays);

    // Deployment.
    const nDeploy = Math.max(1, Math.round(config.deploymentsPerRotation * scale * rr.uniform(0.95, 1.08)));
    const autoFrac = rr.uniform(config.autoCollectedFraction[0], config.autoCollectedFraction[1]);
    const byMech = zeroCounts();
    const byLabel = zeroCounts();
    const failuresByLabel: Record<Mechanism, EpisodePlan[]> = {} as Record<Mechanism, EpisodePlan[]>;
    for (const m of MECHANISMS) failuresByLabel[m] = [];
    let successes = 0;
    const firstDeploy = episodes.length;
    for (let i = 0; i < nDeploy; i++) {
      const { idx, rng, scriptRng } = newEpisode();
      const cond = sampleDeploymentConditions(rng, r);
      const p = mechanismProbabilities(cond, policy);
      const mechanism = drawMechanism(p, rng.next());
      let label = mechanism;
      if (mechanism !== null && CONFUSION[mechanism] && rng.chance(config.labelNoise)) label = CONFUSION[mechanism]!;
      const auto = rng.chance(autoFrac);
      const script = buildScript({ cond, source: 'policy', mechanism, recoveryDemo: false, pace: 1 }, scriptRng);
      const onset = mechanism === null ? null : script.onsetFrame;
      const tags = [mechanism === null ? 'deployment-success' : 'deployment-failure'];
      if (auto) tags.push('auto-collected');
      let pSum = 0;
      for (const v of p) pSum += v;
      const ep: EpisodePlan = {
        episode_index: idx,
        kind: 'deployment',
        rotation: r,
        policy_version: version,
        conditions: cond,
        in_distribution: isInDistribution(cond, policy),
        mechanism,
        failure_label: label,
        onset_frame: onset,
        onset_s: onset === null ? null : Math.round((onset / FPS) * 1000) / 1000,
        failure_probability: Math.round(pSum * 10000) / 10000,
        task_index: objectIndex(cond.object_type),
        tags,
        operator: rng.pick(DEPLOY_OPERATORS),
        notes: label === null ? successNote(rng, cond) : failureNote(rng, label, cond),
        start_ms: 0,
        targeted_mechanism: null,
        recovery_demo: false,
        script,
      };
      episodes.push(ep);
      if (mechanism === null) successes++;
      else {
        byMech[mechanism]++;
        byLabel[label!]++;
        failuresByLabel[label!].push(ep);
      }
    }
    assignTimes(rr, episodes.slice(firstDeploy), deployDays, [40, 120], start + 2 * DAY_MS);

    // Targeted demos against this rotation's top failure categories (as filed by annotators: the lab
    // does not know the true mechanism).
    const targets = chooseTargets(byLabel, scale);
    const nTargeted = targets.length === 0 ? 0 : Math.max(1, Math.round(rr.int(config.targetedPerRotation[0], config.targetedPerRotation[1]) * scale));
    const split = allocate(nTargeted, targets.map((m) => byLabel[m]));
    const firstTargeted = episodes.length;
    targets.forEach((mech, ti) => {
      const refs = failuresByLabel[mech];
      for (let i = 0; i < split[ti]; i++) {
        const ref = refs[i % refs.length];
        const { idx, rng, scriptRng } = newEpisode();
        const cond = targetedConditions(rng, mech, ref.conditions);
        const recovery = mech === 'recovery_failure';
        const operator = pickTeleopOperator(rng, r);
        const script = buildScript({ cond, source: 'teleop', mechanism: null, recoveryDemo: recovery, pace: operatorPace(operator, r) * (recovery ? 0.92 : 1) }, scriptRng);
        episodes.push({
          episode_index: idx,
          kind: 'targeted',
          rotation: r,
          policy_version: null,
          conditions: cond,
          in_distribution: isInDistribution(cond, policy),
          mechanism: null,
          failure_label: null,
          onset_frame: null,
          onset_s: null,
          failure_probability: null,
          task_index: objectIndex(cond.object_type),
          tags: ['targeted-recovery'],
          operator,
          notes: demoNote(rng, 'targeted', cond, mech, recovery),
          start_ms: 0,
          targeted_mechanism: mech,
          recovery_demo: recovery,
          script,
        });
      }
    });
    assignTimes(rr, episodes.slice(firstTargeted), collectDays, [60, 150], episodes[firstTargeted - 1].start_ms);

    rotations.push({
      rotation: r,
      policy_version: version,
      start_ms: start,
      end_ms: end,
      deployment_episodes: nDeploy,
      successes,
      success_rate: successes / nDeploy,
      targeted_demos: nTargeted,
      targeted_mechanisms: targets,
      failures_by_mechanism: byMech,
      failures_by_label: byLabel,
      training_episodes: policy.total,
      training_frames: trainingFrames,
      deployment_days: deployDays,
      collection_days: collectDays,
      training_day_ms: start,
    });

    // The next policy trains on everything so far: targeted demos plus the successful auto-collected
    // deployment episodes (failures are uploaded too but are not imitation targets).
    for (const e of episodes.slice(firstDeploy)) {
      const usable = e.kind === 'targeted' || (e.mechanism === null && e.tags.includes('auto-collected'));
      if (!usable) continue;
      addToCoverage(training, e.conditions, e.recovery_demo);
      trainingFrames += e.script.length;
    }
    cursor = end;
  }

  let totalFrames = 0;
  for (const e of episodes) totalFrames += e.script.length;
  const plan: FlywheelPlan = { config: { ...config }, episodes, rotations, policyCoverage, totalFrames, dataOps: { flawed: [], calibration: [] } };
  // After everything else: the planted data-ops episodes change nothing above (see dataops.ts).
  plan.dataOps = appendDataOpsEpisodes(plan);
  return plan;
}

/** Give episodes start times on the given working days, strictly after `notBeforeMs`. */
function assignTimes(rng: Rng, eps: EpisodePlan[], days: number[], resetS: readonly [number, number], notBeforeMs: number): void {
  const times = scheduleEpisodes(rng, days, eps.map((e) => e.script.length / FPS), resetS, notBeforeMs);
  eps.forEach((e, i) => (e.start_ms = times[i]));
}

/**
 * The demo flywheel generator's pure parts (no Node APIs), for the app and for tests.
 * The Node writer is `./lerobot-writer.ts`; the command line is `./cli.ts` (`npm run demo`).
 */
export { createRng, hashSeed, type Rng } from './rng.ts';
export {
  BIN,
  LIGHTING,
  NEAR_WALL_M,
  OBJECT_INTRODUCED_AT,
  OBJECT_TYPES,
  OBJECT_WIDTH_M,
  nearWall,
  taskText,
  wallDistance,
  yawBin,
  type Conditions,
  type Lighting,
  type ObjectType,
} from './conditions.ts';
export {
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
export {
  DEFAULT_CONFIG,
  GENERATOR_VERSION,
  allocate,
  chooseTargets,
  planFlywheel,
  targetedConditions,
  type EpisodeKind,
  type EpisodePlan,
  type FlywheelConfig,
  type FlywheelPlan,
  type RotationSummary,
} from './flywheel.ts';
export { FPS, GRIPPER_STEP, buildScript, type Keyframe, type MotionScript, type ScriptSpec } from './script.ts';
export { DIM, renderTrajectory, type EpisodeSignals } from './trajectory.ts';
export { GRIPPER_OPEN, HOME, JOINT_NAMES, TRAY_ABOVE, graspPose, trayPose } from './poses.ts';
export { EpisodeStatsTable, computeStats, type FeatureStats } from './stats.ts';
export { csvField, parseCsv, toCsv, type CsvCell } from './csv.ts';
export { COST_HEADER, buildCosts, costPerSuccess, type CostLine } from './costs.ts';
export { DEPLOYMENT_LOG_HEADER, costsCsv, deploymentLogCsv, groundTruth, groundTruthJson, type GroundTruth } from './logs.ts';
export { DATA_PATH, FEATURE_KEYS, assignFiles, featuresInfo, formatPath, infoJson } from './lerobot-meta.ts';
export { isoDate, isoSeconds, parseDate } from './calendar.ts';

/**
 * The flywheel jobs: each is a plain, JSON-serialisable form → generated SQL (shown and editable in a
 * notebook) → named result tables, plus TS reference implementations where TS states a computation better.
 */
export { CYCLE_DAYS_SQL, DEFAULT_COLUMNS, ROLE_FIELDS, defaultColumns, episodesInput, roleColumn, validateColumns, type ColumnMap, type ColumnRole } from './columns.ts';
export { defaultCostSheet, costSheetSql, validateCostSheet, type CostSheet } from './cost-sheet.ts';
export { defaultTargeting, targetedAtSql, validateTargeting, type TargetingOptions } from './targets.ts';
export { mixHash, mixHashSql, MAX_SEED } from './hash.ts';
export {
  defaultFailureMiningForm,
  defaultModeWeights,
  failureMiningSql,
  failureParetoSql,
  failurePrioritySql,
  PRIORITY_SCALE,
  prioritize,
  validateFailureMiningForm,
  type FailureMiningForm,
  type ModeWeights,
  type PriorityRow,
} from './failure-mining.ts';
export {
  agreementSql,
  cohensKappa,
  confusionSql,
  defaultAgreementForm,
  pairLabels,
  toOutcome,
  validateAgreementForm,
  type AgreementForm,
  type KappaResult,
  type LabelRow,
} from './agreement.ts';
export { RED_FLAGS, defaultRedFlagsForm, redFlagsSql, validateRedFlagsForm, type RedFlag, type RedFlagThresholds, type RedFlagsForm } from './red-flags.ts';
export {
  MIX_POLICIES,
  defaultReplayMixForm,
  describePolicy,
  assertValidReplayMix,
  replayManifestSql,
  setPredicate,
  stageShares,
  validateReplayMixForm,
  type MixPolicy,
  type MixWarningLimits,
  type ReplayMixForm,
  type SetDefinition,
  type TargetedSet,
} from './replay-mix.ts';
export { replayMixSql, replayPreviewSql, replayWarningsSql } from './replay-preview.ts';
export { designMix, type ManifestRow, type MixDesign, type MixInput, type PlainSet, type StageSetSummary } from './replay-reference.ts';
export { manifestRows, manifestToCsv, manifestToJson, stageName, type ManifestJson } from './manifest.ts';
export { costLedgerSql, defaultCostModelForm, validateCostModelForm, type CostModelForm } from './cost-model.ts';
export { collectionComparisonSql, costModelSql, costProjectionSql, costToTargetSql } from './cost-projection.ts';
export {
  checkProblems,
  columnChecksSql,
  costSheetChecksSql,
  formatProblems,
  inputChecksSql,
  logChecksSql,
  outcomeChecksSql,
  type CheckProblem,
  type ChecksForm,
  type LogSource,
} from './checks.ts';
export { ANALYSIS_TEMPLATES, driftCells, driftWatchNotebook, qualityGateNotebook, reviewSamplingNotebook, agreementNotebook, costNotebook, failureMiningNotebook, redFlagsNotebook, replayMixNotebook } from './templates.ts';
export { DATA_SCALE_DEFAULTS, QUALITY_CHECKS, defaultQualityGateForm, qualityChecksSql, qualityGateSql, validateQualityGateForm, type QualityGateForm, type QualityScale } from './quality-gate.ts';
export { defaultReviewSamplingForm, reviewEstimateSql, reviewSampleSql, validateReviewSamplingForm, wilson, type ReviewSamplingForm } from './review-sampling.ts';
export { MAX_RADIANS, defaultDriftWatchForm, driftByWeekSql, driftFlagSql, unitFromNames, validateDriftWatchForm, type DriftUnit, type DriftWatchForm } from './drift-watch.ts';
export { Z95, wilsonSql } from './sql.ts';

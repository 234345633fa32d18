/**
 * Analysis cells: a SQL cell whose SQL is generated from a job's form. The form is the cell's data (saved and
 * shared with the notebook); the SQL is shown and editable, and regenerated whenever the form changes unless the
 * user has edited it by hand. Several cells can share one form: the cell that holds it is the *owner*; a
 * *follower* names the owner (`of`) and builds its own SQL from the owner's form (the replay preview and
 * warnings follow the manifest; the Pareto follows the priority table). Editing the owner's form re-runs both.
 */
import { agreementSql, confusionSql, defaultAgreementForm, validateAgreementForm, type AgreementForm } from './agreement.ts';
import type { ColumnMap } from './columns.ts';
import { costLedgerSql, defaultCostModelForm, validateCostModelForm, type CostModelForm } from './cost-model.ts';
import { collectionComparisonSql, costProjectionSql, costToTargetSql } from './cost-projection.ts';
import { defaultFailureMiningForm, failureParetoSql, failurePrioritySql, validateFailureMiningForm, type FailureMiningForm } from './failure-mining.ts';
import type { Field } from './form-fields.ts';
import { defaultRedFlagsForm, redFlagsSql, validateRedFlagsForm, type RedFlagsForm } from './red-flags.ts';
import { MIX_POLICIES, defaultReplayMixForm, replayManifestSql, validateReplayMixForm, type ReplayMixForm } from './replay-mix.ts';
import { replayPreviewSql, replayWarningsSql } from './replay-preview.ts';
import { defaultQualityGateForm, qualityChecksSql, qualityGateSql, validateQualityGateForm, type QualityGateForm } from './quality-gate.ts';
import { defaultReviewSamplingForm, reviewEstimateSql, reviewSampleSql, validateReviewSamplingForm, type ReviewSamplingForm } from './review-sampling.ts';
import { defaultDriftWatchForm, driftByWeekSql, driftFlagSql, validateDriftWatchForm, type DriftWatchForm } from './drift-watch.ts';

/** What an analysis cell stores besides its SQL. */
export type AnalysisSpec =
  | { job: JobId; form: unknown; edited?: boolean }
  | { job: JobId; of: string; edited?: boolean };

/** The forms, by kind. */
export interface FormKinds {
  'failure-mining': FailureMiningForm;
  'red-flags': RedFlagsForm;
  'replay-mix': ReplayMixForm;
  'cost-model': CostModelForm;
  agreement: AgreementForm;
  'quality-gate': QualityGateForm;
  'review-sampling': ReviewSamplingForm;
  'drift-watch': DriftWatchForm;
}
/** A kind of job form. */
export type FormKind = keyof FormKinds;

/** One kind of form: defaults, checks and its fields. */
export interface FormDef<K extends FormKind> {
  title: string;
  defaults: () => FormKinds[K];
  validate: (form: FormKinds[K]) => string[];
  fields: Field[];
}

/** One job: which form it reads and how it turns it into SQL. `owner` is the name of the cell holding the form. */
export interface JobDef<K extends FormKind = FormKind> {
  title: string;
  form: K;
  sql: (form: FormKinds[K], owner: string) => string;
}

const unit = { min: 0, max: 1, step: 0.05 } as const;

/** The column-role fields every form embeds, folded away: most users keep the defaults. */
function columnFields(prefix = 'columns'): Field {
  const t = (key: keyof ColumnMap, label: string, nullable = true, help?: string): Field => ({ kind: 'text', path: `${prefix}.${key}`, label, nullable, mono: true, help });
  return {
    kind: 'group',
    label: 'Columns',
    folded: true,
    fields: [
      t('table', 'episodes table', false),
      t('outcomeColumn', 'outcome', false),
      t('successValue', 'success value', false),
      t('failureColumn', 'failure category'),
      t('rotationColumn', 'rotation'),
      {
        kind: 'select',
        path: `${prefix}.rotationFrom`,
        label: 'rotation from',
        choices: [
          { value: 'column', label: 'the rotation column' },
          { value: 'policy', label: 'the policy version (one rotation per version)' },
          { value: 'timestamp', label: 'the timestamp (one rotation per ISO week)' },
        ],
        help: 'Without a rotation column: each policy version is one rotation, numbered in order of its first episode (demos join the latest version before them), or each ISO week of the timestamp is one.',
      },
      t('policyColumn', 'policy version'),
      t('timestampColumn', 'timestamp'),
      t('tagColumn', 'tags'),
      t('tagSeparator', 'tag separator', false),
      t('targetedTag', 'targeted tag', false),
      t('notesColumn', 'notes'),
      t('inDistributionColumn', 'in distribution (boolean)'),
      t('taskColumn', 'task'),
      { kind: 'names', path: `${prefix}.conditionColumns`, label: 'condition columns' },
    ],
  };
}

const weightColumns: Field[] = [
  { kind: 'number', path: 'fixability', label: 'fixability', ...unit },
  { kind: 'number', path: 'impact', label: 'impact', ...unit },
  { kind: 'bool', path: 'addressableByData', label: 'addressable by data' },
];

const policyChoices = [
  { value: MIX_POLICIES.fixed_65_35, label: 'Fixed 65/35 baseline/targeted' },
  { value: MIX_POLICIES.replay_50_50, label: '50/50 replay' },
  { value: MIX_POLICIES.curriculum_90_70_50, label: 'Curriculum 90/10 → 70/30 → 50/50' },
  { value: { kind: 'fixed', baselineShare: 0.8 }, label: 'Fixed 80/20' },
  { value: { kind: 'curriculum', stages: [{ baselineShare: 0.8 }, { baselineShare: 0.5 }] }, label: 'Curriculum 80/20 → 50/50' },
];

/** Every form kind. */
export const FORMS: { [K in FormKind]: FormDef<K> } = {
  'failure-mining': {
    title: 'Failure mining',
    defaults: defaultFailureMiningForm,
    validate: validateFailureMiningForm,
    fields: [
      { kind: 'select', path: 'groupBy', label: 'Pareto by', choices: [{ value: 'policy_version', label: 'policy version' }, { value: 'rotation', label: 'rotation' }] },
      { kind: 'select', path: 'priorityScope', label: 'Priority counts', choices: [{ value: 'all', label: 'all deployments' }, { value: 'latest', label: 'the latest group only' }, { value: 'group', label: 'one group (below)' }] },
      { kind: 'text', path: 'priorityGroup', label: 'that group', nullable: true, mono: true, help: 'the policy version (or rotation) counted when Priority counts is "one group"' },
      {
        kind: 'records',
        path: 'modes',
        label: 'Failure modes',
        keyLabel: 'mode',
        columns: weightColumns,
        newRow: () => ({ fixability: 0.5, impact: 0.5, addressableByData: true }),
        help: 'Priority = failure rate × fixability × impact, each 0–1 (1.0: every episode fails this way, surely fixable, worst harm). Change a weight and the ranking updates.',
      },
      { kind: 'group', label: 'Modes not listed', folded: true, fields: weightColumns.map((c) => ({ ...c, path: `otherModes.${(c as { path: string }).path}` }) as Field) },
      columnFields(),
    ],
  },
  'red-flags': {
    title: 'Red flags',
    defaults: defaultRedFlagsForm,
    validate: validateRedFlagsForm,
    fields: [
      { kind: 'select', path: 'scope', label: 'Raise when', choices: [{ value: 'any', label: 'any rotation shows it' }, { value: 'latest', label: 'the latest rotation shows it' }] },
      {
        kind: 'group',
        label: 'Thresholds',
        fields: [
          { kind: 'number', path: 'thresholds.minSuccessGain', label: 'min success gain per rotation', ...unit, step: 0.01 },
          { kind: 'number', path: 'thresholds.minGeneralisation', label: 'min generalisation (unseen ÷ seen)', ...unit },
          { kind: 'number', path: 'thresholds.generalisationTarget', label: 'generalisation target', ...unit },
          { kind: 'number', path: 'thresholds.maxCostRise', label: 'max rise of cost per success', min: 0, max: 10, step: 0.05 },
          { kind: 'number', path: 'thresholds.maxCycleDays', label: 'max cycle time (days)', min: 1, max: 365, step: 1 },
          { kind: 'number', path: 'thresholds.persistRatio', label: 'persisting mode: rate ratio', ...unit },
          { kind: 'number', path: 'thresholds.minCoverage', label: 'min failure-mode coverage', ...unit },
          { kind: 'number', path: 'thresholds.coverageByRotation', label: 'coverage checked at rotation', min: 1, max: 1000, step: 1 },
          { kind: 'number', path: 'thresholds.minModeFailures', label: 'failures that identify a mode', min: 1, max: 1000, step: 1 },
          { kind: 'number', path: 'thresholds.minEfficiencyPer100', label: 'min success points per 100 episodes', min: 0, max: 100, step: 0.5 },
          { kind: 'number', path: 'thresholds.efficiencyWindow', label: 'efficiency window (rotations)', min: 1, max: 100, step: 1 },
        ],
      },
      { kind: 'number', path: 'targeting.minTargetedEpisodes', label: 'episodes that make a targeted collection', min: 1, max: 1_000_000, step: 1 },
      columnFields(),
    ],
  },
  'replay-mix': {
    title: 'Replay mix',
    defaults: defaultReplayMixForm,
    validate: validateReplayMixForm,
    fields: [
      { kind: 'select', path: 'policy', label: 'Mixing policy', choices: policyChoices },
      { kind: 'set', path: 'baseline', label: 'Baseline set', help: 'Downsampled uniformly, never dropped.' },
      {
        kind: 'list',
        path: 'targeted',
        label: 'Targeted sets',
        min: 1,
        columns: [
          { kind: 'set', path: '.', label: 'set' },
          { kind: 'number', path: 'weight', label: 'weight', min: 0, max: 1e6, step: 1, nullable: true, help: 'empty: its episode count' },
        ],
        newRow: () => ({ name: 'targeted_2', kind: 'failure_mode', mode: 'grasp_failure' }),
      },
      { kind: 'number', path: 'bufferMultiple', label: 'replay buffer (× new batch)', min: 1, max: 1000, step: 1 },
      { kind: 'number', path: 'newBatchSize', label: 'new batch (samples)', min: 1, max: 1e9, step: 1, nullable: true, help: 'empty: the number of targeted episodes' },
      { kind: 'number', path: 'seed', label: 'seed', min: 0, max: 2_147_483_647, step: 1 },
      { kind: 'bool', path: 'excludeRejected', label: 'leave out demos the quality gate rejected' },
      {
        kind: 'group',
        label: 'Warnings',
        folded: true,
        fields: [
          { kind: 'number', path: 'limits.maxTargetedShare', label: 'max targeted share', ...unit },
          { kind: 'number', path: 'limits.maxDriftPoints', label: 'max condition drift (points)', min: 0, max: 100, step: 1 },
        ],
      },
      columnFields(),
    ],
  },
  'cost-model': {
    title: 'Cost model',
    defaults: defaultCostModelForm,
    validate: validateCostModelForm,
    fields: [
      { kind: 'select', path: 'costSource', label: 'Cost from', choices: [{ value: 'sheet', label: 'the cost sheet, else the model' }, { value: 'model', label: 'the model only' }] },
      { kind: 'number', path: 'operatorRatePerHour', label: 'operator $/h', min: 0, max: 1e4, step: 1 },
      { kind: 'number', path: 'demosPerHour', label: 'demos per hour', min: 0.01, max: 1e4, step: 1 },
      { kind: 'number', path: 'deploymentsPerHour', label: 'deployments per hour', min: 0.01, max: 1e4, step: 1 },
      { kind: 'number', path: 'robotHourCost', label: 'robot $/h', min: 0, max: 1e4, step: 1 },
      { kind: 'number', path: 'reviewFraction', label: 'review fraction', ...unit },
      { kind: 'number', path: 'reviewRatePerHour', label: 'review $/h', min: 0, max: 1e4, step: 1 },
      { kind: 'number', path: 'reviewsPerHour', label: 'reviews per hour', min: 0.01, max: 1e4, step: 1 },
      { kind: 'number', path: 'computePerTrainingRun', label: 'compute $ per training run', min: 0, max: 1e7, step: 10 },
      { kind: 'text', path: 'perEpisodeCostColumn', label: 'per-episode cost column', nullable: true, mono: true },
      { kind: 'number', path: 'targetSuccessRate', label: 'target success rate', min: 0.01, max: 0.99, step: 0.01 },
      { kind: 'number', path: 'projectionWindow', label: 'projection window (rotations)', min: 1, max: 100, step: 1 },
      { kind: 'number', path: 'maxProjectedRotations', label: 'max projected rotations', min: 1, max: 1000, step: 1 },
      columnFields(),
    ],
  },
  'quality-gate': {
    title: 'Demo quality gate',
    defaults: defaultQualityGateForm,
    validate: validateQualityGateForm,
    fields: [
      { kind: 'text', path: 'gate', label: 'gate episodes where', mono: true, help: 'SQL condition over the episodes table' },
      { kind: 'text', path: 'stateColumn', label: 'state column', mono: true },
      { kind: 'number', path: 'jointCount', label: 'joints (leading elements)', min: 1, max: 1000, step: 1 },
      { kind: 'select', path: 'scale', label: 'thresholds measured', choices: [{ value: 'data', label: 'from the data (any unit, any fps)' }, { value: 'units', label: 'in state units per second' }], help: 'from the data: speeds relative to the demos\' median, jumps relative to each joint\'s usual step' },
      { kind: 'number', path: 'stillFraction', label: 'still below (× median speed; data scale)', min: 0, max: 10, step: 0.05 },
      { kind: 'number', path: 'hesitationSpeed', label: 'still below (state units /s; units scale)', min: 0, max: 1e6, step: 0.01 },
      { kind: 'number', path: 'hesitationSeconds', label: 'hesitation longer than (s)', min: 0, max: 3600, step: 0.5 },
      { kind: 'number', path: 'gripperIndex', label: 'gripper position in state', min: 1, max: 1000, step: 1, nullable: true, help: 'empty: no gripper checks' },
      { kind: 'number', path: 'gripperClosedBelow', label: 'gripper closed below', min: -1e9, max: 1e9, step: 0.005, nullable: true, help: 'empty: the middle of its observed range' },
      { kind: 'text', path: 'reApproachExempt', label: 're-approach allowed where', mono: true },
      { kind: 'number', path: 'earlyEndFraction', label: 'ends early below (× typical length)', min: 0, max: 1, step: 0.05 },
      { kind: 'text', path: 'goalCondition', label: 'goal on the last frame (s = state)', mono: true, nullable: true },
      { kind: 'number', path: 'outlierStd', label: 'implausible beyond (std)', min: 0, max: 1e6, step: 0.5 },
      { kind: 'number', path: 'spikeFactor', label: 'spike: jump and back above (× usual step; data scale)', min: 0, max: 1e6, step: 0.5 },
      { kind: 'number', path: 'spikeSpeed', label: 'velocity spike above (state units /s; units scale)', min: 0, max: 1e9, step: 0.5 },
      { kind: 'number', path: 'gapFactor', label: 'time gap above (× frame interval)', min: 1, max: 1e6, step: 0.1 },
      { kind: 'number', path: 'frozenFrames', label: 'frozen: identical frames', min: 2, max: 1e6, step: 1 },
      { kind: 'group', label: 'Tables', folded: true, fields: [
        { kind: 'text', path: 'episodesTable', label: 'episodes table', mono: true },
        { kind: 'text', path: 'framesTable', label: 'frames table', mono: true },
      ] },
    ],
  },
  'review-sampling': {
    title: 'Review sampling',
    defaults: defaultReviewSamplingForm,
    validate: validateReviewSamplingForm,
    fields: [
      { kind: 'text', path: 'pool', label: 'auto-collected episodes where', mono: true },
      { kind: 'number', path: 'fraction', label: 'share to review', min: 0.01, max: 1, step: 0.05 },
      { kind: 'number', path: 'seed', label: 'seed', min: 0, max: 2_147_483_647, step: 1 },
      { kind: 'names', path: 'strata', label: 'stratify by (and predicted outcome)' },
      { kind: 'group', label: 'Labels', folded: true, fields: [
        { kind: 'text', path: 'predictedTable', label: 'auto-labeller table', mono: true },
        { kind: 'text', path: 'idColumn', label: 'its episode id column', mono: true },
        { kind: 'text', path: 'predictedColumn', label: 'its outcome column', mono: true },
        { kind: 'text', path: 'successValue', label: 'success value' },
        { kind: 'text', path: 'reviewsTable', label: 'reviews table', mono: true },
        { kind: 'text', path: 'episodesTable', label: 'episodes table', mono: true },
      ] },
    ],
  },
  'drift-watch': {
    title: 'Hardware-drift watch',
    defaults: defaultDriftWatchForm,
    validate: validateDriftWatchForm,
    fields: [
      { kind: 'text', path: 'calibration', label: 'calibration episodes where', mono: true },
      { kind: 'number', path: 'toleranceDeg', label: 'tolerance (°)', min: 0, max: 360, step: 0.1 },
      { kind: 'text', path: 'commandedColumn', label: 'commanded', mono: true },
      { kind: 'text', path: 'measuredColumn', label: 'measured', mono: true },
      { kind: 'number', path: 'jointCount', label: 'joints', min: 1, max: 1000, step: 1 },
      { kind: 'select', path: 'unit', label: 'joint units', choices: [{ value: 'auto', label: 'from the data' }, { value: 'rad', label: 'radians' }, { value: 'deg', label: 'degrees' }], help: 'from the data: values beyond ±2π are degrees' },
      { kind: 'group', label: 'More', folded: true, fields: [
        { kind: 'names', path: 'jointNames', label: 'joint names' },
        { kind: 'text', path: 'deployments', label: 'deployments where', mono: true },
        { kind: 'text', path: 'timestampColumn', label: 'episode time column', mono: true, nullable: true },
        { kind: 'text', path: 'episodesTable', label: 'episodes table', mono: true },
        { kind: 'text', path: 'framesTable', label: 'frames table', mono: true },
      ] },
    ],
  },
  agreement: {
    title: 'Agreement',
    defaults: defaultAgreementForm,
    validate: validateAgreementForm,
    fields: [
      { kind: 'text', path: 'table', label: 'annotations table', mono: true },
      { kind: 'text', path: 'annotatorColumn', label: 'annotator column', mono: true },
      { kind: 'text', path: 'episodeColumn', label: 'episode column', mono: true },
      { kind: 'text', path: 'labelColumn', label: 'label column', mono: true },
      { kind: 'bool', path: 'collapseToOutcome', label: 'compare success/failure only' },
      { kind: 'text', path: 'successValue', label: 'success value' },
      { kind: 'number', path: 'target', label: 'target κ', min: -1, max: 1, step: 0.05 },
    ],
  },
};

/** Keeps each job's form kind and SQL builder in step. */
function job<K extends FormKind>(d: JobDef<K>): JobDef<K> {
  return d;
}

/** Every job an analysis cell can run, by id (the id is also the default result name). */
export const JOBS = {
  failure_priority: job({ title: 'Failure-mode priority', form: 'failure-mining', sql: (f) => failurePrioritySql(f) }),
  failure_pareto: job({ title: 'Failure-mode Pareto', form: 'failure-mining', sql: (f) => failureParetoSql(f) }),
  red_flags: job({ title: 'Red flags', form: 'red-flags', sql: (f) => redFlagsSql(f) }),
  replay_manifest: job({ title: 'Replay manifest', form: 'replay-mix', sql: (f) => replayManifestSql(f) }),
  replay_preview: job({ title: 'Replay-mix preview', form: 'replay-mix', sql: (f, owner) => replayPreviewSql(f, owner) }),
  replay_warnings: job({ title: 'Replay-mix warnings', form: 'replay-mix', sql: (f, owner) => replayWarningsSql(f, owner) }),
  cost_ledger: job({ title: 'Cost ledger', form: 'cost-model', sql: (f) => costLedgerSql(f) }),
  cost_projection: job({ title: 'Cost projection', form: 'cost-model', sql: (f, owner) => costProjectionSql(f, owner) }),
  cost_to_target: job({ title: 'Cost to target', form: 'cost-model', sql: (f, owner) => costToTargetSql(f, owner) }),
  collection_comparison: job({ title: 'Targeted vs uniform', form: 'cost-model', sql: (f) => collectionComparisonSql(f) }),
  agreement: job({ title: "Cohen's kappa", form: 'agreement', sql: (f) => agreementSql(f) }),
  agreement_outcome: job({ title: "Cohen's kappa on success/failure", form: 'agreement', sql: (f) => agreementSql({ ...f, collapseToOutcome: true }) }),
  quality_checks: job({ title: 'Quality checks', form: 'quality-gate', sql: (f) => qualityChecksSql(f) }),
  quality_gate: job({ title: 'Quality gate', form: 'quality-gate', sql: (f, owner) => qualityGateSql(f, owner) }),
  review_sample: job({ title: 'Review sample', form: 'review-sampling', sql: (f) => reviewSampleSql(f) }),
  review_estimate: job({ title: 'Auto-labeller precision and recall', form: 'review-sampling', sql: (f, owner) => reviewEstimateSql(f, owner) }),
  drift_by_week: job({ title: 'Calibration error by week', form: 'drift-watch', sql: (f) => driftByWeekSql(f) }),
  drift_flag: job({ title: 'First week out of tolerance', form: 'drift-watch', sql: (f, owner) => driftFlagSql(f, owner) }),
  agreement_confusion: job({ title: 'Confusion matrix', form: 'agreement', sql: (f) => confusionSql(f) }),
};
/** The id of a job. */
export type JobId = keyof typeof JOBS;

/** True when `x` names a job. */
export function isJobId(x: unknown): x is JobId {
  return typeof x === 'string' && Object.hasOwn(JOBS, x);
}

/** The job's form kind. */
export function formKindOf(job: JobId): FormKind {
  return JOBS[job].form;
}

/** Problems with a form of the given kind (a form from a shared link is untrusted, so a throw is a problem too). */
export function validateForm(kind: FormKind, form: unknown): string[] {
  if (typeof form !== 'object' || form === null || Array.isArray(form)) return ['The form must be an object.'];
  try {
    return (FORMS[kind].validate as (f: unknown) => string[])(form);
  } catch (e) {
    return [`The form is malformed: ${(e as Error).message}`];
  }
}

/** The SQL of `job` from `form` (owned by the cell named `owner`). Throws with the form's problems when it is invalid. */
export function jobSql(job: JobId, form: unknown, owner: string): string {
  const problems = validateForm(formKindOf(job), form);
  if (problems.length) throw new Error(`The ${FORMS[formKindOf(job)].title.toLowerCase()} form has problems: ${problems.join(' ')}`);
  return (JOBS[job].sql as (f: unknown, o: string) => string)(form, owner);
}

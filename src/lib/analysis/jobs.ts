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
      { kind: 'select', path: 'priorityScope', label: 'Priority counts', choices: [{ value: 'latest', label: 'the latest group only' }, { value: 'all', label: 'all deployments' }] },
      {
        kind: 'records',
        path: 'modes',
        label: 'Failure modes',
        keyLabel: 'mode',
        columns: weightColumns,
        newRow: () => ({ fixability: 0.5, impact: 0.5, addressableByData: true }),
        help: 'Priority = frequency × fixability × impact. Change a weight and the ranking updates.',
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

/**
 * One notebook per flywheel job, built from the job's form: the generated SQL goes into ordinary SQL cells
 * (visible and editable), each named after the result it produces, and charts read those results. Every
 * notebook opens on the demo sources by default and starts with the input checks, so a dataset that is
 * missing something says what to map before any chart is drawn.
 */
import type { SourceDecl } from '../ingest/source.ts';
import type { CellData, NotebookDoc } from '../notebook/types.ts';
import { demoSources } from '../notebook/templates/health.ts';
import { agreementSql, confusionSql, defaultAgreementForm, type AgreementForm } from './agreement.ts';
import { inputChecksSql, type LogSource } from './checks.ts';
import type { ColumnMap, ColumnRole } from './columns.ts';
import { defaultCostModelForm, costLedgerSql, type CostModelForm } from './cost-model.ts';
import { collectionComparisonSql, costProjectionSql, costToTargetSql } from './cost-projection.ts';
import type { CostSheet } from './cost-sheet.ts';
import { PRIORITY_SCALE, defaultFailureMiningForm, failureParetoSql, failurePrioritySql, type FailureMiningForm } from './failure-mining.ts';
import { defaultRedFlagsForm, redFlagsSql, type RedFlagsForm } from './red-flags.ts';
import { defaultReplayMixForm, describePolicy, replayManifestSql, type ReplayMixForm } from './replay-mix.ts';
import { replayPreviewSql, replayWarningsSql } from './replay-preview.ts';
import { quoteIdent, quoteString } from './sql.ts';
import { jobSql, type JobId } from './jobs.ts';
import { defaultQualityGateForm, type QualityGateForm } from './quality-gate.ts';
import { defaultReviewSamplingForm, type ReviewSamplingForm } from './review-sampling.ts';
import { defaultDriftWatchForm, type DriftWatchForm } from './drift-watch.ts';
import type { Schema } from '../contract/capability.ts';
import { failedSql, logFormatMarkdown } from '../contract/inputs.ts';
import { describeSuggestion, suggestMapping } from '../contract/suggest.ts';
import { roleNeed } from './needs.ts';
import { fitCostModel, fitDefaultColumns, fitDriftWatch, fitFailureMining, fitQualityGate, fitRedFlags, fitReplayMix, fitReviewSampling, replayTargetingNote } from './fit.ts';

/** The episode log among the sources (the one joined onto `episodes`), read by its `episode_id` column. */
function logOf(sources: readonly SourceDecl[]): LogSource | null {
  const log = sources.find((s) => s.kind === 'csv' && s.role === 'episode-log');
  return log ? { table: log.name, idColumn: 'episode_id' } : null;
}

/** The cost sheet, when the sources include a table of that name. */
function sheetOf(sources: readonly SourceDecl[], sheet: CostSheet | null): CostSheet | null {
  return sheet !== null && sources.some((s) => s.name === sheet.table) ? sheet : null;
}

function md(name: string, source: string): CellData {
  return { id: name, kind: 'markdown', name, source };
}

function sql(name: string, source: string): CellData {
  return { id: name, kind: 'sql', name, source };
}

/** An analysis cell that holds the form (its SQL generated from it). */
function owner(job: JobId, form: unknown, name: string = job): CellData {
  return { id: name, kind: 'sql', name, source: jobSql(job, form, name), analysis: { job, form } };
}

/** An analysis cell that builds its SQL from the form of the cell named `of`. */
function follower(job: JobId, form: unknown, of: string, name: string = job): CellData {
  return { id: name, kind: 'sql', name, source: jobSql(job, form, of), analysis: { job, of } };
}

function plot(name: string, spec: NonNullable<CellData['plot']>): CellData {
  return { id: name, kind: 'plot', name, source: '', plot: spec };
}

function checks(sources: readonly SourceDecl[], columns: ColumnMap, required: ColumnRole[], sheet: CostSheet | null): CellData {
  // Collapsed: a long generated query whose one-row result is what matters; the SQL is a click away.
  return { ...sql('input_checks', inputChecksSql({ columns, required, log: logOf(sources), costSheet: sheetOf(sources, sheet) })), collapsed: true };
}

const CHECKS_NOTE = 'The first cell checks the inputs: each row says what to map or fill in (one "ok" row when all is well).';

/** Failure mining: Pareto of failure modes per policy version, and priority = failure rate × fixability × impact. */
export function failureMiningNotebook(sources: SourceDecl[] = demoSources(), form: FailureMiningForm = defaultFailureMiningForm(), schema?: Schema): NotebookDoc {
  const group = form.groupBy;
  const groupLabel = group === 'rotation' ? 'rotation' : 'policy version';
  return {
    version: 1,
    title: 'Failure mining',
    sources,
    cells: [
      md(
        'intro',
        '# Failure mining\n' +
          `Which failure modes the deployed policies have, per ${groupLabel}, and which to work on next. ${CHECKS_NOTE}\n\n` +
          '**Priority** = failure rate × fixability × impact, where the rate is failures ÷ deployed episodes' +
          (form.priorityScope === 'latest' ? ` of the latest ${groupLabel}` : form.priorityScope === 'group' ? ` of ${groupLabel} ${form.priorityGroup}` : ' (all of them)') +
          `. Reading it: ${PRIORITY_SCALE} ` +
          'Beside it: `failures` of `episodes` and a Wilson 95% interval on the rate (`rate_low`…`rate_high`; `priority_low`…`priority_high` scaled the same way): with a handful of failures, modes whose intervals overlap are not really ordered. ' +
          'Fixability and impact are judgements: edit them in the form of `failure_priority` and the ranking updates (or edit its SQL and press **Shift+Enter**). ' +
          (schema ? 'Every failure mode in your data starts at the same weights: set them from what you know about each.' : 'Modes marked *needs hardware* are ones more data will not fix (collisions with the bin wall, in the demo).'),
      ),
      checks(sources, form.columns, ['outcome', group === 'rotation' ? 'rotation' : 'policy'], null),
      owner('failure_priority', form),
      plot('priority_chart', { data: 'failure_priority', mark: 'barX', y: 'failure_mode', x: 'priority', fill: 'fix_route', sort: { x: 'rank' }, title: 'What to fix next: priority = failure rate × fixability × impact (1.0 = every episode fails this way, fully fixable, worst harm)', xLabel: 'priority (0–1)' }),
      follower('failure_pareto', form, 'failure_priority'),
      plot('pareto_chart', { data: 'failure_pareto', mark: 'barY', x: group, y: 'failures', fill: 'failure_mode', sort: { x: 'group_order' }, title: `Failures by mode and ${groupLabel}`, xLabel: groupLabel, yLabel: 'failed episodes' }),
      plot('failure_rate_chart', { data: 'failure_pareto', mark: 'line', x: 'group_order', y: 'failure_rate', stroke: 'failure_mode', percent: true, title: `Failure rate of each mode by ${groupLabel} (order)`, xLabel: `${groupLabel} (in order)`, yLabel: 'share of deployments' }),
      md(
        'review_note',
        '## Review failures\n' +
          'Click an episode index to open the episode: set or correct its outcome and failure category, mark the failure onset on its chart, add a note. ' +
          'Reviews are kept in this browser, export as a sidecar (CSV or Parquet, sidebar), and correct `episodes` for every job once you re-run. ' +
          '`[` and `]` step through failed episodes.',
      ),
      { ...sql('review_queue', reviewQueueSql(form.columns)), needs: roleNeed(form.columns, 'outcome') },
      ...userCells(schema),
    ],
  };
}

/** Failed deployments, unreviewed first, newest first: where a reviewer starts. */
function reviewQueueSql(c: ColumnMap): string {
  const col = (name: string | null, as: string) => (name === null ? `NULL AS ${as}` : `${quoteIdent(name)} AS ${as}`);
  return `-- Review queue: failed deployments, unreviewed first (click an episode index to review it)
SELECT episode_index, ${col(c.policyColumn, 'policy')}, ${col(c.failureColumn, 'failure_category')}, ${col(c.notesColumn, 'notes')},
       reviewed_by, failure_onset_s, review_note
FROM ${quoteIdent(c.table)}
WHERE ${failedSql(quoteIdent(c.outcomeColumn), c.successValue)}
ORDER BY reviewed_by IS NOT NULL, episode_index DESC`;
}

/** Status colours of the red-flags chart: raised is the alarming one. */
const RED_FLAG_COLORS = { raised: '#e15759', 'not raised': '#59a14f', 'cannot tell': '#bab0ac' };

/** Flywheel red flags, each with its evidence. */
export function redFlagsNotebook(sources: SourceDecl[] = demoSources(), form: RedFlagsForm = defaultRedFlagsForm(), schema?: Schema): NotebookDoc {
  const t = form.thresholds;
  return {
    version: 1,
    title: 'Flywheel red flags',
    sources,
    cells: [
      md(
        'intro',
        '# Flywheel red flags\n' +
          `Seven warning signs of a flywheel that has stopped turning, each with the numbers behind it. ${CHECKS_NOTE} ` +
          '`raised` is empty when the data cannot tell (the evidence says what is missing).\n\n' +
          `- **success_flat**: a rotation gained less than ${100 * t.minSuccessGain} points of success although new episodes were collected.\n` +
          `- **generalisation**: success on unseen conditions ÷ success on seen ones below ${t.minGeneralisation} (target above ${t.generalisationTarget}).\n` +
          `- **cost_per_success_rising**: a rotation's spend per successful deployment rose more than ${100 * t.maxCostRise}%.\n` +
          `- **cycle_time**: a rotation took more than ${t.maxCycleDays} days.\n` +
          `- **persisting_failure_mode**: a mode still at ≥ ${100 * t.persistRatio}% of its earlier rate after two targeted collections (targeted = tagged \`${form.columns.targetedTag}\`, attributed to a mode by its failure category or its notes).\n` +
          `- **failure_mode_coverage**: under ${100 * t.minCoverage}% of the modes identified by rotation ${t.coverageByRotation} have targeted data by then.\n` +
          `- **data_efficiency_flat**: fewer than ${t.minEfficiencyPer100} success points per 100 new episodes over the last ${t.efficiencyWindow} rotations.`,
      ),
      checks(sources, form.columns, ['outcome', 'rotation'], form.costs),
      owner('red_flags', form),
      sql('red_flag_status', `-- Each flag as raised, not raised or cannot tell (the data lacks what it needs: see its evidence)\nSELECT flag, CASE WHEN raised THEN 'raised' WHEN NOT raised THEN 'not raised' ELSE 'cannot tell' END AS status FROM red_flags`),
      plot('red_flags_chart', { data: 'red_flag_status', mark: 'cell', x: 'status', y: 'flag', fill: 'status', colors: RED_FLAG_COLORS, legend: false, title: 'Red flags (evidence in the table above)', xLabel: 'status' }),
      ...userCells(schema),
    ],
  };
}

/** Replay-mix designer: the manifest per stage, what the mix looks like, and shift warnings. */
export function replayMixNotebook(sources: SourceDecl[] = demoSources(), form: ReplayMixForm = { ...defaultReplayMixForm(), excludeRejected: true }, schema?: Schema): NotebookDoc {
  const condition = form.columns.conditionColumns[0];
  const cells: CellData[] = [
    md(
      'intro',
      '# Replay-mix designer\n' +
        `A training mix of the baseline set "${form.baseline.name}" and ${form.targeted.length} targeted set(s): ${describePolicy(form.policy)}, ` +
        `a replay buffer of ${form.bufferMultiple}× the new batch per stage, seed ${form.seed}. ${CHECKS_NOTE}\n\n` +
        'The baseline is downsampled uniformly (a seeded hash order, continued from stage to stage) and never dropped: every episode keeps a weight above zero in every stage. ' +
        '`replay_manifest` lists each stage\'s episodes with their sampling weight (a stage\'s weights sum to 1) and whole samples for one pass over the buffer; ' +
        'export it as an episode list per stage for a LeRobot training run.' +
        (replayTargetingNote(form) ? `\n\n${replayTargetingNote(form)}` : ''),
    ),
    checks(sources, form.columns, [], null),
    owner('replay_manifest', form),
    sql('replay_stages', `-- Samples and episodes per stage and set\nSELECT stage, "set", count(*) AS episodes, sum(samples) AS samples, sum(weight) AS share\nFROM replay_manifest\nGROUP BY ALL\nORDER BY stage, "set"`),
    plot('stages_chart', { data: 'replay_stages', mark: 'barY', x: 'stage', y: 'samples', fill: 'set', title: 'Samples per stage, by set', xLabel: 'stage', yLabel: 'samples' }),
    follower('replay_preview', form, 'replay_manifest'),
  ];
  if (condition !== undefined) {
    cells.push(
      sql(
        'condition_mix',
        `-- ${condition}: share in the mix vs in the baseline\nSELECT value, 'mix' AS source, mix_share AS share FROM replay_preview WHERE dimension = ${quoteString(condition)}\nUNION ALL\nSELECT value, 'baseline', baseline_share FROM replay_preview WHERE dimension = ${quoteString(condition)}\nORDER BY value, source`,
      ),
      plot('condition_chart', { data: 'condition_mix', mark: 'barY', x: 'value', y: 'share', fill: 'source', stack: false, percent: true, title: `${condition}: mix vs baseline`, xLabel: condition, yLabel: 'share' }),
    );
  }
  cells.push(follower('replay_warnings', form, 'replay_manifest'), ...userCells(schema));
  return { version: 1, title: 'Replay-mix designer', sources, cells };
}

/** Cost per success: ledger per rotation, projection to a target success rate, targeted vs uniform. */
export function costNotebook(sources: SourceDecl[] = demoSources(), form: CostModelForm = defaultCostModelForm(), schema?: Schema): NotebookDoc {
  return {
    version: 1,
    title: 'Cost per success',
    sources,
    cells: [
      md(
        'intro',
        '# Cost per success\n' +
          `What each rotation cost, what it bought, and what reaching ${100 * form.targetSuccessRate}% success would cost. ${CHECKS_NOTE}\n\n` +
          `Cost comes from ${form.costSource === 'sheet' ? 'the cost sheet where it has lines for a rotation, else ' : ''}${form.perEpisodeCostColumn ? `the per-episode \`${form.perEpisodeCostColumn}\` where an episode has one, else ` : ''}a model: teleop demos at (operator $${form.operatorRatePerHour}/h + robot $${form.robotHourCost}/h) ÷ ${form.demosPerHour} demos/h, ` +
          `deployments at the same rates ÷ ${form.deploymentsPerHour} episodes/h, review of ${100 * form.reviewFraction}% of deployments at $${form.reviewRatePerHour}/h (${form.reviewsPerHour}/h), ` +
          `and $${form.computePerTrainingRun} per training run.`,
      ),
      checks(sources, form.columns, ['outcome', 'rotation'], form.costSource === 'sheet' ? form.costSheet : null),
      owner('cost_ledger', form),
      plot('cps_chart', { data: 'cost_ledger', mark: 'line', x: 'rotation', y: 'cost_per_success_usd', title: 'Cost per successful episode by rotation (USD)', xLabel: 'rotation', yLabel: 'USD per success' }),
      plot('marginal_chart', { data: 'cost_ledger', mark: 'barY', x: 'rotation', y: 'marginal_cost_per_point_usd', title: 'Marginal cost per point of success gained (USD)', xLabel: 'rotation', yLabel: 'USD per point' }),
      md(
        'projection_note',
        '## Projection\n' +
          'The data-efficiency curve is fitted as **success = a + b · ln(training episodes)**, where a rotation\'s training episodes are all episodes collected before it. ' +
          `Future rotations are assumed to add the average episodes and cost of the last ${form.projectionWindow} rotations each. A fit over a handful of rotations is a rough guide, not a promise.`,
      ),
      follower('cost_projection', form, 'cost_ledger'),
      sql('projection_points', `-- Observed and fitted success, for the chart\nSELECT rotation, 'observed' AS series, success_rate FROM cost_projection WHERE kind = 'observed'\nUNION ALL\nSELECT rotation, CASE WHEN kind = 'observed' THEN 'fitted' ELSE 'projected' END, fitted_success_rate FROM cost_projection\nORDER BY series, rotation`),
      plot('projection_chart', { data: 'projection_points', mark: 'line', x: 'rotation', y: 'success_rate', stroke: 'series', percent: true, title: `Success rate: observed, fitted and projected (target ${100 * form.targetSuccessRate}%)`, xLabel: 'rotation', yLabel: 'success rate' }),
      follower('cost_to_target', form, 'cost_ledger'),
      md(
        'comparison_note',
        '## Targeted vs uniform collection\n' +
          'Between consecutive deployment rotations, each failure mode\'s rate changes. Modes that got targeted demos in between are credited to targeted collection; the others to the rest of the new successful episodes (deployments, seed demos). ' +
          'This assumes targeted demos act on the mode they went after and other data on the rest; it is a rough attribution from a log, not a controlled experiment.',
      ),
      follower('collection_comparison', form, 'cost_ledger'),
      plot('comparison_chart', { data: 'collection_comparison', mark: 'barY', x: 'collection', y: 'points_per_100_episodes', title: 'Success points recovered per 100 new episodes', xLabel: 'collection', yLabel: 'points per 100 episodes' }),
      ...userCells(schema),
    ],
  };
}

/**
 * Annotator agreement over `review_labels`: the reviewers' annotations made in the app (`annotations`) once two
 * or more people have reviewed the dataset; until then an example that compares the filed failure category with
 * one derived from the operators' notes by keyword rules, so the notebook shows what it computes.
 */
export function agreementNotebook(sources: SourceDecl[] = demoSources(), form: AgreementForm = { ...defaultAgreementForm(), table: 'review_labels' }, columns: ColumnMap = defaultFailureMiningForm().columns, schema?: Schema): NotebookDoc {
  const o = quoteIdent(columns.outcomeColumn);
  const success = quoteString(columns.successValue);
  const failure = columns.failureColumn === null ? `'failure'` : `coalesce(${quoteIdent(columns.failureColumn)}, 'failure')`;
  const notes = columns.notesColumn === null ? `''` : `lower(coalesce(${quoteIdent(columns.notesColumn)}, ''))`;
  const where = columns.policyColumn === null ? `${o} IS NOT NULL` : `${quoteIdent(columns.policyColumn)} IS NOT NULL AND ${o} IS NOT NULL`;
  const example = `-- Example (annotator, episode_index, label) until two people have reviewed this dataset:
-- annotator 1 is the category filed in the log, annotator 2 a category read from the operator's notes by keyword rules.
SELECT 'deployment log' AS annotator, episode_index, CASE WHEN ${o} = ${success} THEN 'success' ELSE ${failure} END AS label
FROM ${quoteIdent(columns.table)} WHERE ${where}
UNION ALL
SELECT 'notes (keyword rules)', episode_index,
       CASE WHEN ${o} = ${success} THEN 'success'
            WHEN regexp_matches(${notes}, 'wall|collision|contact|clipped') THEN 'collision'
            WHEN regexp_matches(${notes}, 'timeout|timed out|hesitat|dither|no progress|hovering') THEN 'timeout'
            WHEN regexp_matches(${notes}, 'never seen|new object|erratic|confused') THEN 'out_of_distribution'
            WHEN regexp_matches(${notes}, 're-?grasp|retries|gave up') THEN 'recovery_failure'
            WHEN regexp_matches(${notes}, 'tray|placed|released') THEN 'placement_error'
            WHEN regexp_matches(${notes}, 'grasp|gripper|closed') THEN 'grasp_failure'
            ELSE 'failure' END
FROM ${quoteIdent(columns.table)} WHERE ${where}`;
  return {
    version: 1,
    title: 'Annotator agreement',
    sources,
    cells: [
      md(
        'intro',
        '# Annotator agreement\n' +
          `Cohen's kappa between every pair of annotators, on the labels as given and collapsed to success/failure (target κ ≥ ${form.target}). ` +
          'κ is empty when it is undefined (both annotators used one label throughout). ' +
          '`review_labels` holds the reviews made in this app (open an episode, review it; import a colleague\'s sidecar from the sidebar) once two or more annotators have reviewed the dataset. ' +
          'Until then it is an example that compares the filed category with one read from the operators\' notes. To compare another table, set it in the form of `agreement`.',
      ),
      {
        ...sql(
        'review_labels',
        form.table === 'review_labels'
          ? `-- The labels compared: the reviewers' annotations once two or more people have reviewed this dataset, else the example below
SELECT annotator, episode_index, label FROM annotations WHERE (SELECT count(DISTINCT annotator) FROM annotations) >= 2
UNION ALL
SELECT * FROM (
${example}
) WHERE (SELECT count(DISTINCT annotator) FROM annotations) < 2`
          : `SELECT * FROM ${quoteIdent(form.table)} LIMIT 100`,
        ),
        needs: form.table === 'review_labels' ? roleNeed(columns, 'outcome') : [],
      },
      owner('agreement', form),
      follower('agreement_outcome', form, 'agreement'),
      follower('agreement_confusion', form, 'agreement'),
      plot('confusion_chart', { data: 'agreement_confusion', mark: 'cell', x: 'label_a', y: 'label_b', fill: 'episodes', colorScheme: 'Blues', title: 'Confusion: annotator A (x) vs B (y)', xLabel: 'annotator A', yLabel: 'annotator B' }),
      ...userCells(schema),
    ],
  };
}

/** Demo quality gate: per-demonstration checks, explained, and the reviewer's verdicts. */
export function qualityGateNotebook(sources: SourceDecl[] = demoSources(), form: QualityGateForm = defaultQualityGateForm(), schema?: Schema): NotebookDoc {
  return {
    version: 1,
    title: 'Demo quality gate',
    sources,
    cells: [
      md(
        'intro',
        '# Demo quality gate\n' +
          'Every demonstration is checked before it enters training: operator hesitation, a re-approach after a failed grasp, an early or unfinished end, ' +
          'physically implausible values, velocity spikes, broken timestamps and frozen frames. Each check explains itself on the episode. ' +
          'The thresholds are in the form, so a shared link gives the same verdicts.\n\n' +
          'Click an episode index to open it and **accept** or **reject** it (the review form\'s *quality gate*): the verdict is an annotation like any other ' +
          '(kept in this browser, in the sidecar export), and rejected demos leave the replay-mix sets.',
      ),
      owner('quality_checks', form),
      follower('quality_gate', form, 'quality_checks'),
      sql('flag_counts', `-- Flagged demonstrations per check\nSELECT "check", count(*) FILTER (WHERE flagged) AS flagged, count(*) AS checked\nFROM quality_checks GROUP BY ALL ORDER BY flagged DESC, "check"`),
      plot('flag_chart', { data: 'flag_counts', mark: 'barX', y: 'check', x: 'flagged', title: 'Demonstrations flagged, by check', xLabel: 'demonstrations' }),
      sql('flagged_details', `-- What each flag says\nSELECT episode_index, "check", at_s, explanation FROM quality_checks WHERE flagged ORDER BY episode_index, "check"`),
      ...userCells(schema),
    ],
  };
}

/** Review sampling: a seeded stratified sample of auto-collected episodes and the auto-labeller's precision/recall. */
export function reviewSamplingNotebook(sources: SourceDecl[] = demoSources(), form: ReviewSamplingForm = defaultReviewSamplingForm(), schema?: Schema): NotebookDoc {
  return {
    version: 1,
    title: 'Review sampling',
    sources,
    cells: [
      md(
        'intro',
        '# Review sampling\n' +
          `A reproducible sample of ${Math.round(100 * form.fraction)}% of the auto-collected episodes, stratified by ${form.strata.join(', ') || 'nothing'} and predicted outcome (seed ${form.seed}). ` +
          'Review them in `review_order`: click an episode index, set its outcome, save. As reviews come in, `review_estimate` gives the auto-labeller\'s ' +
          'precision and recall per class with Wilson 95% intervals (the sample is proportionally allocated, so it weighs itself).',
      ),
      owner('review_sample', form),
      sql('review_progress', `-- Reviewed so far, per stratum\nSELECT s.* EXCLUDE (episode_index, draw, review_order), count(*) AS sampled, count(r.episode_index) AS reviewed\nFROM review_sample s LEFT JOIN (SELECT DISTINCT episode_index FROM annotations WHERE outcome IS NOT NULL) r USING (episode_index)\nGROUP BY ALL ORDER BY ALL`),
      follower('review_estimate', form, 'review_sample'),
      ...userCells(schema),
    ],
  };
}

/** Hardware-drift watch: calibration error per joint and week against the tolerance. */
export function driftWatchNotebook(sources: SourceDecl[] = demoSources(), form: DriftWatchForm = defaultDriftWatchForm(), schema?: Schema): NotebookDoc {
  return {
    version: 1,
    title: 'Hardware-drift watch',
    sources,
    cells: [
      md(
        'intro',
        '# Hardware-drift watch\n' +
          `Calibration episodes hold reference poses, so measured joints should match the commands. The error per joint and week is compared with a ${form.toleranceDeg}° tolerance; ` +
          'the first week out of tolerance is flagged, with the deployments recorded since (their failures may be the hardware\'s, not the data\'s).',
      ),
      ...driftCells(form),
      ...userCells(schema),
    ],
  };
}

/** The drift cells (also on the health page). */
export function driftCells(form: DriftWatchForm = defaultDriftWatchForm()): CellData[] {
  return [
    owner('drift_by_week', form),
    plot('drift_chart', { data: 'drift_by_week', mark: 'line', x: 'week', y: 'error_deg', stroke: 'joint', title: `Calibration error by week (tolerance ±${form.toleranceDeg}°)`, xLabel: 'week', yLabel: 'error (°)' }),
    follower('drift_flag', form, 'drift_by_week'),
  ];
}

/**
 * On a user's data: the mapping suggested from its column names (shown, never applied silently) and the input
 * contract as a "Log format" cell. None on the demo, whose notebooks stay as they are.
 */
export function userCells(schema: Schema | undefined): CellData[] {
  if (!schema) return [];
  const episodes = [...(schema.get('episodes') ?? [])];
  const suggestions = suggestMapping(episodes, [...(schema.get('frames') ?? [])]);
  const text =
    '## Mapping\n' +
    'The forms above name only columns this dataset has; roles it lacks are set to none, and cells that cannot run say what to add or map. ' +
    (suggestions.length
      ? 'Suggested from your column names (apply one by setting it in a form\'s *Columns* group, or the outcome in the catalog):\n\n' + suggestions.map((s) => `- ${describeSuggestion(s)}`).join('\n')
      : 'No column of `episodes` is named like a role (outcome, policy version, …): add a deployment log (see Log format) or map the columns in the forms.');
  return [md('mapping', text), md('log_format', logFormatMarkdown())];
}

/** A template's builder: on the demo without a schema; on a user's data with its schema, so forms fit the data. */
export type TemplateBuild = (sources?: SourceDecl[], schema?: Schema) => NotebookDoc;

/** The job notebooks, for the start page. */
export const ANALYSIS_TEMPLATES: readonly { id: string; title: string; build: TemplateBuild }[] = [
  { id: 'failure-mining', title: 'Failure mining', build: (s, x) => (x ? failureMiningNotebook(s, fitFailureMining(x), x) : failureMiningNotebook(s)) },
  { id: 'red-flags', title: 'Flywheel red flags', build: (s, x) => (x ? redFlagsNotebook(s, fitRedFlags(x), x) : redFlagsNotebook(s)) },
  { id: 'replay-mix', title: 'Replay-mix designer', build: (s, x) => (x ? replayMixNotebook(s, fitReplayMix(x), x) : replayMixNotebook(s)) },
  { id: 'cost-per-success', title: 'Cost per success', build: (s, x) => (x ? costNotebook(s, fitCostModel(x), x) : costNotebook(s)) },
  { id: 'agreement', title: 'Annotator agreement', build: (s, x) => (x ? agreementNotebook(s, undefined, fitDefaultColumns(x), x) : agreementNotebook(s)) },
  { id: 'quality-gate', title: 'Demo quality gate', build: (s, x) => (x ? qualityGateNotebook(s, fitQualityGate(x), x) : qualityGateNotebook(s)) },
  { id: 'review-sampling', title: 'Review sampling', build: (s, x) => (x ? reviewSamplingNotebook(s, fitReviewSampling(x), x) : reviewSamplingNotebook(s)) },
  { id: 'drift-watch', title: 'Hardware-drift watch', build: (s, x) => (x ? driftWatchNotebook(s, fitDriftWatch(x), x) : driftWatchNotebook(s)) },
];

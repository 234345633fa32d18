/**
 * Forms fitted to the open data: a job opened on a user's dataset starts from a form that names only columns the
 * dataset has (optional roles it lacks are set to none), neutral failure-mode weights instead of the demo's
 * story, and conditions built from the columns that exist. The demo's notebooks keep the demo's forms.
 */
import { has, type Schema } from '../contract/capability.ts';
import { ROLE_FIELDS, defaultColumns, roleColumn, rotationSource, type ColumnMap, type ColumnRole } from './columns.ts';
import { defaultCostModelForm, type CostModelForm } from './cost-model.ts';
import { defaultDriftWatchForm, type DriftWatchForm } from './drift-watch.ts';
import { defaultFailureMiningForm, type FailureMiningForm } from './failure-mining.ts';
import { defaultQualityGateForm, type QualityGateForm } from './quality-gate.ts';
import { defaultRedFlagsForm, type RedFlagsForm } from './red-flags.ts';
import { defaultReplayMixForm, type ReplayMixForm } from './replay-mix.ts';
import { defaultReviewSamplingForm, type ReviewSamplingForm } from './review-sampling.ts';
import { quoteIdent, quoteString } from './sql.ts';
import { failedSql } from '../contract/inputs.ts';

/**
 * The column map with every mapped role the table lacks set to none, so a fitted form names only columns the data
 * have (jobs that cannot do without a role then show the capability check's sentence on what to add). Without a
 * rotation column the rotation is derived: from the policy version when there is one, else from the timestamp.
 * Condition columns the table lacks are dropped.
 */
export function fitColumns(c: ColumnMap, schema: Schema): ColumnMap {
  const out: ColumnMap = { ...c, conditionColumns: c.conditionColumns.filter((x) => has(schema, c.table, x)) };
  for (const role of Object.keys(ROLE_FIELDS) as ColumnRole[]) {
    const column = roleColumn(c, role);
    // The outcome is the one role every job reads (the canonical episodes always have the column, maybe empty).
    if (column !== null && role !== 'outcome' && !has(schema, c.table, column)) (out as unknown as Record<string, unknown>)[ROLE_FIELDS[role].field] = null;
  }
  if ((c.rotationFrom ?? 'column') === 'column' && out.rotationColumn === null) {
    out.rotationFrom = out.policyColumn !== null ? 'policy' : out.timestampColumn !== null ? 'timestamp' : 'column';
  }
  return out;
}

/** The first of `names` the table has, else the first column whose name matches `re`, else `fallback`. */
function pick(schema: Schema, table: string, names: readonly string[], re: RegExp, fallback: string): string {
  const found = names.find((n) => has(schema, table, n));
  if (found) return found;
  const cols = [...(schema.get(table) ?? [])];
  return cols.find((c) => re.test(c)) ?? fallback;
}

/** Failure mining on user data: modes and their weights start neutral (every mode the data has gets the same). */
export function fitFailureMining(schema: Schema): FailureMiningForm {
  const f = defaultFailureMiningForm();
  const columns = fitColumns(f.columns, schema);
  const groupBy = columns.policyColumn === null && rotationSource(columns) !== null ? 'rotation' : 'policy_version';
  return { ...f, columns, groupBy, modes: {}, otherModes: { fixability: 0.5, impact: 0.5, addressableByData: true } };
}

/** Red flags on user data (the cost flag reads the cost sheet only when there is one). */
export function fitRedFlags(schema: Schema): RedFlagsForm {
  const f = defaultRedFlagsForm();
  return { ...f, columns: fitColumns(f.columns, schema), costs: has(schema, 'costs') ? f.costs : null };
}

/** Cost per success: the cost sheet when there is one, else the model with a per-episode `cost_usd` where the log has it. */
export function fitCostModel(schema: Schema): CostModelForm {
  const f = defaultCostModelForm();
  const columns = fitColumns(f.columns, schema);
  const sheet = has(schema, 'costs');
  return { ...f, columns, costSheet: sheet ? f.costSheet : null, costSource: sheet ? 'sheet' : 'model', perEpisodeCostColumn: has(schema, columns.table, 'cost_usd') ? 'cost_usd' : null };
}

/**
 * Replay mix: the baseline and the targeted sets built from the columns the data have. With a tag column the
 * targeted set is the demos tagged `targeted-recovery` (the demo's); without one it is the failed and intervened
 * deployments (what a policy got wrong is what the next training run should see more of), and the baseline the
 * successful episodes plus, when there is a policy column, every demo. {@link replayTargetingNote} says which.
 */
export function fitReplayMix(schema: Schema): ReplayMixForm {
  const f = defaultReplayMixForm();
  const c = fitColumns(f.columns, schema);
  const ok = `${quoteIdent(c.outcomeColumn)} = ${quoteString(c.successValue)}`;
  const baseline = c.policyColumn === null ? ok : `${quoteIdent(c.policyColumn)} IS NULL OR ${ok}`;
  const failed = failedSql(quoteIdent(c.outcomeColumn), c.successValue);
  const targeted = c.tagColumn !== null ? f.targeted : [{ name: 'failed', kind: 'where' as const, where: c.policyColumn === null ? failed : `${quoteIdent(c.policyColumn)} IS NOT NULL AND ${failed}` }];
  return { ...f, columns: c, baseline: { name: 'baseline', kind: 'where', where: baseline }, targeted, excludeRejected: true };
}

/** One sentence on how the fitted replay mix chose its targeted set (for the notebook's intro). */
export function replayTargetingNote(f: ReplayMixForm): string {
  const s = f.targeted[0];
  if (f.targeted.length !== 1 || s.kind !== 'where' || s.name !== 'failed') return '';
  return `There is no tag column to mark targeted demos (\`targeted-recovery\`), so the targeted set "failed" is the episodes whose outcome is not ${JSON.stringify(f.columns.successValue)} (failed or intervened${f.columns.policyColumn ? ' deployments' : ''}): \`${s.where}\`. Edit it in the form, or add \`tags\` to the log.`;
}

/** Which episodes are demonstrations, from the columns there are. */
function demosWhere(schema: Schema): string {
  const parts: string[] = [];
  if (has(schema, 'episodes', 'policy_version')) parts.push(`"policy_version" IS NULL`);
  if (has(schema, 'episodes', 'tags')) parts.push(`coalesce("tags", '') NOT LIKE '%calibration%'`);
  return parts.length ? parts.join(' AND ') : 'true';
}

/** Quality gate on user data: every demonstration the columns can tell, the dataset's state vector, no gripper prior. */
export function fitQualityGate(schema: Schema): QualityGateForm {
  const f = defaultQualityGateForm();
  return {
    ...f,
    gate: demosWhere(schema),
    stateColumn: pick(schema, f.framesTable, [f.stateColumn, 'state', 'observation.joint_positions'], /state/, f.stateColumn),
    gripperIndex: null,
    reApproachExempt: has(schema, f.episodesTable, 'notes') ? f.reApproachExempt : 'false',
  };
}

/** Drift watch on user data: the dataset's state and action vectors, joints named by number. */
export function fitDriftWatch(schema: Schema): DriftWatchForm {
  const f = defaultDriftWatchForm();
  return {
    ...f,
    measuredColumn: pick(schema, f.framesTable, [f.measuredColumn, 'state'], /state/, f.measuredColumn),
    commandedColumn: pick(schema, f.framesTable, [f.commandedColumn, 'actions'], /action/, f.commandedColumn),
    jointNames: [],
    // Calibrations are told by their tag; without tags none can be (the capability check says so).
    calibration: has(schema, f.episodesTable, 'tags') ? f.calibration : 'false',
    timestampColumn: f.timestampColumn !== null && has(schema, f.episodesTable, f.timestampColumn) ? f.timestampColumn : null,
    deployments: has(schema, f.episodesTable, 'policy_version') ? f.deployments : 'false',
  };
}

/** Review sampling on user data: a pool and strata from the columns the episodes have. */
export function fitReviewSampling(schema: Schema): ReviewSamplingForm {
  const f = defaultReviewSamplingForm();
  // Without tags no episode is marked auto-collected: every episode with an outcome is one to audit.
  const pool = has(schema, f.episodesTable, 'tags') ? f.pool : '"outcome" IS NOT NULL';
  return { ...f, pool, strata: f.strata.filter((s) => has(schema, f.episodesTable, s)) };
}

/** The column map for cells outside a form (the review queue, the agreement example) on user data. */
export function fitDefaultColumns(schema: Schema): ColumnMap {
  return fitColumns(defaultColumns(), schema);
}

/**
 * Cost per success: a cost model and a per-rotation ledger (`cost_ledger`). Projection and the targeted-vs-
 * uniform comparison live in cost-projection.ts.
 *
 * The model, per rotation (what a lab would put in a spreadsheet):
 * - teleop demo (an episode without a policy): (operator rate + robot-hour cost) ÷ demos per hour;
 * - deployment episode: (robot-hour cost + operator rate, for the supervising operator) ÷ deployments per hour;
 * - a per-episode cost column, when mapped, overrides the two above for the episodes that have a value;
 * - review: reviewFraction × deployment episodes ÷ reviews per hour × review rate;
 * - compute: computePerTrainingRun × the policy versions deployed in the rotation (one training run each).
 * The ledger's `cost_usd` is the cost sheet's total for the rotation when `costSource` is 'sheet' and the
 * sheet has lines for it, else the model's (`cost_source` says which). A sheet line without a usable cost
 * stops the query with the lines to fix: a ledger that silently under-counts is worse than none.
 */
import { CYCLE_DAYS_SQL, defaultColumns, episodesInput, validateColumns, type ColumnMap } from './columns.ts';
import { costSheetSql, defaultCostSheet, validateCostSheet, type CostSheet } from './cost-sheet.ts';
import { num, quoteIdent, quoteString } from './sql.ts';
import { defaultTargeting, validateTargeting, type TargetingOptions } from './targets.ts';
import { FormErrors } from './validate.ts';

/** The cost-model form. */
export interface CostModelForm {
  columns: ColumnMap;
  targeting: TargetingOptions;
  operatorRatePerHour: number;
  demosPerHour: number;
  deploymentsPerHour: number;
  robotHourCost: number;
  /** Share of deployment episodes a person reviews (0..1). */
  reviewFraction: number;
  reviewRatePerHour: number;
  reviewsPerHour: number;
  computePerTrainingRun: number;
  /** A column with a per-episode collection cost that overrides the model where set. */
  perEpisodeCostColumn: string | null;
  costSheet: CostSheet | null;
  costSource: 'sheet' | 'model';
  /** Success rate the projection aims for (0..1, exclusive). */
  targetSuccessRate: number;
  /** Recent rotations whose average episodes and cost per rotation the projection extrapolates. */
  projectionWindow: number;
  maxProjectedRotations: number;
}

/** Defaults: the demo's rates (operator $42/h, robot $18/h, review $30/h, GPU runs ~$250) and cost sheet. */
export function defaultCostModelForm(): CostModelForm {
  return {
    columns: defaultColumns(),
    targeting: defaultTargeting(),
    operatorRatePerHour: 42,
    demosPerHour: 20,
    deploymentsPerHour: 20,
    robotHourCost: 18,
    reviewFraction: 1,
    reviewRatePerHour: 30,
    reviewsPerHour: 30,
    computePerTrainingRun: 250,
    perEpisodeCostColumn: null,
    costSheet: defaultCostSheet(),
    costSource: 'sheet',
    targetSuccessRate: 0.95,
    projectionWindow: 3,
    maxProjectedRotations: 20,
  };
}

/** Problems with the form, as sentences (empty when it is valid). */
export function validateCostModelForm(f: CostModelForm): string[] {
  const errs = new FormErrors();
  // The rotation may be unmapped here: the capability check then says what to add (see needs.ts), so a form fitted
  // to data without one stays valid and shareable.
  validateColumns(f.columns, errs, ['outcome']);
  validateTargeting(f.targeting, errs);
  errs.number('operatorRatePerHour', f.operatorRatePerHour, 0, 1e6);
  errs.number('demosPerHour', f.demosPerHour, 0, 1e6, { min: true });
  errs.number('deploymentsPerHour', f.deploymentsPerHour, 0, 1e6, { min: true });
  errs.number('robotHourCost', f.robotHourCost, 0, 1e6);
  errs.number('reviewFraction', f.reviewFraction, 0, 1);
  errs.number('reviewRatePerHour', f.reviewRatePerHour, 0, 1e6);
  errs.number('reviewsPerHour', f.reviewsPerHour, 0, 1e6, { min: true });
  errs.number('computePerTrainingRun', f.computePerTrainingRun, 0, 1e9);
  if (f.perEpisodeCostColumn !== null) errs.text('perEpisodeCostColumn', f.perEpisodeCostColumn);
  if (f.costSheet !== null) validateCostSheet(f.costSheet, errs);
  errs.check(f.costSource !== 'sheet' && f.costSource !== 'model', 'costSource must be "sheet" or "model".');
  errs.check(f.costSource === 'sheet' && f.costSheet === null, 'costSource is "sheet" but no cost sheet is mapped.');
  errs.number('targetSuccessRate', f.targetSuccessRate, 0, 1, { min: true, max: true });
  errs.integer('projectionWindow', f.projectionWindow, 1, 1000);
  errs.integer('maxProjectedRotations', f.maxProjectedRotations, 1, 1000);
  return errs.errors;
}

/** Throws with every problem listed when the form is invalid. */
export function assertValidCostModel(f: CostModelForm): void {
  const problems = validateCostModelForm(f);
  if (problems.length) throw new Error(`Invalid cost-model form: ${problems.join(' ')}`);
}

/**
 * SQL of `cost_ledger`, one row per rotation: rotation, episodes_collected, teleop_episodes,
 * deployment_episodes, successes, success_rate, model_cost_usd, sheet_cost_usd, cost_usd, cost_source,
 * cost_per_success_usd, success_gain_points (vs the previous rotation with deployments),
 * marginal_cost_per_point_usd (cost_usd ÷ points gained, when it gained), cycle_days, prior_episodes
 * (collected in earlier rotations: what this rotation's policy could train on), cumulative_cost_usd.
 */
export function costLedgerSql(f: CostModelForm): string {
  assertValidCostModel(f);
  const op = num(f.operatorRatePerHour);
  const robot = num(f.robotHourCost);
  const override = f.perEpisodeCostColumn;
  const overrideExpr = override === null ? 'NULL::DOUBLE' : `TRY_CAST(src.${quoteIdent(override)} AS DOUBLE)`;
  const sheet =
    f.costSheet === null
      ? `sheet AS (SELECT NULL::BIGINT AS line, NULL::BIGINT AS rot, NULL::DOUBLE AS amount, NULL::VARCHAR AS description WHERE false),
sheet_problems AS (SELECT NULL::BIGINT AS line, NULL::VARCHAR AS problem WHERE false)`
      : costSheetSql(f.costSheet);
  return `-- Cost ledger per rotation: episodes, successes, cost (${f.costSource === 'sheet' ? 'cost sheet, else the model' : 'the model'}), cost per success, cycle time
WITH ${episodesInput(f.columns, ['outcome', 'rotation'])},
${sheet},
_cost_guard AS (SELECT CASE WHEN (SELECT count(*) FROM sheet_problems) > 0
    THEN error(${quoteString('The cost sheet has lines without a usable cost: ')} || (SELECT string_agg(problem, '; ' ORDER BY line) FROM sheet_problems) || '.')
    ELSE true END AS ok),
-- Modelled collection cost per episode (a per-episode cost column, when mapped, wins where it has a value)
per_episode AS (
  SELECT e.episode_index, e.rot, e.deployed, e.ok, e.policy, e.ts,
         ${overrideExpr} IS NOT NULL AS overridden,
         coalesce(${overrideExpr}, CASE WHEN e.deployed THEN (${robot} + ${op}) / ${num(f.deploymentsPerHour)} ELSE (${op} + ${robot}) / ${num(f.demosPerHour)} END) AS collection_cost
  FROM ep e${override === null ? '' : ` JOIN ${quoteIdent(f.columns.table)} src USING (episode_index)`}
  WHERE e.rot IS NOT NULL
),
model AS (
  SELECT rot,
         count(*) AS episodes_collected,
         count(*) FILTER (WHERE NOT deployed) AS teleop_episodes,
         count(*) FILTER (WHERE deployed) AS deployment_episodes,
         count(*) FILTER (WHERE deployed AND ok) AS successes,
         sum(collection_cost)
           + ${num(f.reviewFraction)} * count(*) FILTER (WHERE deployed) / ${num(f.reviewsPerHour)} * ${num(f.reviewRatePerHour)}
           + ${num(f.computePerTrainingRun)} * count(DISTINCT policy) FILTER (WHERE deployed) AS model_cost_usd,
         ${CYCLE_DAYS_SQL} AS cycle_days
  FROM per_episode GROUP BY rot
),
spend AS (SELECT rot, sum(amount) AS sheet_cost_usd FROM sheet WHERE rot IS NOT NULL GROUP BY rot),
rows AS (
  SELECT coalesce(m.rot, s.rot) AS rotation,
         coalesce(m.episodes_collected, 0) AS episodes_collected,
         coalesce(m.teleop_episodes, 0) AS teleop_episodes,
         coalesce(m.deployment_episodes, 0) AS deployment_episodes,
         coalesce(m.successes, 0) AS successes,
         m.successes / nullif(m.deployment_episodes, 0) AS success_rate,
         coalesce(m.model_cost_usd, 0) AS model_cost_usd,
         s.sheet_cost_usd,
         ${f.costSource === 'sheet' ? 'coalesce(s.sheet_cost_usd, m.model_cost_usd)' : 'm.model_cost_usd'} AS cost_usd,
         ${f.costSource === 'sheet' ? `CASE WHEN s.sheet_cost_usd IS NOT NULL THEN 'cost sheet' ELSE 'model (no sheet lines)' END` : `'model'`} AS cost_source,
         m.cycle_days
  FROM model m FULL JOIN spend s USING (rot)
),
gains AS (
  SELECT *, 100 * (success_rate - lag(success_rate IGNORE NULLS) OVER (ORDER BY rotation)) AS success_gain_points FROM rows
)
SELECT rotation, episodes_collected, teleop_episodes, deployment_episodes, successes, success_rate,
       model_cost_usd, sheet_cost_usd, cost_usd, cost_source,
       cost_usd / nullif(successes, 0) AS cost_per_success_usd,
       success_gain_points,
       CASE WHEN success_gain_points > 0 THEN cost_usd / success_gain_points END AS marginal_cost_per_point_usd,
       cycle_days,
       coalesce(sum(episodes_collected) OVER (ORDER BY rotation ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prior_episodes,
       sum(cost_usd) OVER (ORDER BY rotation) AS cumulative_cost_usd
FROM gains
WHERE (SELECT ok FROM _cost_guard)
ORDER BY rotation`;
}

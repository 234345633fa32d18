/**
 * Flywheel health red flags: one SQL query producing `red_flags(flag, raised, evidence, value, threshold)`,
 * one row per flag. `raised` is NULL when the data cannot tell (a column is not mapped, too few rotations),
 * and the evidence then says what is missing. Definitions (thresholds are form fields):
 *
 * - `success_flat`: a deployment rotation's success rate gained less than `minSuccessGain` over the previous
 *   deployment rotation although episodes were collected in between.
 * - `generalisation`: success on episodes whose conditions were not in the training data (in-distribution
 *   false) ÷ success on those that were, pooled over all deployments; raised below `minGeneralisation`
 *   (the evidence also says whether it reaches `generalisationTarget`).
 * - `cost_per_success_rising`: a rotation's spend (cost sheet) per successful deployment episode rose by more
 *   than `maxCostRise` (relative) over the previous rotation's. Value: the largest rise.
 * - `cycle_time`: days from a rotation's first episode to the next rotation's first (the last rotation runs to
 *   its own last episode), rounded to 0.1 day as in the health notebook; raised above `maxCycleDays`.
 * - `persisting_failure_mode`: a mode with two or more targeted collections (see targets.ts) whose failure
 *   rate in the deployments after the second collection is still ≥ `persistRatio` × its rate in the rotation
 *   that prompted the first collection. Value: the largest after/before ratio.
 * - `failure_mode_coverage`: of the modes identified by `coverageByRotation` (filed on ≥ `minModeFailures`
 *   deployment failures in rotations ≤ it), the share with targeted data (≥ `minTargetedEpisodes` episodes)
 *   by then; raised below `minCoverage`.
 * - `data_efficiency_flat`: least-squares slope of deployment success rate against the episodes collected
 *   before each rotation (the data the policy could train on), over the last `efficiencyWindow` deployment
 *   rotations, in success points per 100 episodes; raised below `minEfficiencyPer100`.
 *
 * With `scope: 'latest'`, the three rotation-over-rotation flags (success, cost, cycle time) look only at the
 * latest rotation; with `'any'` (default) at every rotation, so a past spike stays visible.
 */
import { CYCLE_DAYS_SQL, defaultColumns, episodesInput, validateColumns, type ColumnMap } from './columns.ts';
import { costSheetSql, defaultCostSheet, validateCostSheet, type CostSheet } from './cost-sheet.ts';
import { int, num } from './sql.ts';
import { defaultTargeting, targetedAtSql, validateTargeting, type TargetingOptions } from './targets.ts';
import { FormErrors } from './validate.ts';

/** Flag ids, in output order. */
export const RED_FLAGS = [
  'success_flat',
  'generalisation',
  'cost_per_success_rising',
  'cycle_time',
  'persisting_failure_mode',
  'failure_mode_coverage',
  'data_efficiency_flat',
] as const;
/** One of {@link RED_FLAGS}. */
export type RedFlag = (typeof RED_FLAGS)[number];

/** Thresholds of the red flags (see the module comment for what each compares). */
export interface RedFlagThresholds {
  minSuccessGain: number;
  minGeneralisation: number;
  generalisationTarget: number;
  maxCostRise: number;
  maxCycleDays: number;
  persistRatio: number;
  minCoverage: number;
  coverageByRotation: number;
  minModeFailures: number;
  minEfficiencyPer100: number;
  efficiencyWindow: number;
}

/** The red-flags form. */
export interface RedFlagsForm {
  columns: ColumnMap;
  /** The cost sheet, or null when there is none (the cost flag then says so). */
  costs: CostSheet | null;
  scope: 'any' | 'latest';
  thresholds: RedFlagThresholds;
  targeting: TargetingOptions;
}

/** Defaults: the issue's thresholds (0.5 generalisation, 14 days, 80 % coverage by rotation 3) and the demo's columns. */
export function defaultRedFlagsForm(): RedFlagsForm {
  return {
    columns: defaultColumns(),
    costs: defaultCostSheet(),
    scope: 'any',
    thresholds: {
      minSuccessGain: 0.01,
      minGeneralisation: 0.5,
      generalisationTarget: 0.7,
      maxCostRise: 0.1,
      maxCycleDays: 14,
      persistRatio: 0.75,
      minCoverage: 0.8,
      coverageByRotation: 3,
      minModeFailures: 3,
      minEfficiencyPer100: 1,
      efficiencyWindow: 3,
    },
    targeting: defaultTargeting(),
  };
}

/** Problems with the form, as sentences (empty when it is valid). */
export function validateRedFlagsForm(f: RedFlagsForm): string[] {
  const errs = new FormErrors();
  // The rotation may be unmapped here: the capability check then says what to add (see needs.ts), so a form fitted
  // to data without one stays valid and shareable.
  validateColumns(f.columns, errs, ['outcome']);
  if (f.costs !== null) validateCostSheet(f.costs, errs);
  errs.check(f.scope !== 'any' && f.scope !== 'latest', 'scope must be "any" or "latest".');
  validateTargeting(f.targeting, errs);
  const t = f.thresholds ?? ({} as RedFlagThresholds);
  errs.number('minSuccessGain', t.minSuccessGain, -1, 1);
  errs.number('minGeneralisation', t.minGeneralisation, 0, 10);
  errs.number('generalisationTarget', t.generalisationTarget, 0, 10);
  errs.number('maxCostRise', t.maxCostRise, -1, 100);
  errs.number('maxCycleDays', t.maxCycleDays, 0, 3650, { min: true });
  errs.number('persistRatio', t.persistRatio, 0, 100, { min: true });
  errs.number('minCoverage', t.minCoverage, 0, 1);
  errs.integer('coverageByRotation', t.coverageByRotation, 0, 1_000_000);
  errs.integer('minModeFailures', t.minModeFailures, 1, 1_000_000);
  errs.number('minEfficiencyPer100', t.minEfficiencyPer100, -100, 100);
  errs.integer('efficiencyWindow', t.efficiencyWindow, 2, 1000);
  return errs.errors;
}

const pct = (x: string): string => `printf('%.1f%%', 100 * ${x})`;

/** The SQL of `red_flags`. Throws with every form problem listed when the form is invalid. */
export function redFlagsSql(f: RedFlagsForm): string {
  const problems = validateRedFlagsForm(f);
  if (problems.length) throw new Error(`Invalid red-flags form: ${problems.join(' ')}`);
  const t = f.thresholds;
  const latest = f.scope === 'latest';
  const onlyLatest = (rot: string): string => (latest ? ` AND ${rot} = (SELECT max(rot) FROM per_rot)` : '');
  const noInDist = f.columns.inDistributionColumn === null;
  const noTime = f.columns.timestampColumn === null;
  const R = int(t.coverageByRotation);
  const minT = int(f.targeting.minTargetedEpisodes);

  const costCtes =
    f.costs === null
      ? `spend AS (SELECT NULL::BIGINT AS rot, NULL::DOUBLE AS cost WHERE false),
sheet_problems AS (SELECT NULL::BIGINT AS line, NULL::VARCHAR AS problem WHERE false)`
      : `${costSheetSql(f.costs)},
spend AS (SELECT rot, sum(amount) AS cost FROM sheet WHERE rot IS NOT NULL GROUP BY rot)`;

  return `-- Flywheel red flags: each row says whether the flag is raised and why (NULL: the data cannot tell)
WITH ${episodesInput(f.columns, ['outcome', 'rotation'])},
${targetedAtSql(f.targeting)},
dep AS (SELECT * FROM ep WHERE deployed AND rot IS NOT NULL),
per_rot AS (
  SELECT rot, count(*) AS n, count(*) FILTER (WHERE ok) AS successes, count(*) FILTER (WHERE ok) / count(*) AS success_rate
  FROM dep GROUP BY rot
),
-- Deployment rotations in order, with the previous one and the episodes collected before and in between
curve0 AS (
  SELECT rot, n, successes, success_rate, lag(rot) OVER (ORDER BY rot) AS prev_rot, lag(success_rate) OVER (ORDER BY rot) AS prev_rate
  FROM per_rot
),
curve AS (
  SELECT c.*,
         (SELECT count(*) FROM ep e WHERE e.rot < c.rot) AS prior_episodes,
         (SELECT count(*) FROM ep e WHERE e.rot >= c.prev_rot AND e.rot < c.rot) AS new_episodes
  FROM curve0 c
),
${costCtes},
f_success AS (
  SELECT CASE WHEN count(*) = 0 THEN NULL ELSE bool_or(gain < ${num(t.minSuccessGain)}) END AS raised,
         min(gain) AS value,
         CASE WHEN count(*) = 0 THEN 'Needs deployment outcomes in at least two rotations with episodes collected in between.'
              WHEN bool_or(gain < ${num(t.minSuccessGain)}) THEN string_agg(CASE WHEN gain < ${num(t.minSuccessGain)} THEN 'rotation ' || rot || ': ' || ${pct('prev_rate')} || ' → ' || ${pct('success_rate')} || ' (' || printf('%+.1f', 100 * gain) || ' points) after ' || new_episodes || ' new episodes' END, '; ' ORDER BY rot)
              ELSE 'Every rotation gained at least ' || printf('%.1f', 100 * ${num(t.minSuccessGain)}) || ' points; smallest gain ' || printf('%+.1f', 100 * min(gain)) || ' points (rotation ' || arg_min(rot, gain) || ').' END AS evidence
  FROM (SELECT *, success_rate - prev_rate AS gain FROM curve WHERE prev_rot IS NOT NULL AND new_episodes > 0${onlyLatest('rot')})
),
f_gen AS (
  SELECT ${noInDist ? 'NULL::BOOLEAN' : `CASE WHEN n_unseen = 0 OR n_seen = 0 OR seen = 0 THEN NULL ELSE unseen / seen < ${num(t.minGeneralisation)} END`} AS raised,
         CASE WHEN n_unseen > 0 AND n_seen > 0 AND seen > 0 THEN unseen / seen END AS value,
         ${
           noInDist
             ? `'Map an in-distribution column (inDistributionColumn) to compute it.'`
             : `CASE WHEN n_unseen = 0 OR n_seen = 0 THEN 'Needs deployments on both seen and unseen conditions (seen: ' || n_seen || ', unseen: ' || n_unseen || ').'
              WHEN seen = 0 THEN 'No deployment on seen conditions succeeded.'
              ELSE 'Success ' || ${pct('unseen')} || ' on unseen conditions (' || n_unseen || ' episodes) vs ' || ${pct('seen')} || ' on seen (' || n_seen || '): score ' || printf('%.2f', unseen / seen) ||
                   CASE WHEN unseen / seen < ${num(t.minGeneralisation)} THEN ', below ' || ${num(t.minGeneralisation)}
                        WHEN unseen / seen < ${num(t.generalisationTarget)} THEN ', above the flag level ' || ${num(t.minGeneralisation)} || ' but below the target ' || ${num(t.generalisationTarget)}
                        ELSE ', at or above the target ' || ${num(t.generalisationTarget)} END || '.' END`
         } AS evidence
  FROM (SELECT avg(ok::DOUBLE) FILTER (WHERE NOT in_dist) AS unseen, avg(ok::DOUBLE) FILTER (WHERE in_dist) AS seen,
               count(*) FILTER (WHERE NOT in_dist) AS n_unseen, count(*) FILTER (WHERE in_dist) AS n_seen FROM dep)
),
cps AS (
  SELECT rot, cost / successes AS cps, lag(cost / successes) OVER (ORDER BY rot) AS prev_cps, lag(rot) OVER (ORDER BY rot) AS prev_rot
  FROM per_rot JOIN spend USING (rot) WHERE successes > 0
),
f_cost AS (
  SELECT CASE WHEN (SELECT count(*) FROM sheet_problems) > 0 OR count(*) = 0 THEN NULL ELSE bool_or(rise > ${num(t.maxCostRise)}) END AS raised,
         max(rise) AS value,
         CASE WHEN (SELECT count(*) FROM sheet_problems) > 0 THEN 'The cost sheet has lines without a usable cost: ' || (SELECT string_agg(problem, '; ' ORDER BY line) FROM sheet_problems) || '.'
              WHEN ${f.costs === null ? 'true' : 'false'} THEN 'No cost sheet is mapped (costs).'
              WHEN count(*) = 0 THEN 'Needs spend and successful deployments in at least two rotations.'
              WHEN bool_or(rise > ${num(t.maxCostRise)}) THEN string_agg(CASE WHEN rise > ${num(t.maxCostRise)} THEN 'rotation ' || rot || ': ' || printf('%.2f', cps) || ' per successful episode vs ' || printf('%.2f', prev_cps) || ' in rotation ' || prev_rot || ' (' || printf('%+.0f%%', 100 * rise) || ')' END, '; ' ORDER BY rot)
              ELSE 'No rotation''s cost per success rose more than ' || printf('%.0f%%', 100 * ${num(t.maxCostRise)}) || '; largest change ' || printf('%+.0f%%', 100 * max(rise)) || ' (rotation ' || arg_max(rot, rise) || ').' END AS evidence
  FROM (SELECT *, cps / prev_cps - 1 AS rise FROM cps WHERE prev_cps IS NOT NULL${onlyLatest('rot')})
),
cycles AS (
  SELECT rot, ${CYCLE_DAYS_SQL} AS days
  FROM ep WHERE rot IS NOT NULL AND ts IS NOT NULL GROUP BY rot
),
f_cycle AS (
  SELECT ${noTime ? 'NULL::BOOLEAN' : `CASE WHEN count(*) = 0 THEN NULL ELSE bool_or(days > ${num(t.maxCycleDays)}) END`} AS raised,
         max(days) AS value,
         CASE WHEN count(*) = 0 THEN 'Needs timestamps (timestampColumn) and rotations.'
              WHEN bool_or(days > ${num(t.maxCycleDays)}) THEN string_agg(CASE WHEN days > ${num(t.maxCycleDays)} THEN 'rotation ' || rot || ': ' || printf('%.1f', days) || ' days' END, '; ' ORDER BY rot)
              ELSE 'Every rotation took at most ' || ${num(t.maxCycleDays)} || ' days; longest ' || printf('%.1f', max(days)) || ' (rotation ' || arg_max(rot, days) || ').' END AS evidence
  FROM cycles WHERE true${onlyLatest('rot')}
),
-- Rotations that made a targeted collection at a mode, and the modes with at least two
collections AS (SELECT mode, rot, count(*) AS episodes FROM targeted_at WHERE rot IS NOT NULL GROUP BY mode, rot HAVING count(*) >= ${minT}),
repeated AS (
  SELECT mode, min(rot) AS first_rot, list(rot ORDER BY rot)[2] AS second_rot, list(rot ORDER BY rot) AS rots
  FROM collections GROUP BY mode HAVING count(*) >= 2
),
persistence AS (
  SELECT r.mode, r.first_rot, r.second_rot, r.rots,
         (SELECT count(*) FILTER (WHERE NOT d.ok AND d.mode = r.mode) / count(*) FROM dep d WHERE d.rot = r.first_rot) AS before_rate,
         (SELECT count(*) FILTER (WHERE NOT d.ok AND d.mode = r.mode) / nullif(count(*), 0) FROM dep d WHERE d.rot > r.second_rot) AS after_rate,
         (SELECT CASE WHEN min(d.rot) = max(d.rot) THEN 'rotation ' || min(d.rot) ELSE 'rotations ' || min(d.rot) || '–' || max(d.rot) END FROM dep d WHERE d.rot > r.second_rot) AS after_rots
  FROM repeated r
),
f_persist AS (
  SELECT CASE WHEN count(*) = 0 THEN NULL ELSE bool_or(after_rate >= ${num(t.persistRatio)} * before_rate) END AS raised,
         max(after_rate / before_rate) AS value,
         CASE WHEN count(*) = 0 THEN 'No failure mode has two targeted collections followed by deployments yet.'
              WHEN bool_or(after_rate >= ${num(t.persistRatio)} * before_rate) THEN string_agg(CASE WHEN after_rate >= ${num(t.persistRatio)} * before_rate THEN
                   mode || ': ' || ${pct('before_rate')} || ' of deployments in rotation ' || first_rot || ' (before targeted data), ' || ${pct('after_rate')} || ' in ' || after_rots ||
                   ' (after the 2nd targeted collection, rotation ' || second_rot || '); targeted in rotations ' || array_to_string(rots, ', ') END, '; ' ORDER BY mode)
              ELSE 'Modes with two targeted collections all fell below ' || printf('%.0f%%', 100 * ${num(t.persistRatio)}) || ' of their earlier rate: ' || string_agg(mode || ' ×' || printf('%.2f', after_rate / before_rate), ', ' ORDER BY mode) || '.' END AS evidence
  FROM persistence WHERE before_rate > 0 AND after_rate IS NOT NULL
),
identified AS (
  SELECT mode, (SELECT count(*) FROM targeted_at ta WHERE ta.mode = d.mode AND ta.rot <= ${R}) >= ${minT} AS covered
  FROM dep d WHERE NOT ok AND mode IS NOT NULL AND rot <= ${R} GROUP BY mode HAVING count(*) >= ${int(t.minModeFailures)}
),
f_cov AS (
  SELECT CASE WHEN (SELECT max(rot) FROM dep) < ${R} OR count(*) = 0 THEN NULL ELSE count(*) FILTER (WHERE covered) / count(*) < ${num(t.minCoverage)} END AS raised,
         CASE WHEN count(*) > 0 THEN count(*) FILTER (WHERE covered) / count(*) END AS value,
         CASE WHEN (SELECT max(rot) FROM dep) < ${R} THEN 'The deployments reach rotation ' || coalesce((SELECT max(rot) FROM dep)::VARCHAR, 'none') || '; this flag looks at rotation ' || ${R} || '.'
              WHEN count(*) = 0 THEN 'No failure mode was filed at least ' || ${int(t.minModeFailures)} || ' times by rotation ' || ${R} || '.'
              ELSE 'By rotation ' || ${R} || ': ' || count(*) FILTER (WHERE covered) || ' of ' || count(*) || ' identified modes have targeted data' ||
                   coalesce('; none for ' || string_agg(CASE WHEN NOT covered THEN mode END, ', ' ORDER BY mode), '') || '.' END AS evidence
  FROM identified
),
window_pts AS (SELECT * FROM curve WHERE prior_episodes > 0 QUALIFY row_number() OVER (ORDER BY rot DESC) <= ${int(t.efficiencyWindow)}),
f_eff AS (
  SELECT CASE WHEN count(*) < 2 THEN NULL ELSE 10000 * regr_slope(success_rate, prior_episodes) < ${num(t.minEfficiencyPer100)} END AS raised,
         CASE WHEN count(*) >= 2 THEN 10000 * regr_slope(success_rate, prior_episodes) END AS value,
         CASE WHEN count(*) < 2 THEN 'Needs at least two deployment rotations after the first collection.'
              ELSE 'Rotations ' || min(rot) || '–' || max(rot) || ': ' || printf('%+.1f', 10000 * regr_slope(success_rate, prior_episodes)) ||
                   ' success points per 100 new episodes (success ' || ${pct('arg_min(success_rate, rot)')} || ' → ' || ${pct('arg_max(success_rate, rot)')} ||
                   ' while the data grew from ' || min(prior_episodes) || ' to ' || max(prior_episodes) || ' episodes).' END AS evidence
  FROM window_pts
)
SELECT flag, raised, evidence, value, threshold
FROM (
  SELECT 1 AS ord, 'success_flat' AS flag, raised, evidence, value, ${num(t.minSuccessGain)} AS threshold FROM f_success
  UNION ALL SELECT 2, 'generalisation', raised, evidence, value, ${num(t.minGeneralisation)} FROM f_gen
  UNION ALL SELECT 3, 'cost_per_success_rising', raised, evidence, value, ${num(t.maxCostRise)} FROM f_cost
  UNION ALL SELECT 4, 'cycle_time', raised, evidence, value, ${num(t.maxCycleDays)} FROM f_cycle
  UNION ALL SELECT 5, 'persisting_failure_mode', raised, evidence, value, ${num(t.persistRatio)} FROM f_persist
  UNION ALL SELECT 6, 'failure_mode_coverage', raised, evidence, value, ${num(t.minCoverage)} FROM f_cov
  UNION ALL SELECT 7, 'data_efficiency_flat', raised, evidence, value, ${num(t.minEfficiencyPer100)} FROM f_eff
)
ORDER BY ord`;
}

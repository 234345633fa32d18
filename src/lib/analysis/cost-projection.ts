/**
 * What it will cost to reach a target success rate, and whether targeted collection pays off, from the
 * `cost_ledger` result (cost-model.ts) and the episodes.
 *
 * Projection model (documented in the notebook too): the data-efficiency curve is fitted as
 *   success_rate = a + b · ln(training episodes)
 * by least squares over the deployment rotations, where a rotation's training episodes are all episodes
 * collected before it (`prior_episodes`). Diminishing returns per episode are the usual shape of these
 * curves, and a log fit needs only two rotations. Future rotation k (1 = the next) is assumed to train on
 * everything so far plus (k − 1) × the average episodes per rotation of the last `projectionWindow`
 * rotations, and to cost their average cost per rotation. Fitted rates are capped at 1.
 *
 * Targeted vs uniform (`collection_comparison`), as far as a log supports it: between consecutive
 * deployment rotations, each failure mode's rate changes. A mode that got targeted demos in between is
 * credited to targeted collection; a mode that got none to the other new episodes (successful episodes
 * without the targeted tag: deployments, seed or uniform demos). Points per 100 episodes are the summed
 * success points (failure-rate drops) over the episodes of that kind. Assumptions: targeted demos act on
 * the mode they went after, other data acts on the rest, and modes do not interact. It is a rough
 * attribution, not an experiment; the notebook says so.
 */
import { episodesInput } from './columns.ts';
import { assertValidCostModel, costLedgerSql, type CostModelForm } from './cost-model.ts';
import { int, num, quoteIdent } from './sql.ts';
import { targetedAtSql } from './targets.ts';

/**
 * SQL of `cost_projection`, read from `ledger` (default `cost_ledger`): observed deployment rotations and
 * projected future ones until the target is reached (or `maxProjectedRotations`). Columns: rotation, kind
 * ('observed' | 'projected'), training_episodes, success_rate (observed only), fitted_success_rate,
 * cumulative_cost_usd (projected: spend from the next rotation through this one), reaches_target.
 */
export function costProjectionSql(f: CostModelForm, ledger = 'cost_ledger'): string {
  assertValidCostModel(f);
  const l = quoteIdent(ledger);
  const target = num(f.targetSuccessRate);
  return `-- Data-efficiency curve success = a + b·ln(training episodes), fitted over deployment rotations, then projected forward
WITH obs AS (SELECT rotation, prior_episodes AS training_episodes, success_rate FROM ${l} WHERE success_rate IS NOT NULL AND prior_episodes > 0),
fit AS (SELECT regr_intercept(success_rate, ln(training_episodes)) AS a, regr_slope(success_rate, ln(training_episodes)) AS b FROM obs),
recent AS (
  SELECT avg(episodes_collected) AS episodes_per_rotation, avg(cost_usd) AS cost_per_rotation
  FROM (SELECT * FROM ${l} ORDER BY rotation DESC LIMIT ${int(f.projectionWindow)})
),
now AS (SELECT max(rotation) AS last_rotation, sum(episodes_collected) AS episodes_so_far FROM ${l}),
projected AS (
  SELECT now.last_rotation + k AS rotation, now.episodes_so_far + (k - 1) * recent.episodes_per_rotation AS training_episodes,
         least(1, fit.a + fit.b * ln(now.episodes_so_far + (k - 1) * recent.episodes_per_rotation)) AS fitted_success_rate,
         k * recent.cost_per_rotation AS cumulative_cost_usd, k
  FROM range(1, ${int(f.maxProjectedRotations)} + 1) r(k), now, recent, fit
  WHERE fit.b IS NOT NULL
)
SELECT rotation, 'observed' AS kind, training_episodes, success_rate, least(1, a + b * ln(training_episodes)) AS fitted_success_rate,
       NULL::DOUBLE AS cumulative_cost_usd, success_rate >= ${target} AS reaches_target
FROM obs, fit
UNION ALL
SELECT rotation, 'projected', training_episodes, NULL, fitted_success_rate, cumulative_cost_usd, fitted_success_rate >= ${target}
FROM projected
-- Stop at the first projected rotation that reaches the target
QUALIFY k IS NULL OR k <= coalesce(min(k) FILTER (WHERE fitted_success_rate >= ${target}) OVER (), k)
ORDER BY rotation`;
}

/**
 * SQL of `cost_to_target` (one row), from `ledger` and `projection`: target_success_rate,
 * latest_success_rate, fit_intercept, fit_slope (success per unit of ln episodes), fit_r2, fit_points,
 * episodes_so_far, rotations_needed, episodes_needed (beyond those so far), projected_cost_usd and a note.
 * Needs are NULL, with the reason in the note, when the target is out of reach of the fitted curve.
 */
export function costToTargetSql(f: CostModelForm, ledger = 'cost_ledger', projection = 'cost_projection'): string {
  assertValidCostModel(f);
  const l = quoteIdent(ledger);
  const p = quoteIdent(projection);
  const target = num(f.targetSuccessRate);
  return `-- Rotations, episodes and money to reach the target success rate, from the fitted data-efficiency curve
WITH obs AS (SELECT prior_episodes AS training_episodes, success_rate FROM ${l} WHERE success_rate IS NOT NULL AND prior_episodes > 0),
fit AS (
  SELECT regr_intercept(success_rate, ln(training_episodes)) AS a, regr_slope(success_rate, ln(training_episodes)) AS b,
         regr_r2(success_rate, ln(training_episodes)) AS r2, count(*) AS points FROM obs
),
now AS (
  SELECT max(rotation) AS last_rotation, sum(episodes_collected) AS episodes_so_far,
         (SELECT success_rate FROM ${l} WHERE success_rate IS NOT NULL ORDER BY rotation DESC LIMIT 1) AS latest
  FROM ${l}
),
hit AS (SELECT min(rotation) AS rotation FROM ${p} WHERE kind = 'projected' AND reaches_target),
reached AS (SELECT p.* FROM ${p} p JOIN hit USING (rotation) WHERE p.kind = 'projected')
SELECT ${target} AS target_success_rate, now.latest AS latest_success_rate,
       fit.a AS fit_intercept, fit.b AS fit_slope, fit.r2 AS fit_r2, fit.points AS fit_points, now.episodes_so_far,
       CASE WHEN now.latest >= ${target} THEN 0 ELSE reached.rotation - now.last_rotation END AS rotations_needed,
       CASE WHEN now.latest >= ${target} THEN 0 ELSE greatest(0, ceil(reached.training_episodes - now.episodes_so_far)) END AS episodes_needed,
       CASE WHEN now.latest >= ${target} THEN 0 ELSE reached.cumulative_cost_usd END AS projected_cost_usd,
       CASE WHEN now.latest >= ${target} THEN 'Already at the target: the latest rotation succeeded ' || printf('%.1f%%', 100 * now.latest) || '.'
            WHEN fit.points < 2 THEN 'Needs at least two deployment rotations after the first collection to fit a curve.'
            WHEN fit.b <= 0 THEN 'The fitted curve does not rise with more data (slope ' || printf('%.3f', fit.b) || '), so more of the same data is not projected to reach the target.'
            WHEN reached.rotation IS NULL THEN 'Not reached within ${int(f.maxProjectedRotations)} more rotations at the current pace.'
            ELSE 'Projected to reach ' || printf('%.0f%%', 100 * ${target}) || ' in ' || (reached.rotation - now.last_rotation) || ' more rotation(s), training on ~' ||
                 printf('%.0f', reached.training_episodes) || ' episodes, for about ' || printf('%.0f', reached.cumulative_cost_usd) || ' (fit R² ' || printf('%.2f', fit.r2) || ').' END AS note
FROM now, fit LEFT JOIN reached ON true`;
}

/**
 * SQL of `collection_comparison` (two rows, 'targeted' and 'uniform'): new_episodes, modes (mode-intervals
 * credited), success_points_gained and points_per_100_episodes, by the attribution described above.
 */
export function collectionComparisonSql(f: CostModelForm): string {
  assertValidCostModel(f);
  return `-- Targeted vs uniform collection: success points recovered per 100 new episodes (rough attribution, see the notes)
WITH ${episodesInput(f.columns, ['outcome', 'rotation'])},
${targetedAtSql(f.targeting)},
dep AS (SELECT * FROM ep WHERE deployed AND rot IS NOT NULL),
intervals AS (
  SELECT prev AS from_rot, rot AS to_rot
  FROM (SELECT rot, lag(rot) OVER (ORDER BY rot) AS prev FROM (SELECT DISTINCT rot FROM dep))
  WHERE prev IS NOT NULL
),
modes AS (SELECT DISTINCT mode FROM dep WHERE NOT ok AND mode IS NOT NULL),
rates AS (
  SELECT d.rot, m.mode, count(*) FILTER (WHERE NOT d.ok AND d.mode = m.mode) / count(*) AS rate
  FROM dep d, modes m GROUP BY d.rot, m.mode
),
-- Success points a mode gave back between two deployment rotations, and whether it had targeted demos in between
changes AS (
  SELECT i.from_rot, a.mode, 100 * (a.rate - b.rate) AS points,
         EXISTS (SELECT 1 FROM targeted_at t WHERE t.mode = a.mode AND t.rot >= i.from_rot AND t.rot < i.to_rot) AS was_targeted
  FROM intervals i JOIN rates a ON a.rot = i.from_rot JOIN rates b ON b.rot = i.to_rot AND b.mode = a.mode
),
new_data AS (
  SELECT count(*) FILTER (WHERE e.targeted) AS targeted_episodes, count(*) FILTER (WHERE NOT e.targeted AND e.ok) AS uniform_episodes
  FROM intervals i JOIN ep e ON e.rot >= i.from_rot AND e.rot < i.to_rot
)
SELECT 'targeted' AS collection, targeted_episodes AS new_episodes,
       (SELECT count(*) FROM changes WHERE was_targeted) AS modes,
       (SELECT coalesce(sum(points), 0) FROM changes WHERE was_targeted) AS success_points_gained,
       100 * (SELECT coalesce(sum(points), 0) FROM changes WHERE was_targeted) / nullif(targeted_episodes, 0) AS points_per_100_episodes
FROM new_data
UNION ALL
SELECT 'uniform', uniform_episodes,
       (SELECT count(*) FROM changes WHERE NOT was_targeted),
       (SELECT coalesce(sum(points), 0) FROM changes WHERE NOT was_targeted),
       100 * (SELECT coalesce(sum(points), 0) FROM changes WHERE NOT was_targeted) / nullif(uniform_episodes, 0)
FROM new_data`;
}

/** All four cost results, by result name, in run order. */
export function costModelSql(f: CostModelForm): { cost_ledger: string; cost_projection: string; cost_to_target: string; collection_comparison: string } {
  return { cost_ledger: costLedgerSql(f), cost_projection: costProjectionSql(f), cost_to_target: costToTargetSql(f), collection_comparison: collectionComparisonSql(f) };
}

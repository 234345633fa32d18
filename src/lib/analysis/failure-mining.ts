/**
 * Failure mining: which failure modes deployed policies have (`failure_pareto`), and which to work on next
 * (`failure_priority`: failure rate × fixability × impact, with per-mode weights inlined as a VALUES table so
 * editing a weight in the form, or in the SQL, changes the ranking). The priority comes with the counts it
 * rests on (failures of episodes) and a Wilson 95% interval on the rate, because "2 of 15" and "200 of 1,500"
 * give the same rate and should not look equally sure.
 *
 * Failures are deployment episodes (see columns.ts: an outcome and, when mapped, a policy) whose outcome is
 * not the success value. Failures without a category count as `(unlabelled)`, so they are seen, not lost.
 * Only the outcome column is required: without a policy or rotation column the Pareto has one group, 'all'.
 */
import { defaultColumns, episodesInput, rotationSource, validateColumns, type ColumnMap, type ColumnRole } from './columns.ts';
import { num, quoteIdent, quoteString, valuesCte, wilson, wilsonSql } from './sql.ts';
import { FormErrors } from './validate.ts';

/** Editable judgement about one failure mode. */
export interface ModeWeights {
  /** How likely the team can fix it (0..1). */
  fixability: number;
  /** How much a failure of this kind hurts (0..1): safety, damage, customer impact. */
  impact: number;
  /** Whether more or better data can fix it ("needs hardware" otherwise). */
  addressableByData: boolean;
}

/** The failure-mining form. */
export interface FailureMiningForm {
  columns: ColumnMap;
  /** The Pareto's grouping. Needs the matching column mapped. */
  groupBy: 'policy_version' | 'rotation';
  /**
   * Which deployments the priority counts: all of them (the default: every failure seen counts), only the
   * latest group's (what the current policy still gets wrong), or one chosen group's ({@link priorityGroup}).
   */
  priorityScope: 'all' | 'latest' | 'group';
  /** The policy version (or rotation) counted when `priorityScope` is 'group'. */
  priorityGroup?: string | null;
  modes: Record<string, ModeWeights>;
  /** Weights of modes the table above does not list. */
  otherModes: ModeWeights;
}

/**
 * Default weights for the common bin-picking failure modes (the demo's). Collision is the odd one out: it
 * comes from the hand not fitting next to the wall, so data barely helps (low fixability by data, marked
 * "needs hardware"), but it is a safety issue (full impact).
 */
export function defaultModeWeights(): Record<string, ModeWeights> {
  return {
    grasp_failure: { fixability: 0.8, impact: 0.7, addressableByData: true },
    placement_error: { fixability: 0.8, impact: 0.5, addressableByData: true },
    collision: { fixability: 0.2, impact: 1, addressableByData: false },
    timeout: { fixability: 0.7, impact: 0.3, addressableByData: true },
    recovery_failure: { fixability: 0.6, impact: 0.6, addressableByData: true },
    out_of_distribution: { fixability: 0.9, impact: 0.6, addressableByData: true },
  };
}

/** The default form (demo columns, grouped by policy version, priority over all deployments). */
export function defaultFailureMiningForm(): FailureMiningForm {
  return {
    columns: defaultColumns(),
    groupBy: 'policy_version',
    priorityScope: 'all',
    priorityGroup: null,
    modes: defaultModeWeights(),
    otherModes: { fixability: 0.5, impact: 0.5, addressableByData: true },
  };
}

function validateWeights(label: string, w: ModeWeights, errs: FormErrors): void {
  errs.number(`${label} fixability`, w?.fixability, 0, 1);
  errs.number(`${label} impact`, w?.impact, 0, 1);
  errs.boolean(`${label} addressableByData`, w?.addressableByData);
}

/** Problems with the form, as sentences (empty when it is valid). */
export function validateFailureMiningForm(f: FailureMiningForm): string[] {
  const errs = new FormErrors();
  validateColumns(f.columns, errs, ['outcome']);
  errs.check(f.groupBy !== 'policy_version' && f.groupBy !== 'rotation', 'groupBy must be "policy_version" or "rotation".');
  errs.check(f.priorityScope !== 'all' && f.priorityScope !== 'latest' && f.priorityScope !== 'group', 'priorityScope must be "all", "latest" or "group".');
  if (f.priorityGroup !== undefined && f.priorityGroup !== null) errs.text('priorityGroup', f.priorityGroup);
  errs.check(f.priorityScope === 'group' && !f.priorityGroup?.trim(), `Priority counts one ${f.groupBy === 'rotation' ? 'rotation' : 'policy version'}: name it (priorityGroup).`);
  if (typeof f.modes !== 'object' || f.modes === null) errs.check(true, 'modes must map failure modes to weights.');
  else for (const [mode, w] of Object.entries(f.modes)) {
    errs.text('A failure mode name', mode);
    validateWeights(`"${mode}"`, w, errs);
  }
  validateWeights('otherModes', f.otherModes, errs);
  return errs.errors;
}

/** Roles the SQL guards: the outcome, and the grouping column when one is mapped. */
function requiredRoles(f: FailureMiningForm): ColumnRole[] {
  const group: ColumnRole = f.groupBy === 'rotation' ? 'rotation' : 'policy';
  return ['outcome', group];
}

function assertValid(f: FailureMiningForm): void {
  const problems = validateFailureMiningForm(f);
  if (problems.length) throw new Error(`Invalid failure-mining form: ${problems.join(' ')}`);
}

/**
 * The grouping expression over `ep` and the expression that orders groups in time. Without the grouping
 * column (a dataset with outcomes only), all deployments form one group, 'all'.
 */
function grouping(f: FailureMiningForm): { value: string; order: string } {
  const rotation = rotationSource(f.columns) !== null;
  if (f.groupBy === 'rotation' ? !rotation : f.columns.policyColumn === null) return { value: `'all'::VARCHAR`, order: 'min(episode_index)' };
  if (f.groupBy === 'rotation') return { value: 'rot', order: 'min(rot)' };
  // A policy's place in time: its first rotation, else its first episode.
  return { value: 'policy', order: rotation ? 'min(rot)' : 'min(episode_index)' };
}

/**
 * SQL of `failure_pareto`: per group (policy version or rotation) and failure mode, the failures, the
 * group's deployments, the mode's share of the group's failures, the cumulative share in Pareto order
 * (most frequent first) and its rank. Columns: `<groupBy>, group_order, failure_mode, failures, episodes,
 * failure_rate, share, cumulative_share, rank`.
 */
export function failureParetoSql(f: FailureMiningForm): string {
  assertValid(f);
  const g = grouping(f);
  const out = quoteIdent(f.groupBy);
  return `-- Failure-mode Pareto per ${f.groupBy === 'rotation' ? 'rotation' : 'policy version'}: most frequent modes first, with the cumulative share
WITH ${episodesInput(f.columns, requiredRoles(f))},
groups AS (
  SELECT ${g.value} AS grp, ${g.order} AS group_order, count(*) AS episodes
  FROM ep WHERE deployed AND ${g.value} IS NOT NULL GROUP BY ${g.value}
),
counted AS (
  SELECT ${g.value} AS grp, coalesce(mode, '(unlabelled)') AS failure_mode, count(*) AS failures
  FROM ep WHERE deployed AND NOT ok AND ${g.value} IS NOT NULL GROUP BY ALL
)
SELECT grp AS ${out}, dense_rank() OVER (ORDER BY group_order, grp) AS group_order, failure_mode, failures, episodes,
       failures / episodes AS failure_rate,
       failures / sum(failures) OVER w AS share,
       sum(failures) OVER (w ORDER BY failures DESC, failure_mode ROWS UNBOUNDED PRECEDING) / sum(failures) OVER w AS cumulative_share,
       row_number() OVER (w ORDER BY failures DESC, failure_mode) AS rank
FROM counted JOIN groups USING (grp)
WINDOW w AS (PARTITION BY grp)
ORDER BY group_order, rank`;
}

/** What a priority of 1.0 means, and how to read one (the notebook's Markdown and the form's help say it). */
export const PRIORITY_SCALE =
  'each factor is between 0 and 1, so 1.0 would mean every episode in scope fails in this mode, ' +
  'the team is sure it can fix it and it does the most harm there is; 0.05 is, for instance, a 10% failure rate at fixability 0.5 and impact 1. ' +
  'Only the order matters: equal weights rank the mode with more failures first.';

/** The deployments the priority counts, as a `scope` CTE over `ep`. */
function scopeCte(f: FailureMiningForm, g: { value: string; order: string }): string {
  const label = f.groupBy === 'rotation' ? 'rotation' : 'policy version';
  if (f.priorityScope === 'latest') {
    return `-- Only the latest ${label}: what the current policy still gets wrong
scope AS (
  SELECT * FROM ep WHERE deployed AND ${g.value} = (
    SELECT ${g.value} FROM ep WHERE deployed AND ${g.value} IS NOT NULL GROUP BY ${g.value} ORDER BY ${g.order} DESC, ${g.value} DESC LIMIT 1)
)`;
  }
  if (f.priorityScope === 'group') {
    return `-- Only ${label} ${f.priorityGroup}
scope AS (SELECT * FROM ep WHERE deployed AND CAST(${g.value} AS VARCHAR) = ${quoteString(String(f.priorityGroup).trim())})`;
  }
  return '-- Every deployment: each failure seen counts\nscope AS (SELECT * FROM ep WHERE deployed)';
}

/**
 * SQL of `failure_priority`: per failure mode, `failures` of `episodes` (the deployments in scope),
 * `priority` = failure_rate × fixability × impact (see {@link PRIORITY_SCALE}) with its interval
 * (`priority_low`, `priority_high`: the rate's scaled by the weights), `failure_rate` = failures ÷ episodes
 * with its Wilson 95% interval `rate_low`…`rate_high`, `fixability`, `impact`, `rank` (1 = work on it first; ties by more failures,
 * then name), `fix_route` ('addressable by data' | 'needs hardware') and `addressable_by_data`. Modes that
 * have weights but no failures in scope are listed with rate 0, so a fixed mode stays visible.
 */
export function failurePrioritySql(f: FailureMiningForm): string {
  assertValid(f);
  const g = grouping(f);
  const weights = valuesCte(
    'weights',
    [
      { name: 'failure_mode', type: 'VARCHAR' },
      { name: 'fixability', type: 'DOUBLE' },
      { name: 'impact', type: 'DOUBLE' },
      { name: 'addressable_by_data', type: 'BOOLEAN' },
    ],
    Object.entries(f.modes).map(([m, w]) => [m, w.fixability, w.impact, w.addressableByData]),
  );
  const wilson = wilsonSql('failures', 'episodes');
  return `-- Failure-mode priority = failure rate × fixability × impact (1.0: every episode in scope fails this way, surely fixable, worst harm).
-- Edit a weight below (or in the form) to re-rank. rate_low…rate_high: Wilson 95% interval of the failure rate.
WITH ${episodesInput(f.columns, requiredRoles(f))},
${weights},
${scopeCte(f, g)},
counted AS (SELECT coalesce(mode, '(unlabelled)') AS failure_mode, count(*) AS failures FROM scope WHERE NOT ok GROUP BY ALL),
modes AS (SELECT failure_mode FROM counted UNION SELECT failure_mode FROM weights),
scored AS (
  SELECT m.failure_mode,
         coalesce(c.failures, 0) AS failures,
         (SELECT count(*) FROM scope) AS episodes,
         coalesce(w.fixability, ${num(f.otherModes.fixability)}) AS fixability,
         coalesce(w.impact, ${num(f.otherModes.impact)}) AS impact,
         coalesce(w.addressable_by_data, ${f.otherModes.addressableByData}) AS addressable_by_data
  FROM modes m LEFT JOIN counted c USING (failure_mode) LEFT JOIN weights w USING (failure_mode)
),
rated AS (
  SELECT *, CASE WHEN episodes > 0 THEN failures / episodes END AS failure_rate,
         ${wilson.low} AS rate_low,
         ${wilson.high} AS rate_high
  FROM scored
)
-- The counts first and the priority beside them: "2 of 15" says how sure a rate is, the interval says it in numbers.
SELECT failure_mode, failures, episodes,
       coalesce(failure_rate, 0) * fixability * impact AS priority,
       rate_low * fixability * impact AS priority_low,
       rate_high * fixability * impact AS priority_high,
       failure_rate, rate_low, rate_high, fixability, impact,
       row_number() OVER (ORDER BY coalesce(failure_rate, 0) * fixability * impact DESC, failures DESC, failure_mode) AS rank,
       CASE WHEN addressable_by_data THEN 'addressable by data' ELSE 'needs hardware' END AS fix_route,
       addressable_by_data
FROM rated
ORDER BY rank`;
}

/** One row of {@link prioritize}, as in `failure_priority`. */
export interface PriorityRow {
  failure_mode: string;
  failures: number;
  episodes: number;
  failure_rate: number;
  rate_low: number;
  rate_high: number;
  fixability: number;
  impact: number;
  priority: number;
  rank: number;
  addressable_by_data: boolean;
}

/**
 * The `failure_priority` ranking in TS, from failure counts per mode and the number of deployments in
 * scope: lets a form re-rank live while the user drags a weight, and lets tests cross-check the SQL.
 */
export function prioritize(failures: Record<string, number>, deployments: number, f: Pick<FailureMiningForm, 'modes' | 'otherModes'>): PriorityRow[] {
  const modes = [...new Set([...Object.keys(failures), ...Object.keys(f.modes)])];
  const rows = modes.map((m) => {
    const w = f.modes[m] ?? f.otherModes;
    const n = failures[m] ?? 0;
    const rate = deployments > 0 ? n / deployments : 0;
    const [low, high] = wilson(n, deployments) ?? [0, 0];
    return {
      failure_mode: m, failures: n, episodes: deployments, failure_rate: rate, rate_low: low, rate_high: high,
      fixability: w.fixability, impact: w.impact, priority: rate * w.fixability * w.impact, rank: 0, addressable_by_data: w.addressableByData,
    };
  });
  // Same order as the SQL: priority descending, then more failures, then mode name (byte order, like DuckDB's VARCHAR sort).
  rows.sort((a, b) => b.priority - a.priority || b.failures - a.failures || (a.failure_mode < b.failure_mode ? -1 : a.failure_mode > b.failure_mode ? 1 : 0));
  rows.forEach((r, i) => (r.rank = i + 1));
  return rows;
}

/** Both failure-mining results, by result name. */
export function failureMiningSql(f: FailureMiningForm): { failure_pareto: string; failure_priority: string } {
  return { failure_pareto: failureParetoSql(f), failure_priority: failurePrioritySql(f) };
}

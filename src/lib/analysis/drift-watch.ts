/**
 * Hardware-drift watch: in calibration episodes the arm holds reference poses, so the measured joint positions
 * should equal the commanded ones. Per calibration episode and joint the error is the median of measured −
 * commanded over its frames (a median, because the arm spends most of a calibration holding still and the
 * moments in between lag by design); per week the errors are averaged, compared with a tolerance (0.5° by
 * default), and the first week out of tolerance is flagged. Deployments recorded from that week on are the
 * ones whose failures may be the hardware's, not the data's.
 */
import { int, num, quoteIdent } from './sql.ts';
import { FormErrors } from './validate.ts';

/** The drift-watch form. */
export interface DriftWatchForm {
  episodesTable: string;
  framesTable: string;
  /** Which episodes are calibrations (SQL condition over the episodes table). */
  calibration: string;
  /** The episode's recording time (a column of the episodes table). */
  timestampColumn: string;
  commandedColumn: string;
  measuredColumn: string;
  /** How many leading elements are joints compared. */
  jointCount: number;
  /** Joint names for the result, in order (empty: joint_1, joint_2, …). */
  jointNames: string[];
  /** Units of the joint values: radians are shown in degrees. */
  unit: 'rad' | 'deg';
  toleranceDeg: number;
  /** Which episodes count as deployments (SQL condition over the episodes table). */
  deployments: string;
}

/** Defaults for the demo (Franka joints in radians; calibrations tagged `calibration`). */
export function defaultDriftWatchForm(): DriftWatchForm {
  return {
    episodesTable: 'episodes',
    framesTable: 'frames',
    calibration: `coalesce("tags", '') LIKE '%calibration%'`,
    timestampColumn: 'timestamp',
    commandedColumn: 'action',
    measuredColumn: 'observation.state',
    jointCount: 7,
    jointNames: ['panda_joint1', 'panda_joint2', 'panda_joint3', 'panda_joint4', 'panda_joint5', 'panda_joint6', 'panda_joint7'],
    unit: 'rad',
    toleranceDeg: 0.5,
    deployments: `"policy_version" IS NOT NULL`,
  };
}

/** Problems with the form, as sentences. */
export function validateDriftWatchForm(f: DriftWatchForm): string[] {
  const e = new FormErrors();
  for (const k of ['episodesTable', 'framesTable', 'timestampColumn', 'commandedColumn', 'measuredColumn'] as const) e.text(k, f[k]);
  for (const k of ['calibration', 'deployments'] as const) {
    e.text(`${k} condition`, f[k], 2000);
    e.check(typeof f[k] === 'string' && f[k].includes(';'), `The ${k} condition must not contain ";".`);
  }
  e.integer('jointCount', f.jointCount, 1, 1000);
  e.check(!Array.isArray(f.jointNames) || f.jointNames.some((n) => typeof n !== 'string' || n.length > 200), 'jointNames must be a list of names.');
  e.check(f.unit !== 'rad' && f.unit !== 'deg', 'unit must be "rad" or "deg".');
  e.number('toleranceDeg', f.toleranceDeg, 0, 360, { min: true });
  return e.errors;
}

function assertValid(f: DriftWatchForm): void {
  const p = validateDriftWatchForm(f);
  if (p.length) throw new Error(`Invalid drift-watch form: ${p.join(' ')}`);
}

/** SQL of `drift_by_week(week, joint, error_deg, calibrations, out_of_tolerance, tolerance_deg)`. */
export function driftByWeekSql(f: DriftWatchForm): string {
  assertValid(f);
  const J = int(f.jointCount);
  const toDeg = f.unit === 'rad' ? ' * 180 / pi()' : '';
  const names = `[${Array.from({ length: f.jointCount }, (_, i) => `'${(f.jointNames[i] ?? `joint_${i + 1}`).replaceAll("'", "''")}'`).join(', ')}]`;
  const ts = quoteIdent(f.timestampColumn);
  return `-- Calibration error per joint and week: median of measured − commanded, in degrees, against the tolerance
WITH cal AS (
  SELECT episode_index, CAST(${ts} AS TIMESTAMP) AS recorded FROM ${quoteIdent(f.episodesTable)} WHERE (${f.calibration})
),
errors AS (
  SELECT fr.episode_index, r.i AS joint_index, median((fr.${quoteIdent(f.measuredColumn)}[r.i] - fr.${quoteIdent(f.commandedColumn)}[r.i])${toDeg}) AS error_deg
  FROM ${quoteIdent(f.framesTable)} fr, range(1, ${J} + 1) r(i)
  WHERE fr.episode_index IN (SELECT episode_index FROM cal)
  GROUP BY ALL
)
SELECT date_trunc('week', c.recorded)::DATE AS week, (${names})[e.joint_index] AS joint, e.joint_index,
       avg(e.error_deg) AS error_deg, count(*) AS calibrations,
       abs(avg(e.error_deg)) > ${num(f.toleranceDeg)} AS out_of_tolerance, ${num(f.toleranceDeg)} AS tolerance_deg
FROM errors e JOIN cal c USING (episode_index)
GROUP BY ALL
ORDER BY week, joint_index`;
}

/**
 * SQL of `drift_flag`: the first week any joint is out of tolerance (NULL when none), the joints out then, and the
 * deployments recorded from that week on (`deployments_after`, with their episode indexes).
 */
export function driftFlagSql(f: DriftWatchForm, byWeek = 'drift_by_week'): string {
  assertValid(f);
  const ts = quoteIdent(f.timestampColumn);
  return `-- The first week out of tolerance, and the deployments recorded since (their failures may be the hardware's)
WITH first AS (SELECT min(week) AS week FROM ${quoteIdent(byWeek)} WHERE out_of_tolerance)
SELECT f.week AS first_week_out_of_tolerance,
       (SELECT list(joint ORDER BY joint_index) FROM ${quoteIdent(byWeek)} b WHERE b.week = f.week AND b.out_of_tolerance) AS joints,
       (SELECT max(abs(error_deg)) FROM ${quoteIdent(byWeek)} b WHERE b.week = f.week) AS worst_error_deg,
       count(e.episode_index) AS deployments_after,
       list(e.episode_index ORDER BY e.episode_index) AS deployment_episodes
FROM first f
LEFT JOIN ${quoteIdent(f.episodesTable)} e ON f.week IS NOT NULL AND (${f.deployments}) AND CAST(e.${ts} AS TIMESTAMP) >= f.week
GROUP BY f.week`;
}

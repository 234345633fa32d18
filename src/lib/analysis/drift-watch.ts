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
  /** The episode's recording time (a column of the episodes table); null when the data have none (the capability check then says to add one). */
  timestampColumn: string | null;
  commandedColumn: string;
  measuredColumn: string;
  /** How many leading elements are joints compared. */
  jointCount: number;
  /** Joint names for the result, in order (empty: joint_1, joint_2, …). */
  jointNames: string[];
  /**
   * Units of the joint values (radians are shown in degrees). `auto` reads them from the data: joint values
   * beyond ±2π (plus a margin) can only be degrees, else radians; the result's `unit` says which was used.
   */
  unit: DriftUnit;
  toleranceDeg: number;
  /** Which episodes count as deployments (SQL condition over the episodes table). */
  deployments: string;
}

/** Units a drift-watch form can name. */
export type DriftUnit = 'rad' | 'deg' | 'auto';

/** Largest joint value (in magnitude) still read as radians by `auto`: 2π plus a margin for wrapped joints. */
export const MAX_RADIANS = 7;

/**
 * The unit a feature's `names` in info.json state, if any (`shoulder_pan.pos_deg`, `joint1 (rad)`): `deg` or
 * `rad` when every name that mentions a unit agrees, else null (most datasets name no unit at all).
 */
export function unitFromNames(names: readonly string[]): 'rad' | 'deg' | null {
  const found = new Set<'rad' | 'deg'>();
  for (const n of names) {
    const t = n.toLowerCase();
    if (/(^|[^a-z])(deg|degs|degree|degrees)([^a-z]|$)/.test(t)) found.add('deg');
    if (/(^|[^a-z])(rad|rads|radian|radians)([^a-z]|$)/.test(t)) found.add('rad');
  }
  return found.size === 1 ? [...found][0] : null;
}

/** Defaults for the demo's columns (calibrations tagged `calibration`); the unit is read from the data. */
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
    unit: 'auto',
    toleranceDeg: 0.5,
    deployments: `"policy_version" IS NOT NULL`,
  };
}

/** Problems with the form, as sentences. */
export function validateDriftWatchForm(f: DriftWatchForm): string[] {
  const e = new FormErrors();
  for (const k of ['episodesTable', 'framesTable', 'commandedColumn', 'measuredColumn'] as const) e.text(k, f[k]);
  if (f.timestampColumn !== null) e.text('timestampColumn', f.timestampColumn);
  for (const k of ['calibration', 'deployments'] as const) {
    e.text(`${k} condition`, f[k], 2000);
    e.check(typeof f[k] === 'string' && f[k].includes(';'), `The ${k} condition must not contain ";".`);
  }
  e.integer('jointCount', f.jointCount, 1, 1000);
  e.check(!Array.isArray(f.jointNames) || f.jointNames.some((n) => typeof n !== 'string' || n.length > 200), 'jointNames must be a list of names.');
  e.check(f.unit !== 'rad' && f.unit !== 'deg' && f.unit !== 'auto', 'unit must be "rad", "deg" or "auto".');
  e.number('toleranceDeg', f.toleranceDeg, 0, 360, { min: true });
  return e.errors;
}

function assertValid(f: DriftWatchForm): void {
  const p = validateDriftWatchForm(f);
  if (p.length) throw new Error(`Invalid drift-watch form: ${p.join(' ')}`);
}

/**
 * SQL of `drift_by_week(week, joint, joint_index, error_deg, calibrations, out_of_tolerance, tolerance_deg, unit)`;
 * `unit` says which unit the joint values were read in and why (the form, or the data on `auto`).
 */
export function driftByWeekSql(f: DriftWatchForm): string {
  assertValid(f);
  const J = int(f.jointCount);
  const names = `[${Array.from({ length: f.jointCount }, (_, i) => `'${(f.jointNames[i] ?? `joint_${i + 1}`).replaceAll("'", "''")}'`).join(', ')}]`;
  const ts = f.timestampColumn === null ? 'NULL' : quoteIdent(f.timestampColumn);
  const measured = `fr.${quoteIdent(f.measuredColumn)}`;
  const commanded = `fr.${quoteIdent(f.commandedColumn)}`;
  const unit =
    f.unit === 'auto'
      ? `SELECT CASE WHEN max(greatest(abs(${measured}[r.i]), abs(${commanded}[r.i]))) > ${MAX_RADIANS} THEN 'deg' ELSE 'rad' END AS unit,
         CASE WHEN max(greatest(abs(${measured}[r.i]), abs(${commanded}[r.i]))) > ${MAX_RADIANS} THEN printf('degrees (read from the data: joint values up to %.1f, beyond ±2π)', max(greatest(abs(${measured}[r.i]), abs(${commanded}[r.i]))))
              ELSE printf('radians (read from the data: every joint value within ±%.2f)', coalesce(max(greatest(abs(${measured}[r.i]), abs(${commanded}[r.i]))), 0)) END AS said
  FROM ${quoteIdent(f.framesTable)} fr, range(1, ${J} + 1) r(i) WHERE fr.episode_index IN (SELECT episode_index FROM cal)`
      : `SELECT '${f.unit}' AS unit, '${f.unit === 'rad' ? 'radians' : 'degrees'} (set in the form)' AS said`;
  return `-- Calibration error per joint and week: median of measured − commanded, in degrees, against the tolerance
WITH cal AS (
  SELECT episode_index, CAST(${ts} AS TIMESTAMP) AS recorded FROM ${quoteIdent(f.episodesTable)} WHERE (${f.calibration})
),
units AS (
  ${unit}
),
errors AS (
  SELECT fr.episode_index, r.i AS joint_index,
         median(${measured}[r.i] - ${commanded}[r.i]) * CASE WHEN (SELECT unit FROM units) = 'rad' THEN 180 / pi() ELSE 1 END AS error_deg
  FROM ${quoteIdent(f.framesTable)} fr, range(1, ${J} + 1) r(i)
  WHERE fr.episode_index IN (SELECT episode_index FROM cal)
  GROUP BY ALL
)
SELECT date_trunc('week', c.recorded)::DATE AS week, (${names})[e.joint_index] AS joint, e.joint_index,
       avg(e.error_deg) AS error_deg, count(*) AS calibrations,
       abs(avg(e.error_deg)) > ${num(f.toleranceDeg)} AS out_of_tolerance, ${num(f.toleranceDeg)} AS tolerance_deg,
       (SELECT said FROM units) AS unit
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
  const ts = f.timestampColumn === null ? 'NULL' : quoteIdent(f.timestampColumn);
  return `-- The first week out of tolerance, and the deployments recorded since (their failures may be the hardware's)
WITH first AS (SELECT min(week) AS week FROM ${quoteIdent(byWeek)} WHERE out_of_tolerance)
SELECT f.week AS first_week_out_of_tolerance,
       (SELECT list(joint ORDER BY joint_index) FROM ${quoteIdent(byWeek)} b WHERE b.week = f.week AND b.out_of_tolerance) AS joints,
       (SELECT max(abs(error_deg)) FROM ${quoteIdent(byWeek)} b WHERE b.week = f.week) AS worst_error_deg,
       count(e.episode_index) AS deployments_after,
       list(e.episode_index ORDER BY e.episode_index) AS deployment_episodes
FROM first f
LEFT JOIN ${quoteIdent(f.episodesTable)} e ON f.week IS NOT NULL AND (${f.deployments}) AND CAST(${f.timestampColumn === null ? 'NULL' : `e.${ts}`} AS TIMESTAMP) >= f.week
GROUP BY f.week`;
}

/**
 * Demo quality gate: per-episode checks over the frames of demonstrations, each explained on the episode, so a
 * reviewer can accept or reject it before it enters training (rejections are annotations: `episodes.gate`).
 *
 * Checks (thresholds in the form, so a shared notebook reproduces the same verdicts):
 * - `hesitation`: joint speed (Euclidean norm of the arm joints' velocity) below a threshold for longer than N s;
 * - `re_approach`: the gripper closes, opens and closes again (a failed grasp retried) — recovery demos, which
 *   show a re-grasp on purpose, are exempt through an editable condition;
 * - `incomplete`: shorter than a fraction of the median length of gated episodes of the same task, or (when a goal
 *   condition is given) the last frame is outside it;
 * - `implausible_value`: a joint value further than k standard deviations from the gated frames' mean;
 * - `velocity_spike`: a joint moving faster than a limit between two frames;
 * - `timestamps`: time going backwards or a gap longer than a factor × the median frame interval;
 * - `frozen_frames`: the same state repeated exactly over N or more frames.
 * One row per gated episode and check (`flagged`, where `at_s`, the measured `value`, the `threshold`, a sentence).
 *
 * Scale (`scale`): datasets record joints in radians, degrees or raw servo ticks, at 10 to 50 fps, so a speed in
 * "units per second" that suits one robot flags every episode of another (a teleop arm in degrees moves at
 * hundreds of units per second). On the `data` scale (the default) the motion checks measure each joint in its
 * usual step over the gated demos (a spike is a jump out and straight back), the still threshold is a fraction of the demos' median speed, the
 * gripper's closed level is the middle of its observed range and the frozen-run limit grows when the sensor
 * repeats values exactly while still; each explanation names the scale it used. The `units` scale keeps the
 * absolute thresholds (state units per second) and is what a form without `scale` (shared before it existed) means.
 */
import { int, num, quoteIdent, quoteString } from './sql.ts';
import { FormErrors } from './validate.ts';

/** The quality-gate form. */
export interface QualityGateForm {
  /** One row per episode (needs `episode_index`, `length`, `task`). */
  episodesTable: string;
  /** Per-frame table (needs `episode_index`, `frame_index`, `timestamp` and the state column). */
  framesTable: string;
  /** Which episodes are demonstrations to gate (a SQL condition over the episodes table). */
  gate: string;
  /** The per-frame state vector. */
  stateColumn: string;
  /** How many leading elements of the state are arm joints (motion and outlier checks use these). */
  jointCount: number;
  /** 1-based position of the gripper width in the state; null: no gripper checks. */
  gripperIndex: number | null;
  /** Gripper position below which it counts as closed; null: the middle of its 5th–95th percentile range over the gated demos. */
  gripperClosedBelow: number | null;
  /** Episodes the re-approach check leaves alone (demos that re-grasp on purpose). */
  reApproachExempt: string;
  hesitationSpeed: number;
  hesitationSeconds: number;
  /** Flag episodes shorter than this × the median length of their task's gated episodes. */
  earlyEndFraction: number;
  /** Optional SQL condition over the last frame (`s` is the state vector) that a finished task satisfies. */
  goalCondition: string | null;
  outlierStd: number;
  /** Joint speed limit, units of the state per second (the `units` scale). */
  spikeSpeed: number;
  gapFactor: number;
  frozenFrames: number;
  /**
   * How motion thresholds are measured: `data` relative to the gated demos' own spread and speed (works in any
   * unit and frame rate), `units` in the state's units per second (`hesitationSpeed`, `spikeSpeed`). Absent (a
   * form shared before this field existed): `units`.
   */
  scale?: QualityScale;
  /** Data scale: still below this fraction of the gated demos' median joint speed. */
  stillFraction?: number;
  /**
   * Data scale: a velocity spike is one joint jumping and coming straight back (in consecutive frames) by more
   * than this many times its usual fastest step (its 99th-percentile one-frame step over the gated demos).
   */
  spikeFactor?: number;
}

/** How a quality-gate form's motion thresholds are measured (see {@link QualityGateForm.scale}). */
export type QualityScale = 'data' | 'units';

/** Defaults of the data-scale fields (also what a form without them means on that scale). */
export const DATA_SCALE_DEFAULTS = { stillFraction: 0.15, spikeFactor: 3 } as const;

/**
 * Defaults (the demo's columns: Franka joints at the start of the state, gripper at position 8). Thresholds
 * are on the data scale, so they hold in any unit and frame rate.
 */
export function defaultQualityGateForm(): QualityGateForm {
  return {
    episodesTable: 'episodes',
    framesTable: 'frames',
    gate: `"policy_version" IS NULL AND coalesce("tags", '') NOT LIKE '%calibration%'`,
    stateColumn: 'observation.state',
    jointCount: 7,
    gripperIndex: 8,
    gripperClosedBelow: null,
    reApproachExempt: `coalesce("notes", '') ILIKE '%recovery%'`,
    hesitationSpeed: 0.05,
    hesitationSeconds: 2,
    earlyEndFraction: 0.6,
    goalCondition: null,
    outlierStd: 6,
    spikeSpeed: 10,
    gapFactor: 1.5,
    frozenFrames: 8,
    scale: 'data',
    stillFraction: DATA_SCALE_DEFAULTS.stillFraction,
    spikeFactor: DATA_SCALE_DEFAULTS.spikeFactor,
  };
}

/** The checks, in the order the result lists them. */
export const QUALITY_CHECKS = ['hesitation', 're_approach', 'incomplete', 'implausible_value', 'velocity_spike', 'timestamps', 'frozen_frames'] as const;

/** Problems with the form, as sentences. */
export function validateQualityGateForm(f: QualityGateForm): string[] {
  const e = new FormErrors();
  for (const k of ['episodesTable', 'framesTable', 'stateColumn'] as const) e.text(k, f[k]);
  for (const k of ['gate', 'reApproachExempt'] as const) {
    e.text(`${k} condition`, f[k], 2000);
    e.check(typeof f[k] === 'string' && f[k].includes(';'), `The ${k} condition must not contain ";".`);
  }
  if (f.goalCondition !== null) {
    e.text('goal condition', f.goalCondition, 2000);
    e.check(typeof f.goalCondition === 'string' && f.goalCondition.includes(';'), 'The goal condition must not contain ";".');
  }
  e.integer('jointCount', f.jointCount, 1, 1000);
  if (f.gripperIndex !== null) e.integer('gripperIndex', f.gripperIndex, 1, 1000);
  if (f.gripperClosedBelow !== null) e.number('gripperClosedBelow', f.gripperClosedBelow, -1e9, 1e9);
  e.check(f.scale !== undefined && f.scale !== 'data' && f.scale !== 'units', 'scale must be "data" or "units".');
  if (f.stillFraction !== undefined) e.number('stillFraction', f.stillFraction, 0, 10, { min: true });
  if (f.spikeFactor !== undefined) e.number('spikeFactor', f.spikeFactor, 0, 1e6, { min: true });
  e.number('hesitationSpeed', f.hesitationSpeed, 0, 1e6);
  e.number('hesitationSeconds', f.hesitationSeconds, 0, 3600, { min: true });
  e.number('earlyEndFraction', f.earlyEndFraction, 0, 1);
  e.number('outlierStd', f.outlierStd, 0, 1e6, { min: true });
  e.number('spikeSpeed', f.spikeSpeed, 0, 1e9, { min: true });
  e.number('gapFactor', f.gapFactor, 1, 1e6, { min: true });
  e.integer('frozenFrames', f.frozenFrames, 2, 1e6);
  return e.errors;
}

/** SQL of `quality_checks(episode_index, check, flagged, at_s, value, threshold, explanation)`. */
export function qualityChecksSql(f: QualityGateForm): string {
  const problems = validateQualityGateForm(f);
  if (problems.length) throw new Error(`Invalid quality-gate form: ${problems.join(' ')}`);
  const data = (f.scale ?? 'units') === 'data';
  const J = int(f.jointCount);
  const s = quoteIdent(f.stateColumn);
  const g = f.gripperIndex === null ? null : int(f.gripperIndex);
  const closedBelow = f.gripperClosedBelow === null ? '(SELECT closed_below FROM grip)' : num(f.gripperClosedBelow);
  const closed = g === null ? 'false' : `s[${g}] < ${closedBelow}`;
  const goal = f.goalCondition === null ? 'true' : `(${f.goalCondition})`;
  const stillFraction = f.stillFraction ?? DATA_SCALE_DEFAULTS.stillFraction;
  const spikeFactor = f.spikeFactor ?? DATA_SCALE_DEFAULTS.spikeFactor;
  // Per-joint step. Units scale: speed in state units per second. Data scale: a one-frame excursion that comes
  // straight back (an encoder glitch; a fast reach or a hand snapping shut does not reverse in the next frame),
  // as a multiple of that joint's usual fastest step, so degrees, radians and ticks at any frame rate compare.
  const step = (i: string) =>
    data
      ? `CASE WHEN (s[${i}] - prev[${i}]) * (next[${i}] - s[${i}]) < 0 THEN coalesce(least(abs(s[${i}] - prev[${i}]), abs(next[${i}] - s[${i}])) / sp.sd[${i}], 0) ELSE 0 END`
      : `abs(s[${i}] - prev[${i}]) / rate.dt0`;
  const still = data ? `(SELECT limit_speed FROM still_limit)` : num(f.hesitationSpeed);
  const spikeLimit = data ? num(spikeFactor) : num(f.spikeSpeed);
  const frozenLimit = data ? '(SELECT n FROM frozen_limit)' : int(f.frozenFrames);
  const stillText = data
    ? `printf('Joints nearly still (below %g × the gated demos'' median speed, %.3g state units per second) for %.1f s from %.1f s; more than %g s reads as operator hesitation.', ${num(stillFraction)}, ${still}, coalesce(h.value, 0), coalesce(h.at_s, 0), ${num(f.hesitationSeconds)})`
    : `printf('Joints nearly still (speed < %g state units per second) for %.1f s from %.1f s; more than %g s reads as operator hesitation.', ${num(f.hesitationSpeed)}, coalesce(h.value, 0), coalesce(h.at_s, 0), ${num(f.hesitationSeconds)})`;
  const spikeText = data
    ? `CASE WHEN coalesce(sp_j.value, 0) > 0 THEN printf('Joint %d jumped %.3g and straight back at %.2f s: %.1f × its usual fastest one-frame step (99th percentile over the gated demos, %.3g); limit %g.', sp_j.joint, sp_j.raw, coalesce(sp_j.at_s, 0), sp_j.value, sp_j.sd, ${spikeLimit}) ELSE 'No joint jumps out and straight back in one frame.' END`
    : `printf('Fastest joint step %.2f state units per second at %.2f s (limit %g).', coalesce(sp_j.value, 0), coalesce(sp_j.at_s, 0), ${spikeLimit})`;
  const frozenText = data
    ? `printf('%d identical frames in a row%s (limit %d: %s).', coalesce(fr.value, 1), CASE WHEN fr.value IS NOT NULL THEN printf(' from %.2f s', fr.at_s) ELSE '' END, ${frozenLimit}, CASE WHEN ${frozenLimit} > ${int(f.frozenFrames)} THEN 'these demos repeat values exactly while still, so twice their typical longest repeat' ELSE 'the form''s minimum' END)`
    : `printf('%d identical frames in a row%s (limit %d).', coalesce(fr.value, 1), CASE WHEN fr.value IS NOT NULL THEN printf(' from %.2f s', fr.at_s) ELSE '' END, ${frozenLimit})`;
  const closedText = g === null ? '' : f.gripperClosedBelow === null ? `, closed below %.3g: the middle of its observed range` : '';
  return `-- Demo quality gate: one row per gated episode and check; "flagged" episodes need a reviewer's verdict
-- Scale: ${data ? 'data (speeds relative to the gated demos\' median, jumps relative to each joint\'s usual fastest step)' : 'units (thresholds in the state\'s units per second)'}
WITH gated AS (
  SELECT episode_index, length, task, (${f.reApproachExempt}) AS exempt FROM ${quoteIdent(f.episodesTable)} WHERE (${f.gate})
),
f AS (
  SELECT episode_index, frame_index, timestamp::DOUBLE AS t, ${s} AS s
  FROM ${quoteIdent(f.framesTable)} WHERE episode_index IN (SELECT episode_index FROM gated)
),${g !== null && f.gripperClosedBelow === null ? `
grip AS (SELECT (quantile_cont(s[${g}], 0.05) + quantile_cont(s[${g}], 0.95)) / 2 AS closed_below FROM f),` : ''}
d AS (
  SELECT *, t - lag(t) OVER w AS dt, lag(s) OVER w AS prev, lead(s) OVER w AS next, lag(${closed}) OVER w AS was_closed, ${closed} AS is_closed
  FROM f WINDOW w AS (PARTITION BY episode_index ORDER BY frame_index)
),
rate AS (SELECT median(dt) AS dt0 FROM d WHERE dt > 0),
moments AS (SELECT r.i, avg(f.s[r.i]) AS mean, stddev_pop(f.s[r.i]) AS sd FROM f, range(1, ${J} + 1) r(i) GROUP BY ALL),
${data ? `-- Each joint's usual fastest step: its 99th-percentile one-frame step over the gated demos, at least a tenth of
-- its standard deviation (a joint that rarely moves would otherwise make one tick of jitter a spike)
step_q AS (SELECT r.i, quantile_cont(abs(d.s[r.i] - d.prev[r.i]), 0.99) AS q99 FROM d, range(1, ${J} + 1) r(i) WHERE d.prev IS NOT NULL GROUP BY ALL),
sp AS (SELECT list(nullif(greatest(q.q99, 0.1 * mo.sd), 0) ORDER BY mo.i) AS sd FROM moments mo JOIN step_q q USING (i)),` : `sp AS (SELECT NULL::DOUBLE[] AS sd),`}
m AS (
  SELECT d.*,
         sqrt(list_sum(list_transform(range(1, ${J} + 1), i -> (s[i] - prev[i]) ^ 2))) / (SELECT dt0 FROM rate) AS speed,
         list_transform(range(1, ${J} + 1), i -> ${step('i')}) AS steps,
         s = prev AS same
  FROM d, sp, rate
),${data ? `
still_limit AS (SELECT ${num(stillFraction)} * median(speed) AS limit_speed FROM m WHERE prev IS NOT NULL),` : ''}
-- Gaps and islands: consecutive still frames share an island id
still AS (
  SELECT episode_index, t, speed < ${still} AS low,
         sum(CASE WHEN speed < ${still} THEN 0 ELSE 1 END) OVER (PARTITION BY episode_index ORDER BY frame_index) AS island
  FROM m WHERE prev IS NOT NULL
),
-- Ties (two equally long stills, equal speeds) go to the earliest time ([value, -t] orders by value, then
-- earlier first), so every engine and thread count names the same moment.
hesitation AS (
  SELECT episode_index, max(dur) AS value, arg_max(t0, [dur, -t0]) AS at_s FROM (
    SELECT episode_index, island, min(t) AS t0, count(*) * (SELECT dt0 FROM rate) AS dur FROM still WHERE low GROUP BY ALL
  ) GROUP BY ALL
),
closes AS (
  SELECT episode_index, count(*) FILTER (WHERE is_closed AND NOT coalesce(was_closed, false)) AS value,
         (list(t ORDER BY t) FILTER (WHERE is_closed AND NOT coalesce(was_closed, false)))[2] AS at_s
  FROM m GROUP BY ALL
),
typical AS (SELECT task, median(length) AS median_length FROM gated GROUP BY ALL),
last_frame AS (SELECT episode_index, arg_max(s, frame_index) AS s FROM f GROUP BY ALL),
incomplete AS (
  SELECT g.episode_index, g.length / ty.median_length AS value, NOT (${goal}) AS missed_goal
  FROM gated g JOIN typical ty USING (task) JOIN last_frame lf USING (episode_index)
),
outliers AS (
-- Ties go to the earliest time ([value, -t]), so every engine and thread count names the same moment.
  SELECT episode_index, max(z) AS value, arg_max(t, [z, -t]) AS at_s, arg_max(i, [z, -t]) AS joint FROM (
    SELECT f.episode_index, f.t, mo.i, abs(f.s[mo.i] - mo.mean) / nullif(mo.sd, 0) AS z FROM f, moments mo
  ) GROUP BY ALL
),
-- The largest per-joint step of each episode, which joint, and (data scale) its size in the state's units
spikes AS (
  SELECT episode_index, max(v) AS value, arg_max(t, [v, -t]) AS at_s, arg_max(j, [v, -t]) AS joint, arg_max(raw, [v, -t]) AS raw, arg_max(sdj, [v, -t]) AS sd FROM (
    SELECT m.episode_index, m.t, u.j, m.steps[u.j] AS v, abs(m.s[u.j] - m.prev[u.j]) AS raw, sp.sd[u.j] AS sdj
    FROM m, sp, range(1, ${J} + 1) u(j) WHERE m.dt > 0
  ) GROUP BY ALL
),
times AS (
  SELECT episode_index, min(dt) AS min_dt, max(dt) AS max_dt, arg_min(t, [dt, t]) AS at_back, arg_max(t, [dt, -t]) AS at_gap FROM m WHERE dt IS NOT NULL GROUP BY ALL
),
frozen AS (
  SELECT episode_index, max(run) AS value, arg_max(t0, [run, -t0]) AS at_s FROM (
    -- A run of n repeats starts one frame before its first repeat
    SELECT episode_index, grp, min(t) - (SELECT dt0 FROM rate) AS t0, count(*) + 1 AS run FROM (
      SELECT episode_index, t, same, sum(CASE WHEN same THEN 0 ELSE 1 END) OVER (PARTITION BY episode_index ORDER BY frame_index) AS grp FROM m WHERE prev IS NOT NULL
    ) WHERE same GROUP BY ALL
  ) GROUP BY ALL
)${data ? `,
-- A sensor that repeats values exactly while the arm is still (servo ticks, rounded degrees) makes long runs
-- normal: the limit is then twice the demos' typical longest run, never less than the form's minimum.
frozen_limit AS (
  SELECT greatest(${int(f.frozenFrames)}, ceil(2 * median(coalesce(fr.value, 1)))::BIGINT) AS n FROM gated g LEFT JOIN frozen fr USING (episode_index)
)` : ''}
SELECT g.episode_index, c."check", c.flagged, round(c.at_s, 2) AS at_s, c.value, c.threshold, c.explanation
FROM gated g
LEFT JOIN hesitation h USING (episode_index)
LEFT JOIN closes cl USING (episode_index)
LEFT JOIN incomplete i USING (episode_index)
LEFT JOIN outliers o USING (episode_index)
LEFT JOIN spikes sp_j USING (episode_index)
LEFT JOIN times tm USING (episode_index)
LEFT JOIN frozen fr USING (episode_index),
LATERAL (VALUES
  ('hesitation', coalesce(h.value, 0) > ${num(f.hesitationSeconds)}, h.at_s, coalesce(h.value, 0), ${num(f.hesitationSeconds)},
   ${stillText}),
  ('re_approach', ${g === null ? 'false' : 'coalesce(cl.value, 0) >= 2 AND NOT g.exempt'}, cl.at_s, coalesce(cl.value, 0)::DOUBLE, 2,
   ${g === null ? `'No gripper position mapped: not checked.'` : `printf('The gripper (state[%d]${closedText}) closed %d times%s%s.', ${g}${closedText ? `, ${closedBelow}` : ''}, coalesce(cl.value, 0), CASE WHEN coalesce(cl.value, 0) >= 2 THEN printf(' (again at %.1f s): a failed grasp retried', cl.at_s) ELSE '' END, CASE WHEN g.exempt AND coalesce(cl.value, 0) >= 2 THEN ', which this episode may show (exempt)' ELSE '' END)`}),
  ('incomplete', i.value < ${num(f.earlyEndFraction)} OR coalesce(i.missed_goal, false), NULL, i.value, ${num(f.earlyEndFraction)},
   printf('%d frames, %.0f%% of the typical length of its task%s.', g.length, 100 * i.value, CASE WHEN coalesce(i.missed_goal, false) THEN '; the last frame misses the goal condition' ELSE '' END)),
  ('implausible_value', coalesce(o.value, 0) > ${num(f.outlierStd)}, o.at_s, o.value, ${num(f.outlierStd)},
   printf('Joint %d is %.1f standard deviations from its mean over the gated demos at %.2f s (limit %g).', coalesce(o.joint, 1), coalesce(o.value, 0), coalesce(o.at_s, 0), ${num(f.outlierStd)})),
  ('velocity_spike', coalesce(sp_j.value, 0) > ${spikeLimit}, sp_j.at_s, sp_j.value, ${spikeLimit},
   ${spikeText}),
  ('timestamps', tm.min_dt <= 0 OR tm.max_dt > ${num(f.gapFactor)} * (SELECT dt0 FROM rate), CASE WHEN tm.min_dt <= 0 THEN tm.at_back ELSE tm.at_gap END, tm.max_dt / (SELECT dt0 FROM rate), ${num(f.gapFactor)},
   CASE WHEN tm.min_dt <= 0 THEN printf('Time goes backwards by %.3f s at %.2f s.', -tm.min_dt, tm.at_back)
        WHEN tm.max_dt > ${num(f.gapFactor)} * (SELECT dt0 FROM rate) THEN printf('A %.3f s gap at %.2f s (frames are %.3f s apart).', tm.max_dt, tm.at_gap, (SELECT dt0 FROM rate))
        ELSE 'Time increases steadily.' END),
  ('frozen_frames', coalesce(fr.value, 0) >= ${frozenLimit}, fr.at_s, coalesce(fr.value, 0)::DOUBLE, ${frozenLimit},
   ${frozenText})
) c("check", flagged, at_s, value, threshold, explanation)
ORDER BY g.episode_index, list_position(${'[' + QUALITY_CHECKS.map((c) => quoteString(c)).join(', ') + ']'}, c."check")`;
}

/**
 * SQL of `quality_gate`: one row per gated episode: the checks it failed, the verdict the checks suggest
 * ('review' when any failed, else 'pass') and the reviewer's decision so far (`episodes.gate`).
 */
export function qualityGateSql(f: QualityGateForm, checks = 'quality_checks'): string {
  const problems = validateQualityGateForm(f);
  if (problems.length) throw new Error(`Invalid quality-gate form: ${problems.join(' ')}`);
  return `-- Per demonstration: failed checks, suggested verdict and the reviewer's decision (click an episode to review it)
SELECT q.episode_index,
       list("check" ORDER BY "check") FILTER (WHERE flagged) AS failed_checks,
       CASE WHEN bool_or(flagged) THEN 'review' ELSE 'pass' END AS suggested,
       any_value(e.gate) AS decision
FROM ${quoteIdent(checks)} q JOIN ${quoteIdent(f.episodesTable)} e USING (episode_index)
GROUP BY ALL
ORDER BY suggested = 'pass', q.episode_index`;
}

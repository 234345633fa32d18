/**
 * What a replay mix looks like (`replay_preview`) and what to worry about (`replay_warnings`), read from the
 * `replay_manifest` result of replay-mix.ts, so editing the manifest cell re-runs both.
 */
import { episodesInput } from './columns.ts';
import { assertValidReplayMix, failureModesOf, replayManifestSql, type ReplayMixForm } from './replay-mix.ts';
import { num, quoteIdent, quoteString } from './sql.ts';
import { targetedAtSql } from './targets.ts';

/**
 * SQL of `replay_preview`, read from the manifest result `manifest` (default `replay_manifest`): per
 * dimension (set, task, failure_mode, each condition column) and value, the episodes and samples in the mix,
 * samples_per_episode (effective samples per episode over the run), mix_share (share of all samples),
 * data_share (share of all episodes in the table), baseline_share (share of baseline episodes), drift_points
 * (mix − baseline, in points) and max_stage_drift_points (largest |stage share − baseline share| over the
 * stages). A targeted episode's failure mode is the mode it went after; a failed episode's is its category.
 */
export function replayPreviewSql(f: ReplayMixForm, manifest = 'replay_manifest'): string {
  assertValidReplayMix(f);
  const m = quoteIdent(manifest);
  const t = quoteIdent(f.columns.table);
  const dims = [
    `SELECT src.episode_index, 1 AS dim_order, 'set' AS dimension, coalesce(m."set", '(not in the mix)') AS value
  FROM ${t} src LEFT JOIN (SELECT DISTINCT episode_index, "set" FROM ${m}) m USING (episode_index)`,
    ...(f.columns.taskColumn === null ? [] : [`SELECT episode_index, 2, 'task', coalesce(task, '(none)') FROM ep`]),
    `SELECT e.episode_index, 3, 'failure_mode', coalesce((SELECT min(ta.mode) FROM targeted_at ta WHERE ta.episode_index = e.episode_index), e.mode, '(none)') FROM ep e`,
    ...f.columns.conditionColumns.map((c, i) => `SELECT episode_index, ${4 + i}, ${quoteString(c)}, coalesce(CAST(${quoteIdent(c)} AS VARCHAR), '(none)') FROM ${t}`),
  ];
  return `-- What the mix looks like, by set, task, failure mode and condition: share in the mix vs in the data and the baseline
WITH ${episodesInput(f.columns, [])},
${targetedAtSql(f.targeting, failureModesOf(f))},
attrs AS (
  ${dims.join('\n  UNION ALL ')}
),
base AS (SELECT DISTINCT episode_index FROM ${m} WHERE "set" = ${quoteString(f.baseline.name)}),
counts AS (
  SELECT (SELECT sum(samples) FROM ${m}) AS total_samples, (SELECT count(*) FROM ${t}) AS data_n, (SELECT count(*) FROM base) AS base_n
),
in_data AS (
  SELECT dim_order, dimension, value, count(*) AS data_episodes, count(*) FILTER (WHERE episode_index IN (SELECT episode_index FROM base)) AS baseline_episodes
  FROM attrs GROUP BY ALL
),
in_mix AS (
  SELECT a.dimension, a.value, count(DISTINCT x.episode_index) AS mix_episodes, sum(x.samples) AS mix_samples
  FROM ${m} x JOIN attrs a USING (episode_index) GROUP BY ALL
),
per_stage AS (
  SELECT a.dimension, a.value, x.stage, sum(x.samples) / any_value(st.total) AS stage_share
  FROM ${m} x JOIN attrs a USING (episode_index) JOIN (SELECT stage, sum(samples) AS total FROM ${m} GROUP BY stage) st USING (stage)
  GROUP BY ALL
),
joined AS (
  SELECT d.dim_order, d.dimension, d.value,
         coalesce(i.mix_episodes, 0) AS episodes,
         coalesce(i.mix_samples, 0) AS samples,
         coalesce(i.mix_samples, 0) / c.total_samples AS mix_share,
         d.data_episodes / c.data_n AS data_share,
         d.baseline_episodes / nullif(c.base_n, 0) AS baseline_share
  FROM in_data d LEFT JOIN in_mix i USING (dimension, value), counts c
)
SELECT j.dimension, j.value, j.episodes, j.samples,
       j.samples / nullif(j.episodes, 0) AS samples_per_episode,
       j.mix_share, j.data_share, j.baseline_share,
       -- Drift against the baseline means nothing for the set dimension itself
       CASE WHEN j.dimension <> 'set' THEN 100 * (j.mix_share - j.baseline_share) END AS drift_points,
       CASE WHEN j.dimension <> 'set' THEN greatest(
         coalesce((SELECT max(abs(100 * (p.stage_share - j.baseline_share))) FROM per_stage p WHERE p.dimension = j.dimension AND p.value = j.value), 0),
         -- A value that some stage never samples is off by its whole baseline share there
         CASE WHEN (SELECT count(*) FROM per_stage p WHERE p.dimension = j.dimension AND p.value = j.value) < (SELECT count(DISTINCT stage) FROM ${m}) THEN 100 * j.baseline_share ELSE 0 END) END AS max_stage_drift_points
FROM joined j
ORDER BY j.dim_order, j.samples DESC, j.value`;
}

/**
 * SQL of `replay_warnings(warning, value, threshold, detail)`, from the manifest and preview results:
 * targeted data over `maxTargetedShare` of the run, task or condition values drifting more than
 * `maxDriftPoints` from their baseline share in some stage, and baseline episodes without a whole sample in any stage.
 * One row `none` when there is nothing to warn about.
 */
export function replayWarningsSql(f: ReplayMixForm, manifest = 'replay_manifest', preview = 'replay_preview'): string {
  assertValidReplayMix(f);
  const m = quoteIdent(manifest);
  const b = quoteString(f.baseline.name);
  const maxT = num(f.limits.maxTargetedShare);
  const maxD = num(f.limits.maxDriftPoints);
  return `-- Distribution-shift warnings for the mix (one row "none" when all is well)
WITH totals AS (
  SELECT sum(samples) AS total, coalesce(sum(samples) FILTER (WHERE "set" <> ${b}), 0) AS targeted, coalesce(sum(samples) FILTER (WHERE "set" = ${b}), 0) AS baseline
  FROM ${m}
),
baseline_eps AS (SELECT episode_index, sum(samples) AS samples, any_value(weight) AS weight FROM ${m} WHERE "set" = ${b} GROUP BY episode_index),
found AS (
  SELECT 'targeted_share' AS warning, targeted / total AS value, ${maxT} AS threshold,
         'Targeted data is ' || printf('%.1f%%', 100 * targeted / total) || ' of all samples over the run (limit ' || printf('%.0f%%', 100 * ${maxT}) || '): the policy may forget what the baseline taught. Raise the baseline share or add a stage.' AS detail
  FROM totals WHERE targeted / total > ${maxT}
  UNION ALL
  SELECT 'distribution_shift', max_stage_drift_points, ${maxD},
         dimension || ' = ' || value || ': ' || printf('%.1f%%', 100 * baseline_share) || ' of the baseline, ' || printf('%.1f%%', 100 * mix_share) || ' of the mix; some stage is off by ' || printf('%.1f', max_stage_drift_points) || ' points.'
  -- Targeted data exists to shift the failure-mode mix, so only tasks and conditions are checked
  FROM ${quoteIdent(preview)} WHERE dimension NOT IN ('set', 'failure_mode') AND max_stage_drift_points > ${maxD}
  UNION ALL
  SELECT 'unsampled_baseline', count(*), 0,
         count(*) || ' of ' || (SELECT count(*) FROM baseline_eps) || ' baseline episodes get no whole sample in any stage (the buffer is smaller than the baseline). They stay in the manifest with weight ' || printf('%.3g', any_value(weight)) ||
         ', so a weighted sampler still reaches them; bufferMultiple ≥ about ' ||
         -- baseline episodes ÷ (Σ stage baseline shares × new batch), the new batch being a stage's samples ÷ bufferMultiple
         printf('%.1f', ceil(10 * (SELECT count(*) FROM baseline_eps) / ((SELECT sum(weight) FROM ${m} WHERE "set" = ${b}) * (SELECT sum(samples) FROM ${m} WHERE stage = 1) / ${num(f.bufferMultiple)})) / 10) || ' gives each one a sample.'
  FROM baseline_eps WHERE samples = 0 HAVING count(*) > 0
)
SELECT * FROM found
UNION ALL SELECT 'none', NULL, NULL, 'No distribution-shift warnings.' WHERE NOT EXISTS (SELECT 1 FROM found)`;
}

/** All three replay-mix results, by result name, in run order. */
export function replayMixSql(f: ReplayMixForm): { replay_manifest: string; replay_preview: string; replay_warnings: string } {
  return { replay_manifest: replayManifestSql(f), replay_preview: replayPreviewSql(f), replay_warnings: replayWarningsSql(f) };
}

import type { CellData, NotebookDoc } from '../types';
import { driftCells, userCells } from '../../analysis/templates';
import { fitDriftWatch } from '../../analysis/fit';
import { has, type CellNeed, type Schema } from '../../contract/capability';
import { failedSql, logFormatMarkdown } from '../../contract/inputs';
import type { SourceDecl } from '../../ingest/source';

/** The need for a column of `episodes` that comes from the deployment log, in one sentence. */
function logColumn(column: string, what: string, without = ''): CellNeed {
  return { table: 'episodes', columns: [column], message: `\`episodes\` has no column \`${column}\` (${what})${without}: add it to the deployment log (see Log format).` };
}
const OUTCOME: CellNeed = {
  table: 'episodes',
  columns: ['outcome'],
  values: true,
  message: 'No episode has an outcome (success / failure / intervened): open a deployment log with `episode_id,outcome` (see Log format), or pick an outcome in the catalog (a per-frame success column such as `next.success`, or a SQL rule).',
};
const POLICY = logColumn('policy_version', 'the deployed policy, empty for demos');
const ROTATION = logColumn('rotation', 'the flywheel rotation');
const TIMESTAMP = logColumn('timestamp', 'when each episode was recorded', ', so there is no cycle time');

/**
 * The failure-mode mix. The group keys are computed in a CTE under names no table has (`pv`, `mode`): grouping by
 * an output alias that is also a column of `episodes` binds to the column, so a label derived from `outcome` under
 * the name `failure_category` (the canonical view always has that column, filled by reviews) made DuckDB demand
 * `outcome` in the GROUP BY. On user data a failed episode without a category is `failure` or `intervened`.
 */
function failureMixSql(schema: Schema | undefined, col: (c: string) => boolean): string {
  const pv = col('policy_version') ? 'policy_version' : `'all episodes'`;
  const deployed = col('policy_version') ? 'policy_version IS NOT NULL' : 'outcome IS NOT NULL';
  const byOutcome = `CASE WHEN lower(outcome) = 'intervened' THEN 'intervened' ELSE 'failure' END`;
  const mode = !schema ? 'failure_category' : col('failure_category') ? `coalesce(NULLIF(trim(CAST(failure_category AS VARCHAR)), ''), ${byOutcome})` : byOutcome;
  const order = col('rotation') ? 'rotation' : 'first_episode';
  return `-- Which failure modes each policy version still has (intervened episodes count as failures; \`intervened\` says how many)
WITH failed AS (
  SELECT ${pv} AS pv, ${col('rotation') ? 'rotation' : 'episode_index'}, outcome, ${mode} AS mode
  FROM episodes
  WHERE ${failedSql('outcome')} AND ${deployed}
)
SELECT pv AS policy_version,
       ${col('rotation') ? 'min(rotation) AS rotation' : 'min(episode_index) AS first_episode'},
       mode AS failure_category,
       count(*) AS failures,
       count(*) FILTER (WHERE lower(outcome) = 'intervened') AS intervened,
       count(*) / sum(count(*)) OVER (PARTITION BY pv) AS share_of_failures
FROM failed
GROUP BY pv, mode
ORDER BY ${order}, failures DESC`;
}

/**
 * When the log has a policy version but no rotation (the usual user log), the per-rotation cells derive it the way
 * the job forms' `rotationFrom: 'policy'` does (analysis/columns.ts): each version is one rotation, numbered in order
 * of its first episode, and an episode without a version (a demo) joins the latest version first seen before it
 * (0 before any). Said in the cell's SQL, so nothing is guessed behind the reader's back.
 */
const DERIVED_ROTATION = `-- No rotation column in the log: each policy version is one rotation, in order of its first episode; demos join the latest version before them
_versions AS (
  SELECT policy_version, row_number() OVER (ORDER BY min(episode_index), policy_version) AS rotation, min(episode_index) AS first_at
  FROM main.episodes WHERE policy_version IS NOT NULL GROUP BY policy_version
),
episodes AS (
  SELECT e.*, CASE WHEN e.policy_version IS NOT NULL THEN (SELECT v.rotation FROM _versions v WHERE v.policy_version = e.policy_version)
                   ELSE coalesce((SELECT max(v.rotation) FROM _versions v WHERE v.first_at <= e.episode_index), 0) END AS rotation
  FROM main.episodes e
)`;

/** `sql` (leading comment lines, then a SELECT or a WITH) reading {@link DERIVED_ROTATION}'s `episodes`. */
export function withDerivedRotation(sql: string): string {
  const lines = sql.split('\n');
  let i = 0;
  while (i < lines.length && lines[i].startsWith('--')) i++;
  const head = lines.slice(0, i).join('\n');
  const body = lines.slice(i).join('\n');
  const merged = /^WITH\s/i.test(body) ? `WITH ${DERIVED_ROTATION},\n${body.replace(/^WITH\s+/i, '')}` : `WITH ${DERIVED_ROTATION}\n${body}`;
  return head ? `${head}\n${merged}` : merged;
}

/** The demo's sources: the LeRobot v3.0 dataset plus its deployment log and cost sheet, all self-hosted. */
export function demoSources(base = 'demo/'): SourceDecl[] {
  return [
    { name: 'dataset', kind: 'lerobot', url: base },
    { name: 'deployments', kind: 'csv', url: `${base}deployment_log.csv`, role: 'episode-log' },
    { name: 'costs', kind: 'csv', url: `${base}collection_costs.csv`, role: 'table' },
  ];
}

/**
 * The flywheel-health notebook: the weekly report of a robot-learning team. Needs `episodes` joined with a
 * deployment log (outcome, policy_version, failure_category, rotation, tags, timestamp) and a `costs` sheet.
 */
export function healthNotebook(sources: SourceDecl[] = demoSources(), schema?: Schema): NotebookDoc {
  const demo = sources.some((s) => s.kind === 'lerobot' && s.url === 'demo/');
  const col = (c: string) => !schema || has(schema, 'episodes', c);
  const order = col('rotation') ? 'rotation' : 'first_episode';
  const orderSql = col('rotation') ? 'min(rotation) AS rotation' : 'min(episode_index) AS first_episode';
  // Without a policy_version every episode with an outcome is one deployment (the contract's rule), under one label.
  const pv = col('policy_version') ? 'policy_version' : `'all episodes' AS policy_version`;
  const deployed = col('policy_version') ? 'policy_version IS NOT NULL' : 'outcome IS NOT NULL';
  // A log with policy versions but no rotation: the per-rotation cells derive it (see DERIVED_ROTATION).
  const derive = !!schema && !col('rotation') && col('policy_version');
  const perRotation = (sql: string) => (derive ? withDerivedRotation(sql) : sql);
  const ROT = derive ? POLICY : ROTATION;
  const sheetCosts = !(schema && !has(schema, 'costs') && col('cost_usd'));
  const cells: CellData[] = [
      {
        id: 'intro',
        kind: 'markdown',
        name: 'intro',
        source:
          '# Flywheel health\n' +
          'How the data flywheel is doing: each rotation deploys a new policy, logs every episode, and collects targeted demos for the failures it found. ' +
          'Every chart below is a query over `episodes` (the dataset joined with the deployment log) and `costs` (the collection-cost sheet); edit any SQL and press **Shift+Enter** to re-run it and everything that depends on it.',
      },
      {
        id: 'success',
        kind: 'sql',
        name: 'success_by_version',
        needs: schema ? [OUTCOME] : [OUTCOME, POLICY, ROTATION],
        source: `-- Success rate of deployed policies (intervened counts as failed), with a 95% Wilson interval
SELECT ${pv},
       ${orderSql},
       count(*) AS n,
       avg(CASE WHEN outcome = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
       (success_rate + 1.92 / n - 1.96 * sqrt(success_rate * (1 - success_rate) / n + 0.9604 / n^2)) / (1 + 3.8416 / n) AS ci_low,
       (success_rate + 1.92 / n + 1.96 * sqrt(success_rate * (1 - success_rate) / n + 0.9604 / n^2)) / (1 + 3.8416 / n) AS ci_high
FROM episodes
WHERE ${deployed}
GROUP BY policy_version
ORDER BY ${order}`,
      },
      {
        id: 'success_chart',
        kind: 'plot',
        name: 'success_chart',
        source: '',
        plot: { data: 'success_by_version', mark: 'barY', x: 'policy_version', y: 'success_rate', percent: true, title: 'Success rate by policy version', yLabel: 'success rate', sort: { x: order } },
      },
      {
        id: 'mix',
        kind: 'sql',
        name: 'failure_mix',
        needs: schema ? [OUTCOME] : [OUTCOME, POLICY, ROTATION, logColumn('failure_category', 'the failure mode')],
        source: failureMixSql(schema, col),
      },
      {
        id: 'mix_chart',
        kind: 'plot',
        name: 'mix_chart',
        source: '',
        plot: { data: 'failure_mix', mark: 'barY', x: 'policy_version', y: 'failures', fill: 'failure_category', title: 'Failure-mode mix by policy version', yLabel: 'failed episodes', sort: { x: order } },
      },
      {
        id: 'collected',
        kind: 'sql',
        name: 'collected_by_rotation',
        needs: [ROT, ...(schema ? [] : [logColumn('tags', '`;`-separated tags')])],
        source: perRotation((col('tags')
          ? `-- Episodes collected per rotation, by tag (an episode may carry several tags)
SELECT rotation, tag, count(*) AS episodes
FROM (SELECT rotation, unnest(string_split(tags, ';')) AS tag FROM episodes)`
          : `-- Episodes collected per rotation: the log has no tags, so each episode is a deployment or a demo by its policy_version
SELECT rotation, tag, count(*) AS episodes
FROM (SELECT rotation, ${col('policy_version') ? `CASE WHEN policy_version IS NULL THEN 'demo' ELSE 'deployment' END` : `'episode'`} AS tag FROM episodes)`) + `
GROUP BY rotation, tag
ORDER BY rotation, tag`),
      },
      {
        id: 'collected_chart',
        kind: 'plot',
        name: 'collected_chart',
        source: '',
        plot: { data: 'collected_by_rotation', mark: 'barY', x: 'rotation', y: 'episodes', fill: 'tag', title: 'Episodes collected per rotation, by tag', xLabel: 'rotation', yLabel: 'episodes' },
      },
      {
        id: 'cps',
        kind: 'sql',
        name: 'cost_per_success',
        // A cost sheet numbers its own rotations: they are matched to the log's rotation column, never to derived ones.
        needs: [OUTCOME, POLICY, sheetCosts ? ROTATION : ROT],
        source: (sheetCosts ? (x: string) => x : perRotation)(`-- Everything a rotation cost, divided by the successful deployment episodes it produced
WITH spend AS (
  ${!sheetCosts ? '-- No cost sheet: the per-episode cost_usd of the log\n  SELECT rotation, sum(cost_usd) AS cost_usd FROM episodes GROUP BY rotation' : 'SELECT rotation, sum(amount_usd) AS cost_usd FROM costs GROUP BY rotation'}
), outcomes AS (
  SELECT rotation, count(*) FILTER (WHERE outcome = 'success') AS successes
  FROM episodes WHERE policy_version IS NOT NULL GROUP BY rotation
)
SELECT rotation, cost_usd, successes, round(cost_usd / nullif(successes, 0), 2) AS cost_per_success_usd
FROM spend JOIN outcomes USING (rotation)
ORDER BY rotation`),
      },
      {
        id: 'cps_chart',
        kind: 'plot',
        name: 'cps_chart',
        source: '',
        plot: { data: 'cost_per_success', mark: 'line', x: 'rotation', y: 'cost_per_success_usd', title: 'Cost per successful episode by rotation (USD)', xLabel: 'rotation', yLabel: 'USD per success' },
      },
      {
        id: 'cycle',
        kind: 'sql',
        name: 'cycle_time',
        needs: [TIMESTAMP, ROT],
        source: perRotation(`-- Days from one rotation's first logged episode to the next rotation's (the last runs to its own end)
SELECT rotation,
       min(timestamp) AS started,
       round(date_diff('hour', min(timestamp), coalesce(lead(min(timestamp)) OVER (ORDER BY rotation), max(timestamp))) / 24.0, 1) AS cycle_days,
       cycle_days > 14 AS over_two_weeks
FROM episodes
WHERE rotation IS NOT NULL
GROUP BY rotation
ORDER BY rotation`),
      },
      {
        id: 'cycle_chart',
        kind: 'plot',
        name: 'cycle_chart',
        source: '',
        plot: { data: 'cycle_time', mark: 'barY', x: 'rotation', y: 'cycle_days', fill: 'over_two_weeks', title: 'Cycle time per rotation (days; goal ≤ 14)', xLabel: 'rotation', yLabel: 'days' },
      },
      {
        id: 'drift_note',
        kind: 'markdown',
        name: 'drift_note',
        source:
          '## Hardware drift\n' +
          'Calibration episodes (tagged `calibration`) hold reference poses; a joint whose measured position leaves the commanded one by more than the tolerance is drifting. ' +
          '`drift_flag` names the first week out of tolerance and the deployments recorded since: check the hardware before reading their failures as a data problem.',
      },
      ...driftCells(schema ? fitDriftWatch(schema) : undefined),
  ];
  if (schema) cells.push(...userCells(schema));
  else if (!demo) cells.push({ id: 'log_format', kind: 'markdown', name: 'log_format', source: logFormatMarkdown() });
  return { version: 1, title: 'Flywheel health', sources, cells };
}

import type { NotebookDoc } from '../types';
import { driftCells } from '../../analysis/templates';
import type { SourceDecl } from '../../ingest/source';

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
export function healthNotebook(sources: SourceDecl[] = demoSources()): NotebookDoc {
  return {
    version: 1,
    title: 'Flywheel health',
    sources,
    cells: [
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
        source: `-- Success rate of deployed policies, with a 95% Wilson interval
SELECT policy_version,
       min(rotation) AS rotation,
       count(*) AS n,
       avg(CASE WHEN outcome = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
       (success_rate + 1.92 / n - 1.96 * sqrt(success_rate * (1 - success_rate) / n + 0.9604 / n^2)) / (1 + 3.8416 / n) AS ci_low,
       (success_rate + 1.92 / n + 1.96 * sqrt(success_rate * (1 - success_rate) / n + 0.9604 / n^2)) / (1 + 3.8416 / n) AS ci_high
FROM episodes
WHERE policy_version IS NOT NULL
GROUP BY policy_version
ORDER BY rotation`,
      },
      {
        id: 'success_chart',
        kind: 'plot',
        name: 'success_chart',
        source: '',
        plot: { data: 'success_by_version', mark: 'barY', x: 'policy_version', y: 'success_rate', percent: true, title: 'Success rate by policy version', yLabel: 'success rate', sort: { x: 'rotation' } },
      },
      {
        id: 'mix',
        kind: 'sql',
        name: 'failure_mix',
        source: `-- Which failure modes each policy version still has
SELECT policy_version,
       min(rotation) AS rotation,
       failure_category,
       count(*) AS failures,
       count(*) / sum(count(*)) OVER (PARTITION BY policy_version) AS share_of_failures
FROM episodes
WHERE outcome = 'failure' AND policy_version IS NOT NULL
GROUP BY policy_version, failure_category
ORDER BY rotation, failures DESC`,
      },
      {
        id: 'mix_chart',
        kind: 'plot',
        name: 'mix_chart',
        source: '',
        plot: { data: 'failure_mix', mark: 'barY', x: 'policy_version', y: 'failures', fill: 'failure_category', title: 'Failure-mode mix by policy version', yLabel: 'failed episodes', sort: { x: 'rotation' } },
      },
      {
        id: 'collected',
        kind: 'sql',
        name: 'collected_by_rotation',
        source: `-- Episodes collected per rotation, by tag (an episode may carry several tags)
SELECT rotation, tag, count(*) AS episodes
FROM (SELECT rotation, unnest(string_split(tags, ';')) AS tag FROM episodes)
GROUP BY rotation, tag
ORDER BY rotation, tag`,
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
        source: `-- Everything a rotation cost, divided by the successful deployment episodes it produced
WITH spend AS (
  SELECT rotation, sum(amount_usd) AS cost_usd FROM costs GROUP BY rotation
), outcomes AS (
  SELECT rotation, count(*) FILTER (WHERE outcome = 'success') AS successes
  FROM episodes WHERE policy_version IS NOT NULL GROUP BY rotation
)
SELECT rotation, cost_usd, successes, round(cost_usd / nullif(successes, 0), 2) AS cost_per_success_usd
FROM spend JOIN outcomes USING (rotation)
ORDER BY rotation`,
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
        source: `-- Days from one rotation's first logged episode to the next rotation's (the last runs to its own end)
SELECT rotation,
       min(timestamp) AS started,
       round(date_diff('hour', min(timestamp), coalesce(lead(min(timestamp)) OVER (ORDER BY rotation), max(timestamp))) / 24.0, 1) AS cycle_days,
       cycle_days > 14 AS over_two_weeks
FROM episodes
WHERE rotation IS NOT NULL
GROUP BY rotation
ORDER BY rotation`,
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
      ...driftCells(),
    ],
  };
}

/**
 * The two model notebooks: uncertainty scoring (where does the policy not know what to do, so a human should
 * demonstrate there) and failure clustering (which kinds of failure are there). Each starts with a model cell on the
 * bundled demo models; SQL and chart cells read its result tables like any other table.
 */
import type { SourceDecl } from '../ingest/source';
import { ENCODER_MAPPING, POLICY_MAPPING } from '../models/demo-mappings';
import { demoSources } from '../notebook/templates/health';
import type { CellData, NotebookDoc } from '../notebook/types';
import { defaultRecipe } from '../models/recipe';
import { DEMO_MANIFEST, TRAINED_FAILURES, TRAINED_MAPPING, defaultClusterParams, defaultInputSql, defaultUncertaintyParams, type ModelSpec } from './cell';

const md = (name: string, source: string): CellData => ({ id: name, kind: 'markdown', name, source });
const sql = (name: string, source: string): CellData => ({ id: name, kind: 'sql', name, source });
const plot = (name: string, spec: NonNullable<CellData['plot']>): CellData => ({ id: name, kind: 'plot', name, source: '', plot: spec });
const model = (name: string, spec: ModelSpec): CellData => ({ id: name, kind: 'model', name, source: defaultInputSql(spec), model: spec });

/** Uncertainty scoring with the demo policy ensemble: per frame, per episode, collect-here list, shadow mode. */
export function uncertaintyNotebook(sources: SourceDecl[] = demoSources()): NotebookDoc {
  // The reference is the task demonstrations: calibration runs (the arm holding reference poses) are not.
  const params = { ...defaultUncertaintyParams(), reference: `policy_version IS NULL AND coalesce(tags, '') NOT LIKE '%calibration%'` };
  const spec: ModelSpec = { task: 'uncertainty', model: { kind: 'demo', manifest: DEMO_MANIFEST }, mapping: structuredClone(POLICY_MAPPING), params };
  return {
    version: 1,
    title: 'Uncertainty scoring',
    sources,
    cells: [
      md(
        'intro',
        '# Uncertainty scoring\n' +
          'Five copies of the policy, each trained on its own sample of the demos, score every frame. Where they **disagree**, the policy has seen too little like it: those are the states to send an operator to demonstrate.\n\n' +
          'The model cell below names its results: `policy_scores` (one row per frame: `uncertainty`, the ensemble\'s `action_pred`, `shadow_disagreement` with the logged action), ' +
          '`policy_scores_episodes` (per episode: mean, p90, max, flagged frames) and `policy_scores_collect` (the collect-here list). ' +
          'A frame is flagged when its disagreement is above the 99th percentile of the training demos\' frames (change the quantile or the reference episodes in the cell).',
      ),
      model('policy_scores', spec),
      sql(
        'uncertainty_by_group',
        `-- Which episodes the ensemble is unsure about: training demos, successful deployments, each failure mode
SELECT CASE WHEN coalesce(e.tags, '') LIKE '%calibration%' THEN 'calibration runs'
            WHEN e.policy_version IS NULL THEN 'training demos'
            WHEN e.outcome = 'success' THEN 'deployment: success'
            ELSE 'deployment: ' || coalesce(CAST(e.failure_category AS VARCHAR), 'failure') END AS episode_group,
       count(*) AS episodes,
       round(avg(s.max), 4) AS mean_max_uncertainty,
       avg(CAST(s.flagged_frames > 0 AS INTEGER)) AS share_flagged
FROM policy_scores_episodes s JOIN episodes e USING (episode_index)
GROUP BY ALL ORDER BY share_flagged DESC`,
      ),
      plot('flagged_chart', { data: 'uncertainty_by_group', mark: 'barX', y: 'episode_group', x: 'share_flagged', percent: true, sort: { x: 'x', descending: true }, title: 'Episodes with at least one flagged frame', xLabel: 'share of episodes' }),
      md('collect_note', '## Collect here\nStretches of flagged frames, strongest first: the episode (click it to open it at that moment) and when, in seconds from its start. Stage these states and demonstrate them.'),
      sql(
        'collect_here',
        `SELECT c.rank, c.episode_index, e.policy_version, e.failure_category,
       round(c.start_s, 1) AS start_s, round(c.end_s, 1) AS end_s, round(c.peak_s, 1) AS peak_s,
       round(c.peak_uncertainty, 4) AS peak_uncertainty, c.frames
FROM policy_scores_collect c JOIN episodes e USING (episode_index)
ORDER BY c.rank`,
      ),
      sql(
        'episode_uncertainty',
        `-- Per-episode summary, most uncertain first
SELECT s.episode_index, e.policy_version, e.outcome, e.failure_category,
       round(s.mean, 4) AS mean_uncertainty, round(s.p90, 4) AS p90_uncertainty, round(s.max, 4) AS max_uncertainty,
       round(s.max_frame * e.duration_s / e.length, 1) AS max_at_s, s.flagged_frames
FROM policy_scores_episodes s JOIN episodes e USING (episode_index)
ORDER BY s.max DESC`,
      ),
      sql(
        'top_episode_trace',
        `-- The most uncertain stretch's episode, frame by frame
SELECT round(f.frame_index * e.duration_s / e.length, 3) AS t_s, f.uncertainty, f.shadow_disagreement
FROM policy_scores f JOIN episodes e USING (episode_index)
WHERE f.episode_index = (SELECT episode_index FROM policy_scores_collect ORDER BY rank LIMIT 1)
ORDER BY f.frame_index`,
      ),
      plot('trace_chart', { data: 'top_episode_trace', mark: 'line', x: 't_s', y: 'uncertainty', title: 'Ensemble disagreement over the top collect-here episode', xLabel: 'seconds', yLabel: 'disagreement' }),
      md('shadow_note', '## Shadow mode\nThe ensemble\'s mean action against the action that was executed (normalised units). Where a deployed policy drifts from what the ensemble would do, or an operator\'s demos disagree with it, this rises.'),
      sql(
        'shadow_mode',
        `SELECT CASE WHEN coalesce(e.tags, '') LIKE '%calibration%' THEN 'calibration runs' ELSE coalesce(e.policy_version, 'training demos') END AS policy, count(*) AS frames,
       round(avg(f.shadow_disagreement), 4) AS mean_disagreement,
       round(quantile_cont(f.shadow_disagreement, 0.9), 4) AS p90_disagreement
FROM policy_scores f JOIN episodes e USING (episode_index)
GROUP BY ALL ORDER BY policy`,
      ),
      plot('shadow_chart', { data: 'shadow_mode', mark: 'barY', x: 'policy', y: 'mean_disagreement', title: 'Shadow-mode disagreement by policy', yLabel: 'mean disagreement' }),
    ],
  };
}

/** Failure clustering with the demo window encoder: windows around failure onsets, k-means and DBSCAN, a 2-D map. */
export function failureClusteringNotebook(sources: SourceDecl[] = demoSources()): NotebookDoc {
  const spec: ModelSpec = {
    task: 'cluster',
    model: { kind: 'demo', manifest: DEMO_MANIFEST },
    mapping: structuredClone(ENCODER_MAPPING),
    params: { ...defaultClusterParams(), conditions: ['object_type', 'lighting', 'yaw_deg'] },
  };
  return {
    version: 1,
    title: 'Failure clustering',
    sources,
    cells: [
      md(
        'intro',
        '# Failure clustering\n' +
          'Every failed deployment gets a 4-second window of state and action around its failure onset: the onset a reviewer marked (`episodes.failure_onset_s`) or, where nobody has, ' +
          'the detected onset: the start of the first strong, sustained stretch where the state stops following its command as a one-step model of the robot predicts (robust z-scores, from the frames themselves). An encoder turns each window into 8 numbers; k-means (k by silhouette, or set it) and DBSCAN group them, and the map shows them in 2-D. ' +
          'Click a point to open its episode.\n\n' +
          '**Name the clusters** in the cell: the names are saved in the notebook and become the `cluster_name` column of `failure_clusters`, so they work as failure modes and as replay-mix sets. ' +
          'In the replay-mix designer, a targeted set `{kind: "where", where: "episode_index IN (SELECT episode_index FROM failure_clusters WHERE cluster_name = \'collision\')"}` replays the episodes of the cluster you named *collision* (open this notebook first, so the table exists).',
      ),
      model('failure_clusters', spec),
      sql('cluster_summary', 'SELECT * FROM failure_clusters_clusters ORDER BY cluster'),
      sql(
        'cluster_mix',
        `-- What reviewers and the log filed for the windows of each cluster
SELECT cluster_name, coalesce(failure_category, 'unlabelled') AS failure_category, count(*) AS windows
FROM failure_clusters GROUP BY ALL ORDER BY cluster_name, windows DESC`,
      ),
      plot('cluster_mix_chart', { data: 'cluster_mix', mark: 'barY', x: 'cluster_name', y: 'windows', fill: 'failure_category', title: 'Logged failure category of each cluster', yLabel: 'windows' }),
      sql(
        'cluster_episodes',
        `SELECT w.cluster_name, w.episode_index, round(w.onset_s, 1) AS onset_s, w.onset_source, w.failure_category,
       e.policy_version, e.object_type, e.lighting, w.dbscan_cluster
FROM failure_clusters w JOIN episodes e USING (episode_index)
ORDER BY w.cluster, w.episode_index`,
      ),
    ],
  };
}

const TRAIN_NOTE =
  'The models are **trained in this tab** from the recipe in the cell (seed, members, layer sizes, steps), sized from the dataset\'s own state and action columns, and kept in this browser: a re-run, or a colleague opening the shared notebook on the same data, gets the same models (same recipe and seed → same ONNX bytes). ' +
  'Pick **ONNX by URL** or **ONNX file(s)** in the cell to bring your own models instead; **Download** saves the trained ones.';

/**
 * Uncertainty scoring on the user's dataset: an ensemble trained in the tab on the reference episodes (the demos
 * when the log says which those are, else the successful episodes, else all), no demo model, no column named that
 * the dataset may lack (the SQL cells read only the result tables and the canonical episode columns).
 */
export function trainedUncertaintyNotebook(sources: SourceDecl[]): NotebookDoc {
  const spec: ModelSpec = { task: 'uncertainty', model: { kind: 'trained', recipe: defaultRecipe() }, mapping: structuredClone(TRAINED_MAPPING), params: { ...defaultUncertaintyParams(), reference: null, shadow: null } };
  return {
    version: 1,
    title: 'Uncertainty scoring',
    sources,
    cells: [
      md(
        'intro',
        '# Uncertainty scoring\n' +
          'Five small policies (a window of state → action), each trained on its own bootstrap sample of the reference episodes, score every frame. Where they **disagree**, the data has too little like it: states to send an operator to demonstrate.\n\n' +
          TRAIN_NOTE +
          ' A frame is flagged above the 99th percentile of the reference episodes\' frames.',
      ),
      model('policy_scores', spec),
      sql(
        'episode_uncertainty',
        `-- Per-episode summary, most uncertain first
SELECT s.episode_index, e.task, round(s.mean, 4) AS mean_uncertainty, round(s.p90, 4) AS p90_uncertainty, round(s.max, 4) AS max_uncertainty,
       round(s.max_frame * e.duration_s / e.length, 1) AS max_at_s, s.flagged_frames
FROM policy_scores_episodes s JOIN episodes e USING (episode_index)
ORDER BY s.max DESC`,
      ),
      md('collect_note', '## Collect here\nStretches of flagged frames, strongest first: the episode (click it to open it at that moment) and when, in seconds from its start.'),
      sql(
        'collect_here',
        `SELECT c.rank, c.episode_index, round(c.start_s, 1) AS start_s, round(c.end_s, 1) AS end_s, round(c.peak_s, 1) AS peak_s,
       round(c.peak_uncertainty, 4) AS peak_uncertainty, c.frames
FROM policy_scores_collect c ORDER BY c.rank`,
      ),
      sql(
        'top_episode_trace',
        `-- The most uncertain stretch's episode, frame by frame
SELECT round(f.frame_index * e.duration_s / e.length, 3) AS t_s, f.uncertainty, f.shadow_disagreement
FROM policy_scores f JOIN episodes e USING (episode_index)
WHERE f.episode_index = (SELECT episode_index FROM policy_scores_collect ORDER BY rank LIMIT 1)
ORDER BY f.frame_index`,
      ),
      plot('trace_chart', { data: 'top_episode_trace', mark: 'line', x: 't_s', y: 'uncertainty', title: 'Ensemble disagreement over the top collect-here episode', xLabel: 'seconds', yLabel: 'disagreement' }),
    ],
  };
}

/** Failure clustering on the user's dataset: a window embedding fitted in the tab on the failures themselves. */
export function trainedClusteringNotebook(sources: SourceDecl[]): NotebookDoc {
  const spec: ModelSpec = { task: 'cluster', model: { kind: 'trained', recipe: defaultRecipe() }, mapping: structuredClone(TRAINED_MAPPING), params: { ...defaultClusterParams(), failures: TRAINED_FAILURES } };
  return {
    version: 1,
    title: 'Failure clustering',
    sources,
    cells: [
      md(
        'intro',
        '# Failure clustering\n' +
          'Every failed or intervened episode (the log\'s `outcome`) gets a window of state and action around its failure onset: the onset a reviewer marked or, where nobody has, the detected onset: the start of the first strong, sustained stretch where the state stops following its command as a one-step model of the robot, fitted on these frames, predicts (robust z-scores, no thresholds in the data\'s units). ' +
          'The embedding, fitted in this tab on those windows (the tracking residual, state − commanded action, when both have the same size; PCA to 8 numbers), is clustered with k-means (k by silhouette) and DBSCAN. ' +
          TRAIN_NOTE,
      ),
      model('failure_clusters', spec),
      sql('cluster_summary', 'SELECT * FROM failure_clusters_clusters ORDER BY cluster'),
      sql(
        'cluster_mix',
        `-- What the log filed for the windows of each cluster
SELECT cluster_name, coalesce(failure_category, 'unlabelled') AS failure_category, count(*) AS windows
FROM failure_clusters GROUP BY ALL ORDER BY cluster_name, windows DESC`,
      ),
      plot('cluster_mix_chart', { data: 'cluster_mix', mark: 'barY', x: 'cluster_name', y: 'windows', fill: 'failure_category', title: 'Logged failure category of each cluster', yLabel: 'windows' }),
    ],
  };
}

/** The model notebooks for the sidebar's job list: the demo's models on the demo, models trained in the tab on the user's data. */
export const MODEL_TEMPLATES: readonly { id: string; title: string; build: (sources?: SourceDecl[]) => NotebookDoc }[] = [
  { id: 'uncertainty', title: 'Uncertainty scoring', build: (s) => (s ? trainedUncertaintyNotebook(s) : uncertaintyNotebook()) },
  { id: 'failure-clustering', title: 'Failure clustering', build: (s) => (s ? trainedClusteringNotebook(s) : failureClusteringNotebook()) },
];

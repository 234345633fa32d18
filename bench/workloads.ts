/**
 * The benchmark's workloads: one SQL text per workload and dataset, run unchanged by every engine (native DuckDB,
 * the app's engine on DuckDB-WASM in Node, the app in Chromium). What differs between engines is only how the
 * tables `frames`, `episodes` and `deployments` come to exist (see child.ts), which is part of what is measured.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Workload ids, in the order they run inside one process or one browser tab. */
export const WORKLOAD_IDS = ['start', 'open', 'failure-stats', 'scan-1col', 'per-episode', 'windows', 'scan-all'] as const;
export type WorkloadId = (typeof WORKLOAD_IDS)[number];

/** Workloads that are SQL queries (the others are start-up phases). */
export const QUERY_IDS = ['failure-stats', 'scan-1col', 'per-episode', 'windows', 'scan-all'] as const satisfies readonly WorkloadId[];
export type QueryId = (typeof QUERY_IDS)[number];

export const LABELS: Record<WorkloadId, string> = {
  start: 'engine start (fresh process/tab)',
  open: 'metadata open',
  'failure-stats': 'failure statistics (episodes ⋈ deployment log)',
  'scan-1col': 'scan one column: sum(action[1])',
  'per-episode': 'per-episode aggregates',
  windows: 'window extraction → Float32Array',
  'scan-all': 'scan all columns',
};

/** One query workload on one dataset. */
export interface QuerySpec {
  id: QueryId;
  sql: string;
  /** Columns of frames it reads (null: it does not read frames). */
  columns: string[] | null;
  /** Episodes whose row groups it needs (null: every episode). */
  episodes: number[] | null;
  /** For `windows`: result columns copied into one interleaved Float32Array. */
  floatColumns?: string[];
  /** Free-form facts about the workload (window count, …). */
  note?: string;
}

/** What the workloads need to know about a dataset. */
export interface DatasetFacts {
  fps: number;
  /** Columns of frames with their DuckDB types, in file order. */
  frameColumns: { name: string; type: string }[];
  stateDims: number;
  actionDims: number;
}

const q = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Failure onsets (episode, frame) from the generator's ground truth: the latest `max` failed episodes. */
export function failureOnsets(datasetDir: string, max = 1000): { episode: number; onset: number; length: number }[] {
  const gt = JSON.parse(readFileSync(path.join(datasetDir, 'ground_truth.json'), 'utf8')) as {
    episodes: { episode_index: number; onset_frame: number | null; length: number }[];
  };
  return gt.episodes
    .filter((e) => e.onset_frame !== null)
    .map((e) => ({ episode: e.episode_index, onset: e.onset_frame as number, length: e.length }))
    .sort((a, b) => a.episode - b.episode)
    .slice(-max);
}

/** Builds every query workload for a dataset. The SQL is the same text for every engine. */
export function buildQueries(datasetDir: string, facts: DatasetFacts, maxWindows = 1000): QuerySpec[] {
  const categories = ['grasp_failure', 'placement_error', 'collision', 'timeout', 'recovery_failure', 'out_of_distribution'];
  const failureStats = `SELECT policy_version, count(*) AS deployments,
  avg(CASE WHEN outcome = 'success' THEN 1.0 ELSE 0.0 END) AS success_rate,
${categories.map((c) => `  count(*) FILTER (WHERE failure_category = '${c}') AS ${c},`).join('\n')}
  avg(duration_s) AS mean_duration_s
FROM episodes WHERE policy_version IS NOT NULL
GROUP BY policy_version ORDER BY policy_version`;

  const perEpisode = `SELECT episode_index, count(*) AS frames, avg("observation.state"[1]) AS mean_state_1, max(timestamp) AS last_timestamp
FROM frames GROUP BY episode_index ORDER BY episode_index`;

  const scan1 = `SELECT sum(action[1])::DOUBLE AS s, count(*) AS n FROM frames`;

  const aggs = facts.frameColumns.map((c) =>
    /\[\]$/.test(c.type)
      ? `sum(list_sum(${q(c.name)}))::DOUBLE AS ${q('sum_' + c.name)}`
      : /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|HUGEINT)$/.test(c.type)
        ? `sum(${q(c.name)})::DOUBLE AS ${q('sum_' + c.name)}`
        : `count(${q(c.name)}) AS ${q('n_' + c.name)}`,
  );
  const scanAll = `SELECT count(*) AS n,\n  ${aggs.join(',\n  ')}\nFROM frames`;

  // 2 s windows (fps frames either side of the onset) around the latest failure onsets.
  const half = Math.round(facts.fps);
  const onsets = failureOnsets(datasetDir, maxWindows);
  const floatColumns = [
    ...Array.from({ length: facts.stateDims }, (_, i) => `s${i + 1}`),
    ...Array.from({ length: facts.actionDims }, (_, i) => `a${i + 1}`),
  ];
  const sel = [
    ...Array.from({ length: facts.stateDims }, (_, i) => `f."observation.state"[${i + 1}] AS s${i + 1}`),
    ...Array.from({ length: facts.actionDims }, (_, i) => `f.action[${i + 1}] AS a${i + 1}`),
  ];
  const ids = onsets.map((o) => o.episode);
  const windows = onsets.length
    ? `SELECT f.episode_index, f.frame_index - w.onset AS t,
  ${sel.join(', ')}
FROM frames f JOIN (VALUES ${onsets.map((o) => `(${o.episode}, ${o.onset})`).join(', ')}) AS w(episode_index, onset)
  ON f.episode_index = w.episode_index
WHERE f.episode_index IN (${ids.join(', ')})
  AND f.frame_index >= w.onset - ${half} AND f.frame_index < w.onset + ${half}
ORDER BY f.episode_index, f.frame_index`
    : `SELECT episode_index, frame_index AS t FROM frames WHERE false`;

  const all = facts.frameColumns.map((c) => c.name);
  return [
    { id: 'failure-stats', sql: failureStats, columns: null, episodes: null },
    { id: 'scan-1col', sql: scan1, columns: ['action'], episodes: null },
    { id: 'per-episode', sql: perEpisode, columns: ['episode_index', 'observation.state', 'timestamp'], episodes: null },
    {
      id: 'windows',
      sql: windows,
      columns: ['episode_index', 'frame_index', 'observation.state', 'action'],
      episodes: ids,
      floatColumns,
      note: `${onsets.length} windows of ${2 * half} frames × ${floatColumns.length} floats`,
    },
    { id: 'scan-all', sql: scanAll, columns: all, episodes: null },
  ];
}

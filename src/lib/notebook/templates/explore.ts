import type { NotebookDoc } from '../types';
import type { SourceDecl } from '../../ingest/source';

/** A first look at any LeRobot dataset: a per-feature profile, episode durations, tasks and per-frame columns. */
export function exploreNotebook(sources: SourceDecl[]): NotebookDoc {
  return {
    version: 1,
    title: 'Dataset overview',
    sources,
    cells: [
      {
        id: 'intro',
        kind: 'markdown',
        name: 'intro',
        source:
          '# Dataset overview\nThe dataset is open as `episodes` (one row per episode), `frames` (one row per frame, every numeric feature as a column), `tasks` ' +
          'and `feature_stats` (the per-feature profile, below). Edit any SQL and press **Shift+Enter**.',
      },
      {
        id: 'profile_note',
        kind: 'markdown',
        name: 'profile_note',
        // Not run on open: the NaN counts and histograms read every frame of the profiled columns, which on a large
        // remote dataset is far more than opening should fetch. The user runs it when they want it.
        source:
          '**Per-feature profile**: `SELECT * FROM feature_stats` gives one row per joint or action dimension, named from ' +
          'info.json: min/max/mean/std from `meta/stats.json` (or `episodes_stats.jsonl`, pooled), else from the frames, and ' +
          'a NaN count and a 16-bin histogram from the frames (it reads every frame of those columns, through the fetch budget).',
      },
      {
        id: 'lengths',
        kind: 'sql',
        name: 'episode_lengths',
        source: `SELECT episode_index, length, round(duration_s, 2) AS duration_s, task
FROM episodes
ORDER BY episode_index`,
      },
      {
        id: 'duration_bins',
        kind: 'sql',
        name: 'duration_histogram',
        source: `-- Episode durations in bins of a round width: about 20 bins over the range, never narrower than 5% of the
-- median duration (4 episodes of 12.40–12.47 s share one bar instead of spreading over 0.005 s ticks)
WITH d AS (SELECT duration_s FROM episodes WHERE duration_s IS NOT NULL),
r AS (SELECT greatest((max(duration_s) - min(duration_s)) / 20, 0.05 * median(duration_s), 1e-3) AS raw FROM d),
w AS (SELECT pow(10, floor(log10(raw))) * CASE WHEN raw / pow(10, floor(log10(raw))) > 5 THEN 10 WHEN raw / pow(10, floor(log10(raw))) > 2 THEN 5 WHEN raw / pow(10, floor(log10(raw))) > 1 THEN 2 ELSE 1 END AS width FROM r)
SELECT floor(duration_s / width) * width AS bin_start, printf('%g–%g s', floor(duration_s / width) * width, (floor(duration_s / width) + 1) * width) AS duration, count(*) AS episodes
FROM d, w GROUP BY ALL ORDER BY bin_start`,
      },
      {
        id: 'lengths_chart',
        kind: 'plot',
        name: 'lengths_chart',
        source: '',
        plot: { data: 'duration_histogram', mark: 'barY', x: 'duration', y: 'episodes', sort: { x: 'bin_start' }, title: 'Episode durations', xLabel: 'duration', yLabel: 'episodes' },
      },
      {
        id: 'per_task',
        kind: 'sql',
        name: 'per_task',
        source: `SELECT task, count(*) AS episodes, sum(length) AS frames, round(avg(duration_s), 2) AS mean_duration_s
FROM episodes
GROUP BY task
ORDER BY episodes DESC`,
      },
      {
        id: 'tasks_chart',
        kind: 'plot',
        name: 'tasks_chart',
        source: '',
        plot: { data: 'per_task', mark: 'barX', y: 'task', x: 'episodes', sort: { x: 'episodes', descending: true }, title: 'Episodes per task', xLabel: 'episodes' },
      },
      {
        id: 'first_episode',
        kind: 'sql',
        name: 'first_episode_frames',
        source: `-- Frames are read lazily: this fetches only episode 0's row groups, not the whole dataset.
-- Remove the WHERE clause to scan every frame (Flywheel asks first when that exceeds the budget).
SELECT * FROM frames WHERE episode_index = 0 ORDER BY frame_index`,
      },
    ],
  };
}

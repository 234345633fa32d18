import type { NotebookDoc } from '../types';
import type { SourceDecl } from '../../ingest/source';

/** A first look at any LeRobot dataset: episodes, lengths, tasks and per-frame columns. */
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
          '# Dataset overview\nThe dataset is open as `episodes` (one row per episode), `frames` (one row per frame, every numeric feature as a column) and `tasks`. ' +
          'Edit any SQL and press **Shift+Enter**.',
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
        id: 'lengths_chart',
        kind: 'plot',
        name: 'lengths_chart',
        source: '',
        plot: { data: 'episode_lengths', mark: 'dot', x: 'episode_index', y: 'duration_s', title: 'Episode duration (s)', xLabel: 'episode', yLabel: 'seconds' },
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

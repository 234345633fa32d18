/**
 * The dataset's feature profile in the worker: reads its statistics files when it has them and builds the
 * `feature_stats` table from the frames the first time a query names it (lazily, because the NaN counts and the
 * histograms need every frame of the profiled columns, which a large remote dataset should fetch only on demand,
 * through the same budget check as any query).
 */
import {
  FILE_STATS_TABLE,
  featureProfileSql,
  poolEpisodeStats,
  profiledColumns,
  statsJsonRows,
  type FileStatRow,
  type ProfiledColumn,
} from '../../src/lib/ingest/lerobot/profile';
import { parseJsonl, rowsToIpc } from './arrow-build';
import type { Engine } from './engine';
import type { DatasetSummary } from './lerobot';
import type { DatasetReader } from './reader';
import type { ColumnInfo } from './types';

/**
 * Reads `meta/stats.json`, else `meta/episodes_stats.jsonl` (pooled), into {@link FILE_STATS_TABLE} (empty when
 * the dataset has neither, or they cannot be parsed: the profile then computes everything from the frames), and
 * returns the SQL that builds the profile.
 */
export async function prepareFeatureProfile(engine: Engine, reader: DatasetReader, summary: DatasetSummary, frameColumns: readonly ColumnInfo[]): Promise<string> {
  const columns: ProfiledColumn[] = profiledColumns(summary.info.features, frameColumns);
  let rows: FileStatRow[] = [];
  try {
    const stats = await reader.text('meta/stats.json');
    if (stats != null) rows = statsJsonRows(JSON.parse(stats), columns);
    if (rows.length === 0) {
      const perEpisode = await reader.text('meta/episodes_stats.jsonl');
      if (perEpisode != null) rows = poolEpisodeStats(parseJsonl(perEpisode, 'meta/episodes_stats.jsonl'), columns);
    }
  } catch {
    // A malformed stats file is not worth refusing the dataset over: the frames give the same numbers.
    rows = [];
  }
  await engine.drop(FILE_STATS_TABLE);
  await engine.insertIpc(
    FILE_STATS_TABLE,
    rowsToIpc(rows as unknown as Record<string, unknown>[], { feature: 'utf8', element: 'int64', min: 'float64', max: 'float64', mean: 'float64', std: 'float64', count: 'int64', source: 'utf8' }),
    true,
  );
  return featureProfileSql(columns);
}

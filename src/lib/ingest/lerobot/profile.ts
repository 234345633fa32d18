/**
 * The per-feature profile of a LeRobot dataset: one row per numeric feature element (each joint of
 * `observation.state`, each action dimension, each scalar reading) with its name from info.json, min, max, mean,
 * std, NaN count and a sparkline histogram. Min/max/mean/std come from the dataset's own statistics when it ships
 * them (v3.0 `meta/stats.json`, or v2.1 `meta/episodes_stats.jsonl` pooled over episodes), else from the frames;
 * the NaN count and the histogram always come from the frames (no stats file holds them). Pure: the worker reads
 * the files and runs the SQL.
 */
import type { FeatureInfo } from './info.ts';
import { quoteIdent, quoteString } from '../../util/sql.ts';

/** The table the profile is materialised as (built by the worker the first time a query names it). */
export const PROFILE_TABLE = 'feature_stats';
/** The table holding the statistics read from the dataset's files (empty when it has none). */
export const FILE_STATS_TABLE = '_feature_file_stats';
/** Histogram bins of the sparkline. */
export const PROFILE_BINS = 16;
/** Vectors longer than this are profiled by their first elements only (an image-sized feature is not a joint). */
export const MAX_PROFILE_ELEMENTS = 64;
/** Bookkeeping columns every LeRobot frame has; their profile says nothing about the robot. */
const BOOKKEEPING = new Set(['index', 'episode_index', 'frame_index', 'task_index', 'timestamp']);

/** One element's statistics as a stats file gives them. */
export interface FileStatRow {
  feature: string;
  element: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  count: number | null;
  source: string;
}

/** A per-frame column the profile covers: its key, how many elements, and whether it is a list. */
export interface ProfiledColumn {
  key: string;
  elements: number;
  list: boolean;
  names: string[] | null;
}

/**
 * The numeric per-frame columns worth profiling, from info.json's features and the frames' actual column types
 * (a shape-[1] feature may be stored as a scalar or as a one-element list).
 */
export function profiledColumns(features: readonly FeatureInfo[], frameColumns: readonly { name: string; type: string }[]): ProfiledColumn[] {
  const types = new Map(frameColumns.map((c) => [c.name, c.type.toUpperCase()]));
  const out: ProfiledColumn[] = [];
  for (const f of features) {
    if (f.isVideo || !f.isNumeric || BOOKKEEPING.has(f.key) || /^bool/.test(f.dtype)) continue;
    const type = types.get(f.key);
    if (type === undefined || type.startsWith('BOOL')) continue;
    const list = type.endsWith(']');
    const n = list ? Math.min(MAX_PROFILE_ELEMENTS, Math.max(1, f.shape.reduce((a, b) => a * b, 1))) : 1;
    out.push({ key: f.key, elements: n, list, names: f.names });
  }
  return out;
}

const asNumbers = (v: unknown): (number | null)[] | null => {
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v)) return null;
  const flat = v.flat(Infinity);
  return flat.map((x) => (typeof x === 'number' && Number.isFinite(x) ? x : null));
};

/** Rows of `meta/stats.json` (`{feature: {min, max, mean, std, count}}`) for the profiled columns. */
export function statsJsonRows(json: unknown, columns: readonly ProfiledColumn[], source = 'meta/stats.json'): FileStatRow[] {
  if (typeof json !== 'object' || json === null) return [];
  const stats = json as Record<string, Record<string, unknown> | undefined>;
  const rows: FileStatRow[] = [];
  for (const c of columns) {
    const s = stats[c.key];
    if (!s || typeof s !== 'object') continue;
    const [min, max, mean, std, count] = ['min', 'max', 'mean', 'std', 'count'].map((k) => asNumbers(s[k]));
    for (let i = 0; i < c.elements; i++) {
      rows.push({ feature: c.key, element: i + 1, min: min?.[i] ?? null, max: max?.[i] ?? null, mean: mean?.[i] ?? null, std: std?.[i] ?? null, count: count?.[0] ?? null, source });
    }
  }
  return rows;
}

/**
 * Pools the per-episode statistics of `meta/episodes_stats.jsonl` (v2.1: `{episode_index, stats: {feature:
 * {min, max, mean, std, count}}}`) into dataset statistics: min of mins, max of maxes, count-weighted mean, and the
 * standard deviation of the union (within-episode variance plus the spread of episode means, by count).
 */
export function poolEpisodeStats(lines: readonly Record<string, unknown>[], columns: readonly ProfiledColumn[]): FileStatRow[] {
  const rows: FileStatRow[] = [];
  for (const c of columns) {
    for (let i = 0; i < c.elements; i++) {
      let n = 0;
      let sum = 0;
      let sumSq = 0;
      let min = Infinity;
      let max = -Infinity;
      for (const line of lines) {
        const s = (line.stats as Record<string, Record<string, unknown>> | undefined)?.[c.key];
        if (!s) continue;
        const k = asNumbers(s.count)?.[0] ?? null;
        const mean = asNumbers(s.mean)?.[i] ?? null;
        const std = asNumbers(s.std)?.[i] ?? null;
        const lo = asNumbers(s.min)?.[i] ?? null;
        const hi = asNumbers(s.max)?.[i] ?? null;
        if (k === null || k <= 0 || mean === null || std === null) continue;
        n += k;
        sum += k * mean;
        sumSq += k * (std * std + mean * mean);
        if (lo !== null) min = Math.min(min, lo);
        if (hi !== null) max = Math.max(max, hi);
      }
      if (n === 0) continue;
      const mean = sum / n;
      rows.push({
        feature: c.key,
        element: i + 1,
        min: Number.isFinite(min) ? min : null,
        max: Number.isFinite(max) ? max : null,
        mean,
        std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)),
        count: n,
        source: 'meta/episodes_stats.jsonl (pooled over episodes)',
      });
    }
  }
  return rows;
}

/**
 * SQL that builds the profile from the frames (NaN counts, histograms; min/max/mean/std where no stats file gave
 * them): `feature, element, name, min, max, mean, std, nan, histogram, source`. The histogram spans the
 * element's min–max in {@link PROFILE_BINS} bins, drawn as block characters (▁ few … █ most, blank none).
 */
export function featureProfileSql(columns: readonly ProfiledColumn[], fileStats = FILE_STATS_TABLE): string {
  if (columns.length === 0) {
    return `SELECT NULL::VARCHAR AS feature, NULL::BIGINT AS element, NULL::VARCHAR AS name, NULL::DOUBLE AS min, NULL::DOUBLE AS max, NULL::DOUBLE AS mean, NULL::DOUBLE AS std, NULL::BIGINT AS nan, NULL::VARCHAR AS histogram, NULL::VARCHAR AS source WHERE false`;
  }
  const values = columns
    .map((c) =>
      c.list
        ? `SELECT ${quoteString(c.key)} AS feature, u.i AS element, ${quoteIdent(c.key)}[u.i]::DOUBLE AS value FROM frames, range(1, ${c.elements + 1}) u(i)`
        : `SELECT ${quoteString(c.key)} AS feature, 1 AS element, ${quoteIdent(c.key)}::DOUBLE AS value FROM frames`,
    )
    .join('\n  UNION ALL ');
  const names = columns.flatMap((c) =>
    Array.from({ length: c.elements }, (_, i) => `(${quoteString(c.key)}, ${i + 1}, ${c.names?.[i] !== undefined ? quoteString(c.names[i]) : 'NULL'})`),
  );
  const B = PROFILE_BINS;
  return `WITH v AS (
  ${values}
),
names(feature, element, name) AS (VALUES ${names.join(', ')}),
agg AS (
  SELECT feature, element, min(value) FILTER (WHERE NOT isnan(value)) AS min, max(value) FILTER (WHERE NOT isnan(value)) AS max,
         avg(value) FILTER (WHERE NOT isnan(value)) AS mean, stddev_pop(value) FILTER (WHERE NOT isnan(value)) AS std,
         count(*) FILTER (WHERE isnan(value)) AS nan
  FROM v GROUP BY ALL
),
prof AS (
  SELECT a.feature, a.element, coalesce(s.min, a.min) AS min, coalesce(s.max, a.max) AS max, coalesce(s.mean, a.mean) AS mean,
         coalesce(s.std, a.std) AS std, a.nan, coalesce(s.source, 'frames (no stats file)') AS source
  FROM agg a LEFT JOIN ${quoteIdent(fileStats)} s USING (feature, element)
),
bins AS (
  SELECT v.feature, v.element, least(${B - 1}, greatest(0, floor(${B} * (v.value - p.min) / nullif(p.max - p.min, 0))))::INT AS bin, count(*) AS n
  FROM v JOIN prof p USING (feature, element) WHERE NOT isnan(v.value) GROUP BY ALL
),
spark AS (
  SELECT p.feature, p.element,
         string_agg(CASE WHEN coalesce(b.n, 0) = 0 THEN ' ' ELSE chr(9601 + round(7 * b.n / m.mx)::INT) END, '' ORDER BY r.bin) AS histogram
  FROM prof p CROSS JOIN range(0, ${B}) r(bin)
  LEFT JOIN bins b ON b.feature = p.feature AND b.element = p.element AND b.bin = r.bin
  JOIN (SELECT feature, element, max(n) AS mx FROM bins GROUP BY ALL) m ON m.feature = p.feature AND m.element = p.element
  GROUP BY ALL
)
SELECT p.feature, p.element, n.name, p.min, p.max, p.mean, p.std, p.nan, s.histogram, p.source
FROM prof p LEFT JOIN names n USING (feature, element) LEFT JOIN spark s USING (feature, element)
ORDER BY list_position([${columns.map((c) => quoteString(c.key)).join(', ')}], p.feature), p.element`;
}

/**
 * The episode browser's queries: one row per episode of the canonical `episodes` view, with per-episode stats of
 * a chosen per-frame column, filtered by a SQL WHERE and facet chips, sorted by any column. Pure SQL text; the
 * browser materialises the result once per change and pages through it like any result grid.
 */
import { quoteIdent, quoteString } from '../util/sql';

/** What the browser shows. */
export interface BrowseSpec {
  /** A SQL condition over the listed columns (episodes' and the stats'), or '' for every episode. */
  where: string;
  /** Facet chips: column → values kept (OR within a column, AND across columns). */
  facets: Record<string, (string | number | boolean | null)[]>;
  sort: { column: string; desc: boolean };
  /** A numeric per-frame column of `frames` whose per-episode min/max/mean/std are listed, or null. */
  stat: string | null;
}

/** The table the browser materialises (underscored: the catalog does not list it as a result). */
export const BROWSE_TABLE = '_episode_browser';

/** Default: every episode in index order, no stats (opening reads no frame data). */
export function defaultBrowse(): BrowseSpec {
  return { where: '', facets: {}, sort: { column: 'episode_index', desc: false }, stat: null };
}

/** Names of the stats columns for a stat column. */
export const STAT_COLUMNS = ['stat_min', 'stat_max', 'stat_mean', 'stat_std'] as const;

function literal(v: string | number | boolean | null): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return quoteString(v);
}

/** The condition of one facet (values OR-ed; a NULL chip matches NULL). */
export function facetCondition(column: string, values: readonly (string | number | boolean | null)[]): string {
  const col = quoteIdent(column);
  const plain = values.filter((v) => v !== null);
  const parts: string[] = [];
  // Compared as text: a chip's value came back through JS, so an INTEGER policy_version and '3' must match.
  if (plain.length) parts.push(`CAST(${col} AS VARCHAR) IN (${plain.map((v) => literal(String(v))).join(', ')})`);
  if (values.includes(null)) parts.push(`${col} IS NULL`);
  return parts.length ? `(${parts.join(' OR ')})` : 'TRUE';
}

/**
 * The browser's SELECT. Stats read one column of `frames` for every episode (lazily, through the frames planner:
 * only that column and `episode_index` are fetched); the user's WHERE applies after the join so it can use them.
 */
export function browseSql(spec: BrowseSpec): string {
  const stat = spec.stat
    ? `LEFT JOIN (SELECT episode_index, min(v)::DOUBLE AS stat_min, max(v)::DOUBLE AS stat_max, avg(v)::DOUBLE AS stat_mean, stddev_samp(v)::DOUBLE AS stat_std
       FROM (SELECT episode_index, ${quoteIdent(spec.stat)}::DOUBLE AS v FROM frames) GROUP BY episode_index) s USING (episode_index)`
    : '';
  const conds = Object.entries(spec.facets)
    .filter(([, vals]) => vals.length)
    .map(([c, vals]) => facetCondition(c, vals));
  if (spec.where.trim()) conds.push(`(${spec.where.trim().replace(/;+\s*$/, '')})`);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const dir = spec.sort.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST';
  const order = spec.sort.column === 'episode_index' ? `episode_index ${dir}` : `${quoteIdent(spec.sort.column)} ${dir}, episode_index`;
  return `SELECT * FROM (SELECT e.*${spec.stat ? ', s.stat_min, s.stat_max, s.stat_mean, s.stat_std' : ''} FROM episodes e ${stat}) b ${where} ORDER BY ${order}`;
}

/** Columns worth a facet: text, boolean or small-integer columns of `episodes` (their distinct counts decide). */
export function facetCandidates(columns: readonly { name: string; type: string }[]): string[] {
  const skip = new Set(['episode_index', 'length', 'duration_s', 'review_note', 'notes', 'failure_onset_s']);
  return columns.filter((c) => !skip.has(c.name) && /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER)$/i.test(c.type.trim())).map((c) => c.name);
}

/** Distinct-count query for the facet candidates (one scan of `episodes`). */
export function distinctSql(columns: readonly string[]): string {
  return `SELECT ${columns.map((c, i) => `count(DISTINCT ${quoteIdent(c)})::INT AS d${i}`).join(', ')} FROM episodes`;
}

/** The values of a facet with their episode counts, most common first (NULL included). */
export function facetValuesSql(column: string, limit = 24): string {
  const col = quoteIdent(column);
  return `SELECT ${col} AS value, count(*)::INT AS n FROM episodes GROUP BY 1 ORDER BY n DESC, 1 NULLS LAST LIMIT ${Math.max(1, Math.trunc(limit))}`;
}

/**
 * Saves a selection as a named table a notebook can read: the chosen episodes' full `episodes` rows, or (with
 * `all`) every episode the browser currently lists.
 */
export function selectionSql(name: string, episodes: readonly number[] | 'all'): string {
  const which = episodes === 'all' ? `SELECT episode_index FROM ${BROWSE_TABLE}` : episodes.length ? episodes.map((e) => String(Math.trunc(e))).join(', ') : 'NULL';
  return `CREATE OR REPLACE TABLE ${quoteIdent(name)} AS SELECT * FROM episodes WHERE episode_index IN (${which}) ORDER BY episode_index`;
}

/** A name a selection can take: a SQL identifier that is not one of the app's own tables. */
export function validSelectionName(name: string, reserved: readonly string[]): string | null {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) return 'Use letters, digits and _ (not starting with a digit), e.g. selected_episodes.';
  if (name.startsWith('_')) return 'Names starting with _ are the app’s own.';
  if (reserved.includes(name)) return `${name} is a source table; choose another name.`;
  return null;
}

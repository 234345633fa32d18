/**
 * What a query needs from `frames`, read from DuckDB's own plan. DuckDB-WASM cannot scan Parquet itself offline
 * (stack.md G1), so the app loads frame data into DuckDB before a query runs; asking DuckDB to EXPLAIN the query
 * against an empty table of the right shape gives exactly the columns its scans project and the filters it pushes
 * down, with DuckDB's full SQL semantics and no SQL parsing of ours.
 */

/** The needs of one query: columns to load, and the episodes it can possibly read (null = all). */
export interface FramesNeed {
  columns: string[];
  episodes: EpisodeSet | null;
}

/** A set of episode indexes as sorted, non-overlapping inclusive ranges. */
export type EpisodeSet = [number, number][];

interface PlanNode {
  name?: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

/**
 * Extracts the needs of every scan of `table` in an `EXPLAIN (FORMAT json)` plan.
 * @param planJson the `explain_value` text of the plan
 * @param table the table that stands for `frames` while planning
 * @param minimalColumn loaded when a scan projects nothing (e.g. `count(*)`), so row counts stay right
 */
export function needsFromPlan(planJson: string, table: string, allColumns: string[], minimalColumn: string): FramesNeed | null {
  const roots = JSON.parse(planJson) as PlanNode[];
  const scans: Record<string, unknown>[] = [];
  const walk = (n: PlanNode): void => {
    const info = n.extra_info ?? {};
    if (String(n.name ?? '').trim().endsWith('SCAN') && info.Table === table) scans.push(info);
    for (const c of n.children ?? []) walk(c);
  };
  for (const r of roots) walk(r);
  if (!scans.length) return null;
  const columns = new Set<string>();
  let episodes: EpisodeSet | null = [];
  for (const scan of scans) {
    for (const c of asList(scan.Projections)) columns.add(c);
    const filters = asList(scan.Filters);
    for (const f of filters) for (const c of filterColumns(f, allColumns)) columns.add(c);
    const eps = episodeFilter(filters);
    episodes = eps === null || episodes === null ? null : union(episodes, eps);
  }
  if (!columns.size) columns.add(minimalColumn);
  return { columns: [...columns], episodes };
}

function asList(v: unknown): string[] {
  if (v == null) return [];
  if (Array.isArray(v)) return v.map(String);
  return String(v).split('\n').map((s) => s.trim()).filter(Boolean);
}

/**
 * Known columns mentioned in a pushed-down filter (`frame_index>10`, `optional: episode_index IN (3, 9)`).
 * Matching known names as whole tokens is robust to DuckDB's printing of operators; names are tried longest
 * first so `action.original` is not also read as `action`.
 */
function filterColumns(filter: string, allColumns: string[]): string[] {
  const out: string[] = [];
  let rest = ` ${filter} `;
  for (const c of [...allColumns].sort((a, b) => b.length - a.length)) {
    // Bounded by what DuckDB prints around a column: spaces, parentheses, quotes, operators, and the comma of a
    // function argument (`array_extract(observation.state, 1) > -100.0` is how `"observation.state"[1] > -100` prints).
    const re = new RegExp(`(?<=[\\s(",])${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s)"=<>!\\[,])`);
    if (re.test(rest)) {
      out.push(c);
      rest = rest.replace(new RegExp(re.source, 'g'), ' ');
    }
  }
  return out;
}

/**
 * Episodes allowed by the scan's filters on `episode_index`, or null when they do not restrict it.
 * Only the forms DuckDB prints for pushed-down filters are recognised; anything else means "all episodes",
 * which is always correct (the query's own WHERE still applies), just slower.
 */
export function episodeFilter(filters: string[]): EpisodeSet | null {
  let lo = -Infinity;
  let hi = Infinity;
  let list: number[] | null = null;
  let restricted = false;
  for (const raw of filters) {
    for (const part of raw.replace(/^optional:\s*/, '').split(/\s+AND\s+/)) {
      const p = part.trim();
      let m: RegExpExecArray | null;
      if ((m = /^episode_index\s*=\s*(-?\d+)$/.exec(p))) {
        lo = Math.max(lo, Number(m[1]));
        hi = Math.min(hi, Number(m[1]));
        restricted = true;
      } else if ((m = /^episode_index\s*(>=|>|<=|<)\s*(-?\d+)$/.exec(p))) {
        const v = Number(m[2]);
        if (m[1] === '>=') lo = Math.max(lo, v);
        if (m[1] === '>') lo = Math.max(lo, v + 1);
        if (m[1] === '<=') hi = Math.min(hi, v);
        if (m[1] === '<') hi = Math.min(hi, v - 1);
        restricted = true;
      } else if ((m = /^episode_index\s+IN\s*\(([-\d,\s]+)\)$/.exec(p))) {
        const vals = m[1].split(',').map((s) => Number(s.trim()));
        list = list ? list.filter((v) => vals.includes(v)) : vals;
        restricted = true;
      }
    }
  }
  if (!restricted) return null;
  if (list) return toRanges(list.filter((v) => v >= lo && v <= hi));
  return lo <= hi ? [[lo, hi]] : [];
}

function toRanges(values: number[]): EpisodeSet {
  const sorted = [...new Set(values)].sort((a, b) => a - b);
  const out: EpisodeSet = [];
  for (const v of sorted) {
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

/** Union of two episode sets. */
export function union(a: EpisodeSet, b: EpisodeSet): EpisodeSet {
  const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
  const out: EpisodeSet = [];
  for (const [s, e] of all) {
    const last = out[out.length - 1];
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Whether episode `e` is in the set (null = every episode). */
export function hasEpisode(set: EpisodeSet | null, e: number): boolean {
  if (set === null) return true;
  return set.some(([s, t]) => e >= s && e <= t);
}

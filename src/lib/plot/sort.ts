/**
 * Interpreting `spec.sort`: what the categorical axis is ordered by.
 *
 * `sort.x` is deliberately forgiving because people write both `{"x": "y"}` (Plot's channel idiom)
 * and `{"x": "success_rate"}` (the column they mean); both resolve to the same thing.
 */
import type { ChannelKey, PlotSpec } from './spec.ts';

/** What the categorical axis is ordered by, in terms of the spec's own keys. */
export type ResolvedSort =
  | { kind: 'self'; descending: boolean }
  | { kind: 'channel'; key: ChannelKey; column: string | undefined; descending: boolean }
  | { kind: 'column'; column: string; descending: boolean };

/** Channels a sort may refer to by keyword; facets are excluded because they are not values. */
const SORTABLE: readonly ChannelKey[] = ['y', 'x', 'fill', 'stroke', 'r', 'text'];

/** The spec key whose values form the categorical axis (barX and tickX are horizontal). */
export function categoryKey(spec: Pick<PlotSpec, 'mark'>): 'x' | 'y' {
  return spec.mark === 'barX' || spec.mark === 'tickX' ? 'y' : 'x';
}

/**
 * The value channel a mark computes itself when it is not given one: bar marks without a value
 * column count rows per category, so they still have a 'y' (or 'x' for barX) to sort by.
 */
export function aggregatedKey(spec: Pick<PlotSpec, 'mark' | 'x' | 'y'>): 'x' | 'y' | undefined {
  if ((spec.mark === 'barY' || spec.mark === 'rectY') && spec.y === undefined) return 'y';
  if (spec.mark === 'barX' && spec.x === undefined) return 'x';
  return undefined;
}

/** Resolve `spec.sort`, or null when the spec has none. */
export function resolveSort(spec: PlotSpec): ResolvedSort | null {
  if (spec.sort === undefined) return null;
  const descending = spec.sort.descending === true;
  const by = spec.sort.x;
  const category = categoryKey(spec);
  if (by === undefined) return { kind: 'self', descending };

  // A column already drawn by some channel: sort by that channel (its values may be aggregated).
  for (const key of SORTABLE) {
    if (spec[key] === by) return key === category ? { kind: 'self', descending } : { kind: 'channel', key, column: by, descending };
  }
  // A channel keyword the mark actually has.
  const keyword = SORTABLE.find((k) => k === by);
  if (keyword !== undefined && (spec[keyword] !== undefined || aggregatedKey(spec) === keyword)) {
    return keyword === category
      ? { kind: 'self', descending }
      : { kind: 'channel', key: keyword, column: spec[keyword], descending };
  }
  return { kind: 'column', column: by, descending };
}

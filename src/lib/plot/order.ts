/**
 * Turning a resolved `spec.sort` into Plot options: either a mark `sort` option (Plot reduces the
 * channel per category itself, which also covers counts and stacked totals) or, for a column that
 * no channel draws, an explicit scale domain computed here.
 */
import type { ChannelDomainSort } from '@observablehq/plot';
import { isMissing } from './infer.ts';
import type { MarkPlan, PositionScale } from './plan.ts';
import type { ResolvedSort } from './sort.ts';

/** Either a Plot mark sort option or an explicit domain for the category scale; empty for none. */
export interface CategoryOrder {
  markSort?: ChannelDomainSort;
  domain?: { scale: PositionScale; values: unknown[] };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return 1; // categories with no sort value go last
  if (b === undefined) return -1;
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x) < String(y) ? -1 : String(x) > String(y) ? 1 : 0;
}

/**
 * Categories of `categoryColumn` (first-seen order) ordered by the maximum of `byColumn` within each
 * category; ties keep first-seen order. Dates are grouped by their time value.
 */
export function domainByColumn(
  rows: readonly Record<string, unknown>[],
  categoryColumn: string,
  byColumn: string,
  descending: boolean,
): unknown[] {
  const best = new Map<unknown, { category: unknown; value: unknown; order: number }>();
  for (const row of rows) {
    const category = row[categoryColumn];
    if (isMissing(category)) continue;
    const key = category instanceof Date ? category.getTime() : category;
    const value = isMissing(row[byColumn]) ? undefined : row[byColumn];
    const entry = best.get(key);
    if (entry === undefined) best.set(key, { category, value, order: best.size });
    else if (value !== undefined && (entry.value === undefined || compare(value, entry.value) > 0)) entry.value = value;
  }
  const entries = [...best.values()];
  entries.sort((a, b) => {
    if (a.value === undefined || b.value === undefined) return compare(a.value, b.value) || a.order - b.order;
    return (descending ? -compare(a.value, b.value) : compare(a.value, b.value)) || a.order - b.order;
  });
  return entries.map((e) => e.category);
}

/** Distinct categories in natural ascending order (numbers and dates by value, strings by code point). */
export function naturalDomain(rows: readonly Record<string, unknown>[], column: string): unknown[] {
  const seen = new Map<unknown, unknown>();
  for (const row of rows) {
    const v = row[column];
    if (isMissing(v)) continue;
    const key = v instanceof Date ? v.getTime() : v;
    if (!seen.has(key)) seen.set(key, v);
  }
  return [...seen.values()].sort(compare);
}

/** The Plot options that realise `sort` for a chart with the given plan. */
export function categoryOrder(
  sort: ResolvedSort | null,
  plan: MarkPlan,
  rows: readonly Record<string, unknown>[],
): CategoryOrder {
  const scale = plan.category;
  if (sort === null || scale === null || plan.categoryColumn === undefined) return {};
  const reverse = sort.descending;
  // Plot already orders categories naturally (ascending), so only the descending case needs a domain.
  if (sort.kind === 'self') return reverse ? { domain: { scale, values: naturalDomain(rows, plan.categoryColumn).reverse() } } : {};
  if (sort.kind === 'channel') {
    // The count or bin output is the value channel even though no column draws it.
    const channel = plan.channelOf[sort.key] ?? (plan.aggregated && sort.key === plan.value ? plan.value : undefined);
    if (channel !== undefined) return { markSort: { [scale]: channel, reverse } };
    // The mark does not draw that channel (e.g. r on a bar): order by its column directly.
    if (sort.column === undefined) return {};
    return { domain: { scale, values: domainByColumn(rows, plan.categoryColumn, sort.column, reverse) } };
  }
  return { domain: { scale, values: domainByColumn(rows, plan.categoryColumn, sort.column, reverse) } };
}

/**
 * Which result columns a plot spec reads, and whether the result actually has them.
 */
import { resolveSort } from './sort.ts';
import { CHANNEL_KEYS, type PlotSpec } from './spec.ts';
import { didYouMean } from './suggest.ts';

/** A result column as described by the query layer (type is DuckDB's type name). */
export interface ResultColumn {
  name: string;
  type: string;
}

/** How many column names an error message lists before eliding the rest. */
const MAX_LISTED = 30;

/** The column names the spec references (channels, then a sort column), each once, in spec order. */
export function columnsUsed(spec: PlotSpec): string[] {
  const used = new Set<string>();
  for (const key of CHANNEL_KEYS) {
    const column = spec[key];
    if (column !== undefined) used.add(column);
  }
  const sort = resolveSort(spec);
  if (sort?.kind === 'column') used.add(sort.column);
  return [...used];
}

/**
 * One readable error per referenced column the result lacks, e.g.
 * `Column "sucess_rate" not found in result "by_version" (columns: policy_version, success_rate, n). Did you mean "success_rate"?`
 * Matching is exact (DuckDB result column names are case-preserving). Empty when all are present.
 */
export function checkColumns(spec: PlotSpec, columns: readonly ResultColumn[]): string[] {
  const names = columns.map((c) => c.name);
  const present = new Set(names);
  const listed =
    names.length === 0
      ? 'it has no columns'
      : `columns: ${names.slice(0, MAX_LISTED).join(', ')}${names.length > MAX_LISTED ? `, … (${names.length - MAX_LISTED} more)` : ''}`;
  return columnsUsed(spec)
    .filter((column) => !present.has(column))
    .map((column) => `Column "${column}" not found in result "${spec.data}" (${listed}).${didYouMean(column, names)}`);
}

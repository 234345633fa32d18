/**
 * Detecting what a column holds from its values, so chart defaults follow the data rather than
 * DuckDB type names (a DECIMAL, a HUGEINT and a DOUBLE all reach us as JS numbers).
 */

/** What a column's non-missing values are. 'empty' when every value is missing. */
export type ValueKind = 'number' | 'date' | 'boolean' | 'string' | 'mixed' | 'empty';

/** Null, undefined and NaN (including Invalid Date) are "missing" and never plotted. */
export function isMissing(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'number') return Number.isNaN(value);
  if (value instanceof Date) return Number.isNaN(value.getTime());
  return false;
}

function kindOf(value: unknown): ValueKind {
  if (typeof value === 'number') return 'number';
  if (value instanceof Date) return 'date';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'mixed';
}

/** The kind shared by all non-missing values of `column`, 'mixed' if they disagree. */
export function columnKind(rows: readonly Record<string, unknown>[], column: string): ValueKind {
  let kind: ValueKind = 'empty';
  for (const row of rows) {
    const value = row[column];
    if (isMissing(value)) continue;
    const k = kindOf(value);
    if (kind === 'empty') kind = k;
    else if (k !== kind) return 'mixed';
    if (kind === 'mixed') return kind;
  }
  return kind;
}

/** Quantitative kinds map to continuous scales; the rest to ordinal ones. */
export function isContinuousKind(kind: ValueKind): boolean {
  return kind === 'number' || kind === 'date';
}

/** Distinct non-missing values of `column`, stopping early once more than `limit` are seen. */
export function distinctValues(rows: readonly Record<string, unknown>[], column: string, limit: number): unknown[] {
  const seen = new Set<unknown>();
  for (const row of rows) {
    const value = row[column];
    if (isMissing(value)) continue;
    seen.add(value instanceof Date ? value.getTime() : value);
    if (seen.size > limit) break;
  }
  return [...seen];
}

/**
 * True when a numeric column is really a small set of labels (e.g. policy_version 1–5), which reads
 * better as distinct colors than as a gradient.
 */
export function looksCategoricalNumber(rows: readonly Record<string, unknown>[], column: string, maxDistinct = 10): boolean {
  const values = distinctValues(rows, column, maxDistinct);
  return values.length <= maxDistinct && values.every((v) => typeof v === 'number' && Number.isInteger(v));
}

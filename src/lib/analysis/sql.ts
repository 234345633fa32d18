/**
 * Small SQL-writing helpers shared by the analysis jobs. Every job emits SQL that users see and edit in a
 * notebook, so the helpers aim for readable output as much as for safety: identifiers are always quoted,
 * values are always literals (never spliced text), numbers are written so DuckDB reads them as DOUBLE.
 */
import { quoteIdent, quoteString } from '../util/sql.ts';

export { quoteIdent, quoteString };

/**
 * A DOUBLE literal. DuckDB reads `0.65` as DECIMAL(3,2), whose arithmetic rounds differently from the
 * IEEE doubles the TS reference implementations use; casting keeps SQL and TS bit-for-bit comparable.
 */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`Not a finite number: ${x}`);
  return `${x}::DOUBLE`;
}

/** An integer literal (BIGINT in DuckDB). */
export function int(x: number): string {
  if (!Number.isSafeInteger(x)) throw new Error(`Not a whole number: ${x}`);
  return String(x);
}

/** A BOOLEAN literal. */
export function bool(x: boolean): string {
  return x ? 'true' : 'false';
}

/** SQL column types the inline tables use. */
export type SqlType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN';

/** A literal of the given type (numbers for a DOUBLE column become `x::DOUBLE`, see {@link num}). */
export function typedLiteral(x: string | number | boolean | null, type: SqlType): string {
  if (x === null) return `NULL::${type}`;
  switch (type) {
    case 'VARCHAR':
      return quoteString(String(x));
    case 'DOUBLE':
      return num(Number(x));
    case 'BIGINT':
      return int(Number(x));
    case 'BOOLEAN':
      return bool(Boolean(x));
  }
}

/**
 * An inline table `name(col, …) AS (VALUES …)` for a WITH clause. With no rows it is a typed empty
 * SELECT instead, because `VALUES` needs at least one row.
 */
export function valuesCte(name: string, columns: readonly { name: string; type: SqlType }[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  if (rows.length === 0) {
    return `${name} AS (SELECT ${columns.map((c) => `NULL::${c.type} AS ${c.name}`).join(', ')} WHERE false)`;
  }
  const body = rows.map((r) => '(' + r.map((v, i) => typedLiteral(v, columns[i].type)).join(', ') + ')').join(',\n    ');
  return `${name}(${columns.map((c) => c.name).join(', ')}) AS (VALUES\n    ${body})`;
}

/**
 * A CASE expression that stops the query with `message` when `failWhen` is true, else yields true.
 * DuckDB's core `error()` raises; the notebook then shows the message in the cell instead of drawing an
 * empty chart from a result that is empty for a reason the user can fix.
 */
export function stopWhen(cases: readonly { failWhen: string; message: string }[]): string {
  if (cases.length === 0) return 'true';
  return `CASE\n${cases.map((c) => `    WHEN ${c.failWhen} THEN error(${c.message})`).join('\n')}\n    ELSE true END`;
}

/**
 * z of a two-sided 95% interval: 1.96, the value the published Wilson tables (Newcombe 1998) and most tools use
 * (the exact 0.975 normal quantile, 1.95996…, moves bounds in the fourth decimal at most).
 */
export const Z95 = 1.96;

/**
 * SQL expressions for the Wilson score interval of a proportion `k / n` (`k` successes, or failures, out of
 * `n` trials; both SQL expressions). Wilson rather than the textbook p ± z·√(p(1−p)/n) because the counts are
 * small: with 0 or 1 failures in 15 episodes the normal interval collapses to a point or dips below 0, while
 * Wilson's stays inside [0, 1] and is honest about how little 15 episodes say. Written in counts,
 * (k + z²/2 ± z·√(k(n−k)/n + z²/4)) / (n + z²), and NULL when n = 0 (no trials, no rate).
 */
export function wilsonSql(k: string, n: string, z = Z95): { low: string; high: string } {
  const z2 = num(z * z);
  const half = `${num(z)} * sqrt(${k} * (${n} - ${k}) / ${n} + ${z2} / 4)`;
  const bound = (sign: '-' | '+') => `(${k} + ${z2} / 2 ${sign} ${half}) / (${n} + ${z2})`;
  // Clamped: at k = 0 or k = n the bound is 0 or 1 exactly in reals, a hair off it in doubles.
  return {
    low: `CASE WHEN ${n} > 0 THEN greatest(0::DOUBLE, ${bound('-')}) END`,
    high: `CASE WHEN ${n} > 0 THEN least(1::DOUBLE, ${bound('+')}) END`,
  };
}

/** The Wilson score interval of `k` in `n` in TS (the twin of {@link wilsonSql}, for tests and the UI); null for n = 0. */
export function wilson(k: number, n: number, z = Z95): [number, number] | null {
  if (n <= 0) return null;
  const half = z * Math.sqrt((k * (n - k)) / n + (z * z) / 4);
  const centre = k + (z * z) / 2;
  return [Math.max(0, (centre - half) / (n + z * z)), Math.min(1, (centre + half) / (n + z * z))];
}

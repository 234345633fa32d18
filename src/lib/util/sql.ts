/** Quotes a SQL identifier for DuckDB (`"a""b"`), so names with dots, slashes or spaces are safe. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a SQL string literal (`'it''s'`). */
export function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

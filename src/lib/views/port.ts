/** A column of a table, view or query: its name and DuckDB type. */
export interface ViewColumn {
  name: string;
  type: string;
}

/**
 * What building the canonical views needs from a DuckDB connection. The app's wasm Engine has exactly these
 * methods; the headless runner's native connection implements them too, so both run the same view code.
 */
export interface SqlPort {
  /** Runs statements for their effect. */
  exec(sql: string): Promise<void>;
  /** Column names and types of a relation (`DESCRIBE <relation>`). */
  describe(relation: string): Promise<ViewColumn[]>;
  /** Whether `name` is a table, a view, or nothing. */
  relationKind(name: string): Promise<'table' | 'view' | null>;
  /** Drops a table or view of that name, whichever it is. */
  drop(name: string): Promise<void>;
  /** A small query's rows as plain objects. */
  rows(sql: string): Promise<Record<string, unknown>[]>;
}

/** `relationKind` as plain SQL over information_schema, for ports without one of their own. */
export function relationKindSql(name: string): string {
  return `SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_name = '${name.replaceAll("'", "''")}'`;
}

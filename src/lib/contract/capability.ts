/**
 * Capability checks: a cell declares the tables and columns it needs ({@link CellNeed}); before it runs, the
 * notebook runner compares them with what the database holds ({@link Schema}) and, when something is missing,
 * disables the cell with one sentence saying what is missing and what to add or map, instead of running it into
 * a DuckDB binder error. Pure: the runner reads the schema from `information_schema` and passes it in.
 */

/** Tables and their columns, names lower-cased (DuckDB's binder is case-insensitive). */
export type Schema = ReadonlyMap<string, ReadonlySet<string>>;

/** What a cell needs before it can run. */
export interface CellNeed {
  /** A table or view of the database (a data source, not a cell result). */
  table: string;
  /** Columns it must have. */
  columns?: string[];
  /** The sentence shown when the need is not met: what is missing, what to add, or which form field maps it. */
  message: string;
  /**
   * The columns must also hold at least one value (the canonical `episodes` always has an `outcome` column, filled
   * by reviews, so its presence alone says nothing). Checked with one count per column; never on `frames`, whose
   * rows are fetched lazily.
   */
  values?: boolean;
}

/** The query whose rows {@link schemaFromRows} reads: every table's and view's columns. */
export const SCHEMA_SQL = 'SELECT table_name, column_name FROM information_schema.columns';

/** A schema from rows of `information_schema.columns` (`table_name`, `column_name`). */
export function schemaFromRows(rows: readonly Record<string, unknown>[]): Schema {
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = String(r.table_name).toLowerCase();
    let cols = out.get(t);
    if (!cols) out.set(t, (cols = new Set()));
    cols.add(String(r.column_name).toLowerCase());
  }
  return out;
}

/** A schema from the catalog's tables (`{name, columns: [{name}]}`), as the UI holds them. */
export function schemaFromTables(tables: readonly { name: string; columns: readonly { name: string }[] }[]): Schema {
  return new Map(tables.map((t) => [t.name.toLowerCase(), new Set(t.columns.map((c) => c.name.toLowerCase()))]));
}

/** True when the schema has the table (and, when given, the column). */
export function has(schema: Schema, table: string, column?: string): boolean {
  const cols = schema.get(table.toLowerCase());
  return !!cols && (column === undefined || cols.has(column.toLowerCase()));
}

/** The messages of the needs the schema does not meet, without repeats. */
export function unmetNeeds(needs: readonly CellNeed[], schema: Schema): string[] {
  const out: string[] = [];
  for (const n of needs) {
    const ok = has(schema, n.table) && (n.columns ?? []).every((c) => has(schema, n.table, c));
    if (!ok && !out.includes(n.message)) out.push(n.message);
  }
  return out;
}

/** The value checks a need asks for once the schema has its columns: `[key, sql]` pairs, the SQL giving `n`. */
export function valueChecks(need: CellNeed): [string, string][] {
  if (!need.values || need.table.toLowerCase() === 'frames') return [];
  const q = (x: string) => `"${x.replaceAll('"', '""')}"`;
  return (need.columns ?? []).map((c) => [`${need.table}.${c}`.toLowerCase(), `SELECT count(${q(c)}) AS n FROM ${q(need.table)}`]);
}

/** What to do when a known source table is missing, one sentence each. */
export const TABLE_HELP: Readonly<Record<string, string>> = {
  costs: 'There is no cost sheet (table `costs`): open the dataset with `&costs=<cost sheet CSV>` (see Log format), or use the Cost per success job, which falls back to a per-episode `cost_usd` column or its cost model.',
  deployments: 'There is no deployment log (table `deployments`): open the dataset with `&log=<deployment log CSV>` (see Log format).',
  episodes: 'There is no `episodes` table: open a dataset first.',
  frames: 'There are no per-frame data (table `frames`): open a LeRobot dataset or map MCAP logs onto episodes.',
  annotations: 'There is no `annotations` table yet: review an episode (click an episode index) to create it.',
};

/** The need for a source table the cell reads, with the sentence for it. */
export function tableNeed(table: string): CellNeed {
  return { table, message: TABLE_HELP[table.toLowerCase()] ?? `This cell reads the table \`${table}\`, which is not loaded.` };
}

/** Double-quoted identifiers in a SQL condition (`"tags" LIKE …` names `tags`): what a form's condition needs. */
export function quotedIdents(sql: string): string[] {
  const out: string[] = [];
  // Skip single-quoted strings so a literal '"x"' is not taken for a column.
  const bare = sql.replace(/'(?:[^']|'')*'/g, "''");
  for (const m of bare.matchAll(/"((?:[^"]|"")+)"/g)) {
    const name = m[1].replaceAll('""', '"');
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

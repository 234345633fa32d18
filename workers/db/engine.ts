import { CancelledError } from '../../src/lib/util/errors';
import { quoteIdent } from '../../src/lib/util/sql';
import { ipcToRows } from '../../src/lib/db/arrow';
import type { DuckBindings } from './bindings';
import { concatIpc } from './ipc';
import { Mutex } from './mutex';
import type { CellResult, ColumnInfo, QueryResult, StatementListener, TableInfo } from './types';

/**
 * Owns one DuckDB connection: runs queries as cancellable pending queries, returns Arrow IPC bytes, and
 * materialises notebook cells as tables named after the cell so later cells can query them by name.
 */
export class Engine {
  readonly #db: DuckBindings;
  readonly #conn: number;
  readonly #lock = new Mutex();
  /** Id of the query currently executing on the connection (cancel targets it). */
  #running: number | null = null;
  /** Ids cancelled before they reached the connection. */
  readonly #cancelled = new Set<number>();
  #nextInternalId = -1;
  readonly #rowCounts = new Map<string, number>();
  readonly #listeners = new Set<StatementListener>();

  constructor(db: DuckBindings, conn: number) {
    this.#db = db;
    this.#conn = conn;
  }

  /** Serialise work on the connection; exposed for loaders that interleave inserts with queries. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#lock.run(fn);
  }

  /** DuckDB version string, e.g. `v1.4.3`. */
  async version(): Promise<string> {
    return await this.#db.getVersion();
  }

  /**
   * Runs SQL and returns the whole result as an Arrow IPC stream.
   * @param id caller-chosen id, so `cancel(id)` can stop it while it runs or before it starts.
   */
  query(sql: string, id: number = this.#nextInternalId--): Promise<QueryResult> {
    return this.#lock.run(() => this.#queryUnlocked(sql, id));
  }

  /** Runs statements for their effect (no result needed). */
  async exec(sql: string): Promise<void> {
    await this.query(sql);
  }

  /** `exec` for code already holding the lock (inside {@link exclusive}). */
  async execUnlocked(sql: string): Promise<void> {
    await this.#queryUnlocked(sql, this.#nextInternalId--);
  }

  /** `rows` for code already holding the lock (inside {@link exclusive}). */
  async rowsUnlocked(sql: string): Promise<Record<string, unknown>[]> {
    return ipcToRows((await this.#queryUnlocked(sql, this.#nextInternalId--)).ipc);
  }

  /**
   * Declares the row count the catalog shows for a view whose rows are not all loaded (`frames`): counting it
   * would count only what the last query needed.
   */
  setRowCount(name: string, rows: number): void {
    this.#rowCounts.set(name, rows);
  }

  /**
   * Calls `fn` with every statement run on the connection from now on (SQL, and Arrow inserts by table name), until
   * the returned function is called. What a cell costs is then countable: tests check that a warm cell runs no
   * statement over the frames but its own query, and that the catalog never counts them.
   */
  onStatement(fn: StatementListener): () => void {
    this.#listeners.add(fn);
    return () => void this.#listeners.delete(fn);
  }

  /** Cancels a query by id: interrupts it if running, or drops it when its turn comes. */
  async cancel(id: number): Promise<boolean> {
    if (this.#running === id) {
      return await this.#db.cancelPendingQuery(this.#conn);
    }
    this.#cancelled.add(id);
    return true;
  }

  async #queryUnlocked(sql: string, id: number): Promise<QueryResult> {
    if (this.#cancelled.delete(id)) throw new CancelledError('Query cancelled');
    for (const fn of this.#listeners) fn({ kind: 'sql', text: sql });
    const t0 = performance.now();
    this.#running = id;
    try {
      let header = await this.#db.startPendingQuery(this.#conn, sql, false);
      while (header == null) {
        // Each poll runs a slice of the query; between slices a cancel request can get through.
        header = await this.#db.pollPendingQuery(this.#conn);
      }
      const parts = [header];
      for (;;) {
        const chunk = await this.#db.fetchQueryResults(this.#conn);
        if (chunk == null) continue;
        if (chunk.length === 0) break;
        parts.push(chunk);
      }
      return { ipc: concatIpc(parts), ms: performance.now() - t0 };
    } catch (e) {
      if (/interrupt|cancel/i.test(String((e as Error)?.message ?? e))) throw new CancelledError('Query cancelled');
      throw e;
    } finally {
      this.#running = null;
    }
  }

  /** Inserts an Arrow IPC stream as a new table (`create`) or appends to an existing one. */
  insertIpc(name: string, ipc: Uint8Array, create: boolean): Promise<void> {
    return this.#lock.run(async () => {
      for (const fn of this.#listeners) fn({ kind: 'insert', text: name });
      await this.#db.insertArrowFromIPCStream(this.#conn, ipc, { name, create });
    });
  }

  /** Registers a file's bytes in DuckDB's virtual file system (for `read_csv`). */
  async registerFile(name: string, bytes: Uint8Array): Promise<void> {
    await this.#db.registerFileBuffer(name, bytes);
  }

  /** Writes a relation as CSV with DuckDB's own writer (RFC 4180 quoting, header) and returns the bytes. */
  async exportCsv(relation: string): Promise<Uint8Array> {
    const file = `/flywheel/export_${Date.now()}.csv`;
    await this.exec(`COPY (SELECT * FROM ${relation}) TO '${file}' (HEADER, DELIMITER ',')`);
    try {
      return await this.#db.copyFileToBuffer(file);
    } finally {
      await this.#db.dropFile(file);
    }
  }

  /** Column names and DuckDB types of a table, view or query. */
  async describe(relation: string): Promise<ColumnInfo[]> {
    const rows = await this.rows(`DESCRIBE ${relation}`);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  /**
   * Runs a notebook cell's SELECT and materialises it as table `name`, replacing an older result.
   * Materialising (rather than a view) gives later cells and the result grid a stable, cheap-to-page result.
   * Three round trips to DuckDB: create, describe with count, first page.
   */
  async runCell(name: string, selectSql: string, id: number, pageSize = 200): Promise<CellResult> {
    const t0 = performance.now();
    const ident = quoteIdent(name);
    const create = `CREATE OR REPLACE TABLE ${ident} AS ${selectSql}`;
    try {
      await this.query(create, id);
    } catch (e) {
      // A name may switch from view to table; CREATE OR REPLACE TABLE cannot replace a view.
      if (!/is of type View/.test(String((e as Error).message))) throw e;
      await this.drop(name);
      await this.query(create, id);
    }
    const ms = performance.now() - t0;
    const desc = await this.rows(
      `SELECT column_name, column_type, (SELECT count(*) FROM ${ident})::DOUBLE AS n FROM (DESCRIBE ${ident})`,
    );
    const columns = desc.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const page = await this.query(`SELECT * FROM ${ident} LIMIT ${pageSize}`);
    return { name, columns, rowCount: desc.length ? Number(desc[0].n) : 0, firstPage: page.ipc, ms };
  }

  /** Whether `name` is a table, a view, or nothing (DuckDB's DROP TABLE/VIEW IF EXISTS errors on the other kind). */
  async relationKind(name: string): Promise<'table' | 'view' | null> {
    const rows = await this.rows(
      `SELECT table_type AS t FROM information_schema.tables WHERE table_schema = 'main' AND table_name = '${name.replaceAll("'", "''")}'`,
    );
    if (!rows.length) return null;
    return String(rows[0].t).toUpperCase() === 'VIEW' ? 'view' : 'table';
  }

  /** Drops a table or view of that name, whichever it is. */
  async drop(name: string): Promise<void> {
    const kind = await this.relationKind(name);
    if (kind) await this.exec(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteIdent(name)}`);
  }

  /** Runs SQL and returns rows as plain objects; for small internal results only. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const { ipc } = await this.query(sql);
    return ipcToRows(ipc);
  }

  /**
   * Every user-visible table and view with its row count and columns, in three queries plus one count per view
   * (table sizes come from DuckDB's own bookkeeping, which is exact for in-memory tables).
   */
  async catalog(): Promise<TableInfo[]> {
    const hidden = (n: string) => n.startsWith('_');
    const tables = await this.rows(
      `SELECT table_name AS name, estimated_size::DOUBLE AS n FROM duckdb_tables() WHERE schema_name = 'main' AND NOT internal`,
    );
    const views = await this.rows(`SELECT view_name AS name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal`);
    const cols = await this.rows(
      `SELECT table_name AS t, column_name AS c, data_type AS d FROM duckdb_columns() WHERE schema_name = 'main' AND NOT internal ORDER BY table_name, column_index`,
    );
    const byTable = new Map<string, ColumnInfo[]>();
    for (const r of cols) {
      const list = byTable.get(String(r.t)) ?? [];
      list.push({ name: String(r.c), type: String(r.d) });
      byTable.set(String(r.t), list);
    }
    const out: TableInfo[] = [];
    for (const r of tables) {
      const name = String(r.name);
      if (!hidden(name)) out.push({ name, kind: 'table', rows: Number(r.n), columns: byTable.get(name) ?? [] });
    }
    for (const r of views) {
      const name = String(r.name);
      if (hidden(name)) continue;
      const known = this.#rowCounts.get(name);
      const rows = known ?? Number((await this.rows(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(name)}`))[0].n);
      out.push({ name, kind: 'view', rows, columns: byTable.get(name) ?? [] });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }
}

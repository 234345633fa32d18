/**
 * Native DuckDB (`@duckdb/node-api`) behind the same small surface the headless runner uses on DuckDB-WASM:
 * the shared view module's {@link SqlPort}, cells materialised as tables, results as Arrow IPC, Arrow inserts,
 * cancel by id, progress, and results written to files by DuckDB itself (streamed, never held in JS).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { RecordBatchStreamWriter, tableFromIPC } from 'apache-arrow';
import type { Progress } from '../db';
import { queryShape } from '../notebook/sql-scan';
import { CancelledError } from '../util/errors';
import { quoteIdent, quoteString } from '../util/sql';
import { relationKindSql, type SqlPort, type ViewColumn } from '../views';
import { initParquetForNode } from './node-engine';

import { NATIVE_PACKAGE } from './native-version';

export { NATIVE_PACKAGE };

/** Settings of the native engine. */
export interface NativeOptions {
  /** DuckDB worker threads (default: DuckDB's own, every core). */
  threads?: number;
  /** DuckDB's memory limit, e.g. `4GB` (default: DuckDB's own, 80% of RAM). */
  memoryLimit?: string;
  /** Extensions to load, e.g. `httpfs` for http(s) dataset roots. */
  extensions?: string[];
}

type NodeApi = typeof import('@duckdb/node-api');
type Connection = Awaited<ReturnType<Awaited<ReturnType<NodeApi['DuckDBInstance']['create']>>['connect']>>;

/** Loads `@duckdb/node-api`, or says how to install it (it is kept out of package.json: see bench/native-dep.ts). */
export async function loadNodeApi(): Promise<NodeApi> {
  try {
    createRequire(import.meta.url).resolve('@duckdb/node-api');
  } catch {
    throw new Error(
      `Native DuckDB is not installed. Install it with \`npm run pretest\` (runs bench/native-dep.ts) or ` +
        `\`npm install --no-save ${NATIVE_PACKAGE}\` (linux-x64 build; other platforms: the same package from npmjs.com), ` +
        'or run with --engine wasm.',
    );
  }
  return import('@duckdb/node-api');
}

/** One native DuckDB connection for one notebook run. */
export class NativeDb implements SqlPort {
  readonly #conn: Connection;
  readonly #tmp: string;
  #queue: Promise<unknown> = Promise.resolve();
  #running: number | null = null;
  readonly #cancelled = new Set<number>();
  #nextInternal = -1;
  #tmpFiles = 0;
  /** DuckDB's version string. */
  readonly version: string;

  private constructor(conn: Connection, tmp: string, version: string) {
    this.#conn = conn;
    this.#tmp = tmp;
    this.version = version;
  }

  /** Starts an in-memory native DuckDB with the given threads, memory limit and extensions. */
  static async open(opts: NativeOptions = {}): Promise<NativeDb> {
    const { DuckDBInstance } = await loadNodeApi();
    const config: Record<string, string> = {};
    if (opts.threads) config.threads = String(opts.threads);
    if (opts.memoryLimit) config.memory_limit = opts.memoryLimit;
    const instance = await DuckDBInstance.create(':memory:', config).catch((e: Error) => {
      throw new Error(`Native DuckDB did not start with threads=${opts.threads ?? 'default'}, memory limit ${opts.memoryLimit ?? 'default'}: ${e.message}`);
    });
    const conn = await instance.connect();
    // CSV timestamps with a zone become UTC TIMESTAMP (views/csv.ts); native DuckDB has ICU, so fix the zone.
    await conn.run(`SET TimeZone = 'UTC'`);
    // No extension is ever downloaded behind the user's back (a URL in SQL would otherwise fetch httpfs).
    await conn.run('SET autoinstall_known_extensions = false');
    // Progress is tracked (for stderr) but never printed by DuckDB itself.
    await conn.run('SET enable_progress_bar = true');
    await conn.run('SET enable_progress_bar_print = false');
    for (const ext of opts.extensions ?? []) await loadExtension(conn, ext);
    const version = String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0].v);
    await initParquetForNode();
    return new NativeDb(conn, await mkdtemp(path.join(os.tmpdir(), 'flywheel-native-')), version);
  }

  /** Serialises work on the connection (DuckDB runs one statement at a time on it). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Runs one statement as query `id`: cancellable, and reporting DuckDB's progress while it runs.
   * Returns nothing: results are read by the callers below.
   */
  #run(sql: string, id: number, onProgress?: (p: Progress) => void): Promise<void> {
    return this.#serial(async () => {
      if (this.#cancelled.delete(id)) throw new CancelledError('Query cancelled');
      this.#running = id;
      const timer = onProgress
        ? setInterval(() => {
            const p = this.#conn.progress;
            if (p && p.total_rows_to_process > 0) {
              onProgress({ label: 'Running on native DuckDB', done: Number(p.rows_processed), total: Number(p.total_rows_to_process), unit: 'rows' });
            }
          }, 1000)
        : null;
      try {
        await this.#conn.run(sql);
      } catch (e) {
        if (/interrupt/i.test(String((e as Error)?.message ?? e))) throw new CancelledError('Query cancelled');
        throw e;
      } finally {
        if (timer) clearInterval(timer);
        this.#running = null;
      }
    });
  }

  /** Rows of a small internal query as plain JS values. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.#serial(async () => (await this.#conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[]);
  }

  async exec(sql: string): Promise<void> {
    await this.#run(sql, this.#nextInternal--);
  }

  async describe(relation: string): Promise<ViewColumn[]> {
    return (await this.rows(`DESCRIBE ${relation}`)).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  async relationKind(name: string): Promise<'table' | 'view' | null> {
    const r = await this.rows(relationKindSql(name));
    return r.length ? (String(r[0].t).toUpperCase() === 'VIEW' ? 'view' : 'table') : null;
  }

  async drop(name: string): Promise<void> {
    const kind = await this.relationKind(name);
    if (kind) await this.exec(`DROP ${kind === 'view' ? 'VIEW' : 'TABLE'} ${quoteIdent(name)}`);
  }

  /** Cancels query `id`: interrupts it when running, or drops it when its turn comes. */
  async cancel(id: number): Promise<boolean> {
    if (this.#running === id) this.#conn.interrupt();
    else this.#cancelled.add(id);
    return true;
  }

  /**
   * A query's result as Arrow IPC. Native DuckDB writes it as Parquet (its core writer) and parquet-wasm reads it
   * back: the same Arrow types the wasm engine hands out, so every JS consumer (grid rows, model cells, charts)
   * sees the same values from both engines. For the small results JS reads (pages, chart data, model input).
   */
  async query(sql: string, id = this.#nextInternal--, onProgress?: (p: Progress) => void): Promise<Uint8Array> {
    const shape = queryShape(sql);
    if (shape === 'command') {
      await this.#run(sql, id, onProgress);
      return emptyIpc();
    }
    let select = shape === 'wrap' ? `SELECT * FROM (${sql})` : sql;
    // DuckDB-WASM hands HUGEINT (e.g. sum of BIGINT) to Arrow as Decimal(38, 0); DuckDB's Parquet writer would make
    // it DOUBLE. Cast so JS sees the same Arrow types from both engines.
    const huge = (await this.describe(`SELECT * FROM (${select})`)).filter((c) => /^U?HUGEINT$/.test(c.type));
    if (huge.length) select = `SELECT * REPLACE (${huge.map((c) => `${quoteIdent(c.name)}::DECIMAL(38, 0) AS ${quoteIdent(c.name)}`).join(', ')}) FROM (${select})`;
    const file = this.#tmpFile('parquet');
    try {
      await this.#run(`COPY (${select}) TO ${quoteString(file)} (FORMAT parquet)`, id, onProgress);
      const { readParquet } = await import('parquet-wasm/esm/parquet_wasm.js');
      return readParquet(await readFile(file)).intoIPCStream();
    } finally {
      await rm(file, { force: true });
    }
  }

  /** Materialises `sql` as table `name` (as the wasm Engine does) and returns its columns, row count and first rows. */
  async runCell(name: string, sql: string, id: number, pageSize = 200, onProgress?: (p: Progress) => void) {
    const t0 = performance.now();
    const ident = quoteIdent(name);
    if ((await this.relationKind(name)) === 'view') await this.drop(name);
    await this.#run(`CREATE OR REPLACE TABLE ${ident} AS ${sql}`, id, onProgress);
    const ms = performance.now() - t0;
    const columns = await this.describe(ident);
    const [{ n }] = await this.rows(`SELECT count(*)::DOUBLE AS n FROM ${ident}`);
    const firstPage = await this.query(`SELECT * FROM ${ident} LIMIT ${pageSize}`);
    return { name, columns, rowCount: Number(n), firstPage, ms };
  }

  /** Inserts an Arrow IPC stream as table `name`, replacing it (through a Parquet file native DuckDB reads). */
  async insertArrow(name: string, ipc: Uint8Array): Promise<void> {
    await this.#viaParquet(ipc, async (file) => {
      await this.drop(name);
      await this.exec(`CREATE TABLE ${quoteIdent(name)} AS SELECT * FROM read_parquet(${quoteString(file)})`);
    });
  }

  /** Appends an Arrow IPC stream to an existing table, column by name (MCAP topics arrive in batches). */
  async appendArrow(name: string, ipc: Uint8Array): Promise<void> {
    await this.#viaParquet(ipc, (file) => this.exec(`INSERT INTO ${quoteIdent(name)} BY NAME SELECT * FROM read_parquet(${quoteString(file)})`));
  }

  /** The node API has no Arrow insert: the batch goes through a temporary Parquet file DuckDB reads natively. */
  async #viaParquet(ipc: Uint8Array, use: (file: string) => Promise<void>): Promise<void> {
    const { Table, writeParquet } = await import('parquet-wasm/esm/parquet_wasm.js');
    const file = this.#tmpFile('parquet');
    try {
      await writeFile(file, writeParquet(Table.fromIPCStream(ipc)));
      await use(file);
    } finally {
      await rm(file, { force: true });
    }
  }

  /**
   * Writes a table to `file`: Parquet (zstd) and CSV by DuckDB's own writers, streaming; Arrow IPC as a stream of
   * record batches of `batchRows`, so no format holds the whole result in JS.
   */
  async writeResult(name: string, file: string, format: 'parquet' | 'csv' | 'arrow', batchRows = 100_000): Promise<void> {
    const ident = quoteIdent(name);
    if (format === 'parquet') return this.exec(`COPY ${ident} TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
    if (format === 'csv') return this.exec(`COPY ${ident} TO ${quoteString(file)} (HEADER, DELIMITER ',')`);
    const { createWriteStream } = await import('node:fs');
    const out = createWriteStream(file);
    const writer = new RecordBatchStreamWriter();
    const piped = new Promise<void>((resolve, reject) => {
      out.on('finish', resolve).on('error', reject);
    });
    writer.pipe(out as unknown as NodeJS.WritableStream);
    const [{ n }] = await this.rows(`SELECT count(*)::DOUBLE AS n FROM ${ident}`);
    for (let off = 0; off === 0 || off < Number(n); off += batchRows) {
      const t = tableFromIPC(await this.query(`SELECT * FROM ${ident} LIMIT ${batchRows} OFFSET ${off}`));
      for (const b of t.batches) writer.write(b);
      if (!t.batches.length) writer.write(t as never);
    }
    writer.finish();
    await piped;
  }

  #tmpFile(ext: string): string {
    return path.join(this.#tmp, `r${this.#tmpFiles++}.${ext}`);
  }

  /** Closes the connection and removes the scratch folder. */
  async close(): Promise<void> {
    await this.#queue;
    this.#conn.closeSync();
    await rm(this.#tmp, { recursive: true, force: true });
  }
}

/** An Arrow IPC stream with no columns and no rows (a statement's result). */
function emptyIpc(): Uint8Array {
  return new Uint8Array(RecordBatchStreamWriter.writeAll([]).toUint8Array(true));
}

/** The one-liner that installs a DuckDB extension with the runner's own native DuckDB (needs the internet once). */
export function installCommand(ext: string): string {
  return `node -e "require('@duckdb/node-api').DuckDBInstance.create().then((i) => i.connect()).then((c) => c.run('INSTALL ${ext}'))"`;
}

/**
 * Loads an extension that is installed already (~/.duckdb/extensions/). It never downloads one itself: the runner
 * makes no request the user did not ask for, and offline the download fails anyway; the message says how to
 * pre-install it.
 */
async function loadExtension(conn: Connection, ext: string): Promise<void> {
  try {
    await conn.run(`LOAD ${ext}`);
  } catch (e) {
    throw new Error(
      `Native DuckDB's "${ext}" extension is not installed (${(e as Error).message.split('\n')[0]}). ` +
        `Install it once on a machine with internet access: ${installCommand(ext)} (or \`duckdb -c "INSTALL ${ext}"\` with a DuckDB CLI of the ` +
        'same version); it lands in ~/.duckdb/extensions/, which can be copied to an offline machine. Local dataset folders need no extension.',
    );
  }
}

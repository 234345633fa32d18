/// <reference lib="webworker" />
/**
 * The database worker: the only owner of DuckDB-WASM and parquet-wasm in the app. Exposes one typed API object
 * with comlink; results cross the boundary as transferred Arrow IPC bytes.
 */
import * as Comlink from 'comlink';
import * as duckdb from '@duckdb/duckdb-wasm';
import ehWasm from '@duckdb/duckdb-wasm/dist/duckdb-eh.wasm?url';
import ehWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js?url';
import coiWasm from '@duckdb/duckdb-wasm/dist/duckdb-coi.wasm?url';
import coiWorker from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.worker.js?url';
import coiPthread from '@duckdb/duckdb-wasm/dist/duckdb-browser-coi.pthread.worker.js?url';
import initParquet from 'parquet-wasm/esm/parquet_wasm.js';
import parquetWasm from 'parquet-wasm/esm/parquet_wasm_bg.wasm?url';
import { Engine } from './db/engine';
import { createReader, type DatasetReader } from './db/reader';
import { network } from './db/net-stats';
import { openLeRobot, type DatasetSummary } from './db/lerobot';
import { FramesSource } from './db/frames-source';
import { Mutex } from './db/mutex';
import { referencedNames } from '../src/lib/notebook/sql-scan';
import { loadCsv } from './db/csv-load';
import { buildEpisodesView } from './db/episodes-view';
import type { CellResult, Fetched, ProgressFn, QueryResult, TableInfo } from './db/types';
import type { SourceSpec } from '../src/lib/ingest/source';
import { quoteIdent } from '../src/lib/util/sql';

/** What the engine reports after start-up. */
export interface EngineInfo {
  duckdb: string;
  bundle: 'eh' | 'coi';
  crossOriginIsolated: boolean;
  ms: number;
}

let engine: Engine | null = null;
let starting: Promise<EngineInfo> | null = null;
let dataset: { reader: DatasetReader; summary: DatasetSummary; frames: FramesSource } | null = null;
/** Held from planning a query that reads `frames` until it has run, so no other query re-points the view between. */
const framesLock = new Mutex();
const loads = new Map<number, AbortController>();
// Count every request this worker makes, parquet-wasm's range reads included (see NetStats).
self.fetch = network.wrap(self.fetch.bind(self));
// parquet-wasm starts with the worker, independently of DuckDB: metadata reads need it before DuckDB is up.
const parquetReady = initParquet({ module_or_path: parquetWasm });

async function start(): Promise<EngineInfo> {
  const t0 = performance.now();
  const features = await duckdb.getPlatformFeatures();
  if (!features.wasmExceptions) {
    throw new Error('This browser lacks WebAssembly exception handling, which Flywheel\'s DuckDB build needs. Use a current Chrome, Edge, Firefox or Safari.');
  }
  // Every asset is self-hosted (Vite emits them into dist/); nothing is fetched from a CDN. The mvp bundle is
  // not shipped: every browser with wasm exceptions takes eh or coi, and mvp would add 38 MB to dist/.
  const bundle = await duckdb.selectBundle({
    mvp: { mainModule: ehWasm, mainWorker: ehWorker },
    eh: { mainModule: ehWasm, mainWorker: ehWorker },
    coi: { mainModule: coiWasm, mainWorker: coiWorker, pthreadWorker: coiPthread },
  });
  const db = new duckdb.AsyncDuckDB(new duckdb.ConsoleLogger(duckdb.LogLevel.WARNING), new Worker(bundle.mainWorker!));
  await db.instantiate(bundle.mainModule, bundle.pthreadWorker);
  await db.open({ query: { castBigIntToDouble: false } });
  const conn = await db.connect();
  // DuckDB-WASM >= 1.29 otherwise downloads parquet/json extensions on first use and crashes offline (stack.md G1).
  await conn.query('SET autoinstall_known_extensions=false');
  await conn.query('SET autoload_known_extensions=false');
  await parquetReady;
  engine = new Engine(db, conn.useUnsafe((_b, id) => id));
  return {
    duckdb: await db.getVersion(),
    bundle: bundle.pthreadWorker ? 'coi' : 'eh',
    crossOriginIsolated: self.crossOriginIsolated,
    ms: performance.now() - t0,
  };
}

/** The engine once DuckDB is up; starts it if nobody has yet. */
async function ready(): Promise<Engine> {
  if (engine) return engine;
  await api.init();
  return engine!;
}

/** Options of a query or cell run (passed as separate arguments: comlink proxies only top-level functions). */
export interface RunOptions {
  /** Progress of reading frame data for the query. */
  onProgress?: ProgressFn;
  /** Ask (fail with BudgetError) before fetching more than this many bytes of frame data. */
  maxBytes?: number;
}

/**
 * Runs `fn` after loading what `sql` needs from `frames`, when it reads frames at all, and reports what that
 * fetched (so every cell shows its network cost).
 */
async function withFrames<T extends { fetched?: Fetched }>(sql: string, id: number, opts: RunOptions, fn: () => Promise<T>): Promise<T> {
  const frames = dataset?.frames;
  if (!frames || !referencedNames(sql).has('frames')) return fn();
  return framesLock.run(() =>
    cancellable(id, async (signal) => {
      const before = network.log.length;
      await frames.prepare(sql, { signal, onProgress: opts.onProgress, maxBytes: opts.maxBytes });
      const requests = network.log.slice(before);
      const r = await fn();
      r.fetched = { requests: requests.length, bytes: requests.reduce((s, q) => s + q.bytes, 0) };
      return r;
    }),
  );
}

/** Wraps a long job so `cancel(id)` aborts it. */
async function cancellable<T>(id: number, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ctl = new AbortController();
  loads.set(id, ctl);
  try {
    return await fn(ctl.signal);
  } finally {
    loads.delete(id);
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`Could not fetch ${url} (${(e as Error).message}). A server on another origin must allow CORS.`);
  }
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status} ${res.statusText}.`);
  return new Uint8Array(await res.arrayBuffer());
}

const api = {
  /** Starts DuckDB once; concurrent callers share the same start-up. */
  init(): Promise<EngineInfo> {
    starting ??= start().catch((e) => {
      starting = null;
      throw e;
    });
    return starting;
  },

  /** Runs SQL; the result comes back as transferred Arrow IPC bytes. */
  async query(sql: string, id: number, maxBytes?: number, onProgress?: ProgressFn): Promise<QueryResult> {
    const engine = await ready();
    const opts: RunOptions = { maxBytes, onProgress };
    const r = await withFrames(sql, id, opts, () => engine.query(sql, id));
    return Comlink.transfer(r, [r.ipc.buffer as ArrayBuffer]);
  },

  /** Runs a notebook cell's SELECT, materialised as table `name`. */
  async runCell(name: string, sql: string, id: number, pageSize = 200, maxBytes?: number, onProgress?: ProgressFn): Promise<CellResult> {
    const engine = await ready();
    const opts: RunOptions = { maxBytes, onProgress };
    const r = await withFrames(sql, id, opts, () => engine.runCell(name, sql, id, pageSize));
    return Comlink.transfer(r, [r.firstPage.buffer as ArrayBuffer]);
  },

  /** A window of rows of a materialised result (for the virtualised grid). */
  async page(name: string, offset: number, limit: number): Promise<Uint8Array> {
    const sql = `SELECT * FROM ${quoteIdent(name)} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`;
    const { ipc } = await (await ready()).query(sql);
    return Comlink.transfer(ipc, [ipc.buffer as ArrayBuffer]);
  },

  /** Inserts an Arrow IPC stream as table `name` (replacing it) or appends to it. */
  async insertArrow(name: string, ipc: Uint8Array, mode: 'replace' | 'append' = 'replace'): Promise<TableInfo> {
    const engine = await ready();
    if (mode === 'replace') await engine.drop(name);
    await engine.insertIpc(name, ipc, mode === 'replace');
    const [{ n }] = await engine.rows(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(name)}`);
    return { name, kind: 'table', rows: Number(n), columns: await engine.describe(quoteIdent(name)) };
  },

  /** Cancels a query or a load by the id it was started with. */
  async cancel(id: number): Promise<boolean> {
    // A query that reads frames may be loading data (abort it) or already running in DuckDB (interrupt it).
    loads.get(id)?.abort();
    return engine ? engine.cancel(id) : loads.has(id);
  },

  /** Every table and view with row counts and columns. */
  async catalog(): Promise<TableInfo[]> {
    return (await ready()).catalog();
  },

  /**
   * Opens a LeRobot dataset's metadata (info, tasks, episodes) and sets up `frames`, whose data is read lazily:
   * each query fetches only the columns and row groups it needs. May be called before `init` resolves: files
   * are fetched and decoded while DuckDB starts.
   */
  async openDataset(spec: SourceSpec, onProgress?: ProgressFn): Promise<DatasetSummary> {
    await parquetReady;
    const reader = createReader(spec);
    const summary = await openLeRobot(ready(), reader, onProgress);
    await dataset?.frames.close();
    const frames = await FramesSource.open(await ready(), reader, summary);
    dataset = { reader, summary, frames };
    return summary;
  },

  /** Loads a CSV (URL or a user's file) as table `name`; the download overlaps DuckDB's start-up. */
  async loadCsv(name: string, from: { url: string } | { file: Blob }): Promise<TableInfo> {
    const bytes = 'url' in from ? await fetchBytes(from.url) : new Uint8Array(await from.file.arrayBuffer());
    const label = 'url' in from ? from.url : (from.file as File).name ?? `${name}.csv`;
    return loadCsv(ready(), name, bytes, label);
  },

  /** Builds the canonical `episodes` view, joining an episode log when one is loaded. */
  async linkEpisodes(logTable?: string): Promise<void> {
    if (!dataset) throw new Error('Open a dataset first.');
    await buildEpisodesView(await ready(), dataset.summary.info.fps, logTable);
  },
};

/** The typed API the main thread sees through `Comlink.wrap<DbApi>`. */
export type DbApi = typeof api;

Comlink.expose(api);


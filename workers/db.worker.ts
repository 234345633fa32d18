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
import { network } from './db/net-stats';
import type { CellResult, ProgressFn, QueryResult, TableInfo } from './db/types';
import type { DatasetSummary } from './db/lerobot';
import { Workspace } from './db/workspace';
import type { SourceSpec } from '../src/lib/ingest/source';
import type { OutcomeMapping } from '../src/lib/notebook/types';
import type { McapEpisodes } from '../src/lib/mcap';
import type { McapSpec, McapSummaryInfo } from './db/mcap-load';
import type { McapEpisodesResult } from './db/mcap-episodes';

/** What the engine reports after start-up. */
export interface EngineInfo {
  duckdb: string;
  bundle: 'eh' | 'coi';
  crossOriginIsolated: boolean;
  ms: number;
}

let starting: Promise<EngineInfo> | null = null;
// Count every request this worker makes, parquet-wasm's range reads included (see NetStats).
self.fetch = network.wrap(self.fetch.bind(self));
// parquet-wasm starts with the worker, independently of DuckDB: metadata reads need it before DuckDB is up.
const parquetReady = initParquet({ module_or_path: parquetWasm });
let resolveEngine!: (e: Engine) => void;
let rejectEngine!: (e: unknown) => void;
const engineReady = new Promise<Engine>((resolve, reject) => {
  resolveEngine = resolve;
  rejectEngine = reject;
});
// Unobserved until a data call waits on it; a failed start is reported by `init` itself.
engineReady.catch(() => undefined);
/** All data work; files are fetched while DuckDB starts, and wait for it only to insert. */
const workspace = new Workspace(engineReady, parquetReady);

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
  // SQL in a shared notebook must not reach hosts its consent prompt did not list: DuckDB-WASM can read any
  // http(s) URL through the browser. Only the app's own registered files (under /flywheel/) stay readable.
  await conn.query(`SET allowed_directories=['/flywheel/']`);
  await conn.query('SET enable_external_access=false');
  await parquetReady;
  resolveEngine(new Engine(db, conn.useUnsafe((_b, id) => id)));
  return {
    duckdb: await db.getVersion(),
    bundle: bundle.pthreadWorker ? 'coi' : 'eh',
    crossOriginIsolated: self.crossOriginIsolated,
    ms: performance.now() - t0,
  };
}

export type { RunOptions } from './db/workspace';

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
    // DuckDB starts once; if it cannot, every call waiting for it fails with the same message.
    starting ??= start().catch((e) => {
      rejectEngine(e);
      throw e;
    });
    return starting;
  },

  /** Runs SQL; the result comes back as transferred Arrow IPC bytes. */
  async query(sql: string, id: number, maxBytes?: number, onProgress?: ProgressFn): Promise<QueryResult> {
    void api.init();
    const r = await workspace.query(sql, id, { maxBytes, onProgress });
    return Comlink.transfer(r, [r.ipc.buffer as ArrayBuffer]);
  },

  /** Runs a notebook cell's SELECT, materialised as table `name`. */
  async runCell(name: string, sql: string, id: number, pageSize = 200, maxBytes?: number, onProgress?: ProgressFn): Promise<CellResult> {
    void api.init();
    const r = await workspace.runCell(name, sql, id, pageSize, { maxBytes, onProgress });
    return Comlink.transfer(r, [r.firstPage.buffer as ArrayBuffer]);
  },

  /** A window of rows of a materialised result (for the virtualised grid). */
  async page(name: string, offset: number, limit: number): Promise<Uint8Array> {
    const ipc = await workspace.page(name, offset, limit);
    return Comlink.transfer(ipc, [ipc.buffer as ArrayBuffer]);
  },

  /** A whole result as CSV, Arrow IPC or Parquet bytes (transferred). */
  async exportResult(name: string, format: 'csv' | 'arrow' | 'parquet'): Promise<Uint8Array> {
    const bytes = await workspace.exportResult(name, format);
    return Comlink.transfer(bytes, [bytes.buffer as ArrayBuffer]);
  },

  /** Inserts an Arrow IPC stream as table `name` (replacing it) or appends to it. */
  insertArrow(name: string, ipc: Uint8Array, mode: 'replace' | 'append' = 'replace'): Promise<TableInfo> {
    void api.init();
    return workspace.insertArrow(name, ipc, mode);
  },

  /** Cancels a query or a load by the id it was started with. */
  cancel(id: number): Promise<boolean> {
    return workspace.cancel(id);
  },

  /** Every table and view with row counts and columns. */
  catalog(): Promise<TableInfo[]> {
    void api.init();
    return workspace.catalog();
  },

  /**
   * Opens a LeRobot dataset's metadata (info, tasks, episodes) and sets up `frames`, whose data is read lazily:
   * each query fetches only the columns and row groups it needs. May be called before `init` resolves: files
   * are fetched and decoded while DuckDB starts.
   */
  openDataset(spec: SourceSpec, onProgress?: ProgressFn): Promise<DatasetSummary> {
    void api.init();
    return workspace.openDataset(spec, onProgress);
  },

  /** Loads a CSV (URL or a user's file) as table `name`; the download overlaps DuckDB's start-up. */
  async loadCsv(name: string, from: { url: string } | { file: Blob }): Promise<TableInfo> {
    void api.init();
    const bytes = 'url' in from ? await fetchBytes(from.url) : new Uint8Array(await from.file.arrayBuffer());
    const label = 'url' in from ? from.url : ((from.file as File).name ?? `${name}.csv`);
    return workspace.loadCsv(name, bytes, label);
  },

  /** Loads a user's CSV or Parquet file (by its name's extension) as table `name`, replacing it. */
  async loadTableFile(name: string, file: Blob): Promise<TableInfo> {
    void api.init();
    const label = (file as File).name ?? name;
    const bytes = new Uint8Array(await file.arrayBuffer());
    return /\.parquet$/i.test(label) ? workspace.loadParquetBytes(name, bytes, label) : workspace.loadCsv(name, bytes, label);
  },

  /** Builds the canonical `episodes` view, joining an episode log when one is loaded, outcome per the mapping. */
  linkEpisodes(logTable?: string, mapping?: OutcomeMapping): Promise<void> {
    return workspace.linkEpisodes(logTable, mapping);
  },

  /** Per-frame columns that can define an episode's outcome. */
  outcomeColumns(): string[] {
    return workspace.outcomeColumns();
  },

  /**
   * Opens MCAP files (URLs read by HTTP range, or the user's files): the mcap_* tables and a view per topic, read
   * when a query first names it. Cancellable by `id`.
   */
  openMcap(specs: McapSpec[], reserved: string[], onProgress?: ProgressFn, id = -1): Promise<McapSummaryInfo> {
    void api.init();
    return workspace.openMcap(specs, reserved, onProgress, id);
  },

  /** Maps the open MCAP files onto `episodes`/`frames` (split, state/action fields, frame rate). */
  mapMcapEpisodes(cfg: McapEpisodes, onProgress?: ProgressFn, id = -1): Promise<McapEpisodesResult> {
    return workspace.mapMcapEpisodes(cfg, onProgress, id);
  },

  /** Reads every topic of the open MCAP files into DuckDB now. */
  loadAllMcap(onProgress?: ProgressFn, id = -1): Promise<McapSummaryInfo> {
    return workspace.loadAllMcap(onProgress, id);
  },
};

/** The typed API the main thread sees through `Comlink.wrap<DbApi>`. */
export type DbApi = typeof api;

Comlink.expose(api);


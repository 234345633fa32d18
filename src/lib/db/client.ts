import * as Comlink from 'comlink';
import type { DbApi, EngineInfo, RunOptions } from '../../../workers/db.worker';
import type { CellResult as RawCellResult, ColumnInfo, Fetched, Progress, TableInfo } from '../../../workers/db/types';
import type { DatasetSummary } from '../../../workers/db/lerobot';
import type { SourceSpec } from '../ingest/source';
import type { OutcomeMapping } from '../notebook/types';
import type { McapEpisodes } from '../mcap';
import type { McapSpec, McapSummaryInfo } from '../../../workers/db/mcap-load';
import type { McapEpisodesResult } from '../../../workers/db/mcap-episodes';
import { ipcToResult, ipcToRows } from './arrow';

export type { EngineInfo, ColumnInfo, Fetched, Progress, TableInfo, DatasetSummary, RunOptions, McapSpec, McapSummaryInfo, McapEpisodesResult };

/** Progress callbacks cross the worker boundary as comlink proxies (top-level arguments only). */
function proxied(fn: ((p: Progress) => void) | undefined): ((p: Progress) => void) | undefined {
  return fn ? Comlink.proxy(fn) : undefined;
}

/** A cell's materialised result as the UI needs it. */
export interface CellOutput {
  name: string;
  columns: ColumnInfo[];
  rowCount: number;
  /** The first page of rows as plain JS values. */
  rows: Record<string, unknown>[];
  ms: number;
  /** What reading frame data for it fetched (absent when it read no frames). */
  fetched?: Fetched;
}

/** A query's rows (plain JS values) and columns. */
export interface QueryOutput {
  rows: Record<string, unknown>[];
  columns: ColumnInfo[];
  ms: number;
  fetched?: Fetched;
}

/** A cancellable piece of work: `id` goes to {@link DbClient.cancel}. */
export interface Job<T> {
  id: number;
  done: Promise<T>;
}

/**
 * The main thread's handle on the database worker. The only module that creates the worker; components talk to
 * the database through this class (or through the notebook runner that uses it).
 */
export class DbClient {
  readonly #api: Comlink.Remote<DbApi>;
  readonly #worker: Worker;
  #nextId = 1;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#api = Comlink.wrap<DbApi>(worker);
  }

  /** Starts the worker (DuckDB boots inside it on `init`). */
  static create(): DbClient {
    const worker = new Worker(new URL('../../../workers/db.worker.ts', import.meta.url), { type: 'module', name: 'flywheel-db' });
    return new DbClient(worker);
  }

  /** A fresh id for a cancellable call. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Boots DuckDB-WASM (idempotent). */
  init(): Promise<EngineInfo> {
    return this.#api.init();
  }

  /** Runs SQL and returns plain rows with their columns. */
  async query(sql: string, id = this.nextId(), opts: RunOptions = {}): Promise<QueryOutput> {
    const r = await this.#api.query(sql, id, opts.maxBytes, proxied(opts.onProgress));
    return { ...ipcToResult(r.ipc), ms: r.ms, fetched: r.fetched };
  }

  /** Runs a cell's SELECT, materialised as table `name`. */
  async runCell(name: string, sql: string, id: number, pageSize = 200, opts: RunOptions = {}): Promise<CellOutput> {
    const r: RawCellResult = await this.#api.runCell(name, sql, id, pageSize, opts.maxBytes, proxied(opts.onProgress));
    return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToRows(r.firstPage), ms: r.ms, fetched: r.fetched };
  }

  /** Rows `offset … offset+limit` of a materialised result. */
  async page(name: string, offset: number, limit: number): Promise<Record<string, unknown>[]> {
    return ipcToRows(await this.#api.page(name, offset, limit));
  }

  /** A whole result as a file's bytes. */
  exportResult(name: string, format: 'csv' | 'arrow' | 'parquet'): Promise<Uint8Array> {
    return this.#api.exportResult(name, format);
  }

  /** Loads an Arrow table (IPC stream bytes, transferred) as table `name`. */
  insertArrow(name: string, ipc: Uint8Array, mode: 'replace' | 'append' = 'replace'): Promise<TableInfo> {
    return this.#api.insertArrow(name, Comlink.transfer(ipc, [ipc.buffer as ArrayBuffer]), mode);
  }

  /** Cancels a query or load by id. */
  cancel(id: number): Promise<boolean> {
    return this.#api.cancel(id);
  }

  /** Every table and view, with row counts. */
  catalog(): Promise<TableInfo[]> {
    return this.#api.catalog();
  }

  /** Opens a LeRobot dataset's metadata. */
  openDataset(spec: SourceSpec, onProgress?: (p: Progress) => void): Promise<DatasetSummary> {
    return this.#api.openDataset(spec, onProgress ? Comlink.proxy(onProgress) : undefined);
  }

  /** Loads a CSV from a URL or a user's file as table `name`. */
  loadCsv(name: string, from: { url: string } | { file: Blob }): Promise<TableInfo> {
    return this.#api.loadCsv(name, from);
  }

  /** Loads a user's CSV or Parquet file (by extension) as table `name`, replacing it. */
  loadTableFile(name: string, file: Blob): Promise<TableInfo> {
    return this.#api.loadTableFile(name, file);
  }

  /** Builds the canonical `episodes` view (joined with an episode log when given; outcome per the mapping). */
  linkEpisodes(logTable?: string, mapping?: OutcomeMapping): Promise<void> {
    return this.#api.linkEpisodes(logTable, mapping);
  }

  /** Per-frame columns that can define an episode's outcome. */
  outcomeColumns(): Promise<string[]> {
    return this.#api.outcomeColumns();
  }

  /** Opens MCAP files (URLs or the user's files): mcap_* tables and one view per topic. */
  openMcap(specs: McapSpec[], reserved: string[] = [], onProgress?: (p: Progress) => void, id = this.nextId()): Promise<McapSummaryInfo> {
    return this.#api.openMcap(specs, reserved, proxied(onProgress), id);
  }

  /** Maps the open MCAP files onto `episodes` and `frames`. */
  mapMcapEpisodes(cfg: McapEpisodes, onProgress?: (p: Progress) => void, id = this.nextId()): Promise<McapEpisodesResult> {
    return this.#api.mapMcapEpisodes(cfg, proxied(onProgress), id);
  }

  /** Reads every topic of the open MCAP files into DuckDB now. */
  loadAllMcap(onProgress?: (p: Progress) => void, id = this.nextId()): Promise<McapSummaryInfo> {
    return this.#api.loadAllMcap(proxied(onProgress), id);
  }

  /** Stops the worker and DuckDB with it. */
  terminate(): void {
    this.#worker.terminate();
  }
}

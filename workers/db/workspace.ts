import type { SourceSpec } from '../../src/lib/ingest/source';
import { referencedNames } from '../../src/lib/notebook/sql-scan';
import { quoteIdent } from '../../src/lib/util/sql';
import { loadCsv } from './csv-load';
import { loadParquet } from './parquet-load';
import type { Engine } from './engine';
import { buildEpisodesView } from './episodes-view';
import { FramesSource } from './frames-source';
import { openLeRobot, type DatasetSummary } from './lerobot';
import { Mutex } from './mutex';
import { network } from './net-stats';
import { createReader, type DatasetReader } from './reader';
import type { CellResult, Fetched, ProgressFn, QueryResult, TableInfo } from './types';
import type { OutcomeMapping } from '../../src/lib/notebook/types';
import { defaultEpisodes, type McapEpisodes } from '../../src/lib/mcap';
import { McapSet, type McapSpec, type McapSummaryInfo } from './mcap-load';
import { buildMcapEpisodes, type McapEpisodesResult } from './mcap-episodes';

/** Options of a query or cell run. */
export interface RunOptions {
  /** Progress of reading frame data for the query. */
  onProgress?: ProgressFn;
  /** Ask (fail with BudgetError) before fetching more than this many bytes of frame data. */
  maxBytes?: number;
}

/**
 * Everything the app does with data, independent of where it runs: the browser's database worker wraps one of
 * these with comlink, and the headless notebook runner uses one in Node. The engine may still be starting
 * (a promise): dataset files are fetched and decoded meanwhile.
 */
export class Workspace {
  readonly #engine: Promise<Engine>;
  readonly #beforeParquet: Promise<unknown>;
  #dataset: { reader: DatasetReader; summary: DatasetSummary; frames: FramesSource } | null = null;
  /** Held from planning a query that reads `frames` until it has run, so no other query re-points the view between. */
  readonly #framesLock = new Mutex();
  readonly #loads = new Map<number, AbortController>();
  #ready: Engine | null = null;
  /** Open MCAP files, and the frame rate of the episodes mapped from them (null until mapped). */
  #mcap: { set: McapSet; fps: number | null; fillFrames: ((o: { signal?: AbortSignal; onProgress?: ProgressFn }) => Promise<void>) | null } | null = null;

  /**
   * @param engine the engine, or a promise of it while DuckDB starts
   * @param parquetReady resolves once parquet-wasm is initialised
   */
  constructor(engine: Engine | Promise<Engine>, parquetReady: Promise<unknown> = Promise.resolve()) {
    this.#engine = Promise.resolve(engine).then((e) => (this.#ready = e));
    this.#beforeParquet = parquetReady;
  }

  /** The open dataset's summary, if any. */
  get dataset(): DatasetSummary | null {
    return this.#dataset?.summary ?? null;
  }

  /** Runs SQL and returns Arrow IPC; loads what it needs from `frames` first. */
  async query(sql: string, id: number, opts: RunOptions = {}): Promise<QueryResult> {
    const engine = await this.#engine;
    return this.#withMcap(sql, id, opts, () => this.#withFrames(sql, id, opts, () => engine.query(sql, id)));
  }

  /** Runs a notebook cell's SELECT, materialised as table `name`. */
  async runCell(name: string, sql: string, id: number, pageSize = 200, opts: RunOptions = {}): Promise<CellResult> {
    const engine = await this.#engine;
    return this.#withMcap(sql, id, opts, () => this.#withFrames(sql, id, opts, () => engine.runCell(name, sql, id, pageSize)));
  }

  /** A window of rows of a materialised result. */
  async page(name: string, offset: number, limit: number): Promise<Uint8Array> {
    const sql = `SELECT * FROM ${quoteIdent(name)} LIMIT ${Math.max(0, Math.floor(limit))} OFFSET ${Math.max(0, Math.floor(offset))}`;
    return (await (await this.#engine).query(sql)).ipc;
  }

  /**
   * A whole result as a file: CSV (DuckDB's writer), Arrow IPC stream, or Parquet (parquet-wasm, zstd; DuckDB's
   * own Parquet writer is an extension the offline build cannot load).
   */
  async exportResult(name: string, format: 'csv' | 'arrow' | 'parquet'): Promise<Uint8Array> {
    const engine = await this.#engine;
    if (format === 'csv') return engine.exportCsv(quoteIdent(name));
    const { ipc } = await engine.query(`SELECT * FROM ${quoteIdent(name)}`);
    if (format === 'arrow') return ipc;
    await this.#beforeParquet;
    const { Table, writeParquet, WriterPropertiesBuilder, Compression } = await import('parquet-wasm/esm/parquet_wasm.js');
    return writeParquet(Table.fromIPCStream(ipc), new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build());
  }

  /** Inserts an Arrow IPC stream as table `name` (replacing it) or appends to it. */
  async insertArrow(name: string, ipc: Uint8Array, mode: 'replace' | 'append' = 'replace'): Promise<TableInfo> {
    const engine = await this.#engine;
    if (mode === 'replace') await engine.drop(name);
    await engine.insertIpc(name, ipc, mode === 'replace');
    const [{ n }] = await engine.rows(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(name)}`);
    return { name, kind: 'table', rows: Number(n), columns: await engine.describe(quoteIdent(name)) };
  }

  /** Cancels a query or load by id: aborts loading frame data, and interrupts DuckDB. */
  async cancel(id: number): Promise<boolean> {
    this.#loads.get(id)?.abort();
    return this.#ready ? this.#ready.cancel(id) : this.#loads.has(id);
  }

  /** Every table and view with row counts and columns. */
  async catalog(): Promise<TableInfo[]> {
    return (await this.#engine).catalog();
  }

  /** Opens a LeRobot dataset's metadata and sets up lazy `frames`. */
  async openDataset(spec: SourceSpec, onProgress?: ProgressFn): Promise<DatasetSummary> {
    await this.#beforeParquet;
    const reader = createReader(spec);
    const summary = await openLeRobot(this.#engine, reader, onProgress);
    await this.#dataset?.frames.close();
    const frames = await FramesSource.open(await this.#engine, reader, summary);
    this.#dataset = { reader, summary, frames };
    return summary;
  }

  /**
   * Loads a Parquet file's bytes as table `name` (e.g. an annotation sidecar the user picked), replacing it.
   * A file that is not Parquet gets a message that says so rather than a decoder's.
   */
  async loadParquetBytes(name: string, bytes: Uint8Array, label: string): Promise<TableInfo> {
    await this.#beforeParquet;
    const engine = await this.#engine;
    const { ParquetFile } = await import('parquet-wasm/esm/parquet_wasm.js');
    let file;
    try {
      file = await ParquetFile.fromFile(new Blob([bytes as BlobPart]));
    } catch (e) {
      throw new Error(`${label} is not a readable Parquet file (${(e as Error).message ?? e}). Export the sidecar again, or use its CSV form.`);
    }
    await engine.drop(name);
    const rows = await loadParquet(engine, file, name, { label });
    return { name, kind: 'table', rows, columns: await engine.describe(quoteIdent(name)) };
  }

  /** Loads CSV bytes as table `name`. */
  async loadCsv(name: string, bytes: Uint8Array, label?: string): Promise<TableInfo> {
    return loadCsv(this.#engine, name, bytes, label);
  }

  /**
   * Builds the canonical `episodes` view, joining an episode log when one is loaded, with `outcome` defined by the
   * notebook's mapping. A per-frame column is aggregated once per episode (reading just that column lazily).
   */
  async linkEpisodes(logTable?: string, mapping?: OutcomeMapping, id = -1): Promise<void> {
    const mcapFps = !this.#dataset ? this.#mcap?.fps : null;
    if (!this.#dataset && !mcapFps) throw new Error('Open a dataset first.');
    const engine = await this.#engine;
    const fps = mcapFps ?? this.#dataset!.summary.info.fps;
    if (mapping?.kind === 'frame-column') {
      const col = quoteIdent(mapping.column);
      const frameCols = this.#dataset ? this.#dataset.frames.columns : await engine.describe('frames');
      if (!frameCols.some((c) => c.name === mapping.column)) {
        throw new Error(`There is no per-frame column "${mapping.column}" (frames has: ${frameCols.map((c) => c.name).join(', ')}).`);
      }
      // Numeric success columns (reward 0/1, next.success as 0/1) count as true when positive.
      const truthy = `(${col})::DOUBLE > 0`;
      const agg = mapping.rule === 'last' ? `arg_max(${truthy}, frame_index)` : `bool_or(${truthy})`;
      await this.runCell('_episode_outcomes', `SELECT episode_index, CASE WHEN ${agg} THEN 'success' ELSE 'failure' END AS outcome FROM frames GROUP BY episode_index`, id);
      await buildEpisodesView(engine, fps, logTable, { table: '_episode_outcomes' });
    } else if (mapping?.kind === 'sql') {
      await buildEpisodesView(engine, fps, logTable, { expression: mapping.expression });
    } else {
      await buildEpisodesView(engine, fps, logTable);
    }
  }

  /**
   * Opens MCAP files (URLs read by range, or the user's files): metadata tables and one view per topic, whose
   * messages are read when a query first names it. `reserved` are names topic tables must not take.
   */
  async openMcap(specs: McapSpec[], reserved: string[] = [], onProgress?: ProgressFn, id = -1): Promise<McapSummaryInfo> {
    const ctl = new AbortController();
    this.#loads.set(id, ctl);
    try {
      await this.#mcap?.set.close();
      this.#mcap = null;
      const set = await McapSet.open(this.#engine, specs, new Set(['episodes', 'frames', 'tasks', ...reserved]), { signal: ctl.signal, onProgress });
      this.#mcap = { set, fps: null, fillFrames: null };
      return set.info();
    } finally {
      this.#loads.delete(id);
    }
  }

  /**
   * Maps the open MCAP files onto `episodes` and `frames` (see McapEpisodes): reads the topics it needs, builds the
   * episode table and the resampled frames; `linkEpisodes` then builds the `episodes` view as for a dataset.
   */
  async mapMcapEpisodes(cfg: McapEpisodes = defaultEpisodes(), onProgress?: ProgressFn, id = -1): Promise<McapEpisodesResult> {
    if (!this.#mcap) throw new Error('Open MCAP files first.');
    const ctl = new AbortController();
    this.#loads.set(id, ctl);
    try {
      const { fillFrames, ...r } = await buildMcapEpisodes(await this.#engine, this.#mcap.set, cfg, { signal: ctl.signal, onProgress });
      this.#mcap.fps = cfg.fps;
      this.#mcap.fillFrames = fillFrames;
      return r;
    } finally {
      this.#loads.delete(id);
    }
  }

  /** Reads every topic of the open MCAP files into DuckDB now (a full ingest, as the benchmark measures it). */
  async loadAllMcap(onProgress?: ProgressFn, id = -1): Promise<McapSummaryInfo> {
    if (!this.#mcap) throw new Error('Open MCAP files first.');
    const ctl = new AbortController();
    this.#loads.set(id, ctl);
    try {
      await this.#mcap.set.loadAll({ signal: ctl.signal, onProgress });
      return this.#mcap.set.info();
    } finally {
      this.#loads.delete(id);
    }
  }

  /** Boolean or 0/1 per-frame columns that can define an episode's outcome (e.g. DROID's is_episode_successful). */
  outcomeColumns(): string[] {
    const cols = this.#dataset?.frames.columns ?? [];
    return cols.filter((c) => /^(BOOLEAN)$/.test(c.type) || /success|done|reward/i.test(c.name)).map((c) => c.name);
  }

  /**
   * Runs `fn` after reading the MCAP topic tables `sql` names that are not read yet, and reports what that fetched.
   */
  async #withMcap<T extends { fetched?: Fetched }>(sql: string, id: number, opts: RunOptions, fn: () => Promise<T>): Promise<T> {
    const set = this.#mcap?.set;
    const refs = new Set([...referencedNames(sql)].map((n) => n.toLowerCase()));
    const names = set ? set.pending(refs) : [];
    const fill = refs.has('frames') ? this.#mcap?.fillFrames : null;
    if (!set || (!names.length && !fill)) return fn();
    const ctl = new AbortController();
    this.#loads.set(id, ctl);
    const before = network.log.length;
    try {
      await set.load(new Set(names), { signal: ctl.signal, onProgress: opts.onProgress });
      if (fill) {
        await fill({ signal: ctl.signal, onProgress: opts.onProgress });
        // Filled once: later queries find every frame in place.
        if (this.#mcap?.fillFrames === fill) this.#mcap.fillFrames = null;
      }
    } finally {
      this.#loads.delete(id);
    }
    const requests = network.log.slice(before);
    const r = await fn();
    const bytes = requests.reduce((s, q) => s + q.bytes, 0);
    r.fetched = { requests: requests.length + (r.fetched?.requests ?? 0), bytes: bytes + (r.fetched?.bytes ?? 0) };
    return r;
  }

  /**
   * Runs `fn` after loading what `sql` needs from `frames`, when it reads frames at all, and reports what that
   * fetched (so every cell shows its network cost).
   */
  async #withFrames<T extends { fetched?: Fetched }>(sql: string, id: number, opts: RunOptions, fn: () => Promise<T>): Promise<T> {
    const frames = this.#dataset?.frames;
    if (!frames || !referencedNames(sql).has('frames')) return fn();
    return this.#framesLock.run(async () => {
      const ctl = new AbortController();
      this.#loads.set(id, ctl);
      try {
        const before = network.log.length;
        await frames.prepare(sql, { signal: ctl.signal, onProgress: opts.onProgress, maxBytes: opts.maxBytes });
        const requests = network.log.slice(before);
        const r = await fn();
        r.fetched = { requests: requests.length, bytes: requests.reduce((s, q) => s + q.bytes, 0) };
        return r;
      } finally {
        this.#loads.delete(id);
      }
    });
  }
}

import type { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';
import { CancelledError } from '../../src/lib/util/errors';
import { formatBytes } from '../../src/lib/util/format';
import { namedElements, namedSelect } from '../../src/lib/ingest/lerobot/named';
import { quoteIdent } from '../../src/lib/util/sql';
import { DataFileError } from './data-file-check';
import type { Engine } from './engine';
import { DataFiles } from './frames-files';
import { hasEpisode, needsFromPlan, type EpisodeSet, type FramesNeed } from './frames-plan';
import { EPISODES_META, type DatasetSummary } from './lerobot';
import { BATCH_SIZE, leafColumns } from './parquet-load';
import { describeWasmError, type DatasetReader } from './reader';
import type { ColumnInfo, ProgressFn } from './types';

/** Empty table with the frames' columns: what queries are planned against. */
const SHAPE = '_frames_shape';
/** The frame data loaded for the latest query (needed columns of needed row groups). */
const CACHE = '_frames_cache';

/** Thrown when a query would fetch more than the budget; the UI offers to run it anyway. */
export class BudgetError extends Error {
  override name = 'BudgetError';
  constructor(
    message: string,
    readonly bytes: number,
  ) {
    super(message);
  }
}

/** One row group of one data file. */
interface Chunk {
  file: string;
  rowGroup: number;
  rows: number;
}

/** What loading frames for a query cost. */
export interface FramesLoad {
  columns: string[];
  rowGroups: number;
  rows: number;
  /** Compressed bytes of the column chunks read (what a range reader fetches). */
  bytes: number;
  reused: boolean;
  /**
   * Data files the query needed that do not match the metadata, one sentence each: ones that cannot be used (their
   * frames are not in the result) and ones read although their row count differs from the episode's length.
   */
  fileNotes: string[];
}

/** Options for {@link FramesSource.prepare}. */
export interface PrepareOptions {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
  /** Ask before fetching more than this many compressed bytes (default 1 GB; Infinity: the user said go). */
  maxBytes?: number;
  /** Ask before holding more than this many decoded bytes (default 1.5 GB). */
  maxMemoryBytes?: number;
}

/**
 * `frames` without loading every frame: the table is a view over whatever the current query needs. Before a query
 * runs, {@link prepare} plans it, fetches only the needed columns of the row groups that can hold the episodes it
 * reads (HTTP ranges or File slices through parquet-wasm), and points the view at them.
 */
export class FramesSource {
  readonly #engine: Engine;
  readonly #reader: DatasetReader;
  readonly #summary: DatasetSummary;
  /** The data files, each checked against info.json when its footer is first read. */
  readonly #files: DataFiles;
  #shape: ColumnInfo[] = [];
  /** Per-element columns from the features' `names` (`"observation.state.kLeftElbow"`), as view expressions. */
  #named: string[] = [];
  /** Per episode: its data file and global `index` range [from, to). */
  #episodes = new Map<number, { file: string; from: number; to: number }>();
  /** First global index of each data file (v3.0 files hold consecutive episodes). */
  #fileStart = new Map<string, number>();
  #cache: { columns: Set<string>; chunks: Set<string> } | null = null;
  totalFrames = 0;

  private constructor(engine: Engine, reader: DatasetReader, summary: DatasetSummary) {
    this.#engine = engine;
    this.#reader = reader;
    this.#summary = summary;
    // v2.x: one episode per file, so its row count must be the episode's length.
    const v2 = summary.info.version !== 'v3.0';
    this.#files = new DataFiles(engine, reader, summary, (path) => {
      if (!v2) return null;
      for (const loc of this.#episodes.values()) if (loc.file === path) return loc.to - loc.from;
      return null;
    });
  }

  /** Sets up `frames` as an empty view of the right shape; reads one data file's footer and first row. */
  static async open(engine: Engine, reader: DatasetReader, summary: DatasetSummary): Promise<FramesSource> {
    const fs = new FramesSource(engine, reader, summary);
    await fs.#indexEpisodes();
    await fs.#createShape();
    await fs.#pointView(null);
    return fs;
  }

  async #indexEpisodes(): Promise<void> {
    const v3 = this.#summary.info.version === 'v3.0';
    const rows = await this.#engine.rows(
      v3
        ? `SELECT episode_index AS e, dataset_from_index AS f, dataset_to_index AS t, "data/chunk_index" AS c, "data/file_index" AS fi FROM ${EPISODES_META} ORDER BY e`
        : `SELECT episode_index AS e, length AS n FROM ${EPISODES_META} ORDER BY e`,
    );
    let next = 0;
    rows.forEach((r, i) => {
      const e = Number(r.e);
      if (v3) {
        const file = this.#summary.dataFiles.find((p) => p === this.#v3Path(Number(r.c), Number(r.fi))) ?? this.#v3Path(Number(r.c), Number(r.fi));
        const from = Number(r.f);
        this.#episodes.set(e, { file, from, to: Number(r.t) });
        this.#fileStart.set(file, Math.min(this.#fileStart.get(file) ?? Infinity, from));
        this.totalFrames += Number(r.t) - from;
      } else {
        const n = Number(r.n);
        this.#episodes.set(e, { file: this.#summary.dataFiles[i], from: next, to: next + n });
        next += n;
        this.totalFrames += n;
      }
    });
  }

  #v3Path(chunk: number, file: number): string {
    return this.#summary.info.dataPath
      .replace(/\{chunk_index(?::0?(\d+)d)?\}/, (_m, w) => String(chunk).padStart(Number(w ?? 0), '0'))
      .replace(/\{file_index(?::0?(\d+)d)?\}/, (_m, w) => String(file).padStart(Number(w ?? 0), '0'));
  }

  #file(path: string): Promise<ParquetFile> {
    return this.#files.open(path);
  }

  /** Sentences for the data files `paths` that cannot be used or differ from the metadata (a query that needed them says so). */
  fileNotesOf(paths: Iterable<string>): string[] {
    const unique = [...new Set(paths)];
    return [...unique.flatMap((p) => this.#files.skipped.get(p) ?? []), ...unique.flatMap((p) => this.#files.notes.get(p) ?? [])];
  }

  async #createShape(): Promise<void> {
    if (!this.#summary.dataFiles.length) throw new Error('The dataset lists no data files.');
    // The first data file that matches info.json gives the shape; the ones before it are named in the warnings.
    let file: ParquetFile | null = null;
    for (const path of this.#summary.dataFiles) {
      try {
        file = await this.#file(path);
        break;
      } catch (e) {
        if (!(e instanceof DataFileError)) throw e;
      }
    }
    this.#summary.warnings.push(...this.#files.skipped.values(), ...this.#files.notes.values());
    if (!file) {
      throw new DataFileError(
        `None of the ${this.#summary.dataFiles.length} data files can be used; the first: ${[...this.#files.skipped.values()][0]}`,
        this.#summary.dataFiles[0],
      );
    }
    // The footer's schema alone (no data pages) defines the columns.
    await this.#engine.drop(`${SHAPE}_all`);
    await this.#engine.insertIpc(`${SHAPE}_all`, file.schema().intoIPCStream(), true);
    // Image features are stored as {bytes, path} structs: megabytes per frame, never worth loading for analysis.
    const skip = new Set(this.#summary.info.features.filter((f) => f.isVideo || f.dtype === 'image').map((f) => f.key));
    const cols = (await this.#engine.describe(`${SHAPE}_all`)).filter((c) => !skip.has(c.name));
    await this.#engine.drop(SHAPE);
    await this.#engine.exec(`CREATE TABLE ${SHAPE} AS SELECT ${cols.map((c) => quoteIdent(c.name)).join(', ')} FROM ${SHAPE}_all`);
    await this.#engine.drop(`${SHAPE}_all`);
    this.#shape = cols;
    // Only vectors that were actually loaded as list columns get named elements.
    const loaded = new Set(cols.filter((c) => /\[\d*\]$/.test(c.type.trim())).map((c) => c.name));
    this.#named = namedSelect(namedElements(this.#summary.info.features.filter((f) => loaded.has(f.key)), cols.map((c) => c.name)));
    this.#engine.setRowCount('frames', this.totalFrames);
  }

  /** Columns of `frames`. */
  get columns(): ColumnInfo[] {
    return this.#shape;
  }

  /** `frames` over the shape (planning) or over the cache with its loaded columns (NULL for the rest). */
  #viewSql(loaded: Set<string> | null): string {
    const select = loaded
      ? this.#shape.map((c) => (loaded.has(c.name) ? quoteIdent(c.name) : `NULL::${c.type} AS ${quoteIdent(c.name)}`)).join(', ')
      : '*';
    // Named elements are expressions over the vectors, so planning still sees the scan read the vector column.
    const named = this.#named.length ? `, ${this.#named.join(', ')}` : '';
    return `CREATE OR REPLACE VIEW frames AS SELECT ${select}${named} FROM ${loaded ? CACHE : SHAPE}`;
  }

  async #pointView(loaded: Set<string> | null): Promise<void> {
    await this.#engine.exec(this.#viewSql(loaded));
  }

  /** What `sql` needs from frames, or null when it does not scan frames. */
  async plan(sql: string): Promise<FramesNeed | null> {
    return this.#engine.exclusive(async () => {
      // Inside the lock, so no other query sees the view while it points at the empty shape.
      await this.#engine.execUnlocked(this.#viewSql(null));
      // The shape table is empty, so its statistics say "no rows, no NULLs": with them the optimizer drops filters
      // it proves always true (`action IS NOT NULL`) or plans no scan at all (`coalesce(action[1], 0) > 0` becomes an
      // empty result), and the plan would not name columns the query reads. Plan without those rewrites.
      await this.#engine.execUnlocked(`SET disabled_optimizers = 'statistics_propagation,empty_result_pullup'`);
      try {
        const rows = await this.#engine.rowsUnlocked(`EXPLAIN (FORMAT json) ${sql}`);
        const plan = rows.map((r) => String(r.explain_value)).join('');
        return needsFromPlan(plan, SHAPE, this.#shape.map((c) => c.name), this.#shape.some((c) => c.name === 'episode_index') ? 'episode_index' : this.#shape[0].name);
      } finally {
        await this.#engine.execUnlocked(`RESET disabled_optimizers`);
        if (this.#cache) await this.#engine.execUnlocked(this.#viewSql(this.#cache.columns));
      }
    });
  }

  /** Row groups that can hold the given episodes. Opens (footer-only) the data files concerned. */
  async chunksFor(episodes: EpisodeSet | null): Promise<Chunk[]> {
    const files = new Map<string, { from: number; to: number }[]>();
    for (const [e, loc] of this.#episodes) {
      if (!hasEpisode(episodes, e)) continue;
      const list = files.get(loc.file) ?? [];
      list.push(loc);
      files.set(loc.file, list);
    }
    const v3 = this.#summary.info.version === 'v3.0';
    const out: Chunk[] = [];
    // A file that does not match info.json (or is not Parquet) is left out; prepare() says so.
    const opened = await Promise.all(
      [...files.keys()].map(async (path) => [path, await this.#file(path).catch((e) => (e instanceof DataFileError ? null : Promise.reject(e)))] as const),
    );
    for (const [path, file] of opened) {
      if (!file) continue;
      const md = file.metadata();
      const start = this.#fileStart.get(path) ?? 0;
      let offset = start;
      for (let g = 0; g < md.numRowGroups(); g++) {
        const rows = md.rowGroup(g).numRows();
        const gFrom = offset;
        const gTo = offset + rows;
        offset = gTo;
        // v2.x files hold one episode: every row group of a needed file is needed.
        if (!v3 || files.get(path)!.some((r) => r.from < gTo && r.to > gFrom)) out.push({ file: path, rowGroup: g, rows });
      }
    }
    return out;
  }

  /** Compressed bytes of the given columns in the given row groups (from the footers: no data read). */
  async bytesFor(chunks: Chunk[], columns: string[]): Promise<number> {
    return (await this.sizesFor(chunks, columns)).compressed;
  }

  /** Compressed (to fetch) and uncompressed (to hold in memory) bytes of columns in row groups, from footers. */
  async sizesFor(chunks: Chunk[], columns: string[]): Promise<{ compressed: number; uncompressed: number }> {
    const want = new Set(columns);
    let compressed = 0;
    let uncompressed = 0;
    for (const c of chunks) {
      const rg = (await this.#file(c.file)).metadata().rowGroup(c.rowGroup);
      for (const col of rg.columns()) {
        if (!want.has(col.columnPath()[0])) continue;
        compressed += col.compressedSize();
        uncompressed += col.uncompressedSize();
      }
    }
    return { compressed, uncompressed };
  }

  /**
   * Makes `frames` hold what `sql` reads: plans it, reuses the loaded data when it covers the need, otherwise
   * fetches the needed columns of the needed row groups. Returns null when the query does not read frames.
   */
  async prepare(sql: string, opts: PrepareOptions = {}): Promise<FramesLoad | null> {
    const need = await this.plan(sql);
    if (!need) return null;
    const chunks = await this.chunksFor(need.episodes);
    const fileNotes = this.fileNotesOf([...this.#episodes].filter(([e]) => hasEpisode(need.episodes, e)).map(([, loc]) => loc.file));
    const keys = new Set(chunks.map((c) => `${c.file}#${c.rowGroup}`));
    const rows = chunks.reduce((s, c) => s + c.rows, 0);
    if (this.#cache && need.columns.every((c) => this.#cache!.columns.has(c)) && [...keys].every((k) => this.#cache!.chunks.has(k))) {
      return { columns: need.columns, rowGroups: chunks.length, rows, bytes: 0, reused: true, fileNotes };
    }
    const { compressed: bytes, uncompressed } = await this.sizesFor(chunks, need.columns);
    const max = opts.maxBytes ?? 1024 ** 3;
    const what = `${need.columns.join(', ')} from ${chunks.length} row groups, ${rows.toLocaleString('en-US')} frames`;
    if (bytes > max) {
      throw new BudgetError(
        `This query needs ${formatBytes(bytes)} of frame data (${what}), more than the ${formatBytes(max)} budget. ` +
          'Filter by episode_index or select fewer columns, or run it anyway.',
        bytes,
      );
    }
    // A browser tab's wasm memory tops out around 2–4 GB; decoded data beyond ~1.5 GB would likely crash the tab.
    const memory = opts.maxMemoryBytes ?? 1.5e9;
    if (uncompressed > memory && opts.maxBytes !== Infinity) {
      throw new BudgetError(
        `This query would hold about ${formatBytes(uncompressed)} of decoded frame data in memory (${what}), more than a browser tab can ` +
          `safely use (${formatBytes(memory)}). Aggregate per episode range, filter by episode_index, or run it anyway.`,
        bytes,
      );
    }
    await this.#load(chunks, need.columns, bytes, opts);
    this.#cache = { columns: new Set(need.columns), chunks: keys };
    await this.#pointView(this.#cache.columns);
    return { columns: need.columns, rowGroups: chunks.length, rows, bytes, reused: false, fileNotes };
  }

  async #load(chunks: Chunk[], columns: string[], totalBytes: number, opts: PrepareOptions): Promise<void> {
    await this.#engine.drop(CACHE);
    this.#cache = null;
    const total = chunks.reduce((s, c) => s + c.rows, 0);
    let done = 0;
    let created = false;
    // Decode the next row group (network + parquet-wasm, in this worker) while DuckDB inserts the current one.
    let pending = chunks.length ? this.#readChunk(chunks[0], columns) : null;
    for (let i = 0; i < chunks.length; i++) {
      if (opts.signal?.aborted) throw new CancelledError('Loading frames cancelled');
      const parts = await pending!;
      pending = i + 1 < chunks.length ? this.#readChunk(chunks[i + 1], columns) : null;
      await this.#insertParts(parts, !created);
      created = true;
      done += chunks[i].rows;
      opts.onProgress?.({
        label: `Reading frames (${columns.length} columns, ${chunks.length} row groups, ~${formatBytes(totalBytes)})`,
        done,
        total,
        unit: 'rows',
        bytesFetched: this.#reader.stats.bytes,
        requests: this.#reader.stats.requests,
      });
    }
    pending?.catch(() => undefined);
    if (!created) {
      // No row group matched (e.g. an episode that does not exist): an empty table of the right columns.
      const select = columns.map(quoteIdent).join(', ');
      await this.#engine.exec(`CREATE TABLE ${CACHE} AS SELECT ${select} FROM ${SHAPE}`);
    }
  }

  /**
   * Reads one row group's needed columns as Arrow IPC. Over HTTP, parquet-wasm merges the byte ranges of the
   * requested columns when the gap between them is under ~1 MB, fetching every column in between; so each run of
   * adjacent needed columns is read on its own (in parallel), and the parts are joined back by position.
   */
  async #readChunk(c: Chunk, columns: string[]): Promise<Uint8Array[]> {
    const file = await this.#file(c.file);
    const runs = this.#reader.remote ? columnRuns(file, c.rowGroup, columns) : [columns];
    try {
      return await Promise.all(
        runs.map(async (cols) => (await file.read({ rowGroups: [c.rowGroup], columns: leafColumns(file, cols), batchSize: BATCH_SIZE })).intoIPCStream()),
      );
    } catch (e) {
      throw new Error(`Could not read ${c.file} (row group ${c.rowGroup + 1}): ${describeWasmError(e)}`);
    }
  }

  async #insertParts(parts: Uint8Array[], create: boolean): Promise<void> {
    if (parts.length === 1) {
      await this.#engine.insertIpc(CACHE, parts[0], create);
      return;
    }
    const names = parts.map((_, i) => `_frames_part_${i}`);
    for (let i = 0; i < parts.length; i++) {
      // Internal scratch tables are always tables: DROP … IF EXISTS spares the catalog lookup `drop` makes.
      await this.#engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(names[i])}`);
      await this.#engine.insertIpc(names[i], parts[i], true);
    }
    // Each part holds the same rows in the same order: a positional join puts the columns back side by side.
    const joined = `SELECT * FROM ${names.join(' POSITIONAL JOIN ')}`;
    await this.#engine.exec(create ? `CREATE TABLE ${CACHE} AS ${joined}` : `INSERT INTO ${CACHE} BY NAME ${joined}`);
    for (const n of names) await this.#engine.exec(`DROP TABLE ${quoteIdent(n)}`);
  }

  /** Releases the Parquet readers (their footers live in wasm memory). */
  async close(): Promise<void> {
    await this.#files.close();
  }
}


/** Splits the wanted columns into runs that are adjacent in the row group's column order. */
function columnRuns(file: ParquetFile, rowGroup: number, wanted: string[]): string[][] {
  const want = new Set(wanted);
  const order: string[] = [];
  for (const col of file.metadata().rowGroup(rowGroup).columns()) {
    const name = col.columnPath()[0];
    if (order[order.length - 1] !== name) order.push(name);
  }
  const runs: string[][] = [];
  let current: string[] = [];
  for (const name of order) {
    if (want.has(name)) current.push(name);
    else if (current.length) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length) runs.push(current);
  return runs.length ? runs : [wanted];
}

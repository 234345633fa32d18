import {
  blobReadable, decoderFor, DecoderError, httpReadable, openMcapFile, topicTableName, TopicTableBuilder,
  type Channel, type McapFile, type McapReadable, type McapSummary,
} from '../../src/lib/mcap';
import { quoteIdent } from '../../src/lib/util/sql';
import type { Engine } from './engine';
import { attachmentsIpc, channelsIpc, filesIpc, metadataIpc, schemasIpc, type McapFileRow } from './mcap-meta';
import type { ProgressFn } from './types';

/** An MCAP file to open: a URL (read with range requests) or a file the user chose. */
export type McapSpec = { url: string } | { file: Blob; name: string };

/**
 * What reading MCAP needs of a DuckDB connection: the app's wasm {@link Engine}, or an adapter over native DuckDB
 * (the headless runner), so both engines build their topic tables with the same reader and the same SQL.
 */
export type McapEngine = Pick<Engine, 'drop' | 'exec' | 'insertIpc' | 'rows' | 'setRowCount' | 'describe'>;

/** Tables every MCAP open creates besides one per topic. */
export const MCAP_META_TABLES = ['mcap_files', 'mcap_channels', 'mcap_schemas', 'mcap_metadata', 'mcap_attachments'] as const;

/** A buffered batch is inserted once it holds this many message bytes or rows. */
const FLUSH_BYTES = 16 * 1024 * 1024;
const FLUSH_ROWS = 65_536;

/** One topic table: a view over a hidden table that is filled when a query first needs it. */
export interface TopicTable {
  name: string;
  topic: string;
  /** Messages in it: from the files' statistics until read, then counted. */
  rows: number | null;
  /** Per file: the channels whose messages go here. */
  channels: Map<number, Set<number>>;
  /** Files whose messages for it are in DuckDB already. */
  loadedFiles: Set<number>;
  /** Why its messages are raw bytes (no decoder), if so. */
  error: string | null;
  /** The schema name of its messages (null for schemaless channels). */
  schema: string | null;
  newBuilder: () => TopicTableBuilder;
}

/** What opening MCAP files made, for the UI. */
export interface McapSummaryInfo {
  files: { name: string; mode: 'indexed' | 'streamed'; bytes: number; messages: number | null }[];
  topics: { topic: string; table: string; schema: string | null; rows: number | null; error: string | null }[];
  /** Damage, per-channel decoding errors and other notes, in words. */
  problems: string[];
}

type Progress = { signal?: AbortSignal; onProgress?: ProgressFn };

const backing = (name: string) => `_mcap_${name}`;
const STOP = Symbol('stop');

/**
 * MCAP files open in DuckDB: the metadata tables, and one view per topic whose rows are read when a query
 * first names it (through each file's chunk index, so a remote file fetches only what that topic needs).
 * Files without a usable summary are read whole at open: reading them at all means reading every byte.
 */
export class McapSet {
  readonly #engine: McapEngine;
  readonly #files: { file: McapFile; readable: McapReadable }[] = [];
  readonly tables = new Map<string, TopicTable>();
  readonly #byKey = new Map<string, TopicTable>();
  readonly #names: Set<string>;
  readonly #loading = new Map<string, Promise<void>>();
  /** Per file and channel: messages read at open (files read front to back). */
  readonly #streamedCounts = new Map<string, number>();
  readonly problems: string[] = [];

  private constructor(engine: McapEngine, taken: Set<string>) {
    this.#engine = engine;
    this.#names = new Set([...taken, ...MCAP_META_TABLES].map((n) => n.toLowerCase()));
  }

  /**
   * Opens the files (remote ones: footer and summary only), creates the metadata tables and a view per topic.
   * `taken` holds names topic tables must not use (the canonical views, CSV sources).
   */
  static async open(engine: McapEngine | Promise<McapEngine>, specs: McapSpec[], taken: Set<string>, opts: Progress = {}): Promise<McapSet> {
    const set = new McapSet(await engine, taken);
    const rows: McapFileRow[] = [];
    for (let i = 0; i < specs.length; i++) rows.push(await set.#openFile(i, specs[i], opts));
    for (const t of set.tables.values()) {
      if (t.error) set.problems.push(`Topic ${t.topic} (table ${t.name}): ${t.error}; its messages are kept as raw bytes in column "data".`);
    }
    await set.#createMetaTables(rows);
    await set.#createViews(opts);
    return set;
  }

  async #openFile(i: number, spec: McapSpec, opts: Progress): Promise<McapFileRow> {
    const readable = 'url' in spec ? httpReadable(spec.url) : blobReadable(spec.file, spec.name);
    const progress = (label: string) => (done: number, total: number) =>
      opts.onProgress?.({ label, done, total, unit: 'bytes', ...(readable.stats && { bytesFetched: readable.stats.bytes, requests: readable.stats.requests }) });
    // Files read front to back deliver their messages while opening: route them as they come.
    const builders = new Map<string, TopicTableBuilder>();
    const routes = new Map<number, TopicTable>();
    let pending: { table: string; ipc: Uint8Array }[] = [];
    const flushPending = async () => {
      const batch = pending;
      pending = [];
      for (const p of batch) await this.#insert(p.table, p.ipc);
    };
    const file = await openMcapFile(readable, {
      signal: opts.signal,
      onProgress: progress(`Reading ${readable.label}`),
      onBatchEnd: flushPending,
      streamedMessages: (live) => (ch, seq, lt, pt, data) => {
        let t = routes.get(ch);
        if (!t) {
          const channel = live.channels.get(ch);
          if (!channel) return;
          routes.set(ch, (t = this.#route(i, channel, live, data)));
        }
        let b = builders.get(t.name);
        if (!b) builders.set(t.name, (b = t.newBuilder()));
        b.append(i, seq, lt, pt, data);
        const key = `${i}:${ch}`;
        this.#streamedCounts.set(key, (this.#streamedCounts.get(key) ?? 0) + 1);
        if (b.bytes > FLUSH_BYTES || b.rows >= FLUSH_ROWS) pending.push({ table: t.name, ipc: b.flush()! });
      },
    });
    this.#files.push({ file, readable });
    const summary = file.summary;
    await flushPending();
    for (const [name, b] of builders) {
      const ipc = b.flush();
      if (ipc) await this.#insert(name, ipc);
    }
    const channels = new Map<number, { table: string; error: string | null; messages: number | null }>();
    for (const c of summary.channels.values()) {
      let t = routes.get(c.id);
      if (!t) routes.set(c.id, (t = this.#route(i, c, summary, file.streamed ? null : await this.#sample(file, c))));
      if (file.streamed) t.loadedFiles.add(i);
      const n = file.streamed ? (this.#streamedCounts.get(`${i}:${c.id}`) ?? 0) : summary.statistics?.channelMessageCounts.get(c.id);
      channels.set(c.id, { table: t.name, error: t.error, messages: n !== undefined ? Number(n) : summary.statistics ? 0 : null });
    }
    const messages = file.streamed ? [...channels.values()].reduce((s, c) => s + (c.messages ?? 0), 0) : summary.statistics ? Number(summary.statistics.messageCount) : null;
    if (summary.channels.size === 0) this.problems.push(`${summary.label} holds no channels and no messages: a valid MCAP file with nothing in it.`);
    else if (messages === 0) this.problems.push(`${summary.label} holds ${summary.channels.size} channel(s) but no messages.`);
    this.problems.push(...summary.problems);
    return { index: i, summary, metadata: await file.metadata(), attachments: await file.attachments(), channels };
  }

  /** The first message of a channel, for decoders that infer columns from one (JSON without a schema). */
  async #sample(file: McapFile, c: Channel): Promise<Uint8Array | null> {
    if (c.messageEncoding !== 'json' || c.schemaId !== 0) return null;
    let sample: Uint8Array | null = null;
    await file
      .readMessages(new Set([c.id]), (_ch, _s, _l, _p, data) => {
        sample = data.slice();
        throw STOP;
      })
      .catch((e) => {
        if (e !== STOP) throw e;
      });
    return sample;
  }

  /** Finds or creates the table for a channel: one per topic and message shape. */
  #route(fileIndex: number, channel: Channel, summary: McapSummary, sample: Uint8Array | null): TopicTable {
    const schema = summary.schemas.get(channel.schemaId);
    let decoder = null;
    let error: string | null = null;
    try {
      decoder = decoderFor(channel, schema, sample);
    } catch (e) {
      if (!(e instanceof DecoderError)) throw e;
      error = e.message;
    }
    const key = `${channel.topic}\0${decoder ? JSON.stringify(decoder.shape) : 'raw'}`;
    let t = this.#byKey.get(key);
    if (!t) {
      const d = decoder;
      t = {
        name: topicTableName(channel.topic, this.#names),
        topic: channel.topic,
        rows: null,
        channels: new Map(),
        loadedFiles: new Set(),
        error,
        schema: schema?.name ?? null,
        newBuilder: () => new TopicTableBuilder(d?.shape ?? null, d ? (b) => d.decode(b) : null, d?.strict),
      };
      this.#byKey.set(key, t);
      this.tables.set(t.name, t);
    }
    if (!t.channels.has(fileIndex)) t.channels.set(fileIndex, new Set());
    t.channels.get(fileIndex)!.add(channel.id);
    return t;
  }

  async #insert(table: string, ipc: Uint8Array): Promise<void> {
    const create = !this.#created.has(table);
    if (create) await this.#engine.drop(backing(table));
    await this.#engine.insertIpc(backing(table), ipc, create);
    this.#created.add(table);
  }

  readonly #created = new Set<string>();

  async #createMetaTables(rows: McapFileRow[]): Promise<void> {
    const make: [string, Uint8Array][] = [
      ['mcap_files', filesIpc(rows)],
      ['mcap_channels', channelsIpc(rows)],
      ['mcap_schemas', schemasIpc(rows)],
      ['mcap_metadata', metadataIpc(rows)],
      ['mcap_attachments', attachmentsIpc(rows)],
    ];
    for (const [name, ipc] of make) {
      await this.#engine.drop(name);
      await this.#engine.insertIpc(name, ipc, true);
    }
  }

  /** Expected rows of a table: what was read plus what the unread files' statistics say (null when unknown). */
  #expectedRows(t: TopicTable, counted: number): number | null {
    let n = counted;
    for (const [f, chans] of t.channels) {
      if (t.loadedFiles.has(f)) continue;
      const stats = this.#files[f].file.summary.statistics;
      for (const ch of chans) {
        if (!stats) return null;
        // Statistics leave out channels without messages.
        n += Number(stats.channelMessageCounts.get(ch) ?? 0n);
      }
    }
    return n;
  }

  /** Every topic gets a view; an empty hidden table of the right columns stands behind the ones not read yet. */
  async #createViews(opts: Progress): Promise<void> {
    const unknown: string[] = [];
    for (const t of this.tables.values()) {
      if (!this.#created.has(t.name)) {
        // DuckDB creates a table from an Arrow stream only when it has a batch: insert one row, then delete it.
        const b = t.newBuilder();
        b.append(0, 0, 0n, 0n, new Uint8Array(0));
        await this.#insert(t.name, b.flush()!);
        await this.#engine.exec(`DELETE FROM ${quoteIdent(backing(t.name))}`);
      }
      await this.#engine.drop(t.name);
      await this.#engine.exec(`CREATE VIEW ${quoteIdent(t.name)} AS SELECT * FROM ${quoteIdent(backing(t.name))}`);
      t.rows = this.#expectedRows(t, t.loadedFiles.size ? await this.#count(t.name) : 0);
      if (t.rows === null) unknown.push(t.name);
      else this.#engine.setRowCount(t.name, t.rows);
    }
    // Tables whose size the files do not state are read now, so the catalog can show their real row count.
    if (unknown.length) await this.load(new Set(unknown), opts);
  }

  async #count(name: string): Promise<number> {
    const [{ n }] = await this.#engine.rows(`SELECT count(*)::DOUBLE AS n FROM ${quoteIdent(backing(name))}`);
    return Number(n);
  }

  /** Whether every file's messages of this table are read. */
  #loaded(t: TopicTable): boolean {
    return [...t.channels.keys()].every((f) => t.loadedFiles.has(f));
  }

  /** The topic tables among `names` (lower case) whose messages are not all read yet. */
  pending(names: Set<string>): string[] {
    return [...this.tables.values()].filter((t) => names.has(t.name.toLowerCase()) && !this.#loaded(t)).map((t) => t.name);
  }

  /**
   * Reads the messages of these topic tables, all of them in one pass over each file: only the chunks that
   * hold them. Inserts batch by batch; a cancelled read empties the tables it was filling again.
   */
  async load(names: Set<string>, opts: Progress = {}): Promise<void> {
    const waits = [...names].map((n) => this.#loading.get(n)).filter((p): p is Promise<void> => !!p);
    const todo = [...names].map((n) => this.tables.get(n)).filter((t): t is TopicTable => !!t && !this.#loaded(t) && !this.#loading.has(t.name));
    if (todo.length) {
      const p = this.#read(todo, opts).finally(() => todo.forEach((t) => this.#loading.delete(t.name)));
      todo.forEach((t) => this.#loading.set(t.name, p));
      waits.push(p);
    }
    await Promise.all(waits);
  }

  /** Loads every topic table (what a full ingest does). */
  loadAll(opts: Progress = {}): Promise<void> {
    return this.load(new Set(this.tables.keys()), opts);
  }

  async #read(todo: TopicTable[], opts: Progress): Promise<void> {
    const builders = new Map(todo.map((t) => [t.name, t.newBuilder()]));
    const done = new Map(todo.map((t) => [t.name, new Set(t.loadedFiles)]));
    let pending: { table: string; ipc: Uint8Array }[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      for (const p of batch) await this.#engine.insertIpc(backing(p.table), p.ipc, false);
    };
    try {
      for (let f = 0; f < this.#files.length; f++) {
        const { file, readable } = this.#files[f];
        const route = new Map<number, { name: string; b: TopicTableBuilder }>();
        for (const t of todo) {
          if (t.loadedFiles.has(f)) continue;
          for (const ch of t.channels.get(f) ?? []) route.set(ch, { name: t.name, b: builders.get(t.name)! });
        }
        if (!route.size) continue;
        const before = file.summary.problems.length;
        const label = `Reading ${todo.map((t) => t.topic).join(', ')} from ${readable.label}`;
        await file.readMessages(
          new Set(route.keys()),
          (ch, seq, lt, pt, data) => {
            const r = route.get(ch)!;
            r.b.append(f, seq, lt, pt, data);
            if (r.b.bytes > FLUSH_BYTES || r.b.rows >= FLUSH_ROWS) pending.push({ table: r.name, ipc: r.b.flush()! });
          },
          {
            signal: opts.signal,
            onProgress: (d, total) =>
              opts.onProgress?.({ label, done: d, total, unit: 'bytes', ...(readable.stats && { bytesFetched: readable.stats.bytes, requests: readable.stats.requests }) }),
            onBatchEnd: flush,
          },
        );
        await flush();
        this.problems.push(...file.summary.problems.slice(before));
        for (const t of todo) if (t.channels.has(f)) done.get(t.name)!.add(f);
      }
      for (const t of todo) {
        const b = builders.get(t.name)!;
        const ipc = b.flush();
        if (ipc) await this.#engine.insertIpc(backing(t.name), ipc, false);
        if (b.failures) this.problems.push(`Topic ${t.topic}: ${b.failures} of ${b.total} messages did not decode (first error: ${b.firstFailure}); their fields are NULL.`);
        for (const f of done.get(t.name)!) t.loadedFiles.add(f);
        t.rows = await this.#count(t.name);
        this.#engine.setRowCount(t.name, t.rows);
      }
    } catch (e) {
      // A cancelled or failed read leaves no half-filled table: it is read again when next asked for.
      for (const t of todo) {
        await this.#engine.exec(`DELETE FROM ${quoteIdent(backing(t.name))} WHERE mcap_file NOT IN (SELECT unnest([${[...t.loadedFiles, -1].join(',')}]))`);
      }
      throw e;
    }
  }

  /** What the files hold, for the UI's summary. */
  info(): McapSummaryInfo {
    return {
      files: this.#files.map(({ file }) => ({ name: file.summary.label, mode: file.summary.mode, bytes: file.summary.size, messages: file.summary.statistics ? Number(file.summary.statistics.messageCount) : null })),
      topics: [...this.tables.values()].map((t) => ({ topic: t.topic, table: t.name, schema: t.schema, rows: t.rows, error: t.error })),
      problems: [...this.problems],
    };
  }

  /** Bounds of each file's messages (ns), from statistics or chunk indexes; null when unknown. */
  fileTimes(): { start: bigint; end: bigint; label: string }[] {
    return this.#files.map(({ file }) => {
      const s = file.summary.statistics;
      const label = file.summary.label;
      if (s && s.messageCount > 0n) return { start: s.messageStartTime, end: s.messageEndTime, label };
      const c = file.summary.chunkIndexes;
      if (c.length) return { start: c.reduce((m, x) => (x.messageStartTime < m ? x.messageStartTime : m), c[0].messageStartTime), end: c.reduce((m, x) => (x.messageEndTime > m ? x.messageEndTime : m), 0n), label };
      return { start: -1n, end: -1n, label };
    });
  }

  /** Number of files. */
  get fileCount(): number {
    return this.#files.length;
  }

  /** Drops everything this set created. */
  async close(): Promise<void> {
    for (const n of this.tables.keys()) {
      await this.#engine.drop(n);
      await this.#engine.drop(backing(n));
    }
    for (const n of MCAP_META_TABLES) await this.#engine.drop(n);
  }
}

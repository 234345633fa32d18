import { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';
import type { SourceSpec } from '../../src/lib/ingest/source';
import { DataFileError, describeUnreadableParquet } from './data-file-check';
import { network } from './net-stats';

// Its own module so data-file-check.ts can extend it without an import cycle.
import { SourceError } from './source-error';
export { SourceError };

/** Reads files of one dataset root by relative path, counting requests and bytes for the UI. */
export interface DatasetReader {
  /** Human label: the URL root or the local folder name. */
  readonly label: string;
  readonly stats: { requests: number; bytes: number };
  /** True for HTTP sources, where every fetched byte crosses the network. */
  readonly remote: boolean;
  /** File text, or null when the file does not exist. */
  text(path: string): Promise<string | null>;
  /** File bytes, or null when the file does not exist. */
  bytes(path: string): Promise<Uint8Array | null>;
  /** Opens a Parquet file lazily: only its footer is read until row groups are requested. */
  parquet(path: string): Promise<ParquetFile>;
  /** Checks the source can serve byte ranges of `path` (throws RangeUnsupportedError with what to do). */
  probeRanges(path: string): Promise<void>;
}

/**
 * The server answered a range request with the whole file: reading lazily is impossible, and the user decides
 * whether to download whole files instead.
 */
export class RangeUnsupportedError extends SourceError {
  override name = 'RangeUnsupportedError';
  constructor(
    readonly url: string,
    readonly size: number | null,
  ) {
    super(
      `${new URL(url).host} does not support HTTP range requests: it answered a request for 8 bytes of ${url} with the whole file` +
        `${size && size > 1048576 ? ` (${(size / 1048576).toFixed(1)} MB)` : ''}. Without ranges, every Parquet file a query touches ` +
        'must be downloaded in full. Download whole files, or open a local copy of the dataset.',
    );
  }
}

/** Creates the reader for a source spec. */
export function createReader(spec: SourceSpec, fetchFn: typeof fetch = (input, init) => fetch(input, init)): DatasetReader {
  // fetch must be called unbound-safe: a bare reference to the global throws "Illegal invocation" in workers.
  return spec.kind === 'url' ? new UrlReader(spec.base, fetchFn, !!spec.wholeFiles) : new FilesReader(spec.label, spec.files);
}

class UrlReader implements DatasetReader {
  readonly remote = true;
  readonly label: string;
  readonly #fetch: typeof fetch;
  /** Download whole files rather than ranges (for servers without range support, when the user agreed). */
  readonly #whole: boolean;

  constructor(base: string, fetchFn: typeof fetch, whole: boolean) {
    this.label = base;
    this.#fetch = fetchFn;
    this.#whole = whole;
  }

  /** Everything fetched under this dataset's root, including parquet-wasm's own range requests. */
  get stats(): { requests: number; bytes: number } {
    return network.under(this.label);
  }

  /**
   * Checks that the server answers range requests with 206, before anything relies on it. A 200 means the server
   * would send whole files (DuckDB-WASM silently downloads everything in that case; we ask first).
   */
  async probeRanges(path: string): Promise<void> {
    if (this.#whole) return;
    const url = this.#url(path);
    let res: Response;
    try {
      res = await this.#fetch(url, { headers: { Range: 'bytes=0-7' } });
    } catch (e) {
      throw new SourceError(
        `Could not read ${url}: the server did not allow a cross-origin request (CORS), or it is unreachable (${(e as Error).message}).`,
      );
    }
    if (res.status === 206) {
      await res.body?.cancel();
      return;
    }
    const size = Number(res.headers.get('content-length')) || null;
    await res.body?.cancel();
    if (res.status === 200) throw new RangeUnsupportedError(url, size);
    if (res.status === 404) throw new SourceError(`${url} is missing (HTTP 404): the dataset's metadata names a data file the server does not have.`);
    throw new SourceError(`${url} answered HTTP ${res.status} ${res.statusText} to a range request.`);
  }

  #url(path: string): string {
    return new URL(path, this.label).href;
  }

  async #get(path: string): Promise<Response | null> {
    const url = this.#url(path);
    let res: Response;
    try {
      res = await this.#fetch(url);
    } catch (e) {
      throw new SourceError(
        `Could not fetch ${url} (${(e as Error).message}). If the server is another origin, it must allow CORS ` +
          '(Access-Control-Allow-Origin) and range requests; check the address and your connection.',
      );
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new SourceError(`${url} answered HTTP ${res.status} ${res.statusText}.`);
    return res;
  }

  async text(path: string): Promise<string | null> {
    const res = await this.#get(path);
    if (!res) return null;
    return await res.text();
  }

  async bytes(path: string): Promise<Uint8Array | null> {
    const res = await this.#get(path);
    if (!res) return null;
    return new Uint8Array(await res.arrayBuffer());
  }

  async parquet(path: string): Promise<ParquetFile> {
    const url = this.#url(path);
    try {
      if (this.#whole) {
        const res = await this.#get(path);
        if (!res) throw new SourceError(`${url} is missing (HTTP 404).`);
        return await ParquetFile.fromFile(await res.blob());
      }
      return await ParquetFile.fromUrl(url);
    } catch (e) {
      if (e instanceof SourceError) throw e;
      // Say what is wrong with the file from its first and last bytes rather than with parquet-rs's words.
      const sniffed = await this.#sniff(path).catch(() => null);
      if (sniffed) throw new DataFileError(describeUnreadableParquet(path, sniffed.head, sniffed.tail, sniffed.size), path);
      throw new SourceError(`Could not open Parquet file ${url}: ${describeWasmError(e)}`);
    }
  }

  /** The first 64 and last 8 bytes of a file and its size: two small range requests. */
  async #sniff(path: string): Promise<{ head: Uint8Array; tail: Uint8Array; size: number }> {
    const url = this.#url(path);
    const head = await this.#fetch(url, { headers: { Range: 'bytes=0-63' } });
    const tail = await this.#fetch(url, { headers: { Range: 'bytes=-8' } });
    if (head.status === 404) throw new SourceError(`${url} is missing (HTTP 404).`);
    const size = Number(/\/(\d+)$/.exec(tail.headers.get('content-range') ?? '')?.[1] ?? tail.headers.get('content-length'));
    const bytes = async (r: Response, n: number) => new Uint8Array(await r.arrayBuffer()).subarray(0, n);
    const h = await bytes(head, 64);
    const t = new Uint8Array(await tail.arrayBuffer());
    return { head: h, tail: t.subarray(Math.max(0, t.length - 8)), size };
  }
}

class FilesReader implements DatasetReader {
  readonly stats = { requests: 0, bytes: 0 };
  readonly remote = false;
  readonly label: string;
  readonly #files = new Map<string, Blob>();

  constructor(label: string, files: { path: string; file: Blob }[]) {
    this.label = label;
    const prefix = datasetPrefix(files.map((f) => f.path));
    for (const f of files) {
      const p = f.path.replace(/^\/+/, '');
      this.#files.set(p.startsWith(prefix) ? p.slice(prefix.length) : p, f.file);
    }
  }

  #find(path: string): Blob | null {
    return this.#files.get(path) ?? null;
  }

  async text(path: string): Promise<string | null> {
    const f = this.#find(path);
    if (!f) return null;
    this.stats.requests++;
    this.stats.bytes += f.size;
    return await f.text();
  }

  async bytes(path: string): Promise<Uint8Array | null> {
    const f = this.#find(path);
    if (!f) return null;
    this.stats.requests++;
    this.stats.bytes += f.size;
    return new Uint8Array(await f.arrayBuffer());
  }

  async probeRanges(): Promise<void> {
    // Local files are sliced, never downloaded: nothing to check.
  }

  async parquet(path: string): Promise<ParquetFile> {
    const f = this.#find(path);
    if (!f) throw new SourceError(`${path} is missing from the folder ${this.label}.`);
    this.stats.requests++;
    try {
      // fromFile reads slices of the Blob on demand; the file is never copied whole into memory.
      return await ParquetFile.fromFile(f);
    } catch (e) {
      // Say what is wrong with the file from its first and last bytes rather than with parquet-rs's words.
      const head = new Uint8Array(await f.slice(0, 64).arrayBuffer());
      const tail = new Uint8Array(await f.slice(Math.max(0, f.size - 8)).arrayBuffer());
      throw new DataFileError(describeUnreadableParquet(path, head, tail, f.size), path);
    }
  }
}

/**
 * Paths from a directory picker or drop start with the folder's own name (`my_dataset/meta/info.json`).
 * The dataset root is the folder holding `meta/info.json`; that prefix is dropped from every path.
 */
export function datasetPrefix(paths: string[]): string {
  const info = paths.map((p) => p.replace(/^\/+/, '')).find((p) => p === 'meta/info.json' || p.endsWith('/meta/info.json'));
  return info ? info.slice(0, info.length - 'meta/info.json'.length) : '';
}

/** parquet-wasm throws strings or JsValues; turn them into a readable sentence. */
export function describeWasmError(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  // parquet-rs reports damage in many words ("Corrupt footer", "Unexpected Type -7", "out of spec", EOF …).
  if (/magic|footer|PAR1|corrupt|EOF|out of spec|unexpected|invalid|Parquet error|thrift/i.test(s)) {
    return `${s} — the file is not valid Parquet, or it is truncated or damaged.`;
  }
  return s;
}

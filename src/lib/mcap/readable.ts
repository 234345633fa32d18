/**
 * Random access to an MCAP file's bytes, wherever they are: in memory, a user's File, or a URL read with HTTP
 * range requests. Offsets are numbers (files up to 8 PB); the reader never needs bigint arithmetic on them.
 */
export interface McapReadable {
  /** What to call the file in messages (its name or URL). */
  readonly label: string;
  size(): Promise<number>;
  /** Exactly `length` bytes at `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Requests made and body bytes received so far (network readables only). */
  readonly stats?: { requests: number; bytes: number };
}

/** Bytes already in memory. */
export function bytesReadable(bytes: Uint8Array, label = 'bytes'): McapReadable {
  return {
    label,
    size: async () => bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** A File or Blob the user chose or dropped: each read is a `Blob.slice`. */
export function blobReadable(blob: Blob, label = (blob as File).name ?? 'file'): McapReadable {
  return {
    label,
    size: async () => blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}

/** Thrown for network failures, with the URL and what to do. */
export class McapFetchError extends Error {
  override name = 'McapFetchError';
}

/** Bytes fetched with the file's size on the first request: opening a file reads its tail (footer, summary) first. */
const TAIL_BYTES = 64 * 1024;

/**
 * A URL read with single-range GET requests. The first request asks for the file's last 64 KiB (`Range: bytes=-N`),
 * which yields the size (Content-Range) and, for most files, the footer and the whole summary in one round trip.
 * A server that ignores ranges answers 200 with the whole file; that body is then kept and served from memory.
 */
export function httpReadable(url: string, fetchFn: typeof fetch = (...a) => fetch(...a)): McapReadable {
  const stats = { requests: 0, bytes: 0 };
  let whole: Uint8Array | null = null;
  let tail: { offset: number; bytes: Uint8Array } | null = null;
  let total: Promise<number> | null = null;

  async function get(range: string): Promise<Response> {
    let res: Response;
    try {
      res = await fetchFn(url, { headers: { Range: range } });
    } catch (e) {
      throw new McapFetchError(`Could not fetch ${url} (${(e as Error).message}). A server on another site must allow CORS (and expose Content-Range).`);
    }
    stats.requests++;
    if (res.status === 416) throw new McapFetchError(`${url} is empty (the server refused the byte range ${range}).`);
    if (!res.ok) throw new McapFetchError(`${url} answered HTTP ${res.status} ${res.statusText}.`);
    return res;
  }

  async function body(res: Response): Promise<Uint8Array> {
    const b = new Uint8Array(await res.arrayBuffer());
    stats.bytes += b.length;
    return b;
  }

  async function open(): Promise<number> {
    const res = await get(`bytes=-${TAIL_BYTES}`);
    const bytes = await body(res);
    if (res.status === 200) {
      whole = bytes;
      return bytes.length;
    }
    const m = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '');
    if (!m) throw new McapFetchError(`${url} answered a range request without a readable Content-Range header (a server on another site must expose it through CORS).`);
    const size = Number(m[1]);
    tail = { offset: size - bytes.length, bytes };
    return size;
  }

  return {
    label: url,
    stats,
    size: () => (total ??= open()),
    async read(offset, length) {
      const size = await (total ??= open());
      const end = Math.min(size, offset + length);
      if (whole) return whole.subarray(offset, end);
      if (tail && offset >= tail.offset) return tail.bytes.subarray(offset - tail.offset, end - tail.offset);
      if (end <= offset) return new Uint8Array(0);
      const res = await get(`bytes=${offset}-${end - 1}`);
      const bytes = await body(res);
      // A server that ignores the range on later requests (some CDNs do) sends everything: slice out what was asked.
      if (res.status === 200) {
        whole = bytes;
        return bytes.subarray(offset, end);
      }
      return bytes;
    },
  };
}

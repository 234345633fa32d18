/** One HTTP request the worker made. */
export interface NetRequest {
  url: string;
  status: number;
  /** Response body bytes (Content-Length: the range's size for a 206). */
  bytes: number;
}

/**
 * Counts the worker's HTTP traffic. parquet-wasm issues its range requests through the worker's global `fetch`
 * (wasm-bindgen looks it up on the global object at call time), so wrapping that one function sees every byte
 * any reader fetches, including the footer and column-chunk reads we do not issue ourselves.
 */
export class NetStats {
  readonly log: NetRequest[] = [];

  /** Requests and bytes for URLs under `prefix`. */
  under(prefix: string): { requests: number; bytes: number } {
    let requests = 0;
    let bytes = 0;
    for (const r of this.log) {
      if (r.url.startsWith(prefix)) {
        requests++;
        bytes += r.bytes;
      }
    }
    return { requests, bytes };
  }

  /** A fetch that records each response in {@link log}. */
  wrap(inner: typeof fetch): typeof fetch {
    return async (input, init) => {
      const res = await inner(input, init);
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      // Content-Length is a CORS-safelisted response header, so it is readable cross-origin too.
      this.log.push({ url, status: res.status, bytes: Number(res.headers.get('content-length') ?? 0) });
      return res;
    };
  }
}

/** The worker's traffic (one per worker). */
export const network = new NetStats();

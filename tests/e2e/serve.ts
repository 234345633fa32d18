/**
 * Dependency-free static file server for e2e tests and `npm start`.
 *
 * It mimics what our lazy readers see from the Hugging Face Hub file server: single byte ranges (206 +
 * Content-Range), 416 for unsatisfiable ranges, ETags, CORS that exposes Content-Range, and optional latency.
 * Using our own server instead of `vite preview` means no child process can be orphaned (stack.md G5)
 * and every request is counted, so specs can assert how many bytes a lazy read really fetched.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, promises as fsp, type Stats } from 'node:fs';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for {@link startServer}. */
export interface ServeOptions {
  /** Directory served at `/`. */
  root: string;
  /** URL prefix (e.g. `/samples/`) → directory. The longest matching prefix wins over `root`. */
  mounts?: Record<string, string>;
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Address to listen on (default `127.0.0.1`, never all interfaces by accident). */
  host?: string;
  /** Host name used in the returned `url` (default: `host`). Lets two servers differ in origin, e.g. `localhost` vs `127.0.0.1`. */
  urlHost?: string;
  /** Send COOP/COEP so the page is cross-origin isolated (DuckDB then picks its threaded bundle). */
  coi?: boolean;
  /** Delay every response by this many ms, to make request waterfalls visible. */
  latencyMs?: number;
  /** Answer like the Hub: `Access-Control-Allow-Origin: *`, exposed range headers, OPTIONS preflight. */
  cors?: boolean;
  /** Set false to behave like a server without range support: every GET answers 200 with the whole file. */
  ranges?: boolean;
  /**
   * If set (e.g. `/__stats`), `GET <statsPath>` returns {@link ServerStats} as JSON and `POST|GET <statsPath>/reset`
   * clears it. Specs run in a different process than global setup, so this is how they read a shared server's counters.
   * These requests are not counted.
   */
  statsPath?: string;
}

/** One answered request. */
export interface RequestLogEntry {
  method: string;
  /** Decoded URL path, without query. */
  path: string;
  /** The raw `Range` header, if any. */
  range?: string;
  status: number;
  /** Body bytes sent (0 for HEAD, 304, preflight). */
  bytes: number;
}

/** Live counters of a running server. */
export interface ServerStats {
  requests: number;
  bytes: number;
  log: RequestLogEntry[];
  reset(): void;
}

/** Handle returned by {@link startServer}. */
export interface RunningServer {
  /** Base URL with trailing slash, e.g. `http://localhost:41234/`. */
  url: string;
  port: number;
  close(): Promise<void>;
  stats: ServerStats;
}

const TEXT = '; charset=utf-8';
/** MIME types by extension. `.wasm` must be application/wasm or streaming instantiation falls back (slower, console warning). */
const MIME: Record<string, string> = {
  '.html': 'text/html' + TEXT,
  '.js': 'text/javascript' + TEXT,
  '.mjs': 'text/javascript' + TEXT,
  '.css': 'text/css' + TEXT,
  '.json': 'application/json' + TEXT,
  '.map': 'application/json' + TEXT,
  '.jsonl': 'application/jsonl' + TEXT,
  '.csv': 'text/csv' + TEXT,
  '.txt': 'text/plain' + TEXT,
  '.md': 'text/markdown' + TEXT,
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.mp4': 'video/mp4',
  '.webm': 'video/webm',
  // No registered types; the Hub serves these as opaque bytes too.
  '.parquet': 'application/octet-stream',
  '.mcap': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
  '.arrow': 'application/octet-stream',
};

/** MIME type for a file name; unknown extensions are served as bytes. */
export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

type Range = { start: number; end: number } | 'unsatisfiable' | null;

/**
 * Parses a `Range` header against a file size. `null` means "ignore it and send 200" (absent, malformed or
 * multi-range: RFC 9110 allows ignoring those, and our readers never send them).
 */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    // Suffix range: the last n bytes (this is how parquet readers fetch the footer without knowing the size).
    const n = Number(m[2]);
    if (n === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  return { start, end: Math.min(end, size - 1) };
}

/** Resolves a decoded URL path to a file path, or 'forbidden' if it escapes its base directory. */
function resolvePath(urlPath: string, root: string, mounts: [string, string][]): string | 'forbidden' {
  let base = root;
  let rest = urlPath;
  for (const [prefix, dir] of mounts) {
    if (urlPath.startsWith(prefix) || urlPath === prefix.replace(/\/$/, '')) {
      base = dir;
      rest = urlPath.slice(prefix.length);
      break;
    }
  }
  if (rest.includes('\0')) return 'forbidden';
  const file = path.resolve(base, '.' + path.posix.sep + rest);
  // Checked after decoding, so `%2e%2e%2f` and `..%2f` are caught as well as a raw `..`.
  if (file !== base && !file.startsWith(base + path.sep)) return 'forbidden';
  return file;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts a static server. Resolves once it listens.
 * @example const s = await startServer({ root: 'dist', cors: true }); await fetch(s.url); await s.close();
 */
export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const root = path.resolve(opts.root);
  // Longest prefix first so `/samples/x/` can override `/samples/`.
  const mounts = Object.entries(opts.mounts ?? {})
    .map(([p, d]): [string, string] => [(p.startsWith('/') ? p : '/' + p).replace(/\/?$/, '/'), path.resolve(d)])
    .sort((a, b) => b[0].length - a[0].length);
  const host = opts.host ?? '127.0.0.1';
  const statsPath = opts.statsPath?.replace(/\/$/, '');

  const stats: ServerStats = {
    requests: 0,
    bytes: 0,
    log: [],
    reset() {
      stats.requests = 0;
      stats.bytes = 0;
      stats.log.length = 0;
    },
  };

  function commonHeaders(res: ServerResponse): void {
    // Always: lets a cross-origin-isolated page (COEP require-corp) load files from this server without CORS mode.
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (opts.coi) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (opts.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, Accept-Ranges, ETag');
    }
  }

  function finish(req: IncomingMessage, urlPath: string, status: number, bytes: number): void {
    stats.requests++;
    stats.bytes += bytes;
    const entry: RequestLogEntry = { method: req.method ?? 'GET', path: urlPath, status, bytes };
    if (typeof req.headers.range === 'string') entry.range = req.headers.range;
    stats.log.push(entry);
  }

  function sendText(req: IncomingMessage, res: ServerResponse, urlPath: string, status: number, text: string): void {
    const body = req.method === 'HEAD' ? '' : text;
    res.writeHead(status, { 'Content-Type': 'text/plain' + TEXT, 'Content-Length': Buffer.byteLength(text) });
    res.end(body);
    finish(req, urlPath, status, Buffer.byteLength(body));
  }

  function serveStats(res: ServerResponse, urlPath: string): void {
    if (urlPath === statsPath + '/reset') stats.reset();
    const body = JSON.stringify({ requests: stats.requests, bytes: stats.bytes, log: stats.log });
    res.writeHead(200, { 'Content-Type': 'application/json' + TEXT, 'Cache-Control': 'no-store' });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    // Absolute-form targets (`GET http://host/x`) are legal HTTP; take their path.
    const rawPath = (target.startsWith('/') ? target : new URL(target, 'http://x').pathname).split(/[?#]/)[0] ?? '/';
    commonHeaders(res);
    let urlPath: string;
    try {
      // Decode the raw path ourselves: new URL() would silently normalise `/../`, hiding traversal attempts.
      urlPath = decodeURIComponent(rawPath);
    } catch {
      return sendText(req, res, rawPath, 400, 'Bad Request\n');
    }
    if (opts.latencyMs) await sleep(opts.latencyMs);

    if (statsPath && (urlPath === statsPath || urlPath === statsPath + '/reset')) return serveStats(res, urlPath);

    if (method === 'OPTIONS') {
      if (opts.cors) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD, OPTIONS');
        res.setHeader('Access-Control-Allow-Headers', 'Range, If-None-Match, If-Range, If-Modified-Since, Authorization, Content-Type');
        res.setHeader('Access-Control-Max-Age', '86400');
      }
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      res.writeHead(204).end();
      return finish(req, urlPath, 204, 0);
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, OPTIONS');
      return sendText(req, res, urlPath, 405, 'Method Not Allowed\n');
    }
    // Any `..` segment (raw, %2e%2e, or behind an encoded %2f) is refused outright, as static hosts do.
    if (urlPath.split(/[\\/]/).includes('..')) return sendText(req, res, urlPath, 403, 'Forbidden\n');

    let file = resolvePath(urlPath, root, mounts);
    if (file === 'forbidden') return sendText(req, res, urlPath, 403, 'Forbidden\n');
    let st: Stats;
    try {
      st = await fsp.stat(file);
      if (st.isDirectory()) {
        // Only `index.html` is served for directories: no listings, like a static host.
        file = path.join(file, 'index.html');
        st = await fsp.stat(file);
      }
      if (!st.isFile()) throw new Error('not a file');
    } catch {
      return sendText(req, res, urlPath, 404, 'Not Found\n');
    }

    const size = st.size;
    const etag = `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Last-Modified', st.mtime.toUTCString());
    res.setHeader('Accept-Ranges', opts.ranges === false ? 'none' : 'bytes');
    res.setHeader('Content-Type', mimeType(file));
    // Revalidate every time: the dist/ under test changes between builds.
    res.setHeader('Cache-Control', 'no-cache');

    const inm = req.headers['if-none-match'];
    if (inm && !req.headers.range && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      res.writeHead(304).end();
      return finish(req, urlPath, 304, 0);
    }

    // If-Range with a stale validator means "send the whole new file", as RFC 9110 requires.
    const ifRange = req.headers['if-range'];
    const range = opts.ranges === false || (ifRange && ifRange !== etag) ? null : parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${size}`);
      return sendText(req, res, urlPath, 416, 'Range Not Satisfiable\n');
    }
    const start = range ? range.start : 0;
    const end = range ? range.end : size - 1;
    const length = size === 0 ? 0 : end - start + 1;
    const status = range ? 206 : 200;
    if (range) res.setHeader('Content-Range', `bytes ${start}-${end}/${size}`);
    res.setHeader('Content-Length', length);
    res.writeHead(status);
    if (method === 'HEAD' || length === 0) {
      res.end();
      return finish(req, urlPath, status, 0);
    }
    finish(req, urlPath, status, length);
    const stream = createReadStream(file, { start, end });
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = opts.urlHost ?? host;
  const hostPart = urlHost.includes(':') && !urlHost.startsWith('[') ? `[${urlHost}]` : urlHost;

  return {
    url: `http://${hostPart}:${port}/`,
    port,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Idle keep-alive sockets from a browser would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

/** `tsx tests/e2e/serve.ts [--root dist] [--port 5173] [--open] [--coi]`: serves the built app for `npm start`. */
async function main(argv: string[]): Promise<void> {
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const root = path.resolve(flag('--root') ?? 'dist');
  const port = Number(flag('--port') ?? process.env.PORT ?? 5173);
  try {
    await fsp.access(path.join(root, 'index.html'));
  } catch {
    console.error(`No ${path.join(root, 'index.html')}. Run \`npm run build\` first.`);
    process.exit(1);
  }
  let server: RunningServer;
  try {
    server = await startServer({ root, port, host: '127.0.0.1', urlHost: 'localhost', coi: argv.includes('--coi') });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    console.error(code === 'EADDRINUSE' ? `Port ${port} is in use. Try --port <n> or PORT=<n>.` : String(err));
    process.exit(1);
  }
  console.log(`Flywheel is running at ${server.url}`);
  console.log('Press Ctrl+C to stop.');
  // Best effort: skipped without a display (a headless xdg-open may start a hidden text browser), or without xdg-open.
  if (argv.includes('--open') && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
    const child = spawn('xdg-open', [server.url], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  }
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main(process.argv.slice(2));
}

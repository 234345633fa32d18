/**
 * Proves the e2e harness itself works, without relying on any app feature: the built page loads in the
 * offline-sandboxed Chromium, and serve.ts answers like the Hub's file server does for our lazy readers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { collectConsole, launchBrowser, type LaunchedBrowser } from './chromium.ts';
import { saveScreenshot } from './screenshot.ts';
import { startServer, type RequestLogEntry } from './serve.ts';

const appUrl = inject('appUrl');
const remoteUrl = inject('remoteUrl');
const statsPath = inject('statsPath');
const PARQUET = 'samples/parquet/alltypes_plain.snappy.parquet';
const PARQUET_SIZE = 1736;

describe('harness: built app in Chromium', () => {
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('the app root loads, has a <title>, and makes no non-local request', async () => {
    const page = await browser.context.newPage();
    const logs = collectConsole(page);
    const res = await page.goto(appUrl, { waitUntil: 'load' });
    expect(res?.status()).toBe(200);
    expect(await page.evaluate(() => document.querySelector('head > title') !== null)).toBe(true);
    // Give module scripts and workers a moment to issue their first requests before checking `blocked`.
    await page.waitForTimeout(500);
    await saveScreenshot(page, 'smoke-app-root');
    expect(browser.blocked).toEqual([]);
    // Not asserted: app errors belong to app specs. Logged so a broken build is visible here too.
    if (logs.all().length) process.stdout.write(`[smoke] console errors: ${logs.all().join('\n')}\n`);
    await page.close();
  });

  test('a page on the app origin can range-read the remote origin (CORS exposes Content-Range)', async () => {
    const page = await browser.context.newPage();
    await page.goto(appUrl);
    const got = await page.evaluate(async (url) => {
      // A suffix range is not CORS-safelisted, so this also exercises the OPTIONS preflight.
      const r = await fetch(url, { headers: { Range: 'bytes=-8' } });
      const bytes = new Uint8Array(await r.arrayBuffer());
      return { status: r.status, contentRange: r.headers.get('Content-Range'), tail: new TextDecoder().decode(bytes.slice(4)) };
    }, remoteUrl + PARQUET);
    expect(got).toEqual({ status: 206, contentRange: `bytes ${PARQUET_SIZE - 8}-${PARQUET_SIZE - 1}/${PARQUET_SIZE}`, tail: 'PAR1' });
    expect(browser.blocked).toEqual([]);
    await page.close();
  });

  test('coi server makes the page cross-origin isolated and the remote stays loadable', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'flywheel-coi-'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>coi</title>');
    const server = await startServer({ root: dir, coi: true, urlHost: 'localhost' });
    try {
      const page = await browser.context.newPage();
      await page.goto(server.url);
      const got = await page.evaluate(async (url) => {
        const r = await fetch(url, { headers: { Range: 'bytes=0-3' } });
        return { isolated: self.crossOriginIsolated, status: r.status, text: await r.text() };
      }, remoteUrl + PARQUET);
      expect(got).toEqual({ isolated: true, status: 206, text: 'PAR1' });
      await page.close();
    } finally {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('non-local requests from the page and from workers are aborted and recorded', async () => {
    const page = await browser.context.newPage();
    await page.goto(appUrl);
    const results = await page.evaluate(async () => {
      const main = await fetch('https://extensions.duckdb.org/probe.wasm').then(() => 'loaded', () => 'failed');
      // DuckDB fetches its extensions from inside a worker (stack.md G1), so worker traffic must be caught too.
      const src = `fetch('https://huggingface.co/api/probe').then(() => postMessage('loaded'), () => postMessage('failed'))`;
      const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })));
      const inWorker = await new Promise<string>((resolve) => (w.onmessage = (e) => resolve(String(e.data))));
      return [main, inWorker];
    });
    expect(results).toEqual(['failed', 'failed']);
    expect(browser.blocked).toEqual(['https://extensions.duckdb.org/probe.wasm', 'https://huggingface.co/api/probe']);
    browser.blocked.length = 0; // This test's probes are expected; don't leak them into later checks.
    await page.close();
  });
});

/** Sends a raw request line: fetch() would normalise `/../` away before it reaches the server. */
function rawGet(base: string, rawPath: string): Promise<number> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve.ts behaves like the Hub file server', () => {
  const url = remoteUrl + PARQUET;

  test('closed range → 206 with Content-Range, Accept-Ranges and exact bytes', async () => {
    const r = await fetch(url, { headers: { Range: 'bytes=0-3' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 0-3/${PARQUET_SIZE}`);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-length')).toBe('4');
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('etag')).toMatch(/^".+"$/);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(await r.text()).toBe('PAR1');
  });

  test('open-ended and suffix ranges; end past EOF is clamped', async () => {
    const open = await fetch(url, { headers: { Range: `bytes=${PARQUET_SIZE - 4}-` } });
    expect(open.status).toBe(206);
    expect(await open.text()).toBe('PAR1');
    const suffix = await fetch(url, { headers: { Range: 'bytes=-4' } });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe(`bytes ${PARQUET_SIZE - 4}-${PARQUET_SIZE - 1}/${PARQUET_SIZE}`);
    expect(await suffix.text()).toBe('PAR1');
    const clamped = await fetch(url, { headers: { Range: `bytes=${PARQUET_SIZE - 2}-999999` } });
    expect(clamped.headers.get('content-range')).toBe(`bytes ${PARQUET_SIZE - 2}-${PARQUET_SIZE - 1}/${PARQUET_SIZE}`);
    await clamped.arrayBuffer();
  });

  test('unsatisfiable range → 416 with Content-Range: bytes */size', async () => {
    const r = await fetch(url, { headers: { Range: `bytes=${PARQUET_SIZE}-` } });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe(`bytes */${PARQUET_SIZE}`);
    await r.arrayBuffer();
  });

  test('HEAD → size and range support, no body; ETag revalidation → 304', async () => {
    const r = await fetch(url, { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe(String(PARQUET_SIZE));
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect((await r.arrayBuffer()).byteLength).toBe(0);
    const again = await fetch(url, { headers: { 'If-None-Match': r.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
  });

  test('CORS preflight allows Range and If-None-Match for GET/HEAD', async () => {
    const r = await fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: appUrl.replace(/\/$/, ''), 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const methods = r.headers.get('access-control-allow-methods') ?? '';
    expect(methods).toContain('GET');
    expect(methods).toContain('HEAD');
    const headers = (r.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    expect(headers).toContain('range');
    expect(headers).toContain('if-none-match');
    const get = await fetch(url, { method: 'HEAD' });
    expect(get.headers.get('access-control-expose-headers')).toBe('Content-Range, Content-Length, Accept-Ranges, ETag');
    expect(get.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  test('missing → 404; traversal → 403 (raw, %2e%2e and encoded slash)', async () => {
    expect((await fetch(remoteUrl + 'samples/parquet/nope.parquet')).status).toBe(404);
    expect((await fetch(remoteUrl + 'samples/..%2f..%2fetc%2fpasswd')).status).toBe(403);
    expect(await rawGet(remoteUrl, '/samples/../../../etc/passwd')).toBe(403);
    expect(await rawGet(remoteUrl, '/%2e%2e/%2e%2e/etc/passwd')).toBe(403);
  });

  test('MIME types and the stats endpoint', async () => {
    const index = await fetch(remoteUrl);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    await index.arrayBuffer();
    await (await fetch(new URL(statsPath + '/reset', remoteUrl))).arrayBuffer();
    await (await fetch(url, { headers: { Range: 'bytes=0-99' } })).arrayBuffer();
    const stats = (await (await fetch(new URL(statsPath, remoteUrl))).json()) as { requests: number; bytes: number; log: RequestLogEntry[] };
    expect(stats).toEqual({
      requests: 1,
      bytes: 100,
      log: [{ method: 'GET', path: '/' + PARQUET, range: 'bytes=0-99', status: 206, bytes: 100 }],
    });
  });
});

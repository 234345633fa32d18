/**
 * Launches the system Chromium through playwright-core. We never download a browser: the build machine is
 * offline apart from npm, and Debian's Chromium works with playwright-core (stack.md, "Config that worked").
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Where we look, in order. `/usr/bin/chromium` is Debian's wrapper script; its "unexpected operator" line is harmless (G9). */
const CANDIDATES = ['/usr/bin/chromium', '/usr/lib/chromium/chromium', '/usr/bin/chromium-browser'];

/**
 * Path of a Chromium binary: `$CHROMIUM_PATH`, then the usual Debian/Ubuntu locations.
 * @throws Error with install instructions when none exists.
 */
export function findChromium(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  const candidates = fromEnv ? [fromEnv, ...CANDIDATES] : CANDIDATES;
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      'Chromium not found: install with `sudo apt-get install -y chromium` (Debian/Ubuntu) or set CHROMIUM_PATH to a Chromium/Chrome binary.',
    );
  }
  return found;
}

/** A launched browser. */
export interface LaunchedBrowser {
  context: BrowserContext;
  /** URLs of requests to anything but localhost that were aborted. The app must work fully offline, so specs assert this stays empty. */
  blocked: string[];
  /**
   * Content-Security-Policy violations any page reported (console messages and `securitypolicyviolation` events).
   * The app must run under its CSP without one, so {@link close} fails the spec when this is not empty.
   */
  cspViolations: string[];
  /** Closes the browser and deletes its throwaway profile; rejects when a page violated the CSP. */
  close(): Promise<void>;
  /** The throwaway profile directory (the benchmark finds the browser's processes by it). */
  profile: string;
}

/** Options for {@link launchBrowser}. */
export interface LaunchOptions {
  /**
   * Accepted for symmetry with `startServer({ coi })`. Cross-origin isolation is decided by the server's COOP/COEP
   * headers, so Chromium needs no flag; this only labels the profile directory.
   */
  coi?: boolean;
}

/**
 * Reports Chromium makes when DOMPurify parses untrusted Markdown HTML in an inert DOMParser document: that document
 * shares the page's CSP, and its inline handlers and <base> are reported as blocked although scripting is disabled
 * there (a page doing nothing but `new DOMParser().parseFromString('<img onerror=…>')` reports the same). The app
 * itself sets no inline handler and no <base>; tests/e2e/hostile.e2e.ts asserts the live page holds none.
 */
const SANITISER_PARSE_REPORT = /Executing inline event handler|script-src-attr blocked inline|document's base URI|base-uri blocked/;

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for URLs the sandboxed browser may load: loopback http(s)/ws(s), blob: and data:. */
export function isLocalUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'blob:' || u.protocol === 'data:') return true;
  return ['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && LOCAL_HOSTS.has(u.hostname);
}

/**
 * Launches headless Chromium with a fresh profile (no cache, no storage left over from an earlier run) and blocks
 * every non-local request, recording it in `blocked`.
 */
export async function launchBrowser(opts: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(path.join(tmpdir(), opts.coi ? 'flywheel-e2e-coi-' : 'flywheel-e2e-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    // Specs check exported files (CSV, Parquet, charts) through Playwright download events.
    acceptDownloads: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // These stop Chromium's own phoning home, which would otherwise show up in `blocked`.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // /dev/shm is tiny in containers; DuckDB's 30 MB wasm can crash the renderer otherwise.
      '--disable-dev-shm-usage',
    ],
    viewport: { width: 1400, height: 900 },
  });
  const blocked: string[] = [];
  await context.route(
    (url) => !isLocalUrl(url.href),
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  // WebSockets bypass route(); close non-local ones the same way.
  await context.routeWebSocket(
    () => true,
    (ws) => {
      if (isLocalUrl(ws.url())) ws.connectToServer();
      else {
        blocked.push(ws.url());
        // A mocked socket that closes with 1008 (policy violation) reads clearly in app logs.
        void ws.close({ code: 1008, reason: 'blocked by e2e harness: non-local host' });
      }
    },
  );
  const cspViolations: string[] = [];
  // Every page reports violations to the console, where the listener below collects them with Chromium's own.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (msg) => {
    const text = msg.text();
    if (/CSP violation|Content Security Policy/i.test(text) && !SANITISER_PARSE_REPORT.test(text)) cspViolations.push(text);
  });
  return {
    context,
    blocked,
    cspViolations,
    profile,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
      if (cspViolations.length) throw new Error(`The app violated its Content-Security-Policy:\n${cspViolations.join('\n')}`);
    },
  };
}

/** Console errors and uncaught page errors of one page, filled in as they happen. */
export interface ConsoleCapture {
  /** `console.error` texts and resource load failures, as Chromium logs them. */
  errors: string[];
  /** Uncaught exceptions and unhandled rejections (`pageerror`). */
  pageErrors: string[];
  /** Both lists together, for an assertion message. */
  all(): string[];
}

/** Starts recording a page's console errors and page errors. Call before `page.goto`. */
export function collectConsole(page: Page): ConsoleCapture {
  const capture: ConsoleCapture = {
    errors: [],
    pageErrors: [],
    all: () => [...capture.pageErrors, ...capture.errors],
  };
  page.on('console', (msg) => {
    if (msg.type() === 'error') capture.errors.push(msg.text());
  });
  page.on('pageerror', (err) => capture.pageErrors.push(err.stack ?? err.message));
  return capture;
}

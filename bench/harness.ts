/**
 * The benchmark harness behind `npm run bench`: generates data if missing, runs every path of every workload in one
 * process tree (fresh child processes and fresh browser profiles, interleaved A-B-B-A), and writes
 * `bench/results/<date>-<sha>.json` plus a markdown table.
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromium } from '../tests/e2e/chromium.ts';
import { startServer, type RunningServer } from '../tests/e2e/serve.ts';
import { runBare, runBrowser, type BrowserMeasure } from './browser.ts';
import type { ChildJob, ChildMeasure, ChildResult } from './child.ts';
import { measureFirstChart, median } from './first-chart.ts';
import { bytesNeeded, describeDataset, type DatasetInfo } from './needed.ts';
import { renderMarkdown } from './report.ts';
import { buildQueries, LABELS, QUERY_IDS, WORKLOAD_IDS, type QueryId, type QuerySpec, type WorkloadId } from './workloads.ts';

export const REPO = path.resolve(import.meta.dirname, '..');

/** Every way a workload is run. */
export const PATHS = ['native-1t', 'native-2t', 'app-node', 'app-chromium', 'app-chromium-20ms', 'floor'] as const;
export type PathId = (typeof PATHS)[number];

export const PATH_LABELS: Record<PathId, string> = {
  'native-1t': 'native DuckDB, 1 thread',
  'native-2t': 'native DuckDB, 2 threads',
  'app-node': 'app engine on DuckDB-WASM in Node',
  'app-chromium': 'app in headless Chromium',
  'app-chromium-20ms': 'app in Chromium, +20 ms per request',
  floor: 'floors (read file bytes, memcpy)',
};

/** Workloads the 20 ms-latency browser run repeats (the ones that fetch frame data). */
const LATENCY_QUERIES: QueryId[] = ['scan-1col', 'per-episode', 'windows'];

export interface SizeSpec {
  /** Short name, also the directory under bench/data: `100k`, `1m`, `10m`. */
  name: string;
  frames: number;
  dir: string;
}

export interface BenchOptions {
  mode: 'quick' | 'full' | 'custom';
  sizes: SizeSpec[];
  paths: readonly PathId[];
  /** Query workloads to run (start and open always run). */
  queries: readonly QueryId[];
  /** Measured runs per cell, after `warmup` discarded ones. */
  runs: number;
  warmup: number;
  /** Cold start to the first chart of the demo notebook, and the bare DuckDB-WASM page. */
  firstChart: boolean;
  /** `fresh`: build the working tree into bench/data/.app-dist first; `reuse`: measure dist/ as it is. */
  build: 'fresh' | 'reuse';
  /** Wait (up to this many seconds) for the 1-minute load average to drop below 1 before starting. */
  waitForIdleS: number;
  outDir: string;
  /** The command line, as recorded in the result. */
  command?: string;
  /** File name stem; default `<YYYY-MM-DD>-<sha>` (+ `-full`). */
  name?: string;
  log?: (line: string) => void;
}

/** One table cell's worth of numbers: a workload on a dataset by one path, cold or warm. */
export interface ResultRow {
  workload: WorkloadId | 'floor-read' | 'floor-memcpy';
  label: string;
  size: string;
  path: PathId;
  phase: 'cold' | 'warm';
  unit: 'ms';
  /** Measured runs (warm-up excluded), in run order. */
  runs: number[];
  warmup: number[];
  median: number | null;
  min: number | null;
  /** Result rows per run (a cross-check that engines agree). */
  resultRows?: (number | null)[];
  /** Remote paths: requests and body bytes the data server answered, per measured run. */
  requests?: number[];
  bytes?: number[];
  /** What the cell says it fetched (per run). */
  appBytes?: (number | null)[];
  /** Compressed bytes of the needed column chunks (from the footers). */
  bytesNeeded?: number;
  /** App engine in Node: ms of each measured run spent loading frames (plan + read + decode + insert). */
  loadMs?: number[];
  /** App in Chromium, cold: peak resident memory while the cell ran, of the tab's renderer and of the whole browser (MB). */
  peakRendererMb?: number[];
  peakBrowserMb?: number[];

  /** The app's own account of what it loaded (compressed bytes, row groups), from the Node path. */
  appLoad?: ChildMeasure['load'];
  errors: string[];
  note?: string;
}

export interface BenchResults {
  schema: 'flywheel-bench/1';
  name: string;
  mode: BenchOptions['mode'];
  command: string;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  git: { sha: string; short: string; dirty: boolean };
  versions: Record<string, string>;
  machine: {
    cpus: number;
    model: string;
    memoryBytes: number;
    platform: string;
    release: string;
    loadBefore: number[];
    loadAfter: number[];
    maxLoad1m: number;
    waitedForIdleS: number;
  };
  method: Record<string, string | number>;
  datasets: Record<string, Omit<DatasetInfo, 'facts' | 'dataFiles'> & { dataFiles: number; windows?: string }>;
  /** Every measured process or tab, in the order they ran. */
  sequence: {
    size: string;
    run: number;
    path: PathId;
    warmup: boolean;
    ms: number;
    ok: boolean;
    load1m: number;
    error?: string;
    maxRssMb?: number;
    duckdbMemoryMb?: number;
  }[];
  rows: ResultRow[];
  firstChart: {
    runs: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number; bare: number }[];
    warmup: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number; bare: number }[];
    median: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number; bare: number } | null;
    min: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number; bare: number } | null;
    pageFloors?: { fetchMBps: number | null; memcpyGBps: number };
  } | null;
  ratios: {
    browserOverNative: { workload: string; size: string; chromium: number; native1t: number; ratio: number }[];
    appNodeOverNative: { workload: string; size: string; appNode: number; native1t: number; ratio: number }[];
    nativeThreads: { workload: string; size: string; t1OverT2: number }[];
    remote: { workload: string; size: string; path: PathId; needed: number; fetched: number; ratio: number; requests: number }[];
    latency: { workload: string; size: string; at0: number; at20: number; ratio: number }[];
    firstChartOverBare: number | null;
    scaling: { workload: string; path: PathId; from: string; to: string; framesRatio: number; timeRatio: number }[];
  };
  goals: { goal: string; target: string; measured: string; met: boolean | null }[];
  notImplemented: { workload: string; issue: number; reason: string }[];
}

/** Workloads the issue lists that nothing measures yet (none now: MCAP is bench/mcap.ts, models bench/score.ts). */
const NOT_IMPLEMENTED: BenchResults['notImplemented'] = [];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function medianOrNull(xs: number[]): number | null {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? median(ok) : null;
}
function minOrNull(xs: number[]): number | null {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length ? Math.min(...ok) : null;
}

function gitInfo(): BenchResults['git'] {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
    // --no-optional-locks: never write the index (another process may be committing).
    const dirty = execFileSync('git', ['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).trim() !== '';
    return { sha, short: sha.slice(0, 7), dirty };
  } catch {
    return { sha: 'unknown', short: 'nogit', dirty: false };
  }
}

function pkgVersion(name: string): string {
  try {
    return JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'not installed';
  }
}

/** The system Chromium's full version (`chromium --version`); the page's user agent hides the minor numbers. */
function chromiumVersion(): string {
  try {
    const out = execFileSync(findChromium(), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
    return /([\d.]+\d)/.exec(out)?.[1] ?? out.trim();
  } catch {
    return '';
  }
}

/** Runs a command to completion, failing loudly. */
function run(cmd: string, args: string[], log: (s: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // VITE_BENCH_HOOKS: the benchmark's build exposes the score client to the page (src/main.ts); app builds do not.
    const p = spawn(cmd, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, VITE_BENCH_HOOKS: '1' } });
    let err = '';
    p.stdout.on('data', () => undefined);
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}): ${err.slice(-2000)}`))));
    log(`  $ ${cmd} ${args.join(' ')}`);
  });
}

/** Generates a demo-schema LeRobot v3.0 dataset of about `frames` frames if it is not there yet. */
export async function ensureData(size: SizeSpec, log: (s: string) => void): Promise<void> {
  if (existsSync(path.join(size.dir, 'meta/info.json')) && existsSync(path.join(size.dir, 'ground_truth.json'))) return;
  log(`generating ${size.name} (${size.frames.toLocaleString('en-US')} frames) into ${path.relative(REPO, size.dir)}`);
  await run(process.execPath, ['--import', 'tsx', 'src/lib/demo/cli.ts', '--frames', String(size.frames), '--out', size.dir, '--quiet'], log);
}

/**
 * The built app to measure. By default a fresh build of the working tree into bench/data/.app-dist (seconds with
 * Vite 8), so the numbers belong to the code they are recorded with and `dist/` (which other jobs may be serving)
 * is never touched; `reuse` measures the existing `dist/` as it is.
 */
async function ensureApp(mode: BenchOptions['build'], log: (s: string) => void): Promise<string> {
  if (mode === 'reuse') {
    const dist = path.join(REPO, 'dist');
    if (!existsSync(path.join(dist, 'index.html'))) throw new Error('dist/index.html is missing: run `npm run build` (or drop --no-build).');
    return dist;
  }
  const out = path.join(REPO, 'bench/data/.app-dist');
  log('building the app into bench/data/.app-dist (vite build)');
  await run(process.execPath, [path.join(REPO, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--emptyOutDir', '--logLevel', 'error'], log);
  if (!existsSync(path.join(out, 'index.html'))) throw new Error(`vite build wrote no ${out}/index.html`);
  return out;
}

/** Builds the bare DuckDB-WASM page (bench/bare) once into bench/data/.bare-dist. */
async function ensureBare(log: (s: string) => void): Promise<string> {
  const out = path.join(REPO, 'bench/data/.bare-dist');
  const stamp = path.join(out, 'duckdb-wasm.version');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pkgVersion('@duckdb/duckdb-wasm')) return out;
  log('building the bare DuckDB-WASM page (bench/bare)');
  const { build } = await import('vite');
  await build({
    root: path.join(REPO, 'bench/bare'),
    base: './',
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: { outDir: out, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  });
  writeFileSync(stamp, pkgVersion('@duckdb/duckdb-wasm'));
  return out;
}

/** Runs one child process (bench/child.ts) and returns its result. */
function runChild(job: ChildJob, tmp: string, timeoutMs: number): Promise<ChildResult> {
  const file = path.join(tmp, `job-${process.hrtime.bigint()}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'bench/child.ts'), file], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.stdout.on('data', (d) => (out += String(d)));
    p.stderr.on('data', (d) => (err += String(d)));
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(file, { force: true });
      const line = out.split('\n').find((l) => l.startsWith('@@RESULT '));
      if (line) return resolve(JSON.parse(line.slice('@@RESULT '.length)) as ChildResult);
      const why = signal === 'SIGKILL' ? `killed after ${timeoutMs / 1000} s` : `exited with ${code ?? signal}`;
      resolve({ ok: false, error: `${why}${/heap out of memory|Out of memory|OOM/i.test(err) ? ' (out of memory)' : ''}: ${err.slice(-800)}`, measures: {}, maxRssMb: NaN });
    });
  });
}

/** Waits until the machine is roughly idle (1-minute load < 1), at most `maxS` seconds. */
async function waitForIdle(maxS: number, log: (s: string) => void): Promise<number> {
  const t0 = Date.now();
  while (os.loadavg()[0] >= 1 && (Date.now() - t0) / 1000 < maxS) {
    log(`  load ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores: waiting for it to settle…`);
    await sleep(15_000);
  }
  return (Date.now() - t0) / 1000;
}

/** Default sizes: 100k and 1M frames, plus 10M with `full`. */
export function defaultSizes(full: boolean): SizeSpec[] {
  const d = (n: string) => path.join(REPO, 'bench/data', n);
  const s: SizeSpec[] = [
    { name: '100k', frames: 100_000, dir: d('100k') },
    { name: '1m', frames: 1_000_000, dir: d('1m') },
  ];
  if (full) s.push({ name: '10m', frames: 10_000_000, dir: d('10m') });
  return s;
}

type RawRun = { size: string; run: number; path: PathId; warmup: boolean; ok: boolean; error?: string; measures: Record<string, BrowserMeasure>; floor?: ChildResult['floor'] };

/** Runs the benchmark and writes its result files. */
export async function runBench(opts: BenchOptions): Promise<{ results: BenchResults; jsonPath: string; mdPath: string; markdown: string }> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const started = new Date();
  const t0 = performance.now();
  const git = gitInfo();
  const loadBefore = os.loadavg();
  const waited = opts.waitForIdleS > 0 ? await waitForIdle(opts.waitForIdleS, log) : 0;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-'));
  const browserPaths = opts.paths.filter((p) => p.startsWith('app-chromium'));
  const needsBrowser = browserPaths.length > 0 || opts.firstChart;
  const dist = needsBrowser ? await ensureApp(opts.build, log) : null;
  const bare = opts.firstChart ? await ensureBare(log) : null;

  const versions: Record<string, string> = {
    node: process.version,
    '@duckdb/node-api': pkgVersion('@duckdb/node-api'),
    '@duckdb/duckdb-wasm': pkgVersion('@duckdb/duckdb-wasm'),
    'parquet-wasm': pkgVersion('parquet-wasm'),
    'apache-arrow': pkgVersion('apache-arrow'),
    'playwright-core': pkgVersion('playwright-core'),
  };
  if (needsBrowser) versions.chromium = chromiumVersion();
  const sequence: BenchResults['sequence'] = [];
  const raw: RawRun[] = [];
  const datasets: BenchResults['datasets'] = {};
  const needed: Record<string, Record<string, number>> = {};
  const queriesBySize: Record<string, QuerySpec[]> = {};
  let maxLoad = loadBefore[0];

  // Servers for the browser paths: the app on one origin, the datasets on another (Hub-like CORS), with and
  // without added latency. They live in this process; the measured work happens in children and in Chromium.
  const servers: { app?: RunningServer; data0?: RunningServer; data20?: RunningServer } = {};
  try {
    if (dist) {
      servers.app = await startServer({ root: dist, urlHost: 'localhost', mounts: bare ? { '/bare/': bare } : {} });
      servers.data0 = await startServer({ root: path.join(REPO, 'bench/data'), cors: true });
      servers.data20 = await startServer({ root: path.join(REPO, 'bench/data'), cors: true, latencyMs: 20 });
    }

    for (const size of opts.sizes) {
      await ensureData(size, log);
      const ds = await describeDataset(size.dir);
      const queries = buildQueries(size.dir, ds.facts).filter((q) => opts.queries.includes(q.id));
      queriesBySize[size.name] = queries;
      needed[size.name] = await bytesNeeded(ds, queries);
      const { facts: _f, dataFiles, ...rest } = ds;
      datasets[size.name] = { ...rest, dir: path.relative(REPO, ds.dir), dataFiles: dataFiles.length, windows: queries.find((q) => q.id === 'windows')?.note };
      const dataRel = path.relative(path.join(REPO, 'bench/data'), size.dir).split(path.sep).join('/');

      for (let r = 0; r < opts.warmup + opts.runs; r++) {
        const warmup = r < opts.warmup;
        // A-B-B-A: alternate the order of paths between runs so drift does not favour one of them.
        const order = r % 2 === 0 ? [...opts.paths] : [...opts.paths].reverse();
        for (const p of order) {
          const load1m = os.loadavg()[0];
          maxLoad = Math.max(maxLoad, load1m);
          const ts = performance.now();
          let res: RawRun;
          let mem: { maxRssMb?: number; duckdbMemoryMb?: number } = {};
          if (p === 'app-chromium' || p === 'app-chromium-20ms') {
            const server = p === 'app-chromium' ? servers.data0! : servers.data20!;
            const qs = p === 'app-chromium' ? queries : queries.filter((q) => LATENCY_QUERIES.includes(q.id));
            const b = await runBrowser({
              appUrl: servers.app!.url,
              datasetUrl: `${server.url}${dataRel}/`,
              logUrl: `${server.url}${dataRel}/deployment_log.csv`,
              server,
              queries: qs,
              warm: p === 'app-chromium',
            });
            if (b.chromium && !versions.chromium) versions.chromium = b.chromium;
            res = { size: size.name, run: r, path: p, warmup, ok: b.ok, error: b.error, measures: b.measures };
          } else {
            const kind = p === 'floor' ? 'floor' : p === 'app-node' ? 'app' : 'native';
            const c = await runChild(
              { kind, threads: p === 'native-2t' ? 2 : 1, dir: size.dir, dataFiles: ds.dataFiles, fps: ds.facts.fps, queries, warm: true },
              tmp,
              30 * 60_000,
            );
            if (c.engineVersion) versions[kind === 'app' ? 'duckdb-wasm (engine)' : 'duckdb native (engine)'] = c.engineVersion;
            res = { size: size.name, run: r, path: p, warmup, ok: c.ok, error: c.error, measures: c.measures, floor: c.floor };
            mem = { maxRssMb: c.maxRssMb, duckdbMemoryMb: c.duckdbMemoryMb };
          }
          sequence.push({ size: size.name, run: r, path: p, warmup, ms: performance.now() - ts, ok: res.ok, load1m, error: res.error, ...mem });
          raw.push(res);
          log(`  ${size.name} run ${r}${warmup ? ' (warm-up)' : ''} ${p}: ${((performance.now() - ts) / 1000).toFixed(1)} s${res.ok ? '' : ` FAILED ${res.error?.slice(0, 200)}`}`);
        }
      }
    }

    // Cold start of the demo notebook, interleaved with the bare DuckDB-WASM page.
    let firstChart: BenchResults['firstChart'] = null;
    if (opts.firstChart && dist && servers.app) {
      const fc: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number; bare: number }[] = [];
      const pageFloors: { fetchMBps: number | null; memcpyGBps: number }[] = [];
      const big = opts.sizes[opts.sizes.length - 1];
      const bigRel = big ? path.relative(path.join(REPO, 'bench/data'), big.dir).split(path.sep).join('/') : null;
      const fetchUrl = bigRel && servers.data0 ? `${servers.data0.url}${bigRel}/data/chunk-000/file-000.parquet` : null;
      for (let r = 0; r < opts.warmup + opts.runs; r++) {
        const ts = performance.now();
        const load1m = os.loadavg()[0];
        const order = r % 2 === 0 ? ['chart', 'bare'] : ['bare', 'chart'];
        let chart: { dbReady: number; firstChart: number; allCharts: number; firstLiveChart: number; allLiveCharts: number } = { dbReady: NaN, firstChart: NaN, allCharts: NaN, firstLiveChart: NaN, allLiveCharts: NaN };
        let bareReady = NaN;
        const errors: string[] = [];
        for (const o of order) {
          try {
            if (o === 'chart') {
              const [c] = await measureFirstChart(dist, 1);
              chart = c;
            } else {
              const b = await runBare(`${servers.app.url}bare/`, fetchUrl);
              bareReady = b.ready;
              versions['duckdb-wasm (bare page)'] = b.version;
              pageFloors.push({ fetchMBps: b.fetchMs && b.fetchBytes ? b.fetchBytes / 1e6 / (b.fetchMs / 1000) : null, memcpyGBps: b.memcpyBytes / 1e9 / (b.memcpyMs / 1000) });
            }
          } catch (e) {
            errors.push(`${o}: ${String((e as Error).message ?? e).slice(0, 300)}`);
          }
        }
        fc.push({ dbReady: chart.dbReady, firstChart: chart.firstChart, allCharts: chart.allCharts, firstLiveChart: chart.firstLiveChart, allLiveCharts: chart.allLiveCharts, bare: bareReady });
        sequence.push({ size: 'demo', run: r, path: 'app-chromium', warmup: r < opts.warmup, ms: performance.now() - ts, ok: !errors.length, load1m, error: errors.join('; ') || undefined });
        log(`  first chart run ${r}${r < opts.warmup ? ' (warm-up)' : ''}: ${Math.round(chart.firstChart)} ms, live ${Math.round(chart.firstLiveChart)} ms (bare DuckDB-WASM ${Math.round(bareReady)} ms)`);
      }
      const measured = fc.slice(opts.warmup);
      const pick = (f: (xs: number[]) => number | null) =>
        measured.length
          ? {
              dbReady: f(measured.map((x) => x.dbReady)) ?? NaN,
              firstChart: f(measured.map((x) => x.firstChart)) ?? NaN,
              allCharts: f(measured.map((x) => x.allCharts)) ?? NaN,
              firstLiveChart: f(measured.map((x) => x.firstLiveChart)) ?? NaN,
              allLiveCharts: f(measured.map((x) => x.allLiveCharts)) ?? NaN,
              bare: f(measured.map((x) => x.bare)) ?? NaN,
            }
          : null;
      const pf = pageFloors.slice(opts.warmup);
      firstChart = {
        runs: measured,
        warmup: fc.slice(0, opts.warmup),
        median: pick(medianOrNull),
        min: pick(minOrNull),
        pageFloors: pf.length
          ? { fetchMBps: medianOrNull(pf.map((x) => x.fetchMBps ?? NaN)), memcpyGBps: medianOrNull(pf.map((x) => x.memcpyGBps)) ?? NaN }
          : undefined,
      };
    }

    const rows = aggregate(raw, opts, needed);
    const results: BenchResults = {
      schema: 'flywheel-bench/1',
      name: '',
      mode: opts.mode,
      command: opts.command ?? `npm run bench${opts.mode === 'full' ? ' -- --full' : ''}`,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      durationS: (performance.now() - t0) / 1000,
      git,
      versions,
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model ?? 'unknown',
        memoryBytes: os.totalmem(),
        platform: `${os.platform()} ${os.arch()}`,
        release: os.release(),
        loadBefore,
        loadAfter: os.loadavg(),
        maxLoad1m: Math.max(maxLoad, os.loadavg()[0]),
        waitedForIdleS: waited,
      },
      method: {
        runs: opts.runs,
        warmup: opts.warmup,
        order: 'paths alternate A-B-B-A between runs; every run of a Node path is a fresh process, every browser run a fresh profile',
        cold: 'first execution of the workload in a fresh process or tab, after the engine started and the metadata opened (no frame data of that query loaded); OS page cache warm',
        warm: 'the same query again in the same process/tab (app: frames already loaded in DuckDB-WASM; native: second execution)',
        timing:
          'Node paths: performance.now() around the call in the child process; browser: from the Shift+Enter keydown to the cell\'s status turning done, in the page',
        nativeSetup: "SET enable_external_file_cache = false; frames = read_parquet(files); the app's own episodes view SQL",
        browser: 'built dist/ from a localhost server; datasets from 127.0.0.1 (another origin, CORS, ranges) via tests/e2e/serve.ts; eh bundle (not cross-origin isolated, 1 thread)',
        pageCache: 'warm (drop_caches not attempted)',
        app: dist
          ? `${path.relative(REPO, dist)} (${opts.build === 'fresh' ? 'built from the working tree at the start of this run' : 'existing build'}, ${statSync(path.join(dist, 'index.html')).mtime.toISOString()})`
          : 'not used',
      },
      datasets,
      sequence,
      rows,
      firstChart,
      ratios: { browserOverNative: [], appNodeOverNative: [], nativeThreads: [], remote: [], latency: [], firstChartOverBare: null, scaling: [] },
      goals: [],
      notImplemented: NOT_IMPLEMENTED,
    };
    computeRatios(results, opts);
    const name = opts.name ?? `${started.toISOString().slice(0, 10)}-${git.short}${opts.mode === 'full' ? '-full' : ''}`;
    results.name = name;
    const markdown = renderMarkdown(results);
    mkdirSync(opts.outDir, { recursive: true });
    const jsonPath = path.join(opts.outDir, `${name}.json`);
    const mdPath = path.join(opts.outDir, `${name}.md`);
    // Written as .tmp then renamed: an interrupted run never leaves half a result file.
    writeFileSync(jsonPath + '.tmp', JSON.stringify(results, null, 1) + '\n');
    renameSync(jsonPath + '.tmp', jsonPath);
    writeFileSync(mdPath + '.tmp', markdown);
    renameSync(mdPath + '.tmp', mdPath);
    return { results, jsonPath, mdPath, markdown };
  } finally {
    await Promise.all([servers.app?.close(), servers.data0?.close(), servers.data20?.close()]);
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Turns raw runs into table rows: one per workload × size × path × phase. */
function aggregate(raw: RawRun[], opts: BenchOptions, needed: Record<string, Record<string, number>>): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const size of opts.sizes) {
    for (const p of opts.paths) {
      const mine = raw.filter((x) => x.size === size.name && x.path === p);
      if (!mine.length) continue;
      const measured = mine.filter((x) => !x.warmup);
      const warm = mine.filter((x) => x.warmup);
      if (p === 'floor') {
        const f = (xs: RawRun[], k: 'read' | 'memcpy') => xs.map((x) => (x.floor ? (k === 'read' ? x.floor.readMs : x.floor.memcpyMs) : NaN));
        for (const k of ['read', 'memcpy'] as const) {
          const runs = f(measured, k);
          const fl = measured.find((x) => x.floor)?.floor;
          rows.push({
            workload: k === 'read' ? 'floor-read' : 'floor-memcpy',
            label: k === 'read' ? 'read the data files (fs.readFile)' : 'copy 256 MiB (TypedArray.set)',
            size: size.name,
            path: p,
            phase: 'cold',
            unit: 'ms',
            runs,
            warmup: f(warm, k),
            median: medianOrNull(runs),
            min: minOrNull(runs),
            bytes: fl ? [k === 'read' ? fl.readBytes : fl.memcpyBytes] : undefined,
            errors: measured.filter((x) => !x.ok).map((x) => x.error ?? 'failed'),
          });
        }
        continue;
      }
      const ids = WORKLOAD_IDS.filter((w) => w === 'start' || w === 'open' || opts.queries.includes(w as QueryId));
      for (const w of ids) {
        if (!mine.some((x) => x.measures[w])) continue;
        for (const phase of ['cold', 'warm'] as const) {
          if (phase === 'warm' && !mine.some((x) => x.measures[w]?.warm !== undefined)) continue;
          const val = (x: RawRun) => {
            const m = x.measures[w];
            const v = m ? (phase === 'cold' ? m.cold : m.warm) : undefined;
            return v === undefined || m?.error ? NaN : v;
          };
          const runs = measured.map(val);
          const row: ResultRow = {
            workload: w,
            label: LABELS[w],
            size: size.name,
            path: p,
            phase,
            unit: 'ms',
            runs,
            warmup: warm.map(val),
            median: medianOrNull(runs),
            min: minOrNull(runs),
            resultRows: measured.map((x) => x.measures[w]?.rows ?? null),
            errors: [...new Set(measured.flatMap((x) => (x.measures[w]?.error ? [x.measures[w].error!] : !x.ok && !x.measures[w] ? [x.error ?? 'failed'] : [])))],
          };
          if (phase === 'cold' && p.startsWith('app-chromium')) {
            row.requests = measured.map((x) => x.measures[w]?.requests ?? NaN);
            row.bytes = measured.map((x) => x.measures[w]?.bytes ?? NaN);
            if (w !== 'start' && w !== 'open') row.appBytes = measured.map((x) => x.measures[w]?.appBytes ?? null);
            if (needed[size.name][w] !== undefined) row.bytesNeeded = needed[size.name][w];
            if (w !== 'start' && w !== 'open') {
              row.peakRendererMb = measured.map((x) => x.measures[w]?.peakRendererMb ?? NaN);
              row.peakBrowserMb = measured.map((x) => x.measures[w]?.peakBrowserMb ?? NaN);
            }
          }
          if (phase === 'cold' && p === 'app-node') {
            row.appLoad = measured.find((x) => x.measures[w]?.load)?.measures[w]?.load ?? null;
            if (measured.some((x) => x.measures[w]?.loadMs !== undefined)) row.loadMs = measured.map((x) => x.measures[w]?.loadMs ?? NaN);
          }
          rows.push(row);
        }
      }
    }
  }
  return rows;
}

function find(results: BenchResults, w: string, size: string, p: PathId, phase: 'cold' | 'warm' = 'cold'): ResultRow | undefined {
  return results.rows.find((r) => r.workload === w && r.size === size && r.path === p && r.phase === phase);
}

function computeRatios(results: BenchResults, opts: BenchOptions): void {
  const R = results.ratios;
  const work = WORKLOAD_IDS.filter((w) => w !== 'start');
  for (const size of opts.sizes) {
    for (const w of [...work]) {
      const n1 = find(results, w, size.name, 'native-1t')?.median;
      const n2 = find(results, w, size.name, 'native-2t')?.median;
      const ch = find(results, w, size.name, 'app-chromium')?.median;
      const an = find(results, w, size.name, 'app-node')?.median;
      if (n1 && ch) R.browserOverNative.push({ workload: w, size: size.name, chromium: ch, native1t: n1, ratio: ch / n1 });
      if (n1 && an) R.appNodeOverNative.push({ workload: w, size: size.name, appNode: an, native1t: n1, ratio: an / n1 });
      if (n1 && n2) R.nativeThreads.push({ workload: w, size: size.name, t1OverT2: n1 / n2 });
      for (const p of ['app-chromium', 'app-chromium-20ms'] as const) {
        const row = find(results, w, size.name, p);
        if (!row?.bytes || row.bytesNeeded === undefined) continue;
        const fetched = medianOrNull(row.bytes);
        const reqs = medianOrNull(row.requests ?? []);
        if (fetched === null || !row.bytesNeeded) continue;
        R.remote.push({ workload: w, size: size.name, path: p, needed: row.bytesNeeded, fetched, ratio: fetched / row.bytesNeeded, requests: reqs ?? NaN });
      }
      const l20 = find(results, w, size.name, 'app-chromium-20ms')?.median;
      if (ch && l20) R.latency.push({ workload: w, size: size.name, at0: ch, at20: l20, ratio: l20 / ch });
    }
  }
  const fc = results.firstChart?.median;
  if (fc && Number.isFinite(fc.bare) && fc.bare > 0) R.firstChartOverBare = fc.firstChart / fc.bare;
  // Scaling between consecutive sizes (1M → 10M with --full).
  for (let i = 1; i < opts.sizes.length; i++) {
    const a = opts.sizes[i - 1];
    const b = opts.sizes[i];
    const fa = results.datasets[a.name]?.frames;
    const fb = results.datasets[b.name]?.frames;
    for (const p of opts.paths) {
      if (p === 'floor' || p === 'app-chromium-20ms') continue;
      for (const w of work) {
        const ta = find(results, w, a.name, p)?.median;
        const tb = find(results, w, b.name, p)?.median;
        if (ta && tb && fa && fb) R.scaling.push({ workload: w, path: p, from: a.name, to: b.name, framesRatio: fb / fa, timeRatio: tb / ta });
      }
    }
  }

  // The issue's goals, reported, not asserted.
  const G = results.goals;
  const perEp = R.browserOverNative.find((x) => x.workload === 'per-episode' && x.size === '1m');
  G.push({
    goal: 'per-episode aggregates in the tab within 2.5× of native DuckDB (1 thread) at 1M frames',
    target: '≤ 2.5×',
    measured: perEp ? `${perEp.ratio.toFixed(1)}× (${fmtMs(perEp.chromium)} vs ${fmtMs(perEp.native1t)})` : 'not measured',
    met: perEp ? perEp.ratio <= 2.5 : null,
  });
  G.push({ goal: 'MCAP ingest ≥ 50% of raw @mcap/core iteration', target: '≥ 0.5', measured: 'not measured (bench/mcap.ts; skipped with --no-mcap)', met: null });
  const remote = R.remote.filter((x) => x.path === 'app-chromium' && x.workload !== 'open');
  const worst = remote.sort((a, b) => b.ratio - a.ratio)[0];
  G.push({
    goal: 'bytes fetched ≤ 1.5× bytes needed (frame queries over HTTP)',
    target: '≤ 1.5×',
    measured: worst ? `worst ${worst.ratio.toFixed(2)}× (${worst.workload}, ${worst.size})` : 'not measured',
    met: worst ? worst.ratio <= 1.5 : null,
  });
  G.push({
    goal: 'first chart ≤ 1.5 s cold',
    target: '≤ 1,500 ms',
    measured: fc ? `${fmtMs(fc.firstChart)} (bare DuckDB-WASM start ${fmtMs(fc.bare)})` : 'not measured',
    met: fc ? fc.firstChart <= 1500 : null,
  });
  G.push({
    goal: 'first chart ≤ 1.15× the bare DuckDB-WASM page, same run (issue 14)',
    target: '≤ 1.15×',
    measured: fc && R.firstChartOverBare ? `${R.firstChartOverBare.toFixed(2)}× (live results: ${(fc.firstLiveChart / fc.bare).toFixed(2)}×)` : 'not measured',
    met: R.firstChartOverBare ? R.firstChartOverBare <= 1.15 : null,
  });
  const ten = results.rows.filter((r) => r.size === '10m' && r.path === 'app-chromium' && r.phase === 'cold' && r.workload !== 'start');
  G.push({
    goal: '10M frames summarised in the tab without running out of memory',
    target: 'every 10M workload completes',
    measured: ten.length
      ? ten.every((r) => r.errors.length === 0 && r.median !== null)
        ? `all ${ten.length} workloads completed (per-episode ${fmtMs(find(results, 'per-episode', '10m', 'app-chromium')?.median ?? NaN)})`
        : `failed: ${ten.filter((r) => r.errors.length || r.median === null).map((r) => `${r.workload}: ${r.errors[0] ?? 'no result'}`).join('; ')}`
      : 'not measured (run with --full)',
    met: ten.length ? ten.every((r) => r.errors.length === 0 && r.median !== null) : null,
  });
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms).toLocaleString('en-US')} ms`;
}

export { QUERY_IDS };

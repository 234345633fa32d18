/**
 * The MCAP workload: ingest a ~100 MB log shaped like Foxglove's mixed benchmark (IMU 200 Hz, odometry, TF, joint
 * states, camera frames; zstd chunks) into DuckDB in the browser worker, against raw @mcap/core iteration of the
 * same file in Node (McapIndexedReader.readMessages, same pure-JS zstd), in the same run. Reports MB/s and
 * messages/s for both and their ratio (goal: the browser at ≥ 50% of raw iteration).
 *
 * The file is generated on demand into bench/data/mcap/ (git-ignored). The browser path is the app as a user runs
 * it: open `?mcap=<url>` from another origin (range requests), agree, then one SQL cell that names every topic
 * table, which reads every message, decodes it by schema, builds Arrow and inserts it; timed from Shift+Enter to
 * the cell's status turning done.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { McapIndexedReader } from '@mcap/core';
import { decompress } from 'fzstd';
import { decompress as lz4 } from 'lz4js';
import type { Locator } from 'playwright-core';
import { launchBrowser } from '../tests/e2e/chromium.ts';
import { startServer } from '../tests/e2e/serve.ts';
import { writeMixedMcap } from '../tests/fixtures/gen/mcap-large.ts';

/** Seconds of log: ~3 MB/s of (mostly camera) data, so 33 s is about 100 MB. */
const SECONDS = 33;
/** zstd by default (what `mcap` tools write); BENCH_MCAP_COMPRESSION=none measures rosbag2's uncompressed default. */
const COMPRESSION = (process.env.BENCH_MCAP_COMPRESSION ?? 'zstd') as 'zstd' | 'none' | 'lz4';
const TOPIC_TABLES = ['imu_data', 'odom', 'tf', 'joint_states', 'camera_image_raw'];

export interface McapBenchResult {
  file: string;
  compression: string;
  bytes: number;
  messages: number;
  node: { runs: number[]; medianMs: number; mbps: number; msgps: number };
  chromium: { runs: number[]; medianMs: number; mbps: number; msgps: number; errors: string[] };
  ratio: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Generates the benchmark file unless it is there. */
export async function ensureMcapFile(dataDir: string, log: (s: string) => void): Promise<string> {
  const file = path.join(dataDir, `mcap/mixed-${SECONDS}s-${COMPRESSION}.mcap`);
  if (!existsSync(file)) {
    log(`generating ${path.relative(process.cwd(), file)} (mixed robot log, ${SECONDS} s, ${COMPRESSION})`);
    await writeMixedMcap(file, { seconds: SECONDS, compression: COMPRESSION });
  }
  return file;
}

/** Raw iteration with @mcap/core in this process: every message of every topic, CRCs checked (the library default). */
async function nodeIterate(file: string): Promise<{ ms: number; messages: number }> {
  const bytes = readFileSync(file);
  const t0 = performance.now();
  const reader = await McapIndexedReader.Initialize({
    readable: { size: async () => BigInt(bytes.length), read: async (o, n) => bytes.subarray(Number(o), Number(o + n)) },
    decompressHandlers: { zstd: (b, n) => decompress(b, new Uint8Array(Number(n))), lz4: (b, n) => lz4(b, Number(n)) },
  });
  let messages = 0;
  let sink = 0;
  for await (const m of reader.readMessages()) {
    messages++;
    sink += m.data.length;
  }
  if (sink === 0) throw new Error('no message data');
  return { ms: performance.now() - t0, messages };
}

/** One fresh browser profile: open the file by URL, agree, then time the cell that reads every topic. */
async function browserIngest(appUrl: string, fileUrl: string): Promise<{ ms: number; rows: number }> {
  const b = await launchBrowser();
  try {
    const page = await b.context.newPage();
    await page.goto(`${appUrl}?mcap=${encodeURIComponent(fileUrl)}`);
    await page.click('[data-consent] button', { timeout: 120_000 });
    await page.waitForSelector('[data-table="camera_image_raw"]', { timeout: 120_000 });
    await page.waitForFunction(() => !document.querySelector('[data-cell-status="running"],[data-cell-status="queued"],[data-cell-status="waiting"]'), undefined, { timeout: 120_000 });
    await page.click('[data-action="add-sql"]');
    const cell: Locator = page.locator('[data-cell-kind="sql"]').last();
    await cell.locator('textarea').fill(`SELECT ${TOPIC_TABLES.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ')} AS messages`);
    const handle = await cell.elementHandle();
    await page.evaluate(() => {
      const w = window as unknown as { __start?: number; __end?: number };
      document.addEventListener('keydown', (e) => e.key === 'Enter' && e.shiftKey && (w.__start = performance.now()), true);
    });
    await page.evaluate((el) => {
      const w = window as unknown as { __end?: number };
      new MutationObserver(() => ['done', 'error'].includes(el!.getAttribute('data-cell-status') ?? '') && (w.__end ??= performance.now())).observe(el!, { attributes: true });
    }, handle);
    await cell.locator('textarea').press('Shift+Enter');
    await page.waitForFunction(() => (window as unknown as { __end?: number }).__end !== undefined, undefined, { timeout: 600_000, polling: 50 });
    const status = await cell.getAttribute('data-cell-status');
    if (status !== 'done') throw new Error(`the ingest cell ended ${status}: ${(await cell.innerText()).slice(0, 300)}`);
    const ms = await page.evaluate(() => {
      const w = window as unknown as { __start: number; __end: number };
      return w.__end - w.__start;
    });
    const rows = Number(((await cell.locator('[data-row-index="0"]').textContent()) ?? '').replace(/\D/g, '').slice(1));
    return { ms, rows };
  } finally {
    await b.close();
  }
}

/** Runs both paths `runs` times, interleaved (after one warm-up each), and computes the ratio. */
export async function runMcapBench(opts: { dist: string; dataDir: string; runs: number; log: (s: string) => void }): Promise<McapBenchResult> {
  const file = await ensureMcapFile(opts.dataDir, opts.log);
  const bytes = statSync(file).size;
  const app = await startServer({ root: opts.dist, urlHost: 'localhost' });
  const data = await startServer({ root: path.dirname(file), cors: true });
  const node: number[] = [];
  const chrome: number[] = [];
  const errors: string[] = [];
  let messages = 0;
  try {
    for (let r = 0; r <= opts.runs; r++) {
      const order = r % 2 === 0 ? ['node', 'chromium'] : ['chromium', 'node'];
      for (const p of order) {
        if (p === 'node') {
          const n = await nodeIterate(file);
          messages = n.messages;
          if (r > 0) node.push(n.ms);
          opts.log(`  mcap run ${r}${r ? '' : ' (warm-up)'} node @mcap/core: ${Math.round(n.ms)} ms`);
        } else {
          try {
            const c = await browserIngest(app.url, `${data.url}${path.basename(file)}`);
            if (messages && c.rows !== messages) throw new Error(`the browser read ${c.rows} messages, Node ${messages}`);
            if (r > 0) chrome.push(c.ms);
            opts.log(`  mcap run ${r}${r ? '' : ' (warm-up)'} chromium ingest: ${Math.round(c.ms)} ms (${c.rows} rows)`);
          } catch (e) {
            errors.push(String((e as Error).message).slice(0, 300));
            opts.log(`  mcap run ${r} chromium FAILED: ${errors[errors.length - 1]}`);
          }
        }
      }
    }
  } finally {
    await app.close();
    await data.close();
  }
  const stat = (runs: number[]) => {
    const ms = runs.length ? median(runs) : NaN;
    return { runs, medianMs: ms, mbps: bytes / 1e6 / (ms / 1000), msgps: messages / (ms / 1000) };
  };
  const n = stat(node);
  const c = { ...stat(chrome), errors };
  return { file: path.relative(process.cwd(), file), compression: COMPRESSION, bytes, messages, node: n, chromium: c, ratio: c.mbps / n.mbps };
}

/** The markdown section for a result. */
export function mcapMarkdown(r: McapBenchResult): string {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d }) : '–');
  return [
    '## MCAP ingest (issue 6)',
    '',
    `${r.file}: ${f(r.bytes / 1e6)} MB, ${r.messages.toLocaleString('en-US')} messages (IMU 200 Hz, odometry 50 Hz, TF 100 Hz, joint states 100 Hz, 640×480 camera 10 Hz; ${r.compression} chunks). Median of ${r.node.runs.length} runs after a warm-up, interleaved.`,
    '',
    '| path | median | MB/s | messages/s |',
    '|---|---|---|---|',
    `| raw @mcap/core iteration in Node (McapIndexedReader.readMessages; fzstd/lz4js, the app's codecs) | ${f(r.node.medianMs, 0)} ms | ${f(r.node.mbps)} | ${f(r.node.msgps, 0)} |`,
    `| app in Chromium: fetch by range, decode CDR, build Arrow, insert into DuckDB-WASM | ${f(r.chromium.medianMs, 0)} ms | ${f(r.chromium.mbps)} | ${f(r.chromium.msgps, 0)} |`,
    '',
    `Ratio (browser ingest ÷ raw iteration, MB/s): **${f(r.ratio, 2)}** (goal ≥ 0.5).${r.chromium.errors.length ? ` Errors: ${r.chromium.errors.join('; ')}` : ''}`,
    '',
  ].join('\n');
}

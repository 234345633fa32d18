/**
 * The headless notebook runner (`npm run notebook`) on both engines over one generated dataset: wall time and peak
 * RSS of each run (a fresh process each time), each cell's time, and the per-episode summary against the same SQL
 * hand-written on native DuckDB (bench/runner-baseline.ts). `npm run bench -- --full` runs it over 10M frames;
 * standalone: `tsx bench/runner.ts --data bench/data/30m --engines native --runs 1 [--threads 2] [--notebooks per-episode,health]
 * [--out FILE.json]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { failureMiningNotebook } from '../src/lib/analysis/templates.ts';
import { healthNotebook } from '../src/lib/notebook/templates/health.ts';
import type { NotebookDoc } from '../src/lib/notebook/types.ts';
import type { SourceDecl } from '../src/lib/ingest/source.ts';

const REPO = path.resolve(import.meta.dirname, '..');

/** The per-episode summary: the benchmark's `per-episode` workload (bench/workloads.ts), as one notebook cell. */
export const PER_EPISODE_SQL = `SELECT episode_index, count(*) AS frames, avg("observation.state"[1]) AS mean_state_1, max(timestamp) AS last_timestamp
FROM frames GROUP BY episode_index ORDER BY episode_index`;

/** One notebook's runs on one engine. */
export interface RunnerMeasure {
  notebook: string;
  engine: 'native' | 'wasm' | 'hand-written';
  runs: number;
  /** Median wall time of the whole process (start, open, every cell, writing results), ms. */
  wallMs: number;
  /** Highest peak RSS over the runs, MB. */
  maxRssMb: number;
  /** Median time of each cell, ms (hand-written: the per-episode query). */
  cellMs: Record<string, number>;
  failed: string[];
  error?: string;
}

/** What {@link runRunnerBench} measured. */
export interface RunnerBenchResult {
  dataset: { dir: string; frames: number; episodes: number };
  threads: number | null;
  measures: RunnerMeasure[];
  /** Per-episode cell time, runner on native ÷ hand-written native SQL (goal ≤ 1.2). */
  perEpisodeRatio: number | null;
  /** The same for the whole process (start-up and writing the result included). */
  perEpisodeWallRatio: number | null;
}

function sources(dir: string): SourceDecl[] {
  return [
    { name: 'dataset', kind: 'lerobot', url: dir },
    { name: 'deployments', kind: 'csv', url: path.join(dir, 'deployment_log.csv'), role: 'episode-log' },
    { name: 'costs', kind: 'csv', url: path.join(dir, 'collection_costs.csv'), role: 'table' },
  ];
}

/** The notebooks measured: the per-episode summary, the health notebook, failure mining. */
export function benchNotebooks(dir: string): { id: string; doc: NotebookDoc }[] {
  const perEpisode: NotebookDoc = {
    version: 1,
    title: 'Per-episode summary',
    sources: sources(dir),
    cells: [{ id: 'per_episode', kind: 'sql', name: 'per_episode', source: PER_EPISODE_SQL }],
  };
  return [
    { id: 'per-episode', doc: perEpisode },
    { id: 'health', doc: healthNotebook(sources(dir)) },
    { id: 'failure-mining', doc: failureMiningNotebook(sources(dir)) },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

function runProcess(args: string[], timeoutMs: number): Promise<{ code: number | null; ms: number; err: string }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err = (err + String(d)).slice(-4000)));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: performance.now() - t0, err });
    });
  });
}

/** Runs the runner and the hand-written baseline `runs` times each over `dir`. */
export async function runRunnerBench(o: { dir: string; engines: ('native' | 'wasm')[]; runs: number; threads?: number; notebooks?: string[]; log: (s: string) => void }): Promise<RunnerBenchResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-runner-bench-'));
  const info = JSON.parse(readFileSync(path.join(o.dir, 'meta/info.json'), 'utf8'));
  const measures: RunnerMeasure[] = [];
  try {
    for (const engine of o.engines) {
      for (const nb of benchNotebooks(o.dir).filter((n) => !o.notebooks || o.notebooks.includes(n.id))) {
        const file = path.join(tmp, `${nb.id}.json`);
        writeFileSync(file, JSON.stringify(nb.doc));
        const walls: number[] = [];
        const cells: Record<string, number[]> = {};
        let rss = 0;
        let failed: string[] = [];
        let error: string | undefined;
        for (let r = 0; r < o.runs; r++) {
          const out = path.join(tmp, `out-${engine}-${nb.id}`);
          rmSync(out, { recursive: true, force: true });
          const args = ['src/lib/headless/cli.ts', file, '--engine', engine, '--out', out, ...(engine === 'native' && o.threads ? ['--threads', String(o.threads)] : [])];
          o.log(`  runner ${engine} ${nb.id} run ${r + 1}/${o.runs}`);
          const p = await runProcess(args, 30 * 60_000);
          if (p.code !== 0 && p.code !== 1) {
            error = `exited with ${p.code}: ${p.err.slice(-600)}`;
            break;
          }
          const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
          walls.push(p.ms);
          rss = Math.max(rss, summary.maxRssMb);
          failed = summary.cells.filter((c: { status: string }) => c.status !== 'done').map((c: { name: string }) => c.name);
          for (const c of summary.cells) if (c.kind !== 'markdown') (cells[c.name] ??= []).push(c.ms);
        }
        measures.push({
          notebook: nb.id,
          engine,
          runs: walls.length,
          wallMs: median(walls),
          maxRssMb: rss,
          cellMs: Object.fromEntries(Object.entries(cells).map(([k, v]) => [k, median(v)])),
          failed,
          error,
        });
      }
    }
    // The same SQL, hand-written on native DuckDB: frames = read_parquet(files), the query, its result to Parquet.
    const walls: number[] = [];
    const qs: number[] = [];
    let rss = 0;
    let error: string | undefined;
    for (let r = 0; r < o.runs; r++) {
      const out = path.join(tmp, 'baseline.json');
      o.log(`  hand-written native SQL run ${r + 1}/${o.runs}`);
      const p = await runProcess(['bench/runner-baseline.ts', o.dir, out, String(o.threads ?? 0)], 30 * 60_000);
      if (p.code !== 0) {
        error = `exited with ${p.code}: ${p.err.slice(-600)}`;
        break;
      }
      const b = JSON.parse(readFileSync(out, 'utf8'));
      walls.push(p.ms);
      qs.push(b.queryMs);
      rss = Math.max(rss, b.maxRssMb);
    }
    measures.push({ notebook: 'per-episode', engine: 'hand-written', runs: walls.length, wallMs: median(walls), maxRssMb: rss, cellMs: { per_episode: median(qs) }, failed: [], error });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const nat = measures.find((m) => m.engine === 'native' && m.notebook === 'per-episode');
  const hand = measures.find((m) => m.engine === 'hand-written');
  const ratio = (a?: number, b?: number) => (a && b && Number.isFinite(a / b) ? a / b : null);
  return {
    dataset: { dir: path.relative(REPO, o.dir), frames: info.total_frames, episodes: info.total_episodes },
    threads: o.threads ?? null,
    measures,
    perEpisodeRatio: ratio(nat?.cellMs.per_episode, hand?.cellMs.per_episode),
    perEpisodeWallRatio: ratio(nat?.wallMs, hand?.wallMs),
  };
}

/** The result as a Markdown table. */
export function runnerMarkdown(r: RunnerBenchResult): string {
  const f = (ms: number) => (Number.isFinite(ms) ? (ms >= 10_000 ? `${(ms / 1000).toFixed(0)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`) : '—');
  const lines = [
    `## Headless runner (${r.dataset.frames.toLocaleString('en-US')} frames, ${r.dataset.episodes.toLocaleString('en-US')} episodes${r.threads ? `, native ${r.threads} threads` : ''})`,
    '',
    '| notebook | engine | wall (process) | slowest cell | peak RSS | failed cells |',
    '|---|---|---|---|---|---|',
  ];
  for (const m of r.measures) {
    const slow = Object.entries(m.cellMs).sort((a, b) => b[1] - a[1])[0];
    lines.push(`| ${m.notebook} | ${m.engine} | ${f(m.wallMs)} | ${slow ? `${slow[0]} ${f(slow[1])}` : '—'} | ${Math.round(m.maxRssMb)} MB | ${m.error ? `error: ${m.error.split('\n')[0].slice(0, 80)}` : m.failed.join(', ') || 'none'} |`);
  }
  lines.push('', `Per-episode summary, runner on native ÷ hand-written native SQL: ${r.perEpisodeRatio?.toFixed(2) ?? '—'}× (query), ${r.perEpisodeWallRatio?.toFixed(2) ?? '—'}× (whole process). Goal ≤ 1.2×, runner < 1 GB RSS.`, '');
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const val = (n: string) => (argv.includes(n) ? argv[argv.indexOf(n) + 1] : undefined);
  const dir = path.resolve(val('--data') ?? 'bench/data/1m');
  const r = await runRunnerBench({
    dir,
    engines: (val('--engines') ?? 'native,wasm').split(',') as ('native' | 'wasm')[],
    runs: Number(val('--runs') ?? 1),
    threads: val('--threads') ? Number(val('--threads')) : undefined,
    notebooks: val('--notebooks')?.split(','),
    log: (s) => process.stderr.write(s + '\n'),
  });
  const md = runnerMarkdown(r);
  const out = val('--out');
  if (out) {
    writeFileSync(out, JSON.stringify(r, null, 1) + '\n');
    writeFileSync(out.replace(/\.json$/, '') + '.md', md);
  }
  console.log(md);
}

/**
 * `npm run bench` (quick: 100k and 1M frames, under 10 minutes on 2 cores) and `npm run bench -- --full` (adds 10M).
 *
 * Options: --full, --runs N (default 5), --warmup N (default 1), --sizes 100k,1m,10m, --paths native-1t,app-chromium,…,
 * --workloads per-episode,windows,…, --no-first-chart, --no-build (measure the existing dist/ instead of a fresh build
 * of the working tree into bench/data/.app-dist), --no-wait, --no-mcap (skip the MCAP ingest workload, bench/mcap.ts),
 * --out DIR (default bench/results), --name STEM, --runner / --no-runner (the headless runner on both engines over
 * the largest size: on by default with --full; bench/runner.ts).
 * Writes <out>/<YYYY-MM-DD>-<sha>[-full].json and .md, and prints the markdown.
 * `--render FILE.json` only re-renders FILE.md from an earlier result (after a change to the tables' layout).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderMarkdown } from './report.ts';
import { defaultSizes, PATHS, REPO, runBench, type BenchOptions, type PathId } from './harness.ts';
import { QUERY_IDS, type QueryId } from './workloads.ts';
import { mcapMarkdown, runMcapBench, type McapBenchResult } from './mcap.ts';
import { renderScoreMarkdown, runScoreBench } from './score.ts';
import { runnerMarkdown, runRunnerBench } from './runner.ts';

function parse(argv: string[]): BenchOptions {
  const flag = (n: string) => argv.includes(n);
  const val = (n: string) => {
    const i = argv.indexOf(n);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = ['--runner', '--no-runner', '--no-score', '--no-mcap', '--render', '--full', '--runs', '--warmup', '--sizes', '--paths', '--workloads', '--no-first-chart', '--no-build', '--no-wait', '--out', '--name'];
  for (const a of argv) if (a.startsWith('--') && !known.includes(a)) throw new Error(`unknown option ${a}; known: ${known.join(' ')}`);
  const full = flag('--full');
  const all = defaultSizes(true);
  const sizesArg = val('--sizes');
  const sizes = sizesArg ? sizesArg.split(',').map((n) => all.find((s) => s.name === n) ?? (() => { throw new Error(`unknown size ${n} (100k, 1m, 10m)`); })()) : defaultSizes(full);
  const paths = (val('--paths')?.split(',') ?? [...PATHS]) as PathId[];
  for (const p of paths) if (!PATHS.includes(p)) throw new Error(`unknown path ${p}; known: ${PATHS.join(', ')}`);
  const queries = (val('--workloads')?.split(',') ?? [...QUERY_IDS]) as QueryId[];
  for (const q of queries) if (!QUERY_IDS.includes(q)) throw new Error(`unknown workload ${q}; known: ${QUERY_IDS.join(', ')}`);
  const custom = !!(sizesArg || val('--paths') || val('--workloads') || val('--runs') || flag('--no-first-chart'));
  return {
    mode: custom ? 'custom' : full ? 'full' : 'quick',
    sizes,
    paths,
    queries,
    runs: Number(val('--runs') ?? 5),
    warmup: Number(val('--warmup') ?? 1),
    firstChart: !flag('--no-first-chart'),
    build: flag('--no-build') ? 'reuse' : 'fresh',
    waitForIdleS: flag('--no-wait') ? 0 : 180,
    outDir: path.resolve(REPO, val('--out') ?? 'bench/results'),
    name: val('--name'),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
  };
}

const argv = process.argv.slice(2);
if (argv[0] === '--render') {
  const file = path.resolve(argv[1] ?? '');
  const md = renderMarkdown(JSON.parse(readFileSync(file, 'utf8')));
  writeFileSync(file.replace(/\.json$/, '.md'), md);
  console.log(md);
  process.exit(0);
}
const opts = parse(argv);
const { results, jsonPath, mdPath, markdown } = await runBench(opts);
let md = markdown;
// The MCAP workload (issue 6) runs after the others, in the same process tree, and joins the same result files.
if (!argv.includes('--no-mcap')) {
  const built = path.join(REPO, 'bench/data/.app-dist');
  // The harness builds bench/data/.app-dist only when a browser path runs; otherwise it may be an old build.
  const fresh = opts.build === 'fresh' && opts.paths.some((p) => p.startsWith('app-chromium')) && existsSync(path.join(built, 'index.html'));
  const dist = fresh ? built : path.join(REPO, 'dist');
  process.stderr.write(`MCAP ingest: measuring the app in ${path.relative(REPO, dist)}\n`);
  const mcap: McapBenchResult = await runMcapBench({ dist, dataDir: path.join(REPO, 'bench/data'), runs: Math.min(opts.mode === 'quick' ? 2 : 3, opts.runs), log: (s) => process.stderr.write(s + '\n') });
  const r = results as typeof results & { mcap?: McapBenchResult };
  r.mcap = mcap;
  r.notImplemented = r.notImplemented.filter((n) => n.issue !== 6);
  const goal = r.goals.find((g) => /MCAP/.test(g.goal));
  if (goal) {
    goal.measured = `${mcap.ratio.toFixed(2)} (${mcap.chromium.mbps.toFixed(1)} vs ${mcap.node.mbps.toFixed(1)} MB/s, ${mcap.compression} chunks)`;
    goal.met = Number.isFinite(mcap.ratio) ? mcap.ratio >= 0.5 : null;
  }
  md = `${renderMarkdown(r)}\n${mcapMarkdown(mcap)}`;
  writeFileSync(jsonPath, JSON.stringify(r, null, 1) + '\n');
  writeFileSync(mdPath, md);
}
console.log(md);
console.log(`wrote ${path.relative(process.cwd(), jsonPath)} and ${path.relative(process.cwd(), mdPath)}`);
// Models (issue 7): ensemble scoring and window clustering on the largest dataset of the run (1M in quick mode),
// written beside the SQL results as <stem>-models.json/.md. About two minutes with 2 runs; --no-score skips it.
if (!argv.includes('--no-score')) {
  const size = opts.sizes.find((s) => s.name === '1m') ?? opts.sizes[opts.sizes.length - 1];
  const dist = opts.build === 'fresh' ? path.join(REPO, 'bench/data/.app-dist') : path.join(REPO, 'dist');
  const score = await runScoreBench({ dataDir: size.dir, distDir: opts.paths.includes('app-chromium') ? dist : null, runs: Math.min(opts.runs, 2), windows: [10_000, 50_000] });
  const stem = jsonPath.replace(/\.json$/, '-models');
  writeFileSync(`${stem}.json`, JSON.stringify(score, null, 2) + '\n');
  writeFileSync(`${stem}.md`, renderScoreMarkdown(score));
  console.log(renderScoreMarkdown(score));
  console.log(`wrote ${path.relative(process.cwd(), stem)}.json and .md`);
}
// The headless runner (issue 16): `npm run notebook` on native DuckDB and on DuckDB-WASM over the largest dataset
// (10M with --full), fresh processes, against the per-episode SQL hand-written on native DuckDB; written beside the
// SQL results as <stem>-runner.json/.md. --runner adds it to a quick run, --no-runner skips it.
if ((opts.mode === 'full' || argv.includes('--runner')) && !argv.includes('--no-runner')) {
  const size = opts.sizes[opts.sizes.length - 1];
  const runner = await runRunnerBench({ dir: size.dir, engines: ['native', 'wasm'], runs: Math.min(opts.runs, 3), log: (s) => process.stderr.write(s + '\n') });
  const stem = jsonPath.replace(/\.json$/, '-runner');
  writeFileSync(`${stem}.json`, JSON.stringify(runner, null, 1) + '\n');
  writeFileSync(`${stem}.md`, runnerMarkdown(runner));
  console.log(runnerMarkdown(runner));
  console.log(`wrote ${path.relative(process.cwd(), stem)}.json and .md`);
}

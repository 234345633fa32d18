/**
 * `npm run demo [-- options]`: generate the demo flywheel dataset.
 *
 *   npm run demo                                   → static/demo (the bundled demo)
 *   npm run demo -- --frames 1000000 --out bench/data/1m
 *   npm run demo -- --seed 7 --out /tmp/demo7
 *
 * Options: --seed N, --out DIR, --frames N (≈ total frames; scales episode counts, keeps the success
 * curve), --frames-per-file N, --row-group N, --no-videos, --quiet, --results (only re-write the bundled demo's
 * shipped results, static/demo/results/health.json, after a change to the health notebook). Large runs (over 500k frames, for the
 * benchmarks) never render videos: encoding runs at a few thousand frames per second.
 */
import { resolve } from 'node:path';
import { costPerSuccess } from './costs.ts';
import { DEFAULT_CONFIG, planFlywheel, type FlywheelConfig, type FlywheelPlan } from './flywheel.ts';
import { DEMO_LAYOUT, writeDataset } from './lerobot-writer.ts';
import { writeDemoResults } from '../headless/demo-results.ts';

interface CliOptions {
  seed: number;
  out: string;
  frames: number | null;
  framesPerFile: number | null;
  rowGroup: number | null;
  quiet: boolean;
  videos: boolean;
  resultsOnly: boolean;
}

const USAGE = `usage: npm run demo -- [--seed N] [--out DIR] [--frames N] [--frames-per-file N] [--row-group N] [--no-videos] [--quiet] [--results]`;

function parseArgs(argv: readonly string[]): CliOptions {
  const o: CliOptions = { seed: DEFAULT_CONFIG.seed, out: 'static/demo', frames: null, framesPerFile: null, rowGroup: null, quiet: false, videos: true, resultsOnly: false };
  const int = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer\n${USAGE}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seed') o.seed = int(a, argv[++i]);
    else if (a === '--out') o.out = argv[++i] ?? '';
    else if (a === '--frames') o.frames = int(a, argv[++i]);
    else if (a === '--frames-per-file') o.framesPerFile = int(a, argv[++i]);
    else if (a === '--row-group') o.rowGroup = int(a, argv[++i]);
    else if (a === '--quiet') o.quiet = true;
    else if (a === '--no-videos') o.videos = false;
    else if (a === '--results') o.resultsOnly = true;
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${a}\n${USAGE}`);
  }
  if (!o.out) throw new Error(`--out needs a directory\n${USAGE}`);
  return o;
}

/**
 * Plan with about `frames` frames: scale the episode counts and re-plan a few times. Episode lengths
 * and outcomes are random, so each re-plan lands within a few percent; keep the closest.
 */
function planForFrames(base: FlywheelConfig, frames: number): FlywheelPlan {
  let config = { ...base };
  let plan = planFlywheel(config);
  let best = plan;
  for (let i = 0; i < 6 && Math.abs(best.totalFrames - frames) > frames * 0.002; i++) {
    config = { ...config, scale: (config.scale * frames) / plan.totalFrames };
    plan = planFlywheel(config);
    if (Math.abs(plan.totalFrames - frames) < Math.abs(best.totalFrames - frames)) best = plan;
  }
  return best;
}

/** Large runs: files of about a million frames, evenly split (no tiny remainder file). */
function largeFramesPerFile(total: number): number {
  const files = Math.max(1, Math.round(total / 1_000_000));
  return Math.ceil(total / files) + 400;
}

const STATIC = resolve(import.meta.dirname, '../../../static');

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const bundled = resolve(o.out) === resolve(STATIC, 'demo') && o.frames === null && o.seed === DEFAULT_CONFIG.seed;
  if (o.resultsOnly) {
    console.log(`wrote ${await writeDemoResults(STATIC)}`);
    return;
  }
  const base: FlywheelConfig = { ...DEFAULT_CONFIG, seed: o.seed };
  const plan = o.frames === null ? planFlywheel(base) : planForFrames(base, o.frames);
  const large = plan.totalFrames > 500_000;
  const out = resolve(o.out);
  const result = await writeDataset(plan, {
    outDir: out,
    framesPerFile: o.framesPerFile ?? (large ? largeFramesPerFile(plan.totalFrames) : DEMO_LAYOUT.framesPerFile),
    rowGroupRows: o.rowGroup ?? (large ? 65_536 : DEMO_LAYOUT.rowGroupRows),
    log: o.quiet ? undefined : (m) => console.log('  ' + m),
    videos: o.videos && !large,
  });
  let bytes = 0;
  for (const f of result.files) bytes += f.bytes;
  console.log(`wrote ${out}`);
  console.log(`  seed ${plan.config.seed}, scale ${plan.config.scale.toFixed(3)}: ${result.totalEpisodes} episodes, ${result.totalFrames} frames, ${result.files.length} files, ${bytes} bytes`);
  if (!o.quiet) for (const f of result.files) console.log(`  ${f.bytes.toString().padStart(11)}  ${f.path}`);
  console.log('  rotation  policy  deployments  success  demos  cost/success  targeted at');
  const seedDemos = plan.episodes.filter((e) => e.kind === 'seed').length;
  for (const r of plan.rotations) {
    const cps = costPerSuccess(result.costs, r);
    const demos = r.rotation === 0 ? seedDemos : r.targeted_demos;
    console.log(
      `  ${String(r.rotation).padStart(8)}  ${(r.policy_version ?? 'seed').padEnd(6)}  ${String(r.deployment_episodes).padStart(11)}  ${r.success_rate === null ? '      -' : r.success_rate.toFixed(3).padStart(7)}  ${String(demos).padStart(5)}  ${(cps === null ? '-' : '$' + cps.toFixed(2)).padStart(12)}  ${r.targeted_mechanisms.join(', ')}`,
    );
  }
  // The bundled demo ships its health notebook's results, drawn while DuckDB-WASM starts on a first visit.
  if (bundled) console.log(`wrote ${await writeDemoResults(STATIC)}`);
  const rss = process.memoryUsage().rss / (1024 * 1024);
  console.log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s, rss ${rss.toFixed(0)} MB`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

/**
 * The benchmark harness itself (bench/harness.ts), not its timings: on a tiny generated dataset, one workload with
 * two measured runs after a warm-up must produce the result files it claims, with the runs it actually made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runBench, type BenchResults } from '../../bench/harness';
import { median } from '../../bench/first-chart';

let tmp: string;
let out: Awaited<ReturnType<typeof runBench>>;
let json: BenchResults;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-bench-test-'));
  out = await runBench({
    mode: 'custom',
    sizes: [{ name: 'tiny', frames: 3000, dir: path.join(tmp, 'tiny') }],
    paths: ['native-1t', 'app-node'],
    queries: ['per-episode'],
    runs: 2,
    warmup: 1,
    firstChart: false,
    build: 'reuse',
    waitForIdleS: 0,
    outDir: path.join(tmp, 'results'),
    name: 'harness-test',
    log: () => undefined,
  });
  json = JSON.parse(readFileSync(out.jsonPath, 'utf8')) as BenchResults;
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bench harness', () => {
  it('writes the JSON and markdown files it names, with what it returned', () => {
    expect(out.jsonPath).toBe(path.join(tmp, 'results/harness-test.json'));
    expect(out.mdPath).toBe(path.join(tmp, 'results/harness-test.md'));
    expect(readFileSync(out.mdPath, 'utf8')).toBe(out.markdown);
    expect(json.schema).toBe('flywheel-bench/1');
    expect(json.name).toBe('harness-test');
    expect(json.rows.length).toBe(out.results.rows.length);
  });

  it('records versions, machine, git and the generated dataset', () => {
    expect(json.versions.node).toBe(process.version);
    expect(json.versions['duckdb native (engine)']).toMatch(/^v\d+\.\d+/);
    expect(json.versions['duckdb-wasm (engine)']).toMatch(/^v\d+\.\d+/);
    expect(json.versions['parquet-wasm']).toMatch(/^\d+\.\d+/);
    expect(json.machine.cpus).toBe(os.cpus().length);
    expect(json.machine.memoryBytes).toBeGreaterThan(0);
    expect(json.machine.loadBefore).toHaveLength(3);
    expect(json.git.short).toMatch(/^([0-9a-f]{7}|nogit)$/);
    expect(json.datasets.tiny.frames).toBeGreaterThan(2000);
    expect(json.datasets.tiny.episodes).toBeGreaterThan(0);
  });

  it('runs each path warm-up + 2 times, alternating the order, and reports median and min of the measured runs', () => {
    expect(json.sequence.map((s) => `${s.run}:${s.path}`)).toEqual([
      '0:native-1t',
      '0:app-node',
      '1:app-node',
      '1:native-1t',
      '2:native-1t',
      '2:app-node',
    ]);
    expect(json.sequence.every((s) => s.ok)).toBe(true);
    for (const p of ['native-1t', 'app-node'] as const) {
      const row = json.rows.find((r) => r.workload === 'per-episode' && r.path === p && r.phase === 'cold')!;
      expect(row.runs).toHaveLength(2);
      expect(row.warmup).toHaveLength(1);
      expect(row.median).toBeCloseTo(median(row.runs), 6);
      expect(row.min).toBe(Math.min(...row.runs));
      expect(row.errors).toEqual([]);
      // Both engines return one row per episode.
      expect(row.resultRows).toEqual([json.datasets.tiny.episodes, json.datasets.tiny.episodes]);
      expect(json.rows.some((r) => r.workload === 'per-episode' && r.path === p && r.phase === 'warm')).toBe(true);
      expect(json.rows.some((r) => r.workload === 'open' && r.path === p)).toBe(true);
    }
    // The app's own account of the bytes it loaded is kept (footer-derived, compressed).
    expect(json.rows.find((r) => r.workload === 'per-episode' && r.path === 'app-node' && r.phase === 'cold')!.appLoad?.bytes).toBeGreaterThan(0);
    expect(json.ratios.appNodeOverNative.some((r) => r.workload === 'per-episode' && r.ratio > 0)).toBe(true);
  });

  it('renders one markdown table row per workload and size, with median (min) of each path', () => {
    const line = out.markdown.split('\n').find((l) => /^\| per-episode aggregates \| \d+k \|/.test(l));
    expect(line).toBeDefined();
    const cells = line!.split('|').slice(1, -1).map((c) => c.trim());
    const n1 = json.rows.find((r) => r.workload === 'per-episode' && r.path === 'native-1t' && r.phase === 'cold')!;
    expect(cells[2]).toBe(`${Math.round(n1.median!).toLocaleString('en-US')} (${Math.round(n1.min!).toLocaleString('en-US')})`);
    expect(cells[4]).toMatch(/^[\d,]+ \([\d,]+\)$/);
    // Paths that did not run stay empty.
    expect(cells[5]).toBe('');
    // Every workload the issue lists is measured now; the report points at the models benchmark of the same run.
    expect(json.notImplemented).toEqual([]);
    expect(out.markdown).not.toMatch(/not yet implemented/);
    expect(out.markdown).toMatch(/ONNX ensemble scoring and clustering are measured by bench\/score\.ts/);
  });
});

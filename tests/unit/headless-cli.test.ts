/**
 * `npm run notebook` as a user runs it (a child process): the --out folder (summary.json and every result as a file
 * that reads back whole, in each format), the HTML report (Markdown, tables, charts as SVG, no script), and clear
 * errors for bad input.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { healthNotebook } from '../../src/lib/notebook/templates/health';
import { NativeDb } from '../../src/lib/headless/native-db';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flywheel-cli-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const nb = path.join(tmp, 'health.flywheel.json');
writeFileSync(nb, JSON.stringify(healthNotebook()));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/lib/headless/cli.ts', ...args], { cwd: REPO, maxBuffer: 64 << 20 });
    return { code: 0, ...r };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

interface Summary {
  engine: { name: string; version: string };
  format: string;
  maxRssMb: number;
  cells: { name: string; kind: string; status: string; rowCount?: number; rows?: unknown[]; file?: string; data?: string }[];
}

describe('npm run notebook', () => {
  it('writes every result as Parquet beside summary.json, and an HTML report with the charts as SVG (native)', async () => {
    const out = path.join(tmp, 'native');
    const report = path.join(tmp, 'health.html');
    const r = await cli([nb, '--engine', 'native', '--threads', '2', '--out', out, '--report', report]);
    expect(r.stderr).toContain('0 failed');
    expect(r.code).toBe(0);
    const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
    expect(s.engine.name).toBe('native');
    expect(s.format).toBe('parquet');
    expect(s.maxRssMb).toBeGreaterThan(0);
    const results = s.cells.filter((c) => c.kind === 'sql');
    expect(results.length).toBeGreaterThan(3);
    const db = await NativeDb.open({ threads: 1 });
    try {
      for (const c of results) {
        expect(c.file, c.name).toBe(`cells/${c.name}.parquet`);
        expect(c.rows!.length, c.name).toBeLessThanOrEqual(20);
        const [{ n }] = await db.rows(`SELECT count(*)::DOUBLE AS n FROM read_parquet('${path.join(out, c.file!)}')`);
        expect(Number(n), c.name).toBe(c.rowCount);
      }
    } finally {
      await db.close();
    }
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h1>Flywheel health</h1>');
    const charts = s.cells.filter((c) => c.kind === 'plot').length;
    expect(charts).toBeGreaterThan(2);
    expect(html.match(/<svg/g)?.length ?? 0).toBeGreaterThanOrEqual(charts);
    expect(html).toContain('<table>');
    expect(html).not.toMatch(/<script|<link|src="http/i);
  }, 180_000);

  it('writes Arrow and CSV on request, on the wasm engine too', async () => {
    for (const [engine, format] of [['wasm', 'arrow'], ['native', 'csv']] as const) {
      const out = path.join(tmp, `${engine}-${format}`);
      const r = await cli([nb, '--engine', engine, '--out', out, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as Summary;
      const c = s.cells.find((x) => x.name === 'success_by_version')!;
      const bytes = readFileSync(path.join(out, `cells/success_by_version.${format}`));
      if (format === 'arrow') expect(tableFromIPC(bytes).numRows).toBe(c.rowCount);
      else expect(bytes.toString('utf8').trim().split('\n').length).toBe(c.rowCount! + 1);
    }
  }, 240_000);

  it('says what is wrong with bad arguments and a missing dataset (exit code 2)', async () => {
    const bad = await cli([nb, '--engine', 'spark']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--engine must be one of wasm, native');
    const threads = await cli([nb, '--threads', '2']);
    expect(threads.code).toBe(2);
    expect(threads.stderr).toContain('--threads and --memory-limit are for --engine native');
    const missing = await cli([nb, '--engine', 'native', '--dataset', path.join(tmp, 'nowhere')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`Dataset folder ${path.join(tmp, 'nowhere')} does not exist`);
    // An http(s) root on native needs httpfs (the runner never downloads it): without it, the message says how to
    // install it; with it, the root is fetched (nothing listens on port 9) and the fetch error is reported.
    const probe = await NativeDb.open({ threads: 1 });
    const hasHttpfs = await probe.exec('LOAD httpfs').then(() => true, () => false);
    await probe.close();
    const remote = await cli([nb, '--engine', 'native', '--dataset', 'http://127.0.0.1:9/demo/']);
    expect(remote.code).toBe(2);
    if (hasHttpfs) expect(remote.stderr).toMatch(/fetch failed|ECONNREFUSED|127\.0\.0\.1:9/i);
    else {
      expect(remote.stderr).toContain('"httpfs" extension is not installed');
      expect(remote.stderr).toContain('INSTALL httpfs');
    }
  }, 120_000);
});

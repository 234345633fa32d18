/**
 * `npm run notebook -- <notebook.json> [options]`: runs a notebook (a `.flywheel.json` file or a bare notebook JSON)
 * outside the browser with the app's cell semantics, on DuckDB-WASM (default) or native DuckDB. See USAGE and the
 * README's "Past the tab". Exit code 1 when a cell failed, 2 on bad arguments or sources, 130 when cancelled.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { notebookFromFile } from '../share';
import type { EngineName, ResultFormat } from './engine';
import { HeadlessSession, type HeadlessCellResult } from './run';

const USAGE = `usage: npm run notebook -- <notebook.json> [options]
  --engine wasm|native     DuckDB-WASM as in the tab (default), or native DuckDB (@duckdb/node-api) reading Parquet itself
  --dataset <root>         folder, http(s) URL or hf:owner/name@rev instead of the notebook's LeRobot source
  --out <folder>           summary.json plus every result as cells/<name>.<format> (streamed by native DuckDB)
  --out <file.json>        only the JSON summary (as before)
  --format parquet|arrow|csv   result files' format (default parquet)
  --report <file.html>     a static HTML page: Markdown, first rows of each result, charts as SVG
  --report-rows N          rows per table in the report (default 20)
  --max-rows N             rows per result in the JSON summary (default 1000; 20 with an --out folder)
  --threads N              native DuckDB threads (default: every core)
  --memory-limit 4GB       native DuckDB memory limit (default: DuckDB's, 80% of RAM)
  --ort web|node           ONNX Runtime for model cells (default: web on wasm, node on native)`;

interface Args {
  file: string;
  engine: EngineName;
  dataset?: string;
  out?: string;
  format: ResultFormat;
  report?: string;
  reportRows: number;
  maxRows?: number;
  threads?: number;
  memoryLimit?: string;
  ort?: 'web' | 'node';
}

function parseArgs(argv: string[]): Args | null {
  const a: Partial<Args> & { format: ResultFormat; engine: EngineName; reportRows: number } = { format: 'parquet', engine: 'wasm', reportRows: 20 };
  const value = (i: number, flag: string) => {
    const v = argv[i];
    if (v == null || v.startsWith('--')) throw new Error(`${flag} needs a value.\n${USAGE}`);
    return v;
  };
  const oneOf = <T extends string>(v: string, flag: string, allowed: readonly T[]): T => {
    if (!allowed.includes(v as T)) throw new Error(`${flag} must be one of ${allowed.join(', ')} (got "${v}").`);
    return v as T;
  };
  const count = (v: string, flag: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive whole number (got "${v}").`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    if (f === '--help' || f === '-h') return null;
    else if (f === '--engine') a.engine = oneOf(value(++i, f), f, ['wasm', 'native'] as const);
    else if (f === '--dataset') a.dataset = value(++i, f);
    else if (f === '--out') a.out = value(++i, f);
    else if (f === '--format') a.format = oneOf(value(++i, f), f, ['parquet', 'arrow', 'csv'] as const);
    else if (f === '--report') a.report = value(++i, f);
    else if (f === '--report-rows') a.reportRows = count(value(++i, f), f);
    else if (f === '--max-rows') a.maxRows = count(value(++i, f), f);
    else if (f === '--threads') a.threads = count(value(++i, f), f);
    else if (f === '--memory-limit') a.memoryLimit = value(++i, f);
    else if (f === '--ort') a.ort = oneOf(value(++i, f), f, ['web', 'node'] as const);
    else if (f.startsWith('--')) throw new Error(`unknown option ${f}\n${USAGE}`);
    else if (!a.file) a.file = f;
    else throw new Error(`unexpected argument ${f}\n${USAGE}`);
  }
  if (!a.file) throw new Error(USAGE);
  if (a.engine === 'wasm' && (a.threads || a.memoryLimit)) throw new Error('--threads and --memory-limit are for --engine native.');
  return a as Args;
}

const EXT: Record<ResultFormat, string> = { parquet: 'parquet', arrow: 'arrow', csv: 'csv' };

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    console.log(USAGE);
    return 0;
  }
  const doc = notebookFromFile(await readFile(args.file, 'utf8'));
  const folder = args.out && !args.out.endsWith('.json') ? path.resolve(args.out) : undefined;
  const t0 = performance.now();
  const dataset = args.dataset && !/^(https?:|hf:)/.test(args.dataset) ? path.resolve(args.dataset) : args.dataset;
  // Ctrl-C: the first cancels the running cell (later cells are cancelled too) and still writes what finished;
  // a second quits at once.
  let cancelled = false;
  let session: HeadlessSession | undefined;
  process.on('SIGINT', () => {
    if (cancelled || !session) process.exit(130);
    cancelled = true;
    console.error('\nCancelling the running cell… (Ctrl-C again to quit at once)');
    void session.cancel();
  });
  session = await HeadlessSession.open(doc, {
    dataset,
    engine: args.engine,
    threads: args.threads,
    memoryLimit: args.memoryLimit,
    ort: args.ort,
    maxRows: args.maxRows ?? (folder ? 20 : 1000),
  });
  for (const w of session.engine.warnings) console.error(`warning: ${w}`);
  const stopProgress = progressOnStderr(session);
  let cells: HeadlessCellResult[];
  try {
    cells = await session.run();
  } finally {
    stopProgress();
  }
  const engine = `${session.engine.name} DuckDB ${session.engine.version}`;
  const ms = Math.round(performance.now() - t0);
  const summary: Record<string, unknown> = { notebook: doc.title, engine: { name: session.engine.name, version: session.engine.version }, ranAt: new Date().toISOString(), ms, warnings: session.engine.warnings, cells };
  try {
    if (folder) {
      await mkdir(path.join(folder, 'cells'), { recursive: true });
      summary.format = args.format;
      for (const c of cells) {
        if (c.status !== 'done' || (c.kind !== 'sql' && c.kind !== 'model')) continue;
        const tables = c.model ? c.model.tables.map((t) => t.name) : [c.name];
        const files: string[] = [];
        for (const t of tables) {
          const rel = `cells/${t}.${EXT[args.format]}`;
          console.error(`writing ${rel}`);
          await session.engine.writeResult(t, path.join(folder, rel), args.format);
          files.push(rel);
        }
        Object.assign(c, { file: files[0], ...(files.length > 1 ? { files } : {}) });
      }
    }
    // Peak resident memory of this process so far (the engine's and JS's together), for the benchmark.
    summary.maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
    const json = JSON.stringify(summary, null, 2) + '\n';
    if (folder) await writeFile(path.join(folder, 'summary.json'), json);
    else if (args.out) await writeFile(args.out, json);
    else console.log(json);
    if (args.report) {
      const { reportHtml } = await import('./report');
      await writeFile(args.report, reportHtml(doc, session.runner, cells, { engine, ranAt: String(summary.ranAt), ms, rows: args.reportRows, warnings: session.engine.warnings }));
    }
  } finally {
    await session.close();
  }
  const failed = cells.filter((c) => c.status === 'error');
  for (const c of failed) console.error(`cell ${c.name} failed: ${c.error}`);
  const where = [folder ?? args.out, args.report].filter(Boolean).join(', ');
  console.error(`${cells.length} cells, ${failed.length} failed, ${ms} ms on ${engine}${where ? ` → ${where}` : ''}`);
  if (cancelled) return 130;
  return failed.length ? 1 : 0;
}

/** Every 2 s, one stderr line for a cell that has run longer than 2 s: its name, time, and progress note. */
function progressOnStderr(session: HeadlessSession): () => void {
  const started = new Map<string, number>();
  const timer = setInterval(() => {
    for (const c of session.doc.cells) {
      const rt = session.runner.runtime[c.id];
      if (rt.status !== 'running') {
        started.delete(c.id);
        continue;
      }
      const t = started.get(c.id) ?? Date.now();
      started.set(c.id, t);
      const s = (Date.now() - t) / 1000;
      if (s >= 2) console.error(`… ${c.name}: ${Math.round(s)} s${rt.note ? ` · ${rt.note}` : ''}`);
    }
  }, 2000);
  timer.unref();
  return () => clearInterval(timer);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);

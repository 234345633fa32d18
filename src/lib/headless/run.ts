import type * as OrtTypes from 'onnxruntime-web';
import { pathToFileURL } from 'node:url';
import type { ModelRunData } from '../score/cell-run';
import type { LocalScore } from '../score/local';
import { NotebookRunner } from '../notebook/runner';
import type { NotebookDoc } from '../notebook/types';
import type { EngineName, HeadlessEngine } from './engine';
import { readUrl, STATIC } from './files';
import { orderKeys, type CellRows } from './compare';
import type { EngineSetup } from './setup';

/** One cell's outcome, as the headless runner reports it. */
export interface HeadlessCellResult {
  name: string;
  kind: 'sql' | 'plot' | 'markdown' | 'model';
  status: string;
  /** A model cell's report: models, result tables, threshold, clusters. */
  model?: ModelRunData;
  rowCount?: number;
  columns?: { name: string; type: string }[];
  /** Up to `maxRows` rows, as plain JSON values. */
  rows?: Record<string, unknown>[];
  /** A chart cell: the result it draws. */
  data?: string;
  error?: string;
  /** Why the cell was disabled (status `disabled`): the inputs it lacks. */
  capability?: string;
  ms?: number;
}

/** Options of {@link runNotebook}. */
export interface HeadlessOptions {
  /** A dataset root (folder path, URL or `hf:` id) used instead of the notebook's LeRobot source. */
  dataset?: string;
  /** Where relative source URLs resolve (default: the app's `static/` folder, where the app serves them from). */
  baseDir?: string;
  /** Rows kept per result in the report. */
  maxRows?: number;
  /** `wasm` (default: the app's engine, DuckDB-WASM with lazy frames) or `native` (`@duckdb/node-api`). */
  engine?: EngineName;
  /** Native DuckDB threads. */
  threads?: number;
  /** Native DuckDB memory limit, e.g. `4GB`. */
  memoryLimit?: string;
  /** ONNX Runtime for model cells: `web` (its wasm backend, as in the tab) or `node` (onnxruntime-node). Default: `web` on wasm, `node` on native. */
  ort?: 'web' | 'node';
}

/** A notebook opened on one engine: run it, then read or write its results while the engine is open. */
export class HeadlessSession {
  readonly runner: NotebookRunner;
  readonly #maxRows: number;

  private constructor(
    readonly doc: NotebookDoc,
    readonly engine: HeadlessEngine,
    maxRows: number,
  ) {
    this.runner = new NotebookRunner(doc, engine.db);
    this.#maxRows = maxRows;
  }

  /** Opens the notebook's sources on the chosen engine (canonical views built by the shared view module). */
  static async open(doc: NotebookDoc, opts: HeadlessOptions = {}): Promise<HeadlessSession> {
    const base = opts.baseDir ?? STATIC;
    const engineName = opts.engine ?? 'wasm';
    const ort = opts.ort ?? (engineName === 'native' ? 'node' : 'web');
    let score: Promise<LocalScore> | undefined;
    const setup: EngineSetup = {
      base,
      dataset: opts.dataset,
      threads: opts.threads,
      memoryLimit: opts.memoryLimit,
      score: () => (score ??= localScore(base, ort)),
    };
    const engine =
      engineName === 'native'
        ? await (await import('./native-engine')).openNativeEngine(doc, setup)
        : await (await import('./wasm-engine')).openWasmEngine(doc, setup);
    return new HeadlessSession(doc, engine, opts.maxRows ?? 1000);
  }

  /** Runs every cell in notebook order (a failing cell does not stop independent ones). */
  async run(): Promise<HeadlessCellResult[]> {
    await this.runner.runAll();
    return this.results();
  }

  /** Each cell's outcome with up to `maxRows` rows of its result. */
  results(): HeadlessCellResult[] {
    return this.doc.cells.map((c) => {
      const rt = this.runner.runtime[c.id];
      const out: HeadlessCellResult = { name: c.name, kind: c.kind, status: rt.status, ms: rt.ms };
      if (rt.error) out.error = rt.error;
      if (rt.capability) out.capability = rt.capability;
      if (rt.model) out.model = rt.model.data;
      if (c.kind === 'plot' && c.plot?.data) out.data = c.plot.data;
      if (rt.output && (c.kind === 'sql' || c.kind === 'model')) {
        out.rowCount = rt.output.rowCount;
        out.columns = rt.output.columns;
        out.rows = rt.output.rows.slice(0, this.#maxRows).map(jsonSafe);
      }
      return out;
    });
  }

  /**
   * Every cell's whole result (up to `limit` rows each, read page by page from the engine), for comparing engines.
   * A chart cell reports the rows it drew.
   */
  async fullResults(limit = 100_000): Promise<CellRows[]> {
    const out: CellRows[] = [];
    for (const c of this.doc.cells) {
      const rt = this.runner.runtime[c.id];
      const r: CellRows = { name: c.name, status: rt.status, orderBy: [] };
      if (rt.output && rt.status === 'done') {
        r.rowCount = rt.output.rowCount;
        r.columns = rt.output.columns;
        r.rows = c.kind === 'plot' ? rt.output.rows.map(jsonSafe) : (await this.engine.db.page(c.name, 0, Math.min(limit, rt.output.rowCount))).map(jsonSafe);
        // A chart's rows are its data cell's, compared there in order; here as a multiset.
        if (c.kind !== 'plot') r.orderBy = orderKeys(c.source, rt.output.columns.map((x) => x.name));
      }
      out.push(r);
    }
    return out;
  }

  /** Cancels whatever runs or waits (Ctrl-C). */
  cancel(): Promise<void> {
    return this.runner.cancelAll();
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/**
 * Runs a notebook outside the browser with the browser's semantics: the same NotebookRunner (dependencies, errors
 * that do not stop independent cells) over DuckDB-WASM (the app's own Workspace) or native DuckDB.
 */
export async function runNotebook(doc: NotebookDoc, opts: HeadlessOptions = {}): Promise<HeadlessCellResult[]> {
  const session = await HeadlessSession.open(doc, opts);
  try {
    return await session.run();
  } finally {
    await session.close();
  }
}

/** The scorer in this process, on ONNX Runtime Web's wasm backend or onnxruntime-node. */
async function localScore(base: string, which: 'web' | 'node'): Promise<LocalScore> {
  const [ort, { LocalScore }] = await Promise.all([
    which === 'node' ? (import('onnxruntime-node') as unknown as Promise<typeof OrtTypes>) : import('onnxruntime-web'),
    import('../score/local'),
  ]);
  const options = which === 'node' ? { executionProviders: ['cpu'], graphOptimizationLevel: 'all' as const } : undefined;
  return new LocalScore(ort, readUrl, pathToFileURL(base + '/').href, options);
}

/** Dates as ISO strings; everything else is already JSON-friendly (bigints were converted from Arrow). */
export function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

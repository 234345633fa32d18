import { openAsBlob } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ipcToResult } from '../db/arrow';
import type { ModelDbPort, ModelRunData } from '../score/cell-run';
import type { LocalScore } from '../score/local';
import type { SourceDecl, SourceSpec } from '../ingest/source';
import { datasetUrl, normaliseBase } from '../ingest/source';
import { NotebookRunner, type NotebookDb } from '../notebook/runner';
import type { NotebookDoc } from '../notebook/types';
import { Workspace } from '../../../workers/db/workspace';
import { createNodeEngine, initParquetForNode } from './node-engine';

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
}

const STATIC = path.resolve(import.meta.dirname, '../../../static');

/**
 * Runs a notebook outside the browser with the browser's semantics: the same Workspace (DuckDB-WASM, lazy frames)
 * and the same NotebookRunner (dependencies, errors that do not stop independent cells).
 */
export async function runNotebook(doc: NotebookDoc, opts: HeadlessOptions = {}): Promise<HeadlessCellResult[]> {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  const base = opts.baseDir ?? STATIC;
  let logTable: string | undefined;
  let hasDataset = false;
  for (const s of doc.sources) {
    if (s.kind === 'lerobot') {
      await ws.openDataset(await sourceSpec(opts.dataset ?? s.url ?? '', base));
      hasDataset = true;
    } else if (s.kind === 'csv' && s.url) {
      await ws.loadCsv(s.name, await readSource(s, base), s.url);
      if (s.role === 'episode-log') logTable = s.name;
    }
  }
  if (hasDataset) await ws.linkEpisodes(logTable);
  let next = 1;
  const db: NotebookDb = {
    nextId: () => next++,
    async runCell(name, sql, id, pageSize, o) {
      const r = await ws.runCell(name, sql, id, pageSize, o);
      return { name: r.name, columns: r.columns, rowCount: r.rowCount, rows: ipcToResult(r.firstPage).rows, ms: r.ms, fetched: r.fetched };
    },
    async query(sql, id = next++, o) {
      const r = await ws.query(sql, id, o);
      return { ...ipcToResult(r.ipc), ms: r.ms, fetched: r.fetched };
    },
    cancel: (id) => ws.cancel(id),
    page: async (name, offset, limit) => ipcToResult(await ws.page(name, offset, limit)).rows,
    async runModel(cell, ctx) {
      const { runModelCell, ModelRunInfo } = await import('../score/cell-run');
      score ??= await localScore(base);
      const port: ModelDbPort = {
        queryIpc: async (sql, id, o) => (await ws.query(sql, id, o)).ipc,
        rows: async (sql, id, o) => ipcToResult((await ws.query(sql, id, o)).ipc).rows,
        insertArrow: async (name, ipc) => void (await ws.insertArrow(name, ipc)),
        datasetStats: async (sources) => {
          const src = sources.find((s) => s.kind === 'lerobot');
          const where = opts.dataset ?? src?.url;
          if (!where) return null;
          const root = /^https?:\/\//.test(where) ? where : pathToFileURL(path.resolve(base, where) + '/').href;
          return JSON.parse(new TextDecoder().decode(await readUrl(new URL('meta/stats.json', root.endsWith('/') ? root : root + '/').href)));
        },
      };
      const data = await runModelCell(cell.name, cell.source, cell.model!, { db: port, score, sources: ctx.sources, id: ctx.id, opts: ctx.opts, onNote: ctx.onNote });
      const r = ipcToResult(await ws.page(cell.name, 0, 200));
      return { output: { name: cell.name, columns: r.columns, rowCount: data.tables[0].rows, rows: r.rows, ms: data.ms }, info: new ModelRunInfo(data) };
    },
  };
  let score: LocalScore | undefined;
  const runner = new NotebookRunner(doc, db);
  await runner.runAll();
  const maxRows = opts.maxRows ?? 1000;
  return doc.cells.map((c) => {
    const rt = runner.runtime[c.id];
    const out: HeadlessCellResult = { name: c.name, kind: c.kind, status: rt.status, ms: rt.ms };
    if (rt.error) out.error = rt.error;
    if (rt.capability) out.capability = rt.capability;
    if (rt.model) out.model = rt.model.data;
    if (rt.output && (c.kind === 'sql' || c.kind === 'model')) {
      out.rowCount = rt.output.rowCount;
      out.columns = rt.output.columns;
      out.rows = rt.output.rows.slice(0, maxRows).map(jsonSafe);
    }
    return out;
  });
}

/** The scorer on ONNX Runtime Web's wasm backend in this process (loaded only when a notebook has a model cell). */
async function localScore(base: string): Promise<LocalScore> {
  const [ort, { LocalScore }] = await Promise.all([import('onnxruntime-web'), import('../score/local')]);
  return new LocalScore(ort, readUrl, pathToFileURL(base + '/').href);
}

/** A `file:` or http(s) URL's bytes. */
async function readUrl(url: string): Promise<Uint8Array> {
  if (url.startsWith('file:')) return new Uint8Array(await readFile(fileURLToPath(url)));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}.`);
  return new Uint8Array(await res.arrayBuffer());
}

/** A folder path, URL or Hub id as a source the Workspace reads. */
async function sourceSpec(where: string, base: string): Promise<SourceSpec> {
  const target = datasetUrl(where);
  if (/^https?:\/\//.test(target)) return { kind: 'url', base: normaliseBase(target) };
  const dir = path.resolve(base, target);
  if (!(await stat(dir).catch(() => null))?.isDirectory()) throw new Error(`Dataset folder ${dir} does not exist.`);
  const files: { path: string; file: Blob }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else files.push({ path: path.relative(dir, p), file: await openAsBlob(p) });
    }
  };
  await walk(dir);
  return { kind: 'files', label: dir, files };
}

async function readSource(s: SourceDecl, base: string): Promise<Uint8Array> {
  const url = s.url ?? '';
  if (/^https?:\/\//.test(url)) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}.`);
    return new Uint8Array(await res.arrayBuffer());
  }
  return new Uint8Array(await readFile(path.resolve(base, url)));
}

/** Dates as ISO strings; everything else is already JSON-friendly (bigints were converted from Arrow). */
function jsonSafe(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out;
}

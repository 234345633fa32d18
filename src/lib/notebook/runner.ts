import type { CellOutput, Progress, QueryOutput, RunOptions } from '../db';
import { errorMessage } from '../util/errors';
import { formatBytes } from '../util/format';
import { quoteIdent } from '../util/sql';
import { dependencyGraph, downstreamOf, namesRead } from './deps';
import { queryShape, splitStatements } from './sql-scan';
import { CELL_NAME, ResultData, type CellData, type CellRuntime, type NotebookDoc } from './types';
import type { ModelRunInfo } from '../score/cell-run';
import { SCHEMA_SQL, schemaFromRows, unmetNeeds, valueChecks, type CellNeed, type Schema } from '../contract/capability';
import { cellNeeds } from './needs';
import { restoredRows, resultsKey, saveCell, type SavedResults } from './saved-results';

/** What the runner needs from the database (the app passes its DbClient; tests pass a Node engine adapter). */
export interface NotebookDb {
  nextId(): number;
  runCell(name: string, sql: string, id: number, pageSize?: number, opts?: RunOptions): Promise<CellOutput>;
  query(sql: string, id?: number, opts?: RunOptions): Promise<QueryOutput>;
  cancel(id: number): Promise<boolean>;
  /** Rows `offset … offset+limit` of a materialised result (for the virtualised grid). */
  page(name: string, offset: number, limit: number): Promise<Record<string, unknown>[]>;
  /** A whole result as a file (optional: the headless runner writes JSON instead). */
  exportResult?(name: string, format: 'csv' | 'arrow' | 'parquet'): Promise<Uint8Array>;
  /**
   * Runs a model cell (optional: without it model cells fail with a message): its result tables are created, and
   * `cancel(id)` stops it. Returns the main table's first rows and the run's report.
   */
  runModel?(cell: CellData, ctx: ModelCellRun): Promise<{ output: CellOutput; info: ModelRunInfo }>;
}

/** What the runner hands a model cell's run. */
export interface ModelCellRun {
  id: number;
  opts: RunOptions;
  sources: NotebookDoc['sources'];
  /** Progress lines for the cell's note. */
  onNote: (note: string) => void;
}

/** Hooks from the app into the runner. */
export interface RunnerHooks {
  /** A promise for a source table that is still loading (e.g. `frames`), or null when it is ready. */
  waitForTable?: (name: string) => Promise<void> | null;
  /** Names owned by data sources (`episodes`, `frames`, …): a cell may not take them. */
  reservedNames?: () => Set<string>;
  /** Bytes of frame data a query may fetch before the user is asked (default: the engine's 1 GB). */
  budgetBytes?: () => number | undefined;
  /** Called when a run of one or more cells has finished (e.g. to refresh the catalog). */
  onRunDone?: () => void;
}

/** Rows a chart reads at most: beyond that a chart is unreadable anyway and the notebook says so. */
export const PLOT_ROW_LIMIT = 100_000;

/**
 * A notebook's runtime: runs cells against the database in notebook order, one at a time, names each result,
 * re-runs what depends on an edited cell, and keeps going past a failing cell.
 */
export class NotebookRunner {
  doc: NotebookDoc;
  runtime: Record<string, CellRuntime>;
  readonly #state: { busy: boolean };

  readonly #db: NotebookDb;
  readonly #hooks: RunnerHooks;
  #queue: Promise<unknown> = Promise.resolve();
  /** The database query id of the cell currently running. */
  #active: { cellId: string; queryId: number } | null = null;
  /** Cells whose next run may fetch more frame data than the budget. */
  readonly #allowLarge = new Set<string>();

  /**
   * @param reactive wraps the runner's state so a UI can observe it (the app passes Svelte's `$state`, see
   *   `reactive.svelte.ts`); the headless runner and tests keep plain objects. Keeping runes out of this file lets
   *   the same runner run in Node without the Svelte compiler.
   */
  constructor(doc: NotebookDoc, db: NotebookDb, hooks: RunnerHooks = {}, reactive: <T extends object>(value: T) => T = (v) => v) {
    this.doc = reactive(doc);
    this.runtime = reactive({});
    this.#state = reactive({ busy: false });
    this.#db = db;
    this.#hooks = hooks;
    for (const c of doc.cells) this.runtime[c.id] = { status: 'idle', runId: 0 };
  }

  /**
   * Shows saved results of this very notebook (same {@link resultsKey}) in cells that have none yet, marked as
   * saved, until each cell's live run replaces them. Returns how many cells got one.
   */
  seed(saved: SavedResults): number {
    if (saved.key !== resultsKey(this.doc)) return 0;
    let n = 0;
    for (const c of this.doc.cells) {
      const s = saved.cells[c.id];
      const rt = this.#rt(c.id);
      if (!s || rt.output || !['idle', 'queued', 'waiting'].includes(rt.status)) continue;
      rt.output = new ResultData(s.columns, s.rowCount, restoredRows(s), false);
      rt.saved = { at: saved.savedAt };
      n++;
    }
    return n;
  }

  /** The live results worth saving (small and complete; see saved-results.ts), for the next open to show at once. */
  snapshot(savedAt: string | null = new Date().toISOString()): SavedResults {
    const cells: SavedResults['cells'] = {};
    for (const c of this.doc.cells) {
      const rt = this.runtime[c.id];
      if (rt?.status !== 'done' || !rt.output || rt.saved) continue;
      const s = saveCell(rt.output);
      if (s) cells[c.id] = s;
    }
    return { key: resultsKey(this.doc), savedAt, cells };
  }

  /** Before the data have loaded: every cell that has not run is waiting (so nothing looks finished or idle). */
  markWaiting(note: string): void {
    for (const c of this.doc.cells) {
      const rt = this.#rt(c.id);
      if (rt.status === 'idle') {
        rt.status = 'waiting';
        rt.note = note;
      }
    }
  }

  /** True while any run is in progress. */
  get busy(): boolean {
    return this.#state.busy;
  }

  /** Runs every cell, top to bottom. */
  runAll(): Promise<void> {
    return this.#enqueue(this.doc.cells.map((c) => c.id));
  }

  /**
   * Runs one cell and then every cell that depends on it (Shift+Enter). `allowLarge` lifts the frame-data budget
   * for this run of this cell (the user said "run anyway").
   */
  runCell(id: string, opts: { allowLarge?: boolean } = {}): Promise<void> {
    if (opts.allowLarge) this.#allowLarge.add(id);
    return this.#enqueue([id, ...downstreamOf(this.doc.cells, id)]);
  }

  /** Runs several cells and everything downstream of any of them, each once, in notebook order (a form edit). */
  runCells(ids: readonly string[]): Promise<void> {
    const wanted = new Set(ids.flatMap((id) => [id, ...downstreamOf(this.doc.cells, id)]));
    return this.#enqueue(this.doc.cells.filter((c) => wanted.has(c.id)).map((c) => c.id));
  }

  /** Cancels the cell's running query (and anything queued behind it in this run). */
  async cancel(id: string): Promise<void> {
    const rt = this.runtime[id];
    if (rt && (rt.status === 'queued' || rt.status === 'waiting')) rt.status = 'cancelled';
    if (this.#active?.cellId === id) await this.#db.cancel(this.#active.queryId);
  }

  /** Rows of a cell's materialised result, for paging through large results. */
  page(name: string, offset: number, limit: number): Promise<Record<string, unknown>[]> {
    return this.#db.page(name, offset, limit);
  }

  /** A cell's whole result as a file's bytes. */
  exportResult(name: string, format: 'csv' | 'arrow' | 'parquet'): Promise<Uint8Array> {
    if (!this.#db.exportResult) throw new Error('Export is not available here.');
    return this.#db.exportResult(name, format);
  }

  /** Cancels everything queued or running. */
  async cancelAll(): Promise<void> {
    for (const c of this.doc.cells) {
      const rt = this.runtime[c.id];
      if (rt && (rt.status === 'queued' || rt.status === 'waiting')) rt.status = 'cancelled';
    }
    if (this.#active) await this.#db.cancel(this.#active.queryId);
  }

  #enqueue(ids: string[]): Promise<void> {
    for (const id of ids) {
      const rt = this.#rt(id);
      rt.status = 'queued';
      rt.error = undefined;
      rt.note = undefined;
    }
    const run = this.#queue.then(() => this.#runMany(ids));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #rt(id: string): CellRuntime {
    this.runtime[id] ??= { status: 'idle', runId: 0 };
    return this.runtime[id];
  }

  async #runMany(ids: string[]): Promise<void> {
    this.#state.busy = true;
    const failed = new Set<string>();
    /** Cells disabled for missing inputs, by id: their dependants are disabled too (with a pointer to them). */
    const disabled = new Map<string, string>();
    const { upstream, problems } = dependencyGraph(this.doc.cells);
    try {
      const schema = await this.#schema();
      /** Value counts of needed columns, asked once per run. */
      const counts = new Map<string, number>();
      for (const id of ids) {
        const cell = this.doc.cells.find((c) => c.id === id);
        const rt = this.#rt(id);
        if (!cell) continue;
        if (rt.status === 'cancelled') {
          if (rt.saved) {
            rt.output = undefined;
            rt.saved = undefined;
          }
          failed.add(id);
          continue;
        }
        const problem = problems.find((p) => p.cellId === id);
        const badUp = (upstream.get(id) ?? []).map((u) => this.doc.cells.find((c) => c.id === u)).find((u) => u && failed.has(u.id));
        if (problem || badUp) {
          if (rt.saved) {
            rt.output = undefined;
            rt.saved = undefined;
          }
          rt.status = 'error';
          rt.error = problem ? problem.message : `Not run: it uses "${badUp!.name}", which failed. Fix that cell first.`;
          failed.add(id);
          continue;
        }
        const offUp = (upstream.get(id) ?? []).find((u) => disabled.has(u) || (!ids.includes(u) && this.runtime[u]?.status === 'disabled'));
        if (offUp && !disabled.has(offUp)) disabled.set(offUp, this.doc.cells.find((c) => c.id === offUp)?.name ?? offUp);
        const needs = schema && !offUp ? cellNeeds(this.doc, cell) : [];
        const unmet = offUp ? [`Not run: it reads "${disabled.get(offUp)}", which this data cannot compute (see that cell).`] : schema ? unmetNeeds(needs, schema) : [];
        if (!unmet.length) unmet.push(...(await this.#emptyNeeds(needs, counts)));
        if (unmet.length) {
          rt.status = 'disabled';
          rt.capability = unmet.join(' ');
          rt.output = undefined;
          rt.saved = undefined;
          rt.runId++;
          disabled.set(id, cell.name);
          continue;
        }
        rt.capability = undefined;
        const ok = await this.#runOne(cell, rt);
        if (!ok) failed.add(id);
      }
    } finally {
      this.#state.busy = false;
      this.#hooks.onRunDone?.();
    }
  }

  /**
   * The tables and columns the database holds now, for the capability checks (null when it cannot tell, e.g. a
   * test double without `information_schema`: then cells just run).
   */
  async #schema(): Promise<Schema | null> {
    try {
      const r = await this.#db.query(SCHEMA_SQL);
      return schemaFromRows(r.rows);
    } catch {
      return null;
    }
  }

  /** The messages of needs whose columns exist but hold no value at all (counts cached per run). */
  async #emptyNeeds(needs: readonly CellNeed[], counts: Map<string, number>): Promise<string[]> {
    const out: string[] = [];
    for (const need of needs) {
      for (const [key, sql] of valueChecks(need)) {
        if (!counts.has(key)) {
          try {
            counts.set(key, Number((await this.#db.query(sql)).rows[0]?.n ?? 0));
          } catch {
            counts.set(key, 1); // cannot tell: let the cell run and say for itself
          }
        }
        if (counts.get(key) === 0 && !out.includes(need.message)) out.push(need.message);
      }
    }
    return out;
  }

  async #runOne(cell: CellData, rt: CellRuntime): Promise<boolean> {
    const runId = ++rt.runId;
    const t0 = performance.now();
    try {
      await this.#waitForSources(cell, rt);
      if (rt.runId !== runId) return false;
      rt.status = 'running';
      const queryId = this.#db.nextId();
      this.#active = { cellId: cell.id, queryId };
      let output: CellRuntime['output'];
      const opts: RunOptions = {
        onProgress: (p) => {
          if (rt.runId === runId) rt.note = describeProgress(p);
        },
        maxBytes: this.#allowLarge.delete(cell.id) ? Infinity : this.#hooks.budgetBytes?.(),
      };
      try {
        output = await this.#execute(cell, queryId, opts);
      } finally {
        this.#active = null;
        rt.note = undefined;
      }
      if (rt.runId !== runId) return false;
      rt.output = output;
      rt.saved = undefined;
      rt.status = 'done';
      rt.ms = performance.now() - t0;
      return true;
    } catch (e) {
      if (rt.runId !== runId) return false;
      const cancelled = e instanceof Error && e.name === 'CancelledError';
      rt.status = cancelled ? 'cancelled' : 'error';
      rt.error = cancelled ? 'Cancelled.' : errorMessage(e);
      // A saved result must not outlive a live run that failed: it would pass for this data's answer.
      if (rt.saved) {
        rt.output = undefined;
        rt.saved = undefined;
      }
      rt.overBudget = e instanceof Error && e.name === 'BudgetError';
      rt.ms = performance.now() - t0;
      return false;
    }
  }

  async #waitForSources(cell: CellData, rt: CellRuntime): Promise<void> {
    if (!this.#hooks.waitForTable) return;
    for (const name of namesRead(cell)) {
      const pending = this.#hooks.waitForTable(name);
      if (pending) {
        rt.status = 'waiting';
        rt.note = `Waiting for ${name} to load…`;
        await pending;
        rt.note = undefined;
      }
    }
  }

  async #execute(cell: CellData, queryId: number, opts: RunOptions): Promise<CellRuntime['output']> {
    switch (cell.kind) {
      case 'markdown':
        return undefined;
      case 'plot': {
        const data = cell.plot?.data;
        if (!data) throw new Error('Choose the result this chart reads (its data).');
        const r = await this.#db.query(`SELECT * FROM ${quoteIdent(data)} LIMIT ${PLOT_ROW_LIMIT + 1}`, queryId, opts);
        const truncated = r.rows.length > PLOT_ROW_LIMIT;
        const rows = truncated ? r.rows.slice(0, PLOT_ROW_LIMIT) : r.rows;
        return new ResultData(r.columns, rows.length, rows, truncated, r.fetched);
      }
      case 'sql':
        return this.#executeSql(cell, queryId, opts);
      case 'model':
        return this.#executeModel(cell, queryId, opts);
    }
  }

  async #executeModel(cell: CellData, queryId: number, opts: RunOptions): Promise<CellRuntime['output']> {
    this.#checkName(cell);
    if (!cell.model) throw new Error('This model cell has no model yet: choose one.');
    if (!this.#db.runModel) throw new Error('Model cells cannot run here.');
    const rt = this.#rt(cell.id);
    const runId = rt.runId;
    const { output, info } = await this.#db.runModel(cell, {
      id: queryId,
      opts,
      sources: this.doc.sources,
      onNote: (note) => {
        if (rt.runId === runId) rt.note = note;
      },
    });
    if (rt.runId === runId) rt.model = info;
    return new ResultData(output.columns, output.rowCount, output.rows, output.rows.length < output.rowCount, output.fetched);
  }

  #checkName(cell: CellData): void {
    if (!CELL_NAME.test(cell.name)) {
      throw new Error(`"${cell.name}" is not a valid result name: use letters, digits and _, starting with a letter.`);
    }
    if (this.#hooks.reservedNames?.().has(cell.name.toLowerCase())) {
      throw new Error(`"${cell.name}" is the name of a data table; give this result another name.`);
    }
  }

  async #executeSql(cell: CellData, queryId: number, opts: RunOptions): Promise<CellRuntime['output']> {
    this.#checkName(cell);
    const statements = splitStatements(cell.source);
    if (statements.length === 0) throw new Error('This cell has no SQL yet.');
    for (const s of statements.slice(0, -1)) await this.#db.query(s, queryId, opts);
    const last = statements[statements.length - 1];
    const shape = queryShape(last);
    if (shape === 'command') {
      await this.#db.query(last, queryId, opts);
      return new ResultData([], 0, [], false);
    }
    const sql = shape === 'wrap' ? `SELECT * FROM (${last})` : last;
    const r = await this.#db.runCell(cell.name, sql, queryId, undefined, opts);
    return new ResultData(r.columns, r.rowCount, r.rows, r.rows.length < r.rowCount, r.fetched);
  }
}

/** One line for a cell's status while it reads frame data. */
function describeProgress(p: Progress): string {
  const pct = p.total ? ` ${Math.round((100 * p.done) / p.total)}%` : '';
  const mb = p.bytesFetched ? ` · ${formatBytes(p.bytesFetched)} in ${p.requests} requests` : '';
  return `${p.label}${pct}${mb}`;
}

import { DbClient, type DatasetSummary, type EngineInfo, type McapSpec, type McapSummaryInfo, type Progress, type TableInfo } from '../db';
import { guessEpisodes, validateEpisodes, type McapEpisodes } from '../mcap/episodes';
import { healthNotebook } from '../notebook/templates';
import { mcapNotebook } from './mcap-notebook';
import type { SourceDecl, SourceSpec } from '../ingest/source';
import { normaliseBase } from '../ingest/source';
import { NotebookRunner } from '../notebook/runner';
import { reactive } from '../notebook/reactive.svelte';
import { withModels } from '../score/notebook-db';
import type { NotebookDoc, OutcomeMapping } from '../notebook/types';
import { errorMessage } from '../util/errors';
import { loadSavedResults, storeSavedResults } from './saved';

/** A long-running load shown in the catalog with its progress and a cancel button. */
export interface LoadState {
  id: number;
  label: string;
  progress: Progress | null;
  status: 'running' | 'done' | 'error' | 'cancelled';
  error?: string;
}

/** Tables created by a LeRobot source; notebook cells may not take these names. */
const DATASET_TABLES = ['episodes', 'frames', 'tasks'];

/**
 * One open workspace: the database worker, the data sources of the current notebook, and its runner.
 * Opens metadata first, runs the notebook, and streams frames in the background so the first charts do not
 * wait for per-frame data they do not need.
 */
export class Session {
  readonly db: DbClient;
  engine = $state<EngineInfo | null>(null);
  phase = $state<'starting' | 'loading' | 'ready' | 'error'>('starting');
  error = $state<string | null>(null);
  /** The error's kind (e.g. `RangeUnsupportedError`), so the UI can offer the right way out. */
  errorKind = $state<string | null>(null);
  tables = $state<TableInfo[]>([]);
  loads = $state<LoadState[]>([]);
  dataset = $state<DatasetSummary | null>(null);
  /** Open MCAP logs: files, topic tables, and the problems found in them. */
  mcap = $state<McapSummaryInfo | null>(null);
  runner = $state<NotebookRunner | null>(null);
  /** Frame data a query may fetch before Flywheel asks (remembered in this browser). */
  budgetBytes = $state(readBudget());

  #booting: Promise<EngineInfo>;
  #sourceTables = new Set<string>();
  /** Names of tables that come from data sources (the rest of the catalog are cell results). */
  sourceNames = $state<string[]>([]);

  constructor(db: DbClient = DbClient.create()) {
    this.db = db;
    // Start DuckDB at once; everything else waits on this promise, so boot overlaps with UI set-up.
    this.#booting = db.init().then((info) => {
      // Marks let benchmarks split cold start into engine boot and the rest.
      performance.mark('flywheel:db-ready');
      this.engine = info;
      return info;
    });
  }

  /**
   * Opens a notebook: loads its sources (or `local`, a folder the user picked, in place of its LeRobot source),
   * then runs every cell.
   */
  async open(doc: NotebookDoc, local?: SourceSpec, opts: { wholeFiles?: boolean } = {}): Promise<void> {
    this.phase = 'loading';
    this.error = null;
    this.errorKind = null;
    this.#lastOpen = { doc, local };
    // Chosen or dropped .mcap files (not a LeRobot folder) open as MCAP logs, with the health notebook when a
    // deployment log and a cost sheet came along.
    if (local && isMcapFiles(local)) doc = localMcapDoc(doc, local);
    // The notebook shows at once: its cells wait for the data, showing the last run's results where there are
    // some (a picked folder has no identity to key them by, so it has none).
    // Until the sources are open, a cell run early (Run all, Shift+Enter) waits for them instead of failing on a
    // table that is not there yet.
    let opened = false;
    let markOpened!: () => void;
    const sourcesOpen = new Promise<void>((resolve) => (markOpened = resolve));
    const runner = new NotebookRunner(doc, withModels(this.db), {
      waitForTable: () => (opened ? null : sourcesOpen),
      reservedNames: () => this.#sourceTables,
      onRunDone: () => {
        void this.refreshCatalog();
        if (!local && this.runner === runner && !runner.busy) void storeSavedResults(runner.snapshot());
      },
      budgetBytes: () => this.budgetBytes,
    }, reactive);
    runner.markWaiting('waiting for the data…');
    this.runner = runner;
    if (!local) {
      void loadSavedResults(doc).then((saved) => {
        if (saved && this.runner === runner && runner.seed(saved) > 0) performance.mark('flywheel:saved-results');
      });
    }
    try {
      // Sources are requested at once: the worker downloads and decodes them while DuckDB is still starting.
      const logTable = await this.#loadSources(doc.sources, local, opts.wholeFiles);
      performance.mark('flywheel:sources-loaded');
      this.#logTable = logTable;
      if (this.dataset || this.mcap) {
        await this.db.linkEpisodes(logTable, doc.outcome);
        this.outcomeColumns = await this.db.outcomeColumns();
      }
      void this.refreshCatalog();
      this.phase = 'ready';
      opened = true;
      markOpened();
      await runner.runAll();
    } catch (e) {
      // No notebook over data that could not be opened: the error says what went wrong and what to do.
      opened = true;
      markOpened();
      if (this.runner === runner) this.runner = null;
      this.phase = 'error';
      this.error = errorMessage(e);
      this.errorKind = e instanceof Error ? e.name : null;
    }
  }

  #lastOpen: { doc: NotebookDoc; local?: SourceSpec } | null = null;
  #logTable: string | undefined;
  /** Per-frame columns that could define outcomes (for the outcome picker). */
  outcomeColumns = $state<string[]>([]);
  /** Whether a deployment log is joined (its `outcome` column is then the default). */
  get hasLog(): boolean {
    return !!this.#logTable;
  }

  /**
   * Changes where episode outcomes come from; the mapping is saved in the notebook (so a shared link brings its
   * labels along), then everything re-runs.
   */
  async setOutcome(mapping: OutcomeMapping | undefined): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    if (mapping) runner.doc.outcome = mapping;
    else delete runner.doc.outcome;
    try {
      this.outcomeError = null;
      await this.db.linkEpisodes(this.#logTable, mapping);
    } catch (e) {
      this.outcomeError = errorMessage(e);
      await this.db.linkEpisodes(this.#logTable);
    }
    await this.refreshCatalog();
    await runner.runAll();
  }

  /** Why the last outcome mapping could not be applied. */
  outcomeError = $state<string | null>(null);

  /** The episode mapping of the open MCAP logs (what the notebook saved, or the guess), for the picker. */
  mcapEpisodes = $state<McapEpisodes | null>(null);
  /** Why the last MCAP episode mapping could not be applied. */
  mcapError = $state<string | null>(null);

  /**
   * Maps the open MCAP logs onto episodes and frames anew (split, state and action fields, rate), saves the
   * mapping with the notebook's MCAP source (so a shared link brings it along), and re-runs everything.
   */
  async remapMcap(cfg: McapEpisodes): Promise<void> {
    const runner = this.runner;
    const { errors, value } = validateEpisodes(cfg);
    if (errors.length || !value) {
      this.mcapError = errors.join(' ');
      return;
    }
    try {
      this.mcapError = null;
      const r = await this.db.mapMcapEpisodes(value);
      await this.db.linkEpisodes(this.#logTable, runner?.doc.outcome);
      this.mcapEpisodes = value;
      if (r.warnings.length) this.mcapError = r.warnings.join(' ');
      const src = runner?.doc.sources.find((s) => s.kind === 'mcap');
      if (src) src.episodes = value;
    } catch (e) {
      this.mcapError = errorMessage(e);
      return;
    }
    await this.refreshCatalog();
    await runner?.runAll();
  }

  /** Re-opens the last notebook downloading whole files (for servers without range requests, after the user agreed). */
  retryWholeFiles(): Promise<void> {
    if (!this.#lastOpen) return Promise.resolve();
    this.loads = [];
    return this.open(this.#lastOpen.doc, this.#lastOpen.local, { wholeFiles: true });
  }

  async #loadSources(sources: SourceDecl[], local?: SourceSpec, wholeFiles = false): Promise<string | undefined> {
    this.#sourceTables = new Set(DATASET_TABLES);
    for (const s of sources) if (s.kind === 'csv') this.#sourceTables.add(s.name.toLowerCase());
    this.sourceNames = [...this.#sourceTables];
    const mcap = sources.filter((s) => s.kind === 'mcap');
    const jobs = sources.map(async (s) => {
      if (s.kind === 'mcap') {
        if (s !== mcap[0]) return;
        await this.#openMcap(mcap, local);
      } else if (s.kind === 'lerobot') {
        const spec: SourceSpec = local ?? { kind: 'url', base: normaliseBase(resolveUrl(s.url ?? '')), wholeFiles };
        const load = this.#track(`Opening ${spec.kind === 'url' ? spec.base : spec.label}`);
        try {
          this.dataset = await this.db.openDataset(spec, (p) => (load.progress = p));
          load.status = 'done';
        } catch (e) {
          load.status = 'error';
          load.error = errorMessage(e);
          throw e;
        }
      } else if (s.kind === 'csv' && s.url) {
        await this.db.loadCsv(s.name, { url: resolveUrl(s.url) });
      } else if (s.kind === 'csv' && local?.kind === 'files') {
        const f = local.files.find((x) => x.path.split('/').pop() === LOCAL_CSV[s.name]);
        if (f) await this.db.loadCsv(s.name, { file: f.file });
      }
    });
    const results = await Promise.allSettled(jobs);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return sources.find((s) => s.kind === 'csv' && s.role === 'episode-log')?.name;
  }

  /** Opens the MCAP sources (URLs, or the .mcap files among `local`) and maps them onto episodes and frames. */
  async #openMcap(sources: SourceDecl[], local?: SourceSpec): Promise<void> {
    const specs: McapSpec[] =
      local?.kind === 'files'
        ? local.files.filter((f) => /\.mcap$/i.test(f.path)).sort((a, b) => a.path.localeCompare(b.path)).map((f) => ({ file: f.file, name: f.path }))
        : sources.filter((s) => s.url).map((s) => ({ url: resolveUrl(s.url!) }));
    const id = this.db.nextId();
    const load = this.#track(`Opening ${specs.length === 1 ? ('url' in specs[0] ? specs[0].url : specs[0].name) : `${specs.length} MCAP files`}`, id);
    try {
      const reserved = sources.length ? [...this.#sourceTables] : [];
      this.mcap = await this.db.openMcap(specs, reserved, (p) => (load.progress = p), id);
      this.sourceNames = [...this.#sourceTables, ...MCAP_TABLES, ...this.mcap.topics.map((t) => t.table)];
      for (const n of this.sourceNames) this.#sourceTables.add(n);
      // Without a mapping in the notebook, guess the state and action from the topics (JointState, command topics).
      // A plain copy: the notebook's sources are reactive proxies, which cannot be posted to the worker.
      const cfg = $state.snapshot(sources[0]?.episodes) ?? guessEpisodes(this.mcap.topics);
      this.mcapEpisodes = cfg;
      await this.db.mapMcapEpisodes(cfg, (p) => (load.progress = p), id);
      load.status = 'done';
    } catch (e) {
      load.status = 'error';
      load.error = errorMessage(e);
      throw e;
    }
  }

  #track(label: string, id = 0): LoadState {
    this.loads.push({ id, label, progress: null, status: 'running' });
    return this.loads[this.loads.length - 1];
  }

  /** Cancels a running load. */
  cancelLoad(id: number): Promise<boolean> {
    return this.db.cancel(id);
  }

  /** Re-reads the catalog (tables, views, row counts). */
  async refreshCatalog(): Promise<void> {
    try {
      this.tables = await this.db.catalog();
    } catch (e) {
      this.error = errorMessage(e);
    }
  }
}

/** Tables every MCAP open creates besides one per topic. */
const MCAP_TABLES = ['mcap_files', 'mcap_channels', 'mcap_schemas', 'mcap_metadata', 'mcap_attachments'];
/** CSV sidecars recognised in a dropped folder of MCAP logs, by table name. */
const LOCAL_CSV: Record<string, string> = { deployments: 'deployment_log.csv', costs: 'collection_costs.csv' };

/** Files the user chose that are MCAP logs rather than a LeRobot dataset. */
function isMcapFiles(spec: SourceSpec): boolean {
  return spec.kind === 'files' && spec.files.some((f) => /\.mcap$/i.test(f.path)) && !spec.files.some((f) => /(^|\/)meta\/info\.json$/.test(f.path));
}

/** The notebook for local MCAP files: `doc` when it already names MCAP sources, else the MCAP or health notebook. */
function localMcapDoc(doc: NotebookDoc, local: SourceSpec): NotebookDoc {
  if (doc.sources.some((s) => s.kind === 'mcap')) return doc;
  const names = new Set(local.kind === 'files' ? local.files.map((f) => f.path.split('/').pop()) : []);
  const sources: SourceDecl[] = [{ name: 'logs', kind: 'mcap' }];
  const log = names.has(LOCAL_CSV.deployments);
  const costs = names.has(LOCAL_CSV.costs);
  if (log) sources.push({ name: 'deployments', kind: 'csv', role: 'episode-log' });
  if (costs) sources.push({ name: 'costs', kind: 'csv', role: 'table' });
  return log ? healthNotebook(sources) : mcapNotebook(sources);
}

/** Resolves a URL relative to the page, so notebooks can name self-hosted files (`demo/…`). */
export function resolveUrl(url: string): string {
  return new URL(url, document.baseURI).href;
}

const BUDGET_KEY = 'flywheel:budget-bytes';

/** The fetch budget chosen in this browser (1 GiB by default). */
function readBudget(): number {
  const v = Number(globalThis.localStorage?.getItem(BUDGET_KEY));
  return Number.isFinite(v) && v > 0 ? v : 1024 ** 3;
}

/** Remembers the fetch budget for the next visit. */
export function saveBudget(bytes: number): void {
  try {
    globalThis.localStorage?.setItem(BUDGET_KEY, String(bytes));
  } catch {
    // Private windows may refuse storage; the budget then lasts for this page only.
  }
}

/**
 * The review session of the open dataset: who is annotating, every annotation of the dataset (all annotators),
 * saving one, and keeping DuckDB's `annotations` table (and through it the `episodes` view) in step. Sidecar
 * export and import go through DuckDB too, so CSV and Parquet read and write the same way as results do.
 */
import type { DbClient } from '../db';
import { AnnotationStore, DEFAULT_ANNOTATOR, type Annotation, type AnnotationInput, type ImportReport } from '../store/annotations';
import { Database } from '../store/db';
import { errorMessage } from '../util/errors';
import { annotationsToIpc, sidecarRows } from './sidecar';

const ANNOTATOR_KEY = 'flywheel:annotator';
const IMPORT_TABLE = '_sidecar_import';

/** The name this browser annotates under (kept across visits). */
export function readAnnotator(): string {
  try {
    return localStorage.getItem(ANNOTATOR_KEY)?.trim() || DEFAULT_ANNOTATOR;
  } catch {
    return DEFAULT_ANNOTATOR;
  }
}

/** A review of one dataset's episodes. */
export class Review {
  annotator = $state(readAnnotator());
  /** Every annotation of the dataset, by episode then annotator. */
  rows = $state.raw<Annotation[]>([]);
  error = $state<string | null>(null);
  /** Bumped whenever annotations change, so views that read `episodes` know to refresh. */
  version = $state(0);

  readonly #db: DbClient;
  readonly #store: AnnotationStore;
  readonly datasetKey: string;

  /** Called after annotations reached DuckDB (`changed`: they differ from what DuckDB had before). */
  onsynced: ((changed: boolean) => void) | null = null;
  #synced = 0;

  constructor(db: DbClient, datasetKey: string, store = new AnnotationStore(new Database())) {
    this.#db = db;
    this.datasetKey = datasetKey;
    this.#store = store;
  }

  /** Reads the stored annotations and loads them into DuckDB. */
  async load(): Promise<void> {
    try {
      this.rows = await this.#store.listForDataset(this.datasetKey);
      await this.#sync();
    } catch (e) {
      this.error = `Could not load annotations: ${errorMessage(e)}`;
    }
  }

  /** Changes the annotator name (for new annotations; existing ones keep theirs). */
  setAnnotator(name: string): void {
    const n = name.trim() || DEFAULT_ANNOTATOR;
    this.annotator = n;
    try {
      localStorage.setItem(ANNOTATOR_KEY, n);
    } catch {
      // Private windows may refuse storage: the name lasts for this page.
    }
  }

  /** This annotator's annotation of an episode. */
  mine(episode: number): Annotation | undefined {
    return this.rows.find((a) => a.episodeIndex === episode && a.annotator === this.annotator);
  }

  /** Annotators who have labelled this dataset. */
  get annotators(): string[] {
    return [...new Set(this.rows.map((a) => a.annotator))].sort();
  }

  /** Saves this annotator's annotation of an episode (replacing theirs) and updates DuckDB. */
  async save(input: Omit<AnnotationInput, 'datasetKey' | 'annotator'>): Promise<void> {
    await this.#store.put({ ...input, datasetKey: this.datasetKey, annotator: this.annotator });
    await this.load();
  }

  /** Removes this annotator's annotation of an episode. */
  async clear(episode: number): Promise<void> {
    await this.#store.remove(this.datasetKey, episode, this.annotator);
    await this.load();
  }

  /** The sidecar file of every annotation of the dataset (DuckDB writes the CSV; parquet-wasm the Parquet). */
  async exportFile(format: 'csv' | 'parquet'): Promise<Uint8Array> {
    await this.#sync();
    return this.#db.exportResult('annotations', format);
  }

  /**
   * Imports a sidecar (CSV or Parquet) into this dataset: rows are validated one by one; for an episode and
   * annotator already stored, the newer `updated_at_ms` wins. Rows without an annotator are filed under
   * the file's name, so a colleague's export becomes a second annotator rather than overwriting yours.
   */
  async importFile(file: File): Promise<ImportReport> {
    try {
      const info = await this.#db.loadTableFile(IMPORT_TABLE, file);
      const r = await this.#db.query(`SELECT * FROM ${IMPORT_TABLE}`);
      const mapped = sidecarRows(r.rows, info.columns.map((c) => c.name), this.datasetKey, file.name.replace(/\.(csv|parquet)$/i, ''));
      if (!mapped.ok) throw new Error(mapped.error);
      const report = await this.#store.importRows(mapped.rows);
      await this.load();
      return report;
    } finally {
      await this.#db.query(`DROP TABLE IF EXISTS ${IMPORT_TABLE}`).catch(() => undefined);
    }
  }

  async #sync(): Promise<void> {
    await this.#db.insertArrow('annotations', annotationsToIpc(this.rows), 'replace');
    // A fingerprint of what DuckDB holds, so re-syncing the same rows does not re-run the notebook.
    const stamp = this.rows.reduce((h, a) => (h * 31 + a.updatedAt + a.episodeIndex) % 2 ** 31, this.rows.length);
    const changed = stamp !== this.#synced;
    this.#synced = stamp;
    this.version++;
    this.onsynced?.(changed);
  }
}

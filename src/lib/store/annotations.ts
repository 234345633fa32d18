/**
 * Per-episode annotations (outcome, failure category, onset time, note), keyed by dataset, episode and
 * annotator: two people's labels of one episode are both kept, which is what agreement (kappa) needs.
 * Imported rows come from files, so they are validated like any untrusted input.
 */
import { request, type Database } from './db.ts';

/** One episode's annotation. */
export interface Annotation {
  /** Which dataset (e.g. its root URL or a Hub repo id). */
  datasetKey: string;
  episodeIndex: number;
  /** E.g. "success", "failure". */
  outcome?: string;
  failureCategory?: string;
  /** When the failure began, in seconds from the episode start. */
  onsetS?: number;
  /** The quality-gate decision on a demonstration: rejected demos leave training sets. */
  gate?: 'accept' | 'reject';
  note?: string;
  /** Who labelled it (part of the key); {@link DEFAULT_ANNOTATOR} when not given. */
  annotator: string;
  /** Milliseconds since the epoch. */
  updatedAt: number;
}

/** The annotator of rows that do not name one. */
export const DEFAULT_ANNOTATOR = 'me';

/** An annotation to store; `updatedAt` is set on {@link AnnotationStore.put}, kept on import when given. */
export type AnnotationInput = Omit<Annotation, 'updatedAt' | 'annotator'> & { updatedAt?: number; annotator?: string };

/** What {@link AnnotationStore.importRows} did. */
export interface ImportReport {
  /** Rows written (new, or newer than the stored one). */
  imported: number;
  /** Valid rows not written because the stored annotation is newer. */
  keptNewer: number;
  /** Rows refused; `errors` says why (first 50). */
  rejected: number;
  errors: string[];
}

/** Result of {@link validateAnnotation}. */
export type AnnotationValidation = { ok: true; annotation: AnnotationInput } | { ok: false; errors: string[] };

const TEXT_LIMITS = { datasetKey: 2048, outcome: 64, failureCategory: 200, note: 10_000, annotator: 200 } as const;
const KEYS: readonly string[] = [...Object.keys(TEXT_LIMITS), 'episodeIndex', 'onsetS', 'updatedAt', 'gate'];
const MAX_IMPORT_ERRORS = 50;

/**
 * Check one annotation row (from a file or the UI): known keys only, non-empty `datasetKey`, whole
 * `episodeIndex` ≥ 0, finite `onsetS` ≥ 0, bounded strings. `null` and `""` optional fields count as absent.
 */
export function validateAnnotation(x: unknown): AnnotationValidation {
  // Plain objects only: rows come from files, and an object with an odd prototype can smuggle in fields.
  const proto = typeof x === 'object' && x !== null && !Array.isArray(x) ? Object.getPrototypeOf(x) : undefined;
  if (proto !== Object.prototype && proto !== null) return { ok: false, errors: ['An annotation must be a plain object.'] };
  const row = x as Record<string, unknown>;
  const errors: string[] = [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    if (!KEYS.includes(key)) errors.push(`Unknown annotation field "${key.slice(0, 40)}" (allowed: ${KEYS.join(', ')}).`);
  }
  for (const [key, limit] of Object.entries(TEXT_LIMITS)) {
    const v = row[key];
    if (key !== 'datasetKey' && (v === undefined || v === null || v === '')) continue;
    if (typeof v !== 'string' || v === '') errors.push(`"${key}" must be a non-empty string.`);
    else if (v.length > limit) errors.push(`"${key}" is longer than ${limit} characters.`);
    else out[key] = v;
  }
  if (row.gate !== undefined && row.gate !== null && row.gate !== '') {
    if (row.gate === 'accept' || row.gate === 'reject') out.gate = row.gate;
    else errors.push(`"gate" must be "accept" or "reject".`);
  }
  const episode = row.episodeIndex;
  if (typeof episode === 'number' && Number.isSafeInteger(episode) && episode >= 0) out.episodeIndex = episode;
  else errors.push(`"episodeIndex" must be a whole number ≥ 0.`);
  for (const key of ['onsetS', 'updatedAt'] as const) {
    const v = row[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) out[key] = v;
    else errors.push(`"${key}" must be a number ≥ 0.`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, annotation: out as unknown as AnnotationInput };
}

/** Annotations in the `annotations` object store. Every method rejects with a `StorageError`. */
export class AnnotationStore {
  readonly #db: Database;
  readonly #now: () => number;

  constructor(db: Database, options: { now?: () => number } = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
  }

  /** Store (replace) an episode's annotation, stamped now. Throws a TypeError for an invalid one. */
  async put(input: AnnotationInput): Promise<Annotation> {
    const result = validateAnnotation({ ...input, updatedAt: undefined });
    if (!result.ok) throw new TypeError(`Invalid annotation: ${result.errors.join(' ')}`);
    const annotation: Annotation = { ...result.annotation, annotator: result.annotation.annotator ?? DEFAULT_ANNOTATOR, updatedAt: this.#now() };
    await this.#db.run('annotations', 'readwrite', (tx) => request(tx.objectStore('annotations').put(annotation)));
    return annotation;
  }

  /** One episode's annotation by one annotator, if any. */
  get(datasetKey: string, episodeIndex: number, annotator = DEFAULT_ANNOTATOR): Promise<Annotation | undefined> {
    return this.#db.run('annotations', 'readonly', (tx) =>
      request(tx.objectStore('annotations').get([datasetKey, episodeIndex, annotator]) as IDBRequest<Annotation | undefined>),
    );
  }

  /** Delete one annotator's annotation of an episode. */
  async remove(datasetKey: string, episodeIndex: number, annotator = DEFAULT_ANNOTATOR): Promise<void> {
    await this.#db.run('annotations', 'readwrite', (tx) => request(tx.objectStore('annotations').delete([datasetKey, episodeIndex, annotator])));
  }

  /** All annotations of a dataset (every annotator), by episode index, then annotator. */
  listForDataset(datasetKey: string): Promise<Annotation[]> {
    // Array keys sort element by element, and an array sorts after every number, so this range is exactly
    // [datasetKey, any episode, any annotator].
    const range = IDBKeyRange.bound([datasetKey], [datasetKey, []]);
    return this.#db.run('annotations', 'readonly', (tx) => request(tx.objectStore('annotations').getAll(range) as IDBRequest<Annotation[]>));
  }

  /**
   * Import rows (e.g. a colleague's export). Each is validated; for an episode already annotated the newer
   * `updatedAt` wins (a row without one counts as new). All valid rows are written in one transaction.
   */
  async importRows(rows: readonly unknown[]): Promise<ImportReport> {
    const report: ImportReport = { imported: 0, keptNewer: 0, rejected: 0, errors: [] };
    const valid: Annotation[] = [];
    const now = this.#now();
    rows.forEach((row, i) => {
      const result = validateAnnotation(row);
      if (result.ok) valid.push({ ...result.annotation, annotator: result.annotation.annotator ?? DEFAULT_ANNOTATOR, updatedAt: result.annotation.updatedAt ?? now });
      else {
        report.rejected++;
        if (report.errors.length < MAX_IMPORT_ERRORS) report.errors.push(`Row ${i + 1}: ${result.errors.join(' ')}`);
      }
    });
    await this.#db.run('annotations', 'readwrite', async (tx) => {
      const store = tx.objectStore('annotations');
      for (const row of valid) {
        const old = await request(store.get([row.datasetKey, row.episodeIndex, row.annotator]) as IDBRequest<Annotation | undefined>);
        if (old && old.updatedAt > row.updatedAt) {
          report.keptNewer++;
          continue;
        }
        await request(store.put(row));
        report.imported++;
      }
    });
    return report;
  }

  /** A dataset's annotations as plain rows for a file (only fields that are set), by episode index. */
  async exportRows(datasetKey: string): Promise<Annotation[]> {
    const rows = await this.listForDataset(datasetKey);
    return rows.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as Annotation);
  }
}

/**
 * Notebooks kept in the browser, so nothing is lost on reload: saved (autosaved) documents, rename,
 * duplicate, and a soft delete that can be undone before it is purged.
 */
import type { SharedNotebook } from '../share/types.ts';
import { request, type Database } from './db.ts';
import { StorageError } from './errors.ts';
import { newNotebookId } from './ids.ts';

/** A stored notebook. */
export interface NotebookRecord {
  id: string;
  /** Same as `doc.title`; kept apart for listing. */
  title: string;
  doc: SharedNotebook;
  /** Milliseconds since the epoch. */
  createdAt: number;
  updatedAt: number;
  /** Set when soft-deleted; the record is purged later by {@link NotebookStore.purgeDeleted}. */
  deletedAt?: number;
}

/** Options of {@link NotebookStore}. */
export interface NotebookStoreOptions {
  /** Clock (ms since epoch); tests pass a fake one. */
  now?: () => number;
  /** Id generator for {@link NotebookStore.duplicate}. */
  newId?: () => string;
  /** How long after {@link NotebookStore.remove} an {@link NotebookStore.undo} still works. */
  undoWindowMs?: number;
}

/** Default undo window: long enough to notice a toast and click it. */
export const UNDO_WINDOW_MS = 30_000;

/** Notebooks in the `notebooks` object store. Every method rejects with a {@link StorageError}. */
export class NotebookStore {
  readonly #db: Database;
  readonly #now: () => number;
  readonly #newId: () => string;
  readonly #undoWindowMs: number;

  constructor(db: Database, options: NotebookStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? newNotebookId;
    this.#undoWindowMs = options.undoWindowMs ?? UNDO_WINDOW_MS;
  }

  /** Stored notebooks, most recently updated first: live ones, or with `deleted: true` only the deleted ones. */
  async list(options: { deleted?: boolean } = {}): Promise<NotebookRecord[]> {
    const all = await this.#db.run('notebooks', 'readonly', (tx) => request(tx.objectStore('notebooks').getAll() as IDBRequest<NotebookRecord[]>));
    const wanted = options.deleted ?? false;
    return all.filter((r) => (r.deletedAt !== undefined) === wanted).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  /** The notebook with `id`, or undefined if there is none or it was deleted. */
  async get(id: string): Promise<NotebookRecord | undefined> {
    const record = await this.#db.run('notebooks', 'readonly', (tx) => this.#read(tx, id));
    return record?.deletedAt === undefined ? record : undefined;
  }

  /**
   * Create or replace the notebook `id` with `doc` (its title follows `doc.title`). A deleted notebook stays
   * deleted: a late autosave must not bring it back. Not validated: half-edited work is saved as it is.
   */
  async save(id: string, doc: SharedNotebook): Promise<NotebookRecord> {
    const copy = plain(doc);
    return this.#db.run('notebooks', 'readwrite', async (tx) => {
      const old = await this.#read(tx, id);
      const now = this.#now();
      const record: NotebookRecord = { id, title: copy.title, doc: copy, createdAt: old?.createdAt ?? now, updatedAt: now };
      if (old?.deletedAt !== undefined) record.deletedAt = old.deletedAt;
      await request(tx.objectStore('notebooks').put(record));
      return record;
    });
  }

  /** Change a notebook's title (in the record and its document). */
  rename(id: string, title: string): Promise<NotebookRecord> {
    return this.#update(id, (r) => ({ ...r, title, doc: { ...r.doc, title }, updatedAt: this.#now() }));
  }

  /** Copy a notebook under a new id; the title gets " (copy)" unless `title` is given. */
  async duplicate(id: string, title?: string): Promise<NotebookRecord> {
    return this.#db.run('notebooks', 'readwrite', async (tx) => {
      const source = await this.#read(tx, id);
      if (!source || source.deletedAt !== undefined) throw missing(id);
      const name = title ?? `${source.title} (copy)`;
      const now = this.#now();
      const record: NotebookRecord = { id: this.#newId(), title: name, doc: { ...plain(source.doc), title: name }, createdAt: now, updatedAt: now };
      await request(tx.objectStore('notebooks').add(record));
      return record;
    });
  }

  /** Soft-delete: hidden from {@link list} and {@link get}, recoverable with {@link undo} for a while. */
  async remove(id: string): Promise<void> {
    await this.#update(id, (r) => ({ ...r, deletedAt: this.#now() }));
  }

  /** Bring back a notebook removed less than the undo window ago. False when there is nothing to undo. */
  async undo(id: string): Promise<boolean> {
    return this.#db.run('notebooks', 'readwrite', async (tx) => {
      const record = await this.#read(tx, id);
      if (record?.deletedAt === undefined || this.#now() - record.deletedAt > this.#undoWindowMs) return false;
      const { deletedAt: _, ...restored } = record;
      await request(tx.objectStore('notebooks').put(restored));
      return true;
    });
  }

  /** Delete for good the notebooks removed at least `olderThanMs` ago; returns how many. */
  async purgeDeleted(olderThanMs: number): Promise<number> {
    return this.#db.run('notebooks', 'readwrite', async (tx) => {
      const store = tx.objectStore('notebooks');
      const all = await request(store.getAll() as IDBRequest<NotebookRecord[]>);
      const cutoff = this.#now() - olderThanMs;
      const old = all.filter((r) => r.deletedAt !== undefined && r.deletedAt <= cutoff);
      await Promise.all(old.map((r) => request(store.delete(r.id))));
      return old.length;
    });
  }

  #read(tx: IDBTransaction, id: string): Promise<NotebookRecord | undefined> {
    return request(tx.objectStore('notebooks').get(id) as IDBRequest<NotebookRecord | undefined>);
  }

  #update(id: string, change: (r: NotebookRecord) => NotebookRecord): Promise<NotebookRecord> {
    return this.#db.run('notebooks', 'readwrite', async (tx) => {
      const record = await this.#read(tx, id);
      if (!record || record.deletedAt !== undefined) throw missing(id);
      const next = change(record);
      await request(tx.objectStore('notebooks').put(next));
      return next;
    });
  }
}

/**
 * A plain-data copy. The app's documents live in Svelte `$state`, whose proxies IndexedDB cannot clone
 * (DataCloneError); a JSON round trip also drops `undefined` fields, as a file export would.
 */
function plain(doc: SharedNotebook): SharedNotebook {
  return JSON.parse(JSON.stringify(doc)) as SharedNotebook;
}

function missing(id: string): StorageError {
  return new StorageError('missing', `There is no saved notebook with id ${JSON.stringify(id)} (was it deleted?).`);
}

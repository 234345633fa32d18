import { autosaver, Database, NotebookStore, newNotebookId, type Autosaver, type NotebookRecord } from '../store';
import type { SharedNotebook } from '../share';
import { errorMessage } from '../util/errors';

/**
 * The notebooks kept in this browser (IndexedDB): autosave of the open notebook on every edit, the list the
 * sidebar shows, rename, duplicate, delete with undo. Storage failures (private windows, quota) are reported in
 * `problem`, never swallowed.
 */
export class Library {
  readonly #store: NotebookStore;
  #saver: Autosaver | null = null;
  #saverId: string | null = null;
  /** Stored notebooks, newest first. */
  list = $state<NotebookRecord[]>([]);
  /** A storage problem in words for the user (null when storage works). */
  problem = $state<string | null>(null);
  /** Notebook deleted last, restorable with {@link undoDelete}. */
  lastDeleted = $state<NotebookRecord | null>(null);
  /** When the open notebook was last saved. */
  savedAt = $state<number | null>(null);

  constructor(db = new Database()) {
    this.#store = new NotebookStore(db);
  }

  /** Reads a stored notebook. */
  get(id: string): Promise<NotebookRecord | undefined> {
    return this.#store.get(id);
  }

  /** Re-reads the list. */
  async refresh(): Promise<void> {
    try {
      this.list = await this.#store.list();
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  /**
   * Starts keeping `doc` under `id` (a new id when null); returns the id. A notebook is stored from its first edit
   * on (opening the demo or a template ten times does not fill the list with ten untouched copies).
   */
  async keep(id: string | null, doc: SharedNotebook): Promise<string> {
    const key = id ?? newNotebookId();
    await this.#saver?.dispose().catch(() => undefined);
    this.#saverId = key;
    this.#unchanged = JSON.stringify(doc);
    this.#saver = autosaver(this.#store, key, 500, {
      onError: (e) => (this.problem = e.message),
      onSaved: () => {
        this.savedAt = Date.now();
        this.problem = null;
        void this.refresh();
      },
    });
    // Storage problems (private windows, disabled IndexedDB) are reported now, not at the first edit.
    await this.#store.list().catch((e) => (this.problem = errorMessage(e)));
    return key;
  }

  /** The open notebook as it was opened, until its first edit. */
  #unchanged: string | null = null;

  /** Notes an edit of the open notebook (saved after a short pause, and on page hide). */
  edited(id: string, doc: SharedNotebook): void {
    if (this.#saverId !== id) return;
    if (this.#unchanged !== null && JSON.stringify(doc) === this.#unchanged) return;
    this.#unchanged = null;
    this.#saver?.schedule(doc);
  }

  /** Renames a stored notebook. */
  async rename(id: string, title: string): Promise<void> {
    await this.#guard(() => this.#store.rename(id, title));
  }

  /** Copies a stored notebook; returns the copy's id. */
  async duplicate(id: string): Promise<string | null> {
    const copy = await this.#guard(() => this.#store.duplicate(id));
    return copy ? copy.id : null;
  }

  /** Deletes (softly: {@link undoDelete} brings it back). */
  async remove(id: string): Promise<void> {
    const rec = this.list.find((r) => r.id === id) ?? null;
    await this.#guard(() => this.#store.remove(id));
    this.lastDeleted = rec;
  }

  /** Restores the notebook deleted last. */
  async undoDelete(): Promise<void> {
    const rec = this.lastDeleted;
    if (!rec) return;
    await this.#guard(() => this.#store.undo(rec.id));
    this.lastDeleted = null;
  }

  async #guard<T>(fn: () => Promise<T>): Promise<T | null> {
    try {
      const r = await fn();
      await this.refresh();
      return r;
    } catch (e) {
      this.problem = errorMessage(e);
      return null;
    }
  }
}

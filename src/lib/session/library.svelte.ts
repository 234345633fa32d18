import { autosaver, Database, EditJournal, NotebookStore, newNotebookId, reconcile, tryHoldNotebook, type Autosaver, type HeldLock, type Locks, type NotebookRecord } from '../store';
import type { SharedNotebook } from '../share';
import { errorMessage } from '../util/errors';

/** Options of {@link Library.keep}. */
export interface KeepOptions {
  /**
   * Called when the notebook is open in another tab and this tab's first edit made it a copy under `id`
   * (the page should show that id in its address).
   */
  onfork?: (id: string) => void;
}

/** Says that the open notebook is open in another tab too. */
export interface OpenElsewhere {
  /** The notebook the other tab holds. */
  id: string;
  /** The copy this tab's edits go to, once there was an edit. */
  copyId: string | null;
}

/**
 * The notebooks kept in this browser (IndexedDB): autosave of the open notebook on every edit, the list the
 * sidebar shows, rename, duplicate, delete with undo. Storage failures (private windows, quota) are reported in
 * `problem`, never swallowed.
 *
 * No edit is lost: each one is journalled synchronously (localStorage) before the debounced IndexedDB save, and
 * reading a notebook takes the newer of the two. Two tabs on one notebook do not overwrite each other: the first
 * holds it, the second says so and saves its edits as a copy.
 */
export class Library {
  readonly #store: NotebookStore;
  readonly #journal: EditJournal;
  readonly #locks: Locks | null | undefined;
  #saver: Autosaver | null = null;
  #saverId: string | null = null;
  /** This tab's hold on the open notebook; null when another tab holds it, undefined while asking. */
  #held: HeldLock | null | undefined;
  #onfork: ((id: string) => void) | undefined;
  /** When each scheduled document was journalled, so its save can clear exactly that entry. */
  #journalledAt = new WeakMap<object, number>();
  /** Set while the open notebook is open in another tab (shown above the notebook). */
  elsewhere = $state<OpenElsewhere | null>(null);
  /** Stored notebooks, newest first. */
  list = $state<NotebookRecord[]>([]);
  /** A storage problem in words for the user (null when storage works). */
  problem = $state<string | null>(null);
  /** Notebook deleted last, restorable with {@link undoDelete}. */
  lastDeleted = $state<NotebookRecord | null>(null);
  /** When the open notebook was last saved. */
  savedAt = $state<number | null>(null);

  /**
   * @param journal Where edits are journalled before they reach IndexedDB.
   * @param locks The tab lock manager (`navigator.locks` by default; null: every tab holds its notebook).
   */
  constructor(db = new Database(), journal = new EditJournal(), locks?: Locks | null) {
    this.#store = new NotebookStore(db);
    this.#journal = journal;
    this.#locks = locks;
  }

  /**
   * Reads a notebook: the stored one, or the edit journalled after its last save (newest wins), which also exists
   * for a notebook whose first edit had no time to reach IndexedDB.
   */
  async get(id: string): Promise<NotebookRecord | undefined> {
    const stored = await this.#store.get(id).catch((e: unknown) => {
      this.problem = errorMessage(e);
      return undefined;
    });
    const pending = this.#journal.read(id);
    const pick = reconcile(stored, pending);
    if (!pick) return undefined;
    if (!pick.fromJournal) return stored;
    const now = pending!.at;
    return { id, title: pick.doc.title, doc: pick.doc, createdAt: stored?.createdAt ?? now, updatedAt: now };
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
  async keep(id: string | null, doc: SharedNotebook, options: KeepOptions = {}): Promise<string> {
    const key = id ?? newNotebookId();
    // Set at once: edits that come while the old saver flushes or the lock is asked for belong to this notebook.
    this.#saverId = key;
    this.#onfork = options.onfork;
    this.#unchanged = JSON.stringify(doc);
    this.elsewhere = null;
    this.#held?.release();
    this.#held = undefined;
    const old = this.#saver;
    this.#saver = this.#newSaver(key);
    await old?.dispose().catch(() => undefined);
    // A journalled edit that was opened (reconciled by `get`) has yet to reach IndexedDB.
    const pending = this.#journal.read(key);
    if (pending && JSON.stringify(pending.doc) === this.#unchanged) {
      this.#unchanged = null;
      this.#schedule(key, pending.doc, pending.at);
    }
    const held = await tryHoldNotebook(key, this.#locks).catch(() => ({ release() {} }));
    if (this.#saverId !== key) held?.release();
    else {
      this.#held = held;
      if (!held) this.elsewhere = { id: key, copyId: null };
    }
    // Storage problems (private windows, disabled IndexedDB) are reported now, not at the first edit.
    await this.#store.list().catch((e) => (this.problem = errorMessage(e)));
    return key;
  }

  #newSaver(key: string): Autosaver {
    const target = {
      save: async (id: string, doc: SharedNotebook) => {
        await this.#store.save(id, doc);
        const at = this.#journalledAt.get(doc);
        if (at !== undefined) this.#journal.settle(id, at);
      },
    };
    return autosaver(target, key, 500, {
      onError: (e) => (this.problem = e.message),
      onSaved: () => {
        this.savedAt = Date.now();
        this.problem = null;
        void this.refresh();
      },
    });
  }

  /** Journals `doc` synchronously, then hands it to the debounced IndexedDB save. */
  #schedule(id: string, doc: SharedNotebook, at = Date.now()): void {
    this.#journal.write(id, doc, at);
    this.#journalledAt.set(doc, at);
    this.#saver?.schedule(doc);
  }

  /** The open notebook as it was opened, until its first edit. */
  #unchanged: string | null = null;

  /** Notes an edit of the open notebook (saved after a short pause, and on page hide). */
  edited(id: string, doc: SharedNotebook): void {
    if (this.#saverId !== id) return;
    if (this.#unchanged !== null && JSON.stringify(doc) === this.#unchanged) return;
    this.#unchanged = null;
    if (this.#held === null && this.elsewhere && !this.elsewhere.copyId) {
      // Another tab holds this notebook: writing here would silently replace its edits, so this tab's go to a copy.
      const copy = newNotebookId();
      this.elsewhere = { id, copyId: copy };
      this.#saverId = copy;
      const old = this.#saver;
      this.#saver = this.#newSaver(copy);
      void old?.dispose().catch(() => undefined);
      this.#schedule(copy, doc);
      this.#onfork?.(copy);
      return;
    }
    this.#schedule(id, doc);
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

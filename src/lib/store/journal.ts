/**
 * Write-ahead journal of the open notebook's latest edit, in a synchronous store (`localStorage`).
 *
 * Why: IndexedDB writes are asynchronous, and a transaction started in `pagehide` is not guaranteed to commit
 * before the page goes (an edit followed by a reload 300 ms later was lost). `localStorage.setItem` returns only
 * once the value is stored, so every edit is journalled synchronously the moment it happens; the debounced
 * IndexedDB save then clears the entry. On load, {@link reconcile} picks whichever of the two is newer.
 */
import type { SharedNotebook } from '../share/types.ts';

/** The part of `Storage` the journal uses (a `Map` wrapper in tests, `localStorage` in the app). */
export type SyncStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** One journalled edit. */
export interface JournalEntry {
  doc: SharedNotebook;
  /** When the edit happened (ms since the epoch). */
  at: number;
}

const PREFIX = 'flywheel:pending:';

/** The journal's key for notebook `id`. */
export function journalKey(id: string): string {
  return PREFIX + id;
}

/** The app's synchronous store, or null where there is none (Node, or storage disabled by the browser). */
export function defaultSyncStorage(): SyncStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Some browsers throw on merely reading `localStorage` when storage is blocked.
    return null;
  }
}

/** Pending edits of notebooks, one entry per notebook id, each the whole document as of its last edit. */
export class EditJournal {
  readonly #storage: SyncStorage | null;

  constructor(storage: SyncStorage | null = defaultSyncStorage()) {
    this.#storage = storage;
  }

  /**
   * Journals `doc` as notebook `id`'s latest edit at time `at`. Returns false when the browser refused (quota,
   * storage disabled): the edit then only reaches IndexedDB through the autosave, as before.
   */
  write(id: string, doc: SharedNotebook, at: number): boolean {
    if (!this.#storage) return false;
    try {
      this.#storage.setItem(journalKey(id), JSON.stringify({ doc, at } satisfies JournalEntry));
      return true;
    } catch {
      return false;
    }
  }

  /** The journalled edit of `id`, or undefined (none, or unreadable: a damaged entry is dropped). */
  read(id: string): JournalEntry | undefined {
    let raw: string | null = null;
    try {
      raw = this.#storage?.getItem(journalKey(id)) ?? null;
    } catch {
      return undefined;
    }
    if (raw === null) return undefined;
    try {
      const entry = JSON.parse(raw) as Partial<JournalEntry>;
      if (entry && typeof entry.at === 'number' && entry.doc && typeof entry.doc === 'object' && Array.isArray(entry.doc.cells)) {
        return { doc: entry.doc, at: entry.at };
      }
    } catch {
      // fall through: not JSON
    }
    this.clear(id);
    return undefined;
  }

  /** Drops `id`'s entry if it is still the edit made at `at` (a newer edit since stays until it is saved too). */
  settle(id: string, at: number): void {
    if (this.read(id)?.at === at) this.clear(id);
  }

  /** Drops `id`'s entry. */
  clear(id: string): void {
    try {
      this.#storage?.removeItem(journalKey(id));
    } catch {
      // nothing to do: a stale entry is reconciled (and loses to a newer save) on the next load
    }
  }
}

/** What {@link reconcile} decided. */
export interface Reconciled {
  doc: SharedNotebook;
  /** True when the journal's edit is newer than the stored notebook (it still has to be written to IndexedDB). */
  fromJournal: boolean;
}

/**
 * Newest wins: the stored record (`updatedAt` is when it was written) or the journalled edit (`at` is when it was
 * typed). An edit journalled after the last save has not reached IndexedDB; one journalled before it has (the save
 * carried it, only clearing the entry did not happen).
 */
export function reconcile(stored: { doc: SharedNotebook; updatedAt: number } | undefined, journal: JournalEntry | undefined): Reconciled | undefined {
  // A tie goes to the journal: its edit may have come in the same millisecond as a save of the one before.
  if (journal && (!stored || journal.at >= stored.updatedAt)) return { doc: journal.doc, fromJournal: true };
  return stored ? { doc: stored.doc, fromJournal: false } : undefined;
}

/**
 * Debounced autosave: rapid edits coalesce into one write, and pending work is flushed when the page is
 * hidden or left (the last moments a browser reliably gives us, especially on mobile).
 */
import type { SharedNotebook } from '../share/types.ts';
import { StorageError, toStorageError } from './errors.ts';

/** Anything that can save a notebook (a {@link NotebookStore}, or a stub in tests). */
export interface AutosaveTarget {
  save(id: string, doc: SharedNotebook): Promise<unknown>;
}

/** Where page-lifecycle events come from (defaults: `window` and `document` when they exist). */
export interface LifecycleTargets {
  window?: EventTarget | null;
  document?: (EventTarget & { readonly visibilityState: DocumentVisibilityState }) | null;
}

/** Options of {@link autosaver}. */
export interface AutosaverOptions extends LifecycleTargets {
  /**
   * Longest time an edit may wait while edits keep coming (pure debouncing would never save during a
   * long typing streak). Default: 10 × delay, at least 5 s.
   */
  maxWaitMs?: number;
  /** Called with every failed background save; default `console.error`. The UI should show it. */
  onError?: (error: StorageError) => void;
  /** Called after each successful save. */
  onSaved?: () => void;
}

/** The handle {@link autosaver} returns. */
export interface Autosaver {
  /** Note that the notebook changed to `doc`; it is saved once edits pause for the delay. */
  schedule(doc: SharedNotebook): void;
  /** Save pending changes now; resolves when written, rejects with a {@link StorageError}. */
  flush(): Promise<void>;
  /** True while a change has not been handed to the store yet. */
  readonly pending: boolean;
  /** Flush and stop listening to page events. */
  dispose(): Promise<void>;
}

/**
 * Autosave notebook `id` to `store`, `delayMs` after the last change. Saves run one at a time in order,
 * so an older version never overwrites a newer one. A failed save keeps the change pending (the next
 * change or flush retries it) and is reported through `onError`, never dropped.
 */
export function autosaver(store: AutosaveTarget, id: string, delayMs = 1000, options: AutosaverOptions = {}): Autosaver {
  const maxWait = options.maxWaitMs ?? Math.max(10 * delayMs, 5000);
  const report = options.onError ?? ((e: StorageError) => console.error(e));
  let latest: SharedNotebook | undefined;
  let firstChangeAt: number | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let queue: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    firstChangeAt = undefined;
    const doc = latest;
    if (doc === undefined) return queue;
    latest = undefined;
    const run = queue.then(() => store.save(id, doc)).then(
      () => options.onSaved?.(),
      (e: unknown) => {
        // Keep it for a retry unless a newer change has replaced it meanwhile.
        latest ??= doc;
        throw toStorageError(e);
      },
    );
    queue = run.catch(() => {});
    return run;
  };
  const flushInBackground = (): void => {
    flush().catch(report);
  };

  const win = options.window !== undefined ? options.window : typeof window === 'undefined' ? null : window;
  const doc = options.document !== undefined ? options.document : typeof document === 'undefined' ? null : document;
  const onVisibility = (): void => {
    if (doc?.visibilityState === 'hidden') flushInBackground();
  };
  win?.addEventListener('pagehide', flushInBackground);
  doc?.addEventListener('visibilitychange', onVisibility);

  return {
    schedule(next) {
      latest = next;
      const now = Date.now();
      firstChangeAt ??= now;
      if (timer !== undefined) clearTimeout(timer);
      const wait = Math.max(0, Math.min(delayMs, firstChangeAt + maxWait - now));
      timer = setTimeout(flushInBackground, wait);
    },
    flush,
    get pending() {
      return latest !== undefined;
    },
    async dispose() {
      win?.removeEventListener('pagehide', flushInBackground);
      doc?.removeEventListener('visibilitychange', onVisibility);
      await flush();
    },
  };
}

/**
 * Which tab edits a notebook: the first tab to open it holds a Web Lock named after it until it opens another
 * notebook or goes away (the browser releases the locks of a closed or reloaded page by itself, so a crashed tab
 * never keeps a notebook). A second tab on the same notebook sees that it is held elsewhere, and its edits go to
 * a copy instead of silently overwriting the first tab's work.
 */

/** The part of `LockManager` used here (`navigator.locks`). */
export type Locks = Pick<LockManager, 'request'>;

/** A held lock; {@link release} lets another tab take it. */
export interface HeldLock {
  release(): void;
}

/** The browser's lock manager, or null where there is none (Node, very old browsers, insecure origins). */
export function defaultLocks(): Locks | null {
  return (globalThis.navigator as Navigator | undefined)?.locks ?? null;
}

/** The lock name of notebook `id`. */
export function notebookLockName(id: string): string {
  return `flywheel:notebook:${id}`;
}

/**
 * Takes notebook `id`'s lock if no other tab holds it. Resolves to the held lock, or to null when another tab
 * holds it. Without a lock manager every tab counts as the holder (the behaviour before locks existed).
 */
export async function tryHoldNotebook(id: string, locks: Locks | null = defaultLocks()): Promise<HeldLock | null> {
  if (!locks) return { release() {} };
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  return new Promise<HeldLock | null>((resolve, reject) => {
    locks
      .request(notebookLockName(id), { ifAvailable: true }, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        resolve({ release });
        // Held until released: the callback's promise is the lock's lifetime.
        return released;
      })
      .catch(reject);
  });
}

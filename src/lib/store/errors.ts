/**
 * Storage failures as user-facing errors. Losing a notebook silently is the worst outcome, so every
 * IndexedDB failure becomes a {@link StorageError} whose message tells the user what it means for their
 * work and what to do (usually: export as files).
 */

/** What went wrong with browser storage. */
export type StorageErrorCode =
  | 'unavailable' // IndexedDB missing or refused (private window, disabled storage, blocked cookies)
  | 'quota' // the site's storage is full
  | 'blocked' // another tab holds an older database version, or a newer app version upgraded it
  | 'missing' // no record with that key
  | 'failed'; // anything else

/** User-facing messages, one per code (`failed` and `missing` get details appended). */
export const STORAGE_MESSAGES: Record<Exclude<StorageErrorCode, 'missing' | 'failed'>, string> = {
  unavailable: 'Your browser refused to store data (private window?): notebooks will not survive a reload. Export them as files.',
  quota: "Your browser's storage for this site is full, so the latest change was not saved. Export your notebooks as files, then delete ones you no longer need.",
  blocked: 'Flywheel is open in another tab with an older version. Close the other Flywheel tabs and reload this one: until then, notebooks will not be saved.',
};
const VERSION_MESSAGE = 'Flywheel was updated in another tab. Reload this page: until then, notebooks will not be saved.';

/** A browser-storage failure with a message fit to show the user. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** DOMException names (and legacy Firefox/Safari spellings) that mean the quota is exhausted. */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED', 'NS_ERROR_FILE_NO_DEVICE_SPACE']);

/**
 * Map anything IndexedDB threw or aborted with to a {@link StorageError}.
 *
 * @param phase `open` when the database itself could not be opened: any failure there means nothing
 *   will be stored, whatever the browser calls it.
 */
export function toStorageError(e: unknown, phase: 'open' | 'use' = 'use'): StorageError {
  if (e instanceof StorageError) return e;
  const name = errorName(e);
  const cause = { cause: e };
  // Code 22 is how old WebKit reports a full quota.
  if (QUOTA_NAMES.has(name) || (e instanceof DOMException && e.code === 22)) {
    return new StorageError('quota', STORAGE_MESSAGES.quota, cause);
  }
  if (name === 'VersionError') return new StorageError('blocked', VERSION_MESSAGE, cause);
  // Private windows and disabled storage fail here under many names (InvalidStateError in old Firefox,
  // SecurityError, UnknownError); to the user they all mean the same thing.
  if (phase === 'open') {
    return new StorageError('unavailable', STORAGE_MESSAGES.unavailable, cause);
  }
  const detail = e instanceof Error || e instanceof DOMException ? `${name}: ${e.message}` : String(e);
  return new StorageError('failed', `Browser storage failed (${detail}). Export your notebooks as files so nothing is lost.`, cause);
}

function errorName(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'name' in e && typeof e.name === 'string') return e.name;
  return '';
}

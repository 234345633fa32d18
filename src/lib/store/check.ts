/**
 * Can this browser keep the user's work? Checked once at start so the UI can warn up front
 * (private windows, disabled storage, a nearly full quota) instead of failing on the first save.
 */
import { Database, request } from './db.ts';
import { toStorageError } from './errors.ts';
import { formatFixed } from '../util/format.ts';

/** Result of {@link checkStorage}. */
export interface StorageCheck {
  /** True when a test record could be written and read back. */
  ok: boolean;
  /** Why not, or a warning (nearly full); fit to show the user. */
  message?: string;
  /** Whether the browser promised not to evict this site's data (StorageManager.persisted). */
  persisted?: boolean;
  /** Bytes the site may use, and uses (StorageManager.estimate); estimates, often rounded. */
  quota?: number;
  usage?: number;
}

/** Options of {@link checkStorage}: injected for tests. */
export interface StorageCheckOptions {
  db?: Database;
  /** `navigator.storage` by default; `null` for none. */
  storage?: Pick<StorageManager, 'estimate' | 'persisted'> | null;
}

/** Below this much free quota the check warns: a few notebooks' autosaves could then fail. */
export const LOW_SPACE_BYTES = 20 * 1024 * 1024;
const PROBE_KEY = '__flywheel_storage_probe__';

/**
 * Write, read back and delete a probe record, then ask StorageManager for quota and persistence.
 * Never throws. It does not request persistence: Firefox asks the user with a prompt, which belongs
 * after a user action (see {@link requestPersistence}).
 */
export async function checkStorage(options: StorageCheckOptions = {}): Promise<StorageCheck> {
  const db = options.db ?? new Database();
  try {
    const stamp = Date.now();
    const back = await db.run('kv', 'readwrite', async (tx) => {
      const kv = tx.objectStore('kv');
      await request(kv.put(stamp, PROBE_KEY));
      const value = await request(kv.get(PROBE_KEY));
      await request(kv.delete(PROBE_KEY));
      return value;
    });
    if (back !== stamp) return { ok: false, message: 'Browser storage did not return what was written to it: notebooks may not survive a reload. Export them as files.' };
  } catch (e) {
    return { ok: false, message: toStorageError(e).message };
  }

  const result: StorageCheck = { ok: true };
  const storage = options.storage !== undefined ? options.storage : defaultStorage();
  if (!storage) return result;
  try {
    result.persisted = await storage.persisted();
  } catch {
    // Optional information: some browsers refuse in iframes.
  }
  try {
    const { quota, usage } = await storage.estimate();
    if (quota !== undefined) result.quota = quota;
    if (usage !== undefined) result.usage = usage;
    if (quota !== undefined && quota - (usage ?? 0) < LOW_SPACE_BYTES) {
      result.message = `Browser storage for this site is nearly full (${mb(usage ?? 0)} of ${mb(quota)} used): saving may fail. Export notebooks you want to keep as files.`;
    }
  } catch {
    // As above.
  }
  return result;
}

/**
 * Ask the browser not to evict this site's data under storage pressure (StorageManager.persist). Call after
 * a user action such as the first save: Firefox shows a prompt. Resolves false when refused or unsupported.
 */
export async function requestPersistence(storage: Pick<StorageManager, 'persist'> | null = defaultStorage()): Promise<boolean> {
  try {
    return (await storage?.persist()) ?? false;
  } catch {
    return false;
  }
}

function defaultStorage(): StorageManager | null {
  return typeof navigator !== 'undefined' && navigator.storage ? navigator.storage : null;
}

function mb(bytes: number): string {
  return `${formatFixed(bytes / 1024 / 1024, 0)} MB`;
}

/**
 * The app's IndexedDB database (`flywheel`) behind a thin promise wrapper.
 *
 * Hand-written rather than the `idb` package: the app needs one open, one upgrade and a transaction
 * helper, a few dozen lines, and owning them keeps error mapping (every failure → StorageError) in one place.
 */
import { StorageError, STORAGE_MESSAGES, toStorageError } from './errors.ts';

/** Database name. */
export const DB_NAME = 'flywheel';
/** Schema version; bump it and extend {@link upgrade} to add stores or indexes. */
export const DB_VERSION = 2;

/** The object stores: `notebooks` (key `id`), `annotations` (key `[datasetKey, episodeIndex, annotator]`), `kv` (free keys). */
export type StoreName = 'notebooks' | 'annotations' | 'kv';

/** Options of {@link Database}. */
export interface DatabaseOptions {
  /** Database name (tests use one per case). */
  name?: string;
  /** IndexedDB implementation; `null` means none (storage unavailable). Defaults to `globalThis.indexedDB`. */
  factory?: IDBFactory | null;
}

/** One lazily opened connection, shared by the stores; reopened if the browser closes it. */
export class Database {
  #connection?: Promise<IDBDatabase>;
  readonly #name: string;
  readonly #factory: IDBFactory | null | undefined;

  constructor(options: DatabaseOptions = {}) {
    this.#name = options.name ?? DB_NAME;
    this.#factory = options.factory;
  }

  /** The open connection. Rejects with a {@link StorageError} (`unavailable` or `blocked`). */
  open(): Promise<IDBDatabase> {
    // One shared promise so concurrent callers share one open; dropped on failure so a later call retries.
    this.#connection ??= this.#connect().catch((e: unknown) => {
      this.#connection = undefined;
      throw e;
    });
    return this.#connection;
  }

  /**
   * Run `body` in one transaction over `stores` and resolve with its result once the transaction has
   * committed (so a resolved write is on disk as far as IndexedDB promises). Rejects with a
   * {@link StorageError}; a failed or throwing body aborts the whole transaction.
   */
  async run<T>(stores: StoreName | StoreName[], mode: IDBTransactionMode, body: (tx: IDBTransaction) => Promise<T> | T): Promise<T> {
    const tx = await this.#transaction(stores, mode);
    const done = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      // Only the abort: a failed request aborts the transaction with that request's error as tx.error, and
      // a quota failure at commit has no failed request at all, only tx.error. (Requests still pending at
      // an abort fail with a bare AbortError first, which would hide the real reason.)
      tx.onabort = () => reject(tx.error ?? new DOMException('The transaction was aborted.', 'AbortError'));
    });
    // Handled here so an abort while `body` is still running is not reported as unhandled.
    done.catch(() => {});
    try {
      const result = await body(tx);
      await done;
      return result;
    } catch (e) {
      try {
        tx.abort();
      } catch {
        // already finished or aborted
      }
      throw toStorageError(e);
    }
  }

  /** Close the connection (the next call reopens). */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#connection = undefined;
    (await connection?.catch(() => undefined))?.close();
  }

  async #transaction(stores: StoreName | StoreName[], mode: IDBTransactionMode): Promise<IDBTransaction> {
    for (let attempt = 0; ; attempt++) {
      const db = await this.open();
      try {
        return db.transaction(stores, mode);
      } catch (e) {
        // InvalidStateError: the browser closed the connection (Safari does after backgrounding); reopen once.
        if (attempt === 0 && (e as Error).name === 'InvalidStateError') {
          this.#connection = undefined;
          continue;
        }
        throw toStorageError(e);
      }
    }
  }

  #connect(): Promise<IDBDatabase> {
    return new Promise((resolve, reject) => {
      let factory: IDBFactory | null | undefined;
      try {
        // Reading `indexedDB` itself throws in some locked-down contexts (old Firefox with cookies off).
        factory = this.#factory === undefined ? globalThis.indexedDB : this.#factory;
      } catch (e) {
        return reject(toStorageError(e, 'open'));
      }
      if (!factory) return reject(new StorageError('unavailable', STORAGE_MESSAGES.unavailable));
      let request: IDBOpenDBRequest;
      try {
        request = factory.open(this.#name, DB_VERSION);
      } catch (e) {
        return reject(toStorageError(e, 'open'));
      }
      let settled = false;
      request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion, request.transaction!);
      request.onsuccess = () => {
        const db = request.result;
        // Rejected already (blocked): the late connection is not wanted.
        if (settled) return db.close();
        settled = true;
        // Let another tab upgrade: close and reopen on next use instead of blocking it.
        db.onversionchange = () => {
          db.close();
          this.#connection = undefined;
        };
        db.onclose = () => {
          this.#connection = undefined;
        };
        resolve(db);
      };
      request.onerror = () => {
        settled = true;
        reject(toStorageError(request.error, 'open'));
      };
      request.onblocked = () => {
        settled = true;
        reject(new StorageError('blocked', STORAGE_MESSAGES.blocked));
      };
    });
  }
}

/** Create or extend the object stores, from whatever version the browser has. */
function upgrade(db: IDBDatabase, oldVersion: number, tx: IDBTransaction): void {
  const annotationKey = ['datasetKey', 'episodeIndex', 'annotator'];
  if (oldVersion < 1) {
    db.createObjectStore('notebooks', { keyPath: 'id' });
    db.createObjectStore('annotations', { keyPath: annotationKey });
    db.createObjectStore('kv');
    return;
  }
  if (oldVersion < 2) {
    // v1 keyed annotations by dataset and episode only; v2 adds the annotator so two people's labels coexist.
    // A key path cannot change in place: read every row, recreate the store, write them back (same transaction,
    // so an interrupted upgrade leaves v1 as it was).
    const rows = tx.objectStore('annotations').getAll();
    rows.onsuccess = () => {
      db.deleteObjectStore('annotations');
      const store = db.createObjectStore('annotations', { keyPath: annotationKey });
      for (const row of rows.result as Record<string, unknown>[]) store.put({ ...row, annotator: typeof row.annotator === 'string' && row.annotator ? row.annotator : 'me' });
    };
  }
}

/** A request's result as a promise (rejects with the request's error). */
export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

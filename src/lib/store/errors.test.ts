import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AnnotationStore } from './annotations.ts';
import { checkStorage, requestPersistence } from './check.ts';
import { Database } from './db.ts';
import { STORAGE_MESSAGES, StorageError, toStorageError } from './errors.ts';
import { NotebookStore } from './notebooks.ts';

const doc = { version: 1 as const, title: 'T', sources: [], cells: [] };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('toStorageError', () => {
  const cases: [string, unknown, 'open' | 'use', string][] = [
    ['QuotaExceededError', new DOMException('full', 'QuotaExceededError'), 'use', 'quota'],
    ['legacy Firefox quota', Object.assign(new Error('x'), { name: 'NS_ERROR_DOM_QUOTA_REACHED' }), 'use', 'quota'],
    ['quota while opening', new DOMException('full', 'QuotaExceededError'), 'open', 'quota'],
    ['InvalidStateError while opening (old Firefox private window)', new DOMException('x', 'InvalidStateError'), 'open', 'unavailable'],
    ['SecurityError while opening', new DOMException('x', 'SecurityError'), 'open', 'unavailable'],
    ['VersionError (newer app upgraded the database)', new DOMException('x', 'VersionError'), 'open', 'blocked'],
    ['anything else in use', new DOMException('lost', 'UnknownError'), 'use', 'failed'],
  ];
  for (const [name, error, phase, code] of cases) {
    it(`maps ${name} to ${code}`, () => {
      const mapped = toStorageError(error, phase);
      expect(mapped).toBeInstanceOf(StorageError);
      expect(mapped.code).toBe(code);
      expect(mapped.cause).toBe(error);
      expect(mapped.message.length).toBeGreaterThan(20);
    });
  }

  it('passes StorageErrors through', () => {
    const e = new StorageError('quota', 'x');
    expect(toStorageError(e)).toBe(e);
  });
});

describe('storage failures surface as StorageError', () => {
  it('maps a quota failure on write', async () => {
    const store = new NotebookStore(new Database({ factory: new IDBFactory() }));
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    });
    const error = await store.save('a', doc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(error).toMatchObject({ code: 'quota', message: STORAGE_MESSAGES.quota });
    vi.restoreAllMocks();
    expect(await store.get('a')).toBeUndefined(); // the transaction was aborted, nothing half-written
  });

  it('maps a quota failure at commit (the transaction aborts after the writes)', async () => {
    const db = new Database({ factory: new IDBFactory() });
    const error = await db
      .run('kv', 'readwrite', (tx) => {
        tx.objectStore('kv').put(1, 'k');
        // Browsers report a full disk by aborting the transaction with tx.error set; stand in for that.
        Object.defineProperty(tx, 'error', { value: new DOMException('full', 'QuotaExceededError') });
        tx.abort();
        return 'returned normally';
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StorageError', code: 'quota' });
  });

  it('maps a missing IndexedDB to "unavailable" with the private-window message', async () => {
    const store = new AnnotationStore(new Database({ factory: null }));
    await expect(store.get('k', 1)).rejects.toMatchObject({ name: 'StorageError', code: 'unavailable', message: STORAGE_MESSAGES.unavailable });
  });

  it('maps a refused open to "unavailable"', async () => {
    const factory = { open: () => { throw new DOMException('denied', 'SecurityError'); } } as unknown as IDBFactory;
    await expect(new NotebookStore(new Database({ factory })).list()).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('maps an open that fails later to "unavailable", and retries on the next call', async () => {
    let calls = 0;
    const real = new IDBFactory();
    const factory = {
      open(name: string, version: number) {
        if (++calls > 1) return real.open(name, version);
        const req = {} as IDBOpenDBRequest & { error: DOMException };
        setTimeout(() => {
          req.error = new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
          req.onerror?.(new Event('error'));
        });
        return req;
      },
    } as unknown as IDBFactory;
    const store = new NotebookStore(new Database({ factory }));
    await expect(store.list()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await store.list()).toEqual([]);
  });

  it('maps a blocked upgrade to "blocked"', async () => {
    const factory = {
      open() {
        const req = {} as IDBOpenDBRequest;
        setTimeout(() => req.onblocked?.(new Event('blocked') as IDBVersionChangeEvent));
        return req;
      },
    } as unknown as IDBFactory;
    await expect(new NotebookStore(new Database({ factory })).list()).rejects.toMatchObject({ code: 'blocked', message: STORAGE_MESSAGES.blocked });
  });

  it('maps a database upgraded by a newer app version to "blocked" (reload)', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve) => {
      const req = factory.open('flywheel', 7);
      req.onsuccess = () => {
        req.result.close();
        resolve();
      };
    });
    await expect(new NotebookStore(new Database({ factory })).list()).rejects.toMatchObject({ code: 'blocked', message: /updated in another tab/ });
  });

  it('maps an unclonable value to "failed" with the reason', async () => {
    const store = new NotebookStore(new Database({ factory: new IDBFactory() }));
    const kv = await import('./kv.ts');
    const error = await new kv.KvStore(new Database({ factory: new IDBFactory() })).set('f', () => 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StorageError', code: 'failed', message: /DataCloneError/ });
    expect(await store.list()).toEqual([]);
  });
});

describe('checkStorage', () => {
  it('reports ok, quota, usage and persistence', async () => {
    const storage = { estimate: async () => ({ quota: 1e9, usage: 1e6 }), persisted: async () => true };
    expect(await checkStorage({ db: new Database({ factory: new IDBFactory() }), storage })).toEqual({ ok: true, quota: 1e9, usage: 1e6, persisted: true });
  });

  it('works without StorageManager', async () => {
    expect(await checkStorage({ db: new Database({ factory: new IDBFactory() }), storage: null })).toEqual({ ok: true });
  });

  it('warns when nearly full', async () => {
    const storage = { estimate: async () => ({ quota: 50e6, usage: 45e6 }), persisted: async () => false };
    const check = await checkStorage({ db: new Database({ factory: new IDBFactory() }), storage });
    expect(check).toMatchObject({ ok: true, persisted: false, message: expect.stringMatching(/nearly full/) });
  });

  it('says why when storage is unavailable, without throwing', async () => {
    expect(await checkStorage({ db: new Database({ factory: null }), storage: null })).toEqual({ ok: false, message: STORAGE_MESSAGES.unavailable });
  });

  it('says why when writes fail for quota', async () => {
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    expect(await checkStorage({ db: new Database({ factory: new IDBFactory() }), storage: null })).toEqual({ ok: false, message: STORAGE_MESSAGES.quota });
  });

  it('requests persistence when asked, false when unsupported or refused', async () => {
    expect(await requestPersistence({ persist: async () => true })).toBe(true);
    expect(await requestPersistence(null)).toBe(false);
    expect(await requestPersistence({ persist: () => Promise.reject(new Error('no')) })).toBe(false);
  });
});

import { request, type Database } from './db.ts';

/** Small app settings and pointers (e.g. the last opened notebook) in the `kv` object store. */
export class KvStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** The value stored under `key`, or undefined. */
  get<T>(key: string): Promise<T | undefined> {
    return this.#db.run('kv', 'readonly', (tx) => request(tx.objectStore('kv').get(key) as IDBRequest<T | undefined>));
  }

  /** Store `value` (structured-cloneable) under `key`. */
  async set(key: string, value: unknown): Promise<void> {
    await this.#db.run('kv', 'readwrite', (tx) => request(tx.objectStore('kv').put(value, key)));
  }

  /** Remove `key`. */
  async delete(key: string): Promise<void> {
    await this.#db.run('kv', 'readwrite', (tx) => request(tx.objectStore('kv').delete(key)));
  }
}

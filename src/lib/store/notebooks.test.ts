import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import type { SharedNotebook } from '../share/types.ts';
import { Database } from './db.ts';
import { KvStore } from './kv.ts';
import { NotebookStore } from './notebooks.ts';

const doc = (title: string): SharedNotebook => ({ version: 1, title, sources: [], cells: [{ id: 'q', kind: 'sql', name: 'q', source: 'SELECT 1' }] });

let clock: number;
let ids: number;
let db: Database;
let store: NotebookStore;

beforeEach(() => {
  clock = 1_000_000;
  ids = 0;
  db = new Database({ factory: new IDBFactory() });
  store = new NotebookStore(db, { now: () => clock, newId: () => `new-${++ids}`, undoWindowMs: 10_000 });
});

describe('NotebookStore', () => {
  it('saves, gets and lists, newest first', async () => {
    await store.save('a', doc('First'));
    clock += 1000;
    await store.save('b', doc('Second'));
    expect(await store.get('a')).toEqual({ id: 'a', title: 'First', doc: doc('First'), createdAt: 1_000_000, updatedAt: 1_000_000 });
    expect((await store.list()).map((r) => r.id)).toEqual(['b', 'a']);
    expect(await store.get('nope')).toBeUndefined();
  });

  it('keeps createdAt and takes the title from the document on re-save', async () => {
    await store.save('a', doc('First'));
    clock += 5000;
    const again = await store.save('a', doc('Renamed in the editor'));
    expect(again).toMatchObject({ title: 'Renamed in the editor', createdAt: 1_000_000, updatedAt: 1_005_000 });
  });

  it('stores a plain copy (no proxies, no undefined fields)', async () => {
    const proxied = new Proxy({ ...doc('P'), layout: undefined }, {});
    await store.save('p', proxied);
    const got = await store.get('p');
    expect(got?.doc).toEqual(doc('P'));
    expect(Object.keys(got!.doc)).not.toContain('layout');
  });

  it('renames the record and its document', async () => {
    await store.save('a', doc('Old'));
    await store.rename('a', 'New');
    expect(await store.get('a')).toMatchObject({ title: 'New', doc: { title: 'New' } });
    await expect(store.rename('zzz', 'x')).rejects.toMatchObject({ name: 'StorageError', code: 'missing' });
  });

  it('duplicates under a new id', async () => {
    await store.save('a', doc('Report'));
    clock += 1;
    const copy = await store.duplicate('a');
    expect(copy).toMatchObject({ id: 'new-1', title: 'Report (copy)', doc: { ...doc('Report'), title: 'Report (copy)' }, createdAt: 1_000_001 });
    expect((await store.duplicate('a', 'Mine')).title).toBe('Mine');
    expect((await store.list()).map((r) => r.id).sort()).toEqual(['a', 'new-1', 'new-2']);
    expect((await store.get('a'))?.title).toBe('Report');
  });

  it('soft-deletes, undoes within the window, and not after', async () => {
    await store.save('a', doc('A'));
    await store.save('b', doc('B'));
    await store.remove('a');
    expect(await store.get('a')).toBeUndefined();
    expect((await store.list()).map((r) => r.id)).toEqual(['b']);
    expect((await store.list({ deleted: true })).map((r) => r.id)).toEqual(['a']);
    clock += 9_000;
    expect(await store.undo('a')).toBe(true);
    expect(await store.get('a')).toMatchObject({ title: 'A' });
    expect((await store.get('a'))?.deletedAt).toBeUndefined();

    await store.remove('b');
    clock += 10_001;
    expect(await store.undo('b')).toBe(false);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.undo('a')).toBe(false); // not deleted
  });

  it('keeps a deleted notebook deleted when a late autosave arrives', async () => {
    await store.save('a', doc('A'));
    await store.remove('a');
    await store.save('a', doc('A, edited'));
    expect(await store.get('a')).toBeUndefined();
    expect((await store.list({ deleted: true }))[0].doc.title).toBe('A, edited');
  });

  it('purges only notebooks deleted long enough ago', async () => {
    await store.save('old', doc('Old'));
    await store.save('recent', doc('Recent'));
    await store.save('live', doc('Live'));
    await store.remove('old');
    clock += 60_000;
    await store.remove('recent');
    expect(await store.purgeDeleted(30_000)).toBe(1);
    expect((await store.list({ deleted: true })).map((r) => r.id)).toEqual(['recent']);
    expect((await store.list()).map((r) => r.id)).toEqual(['live']);
  });

  it('shares the database with the kv store', async () => {
    const kv = new KvStore(db);
    await kv.set('lastNotebook', 'a');
    expect(await kv.get('lastNotebook')).toBe('a');
    await kv.delete('lastNotebook');
    expect(await kv.get('lastNotebook')).toBeUndefined();
  });

  it('reopens after the connection is closed', async () => {
    await store.save('a', doc('A'));
    await db.close();
    expect((await store.get('a'))?.title).toBe('A');
  });
});

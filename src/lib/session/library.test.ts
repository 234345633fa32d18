import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import type { SharedNotebook } from '../share/types.ts';
import { Database, EditJournal, type Locks, type SyncStorage } from '../store';
import { Library } from './library.svelte.ts';

const doc = (source: string): SharedNotebook => ({ version: 1, title: 'Nb', sources: [], cells: [{ id: 'q', kind: 'sql', name: 'q', source }] });

/** localStorage's contract over a Map: shared by the "tabs" of one test like the real one is by one origin's tabs. */
function storage(): SyncStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

/** The Web Locks semantics Library relies on (`ifAvailable`, held until the callback's promise settles); Node has no `navigator.locks`. */
function locks(): Locks {
  const held = new Set<string>();
  return {
    request: (async (name: string, _opts: LockOptions, cb: (lock: Lock | null) => Promise<unknown>) => {
      if (held.has(name)) return cb(null);
      held.add(name);
      try {
        return await cb({ name, mode: 'exclusive' });
      } finally {
        held.delete(name);
      }
    }) as Locks['request'],
  };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('Library: no edit is lost', () => {
  it('an edit is journalled at once, and a page that went before the save reopens it', async () => {
    const factory = new IDBFactory();
    const ls = storage();
    const tab = new Library(new Database({ factory }), new EditJournal(ls), null);
    await tab.keep('nb1', doc('SELECT 1'));
    tab.edited('nb1', doc('SELECT 2 -- typed'));
    // Synchronously journalled: nothing has been awaited since the edit.
    expect(ls.map.has('flywheel:pending:nb1')).toBe(true);
    // The page goes now; the next one reads the same IndexedDB and localStorage.
    const next = new Library(new Database({ factory }), new EditJournal(ls), null);
    expect((await next.get('nb1'))?.doc.cells[0].source).toBe('SELECT 2 -- typed');
  });

  it('the save clears the journal entry; a later edit stays journalled until it is saved too', async () => {
    const ls = storage();
    const tab = new Library(new Database({ factory: new IDBFactory() }), new EditJournal(ls), null);
    await tab.keep('nb1', doc('SELECT 1'));
    tab.edited('nb1', doc('SELECT 2'));
    // After the autosave's pause the IndexedDB save lands and clears the entry.
    await vi.waitFor(() => expect(ls.map.has('flywheel:pending:nb1')).toBe(false), { timeout: 10_000 });
    expect((await tab.get('nb1'))?.doc.cells[0].source).toBe('SELECT 2');
  });

  it('reopening a journalled edit writes it to IndexedDB', async () => {
    const factory = new IDBFactory();
    const ls = storage();
    const first = new Library(new Database({ factory }), new EditJournal(ls), null);
    await first.keep('nb1', doc('SELECT 1'));
    first.edited('nb1', doc('SELECT 3'));
    const second = new Library(new Database({ factory }), new EditJournal(ls), null);
    const rec = await second.get('nb1');
    await second.keep('nb1', rec!.doc);
    await vi.waitFor(() => expect(ls.map.has('flywheel:pending:nb1')).toBe(false), { timeout: 10_000 });
    const third = new Library(new Database({ factory }), new EditJournal(storage()), null);
    expect((await third.get('nb1'))?.doc.cells[0].source).toBe('SELECT 3');
  });
});

describe('Library: two tabs on one notebook', () => {
  it('the second tab says so and its edits go to a copy; the first tab keeps its notebook', async () => {
    const factory = new IDBFactory();
    const ls = storage();
    const lockManager = locks();
    const a = new Library(new Database({ factory }), new EditJournal(ls), lockManager);
    const b = new Library(new Database({ factory }), new EditJournal(ls), lockManager);
    await a.keep('nb1', doc('SELECT 1'));
    expect(a.elsewhere).toBeNull();
    const forks: string[] = [];
    await b.keep('nb1', doc('SELECT 1'), { onfork: (id) => forks.push(id) });
    expect(b.elsewhere).toEqual({ id: 'nb1', copyId: null });
    b.edited('nb1', doc('SELECT 2 -- tab b'));
    expect(forks).toHaveLength(1);
    expect(b.elsewhere).toEqual({ id: 'nb1', copyId: forks[0] });
    a.edited('nb1', doc('SELECT 3 -- tab a'));
    await vi.waitFor(() => expect([...ls.map.keys()].filter((k) => k.startsWith('flywheel:pending:'))).toEqual([]), { timeout: 10_000 });
    expect((await a.get('nb1'))?.doc.cells[0].source).toBe('SELECT 3 -- tab a');
    expect((await a.get(forks[0]))?.doc.cells[0].source).toBe('SELECT 2 -- tab b');
  });

  it('a tab that opens another notebook lets go of the first', async () => {
    const lockManager = locks();
    const factory = new IDBFactory();
    const a = new Library(new Database({ factory }), new EditJournal(storage()), lockManager);
    const b = new Library(new Database({ factory }), new EditJournal(storage()), lockManager);
    await a.keep('nb1', doc('SELECT 1'));
    await a.keep('nb2', doc('SELECT 1'));
    await tick();
    await b.keep('nb1', doc('SELECT 1'));
    expect(b.elsewhere).toBeNull();
  });
});

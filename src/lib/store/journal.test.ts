import { describe, expect, it } from 'vitest';
import type { SharedNotebook } from '../share/types.ts';
import { EditJournal, journalKey, reconcile, type SyncStorage } from './journal.ts';

const doc = (title: string): SharedNotebook => ({ version: 1, title, sources: [], cells: [] });

/** A synchronous store with localStorage's contract (string values, setItem may throw when full). */
function memoryStorage(limit = Infinity): SyncStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => {
      if (v.length > limit) throw new DOMException('full', 'QuotaExceededError');
      map.set(k, String(v));
    },
    removeItem: (k) => void map.delete(k),
  };
}

describe('EditJournal', () => {
  it('keeps the latest edit per notebook and reads it back', () => {
    const s = memoryStorage();
    const j = new EditJournal(s);
    expect(j.write('a', doc('one'), 10)).toBe(true);
    expect(j.write('a', doc('two'), 20)).toBe(true);
    j.write('b', doc('other'), 15);
    expect(j.read('a')).toEqual({ doc: doc('two'), at: 20 });
    expect(j.read('b')?.doc.title).toBe('other');
    expect(j.read('c')).toBeUndefined();
  });

  it('settle clears only the edit that was saved, not a newer one', () => {
    const j = new EditJournal(memoryStorage());
    j.write('a', doc('one'), 10);
    j.write('a', doc('two'), 20);
    j.settle('a', 10);
    expect(j.read('a')?.doc.title).toBe('two');
    j.settle('a', 20);
    expect(j.read('a')).toBeUndefined();
  });

  it('drops a damaged entry instead of opening it', () => {
    const s = memoryStorage();
    s.setItem(journalKey('a'), '{not json');
    s.setItem(journalKey('b'), JSON.stringify({ at: 'x', doc: {} }));
    const j = new EditJournal(s);
    expect(j.read('a')).toBeUndefined();
    expect(j.read('b')).toBeUndefined();
    expect(s.map.size).toBe(0);
  });

  it('reports a refused write (quota) and works without storage at all', () => {
    const j = new EditJournal(memoryStorage(5));
    expect(j.write('a', doc('too big for this store'), 1)).toBe(false);
    expect(j.read('a')).toBeUndefined();
    const none = new EditJournal(null);
    expect(none.write('a', doc('x'), 1)).toBe(false);
    expect(none.read('a')).toBeUndefined();
  });
});

describe('reconcile: newest wins', () => {
  const stored = { doc: doc('saved'), updatedAt: 100 };
  it('takes an edit journalled after the last save', () => {
    expect(reconcile(stored, { doc: doc('typed'), at: 150 })).toEqual({ doc: doc('typed'), fromJournal: true });
  });
  it('takes the stored notebook when the journal is older (saved, then the page went before clearing)', () => {
    expect(reconcile(stored, { doc: doc('typed'), at: 50 })).toEqual({ doc: doc('saved'), fromJournal: false });
  });
  it('takes the journal for a notebook that never reached IndexedDB, and a tie', () => {
    expect(reconcile(undefined, { doc: doc('first edit'), at: 1 })?.doc.title).toBe('first edit');
    expect(reconcile(stored, { doc: doc('same ms'), at: 100 })?.fromJournal).toBe(true);
  });
  it('is undefined when there is neither', () => {
    expect(reconcile(undefined, undefined)).toBeUndefined();
    expect(reconcile(stored, undefined)).toEqual({ doc: doc('saved'), fromJournal: false });
  });
});

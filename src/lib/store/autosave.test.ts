import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SharedNotebook } from '../share/types.ts';
import { autosaver } from './autosave.ts';
import { StorageError } from './errors.ts';

const doc = (title: string): SharedNotebook => ({ version: 1, title, sources: [], cells: [] });

/** A store stub recording saves; `fail` makes the next save reject. */
function stubStore() {
  const saved: string[] = [];
  let fail: unknown;
  return {
    saved,
    failNext(e: unknown) {
      fail = e;
    },
    async save(_id: string, d: SharedNotebook) {
      if (fail !== undefined) {
        const e = fail;
        fail = undefined;
        throw e;
      }
      saved.push(d.title);
    },
  };
}

/** Minimal window/document stand-ins for page lifecycle events. */
function lifecycle() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  return { window: win, document: doc };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('autosaver', () => {
  it('coalesces rapid edits into one save of the latest version', async () => {
    const store = stubStore();
    const saver = autosaver(store, 'a', 500, { window: null, document: null });
    for (let i = 1; i <= 5; i++) {
      saver.schedule(doc(`v${i}`));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(store.saved).toEqual([]);
    expect(saver.pending).toBe(true);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.saved).toEqual(['v5']);
    expect(saver.pending).toBe(false);
  });

  it('saves at least every maxWaitMs during a long streak of edits', async () => {
    const store = stubStore();
    const saver = autosaver(store, 'a', 500, { maxWaitMs: 2000, window: null, document: null });
    for (let i = 1; i <= 30; i++) {
      saver.schedule(doc(`v${i}`));
      await vi.advanceTimersByTimeAsync(200);
    }
    // 6 s of edits every 200 ms: a pure debounce would not have saved at all.
    expect(store.saved.length).toBeGreaterThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(store.saved.at(-1)).toBe('v30');
  });

  it('flushes on pagehide and when the page is hidden', async () => {
    const store = stubStore();
    const events = lifecycle();
    const saver = autosaver(store, 'a', 10_000, events);
    saver.schedule(doc('before pagehide'));
    events.window.dispatchEvent(new Event('pagehide'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.saved).toEqual(['before pagehide']);

    saver.schedule(doc('before hidden'));
    events.document.dispatchEvent(new Event('visibilitychange')); // still visible: nothing
    await vi.advanceTimersByTimeAsync(0);
    expect(store.saved).toHaveLength(1);
    events.document.visibilityState = 'hidden';
    events.document.dispatchEvent(new Event('visibilitychange'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.saved).toEqual(['before pagehide', 'before hidden']);

    await saver.dispose();
    saver.schedule(doc('after dispose'));
    events.window.dispatchEvent(new Event('pagehide'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.saved).toHaveLength(2); // listener gone; the timer would still save it
  });

  it('reports a failed save, keeps the change, and retries on the next flush', async () => {
    const store = stubStore();
    const errors: StorageError[] = [];
    const saver = autosaver(store, 'a', 100, { window: null, document: null, onError: (e) => errors.push(e) });
    store.failNext(new DOMException('full', 'QuotaExceededError'));
    saver.schedule(doc('v1'));
    await vi.advanceTimersByTimeAsync(100);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StorageError);
    expect(errors[0].code).toBe('quota');
    expect(saver.pending).toBe(true);
    await saver.flush();
    expect(store.saved).toEqual(['v1']);
  });

  it('flush rejects with a StorageError and runs saves in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const slow = {
      async save(_id: string, d: SharedNotebook) {
        if (d.title === 'v1') await new Promise<void>((r) => (release = r));
        order.push(d.title);
      },
    };
    const saver = autosaver(slow, 'a', 100, { window: null, document: null });
    saver.schedule(doc('v1'));
    const first = saver.flush();
    saver.schedule(doc('v2'));
    const second = saver.flush();
    await vi.advanceTimersByTimeAsync(0); // let the first save start
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['v1', 'v2']);

    const failing = autosaver({ save: () => Promise.reject(new Error('boom')) }, 'a', 100, { window: null, document: null });
    failing.schedule(doc('x'));
    await expect(failing.flush()).rejects.toMatchObject({ name: 'StorageError', code: 'failed', message: expect.stringMatching(/boom/) });
  });
});

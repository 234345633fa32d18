import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { AnnotationStore, validateAnnotation } from './annotations.ts';
import { Database } from './db.ts';

const KEY = 'https://huggingface.co/datasets/lerobot/pusht';
let clock: number;
let store: AnnotationStore;

beforeEach(() => {
  clock = 5000;
  store = new AnnotationStore(new Database({ factory: new IDBFactory() }), { now: () => clock });
});

describe('AnnotationStore', () => {
  it('puts and gets one episode', async () => {
    const saved = await store.put({ datasetKey: KEY, episodeIndex: 3, outcome: 'failure', failureCategory: 'grasp_slip', onsetS: 4.2, note: 'slipped', annotator: 'ana' });
    expect(saved.updatedAt).toBe(5000);
    expect(await store.get(KEY, 3, 'ana')).toEqual(saved);
    expect(await store.get(KEY, 3)).toBeUndefined();
    expect(await store.get(KEY, 4)).toBeUndefined();
    expect(await store.get('other', 3)).toBeUndefined();
  });

  it('lists a dataset by episode index, not mixing datasets', async () => {
    for (const i of [10, 2, 7]) await store.put({ datasetKey: KEY, episodeIndex: i, outcome: 'success' });
    await store.put({ datasetKey: `${KEY}-v2`, episodeIndex: 1, outcome: 'success' });
    await store.put({ datasetKey: 'a', episodeIndex: 1, outcome: 'success' });
    expect((await store.listForDataset(KEY)).map((a) => a.episodeIndex)).toEqual([2, 7, 10]);
    await store.remove(KEY, 7);
    expect((await store.listForDataset(KEY)).map((a) => a.episodeIndex)).toEqual([2, 10]);
  });

  it('round-trips export → import into another browser', async () => {
    await store.put({ datasetKey: KEY, episodeIndex: 0, outcome: 'success' });
    await store.put({ datasetKey: KEY, episodeIndex: 1, outcome: 'failure', failureCategory: 'collision', onsetS: 1.5 });
    const rows = await store.exportRows(KEY);
    expect(rows).toEqual([
      { datasetKey: KEY, episodeIndex: 0, outcome: 'success', annotator: 'me', updatedAt: 5000 },
      { datasetKey: KEY, episodeIndex: 1, outcome: 'failure', failureCategory: 'collision', onsetS: 1.5, annotator: 'me', updatedAt: 5000 },
    ]);
    const other = new AnnotationStore(new Database({ factory: new IDBFactory() }));
    expect(await other.importRows(JSON.parse(JSON.stringify(rows)))).toEqual({ imported: 2, keptNewer: 0, rejected: 0, errors: [] });
    expect(await other.exportRows(KEY)).toEqual(rows);
  });

  it('imports newer rows, keeps newer local ones, and rejects bad rows with reasons', async () => {
    await store.put({ datasetKey: KEY, episodeIndex: 0, outcome: 'success' }); // updatedAt 5000
    await store.put({ datasetKey: KEY, episodeIndex: 1, outcome: 'success' });
    const report = await store.importRows([
      { datasetKey: KEY, episodeIndex: 0, outcome: 'failure', updatedAt: 9000 },
      { datasetKey: KEY, episodeIndex: 1, outcome: 'failure', updatedAt: 1000 },
      { datasetKey: KEY, episodeIndex: 2, outcome: 'failure', note: null, onsetS: null, failureCategory: '' },
      { datasetKey: KEY, episodeIndex: -1 },
      { datasetKey: '', episodeIndex: 1 },
      { datasetKey: KEY, episodeIndex: 1, onsetS: 'soon' },
      { datasetKey: KEY, episodeIndex: 1, __proto__: { x: 1 } },
      JSON.parse(`{"datasetKey": "${KEY}", "episodeIndex": 1, "__proto__": {"x": 1}}`),
      'not a row',
    ]);
    expect(report).toMatchObject({ imported: 2, keptNewer: 1, rejected: 6 });
    expect(report.errors).toEqual([
      expect.stringMatching(/^Row 4: "episodeIndex" must be a whole number/),
      expect.stringMatching(/^Row 5: "datasetKey" must be a non-empty string/),
      expect.stringMatching(/^Row 6: "onsetS" must be a number/),
      expect.stringMatching(/^Row 7: An annotation must be a plain object/),
      expect.stringMatching(/^Row 8: Unknown annotation field "__proto__"/),
      expect.stringMatching(/^Row 9: An annotation must be a plain object/),
    ]);
    expect((await store.get(KEY, 0))?.outcome).toBe('failure');
    expect((await store.get(KEY, 1))?.outcome).toBe('success');
    expect(await store.get(KEY, 2)).toEqual({ datasetKey: KEY, episodeIndex: 2, outcome: 'failure', annotator: 'me', updatedAt: 5000 });
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('keeps two annotators\' labels of one episode apart', async () => {
    await store.put({ datasetKey: KEY, episodeIndex: 5, outcome: 'failure', failureCategory: 'collision' });
    await store.put({ datasetKey: KEY, episodeIndex: 5, outcome: 'success', annotator: 'bo' });
    await store.put({ datasetKey: KEY, episodeIndex: 4, outcome: 'success', annotator: 'bo' });
    expect((await store.listForDataset(KEY)).map((a) => `${a.episodeIndex}:${a.annotator}:${a.outcome}`)).toEqual(['4:bo:success', '5:bo:success', '5:me:failure']);
    await store.remove(KEY, 5, 'bo');
    expect((await store.get(KEY, 5))?.failureCategory).toBe('collision');
    expect(await store.get(KEY, 5, 'bo')).toBeUndefined();
  });

  it('upgrades a version-1 database, keeping its annotations under the default annotator', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const open = factory.open('flywheel', 1);
      open.onupgradeneeded = () => {
        const db = open.result;
        db.createObjectStore('notebooks', { keyPath: 'id' });
        db.createObjectStore('annotations', { keyPath: ['datasetKey', 'episodeIndex'] }).put({ datasetKey: KEY, episodeIndex: 9, outcome: 'failure', updatedAt: 1 });
        db.createObjectStore('kv');
      };
      open.onsuccess = () => (open.result.close(), resolve());
      open.onerror = () => reject(open.error);
    });
    const upgraded = new AnnotationStore(new Database({ factory }));
    expect(await upgraded.listForDataset(KEY)).toEqual([{ datasetKey: KEY, episodeIndex: 9, outcome: 'failure', annotator: 'me', updatedAt: 1 }]);
  });

  it('refuses to put an invalid annotation', async () => {
    await expect(store.put({ datasetKey: KEY, episodeIndex: 1.5 })).rejects.toThrow(/episodeIndex/);
    expect(validateAnnotation({ datasetKey: KEY, episodeIndex: 1, note: 'x'.repeat(10_001) })).toMatchObject({ ok: false, errors: [/"note" is longer/] });
  });
});

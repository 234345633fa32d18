/**
 * Where a notebook's saved results come from and go (see notebook/saved-results.ts): this browser's IndexedDB for
 * notebooks run here before, and for the bundled demo's health notebook a file shipped with the app, so a first
 * visit shows its charts while DuckDB-WASM is still starting.
 */
import { isSavedResults, resultsKey, type SavedResults } from '../notebook/saved-results';
import type { NotebookDoc } from '../notebook/types';
import { demoSources } from '../notebook/templates';
import { canonicalJson } from '../notebook/saved-results';
import { Database } from '../store/db';
import { KvStore } from '../store/kv';

/** The shipped results of the demo's health notebook (written by `npm run demo`), relative to the app. */
export const DEMO_RESULTS_URL = 'demo/results/health.json';

/** How many notebooks' results this browser keeps (the oldest go first). */
const KEEP = 20;
const INDEX = 'results:index';

let kv: KvStore | null = null;
function store(): KvStore {
  return (kv ??= new KvStore(new Database()));
}

/** True when the notebook reads exactly the bundled demo's files (the only data with shipped results). */
export function readsDemo(doc: Pick<NotebookDoc, 'sources'>): boolean {
  return canonicalJson(doc.sources) === canonicalJson(demoSources());
}

/**
 * The saved results of `doc`, or null: from this browser first, else (demo only) the shipped file. Never throws:
 * saved results are a convenience, and the live run follows anyway.
 */
export async function loadSavedResults(doc: NotebookDoc, fetchFn: typeof fetch = fetch): Promise<SavedResults | null> {
  const key = resultsKey(doc);
  try {
    const kept = await store().get<unknown>(`results:${key}`);
    if (isSavedResults(kept) && kept.key === key) return kept;
  } catch {
    // No IndexedDB (private mode, blocked): fall through to the shipped file.
  }
  if (!readsDemo(doc)) return null;
  try {
    const res = await fetchFn(DEMO_RESULTS_URL);
    if (!res.ok) return null;
    const shipped: unknown = await res.json();
    return isSavedResults(shipped) && shipped.key === key ? shipped : null;
  } catch {
    return null;
  }
}

/** Keeps `results` in this browser (replacing older results of the same notebook), evicting beyond {@link KEEP}. */
export async function storeSavedResults(results: SavedResults): Promise<void> {
  if (!Object.keys(results.cells).length) return;
  try {
    const s = store();
    const index = ((await s.get<string[]>(INDEX)) ?? []).filter((k) => k !== results.key);
    index.push(results.key);
    for (const old of index.splice(0, Math.max(0, index.length - KEEP))) await s.delete(`results:${old}`);
    await s.set(`results:${results.key}`, results);
    await s.set(INDEX, index);
  } catch {
    // Not kept: the next open simply runs without saved results.
  }
}

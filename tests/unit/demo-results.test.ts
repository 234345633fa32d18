/**
 * The demo ships its health notebook's results (static/demo/results/health.json), which a first visit draws while
 * DuckDB-WASM starts: they must be exactly what the current notebook computes on the bundled demo, or the page
 * would show a stale answer for a moment. After a change to the health notebook: `npm run demo -- --results`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATIC } from '../../src/lib/headless/files';
import { demoResults } from '../../src/lib/headless/demo-results';
import { canonicalJson, isSavedResults, resultsKey } from '../../src/lib/notebook/saved-results';
import { demoSources, healthNotebook } from '../../src/lib/notebook/templates';
import { DEMO_RESULTS_URL, readsDemo } from '../../src/lib/session/saved';

describe('the demo\'s shipped results', () => {
  it('are those of the current health notebook on the bundled demo (else: npm run demo -- --results)', async () => {
    const shipped = JSON.parse(await readFile(path.join(STATIC, DEMO_RESULTS_URL), 'utf8'));
    expect(isSavedResults(shipped)).toBe(true);
    expect(shipped.key).toBe(resultsKey(healthNotebook(demoSources())));
    const fresh = await demoResults(STATIC);
    expect(canonicalJson(fresh)).toBe(canonicalJson(shipped));
    // The charts' data are among them.
    const doc = healthNotebook(demoSources());
    const plots = doc.cells.filter((c) => c.kind === 'plot').map((c) => c.id);
    expect(plots.length).toBeGreaterThan(2);
    for (const id of plots) expect(Object.keys(shipped.cells)).toContain(id);
  }, 180_000);

  it('are offered only to notebooks that read the bundled demo', () => {
    expect(readsDemo(healthNotebook(demoSources()))).toBe(true);
    expect(readsDemo(healthNotebook([{ name: 'dataset', kind: 'lerobot', url: 'https://example.org/ds/' }]))).toBe(false);
  });
});

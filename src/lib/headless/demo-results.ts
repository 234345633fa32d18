/**
 * The demo's shipped results: its health notebook run once by the headless runner on the app's own engine
 * (DuckDB-WASM, as in the tab), saved as the tab saves a run (notebook/saved-results.ts), so a first visit draws the
 * health charts while DuckDB-WASM is still starting. Written by `npm run demo` (and `npm run demo -- --results`);
 * a test checks the file matches a fresh run of the current notebook.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { HeadlessSession } from './run';
import { canonicalJson, type SavedResults } from '../notebook/saved-results';
import { demoSources, healthNotebook } from '../notebook/templates';

/** Runs the demo's health notebook on the bundled demo (under `staticDir`) and returns its saved results. */
export async function demoResults(staticDir: string): Promise<SavedResults> {
  const s = await HeadlessSession.open(healthNotebook(demoSources()), { baseDir: staticDir, engine: 'wasm' });
  try {
    const results = await s.run();
    const failed = results.filter((r) => r.status !== 'done').map((r) => `${r.name}: ${r.status} ${r.error ?? ''}`);
    if (failed.length) throw new Error(`The demo's health notebook did not run cleanly: ${failed.join('; ')}`);
    return s.runner.snapshot(null);
  } finally {
    await s.close();
  }
}

/** Writes the demo's shipped results to `<staticDir>/demo/results/health.json` (canonical JSON: same run, same bytes). */
export async function writeDemoResults(staticDir: string): Promise<string> {
  const file = path.join(staticDir, 'demo/results/health.json');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, canonicalJson(await demoResults(staticDir)) + '\n');
  return file;
}

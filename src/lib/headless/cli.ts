/**
 * `npm run notebook -- <notebook.json> [--dataset <folder, URL or hf:id>] [--out results.json]`
 *
 * Runs a notebook (a `.flywheel.json` file or a bare notebook JSON) outside the browser with the same cell
 * semantics, and writes each cell's result as JSON (to --out, or stdout). Exit code 1 when any cell failed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { notebookFromFile } from '../share';
import { runNotebook } from './run';

const USAGE = 'usage: npm run notebook -- <notebook.json> [--dataset <folder, URL or hf:owner/name@rev>] [--out results.json] [--max-rows N]';

async function main(argv: string[]): Promise<number> {
  let file: string | undefined;
  let dataset: string | undefined;
  let out: string | undefined;
  let maxRows = 1000;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dataset') dataset = argv[++i];
    else if (a === '--out') out = argv[++i];
    else if (a === '--max-rows') maxRows = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      return 0;
    } else if (!file) file = a;
    else throw new Error(`unexpected argument ${a}\n${USAGE}`);
  }
  if (!file) throw new Error(USAGE);
  const doc = notebookFromFile(await readFile(file, 'utf8'));
  const t0 = performance.now();
  const cells = await runNotebook(doc, { dataset: dataset && !/^(https?:|hf:)/.test(dataset) ? path.resolve(dataset) : dataset, maxRows });
  const report = { notebook: doc.title, ranAt: new Date().toISOString(), ms: Math.round(performance.now() - t0), cells };
  const json = JSON.stringify(report, null, 2);
  if (out) await writeFile(out, json + '\n');
  else console.log(json);
  const failed = cells.filter((c) => c.status === 'error');
  for (const c of failed) console.error(`cell ${c.name} failed: ${c.error}`);
  if (out) console.error(`${cells.length} cells, ${failed.length} failed, ${report.ms} ms → ${out}`);
  return failed.length ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);

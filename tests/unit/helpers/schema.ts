import path from 'node:path';
import { SCHEMA_SQL, schemaFromRows, type Schema } from '../../../src/lib/contract';
import { runNotebook, type HeadlessOptions } from '../../../src/lib/headless/run';
import type { SourceDecl } from '../../../src/lib/ingest/source';

/** The repository root: relative source URLs in the unit tests resolve here. */
export const REPO = path.resolve(import.meta.dirname, '../../..');

/**
 * The columns of every table once `sources` are open, as the sidebar reads them to fit a job's form to the data
 * (headless runner, wasm engine by default; relative URLs against the repository root).
 */
export async function schemaOf(sources: SourceDecl[], opts: HeadlessOptions = {}): Promise<Schema> {
  const [r] = await runNotebook({ version: 1, title: 'schema', sources, cells: [{ id: 's', kind: 'sql', name: 's', source: SCHEMA_SQL }] }, { baseDir: REPO, maxRows: 100_000, ...opts });
  if (r.status !== 'done') throw new Error(`Reading the schema failed: ${r.error ?? r.status}`);
  return schemaFromRows(r.rows ?? []);
}

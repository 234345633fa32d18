import { openAsBlob } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SourceSpec } from '../../../src/lib/ingest/source';

/**
 * A local folder as the app sees a picked or dropped folder: relative paths and lazily read Blobs
 * (`fs.openAsBlob`, like a browser File, reads slices on demand).
 */
export async function folderSource(dir: string): Promise<SourceSpec> {
  const files: { path: string; file: Blob }[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else files.push({ path: path.join(path.basename(dir), path.relative(dir, p)), file: await openAsBlob(p) });
    }
  };
  await walk(dir);
  return { kind: 'files', label: path.basename(dir), files };
}

/** Real sample files written by others, copied from ../shared/samples (provenance and licences: its README.md). */
export const SAMPLES = path.resolve(import.meta.dirname, '../../fixtures/samples');

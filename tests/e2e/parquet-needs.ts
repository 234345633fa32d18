/**
 * Bytes a lazy reader must fetch for some columns of the row groups holding some episodes of a LeRobot v3.0
 * dataset on disk, computed from the Parquet footers and episode metadata independently of the app, so tests
 * can compare what the app fetched against what it needed.
 */
import { openAsBlob, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import initParquet, { ParquetFile } from 'parquet-wasm/esm/parquet_wasm.js';

let ready: Promise<unknown> | null = null;
function init(): Promise<unknown> {
  const require = createRequire(import.meta.url);
  ready ??= initParquet({ module_or_path: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  return ready;
}

interface Episode {
  episode: number;
  from: number;
  to: number;
  chunk: number;
  file: number;
}

async function episodes(root: string): Promise<Episode[]> {
  const out: Episode[] = [];
  const dir = path.join(root, 'meta/episodes');
  for (const chunk of readdirSync(dir).sort()) {
    for (const f of readdirSync(path.join(dir, chunk)).sort()) {
      const file = await ParquetFile.fromFile(await openAsBlob(path.join(dir, chunk, f)));
      const t = tableFromIPC(
        (await file.read({ columns: ['episode_index', 'dataset_from_index', 'dataset_to_index', 'data/chunk_index', 'data/file_index'] })).intoIPCStream(),
      );
      for (const r of t.toArray()) {
        const o = r.toJSON();
        out.push({ episode: Number(o.episode_index), from: Number(o.dataset_from_index), to: Number(o.dataset_to_index), chunk: Number(o['data/chunk_index']), file: Number(o['data/file_index']) });
      }
    }
  }
  return out;
}

/** Compressed bytes of `columns` (null: all) in the row groups that hold `wanted` episodes (null: all). */
export async function bytesNeeded(root: string, wanted: number[] | null, columns: string[] | null): Promise<number> {
  await init();
  const eps = await episodes(root);
  const byFile = new Map<string, Episode[]>();
  for (const e of eps) {
    const key = `data/chunk-${String(e.chunk).padStart(3, '0')}/file-${String(e.file).padStart(3, '0')}.parquet`;
    byFile.set(key, [...(byFile.get(key) ?? []), e]);
  }
  let bytes = 0;
  for (const [rel, list] of byFile) {
    const need = list.filter((e) => !wanted || wanted.includes(e.episode));
    if (!need.length) continue;
    const file = await ParquetFile.fromFile(await openAsBlob(path.join(root, rel)));
    let offset = Math.min(...list.map((e) => e.from));
    for (const rg of file.metadata().rowGroups()) {
      const [from, to] = [offset, offset + rg.numRows()];
      offset = to;
      if (!need.some((e) => e.from < to && e.to > from)) continue;
      for (const c of rg.columns()) if (!columns || columns.includes(c.columnPath()[0])) bytes += c.compressedSize();
    }
  }
  return bytes;
}

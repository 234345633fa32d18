/**
 * MCAP sources for the headless runner: a notebook's `mcap` sources as files the app's MCAP reader opens (http(s)
 * URLs read by range, local files as lazy Blobs, a folder as its `.mcap` files in name order, as a picked folder is
 * in the tab), and the native engine's side of the reader (DuckDB-WASM's side is the Workspace itself).
 */
import { openAsBlob } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SourceDecl } from '../ingest/source';
import { guessEpisodes, type McapEpisodes } from '../mcap';
import { buildMcapEpisodes } from '../../../workers/db/mcap-episodes';
import { McapSet, type McapEngine, type McapSpec } from '../../../workers/db/mcap-load';
import type { NativeDb } from './native-db';

/** The files behind a notebook's MCAP sources, in order; a missing path fails naming it. */
export async function mcapSpecs(sources: SourceDecl[], base: string): Promise<McapSpec[]> {
  const specs: McapSpec[] = [];
  for (const s of sources) {
    const url = s.url ?? '';
    if (/^https?:\/\//.test(url)) {
      specs.push({ url });
      continue;
    }
    const p = url.startsWith('file:') ? fileURLToPath(url) : path.resolve(base, url);
    const st = await stat(p).catch(() => null);
    if (!st) throw new Error(`MCAP source ${s.name}: ${p} does not exist.`);
    const files = st.isDirectory()
      ? (await readdir(p)).filter((f) => /\.mcap$/i.test(f)).sort().map((f) => path.join(p, f))
      : [p];
    if (!files.length) throw new Error(`MCAP source ${s.name}: the folder ${p} holds no .mcap files.`);
    for (const f of files) specs.push({ file: await openAsBlob(f), name: path.basename(f) });
  }
  return specs;
}

/**
 * Native DuckDB as the MCAP reader's engine: record batches reach DuckDB as Parquet, which it reads natively (the
 * node API has no Arrow insert). The runner's catalog counts rows itself, so declared counts are not needed.
 */
export function nativeMcapEngine(ndb: NativeDb): McapEngine {
  return {
    drop: (name) => ndb.drop(name),
    exec: (sql) => ndb.exec(sql),
    rows: (sql) => ndb.rows(sql),
    describe: (relation) => ndb.describe(relation),
    setRowCount: () => {},
    insertIpc: (name, ipc, create) => (create ? ndb.insertArrow(name, ipc) : ndb.appendArrow(name, ipc)),
  };
}

/** What opening MCAP sources on native DuckDB made: the episode mapping used and the frame rate it resamples to. */
export interface NativeMcap {
  episodes: McapEpisodes;
  warnings: string[];
}

/**
 * Opens MCAP files on native DuckDB with the app's reader: the five `mcap_*` tables, one table per topic, and
 * `episodes`/`frames` from the notebook's mapping (else the same guess the tab makes). Everything is read at once:
 * a batch run reads every topic it maps anyway, and native DuckDB holds it without the tab's memory bounds.
 */
export async function openNativeMcap(ndb: NativeDb, specs: McapSpec[], mapping: McapEpisodes | undefined, reserved: string[]): Promise<NativeMcap> {
  const engine = nativeMcapEngine(ndb);
  const set = await McapSet.open(engine, specs, new Set(['episodes', 'frames', 'tasks', ...reserved]));
  try {
    await set.loadAll();
    const info = set.info();
    const episodes = mapping ?? guessEpisodes(info.topics);
    const { fillFrames, warnings } = await buildMcapEpisodes(engine, set, episodes);
    await fillFrames();
    return { episodes, warnings: [...info.problems, ...warnings] };
  } catch (e) {
    // Nothing half-built stays behind for the notebook to query.
    await set.close().catch(() => {});
    throw e;
  }
}

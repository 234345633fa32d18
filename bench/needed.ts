/**
 * What a lazy reader must fetch, computed from the Parquet footers independently of the app (native DuckDB's
 * `parquet_metadata`): the compressed size of the needed column chunks of the needed row groups. The remote
 * rows of the benchmark divide the bytes the server really sent by this.
 */
import { openSync, readSync, closeSync, statSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { DatasetFacts, QuerySpec } from './workloads.ts';

/** Facts about one generated dataset. */
export interface DatasetInfo {
  dir: string;
  frames: number;
  episodes: number;
  dataFiles: string[];
  dataBytes: number;
  rowGroups: number;
  /** Row-group size the files were written with (largest row group). */
  rowGroupRows: number;
  facts: DatasetFacts;
}

/** Data files of a v3.0 dataset in index order (chunk, then file). */
export function dataFilesOf(dir: string): string[] {
  const root = path.join(dir, 'data');
  const out: string[] = [];
  for (const chunk of readdirSync(root).sort()) {
    for (const f of readdirSync(path.join(root, chunk)).sort()) if (f.endsWith('.parquet')) out.push(path.join(root, chunk, f));
  }
  return out;
}

/** Size of a Parquet file's footer (metadata + length + magic): what a reader fetches to open it. */
export function footerBytes(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const size = statSync(file).size;
    const buf = Buffer.alloc(8);
    readSync(fd, buf, 0, 8, size - 8);
    return buf.readUInt32LE(0) + 8;
  } finally {
    closeSync(fd);
  }
}

type Conn = { runAndReadAll(sql: string): Promise<{ getRowObjectsJS(): Record<string, unknown>[] }> };

async function connect(): Promise<Conn & { closeSync(): void }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  return inst.connect();
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** Reads a dataset's facts (frame columns, sizes) from its files. */
export async function describeDataset(dir: string): Promise<DatasetInfo> {
  const info = JSON.parse(readFileSync(path.join(dir, 'meta/info.json'), 'utf8')) as {
    fps: number;
    total_frames: number;
    total_episodes: number;
    features: Record<string, { shape?: number[] }>;
  };
  const dataFiles = dataFilesOf(dir);
  const conn = await connect();
  try {
    const cols = (await conn.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(dataFiles[0])})`)).getRowObjectsJS();
    const rg = (
      await conn.runAndReadAll(
        `SELECT count(*)::DOUBLE AS n, max(row_group_num_rows)::DOUBLE AS m FROM (SELECT DISTINCT file_name, row_group_id, row_group_num_rows FROM parquet_metadata([${dataFiles.map(lit).join(', ')}]))`,
      )
    ).getRowObjectsJS()[0];
    return {
      dir,
      frames: info.total_frames,
      episodes: info.total_episodes,
      dataFiles,
      dataBytes: dataFiles.reduce((s, f) => s + statSync(f).size, 0),
      rowGroups: Number(rg.n),
      rowGroupRows: Number(rg.m),
      facts: {
        fps: info.fps,
        frameColumns: cols.map((c) => ({ name: String(c.column_name), type: String(c.column_type) })),
        stateDims: info.features['observation.state']?.shape?.[0] ?? 8,
        actionDims: info.features.action?.shape?.[0] ?? 8,
      },
    };
  } finally {
    conn.closeSync();
  }
}

/**
 * Bytes each workload needs: for the queries, the needed column chunks of the row groups holding the needed
 * episodes; for `open`, the metadata files (info.json, the deployment log, the needed columns of tasks and episodes
 * Parquet, their footers, and the first data file's footer).
 */
export async function bytesNeeded(ds: DatasetInfo, queries: QuerySpec[]): Promise<Record<string, number>> {
  const conn = await connect();
  try {
    const chunks = (
      await conn.runAndReadAll(
        `SELECT file_name AS f, row_group_id::DOUBLE AS g, row_group_num_rows::DOUBLE AS n, split_part(path_in_schema, ', ', 1) AS c, total_compressed_size::DOUBLE AS b
         FROM parquet_metadata([${ds.dataFiles.map(lit).join(', ')}]) ORDER BY file_name, g`,
      )
    ).getRowObjectsJS();
    // Global index range of each row group: files hold consecutive frames, in order.
    const groups = new Map<string, { from: number; to: number; cols: Map<string, number> }>();
    let offset = 0;
    for (const f of ds.dataFiles) {
      const mine = chunks.filter((r) => r.f === f);
      const ids = [...new Set(mine.map((r) => Number(r.g)))].sort((a, b) => a - b);
      for (const g of ids) {
        const rows = mine.filter((r) => Number(r.g) === g);
        const n = Number(rows[0].n);
        const cols = new Map<string, number>();
        for (const r of rows) cols.set(String(r.c), (cols.get(String(r.c)) ?? 0) + Number(r.b));
        groups.set(`${f}#${g}`, { from: offset, to: offset + n, cols });
        offset += n;
      }
    }
    const eps = (
      await conn.runAndReadAll(
        `SELECT episode_index::DOUBLE AS e, dataset_from_index::DOUBLE AS a, dataset_to_index::DOUBLE AS b FROM read_parquet(${lit(path.join(ds.dir, 'meta/episodes/*/*.parquet'))})`,
      )
    ).getRowObjectsJS();
    const range = new Map(eps.map((r) => [Number(r.e), [Number(r.a), Number(r.b)] as const]));
    const out: Record<string, number> = {};
    for (const q of queries) {
      if (!q.columns) continue;
      const ranges = q.episodes?.map((e) => range.get(e)).filter((r): r is readonly [number, number] => !!r) ?? null;
      let bytes = 0;
      for (const g of groups.values()) {
        if (ranges && !ranges.some(([a, b]) => a < g.to && b > g.from)) continue;
        for (const c of q.columns) bytes += g.cols.get(c) ?? 0;
      }
      out[q.id] = bytes;
    }
    // Opening: metadata files, only the columns the app reads of the Parquet ones.
    const metaParquet = async (file: string, keep: (c: string) => boolean): Promise<number> => {
      const r = (
        await conn.runAndReadAll(`SELECT split_part(path_in_schema, ', ', 1) AS c, total_compressed_size::DOUBLE AS b FROM parquet_metadata(${lit(file)})`)
      ).getRowObjectsJS();
      return footerBytes(file) + r.filter((x) => keep(String(x.c))).reduce((s, x) => s + Number(x.b), 0);
    };
    const epFiles = readdirSync(path.join(ds.dir, 'meta/episodes'))
      .sort()
      .flatMap((c) => readdirSync(path.join(ds.dir, 'meta/episodes', c)).sort().map((f) => path.join(ds.dir, 'meta/episodes', c, f)));
    let open = statSync(path.join(ds.dir, 'meta/info.json')).size + statSync(path.join(ds.dir, 'deployment_log.csv')).size;
    open += await metaParquet(path.join(ds.dir, 'meta/tasks.parquet'), () => true);
    for (const f of epFiles) open += await metaParquet(f, (c) => !c.startsWith('stats/'));
    open += footerBytes(ds.dataFiles[0]);
    out.open = open;
    return out;
  } finally {
    conn.closeSync();
  }
}

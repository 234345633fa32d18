/**
 * Data files that do not match info.json, through the real loader (DuckDB-WASM in Node, parquet-wasm): the G1
 * sample with four bad files (tests/fixtures/datasets/broken/g1_bad_files), and every committed fixture, whose
 * files must all pass the check (no false alarms on data the project did not generate).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, initParquetForNode } from '../../tests/unit/helpers/node-engine';
import { folderSource } from '../../tests/unit/helpers/fs-source';
import { G1_BAD_FILES } from '../../tests/fixtures/gen/g1-bad-files';
import { createReader } from './reader';
import { openLeRobot, type DatasetSummary } from './lerobot';
import { FramesSource } from './frames-source';
import { compareSchema, describeMismatch, describeUnreadableParquet } from './data-file-check';
import type { Engine } from './engine';

const DATASETS = path.resolve(import.meta.dirname, '../../tests/fixtures/datasets');
const G1 = path.resolve(import.meta.dirname, '../../tests/fixtures/samples/lerobot/v21_unitree-g1_G1-policy-train');
const RAW_ENGINE = /Binder Error|Parquet error|Corrupt footer|Unexpected Type|out of spec|panicked|RuntimeError/;

async function open(dir: string): Promise<{ engine: Engine; frames: FramesSource; summary: DatasetSummary }> {
  await initParquetForNode();
  const { engine } = await createNodeEngine();
  const reader = createReader(await folderSource(dir));
  const summary = await openLeRobot(engine, reader);
  return { engine, frames: await FramesSource.open(engine, reader, summary), summary };
}

describe('the G1 sample with four data files that do not match info.json', () => {
  let engine: Engine;
  let frames: FramesSource;
  let summary: DatasetSummary;
  const lengths = readFileSync(path.join(DATASETS, G1_BAD_FILES.dir, 'meta/episodes.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { episode_index: number; length: number });
  beforeAll(async () => {
    ({ engine, frames, summary } = await open(path.join(DATASETS, G1_BAD_FILES.dir)));
  });

  it('opens, with the shape of the first file that matches, and names each bad file it read in one sentence', () => {
    expect(frames.columns.map((c) => c.name)).toEqual(expect.arrayContaining(['observation.state', 'action', 'episode_index', 'index']));
    const w = summary.warnings.join('\n');
    expect(w).toContain(`${G1_BAD_FILES.otherSchema} does not match info.json: it has none of the 7 columns info.json declares`);
    expect(w).toContain(`${G1_BAD_FILES.truncated} is truncated`);
    expect(w).toContain(`${G1_BAD_FILES.lfsPointer} is a Git LFS pointer, not the Parquet file itself`);
    expect(w).not.toMatch(RAW_ENGINE);
  });

  it('answers queries from the files that can be used, and says which ones it left out', async () => {
    const sql = 'SELECT episode_index, count(*) AS n FROM frames GROUP BY 1 ORDER BY 1';
    const load = await frames.prepare(sql);
    const rows = await engine.rows(sql);
    expect(rows.map((r) => Number(r.episode_index))).toEqual([...G1_BAD_FILES.good]);
    const actual = (e: number) => lengths[e].length - (e === G1_BAD_FILES.wrongLength ? G1_BAD_FILES.extraLength : 0);
    expect(rows.map((r) => Number(r.n))).toEqual(G1_BAD_FILES.good.map(actual));
    // Four files skipped, and one read although its row count is not the episode's length.
    expect(load!.fileNotes).toHaveLength(5);
    expect(load!.fileNotes).toContain(
      `data/chunk-000/episode_000005.parquet holds ${actual(5)} frames where the episode metadata says episode 5 has ${lengths[5].length}: it was read as it is, so that episode's frames and its metadata disagree.`,
    );
    const missing = load!.fileNotes.find((s) => s.startsWith(G1_BAD_FILES.missingColumn))!;
    expect(missing).toBe(
      `${G1_BAD_FILES.missingColumn} does not match info.json: it lacks the column action that info.json declares, and stores timestamp as DOUBLE where info.json declares float32; it was skipped (replace it with a matching file, or fix info.json).`,
    );
    for (const s of load!.fileNotes) expect(s).not.toMatch(RAW_ENGINE);
  });

  it('a query that needs only intact files skips nothing', async () => {
    const load = await frames.prepare('SELECT avg("observation.state"[1]) FROM frames WHERE episode_index = 4');
    expect(load!.fileNotes).toEqual([]);
    const [{ n }] = await engine.rows('SELECT count(*)::INT AS n FROM frames WHERE episode_index = 4');
    expect(n).toBe(lengths[4].length);
  });

  it('a query that needs only a bad file says so and returns no rows', async () => {
    const load = await frames.prepare('SELECT count(*) AS n FROM frames WHERE episode_index = 1');
    expect(load!.fileNotes).toEqual([expect.stringMatching(/^data\/chunk-000\/episode_000001\.parquet is truncated \(51,635 bytes/)]);
    const [{ n }] = await engine.rows('SELECT count(*)::INT AS n FROM frames WHERE episode_index = 1');
    expect(n).toBe(0);
  });
});

describe('every committed fixture and sample passes the check (no false alarms)', () => {
  const dirs = ['droid_mini', 'v20_mini', 'v21_chunk_index', 'v30_quirks', 'v30_mismatch'].map((d) => path.join(DATASETS, d));
  it.each([...dirs, G1, path.resolve(import.meta.dirname, '../../static/demo')])('%s', async (dir) => {
    const { frames, summary } = await open(dir);
    const load = await frames.prepare('SELECT count(*) AS n FROM frames');
    expect(load!.fileNotes).toEqual([]);
    expect(summary.warnings.filter((w) => /does not match info\.json|not a Parquet|truncated|damaged|holds .* frames where/.test(w))).toEqual([]);
  });
});

describe('the sentences', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('name what a non-Parquet file holds instead', () => {
    expect(describeUnreadableParquet('a.parquet', enc('<!DOCTYPE html><html>'), enc('</html>\n'), 1000)).toMatch(/^a\.parquet is not a Parquet file \(it holds an HTML or XML page/);
    expect(describeUnreadableParquet('a.parquet', enc('{"error": "x"}'), enc('x"}'), 14)).toMatch(/it holds JSON/);
    expect(describeUnreadableParquet('a.parquet', new Uint8Array(0), new Uint8Array(0), 0)).toMatch(/is empty/);
    expect(describeUnreadableParquet('a.parquet', enc('PAR1xxxx'), enc('PAR1'), 8)).toMatch(/is damaged/);
  });
  it('accept a shape-[1] feature stored as a scalar or a one-element list, and extra columns', () => {
    const info = { features: [
      { key: 'timestamp', dtype: 'float32', shape: [1], names: null, isVideo: false, isNumeric: true },
      { key: 'state', dtype: 'float32', shape: [6], names: null, isVideo: false, isNumeric: true },
      { key: 'cam', dtype: 'video', shape: [3, 4, 5], names: null, isVideo: true, isNumeric: false },
    ] };
    const ok = compareSchema([{ name: 'timestamp', type: 'FLOAT[]' }, { name: 'state', type: 'FLOAT[6]' }, { name: 'debug', type: 'DOUBLE' }], info);
    expect(describeMismatch('f', ok, 2)).toBeNull();
    expect(ok.extra).toEqual(['debug']);
    const scalarState = compareSchema([{ name: 'timestamp', type: 'FLOAT' }, { name: 'state', type: 'FLOAT' }], info);
    expect(describeMismatch('f', scalarState, 2)).toBe('f does not match info.json: it stores state as FLOAT where info.json declares float32 × 6; it was skipped (replace it with a matching file, or fix info.json).');
  });
});

/**
 * The generated LeRobot fixtures (tests/fixtures/datasets, written by tests/fixtures/gen) against the app's loader:
 * every layout and quirk real datasets have, opened the way the app opens a picked folder.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, initParquetForNode } from './helpers/node-engine';
import { folderSource } from './helpers/fs-source';
import { createReader, type DatasetReader } from '../../workers/db/reader';
import { EPISODES_META, loadFrames, openLeRobot, type DatasetSummary } from '../../workers/db/lerobot';
import { buildEpisodesView } from '../../workers/db/episodes-view';
import { parquetColumns } from '../../workers/db/parquet-load';
import type { Engine } from '../../workers/db/engine';
import { fixtureFacts, generateFixtures, type FixtureFacts } from '../fixtures/gen/fixtures';
import { hashTree } from './helpers/hash-tree';
import { so101Spec } from '../fixtures/gen/so101';
import { writeLeRobot } from '../fixtures/gen/writer';

const DATASETS = path.resolve(import.meta.dirname, '../fixtures/datasets');
const FACTS = fixtureFacts();
const DEFAULT_COLUMNS = ['timestamp', 'frame_index', 'episode_index', 'index', 'task_index'];

let engine: Engine;
beforeAll(async () => {
  await initParquetForNode();
  ({ engine } = await createNodeEngine());
});


async function open(name: string): Promise<{ reader: DatasetReader; summary: DatasetSummary }> {
  const reader = createReader(await folderSource(path.join(DATASETS, name)));
  return { reader, summary: await openLeRobot(engine, reader) };
}

/** Opens and loads a dataset completely; returns the error it fails with (or null). */
async function failure(name: string): Promise<Error | null> {
  try {
    const { reader, summary } = await open(name);
    await loadFrames(engine, reader, summary);
    return null;
  } catch (e) {
    return e as Error;
  }
}

/**
 * The folders of tests/fixtures/datasets this generator writes. Others beside them come from their own generators
 * (so101_degrees: tests/fixtures/gen/so101.ts; so101_fleet: `npm run fleet`), each with its own reproducibility test.
 */
const OWN_DIRS = ['README.md', 'broken', 'droid_mini', 'v20_mini', 'v21_chunk_index', 'v30_mismatch', 'v30_quirks'];

/** The entries of a hashed tree under {@link OWN_DIRS}. */
function ownTree(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).filter(([p]) => OWN_DIRS.includes(p.split(path.sep)[0])));
}

describe('fixture generator', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'flywheel-fixtures-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('regenerates the committed fixtures byte for byte (run `npx tsx tests/fixtures/gen/cli.ts` after changing it)', async () => {
    await generateFixtures(tmp);
    expect(hashTree(tmp)).toEqual(ownTree(hashTree(DATASETS)));
  });

  it('regenerates the committed SO-101 degrees fixture byte for byte (`npx tsx tests/fixtures/gen/so101.ts`)', async () => {
    const out = path.join(tmp, 'so101_degrees');
    await writeLeRobot(out, so101Spec());
    expect(hashTree(out)).toEqual(hashTree(path.join(DATASETS, 'so101_degrees')));
  });

  it('keeps all fixtures under 3 MB', () => {
    let total = 0;
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else total += statSync(p).size;
      }
    };
    for (const dir of OWN_DIRS) {
      const p = path.join(DATASETS, dir);
      if (statSync(p).isDirectory()) walk(p);
      else total += statSync(p).size;
    }
    expect(total).toBeLessThan(3 * 1024 * 1024);
  });
});

describe.each(Object.entries(FACTS))('fixture %s', (name: string, facts: FixtureFacts) => {
  let summary: DatasetSummary;
  let frames: number;

  beforeAll(async () => {
    const opened = await open(name);
    summary = opened.summary;
    frames = await loadFrames(engine, opened.reader, summary);
    await buildEpisodesView(engine, summary.info.fps);
  });

  it('reports its version, episodes and frames', async () => {
    expect(summary.info.version).toBe(facts.version);
    expect(summary.dataFiles).toHaveLength(facts.dataFiles);
    expect(frames).toBe(facts.frames);
    const [ep] = await engine.rows('SELECT count(*) AS n, sum(length)::BIGINT AS frames FROM episodes');
    expect(ep).toEqual({ n: facts.episodes, frames: facts.frames });
    const [fr] = await engine.rows('SELECT count(*) AS n, count(DISTINCT episode_index) AS e FROM frames');
    expect(fr).toEqual({ n: facts.frames, e: facts.episodes });
    const bad = await engine.rows(
      'SELECT e.episode_index FROM episodes e LEFT JOIN (SELECT episode_index, count(*) AS n FROM frames GROUP BY 1) f USING (episode_index) WHERE f.n IS DISTINCT FROM e.length',
    );
    expect(bad).toEqual([]);
  });

  it('has every numeric feature (and extra column) as a frames column', async () => {
    const cols = (await engine.describe('frames')).map((c) => c.name);
    for (const c of [...facts.numericColumns, ...DEFAULT_COLUMNS]) expect(cols, c).toContain(c);
  });

  it('normalises feature names', () => {
    for (const [key, names] of Object.entries(facts.names)) {
      expect(summary.info.features.find((f) => f.key === key)?.names, key).toEqual(names);
    }
  });

  it('resolves the task text of every episode', async () => {
    const viaEpisodes = await engine.rows('SELECT episode_index, task FROM episodes ORDER BY episode_index');
    expect(viaEpisodes.map((r) => r.task)).toEqual(facts.tasks);
    const viaFrames = await engine.rows(
      'SELECT f.episode_index, any_value(t.task) AS task, count(DISTINCT t.task) AS n FROM frames f LEFT JOIN tasks t USING (task_index) GROUP BY 1 ORDER BY 1',
    );
    expect(viaFrames.map((r) => r.task)).toEqual(facts.tasks);
    expect(viaFrames.every((r) => r.n === 1)).toBe(true);
  });

  it('has a consistent global index within each episode', async () => {
    const bad = await engine.rows(
      'SELECT episode_index FROM frames GROUP BY 1 HAVING min(frame_index) <> 0 OR max(frame_index) <> count(*) - 1 OR max(index) - min(index) <> count(*) - 1',
    );
    expect(bad).toEqual([]);
  });

  if (name !== 'v30_mismatch') {
    it('opens without warnings', () => expect(summary.warnings).toEqual([]));
  }
});

describe('DROID-schema v3.0 (droid_mini)', () => {
  const facts = FACTS.droid_mini;
  let reader: DatasetReader;
  let summary: DatasetSummary;
  beforeAll(async () => {
    ({ reader, summary } = await open('droid_mini'));
    await loadFrames(engine, reader, summary);
    await buildEpisodesView(engine, summary.info.fps);
  });

  it('reads episode metadata split over two files', async () => {
    const files = await engine.rows(`SELECT "meta/episodes/file_index" AS f, count(*) AS n FROM ${EPISODES_META} GROUP BY 1 ORDER BY 1`);
    expect(files).toEqual([
      { f: 0, n: 10 },
      { f: 1, n: 14 },
    ]);
    expect(summary.dataFiles).toEqual(['data/chunk-000/file-000.parquet', 'data/chunk-000/file-001.parquet']);
    expect(summary.info.robotType).toBe('Franka');
    expect(summary.info.fps).toBe(15);
  });

  it('has episodes that span row-group boundaries (the fixture exercises what it claims)', async () => {
    const file = await reader.parquet('data/chunk-000/file-000.parquet');
    const meta = file.metadata();
    const groups = Array.from({ length: meta.numRowGroups() }, (_, g) => meta.rowGroup(g).numRows());
    file.free();
    expect(groups.length).toBeGreaterThan(2);
    expect(groups.slice(0, -1).every((n) => n === 256)).toBe(true);
    const spanning = await engine.rows(
      `SELECT episode_index FROM ${EPISODES_META} WHERE "data/file_index" = 0 AND dataset_from_index // 256 <> (dataset_to_index - 1) // 256`,
    );
    expect(spanning.length).toBeGreaterThan(0);
  });

  it('keeps is_episode_successful constant within each episode, with 1/3 failures', async () => {
    const rows = await engine.rows(
      'SELECT episode_index, bool_and(is_episode_successful) AS ok, count(DISTINCT is_episode_successful) AS k FROM frames GROUP BY 1 ORDER BY 1',
    );
    expect(rows.map((r) => r.ok)).toEqual(facts.success);
    expect(rows.every((r) => r.k === 1)).toBe(true);
    expect(facts.success!.filter((s) => !s)).toHaveLength(8);
  });

  it('keeps the values intact across row groups and files (state = joints ++ gripper, is_first/is_last)', async () => {
    const [r] = await engine.rows(`
      SELECT
        count(*) FILTER (WHERE "observation.state"[1] <> "observation.state.joint_position"[1]
                            OR "observation.state"[7] <> "observation.state.joint_position"[7]
                            OR "observation.state"[8] <> "observation.state.gripper_position"
                            OR "action"[8] <> "action.gripper_position") AS bad_concat,
        count(*) FILTER (WHERE is_first) AS firsts,
        count(*) FILTER (WHERE is_last AND frame_index = (SELECT length FROM episodes e WHERE e.episode_index = frames.episode_index) - 1) AS lasts,
        count(*) FILTER (WHERE task_category <> building) AS category_not_building
      FROM frames`);
    expect(r).toEqual({ bad_concat: 0, firsts: facts.episodes, lasts: facts.episodes, category_not_building: 0 });
  });

  it('lists the video keys although no mp4 is present, and does not load them as columns', async () => {
    const videos = summary.info.features.filter((f) => f.isVideo).map((f) => f.key);
    expect(videos).toEqual(['observation.images.wrist_left', 'observation.images.exterior_1_left', 'observation.images.exterior_2_left']);
    const cols = (await engine.describe('frames')).map((c) => c.name);
    for (const v of videos) expect(cols).not.toContain(v);
    for (const s of ['language_instruction', 'building', 'collector_id', 'date']) expect(cols).toContain(s);
  });

  it('finds the task text in tasks.parquet column __index_level_0__', async () => {
    const file = await reader.parquet('meta/tasks.parquet');
    expect(parquetColumns(file)).toContain('__index_level_0__');
    file.free();
    const [t] = await engine.rows('SELECT count(*) AS n FROM tasks');
    expect(t.n).toBe(new Set(facts.tasks).size);
  });
});

describe('v2.0 (v20_mini)', () => {
  it('marks next.success on the last frame of successful episodes only', async () => {
    const { reader, summary } = await open('v20_mini');
    await loadFrames(engine, reader, summary);
    const rows = await engine.rows(
      `SELECT episode_index, bool_or("next.success") AS ok, count(*) FILTER (WHERE "next.success") AS n,
              bool_or("next.done" AND frame_index = (SELECT max(frame_index) FROM frames g WHERE g.episode_index = frames.episode_index)) AS done_last
       FROM frames GROUP BY 1 ORDER BY 1`,
    );
    expect(rows.map((r) => r.ok)).toEqual(FACTS.v20_mini.success);
    expect(rows.every((r) => r.n === (r.ok ? 1 : 0) && r.done_last === true)).toBe(true);
  });
});

describe('v2.1 with {chunk_index} templates (v21_chunk_index)', () => {
  it('formats data paths from the template and loads the undeclared extra column', async () => {
    const { reader, summary } = await open('v21_chunk_index');
    expect(summary.info.dataPath).toBe('data/chunk-{chunk_index:03d}/episode_{episode_index:06d}.parquet');
    expect(summary.dataFiles[3]).toBe('data/chunk-000/episode_000003.parquet');
    await loadFrames(engine, reader, summary);
    const [r] = await engine.rows('SELECT count(*) FILTER (WHERE extra_debug <> episode_index * 1000 + frame_index + 0.5) AS bad FROM frames');
    expect(r.bad).toBe(0);
  });
});

describe('v3.0 quirks (v30_quirks)', () => {
  it('loads actions/state with an image column present, one episode per data file, tasks in a `task` column', async () => {
    const { reader, summary } = await open('v30_quirks');
    expect(summary.dataFiles).toEqual([0, 1, 2, 3].map((i) => `data/chunk-000/file-00${i}.parquet`));
    expect(summary.info.features.find((f) => f.key === 'image')?.dtype).toBe('image');
    const tasksFile = await reader.parquet('meta/tasks.parquet');
    expect(parquetColumns(tasksFile)).toContain('task');
    expect(parquetColumns(tasksFile)).not.toContain('__index_level_0__');
    tasksFile.free();
    expect(await loadFrames(engine, reader, summary)).toBe(FACTS.v30_quirks.frames);
    const [w] = await engine.rows('SELECT len(actions) AS a, len(state) AS s FROM frames LIMIT 1');
    expect(w).toEqual({ a: 7, s: 7 });
    const tasks = await engine.rows('SELECT task FROM tasks ORDER BY task_index');
    expect(tasks.map((t) => t.task)).toEqual(['pick up the cube', 'place the cube in the bin']);
  });
});

describe('info.json totals that disagree with the files (v30_mismatch)', () => {
  let summary: DatasetSummary;
  let frames: number;
  beforeAll(async () => {
    const opened = await open('v30_mismatch');
    summary = opened.summary;
    frames = await loadFrames(engine, opened.reader, summary);
  });

  it('loads what is there', () => {
    expect(frames).toBe(FACTS.v30_mismatch.frames);
  });

  it('warns that info.json claims 10 episodes where the metadata lists 6', () => {
    expect(summary.warnings.some((w) => /\b10\b/.test(w) && /\b6\b/.test(w))).toBe(true);
  });

  // Expected to FAIL with the loader as of this commit: openLeRobot (workers/db/lerobot.ts) only compares
  // total_episodes; nothing compares info.json's total_frames (999) with the episode lengths in the metadata
  // (sum(length)) or with the frames loaded.
  it('warns that info.json claims 999 frames where the episodes hold fewer', () => {
    const actual = String(FACTS.v30_mismatch.frames);
    expect(summary.warnings.some((w) => w.includes('999') && w.includes(actual)), JSON.stringify(summary.warnings)).toBe(true);
  });
});

describe('broken datasets fail with an error that names the file and the problem', () => {
  it('invalid JSON in meta/info.json', async () => {
    const e = await failure('broken/not_json');
    expect(e).toBeInstanceOf(Error);
    expect(e!.message).toMatch(/meta\/info\.json/);
    expect(e!.message).toMatch(/not valid JSON/);
  });

  // Expected to FAIL with the loader as of this commit: parquet-wasm rejects PARQUET-1481 with "Parquet error: Unexpected
  // Type -7", which describeWasmError (workers/db/reader.ts) does not recognise, so the message names the file but does
  // not say that it is not valid Parquet. (The truncated file's "Corrupt footer" is recognised.)
  it('a corrupt data file (parquet-testing PARQUET-1481)', async () => {
    const e = await failure('broken/corrupt_data');
    expect(e).toBeInstanceOf(Error);
    expect(e!.message).toMatch(/data\/chunk-000\/file-000\.parquet/);
    expect(e!.message).toMatch(/not valid Parquet|truncated|damaged|corrupt/i);
  });

  it('a data file truncated to half its length', async () => {
    const e = await failure('broken/truncated_data');
    expect(e).toBeInstanceOf(Error);
    expect(e!.message).toMatch(/data\/chunk-000\/file-000\.parquet/);
    expect(e!.message).toMatch(/not valid Parquet|truncated|damaged|corrupt/i);
  });

  it('a data file the metadata points at but that does not exist', async () => {
    const e = await failure('broken/missing_data');
    expect(e).toBeInstanceOf(Error);
    expect(e!.message).toMatch(/data\/chunk-000\/file-001\.parquet/);
    expect(e!.message).toMatch(/missing|does not exist|not found/i);
  });
});

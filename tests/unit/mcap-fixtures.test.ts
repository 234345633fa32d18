/**
 * Generated MCAP files (tests/fixtures/gen/mcap.ts → tests/fixtures/mcap/) for what no sample covers, opened into the
 * real DuckDB-WASM through the Workspace: lz4 and zstd chunks, protobuf, JSON (with and without a schema), ROS 1,
 * ROS 2 IDL, unindexed, truncated, a corrupted chunk, line-ending damage, no messages, many topics.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { ipcToRows } from '../../src/lib/db/arrow';
import { Workspace } from '../../workers/db/workspace';
import { generateMcapFixtures, imuMessage, T0 } from '../fixtures/gen/mcap';
import { createNodeEngine } from './helpers/node-engine';

const DIR = path.resolve(import.meta.dirname, '../fixtures/mcap');
const file = (name: string) => ({ file: new Blob([readFileSync(path.join(DIR, name))]), name });

async function open(...names: string[]) {
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  const info = await ws.openMcap(names.map(file));
  const rows = async (sql: string) => ipcToRows((await ws.query(sql, 1)).ipc);
  return { ws, info, rows };
}

/** What the IMU fixture's first `n` messages hold. */
const imuRows = (n: number) => Array.from({ length: n }, (_, i) => imuMessage(i)).map((m) => ({ ax: m.ax, gz: m.gz, frame: m.frame, stamp_ok: true }));

const IMU_SQL = `SELECT linear_acceleration.x AS ax, angular_velocity.z AS gz, header.frame_id AS frame, header.stamp = log_time AS stamp_ok FROM imu_data ORDER BY log_time`;

describe.each(['imu-lz4.mcap', 'imu-zstd.mcap'])('%s', (name) => {
  test('every chunk decompresses (pure-JS codec) and every value comes back', async () => {
    const { info, rows } = await open(name);
    expect(info.files[0]).toMatchObject({ mode: 'indexed', messages: 220 });
    expect(info.problems).toEqual([]);
    expect(await rows(IMU_SQL)).toEqual(imuRows(200));
    expect(await rows(`SELECT data FROM status ORDER BY log_time`)).toEqual(Array.from({ length: 20 }, (_, i) => ({ data: `status ${i}` })));
    const [f] = await rows(`SELECT compression, chunks > 5 AS many FROM mcap_files`);
    expect(f).toEqual({ compression: [name.includes('lz4') ? 'lz4' : 'zstd'], many: true });
  });
});

test('unindexed: read front to back at open, same values', async () => {
  const { info, rows } = await open('imu-unindexed.mcap');
  expect(info.files[0].mode).toBe('streamed');
  expect(info.problems).toEqual([]);
  expect(await rows(IMU_SQL)).toEqual(imuRows(200));
});

test('truncated: complete chunks kept, and the message says what was lost', async () => {
  const { info, rows } = await open('imu-truncated.mcap');
  expect(info.files[0].mode).toBe('streamed');
  const msg = info.problems.join('\n');
  expect(msg).toMatch(/imu-truncated\.mcap is truncated: it ends at byte 9620 inside an incomplete chunk \(\d+ of \d+ bytes present\) with messages logged \d+ ns–\d+ ns/);
  expect(msg).toMatch(/Kept every complete record before it \((\d+) messages\)/);
  const kept = Number(/\((\d+) messages\)/.exec(msg)![1]);
  const n = (await rows(`SELECT count(*)::INT AS n FROM imu_data`))[0].n as number;
  // What was kept is a prefix of the file, value for value.
  expect(n).toBeGreaterThan(50);
  expect(n).toBeLessThan(200);
  expect(kept).toBeGreaterThanOrEqual(n as number);
  expect(await rows(IMU_SQL)).toEqual(imuRows(n));
});

test('a chunk failing its CRC is skipped with a note; every other chunk is read', async () => {
  const { ws, info, rows } = await open('imu-crc.mcap');
  expect(info.files[0].mode).toBe('indexed');
  // Reading every topic reads whole chunks, so each chunk's CRC is checked (the damage shows up then).
  const after = await ws.loadAllMcap();
  expect(after.problems.join('\n')).toMatch(/The chunk at byte \d+ of imu-crc\.mcap \(messages logged \d+–\d+ ns\) is damaged and was skipped: a chunk fails its CRC check \(stored \d+, computed \d+\)\. Every other chunk was read\./);
  const [{ n }] = await rows(`SELECT count(*)::INT AS n FROM imu_data`);
  expect(n).toBeGreaterThan(150);
  expect(n).toBeLessThan(200);
  // Every message kept is intact: exactly the values written for it (matched by its log time).
  const got = await rows(`SELECT ((log_time - ${T0}) // 5000000)::INT AS i, linear_acceleration.x AS ax, angular_velocity.z AS gz FROM imu_data ORDER BY log_time`);
  expect(got.every((r) => r.ax === imuMessage(r.i as number).ax && r.gz === imuMessage(r.i as number).gz)).toBe(true);
});

test('line-ending damage: a clear error naming the conversion', async () => {
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  await expect(ws.openMcap([file('imu-crlf.mcap')])).rejects.toThrow(/magic bytes end "0\\n" instead of "0\\r\\n".*line endings were converted \(CRLF → LF\)/);
});

test('no messages: tables exist, empty, and the file says so', async () => {
  const { info, rows } = await open('no-messages.mcap');
  expect(info.problems).toEqual(['no-messages.mcap holds 1 channel(s) but no messages.']);
  expect(await rows(`SELECT count(*)::INT AS n FROM imu_data`)).toEqual([{ n: 0 }]);
  expect(await rows(`SELECT messages::INT AS m FROM mcap_files`)).toEqual([{ m: 0 }]);
});

test('protobuf: nested, repeated, enum by name, int64 exact, bytes, map, Timestamp as ns', async () => {
  const { info, rows, ws } = await open('protobuf.mcap');
  expect(info.problems).toEqual([]);
  const r = await rows(`SELECT stamp = log_time AS stamp_ok, episode::VARCHAR AS episode, force, joints, result, target, blob, tags FROM grasp ORDER BY log_time`);
  expect(r).toHaveLength(20);
  expect(r[4]).toEqual({
    stamp_ok: true,
    episode: '9007199254740997',
    force: 6,
    joints: [4, 4.5, -4],
    result: 'SUCCESS',
    target: { name: 'bin_0', x: 1, y: -1 },
    blob: Uint8Array.from([4, 251]),
    tags: [{ key: 'tries', value: 4 }],
  });
  const types = Object.fromEntries((await ws.catalog()).find((t) => t.name === 'grasp')!.columns.map((c) => [c.name, c.type]));
  expect(types).toMatchObject({ stamp: 'BIGINT', episode: 'BIGINT', force: 'DOUBLE', joints: 'FLOAT[]', result: 'VARCHAR', blob: 'BLOB' });
});

test('JSON: columns from the JSON Schema; schemaless from the first message (disagreeing values NULL); metadata and attachments', async () => {
  const { rows } = await open('json.mcap');
  const g = await rows(`SELECT stamp = log_time AS stamp_ok, gripper, closed, mode, joints, count FROM gripper ORDER BY log_time`);
  expect(g).toHaveLength(12);
  expect(g[7]).toEqual({ stamp_ok: true, gripper: 7 / 11, closed: true, mode: 'pinch', joints: [7, -7], count: 7000 });
  const notes = await rows(`SELECT text, severity, pos FROM operator_note ORDER BY log_time`);
  expect(notes).toEqual([
    { text: 'note 0', severity: 0, pos: { x: 0, y: 1 } },
    { text: 'note 1', severity: 1, pos: { x: 4, y: 1 } },
    { text: 'note 2', severity: null, pos: { x: 8, y: 1 } },
  ]);
  expect(await rows(`SELECT name, metadata['task'] AS task, metadata['operator'] AS op FROM mcap_metadata`)).toEqual([{ name: 'episode', task: 'pick the cube', op: 'op-7' }]);
  const [a] = await rows(`SELECT name, media_type, size::INT AS size, decode(data) AS text FROM mcap_attachments`);
  expect(a).toEqual({ name: 'calibration.yaml', media_type: 'application/yaml', size: 27, text: 'camera: {fx: 600, fy: 600}\n' });
  expect(await rows(`SELECT topic, metadata['source'] AS source FROM mcap_channels WHERE topic = '/operator/note'`)).toEqual([{ topic: '/operator/note', source: 'tablet' }]);
});

test('ROS 1: header time as ns, nested pose', async () => {
  const { rows } = await open('ros1.mcap');
  const r = await rows(`SELECT header.seq AS seq, header.stamp = log_time AS stamp_ok, pose.position.y AS y FROM pose ORDER BY log_time`);
  expect(r).toEqual(Array.from({ length: 10 }, (_, i) => ({ seq: i, stamp_ok: true, y: 2 * i })));
  expect(await rows(`SELECT profile FROM mcap_files`)).toEqual([{ profile: 'ros1' }]);
});

test('ROS 2 IDL: structs and sequences from an .idl schema', async () => {
  const { rows } = await open('ros2idl.mcap');
  const r = await rows(`SELECT force, torque.y AS ty, samples, source FROM wrench ORDER BY log_time`);
  expect(r[3]).toEqual({ force: { x: 3, y: 0, z: -9.8 }, ty: 1.5, samples: [3, 6], source: 'ft_3' });
  expect(r).toHaveLength(8);
});

test('many topics: one table each, names sanitised and unique', async () => {
  const { info, rows, ws } = await open('many-topics.mcap');
  expect(info.topics).toHaveLength(60);
  const names = info.topics.map((t) => t.table);
  expect(new Set(names).size).toBe(60);
  expect(info.topics.find((t) => t.topic === '/arm_3/joint_7')!.table).toBe('arm_3_joint_7');
  expect(info.topics.find((t) => t.topic === '/arm_0/joint-1')!.table).toBe('arm_0_joint_1_2');
  const cat = await ws.catalog();
  expect(cat.filter((t) => t.name.startsWith('arm_')).every((t) => t.rows === 2)).toBe(true);
  expect(await rows(`SELECT data FROM arm_5_joint_8 ORDER BY log_time`)).toEqual([{ data: '58:0' }, { data: '58:1' }]);
  expect(await rows(`SELECT data, log_time - ${T0} AS dt FROM arm_0_joint_1_2 ORDER BY log_time`)).toEqual([{ data: '59:0', dt: 59_000_000 }, { data: '59:1', dt: 119_000_000 }]);
});

test('the committed fixtures are what the generator writes', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'mcap-fixtures-'));
  const made = await generateMcapFixtures(out);
  for (const f of made) expect(readFileSync(path.join(out, f.name)).equals(readFileSync(path.join(DIR, f.name))), f.name).toBe(true);
  expect(readdirSync(DIR).filter((f) => f.endsWith('.mcap')).sort()).toEqual(made.map((f) => f.name).sort());
});

/**
 * Real ROS 2 bags (tests/fixtures/samples/mcap/rosbag2, from ros2/rosbag2) opened into the real DuckDB-WASM
 * through the Workspace: message counts per topic, decoded values checked against the message definitions
 * (test_msgs/msg/BasicTypes and Arrays, rcl_interfaces/msg/Log), and a per-channel error for a bad encoding.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ipcToRows } from '../../src/lib/db/arrow';
import { Workspace } from '../../workers/db/workspace';
import { createNodeEngine } from './helpers/node-engine';

const DIR = path.resolve(import.meta.dirname, '../fixtures/samples/mcap/rosbag2');
const file = (name: string) => ({ file: new Blob([readFileSync(path.join(DIR, name))]), name });

async function open(...names: string[]): Promise<{ ws: Workspace; info: Awaited<ReturnType<Workspace['openMcap']>> }> {
  const { engine } = await createNodeEngine();
  const ws = new Workspace(engine);
  const info = await ws.openMcap(names.map(file));
  return { ws, info };
}

const rows = async (ws: Workspace, sql: string) => ipcToRows((await ws.query(sql, 1)).ipc);

describe('talker.mcap (zstd chunk, rcl_interfaces/msg/Log and std_msgs/msg/String)', () => {
  let ws: Workspace;
  let info: Awaited<ReturnType<Workspace['openMcap']>>;
  beforeAll(async () => ({ ws, info } = await open('talker.mcap')));

  test('one table per topic with its message count; the metadata tables describe the file', async () => {
    expect(info.topics.map((t) => [t.topic, t.table, t.rows]).sort()).toEqual([
      ['/parameter_events', 'parameter_events', 0],
      ['/rosout', 'rosout', 10],
      ['/topic', 'topic', 10],
    ]);
    const cat = Object.fromEntries((await ws.catalog()).map((t) => [t.name, t.rows]));
    expect(cat).toMatchObject({ rosout: 10, topic: 10, parameter_events: 0, mcap_files: 1, mcap_channels: 3, mcap_schemas: 3 });
    const [f] = await rows(ws, `SELECT profile, library, read_mode, messages::INT AS messages, compression FROM mcap_files`);
    expect(f).toEqual({ profile: 'ros2', library: 'mcap go #(devel)', read_mode: 'indexed', messages: 20, compression: ['zstd'] });
    const ch = await rows(ws, `SELECT topic, schema_name, message_count::INT AS n, decoded, metadata['offered_qos_profiles'] LIKE '- history: 3%' AS qos FROM mcap_channels ORDER BY topic`);
    expect(ch).toEqual([
      { topic: '/parameter_events', schema_name: 'rcl_interfaces/msg/ParameterEvent', n: 0, decoded: true, qos: true },
      { topic: '/rosout', schema_name: 'rcl_interfaces/msg/Log', n: 10, decoded: true, qos: true },
      { topic: '/topic', schema_name: 'std_msgs/msg/String', n: 10, decoded: true, qos: true },
    ]);
  });

  test('decoded values: strings, a builtin_interfaces/Time as BIGINT nanoseconds, log times', async () => {
    const t = await rows(ws, `SELECT data, sequence, log_time FROM topic ORDER BY log_time`);
    expect(t.map((r) => r.data)).toEqual(Array.from({ length: 10 }, (_, i) => `Hello, world! ${i}`));
    const r = await rows(ws, `SELECT stamp, level, name, msg, function, line FROM rosout ORDER BY log_time LIMIT 1`);
    // BIGINT beyond 2^53 arrives as text from the app's row reader (exact), smaller ones as numbers.
    expect(r[0]).toEqual({ stamp: '1585866235112130688', level: 20, name: 'minimal_publisher', msg: "Publishing: 'Hello, world! 0'", function: 'operator()', line: 38 });
    const types = Object.fromEntries((await ws.catalog()).find((x) => x.name === 'rosout')!.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ log_time: 'BIGINT', publish_time: 'BIGINT', sequence: 'UINTEGER', stamp: 'BIGINT', level: 'UTINYINT', line: 'UINTEGER', mcap_file: 'INTEGER' });
  });
});

describe('cdr_test_0.mcap (test_msgs BasicTypes and Arrays, uncompressed)', () => {
  let ws: Workspace;
  beforeAll(async () => ({ ws } = await open('cdr_test_0.mcap')));

  test('counts and every BasicTypes field with its ROS type', async () => {
    const cat = Object.fromEntries((await ws.catalog()).map((t) => [t.name, t]));
    expect(cat.test_topic.rows).toBe(3);
    expect(cat.array_topic.rows).toBe(4);
    const r = await rows(ws, `SELECT * EXCLUDE (log_time, publish_time, sequence, mcap_file) FROM test_topic ORDER BY log_time`);
    expect(r).toHaveLength(3);
    expect(r[0]).toEqual({
      bool_value: false, byte_value: 0, char_value: 0, float32_value: 0, float64_value: 0, int8_value: 0, uint8_value: 0,
      int16_value: 0, uint16_value: 0, int32_value: 123, uint32_value: 0, int64_value: 0, uint64_value: 0,
    });
    const types = Object.fromEntries(cat.test_topic.columns.map((c: { name: string; type: string }) => [c.name, c.type]));
    expect(types).toMatchObject({ bool_value: 'BOOLEAN', float32_value: 'FLOAT', float64_value: 'DOUBLE', int8_value: 'TINYINT', uint16_value: 'USMALLINT', int64_value: 'BIGINT', uint64_value: 'UBIGINT' });
  });

  test('fixed arrays as lists, uint8 arrays as BLOB, nested message arrays as lists of structs', async () => {
    const [a] = await rows(ws, `SELECT bool_values, float64_values, int32_values, string_values, uint8_values, len(basic_types_values) AS n,
      basic_types_values[1].int32_value AS nested, defaults_values[2] AS d, int8_values_default, float64_values_default,
      uint64_values_default::VARCHAR[] AS u64, uint8_values_default, alignment_check FROM array_topic ORDER BY log_time LIMIT 1`);
    expect(a.bool_values).toEqual([true, false, true]);
    expect(a.float64_values).toEqual([0, 0, 0]);
    expect(a.int32_values).toEqual([0, 0, 0]);
    expect(a.string_values).toEqual(['Complex Hello1', 'Complex Hello2', 'Complex Hello3']);
    expect(a.uint8_values).toEqual(new Uint8Array([0, 0, 0]));
    expect(a.n).toBe(3);
    expect(a.nested).toBe(0);
    // test_msgs/Defaults: the values its definition declares.
    expect(a.d).toEqual({ bool_value: true, byte_value: 50, char_value: 100, float32_value: 1.125, float64_value: 1.125, int8_value: -50, uint8_value: 200, int16_value: -1000, uint16_value: 2000, int32_value: -30000, uint32_value: 60000, int64_value: -40000000, uint64_value: 50000000 });
    expect(a.int8_values_default).toEqual([0, 127, -128]);
    expect(a.float64_values_default).toEqual([3.1415, 0, -3.1415]);
    expect(a.u64).toEqual(['0', '1', '18446744073709551615']);
    expect(a.uint8_values_default).toEqual(new Uint8Array([0, 1, 255]));
  });
});

describe('wrong_rmw_test_0.mcap (channels whose message encoding nothing decodes)', () => {
  test('each such channel loads as raw bytes with a note on it; a decodable file beside it is unaffected', async () => {
    const { ws, info } = await open('wrong_rmw_test_0.mcap', 'talker.mcap');
    for (const topic of ['/test_topic', '/array_topic']) {
      expect(info.topics.find((t) => t.topic === topic)!.error).toMatch(/no decoder for message encoding "wrong_format"/);
    }
    expect(info.problems.join('\n')).toMatch(/Topic \/test_topic \(table test_topic\): no decoder for message encoding "wrong_format".*raw bytes in column "data"/);
    const raw = await rows(ws, `SELECT (SELECT count(*) FROM test_topic)::INT AS a, (SELECT count(*) FROM array_topic)::INT AS b, (SELECT min(octet_length(data)) FROM array_topic)::INT AS bytes`);
    expect(raw[0]).toMatchObject({ a: 3, b: 4 });
    expect(raw[0].bytes).toBeGreaterThan(100);
    // The second file (talker.mcap) decodes normally in the same open.
    expect(await rows(ws, `SELECT count(*)::INT AS n, min(mcap_file) AS f FROM topic`)).toEqual([{ n: 10, f: 1 }]);
    const ch = await rows(ws, `SELECT mcap_file, topic, decoded, error FROM mcap_channels ORDER BY mcap_file, topic`);
    expect(ch.filter((c) => c.mcap_file === 0).map((c) => [c.topic, c.decoded])).toEqual([['/array_topic', false], ['/test_topic', false]]);
    expect(String(ch[0].error)).toMatch(/wrong_format/);
    expect(ch.filter((c) => c.mcap_file === 1).every((c) => c.decoded && c.error === null)).toBe(true);
  });
});

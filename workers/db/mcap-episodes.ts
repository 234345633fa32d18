import type { McapEpisodes, TopicField } from '../../src/lib/mcap';
import { quoteIdent } from '../../src/lib/util/sql';
import { EPISODES_META } from './lerobot';
import type { McapEngine, McapSet } from './mcap-load';
import type { ProgressFn } from './types';

/** What mapping the logs onto episodes produced. */
export interface McapEpisodesResult {
  episodes: number;
  frames: number;
  fps: number;
  warnings: string[];
}

/**
 * Builds, from open MCAP files, the raw episode table behind the canonical `episodes` view (episode_index, length,
 * tasks, like LeRobot's episode metadata, plus start_time, end_time and mcap_file) and a `frames` table resampled to
 * `fps`: one row per frame with episode_index, frame_index, timestamp (s from the episode's start), index, log_time
 * and `"observation.state"` / `action` as FLOAT[] from the chosen fields (the latest value at or before each frame).
 */
export async function buildMcapEpisodes(
  engine: McapEngine,
  set: McapSet,
  cfg: McapEpisodes,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn } = {},
): Promise<McapEpisodesResult & { fillFrames: (o?: { signal?: AbortSignal; onProgress?: ProgressFn }) => Promise<void> }> {
  const warnings: string[] = [];
  const tableOf = (topic: string): string => {
    const t = [...set.tables.values()].filter((x) => x.topic === topic);
    if (!t.length) throw new Error(`No topic ${topic} in the MCAP files (topics: ${[...new Set([...set.tables.values()].map((x) => x.topic))].join(', ')}).`);
    if (t.length > 1) warnings.push(`Topic ${topic} has messages of ${t.length} different shapes; using table ${t[0].name}.`);
    return t[0].name;
  };
  const splitTable = cfg.split.kind === 'file' ? null : tableOf(cfg.split.topic);
  const fieldTables = [...cfg.state, ...cfg.action].map((f) => tableOf(f.topic));
  // Only the split topic is read now; the state and action topics when a query first reads `frames`.
  if (splitTable) await set.load(new Set([splitTable]), opts);

  const ends = set.fileTimes().map((t, i) => `(${i}, ${t.start}, ${t.end})`);
  const fileTimes = `(VALUES ${ends.join(', ')}) AS ft(mcap_file, start_time, end_time)`;
  let segments: string;
  if (cfg.split.kind === 'file') {
    const task = `(SELECT mcap_file, any_value(map_extract_value(metadata, 'task')) AS task FROM mcap_metadata WHERE map_contains(metadata, 'task') GROUP BY mcap_file)`;
    segments = `SELECT ft.mcap_file, ft.start_time, ft.end_time, md.task FROM ${fileTimes} LEFT JOIN ${task} md USING (mcap_file) WHERE ft.start_time >= 0`;
  } else if (cfg.split.kind === 'marker') {
    const cols = (await engine.describe(quoteIdent(splitTable!))).map((c) => c.name);
    const text = ['task', 'data', 'label', 'name'].find((c) => cols.includes(c));
    segments = `SELECT m.mcap_file, m.log_time AS start_time,
        coalesce(lead(m.log_time) OVER (PARTITION BY m.mcap_file ORDER BY m.log_time) - 1, ft.end_time) AS end_time,
        ${text ? `CAST(m.${quoteIdent(text)} AS VARCHAR)` : 'NULL::VARCHAR'} AS task
      FROM ${quoteIdent(splitTable!)} m JOIN ${fileTimes} USING (mcap_file)`;
  } else {
    const gap = BigInt(Math.round(cfg.split.seconds * 1e9));
    segments = `SELECT mcap_file, min(log_time) AS start_time, max(log_time) AS end_time, NULL::VARCHAR AS task FROM (
        SELECT mcap_file, log_time, sum(brk) OVER (PARTITION BY mcap_file ORDER BY log_time) AS seg FROM (
          SELECT mcap_file, log_time,
                 CASE WHEN log_time - lag(log_time) OVER (PARTITION BY mcap_file ORDER BY log_time) <= ${gap} THEN 0 ELSE 1 END AS brk
          FROM ${quoteIdent(splitTable!)}))
      GROUP BY mcap_file, seg`;
  }
  const periodNs = 1e9 / cfg.fps;
  await engine.drop(EPISODES_META);
  await engine.exec(`CREATE TABLE ${EPISODES_META} AS
    SELECT (row_number() OVER (ORDER BY mcap_file, start_time) - 1)::BIGINT AS episode_index,
           (floor((end_time - start_time) / ${periodNs}) + 1)::BIGINT AS length,
           [task] AS tasks, start_time, end_time, mcap_file
    FROM (${segments}) ORDER BY episode_index`);
  const [{ n }] = await engine.rows(`SELECT count(*)::DOUBLE AS n FROM ${EPISODES_META}`);
  if (Number(n) === 0) warnings.push('The MCAP files hold no messages to make episodes from.');

  // `frames` is a view over a table of the right columns, empty until a query reads it (see fillFrames).
  const sql = await framesSql(engine, cfg, fieldTables, periodNs);
  await engine.drop('frames');
  await engine.drop(FRAMES);
  await engine.exec(`CREATE TABLE ${FRAMES} AS SELECT * FROM (${sql}) LIMIT 0`);
  await engine.exec(`CREATE VIEW frames AS SELECT * FROM ${FRAMES}`);
  const [{ f }] = await engine.rows(`SELECT coalesce(sum(length), 0)::DOUBLE AS f FROM ${EPISODES_META}`);
  engine.setRowCount('frames', Number(f));
  const fillFrames = async (o: { signal?: AbortSignal; onProgress?: ProgressFn } = {}) => {
    await set.load(new Set(fieldTables), o);
    await engine.exec(`CREATE OR REPLACE TABLE ${FRAMES} AS ${sql}`);
  };
  return { episodes: Number(n), frames: Number(f), fps: cfg.fps, warnings, fillFrames };
}

/** The table behind the `frames` view of MCAP logs. */
const FRAMES = '_mcap_frames';

/** The SELECT of `frames`: a time grid per episode, each chosen field sampled and held (ASOF join on time within the file). */
async function framesSql(engine: McapEngine, cfg: McapEpisodes, fieldTables: string[], periodNs: number): Promise<string> {
  const fields: (TopicField & { table: string; alias: string; list: boolean })[] = [];
  const aliases = new Map<string, string>();
  const all = [...cfg.state, ...cfg.action];
  for (let i = 0; i < all.length; i++) {
    const table = fieldTables[i];
    if (!aliases.has(table)) aliases.set(table, `s${aliases.size}`);
    const path = all[i].field.split('.').map(quoteIdent).join('.');
    const [{ type }] = await engine.describe(`SELECT ${path} AS v FROM ${quoteIdent(table)}`).catch((e) => {
      throw new Error(`Topic ${all[i].topic} has no field ${all[i].field}: ${(e as Error).message}`);
    });
    if (!/^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|BOOLEAN|HUGEINT)(\[\d*\])?$/.test(type)) {
      throw new Error(`Field ${all[i].field} of ${all[i].topic} is ${type}; state and action fields must be numbers or lists of numbers.`);
    }
    fields.push({ ...all[i], table, alias: aliases.get(table)!, list: /\]$/.test(type) });
  }
  const expr = (f: (typeof fields)[number]) => {
    const col = `${f.alias}.${f.field.split('.').map(quoteIdent).join('.')}`;
    return f.list ? `CAST(${col} AS FLOAT[])` : `[CAST(${col} AS FLOAT)]`;
  };
  // NULL until every field has had a value (a frame before the first command has no action), never a short vector.
  const vector = (fs: typeof fields) => {
    if (!fs.length) return null;
    const parts = fs.map(expr);
    if (parts.length === 1) return parts[0];
    return `CASE WHEN ${parts.map((p) => `${p} IS NULL`).join(' OR ')} THEN NULL ELSE list_concat(${parts.join(', ')}) END`;
  };
  const state = vector(fields.slice(0, cfg.state.length));
  const action = vector(fields.slice(cfg.state.length));
  const joins = [...aliases].map(
    ([table, alias]) => `ASOF LEFT JOIN (SELECT * FROM ${quoteIdent(table)}) ${alias} ON g.mcap_file = ${alias}.mcap_file AND g.log_time >= ${alias}.log_time`,
  );
  const select = [
    'g.episode_index',
    'g.frame_index',
    `(g.frame_index / ${cfg.fps})::FLOAT AS timestamp`,
    '(row_number() OVER (ORDER BY g.episode_index, g.frame_index) - 1)::BIGINT AS index',
    'g.log_time',
    ...(state ? [`${state} AS "observation.state"`] : []),
    ...(action ? [`${action} AS action`] : []),
  ];
  return `
    WITH g AS (
      SELECT episode_index, mcap_file, frame_index, start_time + CAST(round(frame_index * ${periodNs}) AS BIGINT) AS log_time
      FROM (SELECT episode_index, mcap_file, start_time, unnest(range(length)) AS frame_index FROM ${EPISODES_META})
    )
    SELECT ${select.join(',\n      ')}
    FROM g ${joins.join(' ')}
    ORDER BY g.episode_index, g.frame_index`;
}

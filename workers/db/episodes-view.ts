import { quoteIdent } from '../../src/lib/util/sql';
import type { Engine } from './engine';
import { EPISODES_META } from './lerobot';

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/** Where `episodes.outcome` comes from when it is not the log's own column. */
export interface OutcomeSource {
  /** A table of (episode_index, outcome), e.g. computed from a per-frame success column. */
  table?: string;
  /** A SQL condition over the other episode columns: true → 'success', false → 'failure'. */
  expression?: string;
}

/** The episodes with the log joined, before any outcome mapping. */
const BASE = '_episodes_base';

/**
 * (Re)creates the canonical `episodes` view: one row per episode with index, length, duration and task, plus
 * every column of an episode log (outcome, policy_version, failure_category, rotation, tags, conditions …)
 * joined by `episode_id` when a log table is given, and an `outcome` defined by `outcome` when given.
 */
export async function buildEpisodesView(engine: Engine, fps: number, logTable?: string, outcome: OutcomeSource = {}): Promise<void> {
  if ((await engine.relationKind('episodes')) === 'table') await engine.drop('episodes');
  await buildBase(engine, fps, logTable);
  const cols = (await engine.describe(BASE)).map((c) => c.name);
  const rest = cols.includes('outcome') ? `* EXCLUDE (outcome)` : '*';
  if (outcome.table) {
    await engine.exec(
      `CREATE OR REPLACE VIEW episodes AS SELECT b.${rest}, o.outcome FROM ${BASE} b LEFT JOIN ${quoteIdent(outcome.table)} o USING (episode_index) ORDER BY b.episode_index`,
    );
  } else if (outcome.expression) {
    const cond = `(${outcome.expression})`;
    try {
      await engine.exec(
        `CREATE OR REPLACE VIEW episodes AS SELECT ${rest}, CASE WHEN ${cond} THEN 'success' WHEN NOT ${cond} THEN 'failure' END AS outcome FROM ${BASE} ORDER BY episode_index`,
      );
      await engine.rows('SELECT outcome FROM episodes LIMIT 1');
    } catch (e) {
      await engine.exec(`CREATE OR REPLACE VIEW episodes AS SELECT * FROM ${BASE}`);
      throw new Error(`The outcome rule "${outcome.expression}" is not a valid condition over episodes (${cols.join(', ')}): ${(e as Error).message}`);
    }
  } else {
    await engine.exec(`CREATE OR REPLACE VIEW episodes AS SELECT * FROM ${BASE}`);
  }
}

async function buildBase(engine: Engine, fps: number, logTable?: string): Promise<void> {
  const base = `m.episode_index, m.length, m.length / ${Number(fps)} AS duration_s, m.tasks[1] AS task`;
  if (!logTable) {
    await engine.exec(`CREATE OR REPLACE VIEW ${BASE} AS SELECT ${base} FROM ${EPISODES_META} m ORDER BY m.episode_index`);
    return;
  }
  const log = quoteIdent(logTable);
  const cols = await engine.describe(log);
  const idCol = cols.find((c) => c.name === 'episode_id' || c.name === 'episode_index');
  if (!idCol) {
    throw new Error(
      `The episode log "${logTable}" has no episode_id column (it has: ${cols.map((c) => c.name).join(', ')}). ` +
        'Rename the column that holds the LeRobot episode index to episode_id.',
    );
  }
  const taken = new Set(['episode_index', 'length', 'duration_s', 'task', idCol.name]);
  const extra = cols.filter((c) => !taken.has(c.name)).map((c) => `l.${quoteIdent(c.name)}`);
  // Logs written by other tools may carry ids as text ("000123"); compare as integers when possible.
  const on = INTEGER_TYPES.test(idCol.type)
    ? `l.${quoteIdent(idCol.name)} = m.episode_index`
    : `TRY_CAST(l.${quoteIdent(idCol.name)} AS BIGINT) = m.episode_index`;
  await engine.exec(
    `CREATE OR REPLACE VIEW ${BASE} AS SELECT ${[base, ...extra].join(', ')} FROM ${EPISODES_META} m LEFT JOIN ${log} l ON ${on} ORDER BY m.episode_index`,
  );
}

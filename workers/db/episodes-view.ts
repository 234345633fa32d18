import { quoteIdent } from '../../src/lib/util/sql';
import type { Engine } from './engine';
import { EPISODES_META } from './lerobot';

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/**
 * (Re)creates the canonical `episodes` view: one row per episode with index, length, duration and task, plus
 * every column of an episode log (outcome, policy_version, failure_category, rotation, tags, conditions …)
 * joined by `episode_id` when a log table is given.
 */
export async function buildEpisodesView(engine: Engine, fps: number, logTable?: string): Promise<void> {
  const base = `m.episode_index, m.length, m.length / ${Number(fps)} AS duration_s, m.tasks[1] AS task`;
  if ((await engine.relationKind('episodes')) === 'table') await engine.drop('episodes');
  if (!logTable) {
    await engine.exec(`CREATE OR REPLACE VIEW episodes AS SELECT ${base} FROM ${EPISODES_META} m ORDER BY m.episode_index`);
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
    `CREATE OR REPLACE VIEW episodes AS SELECT ${[base, ...extra].join(', ')} FROM ${EPISODES_META} m LEFT JOIN ${log} l ON ${on} ORDER BY m.episode_index`,
  );
}

import { quoteIdent } from '../util/sql';
import { EPISODES_META } from './names';
import type { SqlPort } from './port';

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
/** The episodes with their outcome mapped, before reviewers' corrections. */
const LABELLED = '_episodes_labelled';

/**
 * Reviewers' annotations as the app writes them (one row per episode and annotator). Created empty with the
 * episodes view so the view and SQL cells can always read it; the app replaces its rows as people annotate.
 */
export const ANNOTATIONS_DDL = `CREATE TABLE IF NOT EXISTS annotations (
  episode_index BIGINT, annotator VARCHAR, outcome VARCHAR, failure_category VARCHAR, onset_s DOUBLE, note VARCHAR,
  gate VARCHAR, updated_at_ms BIGINT, label VARCHAR)`;

/**
 * (Re)creates the canonical `episodes` view: one row per episode with index, length, duration and task, plus
 * every column of an episode log (outcome, policy_version, failure_category, rotation, tags, conditions …)
 * joined by `episode_id` when a log table is given, and an `outcome` defined by `outcome` when given.
 */
export async function buildEpisodesView(engine: SqlPort, fps: number, logTable?: string, outcome: OutcomeSource = {}): Promise<void> {
  if ((await engine.relationKind('episodes')) === 'table') await engine.drop('episodes');
  await buildBase(engine, fps, logTable);
  await buildLabelled(engine, outcome);
  await applyReview(engine);
}

async function buildLabelled(engine: SqlPort, outcome: OutcomeSource): Promise<void> {
  const cols = (await engine.describe(BASE)).map((c) => c.name);
  const rest = cols.includes('outcome') ? `* EXCLUDE (outcome)` : '*';
  if (outcome.table) {
    await engine.exec(
      `CREATE OR REPLACE VIEW ${LABELLED} AS SELECT b.${rest}, o.outcome FROM ${BASE} b LEFT JOIN ${quoteIdent(outcome.table)} o USING (episode_index) ORDER BY b.episode_index`,
    );
  } else if (outcome.expression) {
    const cond = `(${outcome.expression})`;
    try {
      await engine.exec(
        `CREATE OR REPLACE VIEW ${LABELLED} AS SELECT ${rest}, CASE WHEN ${cond} THEN 'success' WHEN NOT ${cond} THEN 'failure' END AS outcome FROM ${BASE} ORDER BY episode_index`,
      );
      await engine.rows(`SELECT outcome FROM ${LABELLED} LIMIT 1`);
    } catch (e) {
      await engine.exec(`CREATE OR REPLACE VIEW ${LABELLED} AS SELECT * FROM ${BASE}`);
      await applyReview(engine);
      throw new Error(`The outcome rule "${outcome.expression}" is not a valid condition over episodes (${cols.join(', ')}): ${(e as Error).message}`);
    }
  } else {
    await engine.exec(`CREATE OR REPLACE VIEW ${LABELLED} AS SELECT * FROM ${BASE}`);
  }
}

/**
 * The canonical `episodes` view: the labelled episodes with reviewers' corrections on top. Per episode the most
 * recent annotation wins (any annotator); its outcome and failure category replace the log's or the mapping's,
 * and its onset time, note and annotator are added (`failure_onset_s`, `review_note`, `reviewed_by`), so every
 * job reads corrected labels without knowing annotations exist.
 */
async function applyReview(engine: SqlPort): Promise<void> {
  await engine.exec(ANNOTATIONS_DDL);
  const cols = new Set((await engine.describe(LABELLED)).map((c) => c.name));
  const replace: string[] = [];
  const add: string[] = ['r.onset_s AS failure_onset_s', 'r.note AS review_note', 'r.annotator AS reviewed_by', 'g.gate AS gate'];
  const reviewed = 'r.episode_index IS NOT NULL AND (r.outcome IS NOT NULL OR r.failure_category IS NOT NULL)';
  if (cols.has('outcome')) replace.push(`coalesce(r.outcome, CAST(e.outcome AS VARCHAR)) AS outcome`);
  else add.push('r.outcome AS outcome');
  // A reviewed success has no failure category, even when the log filed one.
  if (cols.has('failure_category')) replace.push(`CASE WHEN ${reviewed} THEN (CASE WHEN lower(coalesce(r.outcome, CAST(e.outcome AS VARCHAR))) = 'success' THEN NULL ELSE coalesce(r.failure_category, e.failure_category) END) ELSE e.failure_category END AS failure_category`);
  else add.push('r.failure_category AS failure_category');
  const star = replace.length ? `e.* REPLACE (${replace.join(', ')})` : 'e.*';
  await engine.exec(
    `CREATE OR REPLACE VIEW episodes AS SELECT ${star}, ${add.join(', ')}
     FROM ${LABELLED} e
     LEFT JOIN (SELECT * FROM annotations WHERE outcome IS NOT NULL OR failure_category IS NOT NULL OR onset_s IS NOT NULL OR note IS NOT NULL
                QUALIFY row_number() OVER (PARTITION BY episode_index ORDER BY updated_at_ms DESC, annotator) = 1) r USING (episode_index)
     -- The quality-gate decision separately: a later outcome review without a verdict must not undo a rejection.
     LEFT JOIN (SELECT episode_index, arg_max(gate, updated_at_ms) AS gate FROM annotations WHERE gate IS NOT NULL GROUP BY ALL) g ON g.episode_index = e.episode_index
     ORDER BY e.episode_index`,
  );
}

async function buildBase(engine: SqlPort, fps: number, logTable?: string): Promise<void> {
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

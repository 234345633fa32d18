import type { OutcomeMapping } from '../notebook/types';
import { quoteIdent } from '../util/sql';
import { buildEpisodesView } from './episodes';
import type { SqlPort, ViewColumn } from './port';

/** The table a per-frame outcome mapping is materialised as, before the `episodes` view joins it. */
export const FRAME_OUTCOMES = '_episode_outcomes';

/**
 * The SQL that turns a per-frame success column (DROID's `is_episode_successful`, a reward, `next.success`) into
 * one outcome per episode, or a message naming the columns `frames` does have. Numeric columns count as true when
 * positive; `last` takes the value at the episode's last frame, `any` whether any frame had it.
 */
export function frameOutcomeSql(mapping: Extract<OutcomeMapping, { kind: 'frame-column' }>, frameColumns: readonly ViewColumn[]): string {
  if (!frameColumns.some((c) => c.name === mapping.column)) {
    throw new Error(`There is no per-frame column "${mapping.column}" (frames has: ${frameColumns.map((c) => c.name).join(', ')}).`);
  }
  const truthy = `(${quoteIdent(mapping.column)})::DOUBLE > 0`;
  const agg = mapping.rule === 'last' ? `arg_max(${truthy}, frame_index)` : `bool_or(${truthy})`;
  return `SELECT episode_index, CASE WHEN ${agg} THEN 'success' ELSE 'failure' END AS outcome FROM frames GROUP BY episode_index`;
}

/** Per-frame columns that can define an episode's outcome: booleans, or names that say success, done or reward. */
export function outcomeColumnCandidates(frameColumns: readonly ViewColumn[]): string[] {
  return frameColumns.filter((c) => /^(BOOLEAN)$/.test(c.type) || /success|done|reward/i.test(c.name)).map((c) => c.name);
}

/** What {@link linkEpisodes} needs besides the connection. */
export interface LinkEpisodesOptions {
  /** Frames per second: `duration_s = length / fps`. */
  fps: number;
  /** The episode log table to join by `episode_id`, if one is loaded. */
  logTable?: string;
  /** How `outcome` is defined; absent: the log's own column. */
  mapping?: OutcomeMapping;
  /** The columns of `frames` (only asked for a per-frame mapping). */
  frameColumns: () => Promise<readonly ViewColumn[]>;
  /**
   * Materialises a query that reads `frames` as a table (the app loads the frames it needs first; native DuckDB
   * just runs it).
   */
  materialise: (name: string, sql: string) => Promise<void>;
}

/**
 * Builds the canonical `episodes` view with `outcome` defined by the notebook's mapping: from the log, a SQL
 * condition over the episode columns, or a per-frame column aggregated once per episode.
 */
export async function linkEpisodes(port: SqlPort, o: LinkEpisodesOptions): Promise<void> {
  const m = o.mapping;
  if (m?.kind === 'frame-column') {
    await o.materialise(FRAME_OUTCOMES, frameOutcomeSql(m, await o.frameColumns()));
    await buildEpisodesView(port, o.fps, o.logTable, { table: FRAME_OUTCOMES });
  } else if (m?.kind === 'sql') {
    await buildEpisodesView(port, o.fps, o.logTable, { expression: m.expression });
  } else {
    await buildEpisodesView(port, o.fps, o.logTable);
  }
}

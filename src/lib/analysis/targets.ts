/**
 * Which failure mode a targeted demo went after. Logs rarely say so in a column of its own, so this is
 * inferred from what the data has, in this order:
 *
 * 1. The episode carries the targeted tag (`ColumnMap.targetedTag`, default `targeted-recovery`); other
 *    episodes are never targeted data, whatever their notes say.
 * 2. It is targeted at mode X when its failure column says X (some labs file correction demos under the
 *    mode they fix), or when its notes mention X: the mode name as written (`grasp_failure`), with spaces
 *    for underscores (`grasp failure`), or one of the mode's note aliases (form field; the default maps
 *    `recovery demo` to `recovery_failure`, since recovery demos are described by what they show, not by
 *    the failure they fix). A note that mentions two modes counts for both.
 * 3. A rotation made a targeted collection at X when it has at least `minTargetedEpisodes` such episodes
 *    (a stray demo is not a collection).
 *
 * Targeted episodes whose mode cannot be told are left out of the per-mode counts (and of the flags that
 * use them); the red-flag evidence says how many there were.
 */
import { valuesCte } from './sql.ts';
import type { FormErrors } from './validate.ts';

/** How targeted demos are attributed to failure modes. */
export interface TargetingOptions {
  /** Extra note phrases per mode, matched case-insensitively as substrings. */
  noteAliases: Record<string, string[]>;
  /** Episodes at a mode that make a rotation count as a targeted collection at it. */
  minTargetedEpisodes: number;
}

/** Defaults that match the demo's notes (and common lab wording). */
export function defaultTargeting(): TargetingOptions {
  return { noteAliases: { recovery_failure: ['recovery demo'] }, minTargetedEpisodes: 3 };
}

/** Checks the targeting options. */
export function validateTargeting(t: TargetingOptions, errs: FormErrors): void {
  errs.integer('minTargetedEpisodes', t?.minTargetedEpisodes, 1, 1_000_000);
  const aliases = t?.noteAliases;
  const bad = typeof aliases !== 'object' || aliases === null || Object.entries(aliases).some(([m, list]) => m.trim() === '' || !Array.isArray(list) || list.some((a) => typeof a !== 'string' || a.trim().length < 3));
  errs.check(bad, 'noteAliases must map mode names to lists of phrases of at least 3 characters.');
}

/**
 * WITH-clause entries after `ep` (see columns.ts): `mode_keys(mode, key)` and
 * `targeted_at(episode_index, rot, mode)`, one row per targeted episode and mode it went after. Known modes
 * are the filed failure categories, the note aliases' modes and `extraModes`.
 */
export function targetedAtSql(t: TargetingOptions, extraModes: readonly string[] = []): string {
  const aliasRows = [
    ...Object.entries(t.noteAliases).flatMap(([mode, list]) => list.map((a) => [mode, a.toLowerCase()] as const)),
    // Modes a form names (e.g. a replay set "failure mode X") are known even if no episode files them.
    ...extraModes.map((m) => [m, m.toLowerCase()] as const),
  ];
  return `-- Failure modes: every filed failure category, plus those named by note aliases or by the form
${valuesCte('mode_aliases', [{ name: 'mode', type: 'VARCHAR' }, { name: 'key', type: 'VARCHAR' }], aliasRows)},
known_modes AS (
  SELECT DISTINCT mode FROM ep WHERE mode IS NOT NULL
  UNION SELECT mode FROM mode_aliases
),
mode_keys AS (
  SELECT mode, lower(mode) AS key FROM known_modes
  UNION SELECT mode, lower(replace(mode, '_', ' ')) FROM known_modes
  UNION SELECT mode, key FROM mode_aliases
),
-- A targeted episode goes after mode X when its failure column says X or its notes mention X (see targets.ts)
targeted_at AS (
  SELECT DISTINCT e.episode_index, e.rot, k.mode
  FROM ep e JOIN mode_keys k ON e.mode = k.mode OR (e.note <> '' AND contains(e.note, k.key))
  WHERE e.targeted
)`;
}

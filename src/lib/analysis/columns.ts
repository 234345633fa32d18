/**
 * Which columns of the episodes table play which role (outcome, failure mode, rotation, …). Every job's
 * form embeds one of these, with defaults that match the demo and the canonical `episodes` view, so the
 * jobs run on any dataset that has at least an outcome column: the user maps the rest or leaves it null.
 *
 * Every job starts from the same normalised CTE `ep` (see {@link episodesInput}): one row per episode with
 * fixed column names, so the rest of each job's SQL reads the same whatever the dataset calls things.
 */
import { quoteIdent, quoteString, stopWhen } from './sql.ts';
import type { FormErrors } from './validate.ts';

/** How the job reads the episodes table. Column fields hold column names; null means "this dataset has none". */
export interface ColumnMap {
  /** The table or view with one row per episode (needs `episode_index`). */
  table: string;
  /** Says whether an episode succeeded. Required. */
  outcomeColumn: string;
  /** The outcome value that means success (compared as text, case-insensitively; `true` for a boolean column). */
  successValue: string;
  /** The failure category (mode) of failed episodes. */
  failureColumn: string | null;
  /** The flywheel rotation (iteration) an episode belongs to (read when {@link ColumnMap.rotationFrom} is `column`). */
  rotationColumn: string | null;
  /**
   * Where the rotation comes from: the rotation column (`column`, the default; absent means the same, for notebooks
   * saved before this existed), derived from the policy version (`policy`: each version is one rotation, numbered
   * 1, 2, … in order of its first episode, demos belong to the latest version first seen at or before them, 0
   * before any) or from the timestamp (`timestamp`: one rotation per ISO week, numbered 1, 2, … from the first).
   */
  rotationFrom?: RotationFrom;
  /** The deployed policy; null on teleoperated demos. Episodes with a policy and an outcome are "deployments". */
  policyColumn: string | null;
  /** When the episode was recorded. */
  timestampColumn: string | null;
  /** Tags of an episode in one text column, separated by {@link tagSeparator}. */
  tagColumn: string | null;
  tagSeparator: string;
  /** The tag that marks targeted (correction) demos. */
  targetedTag: string;
  /** Free-text notes (used to tell which failure mode a targeted demo went after). */
  notesColumn: string | null;
  /** Whether the episode's conditions were covered by the policy's training data (boolean). */
  inDistributionColumn: string | null;
  /** The task text. */
  taskColumn: string | null;
  /** Condition columns to slice by (object, lighting, …). */
  conditionColumns: string[];
}

/** Where a job reads the rotation from (see {@link ColumnMap.rotationFrom}). */
export type RotationFrom = 'column' | 'policy' | 'timestamp';
/** Every {@link RotationFrom}, in the form's order. */
export const ROTATION_FROM: readonly RotationFrom[] = ['column', 'policy', 'timestamp'];

/** Defaults: the canonical `episodes` view joined with a deployment log like the demo's (use {@link defaultColumns} for an editable copy). */
export const DEFAULT_COLUMNS: Readonly<Omit<ColumnMap, 'conditionColumns'> & { conditionColumns: readonly string[] }> = Object.freeze({
  table: 'episodes',
  outcomeColumn: 'outcome',
  successValue: 'success',
  failureColumn: 'failure_category',
  rotationColumn: 'rotation',
  rotationFrom: 'column',
  policyColumn: 'policy_version',
  timestampColumn: 'timestamp',
  tagColumn: 'tags',
  tagSeparator: ';',
  targetedTag: 'targeted-recovery',
  notesColumn: 'notes',
  inDistributionColumn: 'in_distribution',
  taskColumn: 'task',
  conditionColumns: Object.freeze(['object_type', 'lighting']),
});

/** A fresh, editable copy of the defaults. */
export function defaultColumns(): ColumnMap {
  return { ...DEFAULT_COLUMNS, conditionColumns: [...DEFAULT_COLUMNS.conditionColumns] };
}

/** The roles a job may require. */
export type ColumnRole = 'outcome' | 'failure' | 'rotation' | 'policy' | 'timestamp' | 'tags' | 'notes' | 'inDistribution' | 'task';

/** The form field behind each role, and how to ask the user for it. */
export const ROLE_FIELDS: Readonly<Record<ColumnRole, { field: keyof ColumnMap; what: string }>> = {
  outcome: { field: 'outcomeColumn', what: 'the column that says whether each episode succeeded' },
  failure: { field: 'failureColumn', what: 'the column with the failure category of failed episodes' },
  rotation: { field: 'rotationColumn', what: 'the column with the flywheel rotation (iteration) number' },
  policy: { field: 'policyColumn', what: 'the column with the deployed policy version' },
  timestamp: { field: 'timestampColumn', what: 'the column with the time each episode was recorded' },
  tags: { field: 'tagColumn', what: 'the column with the episode tags' },
  notes: { field: 'notesColumn', what: 'the column with free-text notes' },
  inDistribution: { field: 'inDistributionColumn', what: 'the boolean column saying whether the conditions were seen in training' },
  task: { field: 'taskColumn', what: 'the column with the task' },
};

/** The column a role is mapped to (null when unmapped). */
export function roleColumn(c: ColumnMap, role: ColumnRole): string | null {
  return c[ROLE_FIELDS[role].field] as string | null;
}

/**
 * The column the rotation is read or derived from, and how (null when there is no rotation: the rotation column
 * is unmapped, or the policy / timestamp column it is derived from is).
 */
export function rotationSource(c: ColumnMap): { from: RotationFrom; column: string } | null {
  const from = c.rotationFrom ?? 'column';
  const column = from === 'policy' ? c.policyColumn : from === 'timestamp' ? c.timestampColumn : c.rotationColumn;
  return column === null || column === undefined ? null : { from, column };
}

/** Checks the mapping; `required` roles must be mapped to a column (the rotation may be derived instead). */
export function validateColumns(c: ColumnMap, errs: FormErrors, required: readonly ColumnRole[] = ['outcome']): void {
  if (typeof c !== 'object' || c === null) {
    errs.check(true, 'The column mapping is missing.');
    return;
  }
  errs.text('The episodes table', c.table);
  errs.text('The success value', c.successValue);
  errs.text('The tag separator', c.tagSeparator, 8);
  errs.text('The targeted tag', c.targetedTag);
  errs.check(c.rotationFrom !== undefined && !ROTATION_FROM.includes(c.rotationFrom), `rotationFrom must be one of ${ROTATION_FROM.join(', ')}.`);
  for (const role of Object.keys(ROLE_FIELDS) as ColumnRole[]) {
    const col = roleColumn(c, role);
    if (col === null || col === undefined) {
      errs.check(required.includes(role) && !(role === 'rotation' && rotationSource(c) !== null), `Map ${ROLE_FIELDS[role].what} (${ROLE_FIELDS[role].field}); this job needs it.`);
    } else {
      errs.text(`${ROLE_FIELDS[role].field}`, col);
    }
  }
  errs.check(!Array.isArray(c.conditionColumns) || c.conditionColumns.some((x) => typeof x !== 'string' || x.trim() === ''), 'conditionColumns must be a list of column names.');
}

/**
 * Cycle time of a rotation, as an aggregate over `ep` grouped by `rot`: days from its first episode to the
 * next rotation's first (the last rotation: to its own last episode), rounded to 0.1 day like the health
 * notebook, so the jobs and the health report agree.
 */
export const CYCLE_DAYS_SQL = `round(date_diff('hour', min(ts), coalesce(lead(min(ts)) OVER (ORDER BY rot), max(ts))) / 24.0, 1)`;

/** SQL text for a mapped column, or NULL when unmapped. */
function col(name: string | null): string {
  return name === null ? 'NULL' : quoteIdent(name);
}

/** `information_schema` test that `table` has `column` (case-insensitive, like DuckDB's binder). */
export function hasColumnSql(table: string, column: string): string {
  return `EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = ${quoteString(table)} AND lower(column_name) = lower(${quoteString(column)}))`;
}

/** The table's columns as one comma-separated text, for error messages. */
export function columnListingSql(table: string): string {
  return `(SELECT coalesce(string_agg(column_name, ', ' ORDER BY ordinal_position), 'no columns') FROM information_schema.columns WHERE table_name = ${quoteString(table)})`;
}

/**
 * The WITH-clause entries that derive `rot` when {@link ColumnMap.rotationFrom} is `policy` or `timestamp`, ending in
 * `_src` (the rows of `_in` with `rot` replaced). By policy: a version's rotation is its rank by first episode (by
 * time when a timestamp is mapped, else by episode index), and an episode without a policy (a demo) belongs to the
 * latest version first seen at or before it, 0 before any, so demos collected after deploying v2 count for v2's
 * rotation like in the demo's log. By timestamp: the rank of the episode's ISO week (Monday-based).
 */
function rotationSql(c: ColumnMap): string {
  if (rotationSource(c)?.from === 'timestamp') {
    return `-- No rotation column: one rotation per ISO week of the timestamp, numbered from the first week
_src AS (SELECT * REPLACE (CASE WHEN ts IS NOT NULL THEN dense_rank() OVER (ORDER BY date_trunc('week', ts)) END AS rot) FROM _in)`;
  }
  const at = c.timestampColumn === null ? 'episode_index' : 'ts';
  return `-- No rotation column: each policy version is one rotation, in order of its first episode; demos join the latest version before them
_versions AS (
  SELECT policy, row_number() OVER (ORDER BY first_at, policy) AS rot, first_at
  FROM (SELECT policy, min(${at}) AS first_at FROM _in WHERE policy IS NOT NULL GROUP BY policy)
),
_src AS (
  SELECT i.* REPLACE (CASE WHEN i.policy IS NOT NULL THEN (SELECT v.rot FROM _versions v WHERE v.policy = i.policy)
                           WHEN i.${at} IS NOT NULL THEN coalesce((SELECT max(v.rot) FROM _versions v WHERE v.first_at <= i.${at}), 0) END AS rot)
  FROM _in i
)`;
}

/**
 * The WITH-clause entries `_src`, `_guard` and `ep` every job starts from. `ep` has one row per episode:
 *
 * | column | meaning |
 * |---|---|
 * | episode_index | the episode |
 * | outcome | the outcome as text |
 * | ok | outcome = success value (NULL without an outcome) |
 * | mode | failure category, NULL when empty |
 * | rot | rotation as BIGINT (read, or derived from the policy version or the week: see {@link rotationSql}) |
 * | policy | policy version as text, NULL for demos |
 * | deployed | has an outcome and (if a policy column is mapped) a policy |
 * | ts | timestamp |
 * | targeted | carries the targeted tag |
 * | note | lower-cased notes ('' when none) |
 * | in_dist | in-distribution flag |
 * | task | task text |
 *
 * Mapped columns the table lacks are added as NULL (UNION ALL BY NAME with an empty row), so the query
 * still binds and `_guard` can stop it with a message naming the column and listing the ones there are.
 * When outcomes are required, `_guard` also stops when no episode has one: that is what a log whose ids
 * match no episode looks like after the join, and it must not turn into an empty chart.
 */
export function episodesInput(c: ColumnMap, required: readonly ColumnRole[] = ['outcome']): string {
  const t = quoteIdent(c.table);
  const mapped = [...new Set((Object.keys(ROLE_FIELDS) as ColumnRole[]).map((r) => roleColumn(c, r)).filter((x): x is string => x !== null))];
  const placeholders = mapped.map((m) => `NULL AS ${quoteIdent(m)}`).join(', ');
  const deployed = c.policyColumn === null ? `${col(c.outcomeColumn)} IS NOT NULL` : `${col(c.outcomeColumn)} IS NOT NULL AND NULLIF(trim(CAST(${col(c.policyColumn)} AS VARCHAR)), '') IS NOT NULL`;
  const sep = quoteString(c.tagSeparator);
  const tags = c.tagColumn === null ? 'false' : `list_contains(string_split(coalesce(CAST(${col(c.tagColumn)} AS VARCHAR), ''), ${sep}), ${quoteString(c.targetedTag)})`;
  const derived = rotationSource(c)?.from === 'policy' || rotationSource(c)?.from === 'timestamp';
  const src = `${derived ? '_in' : '_src'} AS (
  SELECT episode_index,
         CAST(${col(c.outcomeColumn)} AS VARCHAR) AS outcome,
         lower(trim(CAST(${col(c.outcomeColumn)} AS VARCHAR))) = lower(${quoteString(c.successValue)}) AS ok,
         NULLIF(trim(CAST(${col(c.failureColumn)} AS VARCHAR)), '') AS mode,
         TRY_CAST(${col(c.rotationColumn)} AS BIGINT) AS rot,
         NULLIF(trim(CAST(${col(c.policyColumn)} AS VARCHAR)), '') AS policy,
         ${deployed} AS deployed,
         TRY_CAST(${col(c.timestampColumn)} AS TIMESTAMP) AS ts,
         ${tags} AS targeted,
         lower(coalesce(CAST(${col(c.notesColumn)} AS VARCHAR), '')) AS note,
         TRY_CAST(${col(c.inDistributionColumn)} AS BOOLEAN) AS in_dist,
         CAST(${col(c.taskColumn)} AS VARCHAR) AS task
  -- Mapped columns the table lacks become NULL here, so _guard below can name them instead of a bare binder error.
  FROM (SELECT * FROM ${t} UNION ALL BY NAME SELECT ${placeholders} WHERE false)
)${derived ? `,\n${rotationSql(c)}` : ''}`;
  const cases = required
    .map((role) => ({ role, column: role === 'rotation' ? (rotationSource(c)?.column ?? null) : roleColumn(c, role) }))
    .filter((x): x is { role: ColumnRole; column: string } => x.column !== null)
    .map(({ role, column }) => ({
      failWhen: `NOT ${hasColumnSql(c.table, column)}`,
      message: `${quoteString(`The table "${c.table}" has no column "${column}" (it has: `)} || ${columnListingSql(c.table)} || ${quoteString(`). Map ${ROLE_FIELDS[role].what} in the form (${ROLE_FIELDS[role].field}).`)}`,
    }));
  // Jobs that read outcomes stop when there are none (a log that matched no episode looks like this).
  if (required.includes('outcome')) cases.push({
    failWhen: '(SELECT count(outcome) FROM _src) = 0',
    message: quoteString(
      `No episode of "${c.table}" has a value in "${c.outcomeColumn}". If outcomes come from a deployment log, its episode ids probably match no episode: run the input checks.`,
    ),
  });
  const guard = `_guard AS (SELECT ${stopWhen(cases)} AS ok)`;
  return `${src},\n${guard},\nep AS (SELECT * FROM _src WHERE (SELECT ok FROM _guard))`;
}

/**
 * Input checks that say what to map or fill in, so a broken input gives a message instead of an empty chart
 * or a silent zero. Each check is SQL returning rows `(check, severity, subject, message)` (severity
 * 'error' | 'warning'); {@link inputChecksSql} unions them and adds one 'ok' row when nothing is wrong, and
 * {@link formatProblems} turns rows into text for the UI.
 *
 * Every query binds even when the columns it checks are missing (missing columns are added as NULL with
 * UNION ALL BY NAME and reported from information_schema), so the checks never fail for the very reason
 * they exist to explain. A table that does not exist at all still fails with DuckDB's own "does not exist".
 */
import { columnListingSql, hasColumnSql, roleColumn, ROLE_FIELDS, type ColumnMap, type ColumnRole } from './columns.ts';
import { costSheetSql, type CostSheet } from './cost-sheet.ts';
import { quoteIdent, quoteString } from './sql.ts';

/** One problem found by a check. */
export interface CheckProblem {
  check: string;
  severity: 'error' | 'warning' | 'ok';
  subject: string;
  message: string;
}

/** The episode log as loaded (before it is joined onto the episodes). */
export interface LogSource {
  table: string;
  idColumn: string;
}

/** What to check. */
export interface ChecksForm {
  columns: ColumnMap;
  /** Roles whose column must exist (errors); other mapped roles only warn. */
  required: ColumnRole[];
  log: LogSource | null;
  costSheet: CostSheet | null;
}

/** Missing mapped columns: an error for required roles, a warning for the others. */
export function columnChecksSql(c: ColumnMap, required: readonly ColumnRole[]): string {
  const rows = (Object.keys(ROLE_FIELDS) as ColumnRole[])
    .map((role) => ({ role, column: roleColumn(c, role) }))
    .filter((x): x is { role: ColumnRole; column: string } => x.column !== null)
    .map(({ role, column }) => {
      const advice = `Map ${ROLE_FIELDS[role].what} in the form (${ROLE_FIELDS[role].field})${required.includes(role) ? '' : ', or set it to none'}.`;
      return `(${quoteString(role)}, ${quoteString(column)}, ${required.includes(role)}, ${quoteString(advice)})`;
    });
  if (rows.length === 0) return `SELECT NULL::VARCHAR AS "check", NULL::VARCHAR AS severity, NULL::VARCHAR AS subject, NULL::VARCHAR AS message WHERE false`;
  return `SELECT 'missing_column' AS "check", CASE WHEN required THEN 'error' ELSE 'warning' END AS severity, role AS subject,
       'The table "' || ${quoteString(c.table)} || '" has no column "' || col || '" (it has: ' || ${columnListingSql(c.table)} || '). ' || advice AS message
FROM (VALUES ${rows.join(', ')}) v(role, col, required, advice)
WHERE NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = ${quoteString(c.table)} AND lower(column_name) = lower(v.col))`;
}

/** No outcome values at all, or none equal to the success value (lists the values there are). */
export function outcomeChecksSql(c: ColumnMap): string {
  const o = quoteIdent(c.outcomeColumn);
  const t = quoteIdent(c.table);
  const sv = quoteString(c.successValue);
  return `SELECT 'outcome_values' AS "check", 'error' AS severity, ${quoteString(c.outcomeColumn)} AS subject,
       CASE WHEN n_values = 0 THEN 'No episode has a value in "' || ${quoteString(c.outcomeColumn)} || '" (' || n || ' episodes). If outcomes come from a deployment log, its episode ids probably match no episode (see the log check).'
            ELSE 'No episode has ' || ${quoteString(c.outcomeColumn)} || ' = ' || ${quoteString(JSON.stringify(c.successValue))} || '; the values are: ' || seen || '. Set the success value (successValue) to the one that means success.' END AS message
FROM (
  SELECT count(o) AS n_values, count(*) AS n, count(*) FILTER (WHERE lower(trim(o)) = lower(${sv})) AS n_success,
         (SELECT string_agg('"' || v || '" (' || k || ')', ', ' ORDER BY k DESC, v) FROM (
            SELECT CAST(${o} AS VARCHAR) AS v, count(*) AS k FROM (SELECT * FROM ${t} UNION ALL BY NAME SELECT NULL AS ${o} WHERE false)
            WHERE ${o} IS NOT NULL GROUP BY 1 ORDER BY k DESC, v LIMIT 8)) AS seen
  FROM (SELECT CAST(${o} AS VARCHAR) AS o FROM (SELECT * FROM ${t} UNION ALL BY NAME SELECT NULL AS ${o} WHERE false))
)
WHERE ${hasColumnSql(c.table, c.outcomeColumn)} AND (n_values = 0 OR n_success = 0)`;
}

/**
 * The episode log against the dataset's episodes (`episodesTable`, one row per dataset episode): a missing id
 * column, ids that match no episode (with how many and examples), ids that appear twice, and episodes
 * without a log row.
 */
export function logChecksSql(log: LogSource, episodesTable: string): string {
  const t = quoteIdent(log.table);
  const id = quoteIdent(log.idColumn);
  const eps = quoteIdent(episodesTable);
  const name = quoteString(log.table);
  const idName = quoteString(log.idColumn);
  return `SELECT * FROM (
WITH ids AS (SELECT CAST(${id} AS VARCHAR) AS raw, TRY_CAST(${id} AS BIGINT) AS id FROM (SELECT * FROM ${t} UNION ALL BY NAME SELECT NULL AS ${id} WHERE false)),
dataset AS (SELECT DISTINCT episode_index FROM ${eps}),
stats AS (
  SELECT count(*) AS n, count(*) FILTER (WHERE id IN (SELECT episode_index FROM dataset)) AS matched,
         (SELECT string_agg('"' || raw || '"', ', ') FROM (SELECT raw FROM ids WHERE id IS NULL OR id NOT IN (SELECT episode_index FROM dataset) LIMIT 5)) AS examples,
         (SELECT count(*) FROM dataset) AS episodes,
         (SELECT min(episode_index) || '–' || max(episode_index) FROM dataset) AS span,
         (SELECT count(*) FROM dataset WHERE episode_index NOT IN (SELECT id FROM ids WHERE id IS NOT NULL)) AS unlogged,
         (SELECT count(*) FROM (SELECT id FROM ids WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1)) AS repeated
  FROM ids
)
SELECT 'log_id_column' AS "check", 'error' AS severity, ${name} AS subject,
       'The log "' || ${name} || '" has no column "' || ${idName} || '" (it has: ' || ${columnListingSql(log.table)} || '). Rename or map the column that holds the LeRobot episode index.' AS message
WHERE NOT ${hasColumnSql(log.table, log.idColumn)}
UNION ALL
SELECT 'log_ids', 'error', ${name},
       'None of the ' || n || ' episode ids in "' || ${name} || '" (column ' || ${idName} || ') matches an episode of the dataset (episode_index ' || span || ', ' || episodes || ' episodes). Examples from the log: ' || examples ||
       '. Map the column that holds the LeRobot episode index, or fix the ids.'
FROM stats WHERE ${hasColumnSql(log.table, log.idColumn)} AND n > 0 AND matched = 0
UNION ALL
SELECT 'log_ids', 'warning', ${name}, (n - matched) || ' of ' || n || ' log rows match no episode of the dataset (e.g. ' || examples || '); they are left out.'
FROM stats WHERE ${hasColumnSql(log.table, log.idColumn)} AND matched > 0 AND matched < n
UNION ALL
SELECT 'log_ids', 'warning', ${name}, repeated || ' episode ids appear more than once in the log, so those episodes appear more than once in the joined table: keep one row per episode.'
FROM stats WHERE ${hasColumnSql(log.table, log.idColumn)} AND repeated > 0
UNION ALL
SELECT 'log_coverage', 'warning', ${name}, unlogged || ' of the dataset''s ' || episodes || ' episodes have no log row, so their outcome is empty.'
FROM stats WHERE ${hasColumnSql(log.table, log.idColumn)} AND matched > 0 AND unlogged > 0
UNION ALL
SELECT 'log_rows', 'warning', ${name}, 'The log "' || ${name} || '" has no rows.' FROM stats WHERE n = 0
)`;
}

/** Cost sheet: missing rotation/amount columns, and each line without a usable cost or rotation. */
export function costSheetChecksSql(s: CostSheet): string {
  const name = quoteString(s.table);
  const canDerive = s.quantityColumn !== null && s.unitCostColumn !== null;
  const derivable = canDerive ? `${hasColumnSql(s.table, s.quantityColumn!)} AND ${hasColumnSql(s.table, s.unitCostColumn!)}` : 'false';
  return `SELECT * FROM (
WITH ${costSheetSql(s)}
SELECT 'cost_columns' AS "check", 'error' AS severity, ${name} AS subject,
       'The cost sheet "' || ${name} || '" has no column "' || ${quoteString(s.rotationColumn)} || '" (it has: ' || ${columnListingSql(s.table)} || '). Map the column with each line''s rotation.' AS message
WHERE NOT ${hasColumnSql(s.table, s.rotationColumn)}
UNION ALL
SELECT 'cost_columns', CASE WHEN ${derivable} THEN 'warning' ELSE 'error' END, ${name},
       'The cost sheet "' || ${name} || '" has no column "' || ${quoteString(s.amountColumn)} || '" (it has: ' || ${columnListingSql(s.table)} || '). ' ||
       CASE WHEN ${derivable} THEN 'Amounts are computed as ${s.quantityColumn} × ${s.unitCostColumn}.' ELSE 'Map the column with each line''s amount.' END
WHERE NOT ${hasColumnSql(s.table, s.amountColumn)}
UNION ALL
SELECT 'cost_line', 'error', ${name}, 'Cost sheet ' || problem || '.' FROM sheet_problems
WHERE ${hasColumnSql(s.table, s.rotationColumn)}
)`;
}

/**
 * All checks in one query (`input_checks`): mapped columns, outcome values (when the outcome column is there),
 * the log against the episodes, the cost sheet. Errors first; one 'ok' row when nothing is wrong.
 */
export function inputChecksSql(f: ChecksForm): string {
  const parts = [columnChecksSql(f.columns, f.required), outcomeChecksSql(f.columns)];
  if (f.log) parts.push(logChecksSql(f.log, f.columns.table));
  if (f.costSheet) parts.push(costSheetChecksSql(f.costSheet));
  return `-- Input checks: what to map or fill in before the results below can be trusted
WITH problems AS (
${parts.map((p) => `  SELECT * FROM (${p})`).join('\n  UNION ALL\n')}
)
SELECT "check", severity, subject, message FROM (
  SELECT * FROM problems
  UNION ALL
  SELECT 'ok', 'ok', 'inputs', 'No problems found in the inputs.' WHERE NOT EXISTS (SELECT 1 FROM problems)
)
ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, "check", subject, message`;
}

/** Problem rows from a query result (bigints and unknown values tolerated). */
export function checkProblems(rows: readonly Record<string, unknown>[]): CheckProblem[] {
  return rows.map((r) => {
    const sev = String(r.severity);
    return { check: String(r.check), severity: sev === 'error' || sev === 'warning' ? sev : 'ok', subject: String(r.subject ?? ''), message: String(r.message ?? '') };
  });
}

/**
 * Human text for check rows: one line per problem, errors first, e.g. "Error: The table "episodes" has
 * no column "outcome" (…)". Empty input or only 'ok' rows give "No problems found in the inputs."
 */
export function formatProblems(rows: readonly Record<string, unknown>[] | readonly CheckProblem[]): string {
  const problems = checkProblems(rows as Record<string, unknown>[]).filter((p) => p.severity !== 'ok');
  if (problems.length === 0) return 'No problems found in the inputs.';
  const rank = (p: CheckProblem): number => (p.severity === 'error' ? 0 : 1);
  return [...problems]
    .sort((a, b) => rank(a) - rank(b))
    .map((p) => `${p.severity === 'error' ? 'Error' : 'Warning'}: ${p.message}`)
    .join('\n');
}

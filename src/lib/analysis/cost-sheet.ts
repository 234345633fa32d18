/**
 * Reading a cost sheet (one line item per spend, with the rotation it belongs to). Used by the red flags
 * (cost per success), the cost ledger and the input checks. A line's amount is its amount column, or
 * quantity × unit cost when the amount is empty; a line with neither, or without a rotation, is a problem
 * the user must fix, never a silent zero.
 */
import { quoteIdent, quoteString } from './sql.ts';
import type { FormErrors } from './validate.ts';

/** Where the cost sheet is and which columns hold what. */
export interface CostSheet {
  table: string;
  rotationColumn: string;
  amountColumn: string;
  /** Used with {@link unitCostColumn} when a line has no amount. */
  quantityColumn: string | null;
  unitCostColumn: string | null;
  /** Shown in messages about a line. */
  descriptionColumn: string | null;
}

/** The demo's `collection_costs.csv`, loaded as `costs`. */
export function defaultCostSheet(): CostSheet {
  return { table: 'costs', rotationColumn: 'rotation', amountColumn: 'amount_usd', quantityColumn: 'quantity', unitCostColumn: 'unit_cost_usd', descriptionColumn: 'description' };
}

/** Checks the cost sheet mapping. */
export function validateCostSheet(s: CostSheet, errs: FormErrors): void {
  if (typeof s !== 'object' || s === null) {
    errs.check(true, 'The cost sheet mapping is missing.');
    return;
  }
  errs.text('The cost sheet table', s.table);
  errs.text('The cost sheet rotation column', s.rotationColumn);
  errs.text('The cost sheet amount column', s.amountColumn);
  for (const k of ['quantityColumn', 'unitCostColumn', 'descriptionColumn'] as const) if (s[k] !== null) errs.text(`The cost sheet ${k}`, s[k]);
}

/**
 * WITH-clause entries `sheet(line, rot, amount, description)` (one row per line item, `line` counting from 1
 * in table order) and `sheet_problems(line, problem)` (lines whose cost cannot be attributed).
 */
export function costSheetSql(s: CostSheet): string {
  const q = (c: string | null): string => (c === null ? 'NULL' : quoteIdent(c));
  const cols = [s.rotationColumn, s.amountColumn, s.quantityColumn, s.unitCostColumn, s.descriptionColumn].filter((c): c is string => c !== null);
  const placeholders = [...new Set(cols)].map((c) => `NULL AS ${quoteIdent(c)}`).join(', ');
  const derive = s.quantityColumn !== null && s.unitCostColumn !== null ? ` (or ${s.quantityColumn} and ${s.unitCostColumn})` : '';
  const noRotation = quoteString(`no ${s.rotationColumn}, so its cost cannot be attributed to a rotation: fill in ${s.rotationColumn}`);
  const noAmount = quoteString(`no ${s.amountColumn} and nothing to compute it from: fill in ${s.amountColumn}${derive}`);
  return `sheet AS (
  SELECT row_number() OVER () AS line,
         TRY_CAST(${q(s.rotationColumn)} AS BIGINT) AS rot,
         -- The amount, else quantity × unit cost: a line with neither stays NULL and is reported below
         coalesce(TRY_CAST(${q(s.amountColumn)} AS DOUBLE), TRY_CAST(${q(s.quantityColumn)} AS DOUBLE) * TRY_CAST(${q(s.unitCostColumn)} AS DOUBLE)) AS amount,
         coalesce(CAST(${q(s.descriptionColumn)} AS VARCHAR), '') AS description
  -- Missing columns become NULL, so the problems below name them rather than failing to bind
  FROM (SELECT * FROM ${quoteIdent(s.table)} UNION ALL BY NAME SELECT ${placeholders} WHERE false)
),
sheet_problems AS (
  SELECT line,
         'line ' || line || coalesce(' (rotation ' || rot || ')', '') || CASE WHEN description <> '' THEN ' "' || description || '"' ELSE '' END || ': ' ||
         CASE WHEN rot IS NULL THEN ${noRotation} ELSE ${noAmount} END AS problem
  FROM sheet WHERE rot IS NULL OR amount IS NULL
)`;
}

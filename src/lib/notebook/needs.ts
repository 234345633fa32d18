/**
 * What a cell needs from the open data before it can run: the needs it declares, those its analysis form implies
 * (the columns the form maps, the tables it reads), and every known source table its SQL names (`costs`,
 * `deployments`, …) that no cell of the notebook produces. The runner checks them against the database's schema.
 */
import { jobNeeds } from '../analysis/needs';
import { TABLE_HELP, tableNeed, type CellNeed } from '../contract/capability';
import { formOf } from './analysis-cells';
import { namesProduced, namesRead } from './deps';
import type { CellData, NotebookDoc } from './types';

/** Every need of `cell` in `doc`. */
export function cellNeeds(doc: NotebookDoc, cell: CellData): CellNeed[] {
  const produced = new Set(doc.cells.flatMap((c) => namesProduced(c).map((n) => n.toLowerCase())));
  const declared: CellNeed[] = [...(cell.needs ?? [])];
  if (cell.analysis) {
    const f = formOf(doc, cell);
    if (f) declared.push(...jobNeeds(cell.analysis.job, f.form));
  }
  // Needs on another cell's result are that cell's business: the runner disables dependants of a disabled cell, and
  // a result that does not exist yet when the run starts is created by then.
  const out = declared.filter((n) => !produced.has(n.table.toLowerCase()));
  const sources = new Set([...Object.keys(TABLE_HELP), ...doc.sources.filter((s) => s.kind === 'csv').map((s) => s.name.toLowerCase())]);
  for (const name of namesRead(cell)) {
    const n = name.toLowerCase();
    if (sources.has(n) && !produced.has(n)) out.push(tableNeed(n));
  }
  return out;
}

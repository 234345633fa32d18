/**
 * Analysis cells within a notebook: find the cell that owns a form, change the form, and regenerate the SQL of
 * the owner and its followers. Plain functions over {@link NotebookDoc} so the UI, the share-link checks and the
 * headless runner agree on what a form change does.
 */
import { formKindOf, jobSql, validateForm, type AnalysisSpec, type FormKind } from '../analysis/jobs';
import type { CellData, NotebookDoc } from './types';

/** The cell holding the form `cell` uses: itself, or the owner it names (null when that owner is missing). */
export function ownerOf(doc: NotebookDoc, cell: CellData): CellData | null {
  const a = cell.analysis;
  if (!a) return null;
  if ('form' in a) return cell;
  const owner = doc.cells.find((c) => c.name === a.of && c.analysis && 'form' in c.analysis);
  return owner ?? null;
}

/** The form an analysis cell uses, with its kind (null when the cell has none or its owner is gone). */
export function formOf(doc: NotebookDoc, cell: CellData): { kind: FormKind; form: unknown; owner: CellData } | null {
  const owner = ownerOf(doc, cell);
  if (!owner || !owner.analysis || !('form' in owner.analysis)) return null;
  return { kind: formKindOf(owner.analysis.job), form: owner.analysis.form, owner };
}

/** The owner and every follower of the form held by `owner`, in notebook order. */
export function formCells(doc: NotebookDoc, owner: CellData): CellData[] {
  return doc.cells.filter((c) => c === owner || (c.analysis && 'of' in c.analysis && c.analysis.of === owner.name));
}

/**
 * Regenerates the SQL of the owner's cells from its form, skipping cells whose SQL was edited by hand.
 * Returns the ids of the cells whose SQL changed, or the form's problems (nothing is changed then).
 */
export function regenerate(doc: NotebookDoc, owner: CellData): { changed: string[] } | { problems: string[] } {
  const a = owner.analysis;
  if (!a || !('form' in a)) return { problems: ['This cell holds no form.'] };
  const problems = validateForm(formKindOf(a.job), a.form);
  if (problems.length) return { problems };
  const changed: string[] = [];
  for (const c of formCells(doc, owner)) {
    if (!c.analysis || c.analysis.edited) continue;
    const sql = jobSql(c.analysis.job, a.form, owner.name);
    if (sql !== c.source) {
      c.source = sql;
      changed.push(c.id);
    }
  }
  return { changed };
}

/** Marks a cell's SQL as edited by hand (its form no longer rewrites it) or, with `false`, hands it back to the form. */
export function setEdited(cell: CellData, edited: boolean): void {
  if (!cell.analysis) return;
  const { edited: _old, ...rest } = cell.analysis;
  cell.analysis = (edited ? { ...rest, edited: true } : rest) as AnalysisSpec;
}

/** Whether the cell's SQL is what its form generates now (false also when the form is invalid or gone). */
export function matchesForm(doc: NotebookDoc, cell: CellData): boolean {
  const f = formOf(doc, cell);
  if (!f || !cell.analysis) return false;
  try {
    return jobSql(cell.analysis.job, f.form, f.owner.name) === cell.source;
  } catch {
    return false;
  }
}

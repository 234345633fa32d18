import { modelCellSql, modelTables } from '../score/cell';
import { referencedNames } from './sql-scan';
import type { CellData } from './types';

/** Every name a cell reads: tables and earlier results in SQL, the data name of a chart, a model cell's queries. */
export function namesRead(cell: CellData): Set<string> {
  switch (cell.kind) {
    case 'sql':
      return referencedNames(cell.source);
    case 'model':
      return new Set(modelCellSql(cell.source, cell.model).flatMap((sql) => [...referencedNames(sql)]));
    case 'plot':
      return new Set(cell.plot?.data ? [cell.plot.data] : []);
    case 'markdown':
      return new Set();
  }
}

/** Every table a cell's run creates: its name, and for a model cell its other result tables (`<name>_episodes`, …). */
export function namesProduced(cell: CellData): string[] {
  if (cell.kind === 'markdown' || !cell.name) return [];
  if (cell.kind === 'model' && cell.model) return modelTables(cell.name, cell.model.task);
  return [cell.name];
}

/** The problem, if any, with the order of cells: a cell may only use results of cells above it. */
export interface OrderProblem {
  cellId: string;
  message: string;
}

/**
 * Upstream cell ids per cell, in notebook order. Results flow top to bottom (like a report), so a reference
 * to a cell further down is reported as a problem instead of silently reading an old result.
 */
export function dependencyGraph(cells: CellData[]): { upstream: Map<string, string[]>; problems: OrderProblem[] } {
  const byName = new Map<string, { cell: CellData; index: number }>();
  cells.forEach((cell, index) => {
    for (const n of namesProduced(cell)) byName.set(n.toLowerCase(), { cell, index });
  });
  const upstream = new Map<string, string[]>();
  const problems: OrderProblem[] = [];
  cells.forEach((cell, index) => {
    const ups: string[] = [];
    for (const n of namesRead(cell)) {
      const hit = byName.get(n.toLowerCase());
      if (!hit || hit.cell.id === cell.id) continue;
      if (hit.index > index) {
        problems.push({ cellId: cell.id, message: `Uses "${hit.cell.name}", which is defined further down. Move this cell below it.` });
      } else {
        ups.push(hit.cell.id);
      }
    }
    upstream.set(cell.id, ups);
  });
  return { upstream, problems };
}

/** Ids of the cells that depend on `id` directly or transitively, in notebook order. */
export function downstreamOf(cells: CellData[], id: string): string[] {
  const { upstream } = dependencyGraph(cells);
  const affected = new Set([id]);
  const out: string[] = [];
  for (const cell of cells) {
    if (cell.id === id) continue;
    if ((upstream.get(cell.id) ?? []).some((u) => affected.has(u))) {
      affected.add(cell.id);
      out.push(cell.id);
    }
  }
  return out;
}

import { DEMO_MANIFEST, TRAINED_MAPPING, defaultInputSql, defaultUncertaintyParams, type ModelSpec } from '../score/cell';
import { defaultRecipe } from '../models/recipe';
import { POLICY_MAPPING } from '../models/demo-mappings';
import type { CellData, CellKind, NotebookDoc } from './types';

/** A short random id; cells keep their id across renames so runtime state follows them. */
export function newCellId(): string {
  return Math.random().toString(36).slice(2, 10);
}

/** A result name not used by any cell yet (`query_1`, `chart_2`, …). */
export function freshName(doc: NotebookDoc, prefix: string): string {
  const taken = new Set(doc.cells.map((c) => c.name.toLowerCase()));
  for (let i = 1; ; i++) {
    const name = `${prefix}_${i}`;
    if (!taken.has(name)) return name;
  }
}

/** A new empty cell of a kind; a new chart reads the nearest result above it. */
export function makeCell(doc: NotebookDoc, kind: CellKind, at: number): CellData {
  const above = doc.cells.slice(0, at).reverse().find((c) => c.kind === 'sql');
  switch (kind) {
    case 'sql':
      return { id: newCellId(), kind, name: freshName(doc, 'query'), source: above ? `SELECT * FROM ${above.name} LIMIT 100` : 'SELECT * FROM episodes LIMIT 100' };
    case 'plot':
      return { id: newCellId(), kind, name: freshName(doc, 'chart'), source: '', plot: { data: above?.name ?? 'episodes', mark: 'barY' } };
    case 'markdown':
      return { id: newCellId(), kind, name: freshName(doc, 'text'), source: '## Notes\n' };
    case 'model': {
      // On the demo: the demo ensemble, ready to run. On anyone else's data: models trained in the tab (the demo's
      // models fit only the demo's robot). The cell's form switches model, task and mapping.
      const demo = doc.sources.some((s) => s.kind === 'lerobot' && s.url === 'demo/');
      const model: ModelSpec = demo
        ? { task: 'uncertainty', model: { kind: 'demo', manifest: DEMO_MANIFEST }, mapping: structuredClone(POLICY_MAPPING), params: defaultUncertaintyParams() }
        : { task: 'uncertainty', model: { kind: 'trained', recipe: defaultRecipe() }, mapping: structuredClone(TRAINED_MAPPING), params: { ...defaultUncertaintyParams(), reference: null, shadow: null } };
      return { id: newCellId(), kind, name: freshName(doc, 'scores'), source: defaultInputSql(model), model };
    }
  }
}

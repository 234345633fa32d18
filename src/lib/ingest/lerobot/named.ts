/**
 * Named vector elements: a feature's `names` from info.json turned into per-element columns, so a joint can be
 * queried as `"observation.state.kLeftElbow"` instead of `"observation.state"[4]`. Pure: the database worker turns
 * these into expressions of the `frames` view (which keeps the lazy planner working: DuckDB's EXPLAIN still sees
 * the scan read `observation.state`).
 */
import { quoteIdent } from '../../util/sql';
import type { FeatureInfo } from './info';

/** One named element of a vector feature. */
export interface NamedElement {
  /** The generated column, `<feature>.<name>`. */
  column: string;
  /** The vector feature it is read from. */
  feature: string;
  /** Position in the vector, 1-based (DuckDB list indexing). */
  index: number;
  /** The element's name as info.json gives it. */
  name: string;
}

/** Columns never given per-element names (bookkeeping, not vectors). */
const SKIP = new Set(['timestamp', 'frame_index', 'episode_index', 'index', 'task_index']);

/**
 * Every element of every named numeric vector feature, in feature order then vector order. A feature is named
 * only when its flattened `names` has exactly one unique name per element (a `names` that describes something
 * else, e.g. an image's `['height', 'width', 'channels']`, is not). A generated name that collides with a real
 * column (DROID has both `observation.state` and `observation.state.gripper_position`) or an earlier generated
 * one is left out: real columns always win.
 */
export function namedElements(features: Pick<FeatureInfo, 'key' | 'shape' | 'names' | 'isNumeric' | 'isVideo'>[], existing: readonly string[] = features.map((f) => f.key)): NamedElement[] {
  const taken = new Set(existing);
  const out: NamedElement[] = [];
  for (const f of features) {
    if (!f.isNumeric || f.isVideo || SKIP.has(f.key) || !f.names) continue;
    const width = f.shape.reduce((a, b) => a * b, 1);
    if (width < 2 || f.names.length !== width || new Set(f.names).size !== width) continue;
    f.names.forEach((name, i) => {
      const column = `${f.key}.${name}`;
      if (taken.has(column)) return;
      taken.add(column);
      out.push({ column, feature: f.key, index: i + 1, name });
    });
  }
  return out;
}

/** The select-list expressions of the named elements (`"observation.state"[4] AS "observation.state.kLeftElbow"`). */
export function namedSelect(elements: readonly NamedElement[]): string[] {
  return elements.map((e) => `${quoteIdent(e.feature)}[${e.index}] AS ${quoteIdent(e.column)}`);
}

/** Joint names shared by two features (e.g. state and action of the same joint), in the first feature's order. */
export function pairedNames(elements: readonly NamedElement[], a: string, b: string): string[] {
  const inB = new Set(elements.filter((e) => e.feature === b).map((e) => e.name));
  return elements.filter((e) => e.feature === a && inB.has(e.name)).map((e) => e.name);
}

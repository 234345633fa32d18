/**
 * Form fields of the flywheel jobs, as data: each job lists the fields of its form (a path into the form
 * object, a label, the kind of input) and one generic form component draws them. Keeping the description
 * here, beside the forms and their validators, lets it be tested in Node and keeps the UI free of per-job code.
 */

/** A choice of a select field: the value stored in the form and its label. */
export interface Choice {
  value: unknown;
  label: string;
}

/** One input of a job's form. `path` is a dot path into the form (`thresholds.maxCycleDays`). */
export type Field =
  | { kind: 'number'; path: string; label: string; min?: number; max?: number; step?: number; help?: string; nullable?: boolean }
  | { kind: 'text'; path: string; label: string; help?: string; nullable?: boolean; mono?: boolean }
  | { kind: 'bool'; path: string; label: string; help?: string }
  | { kind: 'select'; path: string; label: string; choices: Choice[]; help?: string }
  /** A Record<string, row> edited as a table: one line per key with the row's fields as columns. */
  | { kind: 'records'; path: string; label: string; keyLabel: string; columns: Field[]; newRow: () => unknown; help?: string }
  /** An array of rows edited as a table. */
  | { kind: 'list'; path: string; label: string; columns: Field[]; newRow: () => unknown; min?: number; help?: string }
  /** A set definition (tag, failure mode, condition, SQL condition or everything). */
  | { kind: 'set'; path: string; label: string; help?: string }
  /** A list of column names, comma-separated in one text box. */
  | { kind: 'names'; path: string; label: string; help?: string }
  /** Fields shown together under a heading, folded away when `folded`. */
  | { kind: 'group'; label: string; fields: Field[]; folded?: boolean };

/** The value at a dot path (undefined when a step is missing). */
export function getPath(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * A copy of `obj` with the value at `path` replaced (objects on the way are copied, never mutated, so a
 * form held in reactive state sees one assignment per edit).
 */
export function setPath<T>(obj: T, path: string, value: unknown): T {
  const [head, ...rest] = path.split('.');
  if (head === '__proto__' || head === 'constructor' || head === 'prototype') throw new Error(`Refusing to set "${head}".`);
  const base = (obj ?? {}) as Record<string, unknown>;
  const copy: Record<string, unknown> = Array.isArray(base) ? ([...base] as unknown as Record<string, unknown>) : { ...base };
  copy[head] = rest.length === 0 ? value : setPath(base[head], rest.join('.'), value);
  return copy as T;
}

/** Every field path of a field list (groups flattened), for tests and for mapping errors to fields. */
export function fieldPaths(fields: readonly Field[]): string[] {
  return fields.flatMap((f) => (f.kind === 'group' ? fieldPaths(f.fields) : [f.path]));
}

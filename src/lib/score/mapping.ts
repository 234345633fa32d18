/**
 * How a dataset feeds a model: which columns make each model input, over how many frames, normalised how, and
 * which result column each output becomes. A mapping is plain JSON (notebooks save it), so it is validated
 * strictly against the model's declared inputs/outputs and the dataset's columns before anything runs.
 */

/** A model input or output as the runtime declares it. */
export interface TensorInfo {
  name: string;
  /** Element type, e.g. 'float32'. */
  type: string;
  /** Dimensions; a string is symbolic (e.g. 'N'), -1 or a string means dynamic. */
  shape: (number | string)[];
}

/** What the mapping is checked against: a loaded model's inputs and outputs. */
export interface ModelSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

/** LeRobot `meta/stats.json`: per column, per dimension. */
export type DatasetStats = Record<string, { mean?: number[]; std?: number[]; min?: number[]; max?: number[] }>;

/** The dataset side: numeric per-frame columns and how many values each has per frame. */
export interface DatasetShape {
  columns: Record<string, number>;
  stats?: DatasetStats;
}

/** One dataset column (all its values, or the listed 0-based indices) feeding an input. */
export interface FeatureRef {
  column: string;
  indices?: number[];
}

/** Normalisation from the dataset's stats (LeRobot convention: min_max maps to [-1, 1]). */
export type Normalization = 'none' | 'mean_std' | 'min_max';

/** How one model input is filled, per sample. */
export interface InputMapping {
  /** Model input name. */
  input: string;
  /** Columns concatenated per frame, in order. */
  features: FeatureRef[];
  /** Frames per sample (1: the frame alone). */
  window: number;
  /** Index of the anchor frame inside the window: window − 1 ends the window at the frame (causal). */
  anchor: number;
  normalize: Normalization;
}

/** Which result column one model output becomes. */
export interface OutputMapping {
  /** Model output name. */
  output: string;
  /** Result column name. */
  column: string;
  /** Undo a normalisation with another column's stats (a policy predicting normalised actions). */
  denormalize?: { column: string; method: Exclude<Normalization, 'none'> };
}

/** A model ↔ dataset mapping (version 1). */
export interface ModelMapping {
  version: 1;
  inputs: InputMapping[];
  outputs: OutputMapping[];
  /** Frames between consecutive samples when scoring whole episodes (1: every frame). */
  stride: number;
}

/** Thrown by {@link validateMapping}; `problems` lists every problem found, each a full sentence. */
export class MappingError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.length === 1 ? problems[0] : `The mapping has ${problems.length} problems:\n- ${problems.join('\n- ')}`);
    this.name = 'MappingError';
    this.problems = problems;
  }
}

/** Values per sample of an input under a mapping, and how the model wants them laid out. */
export interface InputLayout {
  input: string;
  featuresPerFrame: number;
  window: number;
  /** 'flat': [N, window × features]; 'sequence': [N, window, features]. */
  layout: 'flat' | 'sequence';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

function unknownKeys(o: Record<string, unknown>, allowed: string[], where: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push(`${where} has an unknown key \`${k}\` (allowed: ${allowed.join(', ')}).`);
}

function featureCount(f: FeatureRef, ds: DatasetShape): number {
  return f.indices ? f.indices.length : (ds.columns[f.column] ?? 0);
}

function statsProblem(column: string, method: Exclude<Normalization, 'none'>, dims: number, ds: DatasetShape): string | null {
  const s = ds.stats?.[column];
  const keys = method === 'mean_std' ? (['mean', 'std'] as const) : (['min', 'max'] as const);
  if (!s) return `normalisation \`${method}\` needs stats for \`${column}\`, and the dataset's stats have none.`;
  for (const k of keys) {
    const v = s[k];
    if (!Array.isArray(v) || v.length !== dims) return `stats \`${column}.${k}\` must have ${dims} values, has ${Array.isArray(v) ? v.length : 'none'}.`;
  }
  return null;
}

function describeFeatures(features: FeatureRef[], ds: DatasetShape): string {
  return features.map((f) => `${f.column} ${featureCount(f, ds)}`).join(' + ');
}

/** Checks the sample dimension(s) of an input against the mapping; returns the layout or pushes problems. */
function layoutFor(m: InputMapping, info: TensorInfo, ds: DatasetShape, out: string[]): InputLayout | null {
  const f = m.features.reduce((a, x) => a + featureCount(x, ds), 0);
  const given = `${describeFeatures(m.features, ds)}`;
  const fixed = (d: number | string | undefined): d is number => typeof d === 'number' && d >= 0;
  if (info.type !== 'float32') out.push(`model input \`${info.name}\` is ${info.type}; only float32 inputs can be fed from frames.`);
  if (fixed(info.shape[0])) {
    out.push(`model input \`${info.name}\` has a fixed batch size ${info.shape[0]}; Flywheel needs a dynamic first dimension (e.g. 'N').`);
  }
  if (info.shape.length === 2) {
    const d = info.shape[1];
    const total = m.window * f;
    if (fixed(d) && d !== total) {
      out.push(
        m.window === 1
          ? `model input \`${info.name}\` expects ${d} features, mapping gives ${f} (${given}).`
          : `model input \`${info.name}\` expects ${d} values per sample, mapping gives ${total} (window ${m.window} × ${f} features: ${given}).`,
      );
      return null;
    }
    return { input: info.name, featuresPerFrame: f, window: m.window, layout: 'flat' };
  }
  if (info.shape.length === 3) {
    const [, w, d] = info.shape;
    let ok = true;
    if (fixed(w) && w !== m.window) {
      out.push(`model input \`${info.name}\` expects windows of ${w} frames, mapping gives ${m.window}.`);
      ok = false;
    }
    if (fixed(d) && d !== f) {
      out.push(`model input \`${info.name}\` expects ${d} features per frame, mapping gives ${f} (${given}).`);
      ok = false;
    }
    return ok ? { input: info.name, featuresPerFrame: f, window: m.window, layout: 'sequence' } : null;
  }
  out.push(`model input \`${info.name}\` has shape [${info.shape.join(', ')}]; Flywheel feeds [N, features] or [N, window, features].`);
  return null;
}

function checkInput(raw: unknown, i: number, model: ModelSignature, ds: DatasetShape, out: string[]): InputLayout | null {
  const where = `inputs[${i}]`;
  if (!isObj(raw)) {
    out.push(`${where} must be an object.`);
    return null;
  }
  unknownKeys(raw, ['input', 'features', 'window', 'anchor', 'normalize'], where, out);
  const info = model.inputs.find((x) => x.name === raw.input);
  if (typeof raw.input !== 'string' || !info) {
    out.push(`${where}.input \`${String(raw.input)}\` is not an input of the model (inputs: ${model.inputs.map((x) => x.name).join(', ')}).`);
  }
  const before = out.length;
  if (!Array.isArray(raw.features) || raw.features.length === 0) out.push(`${where}.features must list at least one column.`);
  else {
    raw.features.forEach((f, j) => {
      const w = `${where}.features[${j}]`;
      if (!isObj(f)) return void out.push(`${w} must be an object {column, indices?}.`);
      unknownKeys(f, ['column', 'indices'], w, out);
      const dims = typeof f.column === 'string' ? ds.columns[f.column] : undefined;
      if (dims === undefined) return void out.push(`${w}: the dataset has no numeric column \`${String(f.column)}\` (columns: ${Object.keys(ds.columns).join(', ')}).`);
      if (f.indices !== undefined) {
        if (!Array.isArray(f.indices) || f.indices.length === 0 || !f.indices.every((k) => isInt(k, 0) && k < dims)) {
          out.push(`${w}.indices must be a non-empty list of integers in 0…${dims - 1} (\`${f.column}\` has ${dims} values per frame).`);
        }
      }
    });
  }
  if (!isInt(raw.window, 1)) out.push(`${where}.window must be an integer ≥ 1 (frames per sample).`);
  if (!isInt(raw.anchor, 0) || (isInt(raw.window, 1) && (raw.anchor as number) >= (raw.window as number))) {
    out.push(`${where}.anchor must be an integer in 0…window − 1 (the sample's own frame inside its window).`);
  }
  if (!['none', 'mean_std', 'min_max'].includes(raw.normalize as string)) out.push(`${where}.normalize must be 'none', 'mean_std' or 'min_max'.`);
  if (out.length > before || !info) return null;
  const m = raw as unknown as InputMapping;
  if (m.normalize !== 'none') {
    for (const f of m.features) {
      const p = statsProblem(f.column, m.normalize, ds.columns[f.column], ds);
      if (p) out.push(`${where}: ${p}`);
    }
  }
  return layoutFor(m, info, ds, out);
}

function checkOutput(raw: unknown, i: number, model: ModelSignature, ds: DatasetShape, out: string[]): void {
  const where = `outputs[${i}]`;
  if (!isObj(raw)) return void out.push(`${where} must be an object.`);
  unknownKeys(raw, ['output', 'column', 'denormalize'], where, out);
  const info = model.outputs.find((x) => x.name === raw.output);
  if (typeof raw.output !== 'string' || !info) {
    out.push(`${where}.output \`${String(raw.output)}\` is not an output of the model (outputs: ${model.outputs.map((x) => x.name).join(', ')}).`);
  }
  if (typeof raw.column !== 'string' || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(raw.column)) {
    out.push(`${where}.column must be a column name (letters, digits, _ and .; not starting with a digit).`);
  }
  if (raw.denormalize !== undefined) {
    const d = raw.denormalize;
    if (!isObj(d) || typeof d.column !== 'string' || !['mean_std', 'min_max'].includes(d.method as string)) {
      return void out.push(`${where}.denormalize must be {column, method: 'mean_std' | 'min_max'}.`);
    }
    unknownKeys(d, ['column', 'method'], `${where}.denormalize`, out);
    const dims = ds.columns[d.column] ?? (ds.stats?.[d.column]?.mean?.length ?? ds.stats?.[d.column]?.min?.length);
    const last = info?.shape[info.shape.length - 1];
    if (dims === undefined) out.push(`${where}.denormalize: no stats for \`${d.column}\`.`);
    else {
      if (typeof last === 'number' && last >= 0 && last !== dims) out.push(`${where}: output \`${info!.name}\` has ${last} values per sample, \`${d.column}\` stats have ${dims}.`);
      const p = statsProblem(d.column, d.method as 'mean_std' | 'min_max', dims, ds);
      if (p) out.push(`${where}.denormalize: ${p}`);
    }
  }
}

/**
 * Checks a mapping (e.g. parsed from a notebook) against a model and a dataset. Returns the mapping typed, with
 * each input's layout; throws {@link MappingError} listing every problem, each naming the input, the numbers
 * expected and given ("model input `obs` expects 14 features, mapping gives 12 (observation.state 12)").
 */
export function validateMapping(raw: unknown, model: ModelSignature, ds: DatasetShape): { mapping: ModelMapping; layouts: InputLayout[] } {
  const out: string[] = [];
  if (!isObj(raw)) throw new MappingError(['A mapping must be an object {version: 1, inputs, outputs, stride}.']);
  unknownKeys(raw, ['version', 'inputs', 'outputs', 'stride'], 'The mapping', out);
  if (raw.version !== 1) out.push(`The mapping's version must be 1, is ${JSON.stringify(raw.version)}.`);
  if (!isInt(raw.stride, 1)) out.push('stride must be an integer ≥ 1 (frames between samples).');
  const layouts: InputLayout[] = [];
  if (!Array.isArray(raw.inputs)) out.push('inputs must be a list.');
  else {
    raw.inputs.forEach((x, i) => {
      const l = checkInput(x, i, model, ds, out);
      if (l) layouts.push(l);
    });
    const named = raw.inputs.map((x) => (isObj(x) ? x.input : undefined));
    for (const info of model.inputs) {
      const n = named.filter((x) => x === info.name).length;
      if (n === 0) out.push(`model input \`${info.name}\` is not mapped.`);
      if (n > 1) out.push(`model input \`${info.name}\` is mapped ${n} times.`);
    }
  }
  if (!Array.isArray(raw.outputs) || raw.outputs.length === 0) out.push('outputs must list at least one model output.');
  else {
    raw.outputs.forEach((x, i) => checkOutput(x, i, model, ds, out));
    const cols = raw.outputs.map((x) => (isObj(x) ? x.column : undefined));
    const dup = cols.find((c, i) => c !== undefined && cols.indexOf(c) !== i);
    if (dup !== undefined) out.push(`Result column \`${String(dup)}\` is used by two outputs.`);
  }
  if (out.length) throw new MappingError(out);
  return { mapping: raw as unknown as ModelMapping, layouts };
}

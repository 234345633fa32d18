/**
 * Strict checks of a model cell's data from an untrusted notebook (a link or a file): known keys only, every type
 * and limit, URLs through the caller's URL check, and a fresh copy built from known keys. The mapping is checked
 * for shape here; whether it fits the model and the dataset is known only once both are loaded (`validateMapping`).
 */
import type { ModelMapping, Normalization } from './mapping';
import type { TrainRecipe } from '../models/recipe';
import { TRAINED_MAPPING, type ClusterParams, type ModelSource, type ModelSpec, type OnsetSource, type UncertaintyParams } from './cell';

/** Most models in one cell (an ensemble). */
export const MAX_MODELS = 16;
/** Longest SQL condition in a model cell's parameters. */
export const MAX_CONDITION_LENGTH = 2000;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v));
const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_.]{0,199}$/;
const NAME = /^[^\u0000-\u001F\u007F]{1,200}$/;
const NORMS: Normalization[] = ['none', 'mean_std', 'min_max'];
const ONSETS: OnsetSource[] = ['annotated', 'detected', 'annotated-or-detected'];

class Problems {
  list: string[] = [];
  constructor(readonly path: string) {}
  add(where: string, msg: string): void {
    this.list.push(`${this.path}${where ? '.' + where : ''} ${msg}`);
  }
  keys(o: Json, allowed: string[], where: string): void {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) this.add(where, `has an unknown key "${k.slice(0, 40)}" (allowed: ${allowed.join(', ')}).`);
  }
}

function condition(v: unknown, where: string, p: Problems, nullable: boolean): string | null {
  if (nullable && (v === null || v === undefined)) return null;
  if (typeof v !== 'string' || !v.trim() || v.length > MAX_CONDITION_LENGTH) p.add(where, `must be a SQL condition of at most ${MAX_CONDITION_LENGTH} characters.`);
  else if (v.includes(';')) p.add(where, 'must be one condition (no ";").');
  else return v;
  return null;
}

/** Most hidden units per layer, steps and members of a recipe: enough for small policies, bounded so a link cannot ask the tab for hours of training. */
export const RECIPE_LIMITS = { members: 16, layers: 4, width: 256, steps: 20_000, batch: 1024, window: 64, encoderWindow: 600, embeddingDim: 32 } as const;

function recipe(v: unknown, p: Problems): TrainRecipe | undefined {
  const w = 'model.recipe';
  if (!isObj(v)) return void p.add(w, 'must be an object {version: 1, seed, members, hidden, steps, …}.');
  const before = p.list.length;
  const L = RECIPE_LIMITS;
  p.keys(v, ['version', 'seed', 'state', 'action', 'members', 'hidden', 'steps', 'batch', 'window', 'reference', 'embeddingDim', 'encoderWindow', 'encoderAnchor'], w);
  if (v.version !== 1) p.add(`${w}.version`, 'must be 1.');
  if (!isInt(v.seed, 0, 2 ** 31 - 1)) p.add(`${w}.seed`, 'must be a whole number in 0…2147483647.');
  for (const k of ['state', 'action'] as const) if (v[k] !== null && (typeof v[k] !== 'string' || !COLUMN.test(v[k] as string))) p.add(`${w}.${k}`, 'must be null (found in the frames) or a column name.');
  if (!isInt(v.members, 1, L.members)) p.add(`${w}.members`, `must be a whole number in 1…${L.members}.`);
  if (!Array.isArray(v.hidden) || v.hidden.length < 1 || v.hidden.length > L.layers || !v.hidden.every((h) => isInt(h, 1, L.width))) p.add(`${w}.hidden`, `must list 1–${L.layers} layer widths in 1…${L.width}.`);
  if (!isInt(v.steps, 1, L.steps)) p.add(`${w}.steps`, `must be a whole number in 1…${L.steps}.`);
  if (!isInt(v.batch, 1, L.batch)) p.add(`${w}.batch`, `must be a whole number in 1…${L.batch}.`);
  if (!isInt(v.window, 1, L.window)) p.add(`${w}.window`, `must be a whole number of frames in 1…${L.window}.`);
  if (v.reference !== 'auto') condition(v.reference, `${w}.reference`, p, false);
  if (!isInt(v.embeddingDim, 2, L.embeddingDim)) p.add(`${w}.embeddingDim`, `must be a whole number in 2…${L.embeddingDim}.`);
  if (!isInt(v.encoderWindow, 2, L.encoderWindow)) p.add(`${w}.encoderWindow`, `must be a whole number of frames in 2…${L.encoderWindow}.`);
  if (!isInt(v.encoderAnchor, 0, L.encoderWindow - 1) || (isInt(v.encoderWindow, 2, L.encoderWindow) && (v.encoderAnchor as number) >= (v.encoderWindow as number))) p.add(`${w}.encoderAnchor`, 'must be in 0…encoderWindow − 1.');
  return p.list.length > before ? undefined : (structuredClone(v) as unknown as TrainRecipe);
}

function source(v: unknown, p: Problems, isUrl: (u: string) => boolean): ModelSource | undefined {
  if (!isObj(v)) return void p.add('model', 'must be an object {kind: "demo" | "url" | "file" | "trained", …}.');
  if (v.kind === 'trained') {
    p.keys(v, ['kind', 'recipe'], 'model');
    const r = recipe(v.recipe, p);
    return r ? { kind: 'trained', recipe: r } : undefined;
  }
  if (v.kind === 'demo') {
    p.keys(v, ['kind', 'manifest'], 'model');
    if (typeof v.manifest !== 'string' || !isUrl(v.manifest)) return void p.add('model.manifest', 'must be an http(s) URL or a path relative to the page.');
    return { kind: 'demo', manifest: v.manifest };
  }
  const key = v.kind === 'url' ? 'urls' : v.kind === 'file' ? 'names' : null;
  if (!key) return void p.add('model.kind', `must be "demo", "url", "file" or "trained", got ${JSON.stringify(String(v.kind).slice(0, 40))}.`);
  p.keys(v, ['kind', key], 'model');
  const list = v[key];
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_MODELS) return void p.add(`model.${key}`, `must list 1–${MAX_MODELS} models.`);
  const ok = list.every((u) => typeof u === 'string' && (key === 'urls' ? isUrl(u) : NAME.test(u)));
  if (!ok) return void p.add(`model.${key}`, key === 'urls' ? 'must be http(s) URLs or paths relative to the page.' : 'must be file names.');
  return v.kind === 'url' ? { kind: 'url', urls: [...list] } : { kind: 'file', names: [...list] };
}

function mapping(v: unknown, p: Problems): ModelMapping | undefined {
  if (!isObj(v)) return void p.add('mapping', 'must be an object {version: 1, stride, inputs, outputs}.');
  const before = p.list.length;
  p.keys(v, ['version', 'stride', 'inputs', 'outputs'], 'mapping');
  if (v.version !== 1) p.add('mapping.version', 'must be 1.');
  if (!isInt(v.stride, 1, 100_000)) p.add('mapping.stride', 'must be a whole number of frames ≥ 1.');
  if (!Array.isArray(v.inputs) || v.inputs.length === 0 || v.inputs.length > 16) p.add('mapping.inputs', 'must list 1–16 inputs.');
  else
    v.inputs.forEach((x, i) => {
      const w = `mapping.inputs[${i}]`;
      if (!isObj(x)) return void p.add(w, 'must be an object.');
      p.keys(x, ['input', 'features', 'window', 'anchor', 'normalize'], w);
      if (typeof x.input !== 'string' || !NAME.test(x.input)) p.add(`${w}.input`, 'must name a model input.');
      if (!Array.isArray(x.features) || x.features.length === 0 || x.features.length > 64) p.add(`${w}.features`, 'must list 1–64 columns.');
      else
        x.features.forEach((f, j) => {
          if (!isObj(f)) return void p.add(`${w}.features[${j}]`, 'must be an object {column, indices?}.');
          p.keys(f, ['column', 'indices'], `${w}.features[${j}]`);
          if (typeof f.column !== 'string' || !COLUMN.test(f.column)) p.add(`${w}.features[${j}].column`, 'must be a column name.');
          if (f.indices !== undefined && (!Array.isArray(f.indices) || f.indices.length === 0 || f.indices.length > 4096 || !f.indices.every((k) => isInt(k, 0, 65_535)))) {
            p.add(`${w}.features[${j}].indices`, 'must be a non-empty list of indices.');
          }
        });
      if (!isInt(x.window, 1, 10_000)) p.add(`${w}.window`, 'must be a whole number of frames in 1…10000.');
      if (!isInt(x.anchor, 0, 9_999) || (isInt(x.window, 1, 10_000) && x.anchor >= x.window)) p.add(`${w}.anchor`, 'must be in 0…window − 1.');
      if (!NORMS.includes(x.normalize as Normalization)) p.add(`${w}.normalize`, `must be one of ${NORMS.join(', ')}.`);
    });
  if (!Array.isArray(v.outputs) || v.outputs.length === 0 || v.outputs.length > 16) p.add('mapping.outputs', 'must list 1–16 outputs.');
  else
    v.outputs.forEach((x, i) => {
      const w = `mapping.outputs[${i}]`;
      if (!isObj(x)) return void p.add(w, 'must be an object.');
      p.keys(x, ['output', 'column', 'denormalize'], w);
      if (typeof x.output !== 'string' || !NAME.test(x.output)) p.add(`${w}.output`, 'must name a model output.');
      if (typeof x.column !== 'string' || !COLUMN.test(x.column)) p.add(`${w}.column`, 'must be a column name.');
      if (x.denormalize !== undefined) {
        const d = x.denormalize;
        if (!isObj(d) || typeof d.column !== 'string' || !COLUMN.test(d.column) || !['mean_std', 'min_max'].includes(d.method as string)) {
          p.add(`${w}.denormalize`, `must be {column, method: "mean_std" | "min_max"}.`);
        } else p.keys(d, ['column', 'method'], `${w}.denormalize`);
      }
    });
  // The shape is checked, so a structured clone is a copy of known keys only.
  return p.list.length > before ? undefined : (structuredClone(v) as unknown as ModelMapping);
}

function uncertainty(v: Json, p: Problems): UncertaintyParams | undefined {
  p.keys(v, ['quantile', 'reference', 'shadow', 'collectLimit'], 'params');
  const before = p.list.length;
  if (typeof v.quantile !== 'number' || !(v.quantile > 0 && v.quantile < 1)) p.add('params.quantile', 'must be a number between 0 and 1 (0.99 flags the top 1%).');
  const reference = condition(v.reference, 'params.reference', p, true);
  let shadow: UncertaintyParams['shadow'] = null;
  if (v.shadow !== null && v.shadow !== undefined) {
    const s = v.shadow;
    if (!isObj(s) || typeof s.column !== 'string' || !COLUMN.test(s.column) || typeof s.operatorColumn !== 'string' || !COLUMN.test(s.operatorColumn)) {
      p.add('params.shadow', 'must be null or {column, operatorColumn} (column names).');
    } else {
      p.keys(s, ['column', 'operatorColumn'], 'params.shadow');
      shadow = { column: s.column, operatorColumn: s.operatorColumn };
    }
  }
  if (!isInt(v.collectLimit, 1, 100_000)) p.add('params.collectLimit', 'must be a whole number in 1…100000.');
  if (p.list.length > before) return undefined;
  return { quantile: v.quantile as number, reference, shadow, collectLimit: v.collectLimit as number };
}

function cluster(v: Json, p: Problems): ClusterParams | undefined {
  p.keys(v, ['failures', 'onsets', 'k', 'eps', 'conditions', 'names'], 'params');
  const before = p.list.length;
  const failures = condition(v.failures, 'params.failures', p, false);
  if (!ONSETS.includes(v.onsets as OnsetSource)) p.add('params.onsets', `must be one of ${ONSETS.join(', ')}.`);
  if (v.k !== 'auto' && !isInt(v.k, 2, 50)) p.add('params.k', 'must be "auto" or a whole number in 2…50.');
  if (v.eps !== 'auto' && !(typeof v.eps === 'number' && Number.isFinite(v.eps) && v.eps > 0)) p.add('params.eps', 'must be "auto" or a positive number.');
  if (!Array.isArray(v.conditions) || v.conditions.length > 20 || !v.conditions.every((c) => typeof c === 'string' && COLUMN.test(c))) {
    p.add('params.conditions', 'must be a list of at most 20 column names.');
  }
  const names: Record<string, string> = {};
  if (!isObj(v.names) || Object.keys(v.names).length > 100) p.add('params.names', 'must be an object {cluster number: name} with at most 100 entries.');
  else
    for (const [k, n] of Object.entries(v.names)) {
      if (!/^\d{1,2}$/.test(k) || typeof n !== 'string' || n.length > 60 || /[\u0000-\u001F\u007F]/.test(n)) p.add('params.names', `entry "${k.slice(0, 10)}" must map a cluster number to a name of at most 60 characters.`);
      else if (n.trim()) names[k] = n;
    }
  if (p.list.length > before) return undefined;
  return { failures: failures!, onsets: v.onsets as OnsetSource, k: v.k as number | 'auto', eps: v.eps as number | 'auto', conditions: [...(v.conditions as string[])], names };
}

/**
 * Checks a model cell's `model` data at `path`. `isUrl` decides which URLs are acceptable (the share schema's
 * http(s)-or-relative rule). Returns a fresh copy, or the problems, each a sentence naming the field.
 */
export function validateModelSpec(x: unknown, path: string, isUrl: (u: string) => boolean): { spec?: ModelSpec; problems: string[] } {
  const p = new Problems(path);
  if (!isObj(x)) return { problems: [`${path} must be an object {task, model, mapping, params}.`] };
  p.keys(x, ['task', 'model', 'mapping', 'params'], '');
  if (x.task !== 'uncertainty' && x.task !== 'cluster') p.add('task', 'must be "uncertainty" or "cluster".');
  const model = source(x.model, p, isUrl);
  // Models trained in the tab are sized from the data when they are trained: their cell carries no mapping.
  const trained = isObj(x.model) && x.model.kind === 'trained';
  if (trained && x.mapping !== undefined && JSON.stringify(x.mapping) !== JSON.stringify(TRAINED_MAPPING)) p.add('mapping', 'must be empty ({version: 1, stride: 1, inputs: [], outputs: []}) when the models are trained in the tab.');
  const map = trained ? structuredClone(TRAINED_MAPPING) : mapping(x.mapping, p);
  let params: UncertaintyParams | ClusterParams | undefined;
  if (!isObj(x.params)) p.add('params', 'must be an object.');
  else if (x.task === 'uncertainty') params = uncertainty(x.params, p);
  else if (x.task === 'cluster') params = cluster(x.params, p);
  if (p.list.length || !model || !map || !params) return { problems: p.list };
  return { spec: { task: x.task, model, mapping: map, params } as ModelSpec, problems: [] };
}

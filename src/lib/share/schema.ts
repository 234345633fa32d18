/**
 * Strict validation of notebook documents from links and files.
 *
 * Everything here is untrusted: a link can be crafted by anyone. The validator accepts only the keys it
 * knows, checks every type and limit, reports all problems at once (with the path to each), and returns
 * a fresh copy built from known keys only, so odd keys such as `__proto__` never reach the app.
 */
import type { OutcomeMapping } from '../notebook/types';
import type { CellData, CellKind } from '../notebook/types';
import { CELL_NAME } from '../notebook/types';
import { formatCount } from '../util/format';
import type { SourceDecl } from '../ingest/source';
import { validateEpisodes } from '../mcap/episodes';
import { validatePlotSpec } from '../plot/spec.ts';
import { JOBS, formKindOf, isJobId, validateForm, type JobId } from '../analysis/jobs.ts';
import { didYouMean } from '../plot/suggest.ts';
import { validateModelSpec } from '../score/cell-schema.ts';
import type { DeepLink, NotebookLayout, SharedNotebook } from './types.ts';
import { isHost, MAX_APPROVED_HOSTS } from './resources.ts';

/** The document version this app writes and reads (older ones go through `migrate` first). */
export const NOTEBOOK_VERSION = 1;
/** Longest accepted notebook title. */
export const MAX_TITLE_LENGTH = 200;
/** Most cells a notebook may have. */
export const MAX_CELLS = 500;
/** Most sources a notebook may declare. */
export const MAX_SOURCES = 50;
/** Longest accepted SQL or Markdown text of one cell. */
export const MAX_CELL_SOURCE_LENGTH = 100_000;
/** Longest accepted source URL. */
export const MAX_URL_LENGTH = 4096;
/** Cell ids: short and URL-safe (generated ids are base-36; templates use readable ones). */
export const CELL_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Result of {@link validateNotebook}. */
export type NotebookValidation = { ok: true; doc: SharedNotebook } | { ok: false; errors: string[] };

const DOC_KEYS = ['version', 'title', 'sources', 'cells', 'layout', 'deepLink', 'outcome', 'approvedHosts'] as const;
const SOURCE_KEYS = ['name', 'kind', 'url', 'role', 'episodes'] as const;
const CELL_KEYS = ['id', 'kind', 'name', 'source', 'plot', 'analysis', 'collapsed', 'model', 'needs'] as const;
const NEED_KEYS = ['table', 'columns', 'message', 'values'] as const;
const ANALYSIS_KEYS = ['job', 'form', 'of', 'edited'] as const;
/** A form is small; a larger one is not something the app wrote. */
export const MAX_FORM_LENGTH = 50_000;
const LAYOUT_KEYS = ['focus'] as const;
const DEEP_LINK_KEYS = ['cell', 'episode', 't'] as const;
const SOURCE_KINDS: readonly SourceDecl['kind'][] = ['lerobot', 'csv', 'mcap'];
const SOURCE_ROLES: readonly NonNullable<SourceDecl['role']>[] = ['episode-log', 'table'];
const CELL_KINDS: readonly CellKind[] = ['sql', 'plot', 'markdown', 'model'];
/** A hostile document could produce one error per cell; nobody reads past a screenful. */
const MAX_ERRORS = 50;
/**
 * Whitespace and control characters: browsers strip some of them inside a scheme (`java\tscript:` is
 * `javascript:`), and a real dataset URL has them percent-encoded, so any raw one is refused outright.
 */
const URL_SUSPECT_CHARS = /[\u0000-\u0020\u007F-\u00A0\u1680\u180E\u2000-\u200F\u2028\u2029\u202F\u205F\u3000\uFEFF]/;

type Json = Record<string, unknown>;

/**
 * Whether a source URL is acceptable: http(s), or relative to the page (including `//host/…`, which is
 * http(s) too). javascript:, data:, file:, blob: and every other scheme are refused, as are URLs with
 * credentials (`https://huggingface.co@evil.example/` hides its real host) or raw whitespace.
 */
export function isSourceUrl(url: string): boolean {
  if (url === '' || url.length > MAX_URL_LENGTH || URL_SUSPECT_CHARS.test(url)) return false;
  let parsed: URL;
  try {
    // A placeholder base: only the scheme and credentials of the result matter here.
    parsed = new URL(url, 'https://page.invalid/');
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return false;
  return parsed.username === '' && parsed.password === '';
}

/**
 * Check that `x` is a well-formed {@link SharedNotebook} of the current version. Strict: unknown keys,
 * wrong types, bad names, unsafe URLs, duplicates and over-limit sizes are all reported, one message each
 * (capped at 50). `null` for an optional field counts as absent. On success returns a fresh copy.
 */
export function validateNotebook(x: unknown): NotebookValidation {
  const errors = new Errors();
  if (!isPlainObject(x)) return { ok: false, errors: [`A notebook must be a JSON object, got ${describe(x)}.`] };
  errors.unknownKeys(x, DOC_KEYS, 'the notebook');

  if (x.version !== NOTEBOOK_VERSION) {
    errors.add(`"version" must be ${NOTEBOOK_VERSION}, got ${describe(x.version)}.`);
  }
  const title = x.title;
  if (typeof title !== 'string') errors.add(`"title" must be a string, got ${describe(title)}.`);
  else if (title.length > MAX_TITLE_LENGTH) errors.add(`"title" is longer than ${MAX_TITLE_LENGTH} characters.`);

  const sources = list(x.sources, 'sources', MAX_SOURCES, errors).map((s, i) => validateSource(s, `sources[${i}]`, errors));
  const cells = list(x.cells, 'cells', MAX_CELLS, errors).map((c, i) => validateCell(c, `cells[${i}]`, errors));
  duplicates(sources.map((s) => s?.name.toLowerCase()), 'source name', 'sources', errors);
  duplicates(cells.map((c) => c?.id), 'cell id', 'cells', errors);
  // DuckDB names are case-insensitive, so `Query` and `query` would be the same table.
  duplicates(cells.map((c) => c?.name.toLowerCase()), 'cell name', 'cells', errors);

  const layout = optional(x.layout) ? undefined : validateLayout(x.layout, errors);
  const deepLink = optional(x.deepLink) ? undefined : validateDeepLink(x.deepLink, 'deepLink', errors);
  const outcome = optional(x.outcome) ? undefined : validateOutcome(x.outcome, errors);
  const approvedHosts = optional(x.approvedHosts) ? undefined : validateHosts(x.approvedHosts, errors);

  if (errors.count > 0) return { ok: false, errors: errors.list() };
  const doc: SharedNotebook = {
    version: NOTEBOOK_VERSION,
    title: title as string,
    sources: sources as SourceDecl[],
    cells: cells as CellData[],
  };
  if (layout) doc.layout = layout;
  if (deepLink) doc.deepLink = deepLink;
  if (outcome) doc.outcome = outcome;
  if (approvedHosts?.length) doc.approvedHosts = approvedHosts;
  return { ok: true, doc };
}

/** Approved hosts: plain host names (with an optional port), at most {@link MAX_APPROVED_HOSTS}, no repeats. */
function validateHosts(x: unknown, errors: Errors): string[] | undefined {
  if (!Array.isArray(x)) return void errors.add(`"approvedHosts" must be a list of host names, got ${describe(x)}.`);
  if (x.length > MAX_APPROVED_HOSTS) return void errors.add(`"approvedHosts" has more than ${MAX_APPROVED_HOSTS} hosts.`);
  const out: string[] = [];
  x.forEach((h, i) => {
    if (typeof h !== 'string' || !isHost(h)) errors.add(`approvedHosts[${i}] must be a host name such as "images.example", got ${describe(h)}.`);
    else if (!out.includes(h)) out.push(h);
  });
  return out;
}

/** The outcome mapping: a SQL rule is at most one expression (it runs only after the user agreed to the notebook). */
function validateOutcome(x: unknown, errors: Errors): OutcomeMapping | undefined {
  if (!isPlainObject(x)) return void errors.add(`"outcome" must be an object, got ${describe(x)}.`);
  const kind = oneOf(x.kind, ['log', 'frame-column', 'sql'] as const, 'outcome.kind', errors);
  if (kind === 'log') {
    errors.unknownKeys(x, ['kind'], 'outcome');
    return { kind };
  }
  if (kind === 'frame-column') {
    errors.unknownKeys(x, ['kind', 'column', 'rule'], 'outcome');
    const rule = oneOf(x.rule, ['any', 'last'] as const, 'outcome.rule', errors);
    if (typeof x.column !== 'string' || !x.column || x.column.length > 200) return void errors.add('"outcome.column" must name a column.');
    return rule ? { kind, column: x.column, rule } : undefined;
  }
  if (kind === 'sql') {
    errors.unknownKeys(x, ['kind', 'expression'], 'outcome');
    if (typeof x.expression !== 'string' || !x.expression.trim() || x.expression.length > 2000) {
      return void errors.add('"outcome.expression" must be a SQL expression of at most 2,000 characters.');
    }
    if (/;/.test(x.expression)) return void errors.add('"outcome.expression" must be one expression (no ";").');
    return { kind, expression: x.expression };
  }
  return undefined;
}

function validateSource(x: unknown, path: string, errors: Errors): SourceDecl | undefined {
  if (!isPlainObject(x)) return void errors.add(`${path} must be an object, got ${describe(x)}.`);
  errors.unknownKeys(x, SOURCE_KEYS, path);
  const before = errors.count;
  const name = identifier(x.name, `${path}.name`, errors);
  const kind = oneOf(x.kind, SOURCE_KINDS, `${path}.kind`, errors);
  let url: string | undefined;
  if (!optional(x.url)) {
    if (typeof x.url !== 'string') errors.add(`${path}.url must be a string, got ${describe(x.url)}.`);
    else if (!isSourceUrl(x.url)) {
      errors.add(`${path}.url must be an http(s) URL or a path relative to the page, got ${describe(x.url)}.`);
    } else url = x.url;
  }
  const role = optional(x.role) ? undefined : oneOf(x.role, SOURCE_ROLES, `${path}.role`, errors);
  // An MCAP source's mapping onto episodes: only on MCAP sources, checked key by key like everything else.
  let episodes: SourceDecl['episodes'];
  if (!optional(x.episodes)) {
    if (kind !== 'mcap') errors.add(`${path}.episodes is only allowed on MCAP sources.`);
    else {
      const v = validateEpisodes(x.episodes, `${path}.episodes`);
      for (const e of v.errors) errors.add(e);
      episodes = v.value;
    }
  }
  if (errors.count > before) return undefined;
  const out: SourceDecl = { name: name!, kind: kind! };
  if (url !== undefined) out.url = url;
  if (role !== undefined) out.role = role;
  if (episodes !== undefined) out.episodes = episodes;
  return out;
}

function validateCell(x: unknown, path: string, errors: Errors): CellData | undefined {
  if (!isPlainObject(x)) return void errors.add(`${path} must be an object, got ${describe(x)}.`);
  if (typeof x.name === 'string' && CELL_NAME.test(x.name)) path = `${path} ("${x.name}")`;
  errors.unknownKeys(x, CELL_KEYS, path);
  const before = errors.count;
  const id = x.id;
  if (typeof id !== 'string' || !CELL_ID.test(id)) {
    errors.add(`${path}.id must be 1–64 letters, digits, "_" or "-", got ${describe(id)}.`);
  }
  const kind = oneOf(x.kind, CELL_KINDS, `${path}.kind`, errors);
  const name = identifier(x.name, `${path}.name`, errors);
  const source = x.source;
  if (typeof source !== 'string') errors.add(`${path}.source must be a string, got ${describe(source)}.`);
  else if (source.length > MAX_CELL_SOURCE_LENGTH) {
    errors.add(`${path}.source is longer than ${formatCount(MAX_CELL_SOURCE_LENGTH)} characters.`);
  }
  let plot: CellData['plot'];
  if (kind === 'plot') {
    const result = validatePlotSpec(x.plot);
    if (result.ok) plot = result.spec;
    else for (const e of result.errors) errors.add(`${path}.plot: ${e}`);
  } else if (!optional(x.plot)) {
    errors.add(`${path}.plot is only allowed on plot cells (this one is ${describe(x.kind)}).`);
  }
  let analysis: CellData['analysis'];
  if (!optional(x.analysis)) {
    if (kind === 'sql') analysis = validateAnalysis(x.analysis, `${path}.analysis`, errors);
    else errors.add(`${path}.analysis is only allowed on SQL cells (this one is ${describe(x.kind)}).`);
  }
  if (!optional(x.collapsed) && typeof x.collapsed !== 'boolean') errors.add(`${path}.collapsed must be true or false, got ${describe(x.collapsed)}.`);
  // A model cell's model, mapping and parameters; its URLs follow the same rule as source URLs (shown before use).
  let model: CellData['model'];
  if (kind === 'model') {
    const v = validateModelSpec(x.model, `${path}.model`, isSourceUrl);
    for (const e of v.problems) errors.add(e);
    model = v.spec;
  } else if (!optional(x.model)) {
    errors.add(`${path}.model is only allowed on model cells (this one is ${describe(x.kind)}).`);
  }
  const needs = optional(x.needs) ? undefined : validateNeeds(x.needs, `${path}.needs`, errors);
  if (errors.count > before) return undefined;
  const out: CellData = { id: id as string, kind: kind!, name: name!, source: source as string };
  if (needs) out.needs = needs;
  if (model) out.model = model;
  if (plot) out.plot = plot;
  if (analysis) out.analysis = analysis;
  if (x.collapsed === true) out.collapsed = true;
  return out;
}

/**
 * A cell's capability needs (tables, columns and the sentence shown when they are missing). Only ever compared
 * with the catalog and shown as text, never run, but still bounded like everything else in a link.
 */
function validateNeeds(x: unknown, path: string, errors: Errors): NonNullable<CellData['needs']> | undefined {
  if (!Array.isArray(x) || x.length > 50) return void errors.add(`${path} must be a list of at most 50 needs, got ${describe(x)}.`);
  const out: NonNullable<CellData['needs']> = [];
  x.forEach((n, i) => {
    const at = `${path}[${i}]`;
    if (!isPlainObject(n)) return void errors.add(`${at} must be an object, got ${describe(n)}.`);
    errors.unknownKeys(n, NEED_KEYS, at);
    const short = (v: unknown, max: number) => typeof v === 'string' && v.length > 0 && v.length <= max;
    if (!short(n.table, 200)) return void errors.add(`${at}.table must be a table name, got ${describe(n.table)}.`);
    if (!short(n.message, 1000)) return void errors.add(`${at}.message must be a sentence of at most 1,000 characters.`);
    if (!optional(n.columns) && (!Array.isArray(n.columns) || n.columns.length > 50 || !n.columns.every((c) => short(c, 200)))) {
      return void errors.add(`${at}.columns must be a list of column names.`);
    }
    if (!optional(n.values) && typeof n.values !== 'boolean') return void errors.add(`${at}.values must be true or false.`);
    const need: NonNullable<CellData['needs']>[number] = { table: n.table as string, message: n.message as string };
    if (n.values === true) need.values = true;
    if (Array.isArray(n.columns)) need.columns = [...(n.columns as string[])];
    out.push(need);
  });
  return out;
}

/** An analysis cell's job and form (checked with the job's own form checks) or the name of the cell that owns its form. */
function validateAnalysis(x: unknown, path: string, errors: Errors): CellData['analysis'] {
  if (!isPlainObject(x)) return void errors.add(`${path} must be an object, got ${describe(x)}.`);
  errors.unknownKeys(x, ANALYSIS_KEYS, path);
  const before = errors.count;
  if (!isJobId(x.job)) errors.add(`${path}.job must be one of ${Object.keys(JOBS).join(', ')}, got ${describe(x.job)}.`);
  if (!optional(x.edited) && typeof x.edited !== 'boolean') errors.add(`${path}.edited must be true or false.`);
  const hasForm = !optional(x.form);
  const hasOf = !optional(x.of);
  if (hasForm === hasOf) errors.add(`${path} needs either a form or "of" (the cell that holds the form), not ${hasForm ? 'both' : 'neither'}.`);
  const of = hasOf ? identifier(x.of, `${path}.of`, errors) : undefined;
  if (hasForm && isJobId(x.job)) {
    if (JSON.stringify(x.form).length > MAX_FORM_LENGTH) errors.add(`${path}.form is larger than ${formatCount(MAX_FORM_LENGTH)} characters.`);
    else for (const p of validateForm(formKindOf(x.job), x.form)) errors.add(`${path}.form: ${p}`);
  }
  if (errors.count > before) return undefined;
  const edited = x.edited === true ? { edited: true } : {};
  return hasForm ? { job: x.job as JobId, form: x.form, ...edited } : { job: x.job as JobId, of: of!, ...edited };
}

function validateLayout(x: unknown, errors: Errors): NotebookLayout | undefined {
  if (!isPlainObject(x)) return void errors.add(`"layout" must be an object, got ${describe(x)}.`);
  errors.unknownKeys(x, LAYOUT_KEYS, 'layout');
  if (optional(x.focus)) return {};
  // A focus on a cell that no longer exists is harmless (the app ignores it), so only the form is checked.
  const focus = identifier(x.focus, 'layout.focus', errors);
  return focus === undefined ? undefined : { focus };
}

/**
 * Check a {@link DeepLink} object (cell name, non-negative integer episode, non-negative finite seconds),
 * adding one message per problem to `errors`.
 */
function validateDeepLink(x: unknown, path: string, errors: Errors): DeepLink | undefined {
  if (!isPlainObject(x)) return void errors.add(`"${path}" must be an object, got ${describe(x)}.`);
  errors.unknownKeys(x, DEEP_LINK_KEYS, path);
  const out: DeepLink = {};
  if (!optional(x.cell)) {
    const cell = identifier(x.cell, `${path}.cell`, errors);
    if (cell !== undefined) out.cell = cell;
  }
  if (!optional(x.episode)) {
    if (isEpisodeIndex(x.episode)) out.episode = x.episode;
    else errors.add(`${path}.episode must be a whole number ≥ 0, got ${describe(x.episode)}.`);
  }
  if (!optional(x.t)) {
    if (isSeconds(x.t)) out.t = x.t;
    else errors.add(`${path}.t must be a number of seconds ≥ 0, got ${describe(x.t)}.`);
  }
  return out;
}

/** A valid episode index: a safe non-negative integer. */
export function isEpisodeIndex(x: unknown): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
}

/** A valid time offset: finite seconds ≥ 0. */
export function isSeconds(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= 0;
}

function identifier(x: unknown, path: string, errors: Errors): string | undefined {
  if (typeof x === 'string' && CELL_NAME.test(x)) return x;
  errors.add(`${path} must be an identifier (a letter or "_", then letters, digits or "_"; at most 63), got ${describe(x)}.`);
  return undefined;
}

function oneOf<T extends string>(x: unknown, allowed: readonly T[], path: string, errors: Errors): T | undefined {
  if (typeof x === 'string' && (allowed as readonly string[]).includes(x)) return x as T;
  const hint = typeof x === 'string' && x.length <= 40 ? didYouMean(x, allowed) : '';
  errors.add(`${path} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(x)}.${hint}`);
  return undefined;
}

/** The array at `key`, or an empty one after reporting why it is unusable. */
function list(x: unknown, key: string, max: number, errors: Errors): unknown[] {
  if (!Array.isArray(x)) {
    errors.add(`"${key}" must be an array, got ${describe(x)}.`);
    return [];
  }
  // Checked before looking inside, so a million-element array costs nothing.
  if (x.length > max) {
    errors.add(`"${key}" has ${x.length} entries; at most ${max} are allowed.`);
    return [];
  }
  return x;
}

function duplicates(values: (string | undefined)[], what: string, path: string, errors: Errors): void {
  const seen = new Map<string, number>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    const first = seen.get(v);
    if (first === undefined) seen.set(v, i);
    else errors.add(`${path}[${i}] repeats the ${what} ${describe(v)} of ${path}[${first}].`);
  });
}

function optional(x: unknown): boolean {
  return x === undefined || x === null;
}

function isPlainObject(x: unknown): x is Json {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** Collects messages up to {@link MAX_ERRORS}, counting the rest. */
class Errors {
  #messages: string[] = [];
  count = 0;

  add(message: string): void {
    this.count++;
    if (this.#messages.length < MAX_ERRORS) this.#messages.push(message);
  }

  unknownKeys(x: Json, allowed: readonly string[], where: string): void {
    for (const key of Object.keys(x)) {
      if (allowed.includes(key)) continue;
      const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
      const hint = key.length <= 40 ? didYouMean(key, allowed) : '';
      this.add(`Unknown key "${shown}" in ${where} (allowed: ${allowed.join(', ')}).${hint}`);
    }
  }

  list(): string[] {
    const more = this.count - this.#messages.length;
    return more > 0 ? [...this.#messages, `…and ${more} more problems.`] : [...this.#messages];
  }
}

/**
 * The declarative plot spec stored in notebook JSON, and its validator.
 *
 * Specs arrive from shared files, so they are treated as untrusted plain data: the validator
 * rejects anything it does not know rather than passing it through to Observable Plot.
 */
import { didYouMean } from './suggest.ts';

/** The marks a plot cell can draw (a subset of Observable Plot's marks). */
export const PLOT_MARKS = [
  'barY',
  'barX',
  'line',
  'lineY',
  'dot',
  'areaY',
  'rectY',
  'cell',
  'ruleY',
  'text',
  'tickX',
] as const;

/** One of {@link PLOT_MARKS}. */
export type PlotMark = (typeof PLOT_MARKS)[number];

/** Observable Plot's built-in color schemes (0.6.17); specs may name any of these, in any case. */
export const COLOR_SCHEMES = [
  // categorical
  'Accent', 'Category10', 'Dark2', 'Observable10', 'Paired', 'Pastel1', 'Pastel2', 'Set1', 'Set2', 'Set3',
  'Tableau10',
  // diverging
  'BrBG', 'PRGn', 'PiYG', 'PuOr', 'RdBu', 'RdGy', 'RdYlBu', 'RdYlGn', 'Spectral', 'BuRd', 'BuYlRd',
  // sequential
  'Blues', 'Greens', 'Greys', 'Oranges', 'Purples', 'Reds', 'Turbo', 'Viridis', 'Magma', 'Inferno', 'Plasma',
  'Cividis', 'Cubehelix', 'Warm', 'Cool', 'BuGn', 'BuPu', 'GnBu', 'OrRd', 'PuBu', 'PuBuGn', 'PuRd', 'RdPu', 'YlGn',
  'YlGnBu', 'YlOrBr', 'YlOrRd',
  // cyclical
  'Rainbow', 'Sinebow',
] as const;

/** How the categorical axis is ordered. */
export interface PlotSort {
  /**
   * What to order the categorical axis by (x for vertical marks, y for barX/tickX, the facet for
   * grouped bars): a channel name ('x', 'y', 'fill', …), a column already used by a channel, or any
   * other column of the result (categories are then ordered by that column's maximum). Omitted:
   * the categories' own values.
   */
  x?: string;
  /** Largest first. */
  descending?: boolean;
}

/** A plot cell: a small declarative chart over a named result. Plain JSON data, never code. */
export interface PlotSpec {
  /** Name of the result the chart reads. */
  data: string;
  mark: PlotMark;
  x?: string;
  y?: string;
  fill?: string;
  stroke?: string;
  fx?: string;
  fy?: string;
  r?: string;
  text?: string;
  /** Chart title, shown above the chart. */
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** barY/barX/areaY with fill: stacked (default true) or, when false, grouped side by side. */
  stack?: boolean;
  /** Format the value axis as a percentage (values are fractions: 0.25 → 25%). */
  percent?: boolean;
  sort?: PlotSort;
  /** Chart height in pixels (80–2000); Plot picks one when omitted. */
  height?: number;
  /** One of {@link COLOR_SCHEMES}. */
  colorScheme?: string;
  /**
   * Fixed colours for values of the fill/stroke column (`{"raised": "#e15759"}`), in legend order, so a status
   * reads the same in every chart (values not listed get no colour of their own). CSS hex or colour names.
   */
  colors?: Record<string, string>;
  /** Show the color legend; defaults to true when fill or stroke is a column. */
  legend?: boolean;
  /** Grid lines on the value axis; defaults to true. */
  grid?: boolean;
}

/** Result of {@link validatePlotSpec}. */
export type PlotSpecValidation = { ok: true; spec: PlotSpec } | { ok: false; errors: string[] };

/** The spec fields that name a column of the result (channels). */
export const CHANNEL_KEYS = ['x', 'y', 'fill', 'stroke', 'fx', 'fy', 'r', 'text'] as const;

/** A spec field that names a column. */
export type ChannelKey = (typeof CHANNEL_KEYS)[number];

/** Longest accepted column / result name. */
export const MAX_NAME_LENGTH = 200;
/** Longest accepted title or axis label. */
export const MAX_LABEL_LENGTH = 500;
/** Accepted chart heights in pixels. */
export const HEIGHT_RANGE = { min: 80, max: 2000 } as const;

const TEXT_KEYS = ['title', 'xLabel', 'yLabel'] as const;
const BOOLEAN_KEYS = ['stack', 'percent', 'legend', 'grid'] as const;
const ALLOWED_KEYS: readonly string[] = [
  'data', 'mark', ...CHANNEL_KEYS, ...TEXT_KEYS, ...BOOLEAN_KEYS, 'sort', 'height', 'colorScheme', 'colors',
];
/** Most values a `colors` map may name. */
export const MAX_COLORS = 50;
/** A colour a spec may name: #rgb, #rrggbb or a CSS colour keyword (letters only, so nothing else reaches the SVG). */
const COLOR_VALUE = /^(#[0-9a-f]{3}|#[0-9a-f]{6}|[a-z]{3,20})$/i;
const SORT_KEYS: readonly string[] = ['x', 'descending'];
/** Hints for keys people reach for from other charting tools. */
const KEY_HINTS: Record<string, string> = {
  color: ' Use "fill" (bars, areas, dots) or "stroke" (lines) with a column name.',
  colour: ' Use "fill" (bars, areas, dots) or "stroke" (lines) with a column name.',
  size: ' Use "r" for dot size.',
  label: ' Use "text" for text marks, or "xLabel"/"yLabel" for axis labels.',
  facet: ' Use "fx" (columns of small charts) or "fy" (rows).',
  width: ' The width follows the notebook cell.',
  scheme: ' Use "colorScheme".',
  type: ' Use "mark".',
};
const SCHEMES_BY_LOWER = new Map<string, string>(COLOR_SCHEMES.map((s) => [s.toLowerCase(), s]));

/** Which channels each mark needs: every key of `all`, and at least one key of `any`. */
const REQUIRED: Record<PlotMark, { all?: ChannelKey[]; any?: ChannelKey[] }> = {
  barY: { all: ['x'] },
  barX: { all: ['y'] },
  line: { all: ['x', 'y'] },
  lineY: { all: ['y'] },
  dot: { any: ['x', 'y'] },
  areaY: { all: ['x', 'y'] },
  rectY: { all: ['x'] },
  cell: { any: ['x', 'y'] },
  ruleY: { all: ['y'] },
  text: { all: ['text'], any: ['x', 'y'] },
  tickX: { all: ['x'] },
};

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/**
 * Check that `input` is a well-formed {@link PlotSpec}. Strict: unknown keys, wrong types, empty or
 * over-long names, out-of-range numbers, unknown marks/schemes and missing required channels are all
 * reported (every problem at once, one message each). `null` for an optional field counts as absent.
 * On success returns a fresh copy holding only known keys.
 */
export function validatePlotSpec(input: unknown): PlotSpecValidation {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [`Plot spec must be an object, got ${describe(input)}.`] };
  }
  const errors: string[] = [];
  const out: Record<string, unknown> = {};

  for (const key of Object.keys(input)) {
    if (!ALLOWED_KEYS.includes(key)) {
      const lower = key.toLowerCase();
      const hint = Object.hasOwn(KEY_HINTS, lower) ? KEY_HINTS[lower] : didYouMean(key, ALLOWED_KEYS);
      errors.push(`Unknown key "${key}" in plot spec (allowed: ${ALLOWED_KEYS.join(', ')}).${hint}`);
    }
  }

  const name = (key: string, required: boolean): void => {
    const v = input[key];
    if (v === undefined || v === null) {
      if (required) errors.push(`"${key}" is required (the name of ${key === 'data' ? 'a result' : 'a column'}).`);
      return;
    }
    if (typeof v !== 'string') errors.push(`"${key}" must be a string, got ${describe(v)}.`);
    else if (v.trim() === '') errors.push(`"${key}" must not be empty.`);
    else if (v.length > MAX_NAME_LENGTH) errors.push(`"${key}" is longer than ${MAX_NAME_LENGTH} characters.`);
    else out[key] = v;
  };

  name('data', true);

  const mark = input.mark;
  if (mark === undefined || mark === null) errors.push(`"mark" is required (one of ${PLOT_MARKS.join(', ')}).`);
  else if (typeof mark !== 'string' || !(PLOT_MARKS as readonly string[]).includes(mark)) {
    const hint = typeof mark === 'string' ? didYouMean(mark, PLOT_MARKS) : '';
    errors.push(`"mark" must be one of ${PLOT_MARKS.join(', ')}; got ${describe(mark)}.${hint}`);
  } else out.mark = mark;

  for (const key of CHANNEL_KEYS) name(key, false);

  for (const key of TEXT_KEYS) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') errors.push(`"${key}" must be a string, got ${describe(v)}.`);
    else if (v.length > MAX_LABEL_LENGTH) errors.push(`"${key}" is longer than ${MAX_LABEL_LENGTH} characters.`);
    else out[key] = v;
  }

  for (const key of BOOLEAN_KEYS) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'boolean') errors.push(`"${key}" must be true or false, got ${describe(v)}.`);
    else out[key] = v;
  }

  const height = input.height;
  if (height !== undefined && height !== null) {
    if (typeof height !== 'number' || !Number.isFinite(height)) {
      errors.push(`"height" must be a number of pixels, got ${describe(height)}.`);
    } else if (height < HEIGHT_RANGE.min || height > HEIGHT_RANGE.max) {
      errors.push(`"height" must be between ${HEIGHT_RANGE.min} and ${HEIGHT_RANGE.max} pixels, got ${height}.`);
    } else out.height = Math.round(height);
  }

  const scheme = input.colorScheme;
  if (scheme !== undefined && scheme !== null) {
    const known = typeof scheme === 'string' ? SCHEMES_BY_LOWER.get(scheme.toLowerCase()) : undefined;
    if (known === undefined) {
      const hint = typeof scheme === 'string' && scheme.length <= MAX_NAME_LENGTH ? didYouMean(scheme, COLOR_SCHEMES) : '';
      errors.push(`"colorScheme" must be one of Observable Plot's schemes (${COLOR_SCHEMES.join(', ')}); got ${describe(scheme)}.${hint}`);
    } else out.colorScheme = known;
  }

  const colors = input.colors;
  if (colors !== undefined && colors !== null) {
    if (!isPlainObject(colors)) errors.push(`"colors" must be an object of value → colour, like {"raised": "#e15759"}, got ${describe(colors)}.`);
    else {
      const entries = Object.entries(colors);
      if (entries.length === 0 || entries.length > MAX_COLORS) errors.push(`"colors" must name 1 to ${MAX_COLORS} values.`);
      const bad = entries.filter(([k, v]) => k.length > MAX_NAME_LENGTH || typeof v !== 'string' || !COLOR_VALUE.test(v));
      for (const [k, v] of bad.slice(0, 3)) errors.push(`"colors.${k.slice(0, 40)}" must be a colour like "#e15759" or "orange", got ${describe(v)}.`);
      if (bad.length === 0 && entries.length > 0 && entries.length <= MAX_COLORS) out.colors = Object.fromEntries(entries);
    }
  }

  const sort = input.sort;
  if (sort !== undefined && sort !== null) {
    if (!isPlainObject(sort)) errors.push(`"sort" must be an object like {"x": "y", "descending": true}, got ${describe(sort)}.`);
    else {
      const clean: PlotSort = {};
      for (const key of Object.keys(sort)) {
        if (!SORT_KEYS.includes(key)) errors.push(`Unknown key "${key}" in "sort" (allowed: x, descending).`);
      }
      const by = sort.x;
      if (by !== undefined && by !== null) {
        if (typeof by !== 'string' || by.trim() === '') errors.push(`"sort.x" must be a non-empty string, got ${describe(by)}.`);
        else if (by.length > MAX_NAME_LENGTH) errors.push(`"sort.x" is longer than ${MAX_NAME_LENGTH} characters.`);
        else clean.x = by;
      }
      const desc = sort.descending;
      if (desc !== undefined && desc !== null) {
        if (typeof desc !== 'boolean') errors.push(`"sort.descending" must be true or false, got ${describe(desc)}.`);
        else clean.descending = desc;
      }
      out.sort = clean;
    }
  }

  // Judge presence on the input so a channel that is present but invalid is not also reported missing.
  const given = (key: ChannelKey): boolean => input[key] !== undefined && input[key] !== null;
  if (typeof out.mark === 'string') errors.push(...markErrors(out as Partial<PlotSpec> & { mark: PlotMark }, given));

  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: out as unknown as PlotSpec };
}

/** Mark-specific rules: required channels and option conflicts. */
function markErrors(spec: Partial<PlotSpec> & { mark: PlotMark }, given: (key: ChannelKey) => boolean): string[] {
  const errors: string[] = [];
  const { all = [], any = [] } = REQUIRED[spec.mark];
  for (const key of all) {
    if (!given(key)) errors.push(`Mark "${spec.mark}" needs "${key}" (a column name).`);
  }
  if (any.length > 0 && !any.some(given)) {
    errors.push(`Mark "${spec.mark}" needs at least one of ${any.map((k) => `"${k}"`).join(' or ')}.`);
  }
  // Grouped (unstacked) bars are drawn by faceting on the category, so that facet is taken.
  if (spec.stack === false && spec.fill !== undefined) {
    if (spec.mark === 'barY' && spec.fx !== undefined) {
      errors.push('"stack": false groups barY bars side by side using fx, so "fx" cannot also be set.');
    }
    if (spec.mark === 'barX' && spec.fy !== undefined) {
      errors.push('"stack": false groups barX bars side by side using fy, so "fy" cannot also be set.');
    }
  }
  return errors;
}

/**
 * Margin and tick-label estimates.
 *
 * Observable Plot sizes margins for 10px labels and never measures text; our charts use 12px
 * labels, so wide tick labels (1,000,000; long category names) would be clipped. These estimates
 * are deliberately rough: character counts times an average glyph width.
 */
import { isMissing } from './infer.ts';

/** Font size of every chart label, in pixels. */
export const FONT_SIZE = 12;
/** Average glyph width at {@link FONT_SIZE} (system-ui digits and lowercase are ~0.55–0.6em). */
const CHAR_WIDTH = FONT_SIZE * 0.6;
/** Longest category label drawn in full; longer ones are truncated with an ellipsis. */
export const MAX_TICK_CHARS = 28;

/** Clamp `n` to [lo, hi]. */
export function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

/** Category tick labels longer than {@link MAX_TICK_CHARS} get an ellipsis (full text stays in the tooltip). */
export function truncateLabel(value: unknown): string {
  const s = value instanceof Date ? value.toISOString().slice(0, 10) : String(value);
  return s.length > MAX_TICK_CHARS ? `${s.slice(0, MAX_TICK_CHARS - 1)}…` : s;
}

/** Length in characters of the longest (truncated) label among a column's values; scans at most 5,000 distinct. */
export function longestLabel(rows: readonly Record<string, unknown>[], column: string): { chars: number; count: number } {
  const seen = new Set<unknown>();
  let chars = 0;
  for (const row of rows) {
    const v = row[column];
    if (isMissing(v)) continue;
    const key = v instanceof Date ? v.getTime() : v;
    if (seen.has(key)) continue;
    seen.add(key);
    chars = Math.max(chars, truncateLabel(v).length);
    if (seen.size >= 5000) break;
  }
  return { chars, count: seen.size };
}

/**
 * The step between the ticks Plot (d3) draws over [lo, hi] for about `count` ticks: 1, 2 or 5 × a power of
 * ten. d3-array's tickStep, restated here because d3 reaches us only through Plot (no types, no direct dep).
 */
export function tickStep(lo: number, hi: number, count = 10): number {
  const span = Math.abs(hi - lo);
  if (!(span > 0) || !Number.isFinite(span)) return Math.abs(hi) > 0 ? 10 ** Math.floor(Math.log10(Math.abs(hi))) : 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const error = raw / power;
  return power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
}

/**
 * Characters in the widest tick label of a quantitative axis whose values reach ±maxAbs. With the values'
 * `range`, the labels are the ones Plot prints: a narrow range far from zero (12.400–12.470) gets as many
 * decimals as its tick step needs, which a magnitude alone cannot tell.
 */
export function quantitativeTickChars(maxAbs: number, negative: boolean, percent: boolean, range?: { min: number; max: number }): number {
  let chars: number;
  const lo = range ? Math.min(range.min, 0) : 0;
  const hi = range ? range.max : maxAbs;
  // Both a zero-based axis (bars) and a tight one (dots, lines) may be drawn; budget for the wider labels.
  const spans = range ? [[lo, hi], [range.min, range.max]] : [[lo, hi]];
  if (percent) {
    chars = 0;
    for (const [a, b] of spans) {
      const step = tickStep(a * 100, b * 100);
      const decimals = Math.max(0, -Math.floor(Math.log10(step)));
      chars = Math.max(chars, (Math.ceil((maxAbs * 100) / step) * step).toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '').length + 1);
    }
  } else if (!range && maxAbs < 10) chars = 4; // ticks like 0.25 or 7.5
  else {
    chars = 0;
    for (const [a, b] of spans) {
      const step = tickStep(a, b);
      const decimals = Math.max(0, -Math.floor(Math.log10(step)));
      const top = Math.ceil(maxAbs / step) * step;
      chars = Math.max(chars, top.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).length);
    }
  }
  return chars + (negative ? 1 : 0);
}

/** Left margin that fits labels of `chars` characters plus tick marks. */
export function marginForChars(chars: number, min = 40, max = 260): number {
  return Math.round(clamp(16 + chars * CHAR_WIDTH, min, max));
}

/** Plot width assumed for layout decisions when the caller does not say. */
export const DEFAULT_LAYOUT_WIDTH = 640;

/** Whether bottom category labels should be rotated: they would not fit side by side in their bands. */
export function shouldRotate(chars: number, count: number, width = DEFAULT_LAYOUT_WIDTH): boolean {
  if (count === 0) return false;
  const band = (width * 0.85) / count;
  return chars * CHAR_WIDTH > band - 6;
}

/** Left margin that keeps the first rotated (-30°) bottom label, anchored at its end, on the canvas. */
export function rotatedMarginLeft(chars: number): number {
  return Math.round(clamp(chars * CHAR_WIDTH * 0.8 - 10, 40, 200));
}

/** Bottom margin for labels of `chars` characters rotated by 30°. */
export function rotatedMarginBottom(chars: number): number {
  return Math.round(clamp(24 + chars * CHAR_WIDTH * 0.5, 30, 160));
}

/**
 * The largest |value| the value axis reaches, whether it goes negative, and the least and greatest value. `column` undefined
 * counts each row as 1 (the count aggregation). `groupBy` sums values per group like Plot's stackY
 * (positives and negatives separately): a column name groups by that column, null puts every row in
 * one group (an upper bound for binned sums), undefined takes the values one by one.
 */
export function valueExtent(
  rows: readonly Record<string, unknown>[],
  column: string | undefined,
  groupBy: string | null | undefined,
): { maxAbs: number; negative: boolean; min: number; max: number } {
  const pos = new Map<unknown, number>();
  const neg = new Map<unknown, number>();
  let maxAbs = 0;
  let negative = false;
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const v = column === undefined ? 1 : row[column];
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    if (v < 0) negative = true;
    if (groupBy === undefined) {
      maxAbs = Math.max(maxAbs, Math.abs(v));
      min = Math.min(min, v);
      max = Math.max(max, v);
      continue;
    }
    const g = groupBy === null ? null : row[groupBy] instanceof Date ? (row[groupBy] as Date).getTime() : row[groupBy];
    const side = v < 0 ? neg : pos;
    const total = (side.get(g) ?? 0) + v;
    side.set(g, total);
    maxAbs = Math.max(maxAbs, Math.abs(total));
    min = Math.min(min, total);
    max = Math.max(max, total);
  }
  return { maxAbs, negative, min: Number.isFinite(min) ? min : 0, max: Number.isFinite(max) ? max : 0 };
}

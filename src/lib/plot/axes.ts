/**
 * Positional scale options: axis labels, grouped-bar axis placement, the value axis (percent,
 * grid, nice domain) and the category axis (label format, rotation), plus integer ticks.
 * Each function fills in `scales`, which starts as one empty object per positional scale.
 */
import type * as Plot from '@observablehq/plot';
import { columnKind, distinctValues } from './infer.ts';
import { longestLabel, shouldRotate, truncateLabel } from './layout.ts';
import type { MarkPlan, PositionScale } from './plan.ts';
import type { PlotSpec } from './spec.ts';

type Rows = readonly Record<string, unknown>[];

/** Scale options under construction, keyed by positional scale. */
export type PositionScales = Record<PositionScale, Plot.ScaleOptions>;

/** Most ticks placed by hand on a small integer axis (policy versions, epochs). */
const MAX_INTEGER_TICKS = 12;

/** Which scale shows the column of spec key 'x' / 'y' (grouped bars move the category to a facet). */
function scaleOfKey(plan: MarkPlan, key: 'x' | 'y'): PositionScale {
  const channel = plan.channelOf[key];
  return channel === 'fx' || channel === 'fy' ? channel : key;
}

/** xLabel/yLabel, and for grouped bars: hide the inner band axis, put group labels where it was. */
export function labelAxes(spec: PlotSpec, plan: MarkPlan, scales: PositionScales): void {
  if (spec.xLabel !== undefined) scales[scaleOfKey(plan, 'x')].label = spec.xLabel;
  if (spec.yLabel !== undefined) scales[scaleOfKey(plan, 'y')].label = spec.yLabel;
  if (plan.grouped) {
    // The band axis inside each group repeats the legend.
    const vertical = spec.mark === 'barY';
    scales[vertical ? 'x' : 'y'].axis = null;
    if (vertical) scales.fx.axis = 'bottom';
    else scales.fy.axis = 'left';
  }
}

/** Percent ticks, grid lines and a nice (outward-rounded) domain on the value axis. */
export function valueAxis(spec: PlotSpec, rows: Rows, plan: MarkPlan, scales: PositionScales): void {
  if (plan.value !== null) {
    const scale = scales[plan.value];
    if (spec.percent) scale.tickFormat = '~%';
    if (spec.grid !== false) scale.grid = true;
    const column = spec[plan.value];
    // Nice domains keep extreme points off the frame edge.
    if (plan.aggregated || (column !== undefined && columnKind(rows, column) === 'number')) scale.nice = true;
  }
  if (spec.mark === 'dot' && spec.x !== undefined && columnKind(rows, spec.x) === 'number') scales.x.nice = true;
  // An explicit grid: true also grids a continuous x of scatter and line charts.
  if (spec.grid === true && plan.value === 'y' && plan.category === null && !plan.binned && spec.x !== undefined) {
    scales.x.grid = true;
  }
}

/**
 * Category labels: long strings truncated, dates as ISO days (and marked as band so Plot does not
 * warn), bottom labels rotated when they would not fit side by side at `width`. Returns the
 * length in characters of the rotated labels, 0 when not rotated.
 */
export function categoryAxis(rows: Rows, plan: MarkPlan, scales: PositionScales, width: number): number {
  if (plan.category === null || plan.categoryColumn === undefined) return 0;
  const kind = columnKind(rows, plan.categoryColumn);
  if (kind === 'string' || kind === 'date') scales[plan.category].tickFormat = truncateLabel;
  if (kind === 'date' && (plan.category === 'x' || plan.category === 'y')) scales[plan.category].type = 'band';

  const atBottom = plan.category === 'x' || (plan.category === 'fx' && plan.grouped);
  if (!atBottom) return 0;
  const { chars, count } = longestLabel(rows, plan.categoryColumn);
  if (!shouldRotate(chars, count, width)) return 0;
  scales[plan.category].tickRotate = -30;
  return chars;
}

/** A continuous x holding a short run of integers (versions, epochs) gets exactly those ticks, not 1.2, 1.4, …. */
export function integerTicks(spec: PlotSpec, rows: Rows, plan: MarkPlan, scales: PositionScales): void {
  if (plan.category !== null || plan.binned || spec.x === undefined || columnKind(rows, spec.x) !== 'number') return;
  const values = distinctValues(rows, spec.x, MAX_INTEGER_TICKS) as number[];
  if (values.length > MAX_INTEGER_TICKS || !values.every((v) => Number.isInteger(v))) return;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // Sparse integers (counts like 15, 80, 120) keep Plot's nice ticks.
  if (hi - lo >= MAX_INTEGER_TICKS) return;
  scales.x.ticks = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  scales.x.tickFormat = 'd'; // explicit ticks otherwise print as 1.0, 2.0, …
}

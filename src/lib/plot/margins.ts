/**
 * Chart margins sized for our 12px labels (Plot's defaults assume 10px and never measure text).
 */
import type * as Plot from '@observablehq/plot';
import { columnKind } from './infer.ts';
import {
  longestLabel,
  marginForChars,
  quantitativeTickChars,
  rotatedMarginBottom,
  rotatedMarginLeft,
  valueExtent,
} from './layout.ts';
import type { MarkPlan } from './plan.ts';
import type { PlotSpec } from './spec.ts';

type Rows = readonly Record<string, unknown>[];
/** The margin options this module sets. */
export type Margins = Pick<Plot.PlotOptions, 'marginTop' | 'marginRight' | 'marginBottom' | 'marginLeft'>;

/** Left margin: room for whatever the left axis shows (category names or value ticks). */
function leftMargin(spec: PlotSpec, rows: Rows, plan: MarkPlan): number | undefined {
  const leftCategory = plan.category === 'y' || (plan.category === 'fy' && plan.grouped);
  if (leftCategory && plan.categoryColumn !== undefined) return marginForChars(longestLabel(rows, plan.categoryColumn).chars);
  const yKind = spec.y === undefined ? 'empty' : columnKind(rows, spec.y);
  if (plan.value === 'y' && (plan.aggregated || yKind === 'number')) {
    // Stacked and counted bars reach their per-category total; binned ones at most the grand total.
    const stackedBy = plan.binned ? null : (plan.categoryColumn ?? spec.x);
    const groupBy = plan.stacked || plan.aggregated ? stackedBy : undefined;
    const { maxAbs, negative, min, max } = valueExtent(rows, plan.valueColumn, groupBy);
    return marginForChars(quantitativeTickChars(maxAbs, negative, spec.percent === true, { min, max }));
  }
  if (spec.y !== undefined && (yKind === 'string' || yKind === 'boolean' || yKind === 'mixed')) {
    return marginForChars(longestLabel(rows, spec.y).chars);
  }
  return undefined;
}

/**
 * Margins for the chart. `rotatedChars` is the length of the bottom category labels when they are
 * rotated (see `categoryAxis`), else 0.
 */
export function chartMargins(spec: PlotSpec, rows: Rows, plan: MarkPlan, rotatedChars: number): Margins {
  const margins: Margins = {};
  // Bottom: 12px tick labels plus the axis label; dates need a second tick line (month or year).
  margins.marginBottom = spec.x !== undefined && columnKind(rows, spec.x) === 'date' ? 44 : 36;
  if (rotatedChars > 0) margins.marginBottom = rotatedMarginBottom(rotatedChars);
  // Top: the y-axis label sits above the top tick (Plot's 20px lets 12px text touch it); fx facet
  // labels plus their axis label need more.
  margins.marginTop = spec.fx !== undefined && !plan.grouped ? 44 : 28;
  const left = leftMargin(spec, rows, plan);
  if (left !== undefined) margins.marginLeft = left;
  // Rotated labels hang left of their band; keep the first one on the canvas.
  if (rotatedChars > 0) margins.marginLeft = Math.max(margins.marginLeft ?? 40, rotatedMarginLeft(rotatedChars));
  // Right: fy facet labels (except grouped barX, whose facet axis moved left).
  if (spec.fy !== undefined && !(plan.grouped && spec.mark === 'barX')) {
    margins.marginRight = marginForChars(longestLabel(rows, spec.fy).chars, 20, 200);
  }
  return margins;
}

/** Plot sizes ordinal rows for 10px text; heatmap rows read better a little taller. */
export function heatmapHeight(rows: Rows, y: string, margins: Margins): number {
  const { count } = longestLabel(rows, y);
  const vertical = (margins.marginTop ?? 20) + (margins.marginBottom ?? 30);
  return Math.round(Math.min(900, Math.max(120, count * 28 + vertical)));
}

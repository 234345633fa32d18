/**
 * From a validated spec and its result rows to Observable Plot options: a pure function (no DOM),
 * so every default is unit-testable and a render depends only on (spec, rows, width).
 */
import type * as Plot from '@observablehq/plot';
import { categoryAxis, integerTicks, labelAxes, valueAxis, type PositionScales } from './axes.ts';
import { colorScale } from './color.ts';
import { DEFAULT_LAYOUT_WIDTH, FONT_SIZE } from './layout.ts';
import { chartMargins, heatmapHeight } from './margins.ts';
import { buildMarks } from './marks.ts';
import { categoryOrder } from './order.ts';
import { planMark } from './plan.ts';
import { prepareRows } from './rows.ts';
import { resolveSort } from './sort.ts';
import type { PlotSpec } from './spec.ts';

/** Font stack for chart text; matches the app's UI font so charts pasted into reports look native. */
export const CHART_FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';

/** Least height in pixels left for the marks between the top and bottom margins. */
export const MIN_PLOT_AREA = 40;

/** Options for {@link buildPlotOptions}. */
export interface BuildPlotOptionsConfig {
  /** Width the chart will be drawn at; only used for layout decisions such as rotating labels. */
  width?: number;
}

/**
 * Observable Plot options for a validated `spec` over `rows`. The width itself is left to the caller
 * (pass it in `config` so label layout can adapt). Rows missing a plotted value are skipped; the
 * input array is not modified.
 */
export function buildPlotOptions(
  spec: PlotSpec,
  rows: readonly Record<string, unknown>[],
  config: BuildPlotOptionsConfig = {},
): Plot.PlotOptions {
  const data = prepareRows(spec, rows);
  const plan = planMark(spec, data);
  const order = categoryOrder(resolveSort(spec), plan, data);
  const tip: Plot.MarkOptions['tip'] = spec.percent && plan.value !== null ? { format: { [plan.value]: '.1~%' } } : true;
  const marks = buildMarks(spec, data, plan, { sort: order.markSort, tip });

  const scales: PositionScales = { x: {}, y: {}, fx: {}, fy: {} };
  labelAxes(spec, plan, scales);
  valueAxis(spec, data, plan, scales);
  const rotatedChars = categoryAxis(data, plan, scales, config.width ?? DEFAULT_LAYOUT_WIDTH);
  integerTicks(spec, data, plan, scales);
  if (order.domain !== undefined) scales[order.domain.scale].domain = order.domain.values;
  const margins = chartMargins(spec, data, plan, rotatedChars);

  const options: Plot.PlotOptions = {
    marks,
    ...margins,
    // Visible overflow: Plot pins the x-axis label to the bottom edge, which clips descenders (_, g, y) at 12px.
    style: { fontSize: `${FONT_SIZE}px`, fontFamily: CHART_FONT_FAMILY, overflow: 'visible' },
  };
  for (const key of ['x', 'y', 'fx', 'fy'] as const) {
    if (Object.keys(scales[key]).length > 0) options[key] = scales[key];
  }
  const color = colorScale(spec, data);
  if (color !== undefined) options.color = color;
  if (spec.title !== undefined && spec.title.trim() !== '') options.title = spec.title;
  // An explicit height never squeezes the marks to nothing: margins (rotated labels can take 100 px) come on top
  // of a minimum drawing area. A cell row with no y gets one band's height.
  const minHeight = (margins.marginTop ?? 20) + (margins.marginBottom ?? 30) + MIN_PLOT_AREA;
  if (spec.height !== undefined) options.height = Math.max(spec.height, minHeight);
  else if (spec.mark === 'cell' && spec.y !== undefined) options.height = heatmapHeight(data, spec.y, margins);
  else if (spec.mark === 'cell') options.height = minHeight;
  return options;
}

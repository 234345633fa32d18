/**
 * Building the Observable Plot marks for a spec: one main mark (with tooltips) plus quiet
 * decorations such as a zero baseline under bars.
 */
import * as Plot from '@observablehq/plot';
import type { MarkPlan } from './plan.ts';
import type { PlotSpec } from './spec.ts';

type Rows = Record<string, unknown>[];

/** Options every main mark receives: domain sort and tooltip. */
export interface SharedMarkOptions {
  sort?: Plot.ChannelDomainSort;
  tip: Plot.MarkOptions['tip'];
}

/**
 * A channel reading column `name`. Color channels go through this rather than a bare field name
 * because Plot treats a string that parses as a CSS color ("red", "#abc") as a constant color,
 * and a result column may well be called that.
 */
export function field(name: string): Plot.ChannelTransform & { label: string } {
  return { transform: (data: Rows) => data.map((d) => d[name]), label: name };
}

function optionalField(name: string | undefined): Plot.ChannelTransform | undefined {
  return name === undefined ? undefined : field(name);
}

/** The colour of a single series (Observable10's first colour), so a lone chart is not drawn in text black. */
export const SERIES_COLOR = '#4269d0';

/** Points per series up to which lines get point markers (sparse lines read better with them). */
const MARKER_MAX_POINTS = 40;

/** The marks for `spec` over prepared `rows` (missing values dropped, lines sorted by x). */
export function buildMarks(spec: PlotSpec, rows: Rows, plan: MarkPlan, shared: SharedMarkOptions): Plot.Markish[] {
  const { x, y, fx, fy } = spec;
  const fill = optionalField(spec.fill);
  const stroke = optionalField(spec.stroke);
  const common = { fx, fy, ...shared };

  switch (spec.mark) {
    case 'barY':
    case 'barX':
      return bars(spec, rows, plan, shared);
    case 'rectY': {
      if (!plan.binned) return bars({ ...spec, mark: 'barY' }, rows, plan, shared);
      const inputs = { x, y, fill, stroke, ...common, insetLeft: 0.5, insetRight: 0.5 };
      const outputs: Plot.BinOutputs = { y: y === undefined ? 'count' : 'sum' };
      return [Plot.rectY(rows, Plot.binX(outputs, inputs)), Plot.ruleY([0])];
    }
    case 'line':
    case 'lineY': {
      const color = stroke ?? fill;
      const marker: Plot.LineOptions['marker'] = rows.length <= MARKER_MAX_POINTS ? 'circle-stroke' : undefined;
      const options = { x, y, stroke: color ?? SERIES_COLOR, z: color, marker, ...common };
      return [spec.mark === 'line' ? Plot.line(rows, options) : Plot.lineY(rows, options)];
    }
    case 'areaY': {
      const color = fill ?? stroke;
      if (color === undefined) {
        // A lone area reads best as a light fill under a solid line.
        return [
          Plot.areaY(rows, { x, y, fillOpacity: 0.25, fx, fy }),
          Plot.lineY(rows, { x, y, ...common }),
          Plot.ruleY([0]),
        ];
      }
      if (spec.stack === false) {
        // y1/y2 bypass Plot's implicit stacking; translucency keeps overlaps visible.
        return [Plot.areaY(rows, { x, y1: 0, y2: y, fill: color, z: color, fillOpacity: 0.35, ...common }), Plot.ruleY([0])];
      }
      return [Plot.areaY(rows, { x, y, fill: color, z: color, ...common }), Plot.ruleY([0])];
    }
    case 'dot':
      return [Plot.dot(rows, { x, y, fill, stroke: stroke ?? (fill ? undefined : SERIES_COLOR), r: spec.r, fillOpacity: fill && rows.length > 2000 ? 0.6 : undefined, ...common })];
    case 'cell':
      return [Plot.cell(rows, { x, y, fill, stroke, inset: 0.5, ...common })];
    case 'ruleY':
      return [Plot.ruleY(rows, { y, x, stroke: stroke ?? fill, ...common })];
    case 'text':
      return [Plot.text(rows, { x, y, text: spec.text, fill: fill ?? stroke, ...common })];
    case 'tickX':
      return [Plot.tickX(rows, { x, y, stroke: stroke ?? fill, ...common })];
  }
}

/** barY / barX: stacked, grouped (via a facet) or plain; counts rows when there is no value column. */
function bars(spec: PlotSpec, rows: Rows, plan: MarkPlan, shared: SharedMarkOptions): Plot.Markish[] {
  const vertical = spec.mark === 'barY';
  const fill = optionalField(spec.fill);
  const stroke = optionalField(spec.stroke);
  const category = vertical ? spec.x : spec.y;
  const value = vertical ? spec.y : spec.x;
  // Grouped: the category moves to the facet and the fill column becomes the band within it.
  const band = plan.grouped ? field(spec.fill as string) : category;
  const facets = plan.grouped
    ? vertical
      ? { fx: category, fy: spec.fy }
      : { fx: spec.fx, fy: category }
    : { fx: spec.fx, fy: spec.fy };
  const options = { fill: fill ?? (stroke ? undefined : SERIES_COLOR), stroke, ...facets, ...shared };

  if (vertical) {
    const inputs = { ...options, x: band, y: value };
    const mark = plan.aggregated ? Plot.barY(rows, Plot.groupX({ y: 'count' }, inputs)) : Plot.barY(rows, inputs);
    return [mark, Plot.ruleY([0])];
  }
  const inputs = { ...options, y: band, x: value };
  const mark = plan.aggregated ? Plot.barX(rows, Plot.groupY({ x: 'count' }, inputs)) : Plot.barX(rows, inputs);
  return [mark, Plot.ruleX([0])];
}

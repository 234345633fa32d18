/**
 * Drawing a plot spec with Observable Plot. The only DOM-touching part of src/lib/plot.
 */
import * as Plot from '@observablehq/plot';
import { buildPlotOptions } from './options.ts';
import { validatePlotSpec, type PlotSpec } from './spec.ts';

/** Thrown by {@link renderPlot} for a spec that fails validation; `errors` holds one message per problem. */
export class PlotSpecError extends Error {
  override name = 'PlotSpecError';
  constructor(readonly errors: string[]) {
    super(`Invalid plot spec: ${errors.join(' ')}`);
  }
}

/** Options for {@link renderPlot}. */
export interface RenderPlotOptions {
  /** Chart width in CSS pixels (clamped to 120–4000). */
  width: number;
  /** Document to create elements in; defaults to the global document. */
  document?: Document;
}

/** Narrowest and widest chart we draw; below ~120px axes overlap, above 4000px is a layout bug. */
const WIDTH_RANGE = { min: 120, max: 4000 } as const;

/**
 * Render `spec` over `rows` at `width`: an `<svg>`, or a `<figure>` holding the title, legend and
 * `<svg>`. A pure function of its arguments. The spec is re-validated (it may come straight from
 * notebook JSON); an invalid one throws {@link PlotSpecError}. Missing columns are not checked here,
 * use `checkColumns` first for a readable message.
 */
export function renderPlot(spec: PlotSpec, rows: readonly Record<string, unknown>[], options: RenderPlotOptions): HTMLElement | SVGElement {
  const checked = validatePlotSpec(spec);
  if (!checked.ok) throw new PlotSpecError(checked.errors);
  const width = Math.round(Math.min(WIDTH_RANGE.max, Math.max(WIDTH_RANGE.min, options.width || 0)));
  return withoutForeignPaint(Plot.plot({ ...buildPlotOptions(checked.spec, rows, { width }), width, document: options.document }));
}

/**
 * Removes SVG paint and clip references to other documents (`fill="url(http://…)"`): Plot passes color-looking
 * data values through as colors, and the browser would fetch such a reference from a host nobody approved.
 * Plot's own references are in-document (`url(#id)`) and stay.
 */
function withoutForeignPaint<T extends HTMLElement | SVGElement>(root: T): T {
  for (const el of root.querySelectorAll('[fill], [stroke], [clip-path], [mask], [filter], [marker-start], [marker-mid], [marker-end]')) {
    for (const attr of ['fill', 'stroke', 'clip-path', 'mask', 'filter', 'marker-start', 'marker-mid', 'marker-end']) {
      const v = el.getAttribute(attr);
      if (v && /url\(/i.test(v) && !/^\s*url\(\s*['"]?#/i.test(v)) el.removeAttribute(attr);
    }
  }
  return root;
}

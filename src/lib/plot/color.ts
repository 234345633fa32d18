/**
 * The color scale for a spec's fill/stroke column: legend, scheme and categorical treatment of
 * small integer series ids.
 */
import type * as Plot from '@observablehq/plot';
import { columnKind, looksCategoricalNumber } from './infer.ts';
import type { PlotSpec } from './spec.ts';

/** Marks where a numeric color column usually names series (policy_version 1..5) rather than a measure. */
const SERIES_MARKS: ReadonlySet<PlotSpec['mark']> = new Set(['line', 'lineY', 'areaY', 'barY', 'barX', 'rectY', 'tickX']);

/**
 * Colours of a true/false column: true is the notable, usually alarming value (raised, flagged, out of
 * tolerance), so it gets the warm colour and false the calm one, never a scheme's arbitrary order.
 */
export const BOOLEAN_COLORS = { false: '#59a14f', true: '#e15759' } as const;
/** Colour of a value a spec's `colors` map does not list. */
const UNLISTED_COLOR = '#bab0ac';

/** Color scale options, or undefined when the spec colors by no column. */
export function colorScale(spec: PlotSpec, rows: readonly Record<string, unknown>[]): Plot.ScaleOptions | undefined {
  const column = spec.fill ?? spec.stroke;
  if (column === undefined) return undefined;
  const color: Plot.ScaleOptions = { legend: spec.legend ?? true };
  const kind = columnKind(rows, column);
  // 'categorical' is Plot's ordinal type with a categorical scheme (plain 'ordinal' numbers get a ramp).
  if (kind === 'number' && SERIES_MARKS.has(spec.mark) && looksCategoricalNumber(rows, column)) color.type = 'categorical';
  // Plot takes a column whose values all look like colors as the colors themselves, `url(…)` included: an SVG
  // paint reference to another site would be a request nobody approved. Such a column is a category instead.
  if (kind !== 'number' && rows.some((r) => typeof r[column] === 'string' && /^\s*url\(/i.test(r[column] as string))) color.type = 'categorical';
  if (spec.colors !== undefined) {
    // Values are matched as text, so {"true": …} colours a boolean column too; the domain keeps the raw values.
    const present = new Map<string, unknown>();
    for (const r of rows) if (!present.has(String(r[column]))) present.set(String(r[column]), r[column]);
    const listed = Object.keys(spec.colors);
    const keys = [...listed.filter((v) => present.has(v)), ...[...present.keys()].filter((v) => !listed.includes(v)).sort()];
    color.type = 'ordinal';
    color.domain = keys.map((k) => present.get(k));
    color.range = keys.map((k) => spec.colors![k] ?? UNLISTED_COLOR);
    return color;
  }
  if (kind === 'boolean' && spec.colorScheme === undefined) {
    color.type = 'ordinal';
    color.domain = [false, true];
    color.range = [BOOLEAN_COLORS.false, BOOLEAN_COLORS.true];
    return color;
  }
  if (spec.colorScheme !== undefined) color.scheme = spec.colorScheme as Plot.ColorScheme;
  else if (spec.mark === 'cell' && kind === 'number') color.scheme = 'YlGnBu'; // heatmaps: light = low
  if (spec.percent && spec.mark === 'cell') color.tickFormat = '~%';
  return color;
}

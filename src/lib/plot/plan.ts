/**
 * The structure of a chart before any Plot object exists: which scale carries the categories,
 * which carries the values, and which Plot channel draws each spec column. Options, sorting and
 * margins are all derived from this, so it is computed once and kept free of Plot calls.
 */
import { columnKind, isContinuousKind } from './infer.ts';
import type { ChannelKey, PlotSpec } from './spec.ts';

/** A positional scale of the chart. */
export type PositionScale = 'x' | 'y' | 'fx' | 'fy';

/** See the module comment. */
export interface MarkPlan {
  /** Unstacked bars with fill: drawn side by side by faceting on the category (fx for barY, fy for barX). */
  grouped: boolean;
  /** Bars/rects without a value column count rows per category or bin. */
  aggregated: boolean;
  /** rectY over a continuous x: a histogram (binX). */
  binned: boolean;
  /** Scale holding ordinal categories (what `sort` orders), or null when the chart has none. */
  category: PositionScale | null;
  categoryColumn: string | undefined;
  /** The quantitative value scale (percent, grid and margins apply to it), or null (cell). */
  value: 'x' | 'y' | null;
  /** Column on the value scale; undefined when {@link aggregated}. */
  valueColumn: string | undefined;
  /** Values stack per category (bars/areas with fill); the value extent is then a per-category sum. */
  stacked: boolean;
  /** Spec key → the mark channel that draws it (e.g. line draws `fill` as its stroke). */
  channelOf: Partial<Record<ChannelKey, string>>;
}

/** True when the column's values map to an ordinal (band/point) scale. */
function isOrdinal(rows: readonly Record<string, unknown>[], column: string | undefined): boolean {
  return column !== undefined && !isContinuousKind(columnKind(rows, column));
}

/** Work out the {@link MarkPlan} for a validated spec over its (already filtered) rows. */
export function planMark(spec: PlotSpec, rows: readonly Record<string, unknown>[]): MarkPlan {
  const color = spec.fill ?? spec.stroke;
  const base = { grouped: false, aggregated: false, binned: false, stacked: false };
  switch (spec.mark) {
    case 'barY':
    case 'barX': {
      const vertical = spec.mark === 'barY';
      const cat = vertical ? 'x' : 'y';
      const val = vertical ? 'y' : 'x';
      const grouped = spec.stack === false && spec.fill !== undefined;
      return {
        ...base,
        grouped,
        aggregated: spec[val] === undefined,
        stacked: !grouped && color !== undefined,
        category: grouped ? (vertical ? 'fx' : 'fy') : cat,
        categoryColumn: spec[cat],
        value: val,
        valueColumn: spec[val],
        // Grouped bars put the category on the facet and the fill column on the band axis.
        channelOf: grouped
          ? { [cat]: vertical ? 'fx' : 'fy', [val]: val, fill: 'fill', stroke: 'stroke' }
          : { x: 'x', y: 'y', fill: 'fill', stroke: 'stroke' },
      };
    }
    case 'rectY': {
      if (isOrdinal(rows, spec.x)) return planMark({ ...spec, mark: 'barY', stack: true }, rows);
      return {
        ...base,
        binned: true,
        aggregated: spec.y === undefined,
        stacked: color !== undefined,
        category: null,
        categoryColumn: undefined,
        value: 'y',
        valueColumn: spec.y,
        channelOf: { x: 'x', y: 'y', fill: 'fill', stroke: 'stroke' },
      };
    }
    case 'cell':
      return {
        ...base,
        category: spec.x !== undefined ? 'x' : 'y',
        categoryColumn: spec.x ?? spec.y,
        value: null,
        valueColumn: undefined,
        channelOf: { x: 'x', y: 'y', fill: 'fill', stroke: 'stroke' },
      };
    case 'tickX':
      return {
        ...base,
        category: spec.y !== undefined ? 'y' : null,
        categoryColumn: spec.y,
        value: 'x',
        valueColumn: spec.x,
        channelOf: { x: 'x', y: 'y', stroke: 'stroke', fill: 'stroke' },
      };
    default: {
      // line, lineY, areaY, dot, text, ruleY: a value on y over an x that may be ordinal.
      const lineLike = spec.mark === 'line' || spec.mark === 'lineY';
      const ordinalX = spec.mark !== 'ruleY' && isOrdinal(rows, spec.x);
      return {
        ...base,
        stacked: spec.mark === 'areaY' && spec.stack !== false && color !== undefined,
        category: ordinalX ? 'x' : null,
        categoryColumn: ordinalX ? spec.x : undefined,
        value: 'y',
        valueColumn: spec.y,
        channelOf: {
          x: 'x',
          y: 'y',
          // Lines have no fill; a fill column colors the line instead.
          fill: lineLike ? 'stroke' : 'fill',
          stroke: 'stroke',
          ...(spec.mark === 'dot' ? { r: 'r' } : {}),
          ...(spec.mark === 'text' ? { text: 'text' } : {}),
        },
      };
    }
  }
}
